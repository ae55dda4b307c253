"""Control charts that respect season, in the NHS "Making Data Count" style.

Each month is first adjusted for the usual seasonal pattern and its length (the calendar-month
effects of the measure's usual-variation model, ``models``), so an ordinary short February is
not a signal. Limits come from a baseline of recent months that skips catalogue breaks and
lockdown months: an XmR chart (centre +/- 2.66 mean moving ranges; Wheeler) on the adjusted
values, or, for small counts, Poisson probability limits around each month's seasonal
expectation. Four rules find signals: a month outside the limits; a 7th month in a row on one
side of the centre; a 7th month in a row rising or falling; 2 of 3 months beyond two sigma on
the same side.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pcpbook.core.periods import Quarter
from pcpbook.stats.models import MAX_HISTORY_MONTHS, NotEnoughHistory, month_days, usual_variation
from pcpbook.stats.policy import MIN_CONTROL_BASELINE_MONTHS, SMALL_MONTHLY_COUNT
from pcpbook.stats.seasonal import monthly_series

BASELINE_MONTHS = 24
RUN_LENGTH = 7
THREE_SIGMA_TAIL = stats.norm.sf(3)   # 0.00135
TWO_SIGMA_TAIL = stats.norm.sf(2)     # 0.02275
XMR_SIGMA = 1 / 1.128                 # sigma per mean moving range (d2 for pairs)
RULES = {"above": "above the upper limit", "below": "below the lower limit",
         "run high": f"in a run of {RUN_LENGTH} or more months above the centre",
         "run low": f"in a run of {RUN_LENGTH} or more months below the centre",
         "rising": f"in a run of {RUN_LENGTH} or more months each higher than the last",
         "falling": f"in a run of {RUN_LENGTH} or more months each lower than the last",
         "near high": "2 of 3 months near the upper limit (beyond two sigma)",
         "near low": "2 of 3 months near the lower limit (beyond two sigma)"}


@dataclass
class ControlChart:
    """Limits and signals for a quarter's months. ``frame`` has one row per month of the
    baseline and the quarter: period_start, observed, factor (season and length), adjusted,
    expected, lower, upper (in the measure's own units), baseline (bool), rules."""

    method: str               # "xmr" or "poisson"
    centre: float             # seasonally adjusted level a month
    lower: float | None       # XmR limits on adjusted values, at the precision the flags use
    upper: float | None
    decimals: int
    frame: pd.DataFrame
    left_out: str             # what the baseline skipped, in words ("" when nothing)

    @property
    def baseline(self) -> pd.DataFrame:
        return self.frame[self.frame["baseline"]]

    @property
    def baseline_months(self) -> int:
        return len(self.baseline)

    @property
    def baseline_start(self) -> dt.date:
        return self.baseline["period_start"].iloc[0]

    @property
    def baseline_end(self) -> dt.date:
        return self.baseline["period_start"].iloc[-1]

    @property
    def judged(self) -> pd.DataFrame:
        return self.frame[~self.frame["baseline"]]

    @property
    def signals(self) -> pd.DataFrame:
        judged = self.judged
        return judged[judged["rules"].map(bool)]


def _average_month_days(month: int) -> float:
    return 28.25 if month == 2 else calendar.monthrange(2001, month)[1]


def _baseline_months(values: pd.Series, quarter: Quarter, measure) -> tuple[list, str]:
    """Up to BASELINE_MONTHS months before the quarter, after its last catalogue break and
    without lockdown months."""
    breaks = [d.date for d in measure.discontinuities if d.end is None and d.date <= quarter.start]
    first_allowed = max(breaks, default=dt.date.min)
    months = [d.date() for d in values.index if d.date() < quarter.start]
    after_break = [m for m in months if m >= first_allowed]
    kept = [m for m in after_break if not any(p.covers_month(m) for p in measure.periods)]
    baseline = kept[-BASELINE_MONTHS:]
    skipped = []
    if baseline and any(baseline[0] < m < baseline[-1] for m in set(after_break) - set(kept)):
        skipped.append("months under COVID-19 lockdown")
    if breaks and len(baseline) < BASELINE_MONTHS and months and months[0] < first_allowed:
        note = next(d.note for d in measure.discontinuities if d.date == first_allowed)
        skipped.append(f"months before {first_allowed.day} {first_allowed:%B %Y} ({note})")
    return baseline, " and ".join(skipped)


def control_chart(series: pd.DataFrame, quarter: Quarter, measure) -> ControlChart:
    """The quarter's months judged against limits from the months before it."""
    values = monthly_series(series, quarter)
    before = values[values.index < pd.Timestamp(quarter.start)]
    try:
        season = usual_variation(before.iloc[-MAX_HISTORY_MONTHS:], measure.periods)
    except NotEnoughHistory as exc:
        raise NotEnoughHistory(f"{exc} (there are {len(before)} before {quarter.label})") from None
    baseline, left_out = _baseline_months(values, quarter, measure)
    if len(baseline) < MIN_CONTROL_BASELINE_MONTHS:
        raise NotEnoughHistory(f"only {len(baseline)} comparable months before {quarter.label} to set limits from "
                               f"(at least {MIN_CONTROL_BASELINE_MONTHS} are needed)")
    months = baseline + [m for m in quarter.months if pd.Timestamp(m) in values.index]
    norm = np.mean([_average_month_days(k) * season.seasonal_factor(k) for k in range(1, 13)])
    frame = pd.DataFrame({"period_start": months, "observed": [values[pd.Timestamp(m)] for m in months]})
    frame["factor"] = [month_days(m) * season.seasonal_factor(m.month) / norm for m in months]
    frame["baseline"] = [m < quarter.start for m in months]
    adjusted = frame["observed"] / frame["factor"]
    centre = float(adjusted[frame["baseline"]].mean())
    decimals = 0 if centre >= SMALL_MONTHLY_COUNT else 1  # whole counts, but tenths of a small one (audit W12)
    frame["adjusted"] = adjusted.round(decimals)
    centre = round(centre, decimals)
    if centre < SMALL_MONTHLY_COUNT:
        chart = _poisson_limits(frame, centre, decimals)
    else:
        chart = _xmr_limits(frame, centre, decimals, _estimated_season_allowance(season.months / 12))
    chart.left_out = left_out
    return chart


def _estimated_season_allowance(years: float) -> float:
    """How much wider the spread of a judged month is than the baseline's moving ranges show.
    Each calendar month's factor is estimated from about ``years`` values: a baseline month
    helped estimate its own factor (its variance shrinks by 1 - 1/years), a judged month did
    not (its variance grows by 1 + 1/years)."""
    return float(np.sqrt((1 + 1 / years) / (1 - 1 / years)))


def _xmr_limits(frame: pd.DataFrame, centre: float, decimals: int, allowance: float) -> ControlChart:
    sigma = float(np.abs(np.diff(frame.loc[frame["baseline"], "adjusted"])).mean()) * XMR_SIGMA * allowance
    lower, upper = round(max(centre - 3 * sigma, 0.0), decimals), round(centre + 3 * sigma, decimals)
    frame["expected"] = centre * frame["factor"]
    frame["lower"], frame["upper"] = lower * frame["factor"], upper * frame["factor"]
    value = frame["adjusted"]
    side = np.sign(value - centre)
    outside = np.where(value > upper, "above", np.where(value < lower, "below", ""))
    near = np.where(value > centre + 2 * sigma, 1, np.where(value < centre - 2 * sigma, -1, 0))
    frame["rules"] = _rules(value.to_numpy(), side, outside, near)
    return ControlChart("xmr", centre, lower, upper, decimals, frame, "")


def _poisson_limits(frame: pd.DataFrame, centre: float, decimals: int) -> ControlChart:
    expected = centre * frame["factor"]
    frame["expected"] = expected
    frame["lower"] = stats.poisson.ppf(THREE_SIGMA_TAIL, expected)
    frame["upper"] = stats.poisson.ppf(1 - THREE_SIGMA_TAIL, expected)
    observed = frame["observed"]
    side = np.sign(frame["adjusted"] - centre)
    outside = np.where(observed > frame["upper"], "above", np.where(observed < frame["lower"], "below", ""))
    near = np.where(observed > stats.poisson.ppf(1 - TWO_SIGMA_TAIL, expected), 1,
                    np.where(observed < stats.poisson.ppf(TWO_SIGMA_TAIL, expected), -1, 0))
    frame["rules"] = _rules(frame["adjusted"].to_numpy(), side, outside, near)
    return ControlChart("poisson", centre, None, None, decimals, frame, "")


def _rules(adjusted: np.ndarray, side: np.ndarray, outside: np.ndarray, near: np.ndarray) -> list[tuple[str, ...]]:
    """For each month the rules it breaks, judged on the months up to and including it."""
    found = []
    steps = np.sign(np.diff(adjusted, prepend=np.nan))
    for i in range(len(adjusted)):
        rules = [RULES[outside[i]]] if outside[i] else []
        window = slice(i - RUN_LENGTH + 1, i + 1)
        if i >= RUN_LENGTH - 1 and side[i] != 0 and (side[window] == side[i]).all():
            rules.append(RULES["run high" if side[i] > 0 else "run low"])
        if i >= RUN_LENGTH - 1 and steps[i] != 0 and (steps[i - RUN_LENGTH + 2:i + 1] == steps[i]).all():
            rules.append(RULES["rising" if steps[i] > 0 else "falling"])
        if near[i] != 0 and i >= 2 and (near[i - 2:i + 1] == near[i]).sum() >= 2:
            rules.append(RULES["near high" if near[i] > 0 else "near low"])
        found.append(tuple(rules))
    return found
