"""What changed since the last edition: a page in every edition after a plan's first, computed
from the two editions' data and returns."""

import json
import re

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, change_observation, copy_project, page_items, page_text
from pcpbook import contracts
from pcpbook.analysis.comparisons import edition_comparisons
from pcpbook.build import edition
from pcpbook.build.buildspec import changed_contents, edition_contents
from pcpbook.contracts import commentary
from pcpbook.core.periods import Quarter
from pcpbook.present import changes

Q3, Q4 = Quarter.parse("2020-21-Q3"), Quarter.parse("2020-21-Q4")


def _statuses(dataset, quarter):
    plan = dataset.plans["2016-2021"]
    return {cid: entry.status for cid, entry in commentary.load(DATA / "commentary", plan, quarter).entries.items()}


def test_the_2020_21_q4_page_names_every_commitment_whose_status_changed_and_no_other(dataset, tmp_path):
    before, now = _statuses(dataset, Q3), _statuses(dataset, Q4)
    changed = {cid for cid in now if now[cid] != before[cid]}
    assert changed  # the bundled returns do change
    text = page_text("changes", {"quarter": Q4.id, "data_dir": str(DATA)}, tmp_path)
    listed = set(re.findall(r"^\| (\d+\.\d+) [A-Z]", text, re.M))
    assert listed == changed
    assert f"{len(changed)} commitments changed status" in text
    counted = re.search(r"commitments changed status \(([^)]*)\)", text)[1]
    assert sum(int(n) for n in re.findall(r"(\d+) [a-z]", counted)) == len(changed), counted  # the parts add up
    row = next(line for line in text.splitlines() if line.startswith("| 1.16 "))
    assert row.endswith(f"| {before['1.16']} | {now['1.16']} |")


def test_the_page_names_the_measures_whose_significance_verdict_changed(dataset, tmp_path):
    plan = dataset.plans["2016-2021"]
    now, before = (edition_comparisons(dataset, plan.measure_ids, q) for q in (Q4, Q3))
    flipped = {dataset.measures[m].label for m in plan.measure_ids for c, e in zip(now[m], before[m])
               if c.kind == e.kind and c.complete and e.complete and c.test.significant != e.test.significant}
    assert "Total recorded crime" in flipped  # down this quarter: significant at Q4, not at Q3
    text = page_text("changes", {"quarter": Q4.id, "data_dir": str(DATA)}, tmp_path)
    section = text.split("comparisons changed direction or verdict")[1].split("12-month totals overlap")[0]
    for label in flipped:
        assert f"| {label.replace('%', chr(92) + '%')} |" in section  # as the Markdown table escapes it
    assert "| Total recorded crime | quarter against the same quarter a year before | down, not significant | " \
           "down, significant |" in section


def test_a_planted_status_change_is_listed(data_copy, tmp_path):
    returns = data_copy / "commentary" / "2020-21-Q4.md"
    text = returns.read_text(encoding="utf-8")
    dataset = contracts.load(data_copy)
    before, now = _statuses(dataset, Q3), _statuses(dataset, Q4)
    steady = next(cid for cid in now if now[cid] == before[cid] == "on track")
    heading = next(line for line in text.splitlines() if line.startswith(f"## {steady} "))
    start = text.index(heading)
    text = text[:start] + text[start:].replace("Status: on track", "Status: complete", 1)
    returns.write_text(text, encoding="utf-8")
    shown = changes.status_changes(changes.Editions(contracts.load(data_copy), dataset.plans["2016-2021"], Q4)).data
    row = next(line for line in shown.splitlines() if line.startswith(f"| {steady} "))
    assert row.endswith("| on track | complete |")


def test_the_page_lists_the_published_figures_new_in_this_edition(dataset):
    shown = changes.new_published_figures(changes.Editions(dataset, dataset.plans["2016-2021"], Q4)).data
    assert "| Emergency (999) calls | quarter | 1 Jan 2021 | 66,497 |" in shown  # seed-003
    assert "| 86,134 |" not in shown  # a figure the last edition already had (2019/20 Q1)


def test_a_plans_first_edition_has_nothing_to_compare_with(dataset):
    plan = dataset.plans["2021-2024"]
    editions = changes.Editions(dataset, plan, plan.first_quarter)
    assert editions.previous is None
    assert "is the first edition of the Police and Crime Plan 2021-2024" in changes.introduction(editions).data


def test_a_new_version_says_which_measures_and_returns_changed(data_copy, tmp_path):
    dataset = contracts.load(data_copy)
    plan = dataset.plans["2016-2021"]
    (tmp_path / Q4.id).mkdir()
    record = {"edition": Q4.id, "plan_title": plan.title, "version": "1.0", "produced": "2021-05-01",
              "inputs": {"data": "0" * 64}, "inputs_sha256": "0" * 64, "contents": edition_contents(dataset, plan, Q4)}
    (tmp_path / Q4.id / "edition.json").write_text(json.dumps(record))
    assert changed_contents(tmp_path, Q4.id, edition_contents(dataset, plan, Q4), dataset) == \
        "No value or return changed."
    returns = data_copy / "commentary" / f"{Q4.id}.md"
    returns.write_text(returns.read_text(encoding="utf-8").replace("Status: at risk", "Status: on track", 1),
                       encoding="utf-8")
    change_observation(data_copy, "burglary", "2020-05-01", lambda value: value + 10)
    changed = contracts.load(data_copy)
    said = changed_contents(tmp_path, Q4.id, edition_contents(changed, plan, Q4), changed)
    assert said == "Values changed for 1 measure: Burglary (all); returns changed for 1 commitment: 1.1."


@pytest.mark.slow
def test_a_value_revised_after_the_last_edition_was_published_is_listed(tmp_path):
    project = copy_project(tmp_path / "project")
    quarters = ["2021-22-Q1", "2021-22-Q2"]  # the first of the 2021-2024 plan has no What changed page
    edition.build_many(project, quarters, workers=2)
    site = project / "_build" / "site"
    page = site / "2021-22-Q2" / "chapters" / "changes.html"
    first = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
    assert "2021/22 Q1 had not been published before this edition was made" in first
    change_observation(project / "data", "dog_theft", "2021-05-01", lambda value: value + 5)
    results = edition.build_many(project, quarters, workers=2)
    assert [r.version for r in results] == ["1.1", "1.1"]
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
    assert ("Since 2021/22 Q1, version 1.0 was published, values it showed have been revised for 1 measure: "
            "Dog theft.") in text
    assert not (site / "2021-22-Q1" / "chapters" / "changes.html").exists()


def test_the_page_compares_with_the_last_published_edition_and_says_which(dataset, tmp_path):
    text = page_text("changes", {"quarter": Q4.id, "data_dir": str(DATA), "compared_with": "2020-21-Q2"}, tmp_path)
    assert ("This edition (2020/21 Q4, data to March 2021) against the last edition published (2020/21 Q2, data to "
            "September 2020)") in text.replace("\\", "")
    alone = page_text("changes", {"quarter": Q4.id, "data_dir": str(DATA)}, tmp_path / "alone")
    assert "against the quarter before, whose edition is not published on this site (2020/21 Q3" in alone


def test_the_build_compares_with_the_plans_last_edition_on_the_site_or_in_the_same_build(tmp_path, dataset):
    from pcpbook.build.buildspec import last_published
    plan, site = dataset.plans["2016-2021"], tmp_path / "site"
    assert last_published(site, plan, Q4) is None
    (site / "2020-21-Q2").mkdir(parents=True)
    record = {"edition": "2020-21-Q2", "label": "2020/21 Q2", "plan_title": plan.title, "version": "1.0",
              "produced": "2020-11-01", "inputs": {"data": "ab" * 32}, "inputs_sha256": "cd" * 32}
    (site / "2020-21-Q2" / "edition.json").write_text(json.dumps(record))
    assert last_published(site, plan, Q4) == Quarter.parse("2020-21-Q2")
    assert last_published(site, plan, Q4, frozenset({"2020-21-Q3", Q4.id})) == Q3
    assert last_published(site, plan, plan.first_quarter) is None


def test_a_first_edition_shows_no_empty_output_that_would_print_as_a_python_name(tmp_path):
    # an empty Markdown or HTML object is shown by its Python name: "<IPython.core.display.Markdown object>"
    # appeared on the What changed page of a new force's first book
    changes = page_items("changes", {"quarter": "2016-17-Q1", "data_dir": str(DATA)}, tmp_path)
    intro = page_items("intro", {"quarter": "2016-17-Q1", "data_dir": str(DATA), "version": "1.0", "produced": None,
                                 "print_edition": ""}, tmp_path)
    assert None in changes and None in intro  # the sections with nothing to say, and no print edition
    assert all(item is None or item.data.strip() for item in changes + intro)
