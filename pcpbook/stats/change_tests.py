"""The tests behind an "up" or "down", as pure functions of counts, percentages and a fitted
usual variation.

A count is compared with the measure's own usual variation (``models``): the log of the ratio
of the two periods' counts has variance dispersion x (1/current + 1/baseline) when months are
independent, the quasi-Poisson analogue of the exact Poisson test, widened (or, for adjacent
periods, narrowed) for how alike neighbouring months are (``correlated_variance``); the t
distribution with the history's residual degrees of freedom allows for the dispersion being
estimated. The quantity tested is
the quantity stated: the ratio of the two counts (for last quarter, the ratio after the usual
seasonal movement). Survey percentages get a two-sample Wald test of proportions. Across an
edition the false discovery rate is controlled (Benjamini and Hochberg, 1995) before anything
is called significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from pcpbook.core.periods import add_months
from pcpbook.stats.models import UsualVariation, month_days
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL, SMALL_COUNT, interval_quantile


@dataclass(frozen=True)
class ChangeTest:
    """The test behind an "up" or "down": the estimate with its 95% interval and p-value, or
    why no test applies. ``estimate`` is a ratio (counts) or a difference in percentage
    points (survey rates); ``q_value`` is the p-value after false discovery rate control
    across the ``family`` of comparisons in the same edition."""

    method: str | None
    p_value: float | None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    scale: str = "ratio"
    dispersion: float | None = None
    df: float | None = None  # the residual degrees of freedom the dispersion was estimated with
    history: str = ""
    seasonal_ratio: float | None = None
    small: bool = False
    reason: str = ""
    q_value: float | None = None
    family: int = 0
    autocorrelation: float | None = None  # of neighbouring months in the history, as the test allowed for it
    days: tuple[int, int] | None = None   # the periods' lengths when they differ: the estimate is per day

    @property
    def tested(self) -> bool:
        return self.p_value is not None

    @property
    def excludes_no_change(self) -> bool:
        no_change = 1.0 if self.scale == "ratio" else 0.0
        return self.tested and not (self.lower <= no_change <= self.upper)

    @property
    def significant(self) -> bool:
        """Only when the interval excludes no change and the edition's false discovery rate
        control agrees."""
        return self.excludes_no_change and self.q_value is not None and self.q_value < SIGNIFICANCE_LEVEL


def untested(reason: str) -> ChangeTest:
    return ChangeTest(None, None, reason=reason)


def count_change_test(count: float, baseline_count: float, history: UsualVariation, months: int, apart: int,
                      seasonal_ratio: float = 1.0, seasonal_variance: float = 0.0,
                      days: tuple[int, int] | None = None) -> ChangeTest:
    """The ratio of two counts, each over ``months`` months and ``apart`` months between their
    starts, against the measure's usual variation: its dispersion and how alike neighbouring
    months are (``correlated_variance``). ``seasonal_ratio`` is the ratio the seasonal pattern
    alone gives (last quarter against this one), with the variance of its logarithm; the test is
    on the ratio after it. ``days``: the two periods' lengths when they differ (a leap day), so the
    test is on the ratio per day. A zero count gets half a count added to both (Haldane's
    correction) so the logarithm exists."""
    half = 0.5 if min(count, baseline_count) == 0 else 0.0
    per_day = days[0] / days[1] if days else 1.0
    log_ratio = math.log((count + half) / (baseline_count + half)) - math.log(seasonal_ratio * per_day)
    variance = correlated_variance(history.autocorrelation, months, apart, count + half, baseline_count + half)
    se = math.sqrt(history.dispersion * variance + seasonal_variance)
    df = history.effective_df
    p_value = float(2 * stats.t.sf(abs(log_ratio) / se, df))
    margin = interval_quantile(df) * se
    return ChangeTest("quasi-Poisson", p_value, math.exp(log_ratio), math.exp(log_ratio - margin),
                      math.exp(log_ratio + margin), dispersion=history.dispersion, df=df, history=history.span,
                      seasonal_ratio=seasonal_ratio if seasonal_ratio != 1.0 else None,
                      small=min(count, baseline_count) < SMALL_COUNT, autocorrelation=history.autocorrelation,
                      days=days)


def correlated_variance(autocorrelation: float, months: int, apart: int, count: float, baseline_count: float) -> float:
    """The variance of log(count / baseline_count), over the dispersion, when months ``k`` apart
    are correlated ``autocorrelation ** k`` (AR(1)) and each month's variance is the dispersion
    times its mean: for independent months, 1/count + 1/baseline_count. Months within a period
    that move together widen it; periods next to each other that move together narrow it."""
    within, across = alike_months_factor(autocorrelation, months), _shared(autocorrelation, months, apart)
    return within / count + within / baseline_count - 2 * across / math.sqrt(count * baseline_count)


def alike_months_factor(autocorrelation: float, months: int) -> float:
    """How many times more a total over ``months`` months varies than if they were independent."""
    return _shared(autocorrelation, months, 0)


def _shared(autocorrelation: float, months: int, apart: int) -> float:
    """The correlations between the months of two periods of ``months`` months, ``apart``
    months between their starts, summed and divided by ``months``."""
    month = np.arange(months)
    return float(np.sum(autocorrelation ** np.abs(apart + month[:, None] - month[None, :]))) / months


PROPORTION_TEST = "two-proportion Wald test"


def proportion_test(percent: float, baseline_percent: float, sample_size: int,
                    design_effect: float | None = None) -> ChangeTest:
    """Two-sample Wald test of proportions, each period a survey of ``sample_size`` people
    with the ``design_effect`` (None: not known, treated as a simple random sample), so as
    informative as sample_size / design_effect people asked at random (Kish, 1965); the
    estimate and interval are in percentage points."""
    effective = sample_size / (design_effect or 1.0)
    counts = (percent / 100 * effective, baseline_percent / 100 * effective)
    result = test_proportions_2indep(counts[0], effective, counts[1], effective, compare="diff", method="wald")
    low, high = confint_proportions_2indep(counts[0], effective, counts[1], effective, compare="diff", method="wald")
    p_value = 1.0 if percent == baseline_percent else float(result.pvalue)
    return ChangeTest(PROPORTION_TEST, p_value, percent - baseline_percent, 100 * float(low),
                      100 * float(high), scale="points")


def seasonal_movement(history: UsualVariation, current_start, baseline_start, months: int) -> tuple[float, float]:
    """The ratio of current to baseline that the fitted calendar-month pattern and the months'
    lengths alone give, and the variance of its logarithm (delta method)."""
    def weighted(start):
        window = [add_months(start, k) for k in range(months)]
        weights = np.array([month_days(m) * history.seasonal_factor(m.month) for m in window])
        gradient = sum(w * history.seasonal_gradient(m.month) for w, m in zip(weights, window)) / weights.sum()
        return weights.sum(), gradient

    (now, now_gradient), (then, then_gradient) = weighted(current_start), weighted(baseline_start)
    gradient = now_gradient - then_gradient
    covariance = history.fit.cov_params().to_numpy() * history.dispersion / history.fit.scale
    return now / then, float(gradient @ covariance @ gradient)
