"""How often the project's own change test cries wolf, how often its interval holds the truth,
and how often it finds a real change: monthly counts simulated with a known dispersion and
serial correlation, put through the same functions an edition uses (``usual_variation`` on the
months before the periods compared, then ``count_change_test``). The same for the control chart
(``control_chart``): how often a stable quarter shows a signal and a month falls outside its limits.
And for the trend tests (``trend_tests``) on eight years of months with no trend: how often the
regression finds a bend or its interval misses no change, and how often Mann-Kendall finds a trend.

The simulated series: a level with a calendar-month pattern (plus or minus 15%), a dispersion
``phi`` (the variance of a month is ``phi`` times its mean) and AR(1) correlation ``ar`` between
neighbouring months: ``mean + sqrt(phi * mean) * z`` with ``z`` a unit-variance AR(1) series,
rounded. A planted ``change`` multiplies the current period's months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pcpbook.core.periods import Quarter, add_months
from pcpbook.stats.change_tests import count_change_test
from pcpbook.stats.control import control_chart
from pcpbook.stats.models import MAX_HISTORY_MONTHS, usual_variation
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL
from pcpbook.stats.trends import trend_tests

LEVEL = 300.0          # a month's mean count: large enough that no period is a small number
SEASON = 0.15          # the calendar-month pattern's amplitude
FIRST_MONTH = dt.date(2015, 4, 1)
COMPARISONS = {"12 months": (12, 12), "same quarter": (3, 12)}  # (months compared, months between their starts)
DISPERSIONS = (1, 5, 40)
AUTOCORRELATIONS = (0.0, 0.3, 0.5)
PLANTED = 0.2           # the rise whose detection is the power
REPLICATES = 1000       # a row of the published table
SEED = 2026
COLUMNS = ["comparison", "dispersion", "autocorrelation", "replicates", "false_alarms", "coverage", "power"]
CONTROL_LEVELS = {"large": (300.0, (1, 5, 40)), "small": (8.0, (1, 2, 5))}  # a month's mean count: its dispersions
CONTROL_AUTOCORRELATIONS = (0.0, 0.3)
CONTROL_MONTHS = 84     # April 2017 to March 2024: five years for the season, two for the baseline
CONTROL_QUARTER = Quarter.parse("2023-24-Q4")  # January to March, judged on a baseline to December
TREND_LEVEL = 80.0       # people killed or seriously injured a month in a county force
TREND_DISPERSIONS = (2, 5)
TREND_MONTHS = 96        # April 2016 to March 2024: eight financial years
TREND_COLUMNS = ["dispersion", "autocorrelation", "replicates", "false_bends", "slope_coverage",
                 "seasonal_mann_kendall", "annual_mann_kendall"]
CONTROL_COLUMNS = ["size", "level", "dispersion", "autocorrelation", "replicates", "quarters_signalled",
                   "months_outside", "power"]


@dataclass(frozen=True)
class Scenario:
    comparison: str       # a key of COMPARISONS
    dispersion: float
    ar: float
    change: float = 0.0   # 0.2: the current period is 20% higher than the model would give


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    replicates: int
    flagged: float        # the share whose 95% interval excludes no change
    covered: float        # the share whose interval holds the true ratio


def series(rng: np.random.Generator, months: int, dispersion: float, ar: float, level: float = LEVEL) -> np.ndarray:
    """One simulated monthly series with no change in its underlying level: each month's whole
    deviation from its mean is AR(1) with coefficient ``ar``."""
    mean = level * (1 + SEASON * np.cos(2 * np.pi * np.arange(months) / 12))
    return np.maximum(np.round(mean + np.sqrt(dispersion * mean) * _alike(rng, months, ar)), 0)


def _alike(rng: np.random.Generator, months: int, ar: float) -> np.ndarray:
    """A unit-variance AR(1) series with coefficient ``ar``."""
    shocks = rng.standard_normal(months)
    z = np.empty(months)
    z[0] = shocks[0]
    for t in range(1, months):
        z[t] = ar * z[t - 1] + np.sqrt(1 - ar ** 2) * shocks[t]
    return z


def run(scenario: Scenario, replicates: int, seed: int = 2026) -> Outcome:
    """``replicates`` comparisons of ``scenario``, each on a fresh series: the usual variation
    fitted to the five years before the earlier period, as an edition does."""
    months, lag = COMPARISONS[scenario.comparison]
    rng = np.random.default_rng(seed)
    index = pd.to_datetime([add_months(FIRST_MONTH, k) for k in range(MAX_HISTORY_MONTHS + lag + months)])
    flagged = covered = 0
    for _ in range(replicates):
        values = series(rng, len(index), scenario.dispersion, scenario.ar)
        baseline = values[MAX_HISTORY_MONTHS:MAX_HISTORY_MONTHS + months].sum()
        current = np.round(values[MAX_HISTORY_MONTHS + lag:MAX_HISTORY_MONTHS + lag + months]
                           * (1 + scenario.change)).sum()
        history = usual_variation(pd.Series(values[:MAX_HISTORY_MONTHS], index=index[:MAX_HISTORY_MONTHS]), ())
        test = count_change_test(current, baseline, history, months, lag)
        flagged += test.excludes_no_change
        covered += test.lower <= 1 + scenario.change <= test.upper
    return Outcome(scenario, replicates, flagged / replicates, covered / replicates)


def table_row(comparison: str, dispersion: float, ar: float, replicates: int = REPLICATES, seed: int = SEED) -> list:
    """One row of the calibration table: the null run and the planted rise, same seed."""
    null = run(Scenario(comparison, dispersion, ar), replicates, seed)
    planted = run(Scenario(comparison, dispersion, ar, PLANTED), replicates, seed)
    return [comparison, dispersion, ar, replicates, round(null.flagged, 4), round(null.covered, 4),
            round(planted.flagged, 4)]


def scenarios() -> list[tuple[str, float, float]]:
    return [(c, d, a) for c in COMPARISONS for d in DISPERSIONS for a in AUTOCORRELATIONS]


@dataclass(frozen=True)
class ControlScenario:
    size: str             # a key of CONTROL_LEVELS
    dispersion: float
    ar: float
    change: float = 0.0   # 0.2: the judged quarter's months are 20% higher


@dataclass(frozen=True)
class _Unbroken:
    """A measure with no recording breaks or lockdowns, as ``control_chart`` reads one."""

    discontinuities: tuple = ()
    periods: tuple = ()
    level_shifts: tuple = ()


def counts(rng: np.random.Generator, months: int, level: float, dispersion: float, ar: float) -> np.ndarray:
    """Monthly counts with the calendar-month pattern, a variance ``dispersion`` times the mean
    and months alike: Poisson counts around a log-normal level whose logarithm is AR(1) with
    coefficient ``ar`` (a count cannot be negative, and over-dispersed counts are skewed). At
    dispersion 1 the counts are Poisson, so independent whatever ``ar``."""
    mean = level * (1 + SEASON * np.cos(2 * np.pi * np.arange(months) / 12))
    sigma = np.sqrt(np.log(1 + (dispersion - 1) / level))
    return rng.poisson(mean * np.exp(sigma * _alike(rng, months, ar) - sigma ** 2 / 2)).astype(float)


def control_run(scenario: ControlScenario, replicates: int, seed: int = SEED) -> tuple[float, float]:
    """The share of ``replicates`` judged quarters with any signal, and of their months outside
    the limits, each on a fresh series."""
    rng = np.random.default_rng(seed)
    level = CONTROL_LEVELS[scenario.size][0]
    months = pd.date_range(add_months(CONTROL_QUARTER.start, 3 - CONTROL_MONTHS), periods=CONTROL_MONTHS,
                           freq="MS").date
    signalled = outside = judged = 0
    for _ in range(replicates):
        values = counts(rng, CONTROL_MONTHS, level, scenario.dispersion, scenario.ar)
        values[-3:] = np.round(values[-3:] * (1 + scenario.change))
        chart = control_chart(pd.DataFrame({"period_start": months, "value": values}), CONTROL_QUARTER, _Unbroken())
        signalled += not chart.signals.empty
        outside += int(((chart.judged["observed"] > chart.judged["upper"])
                        | (chart.judged["observed"] < chart.judged["lower"])).sum())
        judged += len(chart.judged)
    return signalled / replicates, outside / judged


def control_row(size: str, dispersion: float, ar: float, replicates: int = REPLICATES, seed: int = SEED) -> list:
    """One row of the control chart's calibration table: stable quarters, then a planted rise."""
    signalled, outside = control_run(ControlScenario(size, dispersion, ar), replicates, seed)
    found, _ = control_run(ControlScenario(size, dispersion, ar, PLANTED), replicates, seed)
    return [size, CONTROL_LEVELS[size][0], dispersion, ar, replicates, round(signalled, 4), round(outside, 4),
            round(found, 4)]


def control_scenarios() -> list[tuple[str, float, float]]:
    """Poisson counts (dispersion 1) cannot be alike, so they are run once."""
    return [(size, d, a) for size, (_, dispersions) in CONTROL_LEVELS.items() for d in dispersions
            for a in CONTROL_AUTOCORRELATIONS if d > 1 or a == 0]


def trend_row(dispersion: float, ar: float, replicates: int = REPLICATES, seed: int = SEED) -> list:
    """One row of the trend tests' table: on ``replicates`` series with no trend, the share whose
    regression finds a bend, whose straight line's interval a year holds no change, and whose
    seasonal and annual Mann-Kendall tests find a trend (each at the 5% level, uncontrolled)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(add_months(CONTROL_QUARTER.start, 3 - TREND_MONTHS), periods=TREND_MONTHS, freq="MS").date
    bends = covered = straight = seasonal = annual = 0
    for _ in range(replicates):
        values = series(rng, TREND_MONTHS, dispersion, ar, TREND_LEVEL)
        result = trend_tests(pd.DataFrame({"period_start": months, "value": values}), CONTROL_QUARTER, ())
        model = result.model
        bends += model.shape == "curve"
        if model.per_year is not None:
            straight += 1
            covered += model.per_year.lower <= 1 <= model.per_year.upper
        seasonal += result.seasonal_mann_kendall.p < SIGNIFICANCE_LEVEL
        annual += result.mann_kendall.p < SIGNIFICANCE_LEVEL
    return [dispersion, ar, replicates, round(bends / replicates, 4), round(covered / max(straight, 1), 4),
            round(float(seasonal) / replicates, 4), round(float(annual) / replicates, 4)]


def trend_scenarios() -> list[tuple[float, float]]:
    return [(d, a) for d in TREND_DISPERSIONS for a in AUTOCORRELATIONS]
