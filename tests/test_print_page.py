"""The page a print edition is printed from: a cover, a paged contents, chapters as top-level
headings (and bookmarks), nothing that links to the build machine, the web-only pages left out."""

from pypdf import PdfWriter

from pcpbook.build import print_page, printing

SINGLE_PAGE = """<html lang="en" data-theme="auto"><body><article class="bd-article">
<section id="about-this-edition">
<h1>About this edition<a class="headerlink" href="#about-this-edition" title="Link to this heading">#</a></h1>
<p><a class="reference download internal" download="" href="_downloads/abc/chart.csv"><span>Data for this chart (CSV)</span></a></p>
<p>See <a href="../2020-21-Q4-chart-data.zip">the zip</a>, <a href="https://www.police.uk/">police.uk</a> and
<a href="#what-changed">what changed</a>; cited from <a class="reference internal" href="intro.html#source-seed-004"><span
class="std std-ref">the Closure Report</span></a>, not <a href="intro.html#nowhere">a place it lacks</a>.</p>
<details class="pcp-long"><summary>Return</summary><p>Whole return</p></details>
<img alt="Line chart" class="pcp-wide" loading="lazy" src="_images/p01-burglary.png" />
<img alt="Line chart" class="pcp-phone" loading="lazy" src="_images/p01-burglary-phone.png" />
<section id="contents">
<h2>Contents<a class="headerlink" href="#contents" title="Link to this heading">#</a></h2>
<div class="toctree-wrapper compound">
<span id="document-chapters/changes"></span><section id="what-changed">
<h3>What changed &amp; why<a class="headerlink" href="#what-changed" title="Link to this heading">#</a></h3>
<section id="status"><h4>Status</h4><p>Text</p></section>
<span id="document-chapters/sources"></span><section id="sources"><h3>Sources</h3><p id="source-seed-004">Closure Report</p></section>
</section>
<span id="document-chapters/build"></span><section id="how-made">
<h3>How this edition was made</h3><section id="packages"><h4>Packages</h4><p>pandas</p></section>
</section>
</div>
</section>
</section>
</article></body></html>"""

COVER = print_page.Cover("Essex Police", "Police and Crime Plan 2016-2021", "Quarterly update 2020/21 Q4",
                         (("Data to", "March 2021"), ("Marking", "OFFICIAL")), "Includes <modelled> data.")


def test_each_chapter_is_a_top_level_heading_and_the_empty_contents_heading_is_gone():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    assert print_page.chapters(page) == [("about-this-edition", "About this edition"),
                                         ("what-changed", "What changed &amp; why"), ("sources", "Sources")]
    assert "<h2>Status</h2>" in page and "<h2>Contents" not in page and 'class="headerlink"' not in page


def test_the_pages_kept_for_the_web_are_left_out_and_the_cover_says_where_they_are():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    assert "How this edition was made</h" not in page and "Packages" not in page and "pandas" not in page
    assert "How this edition was made (versions, data fingerprints and timings) is in the online edition." in page
    assert page.count("<section") == page.count("</section>")


def test_no_link_leads_to_a_file_on_the_build_machine():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    assert "_downloads" not in page and "Data for this chart" not in page
    assert '<span class="pcp-unlinked">the zip</span>' in page and "chart-data.zip" not in page
    assert '<a href="https://www.police.uk/">police.uk</a>' in page and '<a href="#what-changed">' in page


def test_a_link_to_a_place_the_printed_page_holds_stays_a_link_to_it():
    page = print_page.print_page(SINGLE_PAGE, COVER)  # the single-page build names its own file: intro.html#...
    assert '<a class="reference internal" href="#source-seed-004">' in page
    assert '<span class="pcp-unlinked">a place it lacks</span>' in page


def test_the_cover_is_first_and_its_text_is_never_markup():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    cover = page.index('<div class="pcp-cover">')
    assert cover < page.index('<nav class="pcp-print-contents"') < page.index('<section id="about-this-edition">')
    assert "Includes &lt;modelled&gt; data." in page
    assert "<th scope=\"row\">Marking</th><td>OFFICIAL</td>" in page


def test_folded_parts_print_open_in_the_light_theme():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    assert '<details open class="pcp-long">' in page and 'data-theme="light"' in page


def test_each_chart_prints_once_in_its_desktop_layout_loaded_without_waiting_to_be_scrolled_to():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    assert page.count("<img ") == 1 and '<img alt="Line chart" class="pcp-wide" src="_images/p01-burglary.png" />' in page


def test_the_contents_take_each_chapter_s_page_from_the_first_printing_s_bookmarks():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    outline = [("About this edition", 3), ("Status", 4), ("What changed &why", 6)]  # a title broken across lines
    numbered = print_page.with_page_numbers(page, outline)
    assert f'id="{print_page.PAGE_MARK}about-this-edition">3</span>' in numbered
    assert f'id="{print_page.PAGE_MARK}what-changed">6</span>' in numbered


def test_a_chapter_missing_from_the_bookmarks_keeps_a_blank_page_number():
    page = print_page.print_page(SINGLE_PAGE, COVER)
    numbered = print_page.with_page_numbers(page, [("About this edition", 3)])
    assert f'id="{print_page.PAGE_MARK}what-changed"></span>' in numbered


def test_a_bookmark_is_titled_as_its_heading_reads_not_as_chromium_broke_it():
    title = print_page.bookmark_titles(print_page.print_page(SINGLE_PAGE, COVER))
    assert title("What changed &amp; why") == "What changed & why"
    assert title("What changed&why") == "What changed & why"   # the space lost where the heading wrapped
    assert title("StatusStatus") == "Status"                    # a heading split by a page break, named twice
    assert title("Not a heading") == "Not a heading"


def test_retitling_the_bookmarks_changes_their_titles_and_nothing_else(tmp_path):
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(595, 842)
    parent = writer.add_outline_item(title="Priority 1: Moreaccessible", page_number=0)
    writer.add_outline_item(title="CommitmentsCommitments", page_number=1, parent=parent)
    writer.add_outline_item(title="Methods", page_number=1)
    pdf = tmp_path / "book.pdf"
    writer.write(pdf)
    printing.retitle_bookmarks(pdf, print_page.bookmark_titles(
        "<h1>Priority 1: More accessible</h1><h2>Commitments</h2><h1>Methods</h1>"))
    assert printing.outline(pdf.read_bytes()) == [("Priority 1: More accessible", 1), ("Commitments", 2),
                                                  ("Methods", 2)]
