"""Long-run trend tests (used for people killed or seriously injured on the roads).

Three views, each with its assumptions stated on the methods page: Mann-Kendall with Sen's
slope on financial-year totals; the seasonal Mann-Kendall on the monthly series, allowing for
the correlation between months of the same year (Hirsch and Slack, 1984; pymannkendall's
``correlated_seasonal_test``), both checked without the lockdown years; and a quasi-Poisson
regression on the months whose trend may bend. The regression's trend is a straight line
unless a quasi-likelihood F test (the curve against the line) says it bends, when a natural
cubic spline is used; COVID-19 lockdowns enter as the share of each month's days under
restrictions. Neighbouring months that are alike (AR(1), estimated as for the change tests)
tell less about a slow trend than independent months: the F test, the intervals and their
degrees of freedom allow for it by the long-run variance factor (1 + ar) / (1 - ar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pymannkendall as mk
from scipy import stats

from pcpbook.core.periods import Quarter, add_months, fy_label, month_label, months_between
from pcpbook.stats.models import (NotEnoughHistory, UsualVariation, design_matrix, fit_quasi_poisson, monthly_frame,
                                  ready_after)
from pcpbook.stats.policy import MIN_HISTORY_MONTHS, SIGNIFICANCE_LEVEL, false_discovery_q_values, interval_quantile
from pcpbook.stats.seasonal import monthly_series

LOCKDOWN_YEAR_SHARE = 0.25  # a financial year with a quarter of its days under lockdown is a lockdown year


@dataclass
class Interval:
    ratio: float
    lower: float
    upper: float
    p_value: float


@dataclass
class TrendModel:
    """The regression's trend: per year when it is a straight line; otherwise the change from
    the first 12 months to the last 12, and from the peak when the curve has one inside."""

    shape: str                    # "straight line" or "curve"
    linearity_p: float            # F test of the curve against the straight line
    dispersion: float
    months: int
    autocorrelation: float        # of neighbouring months once the curve is fitted, as the tests allow for it
    per_year: Interval | None     # straight line only
    overall: Interval             # last 12 months' trend against the first 12 months'
    peak: dt.date | None
    since_peak: Interval | None
    fit: object

    @property
    def independent_months(self) -> int:
        """As many independent months as the alike months are worth for a slow trend."""
        return round(self.months * (1 - self.autocorrelation) / (1 + self.autocorrelation))


@dataclass
class TrendResult:
    years: list[str]
    totals: list[float]
    mann_kendall: object             # pymannkendall result on financial-year totals
    seasonal_mann_kendall: object    # pymannkendall seasonal test on the months
    model: TrendModel                # with the lockdown share
    sensitivity: TrendModel          # lockdown months left out
    fitted: pd.DataFrame             # period_start, observed, fitted, lower, upper, lockdown
    q_values: dict = field(default_factory=dict)  # "annual", "seasonal": after false discovery rate control
    family: int = 0                  # Mann-Kendall tests controlled together
    left_out: list[str] = field(default_factory=list)  # the lockdown years the check below leaves out
    without: dict = field(default_factory=dict)  # "annual", "seasonal": the Mann-Kendall tests without them

    def significant(self, which: str) -> bool:
        """A Mann-Kendall trend (``annual`` or ``seasonal``) that survives the control."""
        return self.q_values.get(which, 1.0) < SIGNIFICANCE_LEVEL


def with_trend_control(results: dict) -> dict:
    """Benjamini-Hochberg across the Mann-Kendall tests (annual and seasonal) of every
    TrendResult given; other values (reasons there is no result) pass through."""
    tested = [(m, which) for m, r in results.items() if isinstance(r, TrendResult) for which in ("annual", "seasonal")]
    if not tested:
        return results
    p_values = [(results[m].mann_kendall if which == "annual" else results[m].seasonal_mann_kendall).p
                for m, which in tested]
    q_values = false_discovery_q_values(p_values)
    for (m, which), q in zip(tested, q_values):
        results[m].q_values[which] = float(q)
        results[m].family = len(tested)
    return results


def _when_four_years(values: pd.Series, quarter: Quarter) -> str:
    """When the monthly series will hold four complete financial years (and so 48 months)."""
    if not len(values):
        return ""
    first = values.index[0].date()
    first_april = first.replace(month=4, day=1) if first.month <= 4 else first.replace(year=first.year + 1, month=4, day=1)
    fourth_end = add_months(first_april, 47)
    return f": {ready_after(quarter.end, months_between(quarter.end, fourth_end))}"


def complete_financial_years(values: pd.Series, quarter: Quarter) -> pd.Series:
    """Totals of the financial years that end on or before the quarter's end."""
    totals = values.groupby(_financial_year(values.index)).agg(["sum", "count"])
    totals = totals[totals["count"] == 12]["sum"]
    last_complete = quarter.fy_start - (0 if quarter.number == 4 else 1)
    return totals[totals.index <= last_complete]


def _contrast(fit, design: pd.DataFrame, weights_then: np.ndarray, weights_now: np.ndarray, alike: float) -> Interval:
    """exp of the trend's change between two weightings of the months, with its interval; the
    variance is ``alike`` times the fit's and the degrees of freedom ``alike`` times fewer."""
    trend = [c for c in design.columns if c.startswith(("cr(", "years"))]
    c = np.zeros(len(design.columns))
    positions = [design.columns.get_loc(col) for col in trend]
    c[positions] = (weights_now - weights_then) @ design[trend].to_numpy()
    return _interval(float(c @ fit.params.to_numpy()), float(np.sqrt(alike * c @ fit.cov_params().to_numpy() @ c)),
                     fit.df_resid / alike)


def _interval(estimate: float, se: float, df: float) -> Interval:
    """exp of a log-scale estimate with its t interval and p-value."""
    margin = interval_quantile(df) * se
    p_value = float(2 * stats.t.sf(abs(estimate) / se, df)) if se > 0 else 1.0
    return Interval(float(np.exp(estimate)), float(np.exp(estimate - margin)), float(np.exp(estimate + margin)), p_value)


def _window(n: int, rows: slice) -> np.ndarray:
    weights = np.zeros(n)
    weights[rows] = 1.0
    return weights / weights.sum()


def fit_trend(frame: pd.DataFrame) -> TrendModel:
    n = len(frame)
    linear_design = design_matrix(frame, "years")
    curve_design = design_matrix(frame, f"cr(years, df={max(3, n // 36)}, constraints='center')")
    linear, curve = fit_quasi_poisson(frame, linear_design), fit_quasi_poisson(frame, curve_design)
    ar = UsualVariation(curve, curve_design, frame, max(float(curve.scale), 1.0)).autocorrelation
    alike = (1 + ar) / (1 - ar)  # how many times more a slow trend varies when neighbouring months are alike
    extra = linear.df_resid - curve.df_resid
    f_statistic = (linear.deviance - curve.deviance) / extra / curve.scale / alike
    linearity_p = float(stats.f.sf(f_statistic, extra, curve.df_resid / alike))
    bends = linearity_p < SIGNIFICANCE_LEVEL
    design = curve_design if bends else linear_design
    fit = curve if bends else linear
    overall = _contrast(fit, design, _window(n, slice(0, 12)), _window(n, slice(n - 12, n)), alike)
    per_year = peak = since_peak = None
    if not bends:
        per_year = _interval(float(fit.params["years"]), float(fit.bse["years"]) * np.sqrt(alike), fit.df_resid / alike)
    else:
        trend_columns = [c for c in design.columns if c.startswith("cr(")]
        level = design[trend_columns].to_numpy() @ fit.params[trend_columns].to_numpy()
        top = int(np.argmax(level))
        if 6 <= top <= n - 7:
            peak = frame["period_start"].iloc[top].date()
            since_peak = _contrast(fit, design, _window(n, slice(top, top + 1)), _window(n, slice(n - 1, n)), alike)
    return TrendModel("curve" if bends else "straight line", linearity_p, max(float(curve.scale), 1.0), n, ar,
                      per_year, overall, peak, since_peak, fit)


def trend_tests(series: pd.DataFrame, quarter: Quarter, periods) -> TrendResult:
    """The three views on data up to the end of ``quarter``, and the regression again with the
    lockdown months left out as a sensitivity check."""
    values = monthly_series(series, quarter)
    annual = complete_financial_years(values, quarter)
    if len(annual) < 4 or len(values) < MIN_HISTORY_MONTHS:
        raise NotEnoughHistory(f"{len(annual)} complete financial years up to {month_label(quarter.end)}; "
                               f"trend tests need at least four{_when_four_years(values, quarter)}")
    frame = monthly_frame(values, periods)
    model = fit_trend(frame)
    sensitivity = fit_trend(frame[frame["lockdown"] == 0].reset_index(drop=True))
    mean = model.fit.fittedvalues.to_numpy()
    spread = 1.96 * np.sqrt(model.dispersion * mean)
    fitted = pd.DataFrame({"period_start": frame["period_start"], "observed": frame["y"], "fitted": mean,
                           "lower": np.maximum(mean - spread, 0), "upper": mean + spread,
                           "lockdown": frame["lockdown"]})
    result = TrendResult([fy_label(y) for y in annual.index], [float(v) for v in annual],
                         mk.original_test(annual.to_numpy()), mk.correlated_seasonal_test(values.to_numpy(), period=12),
                         model, sensitivity, fitted)
    out = lockdown_years(frame)
    kept = annual[~annual.index.isin(out)]
    if out and len(kept) >= 4:
        months = values[~_financial_year(values.index).isin(out)]
        result.left_out = [fy_label(year) for year in out]
        result.without = {"annual": mk.original_test(kept.to_numpy()),
                          "seasonal": mk.correlated_seasonal_test(months.to_numpy(), period=12)}
    return result


def lockdown_years(frame: pd.DataFrame) -> list[int]:
    """The complete financial years (by the year they start) with at least LOCKDOWN_YEAR_SHARE
    of their days under lockdown: the trend tests are checked without them."""
    years = _financial_year(pd.DatetimeIndex(frame["period_start"]))
    locked = (frame["lockdown"] * frame["days"]).groupby(years).sum()
    days = frame["days"].groupby(years).agg(["sum", "count"])
    return [int(year) for year in locked.index
            if days.loc[year, "count"] == 12 and locked[year] >= LOCKDOWN_YEAR_SHARE * days.loc[year, "sum"]]


def _financial_year(index: pd.DatetimeIndex) -> pd.Index:
    return pd.Index(index.year - (index.month < 4))
