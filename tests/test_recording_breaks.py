"""A change in what a series counts: figures either side of it are not comparable (no change,
percentage or test); a period counted differently spoils a comparison that has part of it, or
all of it on one side only."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pcpbook.analysis.comparisons import (SAME_QUARTER_LAST_YEAR, history_before, quarter_comparisons,
                                          recording_change_between)
from pcpbook.contracts.model import Discontinuity, Measure
from pcpbook.core.periods import Quarter
from pcpbook.stats.models import usual_variation

D = dt.date
COUNTING_RULE = Discontinuity(D(2023, 5, 1), "counting-rule change", recording=True, source="HOCR May 2023")
BREACHES = Discontinuity(D(2020, 3, 23), "breaches logged", end=D(2021, 3, 31), recording=True, source="ONS")
LOCKDOWN = Discontinuity(D(2020, 3, 23), "lockdown", end=D(2020, 6, 14))


def measure(*discontinuities) -> Measure:
    return Measure("m", "M", "count", "neutral", "crimes", "crime", "crimes", "crime", "recorded", "s", "d",
                   discontinuities=discontinuities)


def quarter(text: str) -> tuple[dt.date, dt.date]:
    q = Quarter.parse(text)
    return q.start, q.end


def test_a_counting_change_between_or_within_the_periods_makes_them_not_comparable():
    m = measure(COUNTING_RULE)
    assert "1 May 2023" in recording_change_between(m, quarter("2023-24-Q2"), quarter("2022-23-Q2"))
    assert recording_change_between(m, quarter("2023-24-Q1"), quarter("2022-23-Q1"))  # April-June 2023 holds it
    assert recording_change_between(m, quarter("2024-25-Q2"), quarter("2023-24-Q2")) == ""  # both after it
    assert recording_change_between(m, quarter("2022-23-Q2"), quarter("2021-22-Q2")) == ""  # both before it


def test_a_period_counted_differently_spoils_a_comparison_with_part_of_it_or_one_side_in_it():
    m = measure(BREACHES)
    assert recording_change_between(m, quarter("2020-21-Q4"), quarter("2019-20-Q4"))  # in it against partly in it
    assert recording_change_between(m, quarter("2020-21-Q2"), quarter("2019-20-Q2"))  # in it against before it
    assert recording_change_between(m, quarter("2020-21-Q3"), quarter("2020-21-Q2")) == ""  # both inside
    assert recording_change_between(m, (D(2021, 4, 1), D(2022, 3, 31)), (D(2015, 4, 1), D(2016, 3, 31))) == ""


def test_a_lockdown_is_context_not_a_recording_change():
    m = measure(LOCKDOWN)
    assert recording_change_between(m, quarter("2020-21-Q1"), quarter("2019-20-Q1")) == ""
    assert m.periods == (LOCKDOWN,) and measure(BREACHES).periods == ()  # only lockdowns enter the models


def test_anti_social_behaviour_in_2020_21_q4_is_not_compared_with_a_quarter_before_the_breaches(dataset):
    comparisons = quarter_comparisons(dataset, "anti_social_behaviour", Quarter.parse("2020-21-Q4"))
    same_quarter = next(c for c in comparisons if c.kind == SAME_QUARTER_LAST_YEAR)
    assert not same_quarter.comparable and "COVID-19 rule breaches" in same_quarter.break_between
    assert not same_quarter.test.tested and same_quarter.test.q_value is None


def test_lockdown_months_and_months_counted_differently_are_not_taken_for_usual_variation(dataset):
    # audit: anti-social behaviour's dispersion went from 9.4 to 62.9 once 2020/21 entered its history
    asb = dataset.measures["anti_social_behaviour"]
    kept = history_before(dataset, asb, dt.date(2022, 4, 1), set_aside=False)
    aside = history_before(dataset, asb, dt.date(2022, 4, 1))
    assert aside.set_aside == 13 and aside.months == 60 and aside.span.endswith(
        "to March 2022, less 13 of lockdown or counted differently")
    assert aside.dispersion < kept.dispersion / 3
    assert not aside.frame["period_start"].between("2020-03-01", "2021-03-31").any()


def test_a_lasting_counting_change_is_a_step_in_the_model_so_months_either_side_still_give_the_usual_variation():
    # 48 Poisson months, 30% more counted from May 2023: without a step the shift passes for variation
    rng = np.random.default_rng(4)
    months = pd.date_range("2020-04-01", periods=48, freq="MS")
    level = np.where(months >= "2023-05-01", 650.0, 500.0) * (1 + 0.1 * np.cos(2 * np.pi * np.arange(48) / 12))
    values = pd.Series(rng.poisson(level).astype(float), index=months)
    stepped = usual_variation(values, (), steps=measure(COUNTING_RULE).level_shifts)
    flat = usual_variation(values, ())
    assert measure(COUNTING_RULE, BREACHES, LOCKDOWN).level_shifts == (D(2023, 5, 1),)
    assert stepped.dispersion < 1.6 and flat.dispersion > 2 * stepped.dispersion
    assert np.exp(stepped.fit.params["step0"]) == pytest.approx(1.3, abs=0.05)


@pytest.mark.parametrize("catalogue", ["bundled", "public"])
def test_residential_burglary_is_not_compared_across_the_april_2017_reclassification(dataset, catalogue):
    # found on a Kent book from the Home Office tables: 8,434 residential burglaries against 4,521
    # domestic burglaries the year before was called 86.6% more
    from pcpbook.contracts.catalogue import read_measures
    from pcpbook.core.resources import REFERENCE
    problems = []
    measure = (dataset.measures if catalogue == "bundled" else
               read_measures(REFERENCE / "public-measures.yaml", problems))["residential_burglary"]
    assert not problems
    assert recording_change_between(measure, (dt.date(2017, 4, 1), dt.date(2018, 3, 31)),
                                    (dt.date(2016, 4, 1), dt.date(2017, 3, 31))).startswith(
        "what the series counts changed on 1 April 2017 (Classification change: domestic burglary became residential")
    comparisons = quarter_comparisons(dataset, "residential_burglary", Quarter.parse("2017-18-Q4"))
    assert all(c.break_between for c in comparisons)
