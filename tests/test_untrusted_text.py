"""Every text from data, settings, notes and returns reaches the page through one escaping gate:
payloads planted in every text field of every contract, and in the build's --note, are shown as
typed; none runs, none becomes markup, and no file is included."""

import re

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import copy_project
from pcpbook.build import edition

pytestmark = pytest.mark.slow

PAYLOAD = ('<script>alert("pcp")</script> <img src=x onerror=alert(2)> {raw}`html <b>r</b>` `tick` $x$ *em* '
           "[link](javascript:alert(3)) &amp; | pipe")
RAW_MARKUP = re.compile(r"<script>alert|<img src=x|<b>r</b>|href=\"javascript:")


def _plant(project, secret):
    data = project / "data"
    for path in (data / "plans").glob("*.yaml"):
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        plan["title"] += " " + PAYLOAD
        for priority in plan["priorities"]:
            priority["title"] += " " + PAYLOAD
            priority["objective"] += " " + PAYLOAD
            for item in priority["commitments"]:
                item["text"] += " " + PAYLOAD
                item["who"] = item["who"] + [PAYLOAD]
                if "target" in item:  # the 2021-2024 plan's officer uplift, shown in p01
                    item["target"]["source"] += " " + PAYLOAD
        path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    measures = yaml.safe_load((data / "measures.yaml").read_text(encoding="utf-8"))
    for measure in measures:
        for key in ("label", "noun", "noun_one", "verb", "unit", "unit_one", "source", "definition", "test_note"):
            if key in measure:
                measure[key] += " " + PAYLOAD
        for item in measure.get("discontinuities") or []:
            item["note"] += " " + PAYLOAD
    (data / "measures.yaml").write_text(yaml.safe_dump(measures, sort_keys=False), encoding="utf-8")
    sources = yaml.safe_load((data / "sources.yaml").read_text(encoding="utf-8"))
    sources = {key: f"{value} {PAYLOAD} {{include}}`{secret}`" for key, value in sources.items()}
    (data / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    for name, columns in (("published_figures.csv", ("reference", "note")), ("finance.csv", ("reference", "note"))):
        frame = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        for column in columns:
            frame[column] = frame[column] + " " + PAYLOAD
        frame.to_csv(data / name, index=False)
    frame = pd.read_csv(data / "observations.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["measure"] == "total_recorded_crime", "source"] = PAYLOAD
    frame.to_csv(data / "observations.csv", index=False)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "secret.txt"
    secret.write_text("TOPSECRET-5e1f", encoding="utf-8")
    project = copy_project(root / "project")
    _plant(project, secret)
    note = f"Corrected.\n\n```{{include}} {secret}\n```\n\n{{include}}`../../../../secret.txt` {PAYLOAD}"
    edition.build(project, quarter="2023-24-Q4", workers=2, note=note)
    edition.build_closure(project, "2021-2024", workers=2)
    return project / "_build" / "site"


def test_no_payload_becomes_markup_anywhere(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        assert not RAW_MARKUP.search(page.read_text(encoding="utf-8")), page


def test_no_file_is_included(hostile_site):
    for path in hostile_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".js", ".txt", ".ipynb"):
            assert "TOPSECRET" not in path.read_text(encoding="utf-8", errors="replace"), path


def _text(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def test_payloads_are_shown_as_typed(hostile_site):
    chapter = _text(hostile_site / "2023-24-Q4" / "chapters" / "2021-2024" / "p01.html")
    assert chapter.count(PAYLOAD) >= 5  # title, objective, labels, definitions, commitments ...
    build = _text(hostile_site / "2023-24-Q4" / "chapters" / "build.html")
    assert "{include}`../../../../secret.txt`" in build and PAYLOAD in build
    review = _text(hostile_site / "closure-2021-2024" / "chapters" / "closure" / "2021-2024" / "summary.html")
    assert PAYLOAD in review
    methods = _text(hostile_site / "2023-24-Q4" / "chapters" / "methods.html")
    assert PAYLOAD in methods  # the discontinuity notes


def test_the_landing_page_and_switcher_escape_titles(hostile_site):
    landing = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert not RAW_MARKUP.search(landing) and "&lt;script&gt;" in landing
