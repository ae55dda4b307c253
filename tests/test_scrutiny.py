"""The Crime Prevention Strategy's scrutiny paper for 2021-22 Q2, built from data: the seed's
rolling 12-month figures, the delivery-plan table of 325 actions, the action at risk with its
mitigation, and the cover table (seed-001)."""

import re
import subprocess
import sys

import pytest

from conftest import DATA, copy_project, page_text
from pcpbook.build import printing

STRATEGY = "crime-prevention-2018-2021"
PARAMETERS = {"strategy": STRATEGY, "quarter": "2021-22-Q2", "data_dir": str(DATA), "version": "1.0", "produced": None}


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    return page_text("scrutiny", PARAMETERS, tmp_path_factory.mktemp("paper"))


def _row(text, label):
    return next(line for line in text.splitlines() if line.startswith(f"| {label} |"))


@pytest.mark.parametrize("label, before, now", [
    ("Domestic abuse-related offences", "30,038", "29,391"), ("Hate crime", "3,291", "4,177"),
    ("Night-time economy crime", "2,999", "1,863"), ("Cyber and online offences", "4,754", "6,220"),
    ("Fraud offences recorded by Essex Police", "1,847", "1,514"), ("Residential burglary", "6,379", "4,658"),
    ("Personal robbery", "1,269", "1,191")])
def test_the_paper_restates_the_seeds_rolling_12_month_figures(paper, dataset, label, before, now):
    label = next(m.label for m in dataset.measures.values() if m.label.startswith(label))
    row = _row(paper, label)
    assert f"| {before} | {now} |" in row and "published" in row


def test_each_insight_table_names_its_months_and_the_burglary_strand_ends_in_july(paper):
    assert "| Measure | 12 months ending Sep 20 | 12 months ending Sep 21 | Diff. |" in paper
    assert "| Measure | 12 months ending Jul 20 | 12 months ending Jul 21 | Diff. |" in paper
    robbery = _row(paper, "Personal robbery")
    assert "| -78 | -6.1\\% |" in robbery  # the seed: -78, -6.1%
    assert "| -647 | -2.2\\% |" in _row(paper, "Domestic abuse-related offences")  # the seed: -647, -2.2%
    assert "| +886 | +26.9\\% |" in _row(paper, "Hate crime")  # the seed: 886, +26.9%
    assert len(re.findall(r":alt: Bar chart of .*\n:class: pcp-wide", paper)) == 7 and "In the 12 months to July 2021" in paper


def test_the_delivery_plan_table_adds_up_to_325_actions(paper):
    assert "| Domestic Abuse | 37 | 13 | 24 | 0 |" in paper
    assert "| Digital Crime and Fraud | 43 | 27 | 15 | 1 |" in paper
    assert "| All strands | 325 | 150 | 174 | 1 |" in paper


def test_the_action_at_risk_is_named_with_its_mitigation_in_the_summary_and_risks(paper):
    assert "1 action is at risk: Digital Crime and Fraud (DF-43)" in paper
    assert "- Mitigation: The gap is part of the intelligence review" in paper
    assert "Serious Crime Prevention Orders" in paper


def test_the_cover_table_and_the_numbered_sections(paper):
    for label, value in (("Classification of paper", "Official"), ("Agenda number", "6.0"),
                         ("Chief officer", "Assistant Chief Constable"), ("Date paper was written", "17 November 2021"),
                         ("Date of approval", "07 December 2021"), ("Date of meeting", "30 December 2021")):
        assert f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' in paper
    assert "Demonstration paper (modelled)" in paper
    assert "Breaking the cycle of domestic abuse" in paper  # implications: the plan priorities a strand serves
    assert "- Hate Crime: Superintendent" in paper  # consultation: the strand leads


@pytest.mark.slow
def test_the_scrutiny_command_publishes_a_versioned_paper_with_its_print_edition(tmp_path):
    project = copy_project(tmp_path / "project")
    returns = project / "data" / "strategy-returns" / STRATEGY / "2021-22-Q2.md"
    returns.write_text(returns.read_text(encoding="utf-8").replace(
        "- Refreshed training", "- <script>alert(1)</script> {include}`/etc/passwd` Refreshed training"),
        encoding="utf-8")
    command = [sys.executable, "-m", "pcpbook", "scrutiny", "--strategy", STRATEGY, "--quarter", "2021-22-Q2"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    folder = project / "_build" / "site" / f"scrutiny-{STRATEGY}-2021-22-Q2"
    page = (folder / "chapters" / "scrutiny" / STRATEGY / "paper.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "root:x:0" not in page
    assert "v1.0: built" in result.stdout and (folder / "paper.json").exists()
    if printing.find_chromium():
        assert (folder / f"scrutiny-{STRATEGY}-2021-22-Q2.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Scrutiny papers" in (project / "_build" / "site" / "index.html").read_text(encoding="utf-8")
    again = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert "v1.0: up to date" in again.stdout
    returns.write_text(returns.read_text(encoding="utf-8").replace("DA-14: ongoing", "DA-14: complete"),
                       encoding="utf-8")
    republished = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert "v1.1: built" in republished.stdout

    def domestic_abuse_row(html):
        cell = r"<td[^>]*><p>"  # each cell carries its column's name for a phone's stacked rows
        return re.search(rf"{cell}Domestic Abuse</p></td>\s*((?:{cell}\d+</p></td>\s*){{4}})", html).group(1)
    assert re.findall(r"\d+", domestic_abuse_row(page)) == ["37", "13", "24", "0"]
    now = (folder / "chapters" / "scrutiny" / STRATEGY / "paper.html").read_text(encoding="utf-8")
    assert re.findall(r"\d+", domestic_abuse_row(now)) == ["37", "14", "23", "0"]


def test_bad_returns_stop_the_paper_before_anything_is_built(tmp_path):
    project = copy_project(tmp_path / "project")
    returns = project / "data" / "strategy-returns" / STRATEGY / "2021-22-Q2.md"
    returns.write_text(returns.read_text(encoding="utf-8").replace("DF-43: at risk", "DF-43: stalled"),
                       encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pcpbook", "scrutiny", "--strategy", STRATEGY, "--quarter",
                             "2021-22-Q2"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 2 and "field 'DF-43': got status 'stalled'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "_build" / "site" / f"scrutiny-{STRATEGY}-2021-22-Q2").exists()
