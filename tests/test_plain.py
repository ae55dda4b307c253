"""Plain words first, statistics on demand: a chapter leads each comparison with one short sentence
(the figure, the change and the verdict in words the test supports) and folds the interval, the
test and the control chart under "How we know"."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from pcpbook.analysis.comparisons import LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, Comparison
from pcpbook.contracts.model import Value
from pcpbook.present import plain
from pcpbook.stats import ChangeTest, ControlChart, proportion_test

UNTESTED = ChangeTest(None, None, reason="the survey is not a count")


def _value(amount, status="published", start=dt.date(2019, 4, 1), months=3):
    return Value("m", start, months, amount, status if amount is not None else None, ())


def _test(now, then, p_value, q_value=None, family=40, lower=0.8, upper=0.93, **extra):
    return ChangeTest("quasi-Poisson", p_value, now / then, lower, upper, q_value=q_value or p_value, family=family,
                      small=min(now, then) < 50, **extra)


def _compare(now, then, test=UNTESTED, kind=SAME_QUARTER_LAST_YEAR, status="published"):
    return Comparison(kind, _value(now, status), _value(then, status), test)


@pytest.fixture
def calls(dataset):
    return dataset.measures["emergency_calls_999"]


def test_a_significant_change_leads_with_the_figure_the_change_and_a_verdict_in_plain_words(calls):
    said = plain.lead(calls, _compare(74630, 86134, _test(74630, 86134, 0.0004, q_value=0.004)))
    assert said == ("74,630 emergency calls (999) were taken this quarter, 13.4\\% fewer than in the same quarter "
                    "last year (86,134): more than usual variation would explain.")
    assert len(said.split()) <= 25 and "p =" not in said and "interval" not in said


@pytest.mark.parametrize("test, ending", [
    (_test(900, 1000, 0.30, lower=0.7, upper=1.1), ": not clearly beyond usual variation."),
    (_test(900, 1000, 0.03, q_value=0.2, lower=0.81, upper=0.99),
     ": possibly more than usual variation, but not clearly once this edition's other comparisons are allowed for."),
    (UNTESTED, "."),
])
def test_the_verdict_says_only_what_the_test_supports(calls, test, ending):
    said = plain.lead(calls, _compare(900, 1000, test))
    assert said.endswith(ending) and "significant" not in said


def test_small_numbers_get_no_percentage_and_no_claim(dataset):
    killed = dataset.measures["ksi_fatal"]
    said = plain.lead(killed, _compare(5, 10, _test(5, 10, 0.2, lower=0.2, upper=1.4)))
    assert said == ("5 people were killed on Essex roads this quarter, 5 fewer than in the same quarter last year "
                    "(10): too few to tell apart from chance.")


def test_last_quarter_is_judged_after_the_usual_seasonal_change(calls):
    test = _test(1100, 1000, 0.4, seasonal_ratio=1.08, lower=0.9, upper=1.2)
    said = plain.lead(calls, _compare(1100, 1000, test, kind=LAST_QUARTER))
    assert "10.0\\% more than last quarter (1,000). Allowing for the usual change between these seasons, " \
           "the difference is not clearly beyond usual variation." in said


def test_the_rolling_twelve_months_name_their_window(calls):
    current = Value("m", dt.date(2020, 4, 1), 12, 300000, "published", ())
    said = plain.lead(calls, Comparison(ROLLING_12_MONTHS, current, _value(320000, months=12), UNTESTED))
    assert said.startswith("300,000 emergency calls (999) were taken in the 12 months to March 2021, 6.2\\% fewer "
                           "than in the 12 months before (320,000)")


def test_a_survey_rate_changes_in_percentage_points_once(dataset):
    rate = next(m for m in dataset.measures.values() if m.behaviour.in_points)
    said = plain.lead(rate, _compare(78.6, 75.5))
    assert "3.1 percentage points higher than in the same quarter last year (75.5\\%)." in said  # untested: no verdict
    tested = plain.lead(rate, _compare(78.6, 75.5, ChangeTest("two proportions", 0.2, 3.1, -1.0, 7.0, scale="points",
                                                             q_value=0.3, family=40)))
    assert tested.endswith(": not clearly beyond sampling variation.")
    assert said.count("percentage points") == 1


def test_missing_figures_are_said_plainly(calls):
    assert plain.lead(calls, _compare(None, 1000)) == "There is no figure for this quarter yet."
    assert plain.lead(calls, _compare(1000, None)).endswith(
        "this quarter; there is no figure in the same quarter last year to compare with.")


def test_a_headcount_is_as_it_stood_at_each_month_s_end(dataset):
    specials = dataset.measures["special_constables"]
    current = Value("m", dt.date(2020, 6, 1), 1, 511, "published", ())
    said = plain.lead(specials, Comparison(SAME_QUARTER_LAST_YEAR, current,
                                           Value("m", dt.date(2019, 6, 1), 1, 513, "published", ()), UNTESTED))
    assert said == ("There were 511 Special Constables in post at the end of June 2020, 0.4\\% fewer than at the end of "
                    "June 2019 (513).")


def test_how_we_know_folds_the_numbers_behind_each_verdict(calls):
    comparisons = [_compare(74630, 86134, _test(74630, 86134, 0.0004), status="modelled"),
                   _compare(70000, 71000, UNTESTED, kind=LAST_QUARTER)]
    folded = plain.how_we_know(calls, comparisons, None)
    assert folded.startswith("````{dropdown} How we know\n:class-container: pcp-how\n")
    assert ("| The same quarter last year | 74,630 | 86,134 | -11,504 (-13.4\\%) | -20.0\\% to -7.0\\% | "
            "significant (p \\< 0.001) | modelled |") in folded
    assert "Against last quarter, no test applies: the survey is not a count." in folded
    assert plain.how_we_know(calls, [], None) == ""


def test_the_control_chart_says_its_limits_and_signals_briefly_and_months_beyond_it_lead_in_plain_words(calls):
    frame = pd.DataFrame({"period_start": [dt.date(2021, 1, 1), dt.date(2021, 2, 1), dt.date(2021, 3, 1)],
                          "baseline": [False] * 3, "expected": [14100.4, 12900.0, 13650.6],
                          "lower": [12900.0, 11800.0, 12467.0], "upper": [15300.0, 14000.0, 14834.0],
                          "rules": [["below the lower limit", "in a run of 9 or more months below the centre"],
                                    ["in a run of 9 or more months below the centre"],
                                    ["in a run of 9 or more months below the centre"]]})
    baseline = pd.DataFrame({"period_start": [dt.date(2018, 7, 1), dt.date(2020, 10, 1)], "baseline": [True] * 2,
                             "rules": [[], []]})
    chart = ControlChart(13692.0, 6.9, 0.31, 9, 0, pd.concat([baseline, frame]), "months under lockdown")
    assert plain.control_lead(chart) == "January 2021 was lower than the usual range for the time of year."
    note = plain.control_note(calls, chart)
    assert note == ("Control chart of calls: each month is judged against limits around its expectation for the "
                    "time of year. The expectation comes from the level of the 2 months from July 2018 to October "
                    "2020 without months under lockdown: 13,692 a month, once season and month length are allowed "
                    "for. The limits allow for the measure's usual variation (dispersion 6.9). Neighbouring months "
                    "are alike (correlation 0.31), so a run must be 9 months long to be a signal. For March 2021 the "
                    "expectation was 13,651 and the limits 12,467 to 14,834. January 2021: below the lower limit. "
                    "February and March 2021: in a run of 9 or more months below the centre. A signal judges single "
                    "months against the chart's baseline; the tests judge whole periods against earlier ones, so the "
                    "two can disagree. A signal is a prompt to look, not a finding.")
    assert "((" not in note and "))" not in note


def test_a_control_chart_of_months_varying_as_chance_would_says_so(calls):
    frame = pd.DataFrame({"period_start": [dt.date(2020, 10, 1), dt.date(2021, 3, 1)], "baseline": [True, False],
                          "expected": [6.2, 7.64], "lower": [0.0, 1.0], "upper": [15.0, 17.0], "rules": [[], []]})
    note = plain.control_note(calls, ControlChart(7.1, 1.0, 0.0, 7, 1, frame, ""))
    assert ("from the level of the 1 month from October 2020 to October 2020: 7.1 a month, once season and month "
            "length are allowed for. The limits allow for the measure's usual variation (no more than chance alone "
            "would give). For March 2021 the expectation was 7.6 and the limits 1 to 17. No month of the "
            "quarter shows a signal.") in note


def test_a_survey_test_states_its_design_effect_or_that_it_assumes_a_random_sample(calls):
    survey = dataclasses.replace(calls, kind="percent", test="proportion", sample_size=1750)
    current, baseline = _value(52.0, months=12), _value(48.0, start=dt.date(2020, 1, 1), months=12)
    without = plain.how_we_know(survey, [Comparison(ROLLING_12_MONTHS, current, baseline,
                                                    proportion_test(52.0, 48.0, 7000))], None)
    assert ("The survey tests treat the 1,750 people asked each quarter as a simple random sample: the measure "
            "catalogue gives no design effect, so if the sample is clustered or weighted the intervals are too "
            "narrow.") in " ".join(without.split())
    designed = plain.how_we_know(dataclasses.replace(survey, design_effect=1.4), [
        Comparison(ROLLING_12_MONTHS, current, baseline, proportion_test(52.0, 48.0, 7000, 1.4))], None)
    assert "allow for its design effect of 1.4: the 1,750 people asked each quarter tell as much as 1,250" in " ".join(
        designed.split())


def test_a_change_across_a_lockdown_says_how_much_of_each_period_it_covered(calls):
    # 2020/21 Q4: the third lockdown from 6 January to 28 March 2021; the first began on 23 March 2020
    current, baseline = _value(66497, start=dt.date(2021, 1, 1)), _value(82344, start=dt.date(2020, 1, 1))
    said = plain.lead(calls, Comparison(SAME_QUARTER_LAST_YEAR, current, baseline,
                                        _test(66497, 82344, 0.0004, q_value=0.004)))
    assert said.endswith("more than usual variation would explain. COVID-19 lockdowns covered 82 of these 90 days "
                         "and 9 of those 91: part of the change may be theirs.")
    assert "lockdown" not in plain.lead(calls, _compare(900, 1000, _test(900, 1000, 0.3, lower=0.7, upper=1.1)))



def test_a_change_in_a_fractional_headcount_keeps_its_decimal_in_how_we_know(dataset):
    # found on a Kent book: officers (FTE) +2.6 in the key figures were "+3" under How we know
    from pcpbook.stats.change_tests import untested
    measure = dataset.measures["officer_fte"]
    comparison = Comparison(SAME_QUARTER_LAST_YEAR, Value("officer_fte", dt.date(2018, 1, 1), 3, 3261.34, "published", ()),
                            Value("officer_fte", dt.date(2017, 1, 1), 3, 3258.72, "published", ()),
                            untested("a headcount is a complete count, not a sample"))
    assert "| +2.6 (+0.1\\%) |" in plain.how_we_know(measure, [comparison], None)
