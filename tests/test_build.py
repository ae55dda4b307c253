"""End to end: chapters executed by papermill, editions built by Jupyter Book, and failures
that leave the published site exactly as it was."""

import html
import json
import re

import nbformat
import papermill
import pytest

from conftest import DATA, copy_project, fork_page
from pcpbook.build import edition
from pcpbook.cli import commands
from pcpbook.contracts.problems import DataError
from pcpbook.core.periods import Quarter

pytestmark = pytest.mark.slow


def _text(path):
    """Visible text of an HTML page, tags removed and entities decoded."""
    return _text_of(path.read_text(encoding="utf-8"))


def _text_of(raw):
    raw = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", raw, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw)).replace("\u2019", "'")  # MyST's smart quotes
    return re.sub(r"\s+", " ", text)


def test_a_forked_chapter_runs_on_its_own_defaults_and_the_project_data_as_in_jupyter(tmp_path):
    project = copy_project(tmp_path / "project")
    chapter = fork_page(project, "2016-2021", priority=7)
    output = tmp_path / "p07.ipynb"
    papermill.execute_notebook(str(chapter), str(output), cwd=str(chapter.parent), progress_bar=False)
    notebook = nbformat.read(output, as_version=4)
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for c in notebook.cells
                     if c.cell_type == "code" for o in c.outputs)
    # defaults: the last quarter of the 2016-2021 plan
    assert "quarterly update for 2020/21 Q4" in text
    assert re.search(r"138 people were killed or seriously injured on Essex roads this quarter, 22\.5\\?% fewer than in "
                     r"the same quarter last year \(178\)", text)
    assert not [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stderr"]
    assert (chapter.parent / "figures" / "2016-2021-p07-ksi_casualties.png").stat().st_size > 10_000


def test_first_quarter_2020_21_states_the_seed_figures(site):
    chapters = site / "2020-21-Q1" / "chapters" / "2016-2021"
    contact = _text(chapters / "p01.html")
    assert ("74,630 emergency calls (999) were taken this quarter, 13.4% fewer than in the same quarter last year "
            "(86,134)") in contact
    assert "The same quarter last year 74,630 86,134 -11,504 (-13.4%) " in contact  # How we know, with its interval
    assert "76,803 non-emergency calls (101) were taken this quarter, 13.6% more than last quarter (67,590)." in contact
    assert "Last quarter 76,803 67,590 +9,213 (+13.6%)" in contact
    assert ("There were 511 Special Constables in post at the end of June 2020, 0.4% fewer than at the end of June "
            "2019 (513)") in contact
    # the seed said +16.3% and +29%; the counts give these
    assert ("1,014 hours of Employer Supported Policing were given by Special Constables this quarter, 17.8% more "
            "than in the same quarter last year (861).") in contact
    assert "34.1% more than last quarter (440)." in contact
    roads = _text(chapters / "p07.html")
    assert ("142 people were killed or seriously injured on Essex roads this quarter, 34.9% fewer than in the same "
            "quarter last year (218)") in roads
    assert "12 people were killed on Essex roads this quarter, 1 more than in the same quarter last year (11)" in roads
    assert ("876 people were arrested for drug driving this quarter, 80.6% more than in the same quarter last year "
            "(485)") in roads


def test_fourth_quarter_2020_21_states_the_seed_figures(site):
    contact = _text(site / "2020-21-Q4" / "chapters" / "2016-2021" / "p01.html")
    assert "66,497 emergency calls (999) were taken this quarter, 10.0% fewer than last quarter (73,887)." in contact
    assert "19.2% fewer than in the same quarter last year (82,344)" in contact
    assert "The same quarter last year 66,497 82,344 -15,847 (-19.2%) " in contact
    assert "68,796 non-emergency calls (101) were taken this quarter, 2.8% fewer than last quarter (70,753)." in contact


@pytest.mark.parametrize("quarter, plan, chapters", [("2023-24-Q2", "2021-2024", 12), ("2020-21-Q4", "2016-2021", 7)])
def test_each_edition_has_a_chapter_per_priority_with_a_chart_and_a_sentence(site, quarter, plan, chapters):
    pages = sorted((site / quarter / "chapters" / plan).glob("p*.html"))
    assert len(pages) == chapters
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        images = re.findall(r'<img [^>]*alt="Line chart of [^"]+"[^>]*src="([^"]+)"|<img [^>]*src="([^"]+)"[^>]*alt="Line chart of', raw)
        assert images, page
        for match in images:
            src = next(s for s in match if s)
            assert (page.parent / src).resolve().stat().st_size > 10_000
        # a change, or (anti-social behaviour in 2020/21, counted differently) the two figures not compared
        assert re.search(r"this quarter, [\d.,]+%? (more|fewer) than|at the end of \w+ \d{4}, |this quarter, against "
                         r"[\d,]+ in the same quarter last year\. The two are not comparable", _text(page)), page
        assert "We will" in _text(page) and "data_dir" not in _text(page)


def test_the_intro_records_the_edition(site):
    intro = _text(site / "2023-24-Q2" / "chapters" / "intro.html")
    assert ("Essex Police: Police and Crime Plan 2021-2024, quarterly update for 2023/24 Q2 (July to September 2023), "
            "with data to September 2023. Version 1.0, produced") in intro
    for words in ("Main points", "Headline figures", "Things you need to know about this release", "modelled"):
        assert words in intro, words
    assert intro.index("Main points") < intro.index("Headline figures") < intro.index("Things you need to know")
    assert "fingerprint" not in intro and "pcpbook 0." not in intro  # the machinery is on the build page
    record = json.loads((site / "2023-24-Q2" / "edition.json").read_text())
    assert record["plan"] == "2021-2024" and record["data_to"] == "September 2023"
    assert len(record["inputs"]["data"]) == 64 and record["packages"]["jupyter-book"].startswith("1.")
    assert record["version"] == "1.0" and record["history"][0]["change"] == "First publication."
    landing = _text(site / "index.html")
    assert landing.index("2023/24 Q2") < landing.index("2020/21 Q4") < landing.index("2020/21 Q1")


def test_an_edition_index_redirects_to_its_intro_and_names_the_book_icon(site):
    """Jupyter Book's redirect page had no icon, so browsers asked the server for /favicon.ico."""
    index = (site / "2023-24-Q2" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=chapters/intro.html">' in index
    assert '<link rel="icon" href="_static/favicon.svg">' in index
    assert (site / "2023-24-Q2" / "_static" / "favicon.svg").is_file()


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def published(tmp_path):
    """A project whose site already holds an edition of 2020-21-Q1 (a stand-in page)."""
    project = copy_project(tmp_path)
    page = project / "_build" / "site" / "2020-21-Q1" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>the edition readers have now</p>")
    return project


def test_a_chapter_that_raises_fails_the_build_and_leaves_the_site_unchanged(published):
    chapter = fork_page(published, "2016-2021", priority=2)
    notebook = nbformat.read(chapter, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell('raise RuntimeError("figures do not add up")\nprint("never")'))
    nbformat.write(notebook, chapter)
    before = _snapshot(published / "_build" / "site")
    with pytest.raises(edition.BuildError) as caught:
        edition.build(published, quarter="2020-21-Q1", workers=2)
    message = str(caught.value)
    # the third cell as Jupyter shows it (papermill's injected cell is not counted), by its first line
    assert 'chapters/forks/2016-2021/p02.ipynb, cell 3 (raise RuntimeError("figures do not add up")):' in message
    assert "RuntimeError: figures do not add up" in message
    assert _snapshot(published / "_build" / "site") == before
    kept = published / "_build" / "failed" / "2020-21-Q1" / "chapters" / "2016-2021" / "p02.ipynb"
    assert nbformat.read(kept, as_version=4).metadata.papermill.exception is True


def test_bad_data_stops_the_build_before_anything_runs(published):
    with (published / "data" / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("fraud,Essex,2024-01-01,month,-5,test,modelled\n")
    before = _snapshot(published / "_build" / "site")
    with pytest.raises(DataError, match=r"observations.csv, line \d+, field 'value'"):
        edition.build(published, quarter="2020-21-Q1")
    assert _snapshot(published / "_build" / "site") == before
    assert not (published / "_build" / "staging").exists()


def test_cli_refuses_an_unknown_quarter(capsys):
    assert commands.main(["build", "--quarter", "2020 Q1"]) == 2
    assert "unknown quarter '2020 Q1'" in capsys.readouterr().err


def test_cli_validates_the_data(capsys):
    assert commands.main(["validate", "--data", str(DATA)]) == 0
    assert "valid" in capsys.readouterr().out


def test_decompositions_trend_tests_and_a_test_behind_every_comparison(site):
    chapters = site / "2023-24-Q2" / "chapters" / "2021-2024"
    for page in ("p01.html", "p03.html"):
        text = _text(chapters / page)
        assert "Seasonal patterns" in text and "The underlying trend stood at" in text
        assert "With the usual seasonal pattern removed" in text
        assert re.search(r'alt="Four stacked charts decomposing monthly', (chapters / page).read_text())
    roads = _text(chapters / "p09.html")
    assert "Mann-Kendall test finds" in roads and "seasonal Mann-Kendall test finds" in roads
    assert re.search(r"quasi-Poisson regression on \d+ months, allowing for season and for the share of each "
                     r"month's days under COVID-19 lockdown \(dispersion \d+\.\d\)", roads)
    assert re.search(r"\(95% interval [+-]\d+\.\d% to [+-]\d+\.\d%; p", roads)  # in How we know
    assert "leaving out every month touched by a lockdown" in roads
    for page in sorted(chapters.glob("p*.html")):
        raw = page.read_text(encoding="utf-8")
        bullets = [_text_fragment(b).strip() for b in re.findall(r"<li>(.*?)</li>", raw, flags=re.S)]
        comparisons = [b for b in bullets if re.search(r" (more|fewer|higher|lower) than (in |last |at )", b)]
        assert comparisons, page
        for bullet in comparisons:  # every change says what its test found, or that none applies
            assert re.search(r": (more than (usual|sampling) variation would explain"
                             r"|not clearly beyond (usual|sampling) variation"
                             r"|too few to tell apart from chance|possibly more than (usual|sampling) variation, but "
                             r"not clearly once this edition's other comparisons are allowed for)\.$|usual change "
                             r"between these seasons|\)\.$", bullet), bullet
        assert "How we know" in _text(page) and re.search(r"(significant|too few to tell) \(p|not tested", raw), page


def _text_fragment(fragment):
    return _text_of(fragment)


def test_every_edition_has_a_methods_page_with_references(site):
    for quarter in ("2020-21-Q1", "2023-24-Q2"):
        methods = _text(site / quarter / "chapters" / "methods.html")
        for words in ("quasi-Poisson", "false discovery rate", "Making Data Count", "STL", "Mann-Kendall",
                      "Spiegelhalter", "Assumptions and caveats log", "References", "COVID-19 first national lockdown",
                      "The usual variation of each measure"):
            assert words in methods, (quarter, words)


def test_commentary_is_shown_inert(site):
    page = site / "2020-21-Q1" / "chapters" / "2016-2021" / "p02.html"
    raw, text = page.read_text(encoding="utf-8"), _text(page)
    for visible in ("Before <script>alert(1)</script> after.", "{eval-rst}", ".. raw:: html", "<b>rst</b>",
                    '<div class="injected" onclick="steal()">raw html block</div>', "{raw}`html <i>role</i>`"):
        assert visible in text, visible
    assert "<script>alert(1)" not in raw and 'class="injected"' not in raw and "<i>role</i>" not in raw
    other = (site / "2020-21-Q1" / "chapters" / "2016-2021" / "p03.html").read_text(encoding="utf-8")
    assert raw.count("<script") == other.count("<script")


def test_every_chapter_carries_the_commitments_table_and_the_intro_the_rollup(site):
    chapters = sorted((site / "2023-24-Q2" / "chapters" / "2021-2024").glob("p*.html"))
    assert len(chapters) == 12
    for page in chapters:
        raw = page.read_text(encoding="utf-8")
        assert '<table class="pcp-commitments pcp-stacked">' in raw and '<th scope="col">Commentary</th>' in raw
        assert re.search(r"Status of the \d+ commitments:", _text(page))
        assert "pcp-status-" in raw
    intro = _text(site / "2023-24-Q2" / "chapters" / "intro.html")
    assert re.search(r"60 commitments: \d+ complete, \d+ on track, \d+ at risk, \d+ no update received\.", intro)
    assert "Progress on commitments" in intro and "demonstration text (modelled)" in intro
    assert (site / "2023-24-Q2" / "_static" / "pcpbook.css").exists()
    from pcpbook import contracts
    from pcpbook.contracts import commentary
    dataset = contracts.load(site.parent.parent / "data")
    returns = commentary.load(dataset.root / "commentary", dataset.plans["2021-2024"], Quarter.parse("2023-24-Q2"))
    assert returns.missing
    for missing in returns.missing:
        page = site / "2023-24-Q2" / "chapters" / "2021-2024" / f"p{int(missing.split('.')[0]):02d}.html"
        row = re.search(rf'<th scope="row"[^>]*>{re.escape(missing)}</th>(.*?)</tr>', page.read_text(encoding="utf-8"),
                        re.S)
        assert row and "No update received." in row.group(1), missing


def test_bad_commentary_stops_the_build_before_anything_runs(published):
    path = published / "data" / "commentary" / "2020-21-Q1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Status: on track", "Status: sort of", 1), encoding="utf-8")
    before = _snapshot(published / "_build" / "site")
    with pytest.raises(Exception, match=r"2020-21-Q1.md, line \d+, field 'Status'"):
        edition.build(published, quarter="2020-21-Q1")
    assert _snapshot(published / "_build" / "site") == before


def test_the_sphinx_processes_preload_what_a_build_would_import():
    """The forkserver ignores a preload module that fails to import (builds would just be slower)."""
    import importlib
    import sys

    from pcpbook.build import sphinxrun
    importlib.import_module(sphinxrun.PRELOAD)
    assert {"myst_nb.sphinx_ext", "sqlalchemy", "sphinx.builders.latex", "sphinx_book_theme"} <= set(sys.modules)


def test_the_landing_page_names_whose_book_it_is_and_gives_each_edition_its_main_point(site):
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Essex Police: Police and Crime Plan performance</h1>" in landing
    assert "Published by Performance Analysis Unit (demonstration)." in landing
    records = {quarter: json.loads((site / quarter / "edition.json").read_text())
               for quarter in ("2020-21-Q1", "2020-21-Q4", "2023-24-Q2")}
    for quarter, record in records.items():
        assert record["force"] == "Essex Police" and record["main_point"].endswith(".")
        assert "\\" not in record["main_point"] and "](" not in record["main_point"]  # plain words, no Markdown
        assert f'<span class="main-point">{html.escape(record["main_point"], quote=True)}</span>' in landing
    assert re.search(r"produced \d{1,2} [A-Z][a-z]+ 20\d\d", landing)  # dates as people write them
    assert '<a href="feed.xml">Releases feed (Atom)</a>' in landing and (site / "accessibility.html").exists()
    assert "Performance Analysis Unit (demonstration)" in (site / "accessibility.html").read_text(encoding="utf-8")


def test_the_feed_has_an_entry_for_every_release_newest_first(site):
    from xml.etree import ElementTree
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    links = {entry.find(f"{atom}link").get("href") for entry in entries}
    assert {"/2020-21-Q1/index.html", "/2020-21-Q4/index.html", "/2023-24-Q2/index.html",
            "/closure-2016-2021/index.html"} <= links
    assert len({entry.find(f"{atom}id").text for entry in entries}) == len(entries)
    updated = [entry.find(f"{atom}updated").text for entry in entries]
    assert updated == sorted(updated, reverse=True)
    edition = next(e for e in entries if e.find(f"{atom}link").get("href") == "/2020-21-Q4/index.html")
    assert edition.find(f"{atom}summary").text == json.loads((site / "2020-21-Q4" / "edition.json").read_text())[
        "main_point"]


def test_an_edition_has_a_page_for_where_in_the_force_area_naming_every_district(site):
    page = _text(site / "2023-24-Q2" / "chapters" / "districts.html")
    assert page.startswith(" Where in the force area") or "Where in the force area" in page[:2000]
    for name in ("Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester", "Epping Forest",
                 "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford", "Southend-on-Sea", "Thurrock"):
        assert f" {name} " in page, name
    assert "July to September 2023" in page and "modelled data" in page
    raw = (site / "2023-24-Q2" / "chapters" / "districts.html").read_text(encoding="utf-8")
    assert raw.count("districts-funnel.png") >= 5 and "districts-monthly" in raw
