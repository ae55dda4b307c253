"""The change test calibrated on simulated (modelled) months as alike as the editions' own
(lag-1 autocorrelation up to 0.5): at most about 6% of unchanged periods flagged and intervals
holding the truth about 95% of the time, at dispersion 1, 5 and 40. ``scripts/calibration.py``
prints the full table with more replicates; these runs are seeded and smaller, so each bound
allows two standard errors of simulation noise."""

import math

import numpy as np
import pandas as pd
import pytest

from pcpbook.core.periods import add_months
from pcpbook.present.methods import CALIBRATION, calibration_table
from pcpbook.stats.calibration import FIRST_MONTH, Scenario, run, scenarios, series, table_row
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
    assert len(rows) == len(scenarios()) and "Simulated (modelled) monthly series, 1,000 for each row" in shown
    published = pd.read_csv(CALIBRATION).iloc[0]
    assert rows[0] == (f"| 12 months | 1 | 0 | {published['false_alarms']:.1%} | {published['coverage']:.1%} | "
                       f"{published['power']:.1%} |").replace("%", "\\%")
