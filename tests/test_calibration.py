"""The change test calibrated on simulated (modelled) months as alike as the editions' own
(lag-1 autocorrelation up to 0.5): at most about 6% of unchanged periods flagged and intervals
holding the truth about 95% of the time, at dispersion 1, 5 and 40. The control chart likewise:
at most 5% of stable quarters signalled and about 0.27% of months outside the limits, for large
and small counts, months alike up to 0.3. ``scripts/calibration.py`` prints the full tables with
more replicates; these runs are seeded and smaller, so each bound allows two standard errors of
simulation noise."""

import math

import numpy as np
import pandas as pd
import pytest

from pcpbook.core.periods import add_months
from pcpbook.present.methods import (CALIBRATION, CONTROL_CALIBRATION, TREND_CALIBRATION, calibration_table,
                                     control_calibration_table, trend_calibration_table)
from pcpbook.stats.calibration import (FIRST_MONTH, ControlScenario, Scenario, control_row, control_run,
                                       control_scenarios, run, scenarios, series, table_row, trend_row, trend_scenarios)
from pcpbook.stats.change_tests import correlated_variance
from pcpbook.stats.models import usual_variation

REPLICATES = 300
NOISE = 2 * math.sqrt(0.05 * 0.95 / REPLICATES)  # two standard errors of a 5% share


def test_for_independent_months_the_variance_is_the_familiar_one():
    assert correlated_variance(0.0, 12, 12, 1000, 800) == pytest.approx(1 / 1000 + 1 / 800)


def test_months_that_move_together_widen_a_period_and_tie_it_to_the_period_next_to_it():
    # periods of two months, one after the other, 0.5 between neighbouring months:
    # within a period (2 + 2 x 0.5) / 2 = 1.5; across, months 1 to 3 apart: (0.5 + 2 x 0.25 + 0.125) / 2 = 0.5625
    assert correlated_variance(0.5, 2, 2, 100, 100) == pytest.approx(2 * 1.5 / 100 - 2 * 0.5625 / 100)
    # a year apart, the tie is negligible and the widening is the whole effect
    assert correlated_variance(0.5, 3, 12, 100, 100) == pytest.approx((3 + 2 * (2 * 0.5 + 0.25)) / 3 * 2 / 100,
                                                                      rel=1e-3)


def test_the_history_recovers_how_alike_neighbouring_months_are():
    rng = np.random.default_rng(11)
    index = pd.to_datetime([add_months(FIRST_MONTH, k) for k in range(60)])
    found = {ar: np.mean([usual_variation(pd.Series(series(rng, 60, 5, ar), index=index), ()).autocorrelation
                          for _ in range(100)]) for ar in (0.0, 0.5)}
    assert found[0.0] < 0.1 and found[0.5] == pytest.approx(0.5, abs=0.08)


@pytest.mark.parametrize("comparison", ["12 months", "same quarter"])
@pytest.mark.parametrize("dispersion", [1, 5, 40])
def test_with_months_as_alike_as_ar_0_5_about_5_percent_of_unchanged_periods_are_flagged(comparison, dispersion):
    outcome = run(Scenario(comparison, dispersion, 0.5), REPLICATES, seed=dispersion)
    assert outcome.flagged <= 0.06 + NOISE  # 23% for 12 months before the allowance (audit, December 2026)
    assert outcome.covered >= 0.94 - NOISE


def test_a_planted_rise_is_still_found_when_it_is_large_against_the_usual_variation():
    assert run(Scenario("12 months", 5, 0.3, change=0.2), REPLICATES).flagged >= 0.6


@pytest.mark.slow
@pytest.mark.parametrize("row", [0, 13])  # 12 months at dispersion 1, AR 0; same quarter at dispersion 5, AR 0.3
def test_the_published_calibration_table_was_measured_on_the_code_as_it_stands(row):
    published = pd.read_csv(CALIBRATION).iloc[row]
    comparison, dispersion, ar = scenarios()[row]
    assert (published["comparison"], published["dispersion"], published["autocorrelation"]) == (comparison, dispersion, ar)
    measured = table_row(comparison, dispersion, ar, replicates=int(published["replicates"]))
    assert measured[3:] == published[["replicates", "false_alarms", "coverage", "power"]].tolist()


def test_the_methods_page_shows_the_measured_table_labelled_as_simulated():
    shown = calibration_table().data
    rows = [line for line in shown.splitlines() if line.startswith(("| 12 months", "| same quarter"))]
    assert len(rows) == len(scenarios()) and "Simulated (synthetic) monthly series, 1,000 for each row" in shown
    published = pd.read_csv(CALIBRATION).iloc[0]
    assert rows[0] == (f"| 12 months | 1 | 0 | {published['false_alarms']:.1%} | {published['coverage']:.1%} | "
                       f"{published['power']:.1%} |").replace("%", "\\%")


@pytest.mark.parametrize("scenario", [ControlScenario("large", 40, 0.3), ControlScenario("small", 5, 0.3)],
                         ids=["300 a month, dispersion 40", "8 a month, dispersion 5"])
def test_a_stable_quarter_of_alike_months_rarely_shows_a_control_chart_signal(scenario):
    # before: 16% of quarters at 300 a month and 50% at 8 a month (dispersion ignored), December 2026
    signalled, outside = control_run(scenario, 200, seed=7)
    assert signalled <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / 200)
    assert outside <= 0.0027 + 2 * math.sqrt(0.0027 / 600)


def test_a_quarter_20_percent_higher_is_usually_signalled_when_months_vary_as_chance_would():
    # 3.5 standard deviations a month at 300 a month; at dispersion 5 it is 1.5, and 30% are signalled
    signalled, _ = control_run(ControlScenario("large", 1, 0.0, change=0.2), 100, seed=8)
    assert signalled >= 0.6


@pytest.mark.slow
def test_the_published_control_chart_table_was_measured_on_the_code_as_it_stands():
    published = pd.read_csv(CONTROL_CALIBRATION).iloc[2]  # 300 a month, dispersion 5, AR 0.3
    size, dispersion, ar = control_scenarios()[2]
    assert (published["size"], published["dispersion"], published["autocorrelation"]) == (size, dispersion, ar)
    measured = control_row(size, dispersion, ar, replicates=int(published["replicates"]))
    assert measured[4:] == published[["replicates", "quarters_signalled", "months_outside", "power"]].tolist()


def test_the_methods_page_shows_the_control_chart_table_labelled_as_simulated():
    shown = control_calibration_table().data
    rows = [line for line in shown.splitlines() if line.startswith(("| 300 |", "| 8 |"))]
    assert len(rows) == len(control_scenarios()) and "Simulated (synthetic) monthly counts, 1,000 for each row" in shown
    published = pd.read_csv(CONTROL_CALIBRATION).iloc[0]
    assert rows[0] == (f"| 300 | 1 | 0 | {published['quarters_signalled']:.1%} | {published['months_outside']:.2%} | "
                       f"{published['power']:.1%} |").replace("%", "\\%")


def test_with_months_as_alike_as_ar_0_5_the_trend_regression_rarely_finds_a_bend_or_a_slope_that_is_not_there():
    # before: bends and slopes tested as if the months were independent unless Ljung-Box objected
    _, _, _, bends, covered, seasonal, _ = trend_row(5, 0.5, replicates=400, seed=5)
    noise = 2 * math.sqrt(0.05 * 0.95 / 400)
    assert bends <= 0.06 + noise and covered >= 0.94 - noise and seasonal <= 0.06 + noise


@pytest.mark.slow
def test_the_published_trend_table_was_measured_on_the_code_as_it_stands():
    published = pd.read_csv(TREND_CALIBRATION).iloc[5]  # dispersion 5, AR 0.5
    dispersion, ar = trend_scenarios()[5]
    assert (published["dispersion"], published["autocorrelation"]) == (dispersion, ar)
    measured = trend_row(dispersion, ar, replicates=int(published["replicates"]))
    assert measured[2:] == published[["replicates", "false_bends", "slope_coverage", "seasonal_mann_kendall",
                                      "annual_mann_kendall"]].tolist()


def test_the_methods_page_shows_the_trend_table_labelled_as_simulated():
    shown = trend_calibration_table().data
    rows = [line for line in shown.splitlines() if line.startswith(("| 2 |", "| 5 |"))]
    assert len(rows) == len(trend_scenarios()) and "Simulated (synthetic) monthly counts with no trend, 1,000" in shown
