"""The print edition: every edition is also one PDF with the sensitivity marking and numbered
pages, printed offline by headless Chromium and linked from the intro and the landing page."""

import http.server
import json
import os
import re
import threading
import time

import pytest
from pypdf import PdfReader

from conftest import copy_project
from pcpbook.build import jupyterbook, printing
from pcpbook.cli import commands

needs_chromium = pytest.mark.skipif(printing.find_chromium() is None,
                                    reason=f"no print edition without Chromium: {printing.CHROMIUM_HINT}")


def test_page_furniture_carries_the_marking_and_numbers_and_escapes_quotes():
    css = printing.page_css('OFFICIAL-SENSITIVE', 'Update "Q2", version 1.0')
    assert css.count('content: "OFFICIAL-SENSITIVE"') == 2
    assert 'content: "Update \\"Q2\\", version 1.0"' in css
    assert 'counter(page) " of " counter(pages)' in css and "size: A4" in css


@pytest.mark.slow
@needs_chromium
def test_the_2023_24_q2_edition_is_one_pdf_marked_and_numbered_on_every_page(site):
    reader = PdfReader(site / "2023-24-Q2" / "2023-24-Q2.pdf")
    pages = len(reader.pages)
    assert pages > 20
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, 1):
        assert text.count("OFFICIAL") >= 2, number
        assert f"Page {number} of {pages}" in text, number
        assert "2023/24 Q2 update, version 1.0" in text, number
    whole = re.sub(r"\s+", " ", " ".join(texts))
    for heading in ("About this edition", "Priority 1: Further investment in crime prevention",
                    "Priority 12: Increasing collaboration", "Methods and caveats"):
        assert heading in whole, heading
    assert "How this edition was made" in whole and "is in the online edition" in whole  # said on the cover
    assert "Timings" not in whole  # the build page is for the web
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    charts = sum(len(page.images) for page in reader.pages)
    desktop = [png for png in (site / "2023-24-Q2" / "_images").glob("*.png") if not png.stem.endswith("-phone")]
    assert charts >= len(desktop)  # print shows the desktop layout of each chart
    # printed beside the book's pages, with their images and styles, and not published
    assert not (site / "2023-24-Q2" / jupyterbook.PRINT_PAGE).exists()


@pytest.mark.slow
@needs_chromium
def test_the_print_edition_opens_on_a_cover_and_a_contents_whose_pages_match_its_bookmarks(site):
    reader = PdfReader(site / "2023-24-Q2" / "2023-24-Q2.pdf")
    cover = " ".join(reader.pages[0].extract_text().split())
    for fact in ("Essex Police", "Police and Crime Plan 2021-2024", "Quarterly update 2023/24 Q2: July to September 2023",
                 "Data to September 2023", "Version 1.0", "Published by Performance Analysis Unit (demonstration)",
                 "Marking OFFICIAL", "Includes modelled demonstration data"):
        assert fact in cover, fact
    bookmarks = [(str(item.title), reader.get_destination_page_number(item) + 1)
                 for item in reader.outline if not isinstance(item, list)]
    titles = [title for title, _ in bookmarks]  # as the headings read: Chromium's own lose spaces, repeat some
    assert titles[0] == "About this edition" and titles[-2:] == ["Methods and caveats", "Sources"]
    assert len(bookmarks) == 18 and "Priority 12: Increasing collaboration" in titles and "Where in the force area" in titles
    every_level = [title for title, _ in printing.outline((site / "2023-24-Q2" / "2023-24-Q2.pdf").read_bytes())]
    assert "Things you need to know about this release" in every_level
    assert not [title for title in every_level if title[:len(title) // 2] * 2 == title]
    contents = "".join(reader.pages[1].extract_text().split())
    for title, page in bookmarks:  # each chapter starts a page, the page its contents line gives
        start = "".join(title.split())[:20]
        assert int(re.search(re.escape(start) + r"\D*(\d+)", contents)[1]) == page, title
        assert start in "".join(reader.pages[page - 1].extract_text().split()), title


@pytest.mark.slow
@needs_chromium
def test_the_print_edition_is_a_tagged_pdf_in_english_that_links_nothing_on_the_build_machine(site):
    reader = PdfReader(site / "2023-24-Q2" / "2023-24-Q2.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    targets = [str(annotation.get_object().get("/A", {}).get("/URI", "")) for page in reader.pages
               for annotation in page.get("/Annots") or []]
    assert not [target for target in targets if target and not target.startswith(("http://", "https://"))]


@pytest.mark.slow
@needs_chromium
def test_the_intro_and_the_landing_page_link_the_print_edition(site):
    intro = (site / "2023-24-Q2" / "chapters" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../2023-24-Q2.pdf"' in intro and "Print edition" in intro
    assert json.loads((site / "2023-24-Q2" / "edition.json").read_text())["print_edition"] == "2023-24-Q2.pdf"
    assert '<a href="2023-24-Q2/2023-24-Q2.pdf">print edition (PDF)</a>' in (site / "index.html").read_text()


@pytest.mark.slow
def test_without_chromium_the_edition_is_built_and_says_why_there_is_no_pdf(tmp_path, monkeypatch, capsys):
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PCPBOOK_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert commands.main(["build", "--quarter", "2022-23-Q1", "--workers", "2"]) == 0
    assert "no print edition (PDF): Chromium not found" in capsys.readouterr().err
    built = project / "_build" / "site" / "2022-23-Q1"
    assert not list(built.glob("*.pdf"))
    assert "Print edition" not in (built / "chapters" / "intro.html").read_text(encoding="utf-8")


@needs_chromium
def test_printing_fetches_nothing_from_the_network(tmp_path):
    """Jupyter Book's pages link MathJax on a CDN; the printer must not reach out for it."""
    fetched = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fetched.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = tmp_path / "page.html"
        page.write_text(f'<p>Printed here</p><script src="http://localhost:{server.server_port}/mathjax.js">'
                        "</script>", encoding="utf-8")
        printing.print_to_pdf(page, tmp_path / "page.pdf", printing.find_chromium())
    finally:
        server.shutdown()
    assert "Printed here" in PdfReader(tmp_path / "page.pdf").pages[0].extract_text()
    assert fetched == []


@pytest.mark.slow
@needs_chromium
def test_a_page_that_never_finishes_loading_fails_the_print_within_its_timeout(tmp_path):
    os.mkfifo(tmp_path / "never.css")  # a local file no one ever writes: the page never finishes loading
    page = tmp_path / "stuck.html"
    page.write_text('<link rel="stylesheet" href="never.css"><p>Never printed</p>', encoding="utf-8")
    started = time.monotonic()
    with printing.Printer(printing.find_chromium(), timeout=3) as printer:
        with pytest.raises(printing.PrintError, match=r"did not finish printing .*stuck.html within 3 s"):
            printer.print(page, tmp_path / "stuck.pdf")
        fine = tmp_path / "fine.html"  # the same browser goes on printing the next book
        fine.write_text("<p>Printed after</p>", encoding="utf-8")
        printer.print(fine, tmp_path / "fine.pdf")
    assert time.monotonic() - started < 60
    assert not (tmp_path / "stuck.pdf").exists()
    assert "Printed after" in PdfReader(tmp_path / "fine.pdf").pages[0].extract_text()


@needs_chromium
def test_a_print_runs_no_script(tmp_path):
    """The print edition is the page as built: no script of the theme or of a page runs in it."""
    page = tmp_path / "page.html"
    page.write_text("<p id='text'>As built</p><script>document.getElementById('text').textContent = 'Changed'</script>"
                    "<script>while (true) {}</script>", encoding="utf-8")
    printing.print_to_pdf(page, tmp_path / "page.pdf", printing.find_chromium(), timeout=30)
    text = PdfReader(tmp_path / "page.pdf").pages[0].extract_text()
    assert "As built" in text and "Changed" not in text


def test_a_program_that_is_not_chromium_is_named_in_the_error(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>Hello</p>", encoding="utf-8")
    with pytest.raises(printing.PrintError, match=r"Chromium \(/bin/false\) did not start"):
        printing.print_to_pdf(page, tmp_path / "page.pdf", "/bin/false")
