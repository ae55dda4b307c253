"""The closure review: a whole plan looked back on. Baseline year against end year with the
test of each change, long-run trend tests, what became of each commitment from the history of
returns, and a financial overview from a small, checked finance table."""

import datetime as dt

import pytest

from conftest import DATA
from pcpbook import contracts
from pcpbook.analysis.comparisons import year_comparison
from pcpbook.contracts import commentary
from pcpbook.contracts.problems import DataError
from pcpbook.present.narrative import sentence
from pcpbook.present.review import ReviewError, open_review


@pytest.fixture(scope="module")
def first_plan():
    return open_review("2016-2021", str(DATA), produced="2026-11-21")


def test_the_2016_2021_review_states_the_closure_report_figures(first_plan):
    headlines = first_plan.headlines().data
    assert "Anti-social behaviour incidents: 52,732 in 2015/16 to 30,674 in 2021/22, down 42\\%" in headlines
    assert "Burglary (all): 13,032 in 2015/16 to 6,535 in 2021/22, down 50\\%" in headlines
    assert "Total recorded crime: 111,022 in 2015/16 to 165,518 in 2021/22, up 49\\%" in headlines
    assert "30,719 in 2015/16 to 42,802 in 2021/22" in headlines
    assert "68.7\\% in 2017/18 to 79\\% in 2021/22" in headlines
    assert "850 in 2015/16 to 846 in 2021/22, down 0.5%: not clearly beyond usual variation." in headlines.replace("\\", "")
    table = first_plan.all_measures().data
    assert ("| People killed or seriously injured on the roads (KSI) | 850 (2015/16) | 846 | -4 | -0.5\\% | "
            "-9.7\\% to +10.3\\% per day |") in table  # 2015/16 had a leap day


def test_ksi_in_the_review_carries_the_trend_tests(first_plan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    trends = first_plan.chapter(7).trends().data
    assert "Over the 7 financial years 2015/16 to 2021/22, the Mann-Kendall test finds" in trends
    assert ("quasi-Poisson regression on 84 months, allowing for season and for the share of each month's days "
            "under COVID-19 lockdown") in trends
    assert "ksi_casualties-trend.png" in trends and (tmp_path / "figures").is_dir()


def test_every_change_is_recomputed_and_tested(first_plan):
    comparison = first_plan.comparison("anti_social_behaviour")
    assert comparison.difference == 30674 - 52732
    assert comparison.percent == pytest.approx(100 * (30674 - 52732) / 52732)
    assert comparison.test.method == "quasi-Poisson" and comparison.test.significant
    # every tested comparison of the review, controlled together (stalking and harassment, and residential
    # burglary, are not comparable across the April 2018 counting change and the April 2017 reclassification;
    # the three solved rates are tested as shares of their offences)
    assert comparison.test.family == 21
    # the dispersion comes from the monthly series up to the end year
    # months of lockdown and of breaches logged as ASB (2020/21) are set aside
    assert comparison.test.history == "95 months, April 2013 to March 2022, less 13 of lockdown or counted differently"
    ksi = sentence(first_plan.dataset.measures["ksi_casualties"], first_plan.comparison("ksi_casualties"), "review")
    # 2015/16 had a leap day: per day, the change is tested on 365 days against 366
    assert ("The periods are 365 and 366 days long; per day, the change is down 0.2% (95% interval -9.7% to +10.3%), "
            "which the data cannot tell apart from usual variation (p = 0.969)") in ksi and "significant" not in ksi


def test_a_measure_that_began_later_is_compared_from_its_first_complete_year(dataset):
    confidence = year_comparison(dataset, "public_confidence", 2015, 2021)
    assert confidence.baseline.start == dt.date(2017, 4, 1)  # the survey began in April 2017
    assert (confidence.baseline.amount, confidence.current.amount) == (68.7, 79.0)
    assert year_comparison(dataset, "burglary", 2015, 2021).baseline.start == dt.date(2015, 4, 1)


def test_review_years_default_to_the_year_before_the_plan_and_its_last_year(dataset):
    second = dataset.plans["2021-2024"]
    assert (second.baseline_year, second.end_year) == (2020, 2023)
    first = dataset.plans["2016-2021"]
    assert (first.baseline_year, first.end_year) == (2015, 2021)  # set in the plan, as the closure report did


def test_a_review_beyond_the_data_or_of_an_unknown_plan_is_refused(data_copy):
    plan_file = data_copy / "plans" / "2021-2024.yaml"
    plan_file.write_text(plan_file.read_text().replace("last_quarter: 2023-24-Q4",
                                                       "last_quarter: 2023-24-Q4\nreview_end_year: 2024/25"))
    with pytest.raises(ReviewError, match="compares 2020/21 with 2024/25, but the data end in March 2024"):
        open_review("2021-2024", str(data_copy))
    with pytest.raises(ReviewError, match="no plan '2030-2034'"):
        open_review("2030-2034", str(data_copy))


def test_bad_review_years_name_the_file_and_field(data_copy):
    plan_file = data_copy / "plans" / "2021-2024.yaml"
    plan_file.write_text(plan_file.read_text().replace("last_quarter: 2023-24-Q4",
                                                       "last_quarter: 2023-24-Q4\nreview_baseline_year: 2022/24"))
    with pytest.raises(DataError) as error:
        contracts.load(data_copy)
    assert [(p.file.endswith("2021-2024.yaml"), p.field) for p in error.value.problems] == [
        (True, "review_baseline_year")]
    assert "unknown financial year '2022/24'" in str(error.value)


def test_final_status_is_the_last_update_received(data_copy, dataset):
    plan = dataset.plans["2021-2024"]
    last = data_copy / "commentary" / "2023-24-Q4.md"
    text = last.read_text()
    start = text.index("## 7.3 ")
    end = text.index("## 7.4 ")
    last.write_text(text[:start] + text[end:])  # no update for 7.3 in the final quarter
    before = commentary.load(data_copy / "commentary", plan, plan.last_quarter.previous()).entries["7.3"]
    outcome = commentary.outcomes(data_copy / "commentary", plan)["7.3"]
    assert outcome.quarter == plan.last_quarter.previous()
    assert (outcome.status, outcome.text) == (before.status, before.text)
    assert outcome.quarters == 12 and outcome.updates < 12


def test_a_commitment_never_updated_says_so(data_copy, dataset):
    plan = dataset.plans["2021-2024"]
    for path in (data_copy / "commentary").glob("202[1-4]-*.md"):
        text = path.read_text()
        if "## 11.2 " in text:
            start = text.index("## 11.2 ")
            following = text.find("\n#", start + 3)
            path.write_text(text[:start] + (text[following + 1:] if following != -1 else ""))
    outcome = commentary.outcomes(data_copy / "commentary", plan)["11.2"]
    assert (outcome.status, outcome.quarter, outcome.updates) == ("no update", None, 0)
    review = open_review("2021-2024", str(data_copy))
    assert "no update in any of 12 quarterly returns" in review.register().data


def test_delivery_counts_every_commitment_once(first_plan):
    counts = first_plan.count_outcomes(list(first_plan.outcomes))
    assert sum(counts.values()) == 115
    table = first_plan.delivery().data
    assert f"| All priorities | {counts['complete']} | {counts['on track']} | {counts['at risk']} |" in table


def test_the_register_lists_every_commitment_with_its_evidence_rendered_inert(first_plan):
    register = first_plan.register().data
    ids = [c.id for p in first_plan.plan.priorities for c in p.commitments]
    assert all(f'<th scope="row">{i}</th>' in register for i in ids)
    assert "<script" not in register
    assert "Demonstration returns (modelled)" in register


def test_the_finance_page_checks_the_surplus_and_cites_its_source(first_plan):
    page = first_plan.finance().data
    assert "£330.3m" in page and "£327.589m" in page and "£2.7m" in page and "4.98\\%" in page
    assert "leaves £2.711m, which agrees with the stated surplus of £2.7m" in page
    assert "Closure Report](#source-seed-004) para 3.8" in page  # the citation links to its entry on Sources


def test_a_surplus_that_does_not_add_up_is_refused(data_copy):
    path = data_copy / "finance.csv"
    path.write_text(path.read_text().replace("2021/22,surplus,2.7,", "2021/22,surplus,3.7,"))
    with pytest.raises(DataError) as error:
        contracts.load(data_copy)
    problem = error.value.problems[0]
    assert (problem.file.endswith("finance.csv"), problem.line, problem.field) == (True, 5, "value")
    assert "funding less net revenue expenditure is 2.711" in problem.message


@pytest.mark.parametrize("row, field", [
    ("2021/22,staff_morale,4,%,seed-004,para 3.4,", "item"),
    ("2021/22,savings,4,%,seed-004,para 3.4,", "unit"),
    ("2021-23,funding,4,£m,seed-004,para 3.4,", "year"),
    ("2022/23,funding,lots,£m,seed-004,para 3.4,", "value"),
    ("2022/23,funding,4,£m,seed-999,para 3.4,", "document"),
])
def test_bad_finance_rows_name_the_field(data_copy, row, field):
    path = data_copy / "finance.csv"
    path.write_text(path.read_text() + row + "\n")
    with pytest.raises(DataError) as error:
        contracts.load(data_copy)
    assert [(p.line, p.field) for p in error.value.problems] == [(10, field)]


def test_without_a_finance_table_the_page_says_what_is_missing(data_copy):
    (data_copy / "finance.csv").unlink()
    page = open_review("2021-2024", str(data_copy)).finance().data
    assert "No financial figures for 2020/21 to 2023/24 are in the data" in page


def test_stalking_and_harassment_across_the_2018_counting_change_is_shown_as_not_comparable(first_plan):
    comparison = first_plan.comparison("stalking_harassment")
    assert not comparison.comparable and not comparison.test.tested
    assert "1 April 2018" in comparison.break_between
    table = first_plan.all_measures().data
    row = next(line for line in table.splitlines() if line.startswith("| Stalking and harassment"))
    assert "| not comparable | not comparable | – | not tested |" in row and "198.5" not in table
    points = first_plan.main_points().data
    assert "Stalking and harassment" not in points
