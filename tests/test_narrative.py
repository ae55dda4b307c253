"""House-style sentences: direction, singular and plural, separators, one decimal, and honest
wording for zero and missing comparisons."""

import datetime as dt

import pytest

from pcpbook.data import Value
from pcpbook.narrative import number, sentence
from pcpbook.stats import LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, Comparison


def _value(amount, status="published", start=dt.date(2020, 4, 1), months=3):
    return Value("m", start, months, amount, status if amount is not None else None, ())


def _say(measure, now, then, kind=SAME_QUARTER_LAST_YEAR, status="published"):
    return sentence(measure, Comparison(kind, _value(now, status), _value(then, status)))


@pytest.fixture
def calls(dataset):
    return dataset.measures["emergency_calls_999"]


def test_the_seed_sentence_is_reproduced(calls):
    assert _say(calls, 74630, 86134) == (
        "74,630 emergency calls (999) were taken this quarter compared to 86,134 in the same "
        "quarter last year (a decrease of 11,504 calls, down 13.4%).")


def test_increase_says_up(calls):
    assert _say(calls, 76803, 67590, LAST_QUARTER).endswith(
        "compared to 67,590 last quarter (an increase of 9,213 calls, up 13.6%).")


def test_singular_forms(dataset):
    fatal = dataset.measures["ksi_fatal"]
    assert _say(fatal, 1, 2).startswith("1 person was killed on Essex roads this quarter compared to 2")
    assert "(a decrease of 1 fatality, down 50.0%)" in _say(fatal, 1, 2)
    assert "(an increase of 1 fatality, up 100.0%)" in _say(fatal, 2, 1)


def test_no_change(calls):
    assert _say(calls, 500, 500).endswith("(no change).")


def test_zero_baseline_gives_no_percentage(calls):
    assert _say(calls, 12, 0).endswith("(an increase of 12 calls; no percentage change from zero).")


def test_drop_to_zero(calls):
    assert _say(calls, 0, 5).startswith("0 emergency calls (999) were taken")
    assert "down 100.0%" in _say(calls, 0, 5)


def test_missing_baseline_and_missing_current(calls):
    assert _say(calls, 10, None).endswith("; there is no figure in the same quarter last year to compare with.")
    assert _say(calls, None, 10) == "There is no figure for emergency (999) calls for this period."


def test_modelled_data_are_labelled(calls):
    assert _say(calls, 10, 9, status="modelled").endswith("(Modelled data.)")
    assert "Modelled" not in _say(calls, 10, 9)


def test_rolling_twelve_months_names_the_window(dataset):
    measure = dataset.measures["residential_burglary"]
    comparison = Comparison(ROLLING_12_MONTHS, _value(4658, start=dt.date(2020, 8, 1), months=12),
                            _value(6379, start=dt.date(2019, 8, 1), months=12))
    assert sentence(measure, comparison) == (
        "In the 12 months to July 2021, 4,658 residential burglaries were recorded compared to 6,379 "
        "in the previous 12 months (a decrease of 1,721 burglaries, down 27.0%).")


def test_percentages_change_in_points(dataset):
    confidence = dataset.measures["public_confidence"]
    assert _say(confidence, 79.0, 76.5) == (
        "79% of residents rated Essex Police good or excellent this quarter compared to 76.5% in the "
        "same quarter last year (up 2.5 percentage points).")


def test_headcounts_speak_of_the_end_of_the_month(dataset):
    specials = dataset.measures["special_constables"]
    comparison = Comparison(SAME_QUARTER_LAST_YEAR, _value(511), _value(513, start=dt.date(2019, 4, 1)))
    assert sentence(specials, comparison) == (
        "There were 511 Special Constables in post at the end of June 2020 compared to 513 at the end "
        "of June 2019 (a decrease of 2 officers, down 0.4%).")


@pytest.mark.parametrize("amount, text", [(0, "0"), (999, "999"), (1000, "1,000"), (1234567, "1,234,567"),
                                          (74.25, "74.2"), (79.0, "79")])
def test_numbers_use_thousands_separators(amount, text):
    assert number(amount) == text
