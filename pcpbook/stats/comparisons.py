"""Comparisons recomputed from the data, each with the test behind its "up" or "down".

A count is compared with the measure's own usual variation (``models``): the log of the ratio
of the two periods' counts has variance dispersion x (1/current + 1/baseline), the
quasi-Poisson analogue of the exact Poisson test, and the t distribution with the history's
residual degrees of freedom allows for the dispersion being estimated. The quantity tested is
the quantity stated: the ratio of the two counts (for last quarter, the ratio after the usual
seasonal movement). Survey percentages get a two-sample Wald test of proportions. Across an
edition the false discovery rate is controlled (Benjamini and Hochberg, 1995) before anything
is called significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from pcpbook.contracts.dataset import Dataset

from pcpbook.contracts.model import Measure, Value, weakest
from pcpbook.core.periods import Quarter, add_months, fy_start_date, month_label
from pcpbook.stats.models import MAX_HISTORY_MONTHS, NotEnoughHistory, UsualVariation, month_days, usual_variation
from pcpbook.stats.policy import MIN_HISTORY_MONTHS, SIGNIFICANCE_LEVEL, SMALL_COUNT

SAME_QUARTER_LAST_YEAR = "same_quarter_last_year"
LAST_QUARTER = "last_quarter"
ROLLING_12_MONTHS = "rolling_12_months"
BASELINE_YEAR = "baseline_year"



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


@dataclass(frozen=True)
class Comparison:
    """``current`` against ``baseline`` for one measure; ``kind`` names the comparison."""

    kind: str
    current: Value
    baseline: Value
    test: ChangeTest = field(default_factory=lambda: untested("not tested"), compare=False)

    @property
    def complete(self) -> bool:
        return self.current.amount is not None and self.baseline.amount is not None

    @property
    def difference(self) -> float | None:
        if not self.complete:
            return None
        return round(self.current.amount - self.baseline.amount, 6)

    @property
    def percent(self) -> float | None:
        """Percentage change; None when the baseline is zero or missing."""
        if not self.complete or self.baseline.amount == 0:
            return None
        return 100 * (self.current.amount - self.baseline.amount) / self.baseline.amount

    @property
    def direction(self) -> str | None:
        if self.difference is None:
            return None
        return "up" if self.difference > 0 else "down" if self.difference < 0 else "same"

    @property
    def status(self) -> str | None:
        """Weakest status of the two values (a comparison with modelled data is modelled)."""
        statuses = [v.status for v in (self.current, self.baseline) if v.status]
        return weakest(statuses) if statuses else None


# ----------------------------------------------------------------------------- the tests


def count_change_test(count: float, baseline_count: float, history: UsualVariation,
                      seasonal_ratio: float = 1.0, seasonal_variance: float = 0.0) -> ChangeTest:
    """The ratio of two counts against the measure's usual variation. ``seasonal_ratio`` is the
    ratio the seasonal pattern alone gives (last quarter against this one), with the variance
    of its logarithm; the test is on the ratio after it. A zero count gets half a count added
    to both (Haldane's correction) so the logarithm exists."""
    half = 0.5 if min(count, baseline_count) == 0 else 0.0
    log_ratio = math.log((count + half) / (baseline_count + half)) - math.log(seasonal_ratio)
    se = math.sqrt(history.dispersion * (1 / (count + half) + 1 / (baseline_count + half)) + seasonal_variance)
    df = history.df_resid
    p_value = float(2 * stats.t.sf(abs(log_ratio) / se, df))
    margin = stats.t.ppf(0.975, df) * se
    return ChangeTest("quasi-Poisson", p_value, math.exp(log_ratio), math.exp(log_ratio - margin),
                      math.exp(log_ratio + margin), dispersion=history.dispersion, df=df, history=history.span,
                      seasonal_ratio=seasonal_ratio if seasonal_ratio != 1.0 else None,
                      small=min(count, baseline_count) < SMALL_COUNT)


def proportion_test(percent: float, baseline_percent: float, sample_size: int) -> ChangeTest:
    """Two-sample Wald test of proportions, each period a survey of ``sample_size`` people;
    the estimate and interval are in percentage points."""
    counts = (percent / 100 * sample_size, baseline_percent / 100 * sample_size)
    result = test_proportions_2indep(counts[0], sample_size, counts[1], sample_size, compare="diff", method="wald")
    low, high = confint_proportions_2indep(counts[0], sample_size, counts[1], sample_size, compare="diff",
                                           method="wald")
    p_value = 1.0 if percent == baseline_percent else float(result.pvalue)
    return ChangeTest("two-proportion Wald test", p_value, percent - baseline_percent, 100 * float(low),
                      100 * float(high), scale="points")


def seasonal_movement(history: UsualVariation, current: Value, baseline: Value) -> tuple[float, float]:
    """The ratio of current to baseline that the fitted calendar-month pattern and the months'
    lengths alone give, and the variance of its logarithm (delta method)."""
    def weighted(value: Value):
        months = [add_months(value.start, k) for k in range(value.months)]
        weights = np.array([month_days(m) * history.seasonal_factor(m.month) for m in months])
        gradient = sum(w * history.seasonal_gradient(m.month) for w, m in zip(weights, months)) / weights.sum()
        return weights.sum(), gradient

    (now, now_gradient), (then, then_gradient) = weighted(current), weighted(baseline)
    gradient = now_gradient - then_gradient
    covariance = history.fit.cov_params().to_numpy() * history.dispersion / history.fit.scale
    return now / then, float(gradient @ covariance @ gradient)


def change_test(measure: Measure, current: Value, baseline: Value, history) -> ChangeTest:
    """The test that fits the measure; ``history`` is its UsualVariation, or the reason
    (NotEnoughHistory) there is none."""
    if current.amount is None or baseline.amount is None:
        return untested("there is nothing to compare with")
    if measure.kind == "snapshot":
        return untested("a headcount is a complete count, not a sample")
    if measure.test == "none":
        return untested(measure.test_note)
    if measure.test == "proportion":
        return proportion_test(current.amount, baseline.amount, measure.sample_size * (current.months // 3 or 1))
    if isinstance(history, NotEnoughHistory):
        return untested(str(history))
    seasonal = (1.0, 0.0)
    if current.start.month != baseline.start.month and current.months < 12:
        seasonal = seasonal_movement(history, current, baseline)
    return count_change_test(current.amount, baseline.amount, history, *seasonal)


# ----------------------------------------------------------------------------- comparisons


def history_before(dataset: Dataset, measure: Measure, start, months: int | None = MAX_HISTORY_MONTHS):
    """The measure's usual variation fitted to the months before ``start`` (the last
    ``months`` of them; all when None), or NotEnoughHistory saying why there is none."""
    if measure.kind != "count" or measure.test != "poisson":
        return None
    series = dataset.monthly(measure.id, add_months(start, -1))
    values = pd.Series(series["value"].to_numpy(dtype=float), index=pd.to_datetime(series["period_start"]))
    values = values.iloc[-months:] if months else values
    try:
        return usual_variation(values, measure.periods)
    except NotEnoughHistory:
        return NotEnoughHistory(f"only {len(values)} months of data come before {month_label(start)}, and at least "
                                f"{MIN_HISTORY_MONTHS} are needed to measure its usual variation")


def compare(dataset: Dataset, measure_id: str, current_start, baseline_start, months: int, kind: str,
            history=None) -> Comparison:
    """``months`` from ``current_start`` against as many from ``baseline_start``; the usual
    variation comes from the months before the earlier of the two unless ``history`` is given."""
    measure = dataset.measures[measure_id]
    current = dataset.value(measure_id, current_start, months)
    baseline = dataset.value(measure_id, baseline_start, months)
    first, last = min(current.start, baseline.start), max(current.end, baseline.end)
    change = next((d for d in measure.discontinuities if d.recording and first < d.date <= last), None)
    if change is not None:
        return Comparison(kind, current, baseline, untested(
            f"what the series counts changed on {change.date.day} {change.date:%B %Y} ({change.note}), between "
            "the periods compared"))
    if history is None:
        history = history_before(dataset, measure, first)
    return Comparison(kind, current, baseline, change_test(measure, current, baseline, history))


def quarter_comparisons(dataset: Dataset, measure_id: str, quarter: Quarter) -> list[Comparison]:
    """The comparisons a chapter reports for a measure in ``quarter``: always the same quarter
    last year; last quarter where the catalogue asks for it; the rolling 12 months for counts.
    Each test is on its own; ``edition_comparisons`` controls the false discovery rate."""
    measure = dataset.measures[measure_id]
    comparisons = [compare(dataset, measure_id, quarter.start, quarter.same_quarter_last_year().start,
                           3, SAME_QUARTER_LAST_YEAR)]
    if measure.last_quarter:
        comparisons.append(compare(dataset, measure_id, quarter.start, quarter.previous().start, 3, LAST_QUARTER))
    if measure.kind == "count":
        year_start = add_months(quarter.start, -9)
        comparisons.append(compare(dataset, measure_id, year_start, add_months(year_start, -12), 12,
                                   ROLLING_12_MONTHS))
    return comparisons


def year_comparison(dataset: Dataset, measure_id: str, baseline_year: int, end_year: int) -> Comparison:
    """A closure review's comparison: the end financial year against the baseline year or, for
    a measure first collected later (the confidence survey began in 2017/18), against its
    first complete year. The usual variation comes from every month up to the end year."""
    first = next((year for year in range(baseline_year, end_year)
                  if dataset.value(measure_id, fy_start_date(year), 12).amount is not None), baseline_year)
    history = history_before(dataset, dataset.measures[measure_id], fy_start_date(end_year + 1), months=None)
    return compare(dataset, measure_id, fy_start_date(end_year), fy_start_date(first), 12, BASELINE_YEAR, history)


def with_false_discovery_control(by_measure: dict[str, list[Comparison]]) -> dict[str, list[Comparison]]:
    """Benjamini-Hochberg q-values across every tested comparison given, each measure once."""
    tested = [(m, i) for m, comparisons in by_measure.items() for i, c in enumerate(comparisons) if c.test.tested]
    if not tested:
        return by_measure
    _, q_values, _, _ = multipletests([by_measure[m][i].test.p_value for m, i in tested],
                                      alpha=SIGNIFICANCE_LEVEL, method="fdr_bh")
    controlled = {m: list(comparisons) for m, comparisons in by_measure.items()}
    for (m, i), q in zip(tested, q_values):
        comparison = controlled[m][i]
        controlled[m][i] = replace(comparison, test=replace(comparison.test, q_value=float(q), family=len(tested)))
    return controlled


def edition_comparisons(dataset: Dataset, measure_ids, quarter: Quarter) -> dict[str, list[Comparison]]:
    """Every comparison of an edition (all its plan's measures), tested together; computed
    once per dataset and quarter, so each chapter of the edition sees the same family."""
    ids = tuple(dict.fromkeys(measure_ids))
    key = ("edition", ids, quarter)
    if key not in dataset.memo:
        dataset.memo[key] = with_false_discovery_control(
            {m: quarter_comparisons(dataset, m, quarter) for m in ids})
    return dataset.memo[key]


def review_comparisons(dataset: Dataset, measure_ids, baseline_year: int, end_year: int) -> dict[str, Comparison]:
    """A closure review's baseline-to-end comparisons, tested together."""
    ids = tuple(dict.fromkeys(measure_ids))
    key = ("review", ids, baseline_year, end_year)
    if key not in dataset.memo:
        controlled = with_false_discovery_control(
            {m: [year_comparison(dataset, m, baseline_year, end_year)] for m in ids})
        dataset.memo[key] = {m: comparisons[0] for m, comparisons in controlled.items()}
    return dataset.memo[key]
