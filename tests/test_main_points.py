"""An edition opens as a release: at most six main points, ranked by what matters most, each a
plain sentence with its figure and a link to where the book shows it; the breaks in the series
the quarter's comparisons cross, once each."""

import re

import pytest

from pcpbook.analysis.comparisons import BASELINE_YEAR, SAME_QUARTER_LAST_YEAR, edition_comparisons
from pcpbook.core.periods import Quarter, fy_label
from pcpbook.core.render import Raw, escape_markdown
from pcpbook.present import main_points, phrasing, release
from pcpbook.present.commitments import load_returns
from pcpbook.present.review import Review
from pcpbook.stats.targets import MISSED, OFF_COURSE

POINT_LINK = re.compile(r"\(\[(Priority \d+|headline figures|progress on commitments)\]\(([^)]+)\)\)\.$")


def points_for(dataset, quarter_id):
    quarter = Quarter.parse(quarter_id)
    plan = dataset.check_quarter(quarter)
    return plan, quarter, main_points.main_points(dataset, plan, quarter, load_returns(dataset, plan, quarter))


@pytest.mark.parametrize("quarter_id", ["2020-21-Q1", "2020-21-Q4", "2023-24-Q2", "2023-24-Q4"])
def test_at_most_six_points_each_one_sentence_ending_in_a_link_to_its_section(dataset, quarter_id):
    plan, _, said = points_for(dataset, quarter_id)
    assert 1 < len(said) <= main_points.MOST_POINTS
    for point in said:
        link = POINT_LINK.search(point)
        assert link, point
        if link[1].startswith("Priority"):
            number = int(link[1].split()[1])
            assert link[2] == f"{plan.id}/p{number:02d}.ipynb"
        assert point.count(". ") == 0 and "((" not in point and "))" not in point[:-2]


def test_changes_lead_strongest_evidence_first_one_per_priority_and_only_when_significant(dataset):
    plan, quarter, said = points_for(dataset, "2020-21-Q4")
    changes = main_points.significant_changes(dataset, plan, quarter)
    assert len(changes) >= 3
    strengths = [change.strength for change in changes]
    assert strengths == sorted(strengths)
    assert len({change.priority.number for change in changes}) == len(changes)
    assert all(change.comparison.test.significant for change in changes)
    significant = {measure_id for measure_id, each in edition_comparisons(dataset, plan.measure_ids, quarter).items()
                   for comparison in each if comparison.kind == SAME_QUARTER_LAST_YEAR and comparison.test.significant}
    assert {change.measure.id for change in changes} <= significant
    for change, point in zip(changes[:main_points.MOST_CHANGES], said):
        comparison = change.comparison
        moved = "rose" if comparison.difference > 0 else "fell"
        assert point.startswith(f"{change.measure.label} {moved} by {abs(comparison.percent):.1f}\\% on the same "
                                f"quarter last year, to {comparison.current.amount:,.0f} from "
                                f"{comparison.baseline.amount:,.0f}"), point


@pytest.mark.parametrize("quarter_id, lockdown", [("2020-21-Q4", True), ("2020-21-Q1", True), ("2023-24-Q4", False)])
def test_a_change_in_a_lockdown_quarter_says_so_in_its_main_point(dataset, quarter_id, lockdown):
    # audit: lockdown falls were called significant with no word of lockdown
    changes = [point for point in points_for(dataset, quarter_id)[2] if "variation would explain" in point]
    assert changes
    for point in changes:
        assert ("in a period with COVID-19 lockdowns on " in point) == lockdown, point


def test_targets_missed_or_off_course_follow_the_changes_and_the_commitments_close(dataset):
    plan, quarter, said = points_for(dataset, "2020-21-Q4")
    at_risk = main_points.targets_at_risk(dataset, plan, quarter)
    assert at_risk and all(a.judgement.verdict in (MISSED, OFF_COURSE) for a in at_risk)
    assert said[main_points.MOST_CHANGES].startswith(f"The target for {at_risk[0].measure.label} was missed: "
                                                     f"{at_risk[0].judgement.value:,.0f} against "
                                                     f"{at_risk[0].judgement.target:,.0f}")
    counts = load_returns(dataset, plan, quarter).counts()
    assert said[-1].startswith(f"Of the plan's {sum(counts.values())} commitments, {counts['complete']} are complete "
                               f"and {counts['on track']} on track; {counts['at risk']} at risk")


def test_a_quarter_without_a_significant_change_says_so_with_the_number_compared(dataset):
    plan, quarter, said = points_for(dataset, "2023-24-Q4")
    assert main_points.significant_changes(dataset, plan, quarter) == []
    tested = main_points.tested_on_last_year(dataset, plan, quarter)
    assert tested > 10
    assert said[0].startswith(f"None of the {tested} measures compared with the same quarter last year changed by "
                              "more than its usual variation")


@pytest.mark.parametrize("count, opening", [
    (0, "No measure could yet be tested against the same quarter last year: each measure says why"),
    (1, "The one measure tested against the same quarter last year did not change by more than"),
])
def test_none_or_one_measure_tested_is_said_in_words_that_fit(count, opening):
    # found on a first Kent book from the Home Office tables: "None of the 0 measures compared ..."
    assert phrasing.say("main-points", "no_change", count=count, link="#x").startswith(opening)


def test_a_break_the_comparisons_cross_is_listed_once_with_what_it_touches(dataset):
    plan = dataset.plans["2016-2021"]
    crossed = release.series_breaks(dataset, plan.measure_ids, Quarter.parse("2020-21-Q4"))
    lockdowns = [key for key in crossed if "lockdown" in key[2]]
    assert len(lockdowns) == 3 and len(set(lockdowns)) == 3
    assert all(len(crossed[key]) > release.MOST_NAMED for key in lockdowns)
    before = release.series_breaks(dataset, plan.measure_ids, Quarter.parse("2017-18-Q1"))
    assert not [key for key in before if "lockdown" in key[2]]  # years before the pandemic cross none


def test_a_sentence_pattern_escapes_the_values_it_prints_but_not_its_own_words_or_the_code_s_markup():
    said = phrasing.say("main-points", "target", label="Knife *crime* [x](y)", verdict=MISSED, now="5", aim="3",
                        by="31 March 2021", period="Priority 2", link=Raw("2016-2021/p02.ipynb"))
    assert said == ("The target for Knife \\*crime\\* \\[x\\](y) was missed: 5 against 3 by 31 March 2021 "
                    "([Priority 2](2016-2021/p02.ipynb)).")


def test_a_closure_review_opens_with_its_strongest_changes_targets_at_risk_and_what_became_of_the_commitments(dataset):
    plan = dataset.plans["2016-2021"]
    review = Review(dataset, plan, produced=None)
    comparisons = {m: review.comparison(m) for m in review.measure_ids()}
    outcomes = review.count_outcomes(list(review.outcomes))
    said = main_points.review_main_points(dataset, plan, comparisons, outcomes)
    assert 1 < len(said) <= main_points.MOST_POINTS
    changes = main_points.strongest_per_priority(dataset, plan, {m: [c] for m, c in comparisons.items()},
                                                 BASELINE_YEAR)
    assert changes and all(change.comparison.test.significant for change in changes)
    for change, point in zip(changes[:main_points.MOST_CHANGES], said):
        years = f"from {fy_label(change.comparison.baseline.start.year)} to 2021/22"
        assert point.startswith(escape_markdown(change.measure.label)) and years in point
        assert point.endswith(f"([Priority {change.priority.number}](p{change.priority.number:02d}.ipynb)).")
    last = said[-1]
    assert f"{outcomes['complete']} of the plan's {sum(outcomes.values())} commitments were complete" in last
    assert last.endswith("([committed and delivered](#what-was-committed-and-what-was-delivered)).")
