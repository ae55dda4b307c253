"""Statistics readers can rely on (DESIGN §5): comparisons recomputed from the data, each
with the test behind it; STL seasonal decomposition; trend tests; control limits. Each
function sees only the data it is given, so a chapter passes data up to its quarter's end.
Well-kept implementations do the mathematics: statsmodels, scipy and pymannkendall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pymannkendall as mk
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.rates import test_poisson_2indep
from statsmodels.tsa.seasonal import STL

from .data import Dataset, Measure, Value, weakest
from .periods import MONTH_NAMES, Quarter, add_months, fy_label, fy_start_date, month_label

SAME_QUARTER_LAST_YEAR = "same_quarter_last_year"
LAST_QUARTER = "last_quarter"
ROLLING_12_MONTHS = "rolling_12_months"
BASELINE_YEAR = "baseline_year"


@dataclass(frozen=True)
class Comparison:
    """``current`` against ``baseline`` for one measure; ``kind`` names the comparison."""

    kind: str
    current: Value
    baseline: Value
    test: "ChangeTest | None" = field(default=None, compare=False)

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


def compare(dataset: Dataset, measure_id: str, current_start, baseline_start, months: int,
            kind: str) -> Comparison:
    current = dataset.value(measure_id, current_start, months)
    baseline = dataset.value(measure_id, baseline_start, months)
    return Comparison(kind, current, baseline, change_test(dataset.measures[measure_id], current, baseline))


def quarter_comparisons(dataset: Dataset, measure_id: str, quarter: Quarter) -> list[Comparison]:
    """The comparisons a chapter reports for a measure in ``quarter``: always the same quarter
    last year; last quarter where the catalogue asks for it; the rolling 12 months for counts."""
    measure = dataset.measures[measure_id]
    comparisons = [compare(dataset, measure_id, quarter.start, quarter.same_quarter_last_year().start,
                           3, SAME_QUARTER_LAST_YEAR)]
    if measure.last_quarter:
        comparisons.append(compare(dataset, measure_id, quarter.start, quarter.previous().start,
                                   3, LAST_QUARTER))
    if measure.kind == "count":
        year_start = add_months(quarter.start, -9)
        comparisons.append(compare(dataset, measure_id, year_start, add_months(year_start, -12),
                                   12, ROLLING_12_MONTHS))
    return comparisons


def year_comparison(dataset: Dataset, measure_id: str, baseline_year: int, end_year: int) -> Comparison:
    """A closure review's comparison: the end financial year against the baseline year or, for
    a measure first collected later (the confidence survey began in 2017/18), against its
    first complete year."""
    first = next((year for year in range(baseline_year, end_year)
                  if dataset.value(measure_id, fy_start_date(year), 12).amount is not None), baseline_year)
    return compare(dataset, measure_id, fy_start_date(end_year), fy_start_date(first), 12, BASELINE_YEAR)


# ----------------------------------------------------------------------------- change tests

SIGNIFICANCE_LEVEL = 0.05


@dataclass(frozen=True)
class ChangeTest:
    """The test behind an "up" or "down": a method and p-value, or why no test applies."""

    method: str | None
    p_value: float | None
    reason: str = ""

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE_LEVEL


def poisson_test(count: float, days: int, baseline_count: float, baseline_days: int) -> ChangeTest:
    """Exact conditional test of two Poisson rates with exposure in days: given the total,
    the current count is binomial with p = days / (days + baseline_days)."""
    result = test_poisson_2indep(int(count), days, int(baseline_count), baseline_days, method="exact-cond")
    return ChangeTest("exact Poisson test", float(result.pvalue))


def proportion_test(percent: float, baseline_percent: float, sample_size: int) -> ChangeTest:
    """Two-sample z-test of proportions, each quarter a survey of ``sample_size`` people."""
    successes = [round(percent / 100 * sample_size), round(baseline_percent / 100 * sample_size)]
    if successes[0] == successes[1]:
        return ChangeTest("two-proportion z-test", 1.0)
    _, p_value = proportions_ztest(successes, [sample_size, sample_size])
    return ChangeTest("two-proportion z-test", float(p_value))


def change_test(measure: Measure, current: Value, baseline: Value) -> ChangeTest:
    if current.amount is None or baseline.amount is None:
        return ChangeTest(None, None, "there is nothing to compare with")
    if measure.kind == "snapshot":
        return ChangeTest(None, None, "a headcount is a complete count, not a sample")
    if measure.test == "none":
        return ChangeTest(None, None, measure.test_note)
    if measure.test == "proportion":
        months = current.months // 3 or 1
        return proportion_test(current.amount, baseline.amount, measure.sample_size * months)
    return poisson_test(current.amount, _days(current), baseline.amount, _days(baseline))


def _days(value: Value) -> int:
    return (value.end - value.start).days + 1


# ----------------------------------------------------------------------------- seasonal decomposition

MIN_DECOMPOSITION_MONTHS = 36


@dataclass
class Decomposition:
    """STL of a monthly series up to the end of ``quarter`` (robust, period 12)."""

    quarter: Quarter
    frame: pd.DataFrame  # period_start, observed, trend, seasonal, remainder, robust_z, weight, unusual
    trend_now: float
    trend_year_ago: float
    adjusted_quarter: float
    adjusted_last_quarter: float
    seasonal_high: list[str]
    seasonal_low: list[str]
    standouts: pd.DataFrame

    @property
    def trend_change(self) -> float:
        return 100 * (self.trend_now - self.trend_year_ago) / self.trend_year_ago

    @property
    def adjusted_change(self) -> float:
        return 100 * (self.adjusted_quarter - self.adjusted_last_quarter) / self.adjusted_last_quarter


class NotEnoughHistory(ValueError):
    """Too few months before the quarter's end for the method to be trusted."""


def monthly_series(series: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """The monthly values up to the quarter's end (never later), checked to be gap-free."""
    shown = series[series["period_start"] <= quarter.end]
    values = pd.Series(shown["value"].to_numpy(dtype=float),
                       index=pd.DatetimeIndex(pd.to_datetime(shown["period_start"]), freq=None))
    expected = pd.date_range(values.index.min(), values.index.max(), freq="MS") if len(values) else []
    if len(values) and len(expected) != len(values):
        raise ValueError("the monthly series has gaps; a decomposition needs every month")
    return values.asfreq("MS") if len(values) else values


def decompose(series: pd.DataFrame, quarter: Quarter, standout_z: float = 3.0) -> Decomposition:
    values = monthly_series(series, quarter)
    if len(values) < MIN_DECOMPOSITION_MONTHS:
        raise NotEnoughHistory(f"only {len(values)} months of data up to {month_label(quarter.end)}; "
                               f"a seasonal decomposition needs at least {MIN_DECOMPOSITION_MONTHS} "
                               "(three years)")
    fit = STL(values, period=12, robust=True).fit()
    frame = pd.DataFrame({"observed": values, "trend": fit.trend, "seasonal": fit.seasonal,
                          "remainder": fit.resid})
    # The robust fit leaves outliers large and squeezes everything else, so its remainder alone
    # flags ordinary months, while a plain fit smears a big outlier into other years. A month
    # stands out when both agree: the plain fit's remainder is beyond ``standout_z`` robust
    # standard deviations and the robust fit gives it under half weight (measured on simulated
    # noise: about one false flag in 400 months).
    plain = STL(values, period=12).fit().resid
    spread = 1.4826 * np.median(np.abs(plain - np.median(plain)))
    frame["robust_z"] = plain / spread if spread > 0 else 0.0
    frame["weight"] = fit.weights
    frame["unusual"] = (frame["robust_z"].abs() > standout_z) & (frame["weight"] < 0.5)
    adjusted = frame["observed"] - frame["seasonal"]
    last = frame.index[-1]
    recent_seasonal = frame["seasonal"].iloc[-36:]
    by_month = recent_seasonal.groupby(recent_seasonal.index.month).mean()
    standouts = frame[(frame.index > last - pd.DateOffset(months=24)) & frame["unusual"]].copy()
    frame.index = frame.index.date
    standouts.index = standouts.index.date
    return Decomposition(
        quarter=quarter, frame=frame.reset_index(names="period_start"),
        trend_now=float(frame["trend"].iloc[-1]), trend_year_ago=float(frame["trend"].iloc[-13]),
        adjusted_quarter=float(adjusted.iloc[-3:].sum()), adjusted_last_quarter=float(adjusted.iloc[-6:-3].sum()),
        seasonal_high=[MONTH_NAMES[m - 1] for m in by_month.nlargest(2).index],
        seasonal_low=[MONTH_NAMES[m - 1] for m in by_month.nsmallest(2).index],
        standouts=standouts.reset_index(names="period_start"))


# ----------------------------------------------------------------------------- trend tests

@dataclass
class RegressionResult:
    model: str            # "Poisson" or "negative binomial"
    overdispersion_p: float
    rate_ratio: float     # per year
    lower: float
    upper: float
    p_value: float
    months: int


@dataclass
class TrendResult:
    years: list[str]                 # financial years used, e.g. "2014/15"
    totals: list[float]
    mann_kendall: object             # pymannkendall result: trend, p, Tau, s, slope ...
    regression: RegressionResult     # monthly counts, COVID-19 indicator
    sensitivity: RegressionResult    # the same without the COVID-19 months
    fitted: pd.DataFrame             # period_start, observed, fitted, lower, upper, covid


def complete_financial_years(values: pd.Series, quarter: Quarter) -> pd.Series:
    """Totals of the financial years that end on or before the quarter's end."""
    fy = values.index.year - (values.index.month < 4)
    totals = values.groupby(fy).agg(["sum", "count"])
    totals = totals[totals["count"] == 12]["sum"]
    last_complete = quarter.fy_start - (0 if quarter.number == 4 else 1)
    return totals[totals.index <= last_complete]


def overdispersion_test(fit) -> tuple[float, float]:
    """Cameron and Trivedi's (1990) regression test of Poisson equidispersion: regress
    ((y - mu)^2 - y) / mu on mu without a constant; a positive coefficient means
    over-dispersion. Returns the one-sided p-value and the coefficient, which estimates the
    negative binomial's dispersion parameter alpha."""
    mu, y = np.asarray(fit.fittedvalues), np.asarray(fit.model.endog)
    auxiliary = sm.OLS(((y - mu) ** 2 - y) / mu, mu).fit()
    t = float(auxiliary.tvalues[0])
    return float(stats.t.sf(t, auxiliary.df_resid)), float(auxiliary.params[0])


def _design(values: pd.Series, periods) -> pd.DataFrame:
    frame = pd.DataFrame({"y": values.to_numpy(), "period_start": values.index})
    frame["years"] = (frame["period_start"] - frame["period_start"].iloc[0]).dt.days / 365.25
    frame["month"] = frame["period_start"].dt.month
    frame["covid"] = [int(any(p.covers_month(d.date()) for p in periods)) for d in frame["period_start"]]
    return frame


def count_regression(frame: pd.DataFrame, with_covid: bool) -> tuple[RegressionResult, object]:
    """Poisson regression of monthly counts on time, calendar month (and a COVID-19
    indicator); negative binomial instead when the Poisson fit is over-dispersed at 5%."""
    formula = "y ~ years + C(month)" + (" + covid" if with_covid and frame["covid"].any() else "")
    poisson = smf.glm(formula, frame, family=sm.families.Poisson()).fit()
    p_dispersion, alpha = overdispersion_test(poisson)
    fit, model = poisson, "Poisson"
    if p_dispersion < SIGNIFICANCE_LEVEL:
        # Newton's method from the Poisson estimates and the auxiliary regression's alpha: the
        # default (BFGS from its own start) stops short of convergence on counts in the tens of thousands
        start = np.append(poisson.params.to_numpy(), max(alpha, 1e-4))
        fit = smf.negativebinomial(formula, frame).fit(start_params=start, method="newton", disp=0, maxiter=100)
        if not fit.mle_retvals["converged"]:
            raise ArithmeticError(f"the negative binomial regression did not converge ({len(frame)} months)")
        model = "negative binomial"
    low, high = fit.conf_int().loc["years"]
    return RegressionResult(model, p_dispersion, float(np.exp(fit.params["years"])), float(np.exp(low)),
                            float(np.exp(high)), float(fit.pvalues["years"]), len(frame)), fit


def trend_tests(series: pd.DataFrame, quarter: Quarter, periods) -> TrendResult:
    """Mann-Kendall with Sen's slope on financial-year totals, and a count regression on the
    monthly series with the COVID-19 months as an indicator (and, as a sensitivity check,
    left out), all on data up to the end of ``quarter``."""
    values = monthly_series(series, quarter)
    annual = complete_financial_years(values, quarter)
    if len(annual) < 4 or len(values) < MIN_DECOMPOSITION_MONTHS:
        raise NotEnoughHistory(f"{len(annual)} complete financial years up to {month_label(quarter.end)}; "
                               "trend tests need at least four")
    frame = _design(values, periods)
    regression, fit = count_regression(frame, with_covid=True)
    sensitivity, _ = count_regression(frame[frame["covid"] == 0].reset_index(drop=True), with_covid=False)
    mean = fit.predict(frame)
    fitted = pd.DataFrame({"period_start": frame["period_start"], "observed": frame["y"], "fitted": mean,
                           "lower": stats.poisson.ppf(0.025, mean), "upper": stats.poisson.ppf(0.975, mean),
                           "covid": frame["covid"]})
    return TrendResult([fy_label(y) for y in annual.index], [float(v) for v in annual],
                       mk.original_test(annual.to_numpy()), regression, sensitivity, fitted)


# ----------------------------------------------------------------------------- control limits

@dataclass
class ControlChart:
    """Laney c'-chart: c-chart limits widened for the over-dispersion seen in the baseline."""

    centre: float
    lower: float
    upper: float
    baseline_start: dt.date
    flagged: pd.DataFrame  # period_start, value, side ("above"/"below") for the quarter's months


def control_limits(series: pd.DataFrame, quarter: Quarter, baseline_months: int = 24) -> ControlChart:
    """Limits from the ``baseline_months`` before the quarter; the quarter's months are judged."""
    values = monthly_series(series, quarter)
    baseline = values[values.index < pd.Timestamp(quarter.start)].iloc[-baseline_months:]
    if len(baseline) < 12:
        raise NotEnoughHistory(f"only {len(baseline)} months before {quarter.label} for control limits")
    centre = float(baseline.mean())
    z = (baseline - centre) / np.sqrt(centre)
    sigma_z = float(np.abs(np.diff(z)).mean() / 1.128) if centre > 0 else 0.0
    half_width = 3 * max(sigma_z, 1.0) * np.sqrt(centre)
    lower, upper = max(centre - half_width, 0.0), centre + half_width
    current = values[values.index >= pd.Timestamp(quarter.start)]
    outside = current[(current > upper) | (current < lower)]
    flagged = pd.DataFrame({"period_start": [d.date() for d in outside.index], "value": outside.to_numpy(),
                            "side": ["above" if v > upper else "below" for v in outside]})
    return ControlChart(centre, lower, upper, baseline.index[0].date(), flagged)
