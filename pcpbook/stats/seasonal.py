"""STL seasonal decomposition of a monthly series (Cleveland et al., 1990; statsmodels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import STL

from pcpbook.core.periods import MONTH_NAMES, Quarter, month_label
from pcpbook.stats.models import NotEnoughHistory, ready_after
from pcpbook.stats.policy import MIN_HISTORY_MONTHS


@dataclass
class Decomposition:
    """STL of a monthly series up to the end of ``quarter`` (robust, period 12).
    ``revision`` is the trend at the previous quarter's end as estimated then and now, when
    there was enough history then: the latest trend moves as months arrive."""

    quarter: Quarter
    frame: pd.DataFrame  # period_start, observed, trend, seasonal, remainder, robust_z, weight, unusual
    trend_now: float
    trend_year_ago: float
    adjusted_quarter: float
    adjusted_last_quarter: float
    seasonal_high: list[str]
    seasonal_low: list[str]
    standouts: pd.DataFrame
    revision: tuple[float, float] | None = None

    @property
    def trend_change(self) -> float:
        return 100 * (self.trend_now - self.trend_year_ago) / self.trend_year_ago

    @property
    def adjusted_change(self) -> float:
        return 100 * (self.adjusted_quarter - self.adjusted_last_quarter) / self.adjusted_last_quarter


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
    if len(values) < MIN_HISTORY_MONTHS:
        short_by = MIN_HISTORY_MONTHS - len(values)
        raise NotEnoughHistory(f"only {len(values)} months of data up to {month_label(quarter.end)}; "
                               f"a seasonal decomposition needs at least {MIN_HISTORY_MONTHS} "
                               f"(three years): {ready_after(quarter.end, short_by)}", short_by)
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
    # the seasonal level per day, so February is not low merely for being short (audit W5)
    recent = ((frame["trend"] + frame["seasonal"]) / frame.index.days_in_month).iloc[-36:]
    by_month = recent.groupby(recent.index.month).mean()
    standouts = frame[(frame.index > last - pd.DateOffset(months=24)) & frame["unusual"]].copy()
    frame.index = frame.index.date
    standouts.index = standouts.index.date
    return Decomposition(
        quarter=quarter, frame=frame.reset_index(names="period_start"),
        trend_now=float(frame["trend"].iloc[-1]), trend_year_ago=float(frame["trend"].iloc[-13]),
        adjusted_quarter=float(adjusted.iloc[-3:].sum()), adjusted_last_quarter=float(adjusted.iloc[-6:-3].sum()),
        seasonal_high=[MONTH_NAMES[m - 1] for m in by_month.nlargest(2).index],
        seasonal_low=[MONTH_NAMES[m - 1] for m in by_month.nsmallest(2).index],
        standouts=standouts.reset_index(names="period_start"),
        revision=_trend_revision(values, float(frame["trend"].iloc[-4])))


def _trend_revision(values: pd.Series, trend_there_now: float) -> tuple[float, float] | None:
    """The trend at the previous quarter's end: as estimated from the data then, and now."""
    earlier = values.iloc[:-3]
    if len(earlier) < MIN_HISTORY_MONTHS:
        return None
    return float(STL(earlier, period=12, robust=True).fit().trend.iloc[-1]), trend_there_now
