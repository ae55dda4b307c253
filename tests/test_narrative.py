"""House-style sentences: direction, singular and plural, separators, one decimal, the 95%
interval of every percentage change, verdicts only the test supports, and honest wording for
small, zero and missing comparisons."""

import datetime as dt

import pytest

from pcpbook.analysis.comparisons import LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, Comparison
from pcpbook.contracts.model import Value
from pcpbook.present.narrative import sentence
from pcpbook.present.wording import number, plural
from pcpbook.stats import ChangeTest

UNTESTED = ChangeTest(None, None, reason="a reason given by the test")


def _value(amount, status="published", start=dt.date(2020, 4, 1), months=3):
    return Value("m", start, months, amount, status if amount is not None else None, ())


def _quasi(now, then, p_value, lower, upper, q_value=None, family=45, **extra):
    return ChangeTest("quasi-Poisson", p_value, now / then, lower, upper, q_value=q_value or p_value, family=family,
                      small=min(now, then) < 50, **extra)


def _say(measure, now, then, kind=SAME_QUARTER_LAST_YEAR, status="published", test=UNTESTED):
    return sentence(measure, Comparison(kind, _value(now, status), _value(then, status), test))


@pytest.fixture
def calls(dataset):
    return dataset.measures["emergency_calls_999"]


def test_the_seed_sentence_with_its_interval_and_verdict(calls):
    test = _quasi(74630, 86134, 0.0004, 0.80, 0.93, q_value=0.004)
    assert _say(calls, 74630, 86134, test=test) == (
        "74,630 emergency calls (999) were taken this quarter compared to 86,134 in the same "
        "quarter last year (a decrease of 11,504 calls, down 13.4%; 95% interval -20.0% to -7.0%). This change is "
        "statistically significant, allowing for the measure's usual variation and for the 45 comparisons in this "
        "edition (p < 0.001).")


def test_a_change_inside_usual_variation_says_so(calls):
    test = _quasi(76803, 67590, 0.41, 0.85, 1.52)
    assert _say(calls, 76803, 67590, test=test).endswith(
        "(an increase of 9,213 calls, up 13.6%; 95% interval -15.0% to +52.0%). The data cannot tell this change "
        "apart from usual variation (p = 0.410).")


def test_a_change_that_does_not_survive_the_edition_wide_control(calls):
    test = _quasi(1100, 1000, 0.02, 1.02, 1.19, q_value=0.2)
    assert _say(calls, 1100, 1000, test=test).endswith(
        "This change would count as significant on its own (p = 0.020), but not once the 45 comparisons in this "
        "edition are taken together.")


def test_small_numbers_get_no_percentage_and_no_claim(dataset):
    fatal = dataset.measures["ksi_fatal"]
    text = _say(fatal, 15, 10, test=_quasi(15, 10, 0.33, 0.66, 3.41))
    assert text == ("15 people were killed on Essex roads this quarter compared to 10 in the same quarter last year "
                    "(an increase of 5 fatalities). Numbers this small are too few to tell apart from usual "
                    "variation (p = 0.330).")
    assert "%" not in text


def test_singular_forms(dataset):
    fatal = dataset.measures["ksi_fatal"]
    assert _say(fatal, 1, 2).startswith("1 person was killed on Essex roads this quarter compared to 2")
    assert "(a decrease of 1 fatality)" in _say(fatal, 1, 2)


def test_last_quarter_is_compared_after_the_usual_seasonal_movement(calls):
    ratio = 75879 / 84385 / 0.95  # the observed ratio after the seasonal movement: down 5.3%
    test = ChangeTest("quasi-Poisson", 0.32, ratio, 0.848, 1.057, seasonal_ratio=0.95, q_value=0.6, family=45)
    text = _say(calls, 75879, 84385, LAST_QUARTER, test=test)
    assert "(a decrease of 8,506 calls, down 10.1%)." in text  # as recorded; the test follows
    assert text.endswith("The usual seasonal pattern alone accounts for a fall of 5.0%; allowing for it, the change "
                         "is down 5.3% (95% interval -15.2% to +5.7%), which the data cannot tell apart from usual "
                         "variation (p = 0.320).")


def test_untested_last_quarter_says_part_of_the_change_is_seasonal(dataset):
    hours = dataset.measures["special_constabulary_hours"]
    assert _say(hours, 6000, 5000, LAST_QUARTER).endswith(
        "No significance test applies: a reason given by the test. Part of any change from one quarter to the next "
        "is the usual seasonal pattern.")


def test_no_change(calls):
    assert "(no change)" in _say(calls, 500, 500)


def test_zero_baseline_gives_no_percentage(calls):
    assert "(an increase of 12 calls)" in _say(calls, 12, 0)


def test_missing_baseline_and_missing_current(calls):
    assert _say(calls, 10, None).endswith("; there is no figure in the same quarter last year to compare with.")
    assert _say(calls, None, 10) == "There is no figure for emergency (999) calls for this period."


def test_modelled_data_are_labelled(calls):
    assert _say(calls, 10, 9, status="modelled").endswith("(Modelled data.)")
    assert "Modelled" not in _say(calls, 10, 9)


def test_rolling_twelve_months_names_the_window(dataset):
    measure = dataset.measures["residential_burglary"]
    comparison = Comparison(ROLLING_12_MONTHS, _value(4658, start=dt.date(2020, 8, 1), months=12),
                            _value(6379, start=dt.date(2019, 8, 1), months=12), _quasi(4658, 6379, 0.0001, 0.68, 0.78))
    assert sentence(measure, comparison).startswith(
        "In the 12 months to July 2021, 4,658 residential burglaries were recorded compared to 6,379 "
        "in the previous 12 months (a decrease of 1,721 burglaries, down 27.0%; 95% interval -32.0% to -22.0%).")


def test_percentages_change_in_points_with_one_decimal(dataset):
    confidence = dataset.measures["public_confidence"]
    test = ChangeTest("two-proportion Wald test", 0.3, -1.0, -3.9, 1.9, scale="points", q_value=0.6, family=45)
    assert _say(confidence, 75.5, 76.5, test=test) == (
        "75.5% of residents rated Essex Police good or excellent this quarter compared to 76.5% in the "
        "same quarter last year (down 1.0 percentage points; 95% interval -3.9 to +1.9 points). The data cannot tell "
        "this change apart from sampling variation (p = 0.300).")


def test_headcounts_speak_of_the_end_of_the_month_in_their_own_unit(dataset):
    specials = dataset.measures["special_constables"]
    comparison = Comparison(SAME_QUARTER_LAST_YEAR, _value(511), _value(513, start=dt.date(2019, 4, 1)), UNTESTED)
    assert sentence(specials, comparison).startswith(
        "There were 511 Special Constables in post at the end of June 2020 compared to 513 at the end "
        "of June 2019 (a decrease of 2 officers, down 0.4%).")
    fte = dataset.measures["officer_fte"]
    comparison = Comparison(SAME_QUARTER_LAST_YEAR, _value(3600), _value(3595, start=dt.date(2019, 4, 1)), UNTESTED)
    assert "(an increase of 5 FTE, up 0.1%)" in sentence(fte, comparison)


def test_measure_units_come_from_the_catalogue(dataset):
    incidents = dataset.measures["domestic_abuse_incidents"]
    assert "(a decrease of 157 incidents and crimes" in _say(incidents, 9463, 9620)


@pytest.mark.parametrize("amount, text", [(0, "0"), (999, "999"), (1000, "1,000"), (1234567, "1,234,567"),
                                          (74.25, "74.2"), (79.0, "79")])
def test_numbers_use_thousands_separators(amount, text):
    assert number(amount) == text


def test_plurals_are_resolved():
    assert (plural(1, "measure"), plural(6, "measure"), plural(2, "month")) == ("1 measure", "6 measures", "2 months")


def test_table_verdicts_follow_the_edition_wide_control():
    from pcpbook.present.narrative import test_cell
    assert test_cell(_quasi(1300, 1000, 0.0001, 1.2, 1.4, q_value=0.001)) == "significant (p < 0.001)"
    assert test_cell(_quasi(1100, 1000, 0.043, 1.01, 1.2, q_value=0.3)) == (
        "significant alone, not with the 45 tests together (p = 0.043)")
    assert test_cell(_quasi(1010, 1000, 0.8, 0.9, 1.1)) == "not significant (p = 0.800)"
    assert test_cell(_quasi(15, 10, 0.33, 0.66, 3.41)) == "too few to tell (p = 0.330)"
    assert test_cell(UNTESTED) == "not tested"
