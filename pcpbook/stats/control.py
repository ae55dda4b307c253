"""Control charts that respect season, in the NHS "Making Data Count" style, with limits from
the measure's own model of its usual variation so that low and high months are judged alike.

Each month has an expectation: the level of a baseline of recent months (skipping catalogue
breaks and lockdown months) times the month's calendar-month factor and length, from the
measure's usual-variation model (``models``), so an ordinary short February is not a signal.
Each month's limits are the 3-sigma probability limits of a count with that expectation and the
model's dispersion (Poisson when the months vary no more than chance, negative binomial above),
widened for what is estimated: the seasonal factor, the level, and the dispersion itself (a t
quantile on the model's degrees of freedom, fewer when neighbouring months are alike). Four rules
find signals: a month outside the limits; a run of months on one side of the month's median (7
for independent months, longer when neighbouring months are alike, so that a run is no more
likely than 7 independent months); a 7th month in a row rising or falling; 2 of 3 months beyond
two sigma on the same side.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pcpbook.core.periods import Quarter
from pcpbook.stats.change_tests import alike_months_factor
from pcpbook.stats.models import MAX_HISTORY_MONTHS, NotEnoughHistory, UsualVariation, month_days, usual_variation
from pcpbook.stats.policy import MIN_CONTROL_BASELINE_MONTHS, SMALL_MONTHLY_COUNT
from pcpbook.stats.seasonal import monthly_series

BASELINE_MONTHS = 24
RUN_LENGTH = 7                        # for independent months
THREE_SIGMA_TAIL = stats.norm.sf(3)   # 0.00135
TWO_SIGMA_TAIL = stats.norm.sf(2)     # 0.02275
RULES = {"above": "above the upper limit", "below": "below the lower limit",
         "run high": "in a run of {run} or more months above the centre",
         "run low": "in a run of {run} or more months below the centre",
         "rising": f"in a run of {RUN_LENGTH} or more months each higher than the last",
         "falling": f"in a run of {RUN_LENGTH} or more months each lower than the last",
         "near high": "2 of 3 months near the upper limit (beyond two sigma)",
         "near low": "2 of 3 months near the lower limit (beyond two sigma)"}


@dataclass
class ControlChart:
    """Limits and signals for a quarter's months. ``frame`` has one row per month of the
    baseline and the quarter: period_start, observed, factor (season and length), adjusted,
    expected, lower, upper (whole counts, the month's own limits), baseline (bool), rules."""

    centre: float             # seasonally adjusted level a month
    dispersion: float         # how many times a Poisson count's variance the months vary (>= 1), from the model
    autocorrelation: float    # of neighbouring months, as the limits and the run rule allow for it
    run_length: int           # months in a row on one side that make a signal
    decimals: int             # of adjusted values and the centre
    frame: pd.DataFrame
    left_out: str             # what the baseline skipped, in words ("" when nothing)

    @property
    def poisson(self) -> bool:
        """The baseline varied no more than chance alone would make it."""
        return self.dispersion == 1.0

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


def control_chart(series: pd.DataFrame, quarter: Quarter, measure, season: UsualVariation | None = None) -> ControlChart:
    """The quarter's months judged against limits from the months before it. ``season`` is the
    measure's usual variation before the quarter, as its change tests use it; by default it is
    fitted to the last five years of months before the quarter."""
    values = monthly_series(series, quarter)
    if season is None:
        before = values[values.index < pd.Timestamp(quarter.start)]
        try:
            season = usual_variation(before.iloc[-MAX_HISTORY_MONTHS:], measure.periods, steps=measure.level_shifts)
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
    frame["expected"] = centre * frame["factor"]
    ar, spread = season.autocorrelation, float(np.sqrt(season.dispersion))
    judged_spread = spread * _judged_allowance(season.months / 12, ar, len(baseline))
    three_sigma, two_sigma = (_count_like(frame["expected"], judged_spread * _estimated(spread, season.effective_df, tail))
                              for tail in (THREE_SIGMA_TAIL, TWO_SIGMA_TAIL))
    frame["lower"], frame["upper"] = three_sigma.ppf(THREE_SIGMA_TAIL), three_sigma.ppf(1 - THREE_SIGMA_TAIL)
    observed = frame["observed"].to_numpy()
    outside = np.where(observed > frame["upper"], "above", np.where(observed < frame["lower"], "below", ""))
    near = np.where(observed > two_sigma.ppf(1 - TWO_SIGMA_TAIL), 1,
                    np.where(observed < two_sigma.ppf(TWO_SIGMA_TAIL), -1, 0))
    # the side of the month's median, so that skewed small counts fall on either side equally often
    side = np.sign(observed - _count_like(frame["expected"], judged_spread).median())
    run = run_length(ar)
    frame["rules"] = _rules(frame["adjusted"].to_numpy(), side, outside, near, run)
    return ControlChart(round(centre, decimals), season.dispersion, ar, run, decimals, frame, left_out)


def _judged_allowance(years: float, ar: float, baseline_months: int) -> float:
    """How much more a judged month varies about its expectation than the months themselves do:
    its seasonal factor is estimated from about ``years`` other values of its calendar month,
    and the centre from the baseline's months, which are alike by ``ar``."""
    return float(np.sqrt(1 + 1 / years + alike_months_factor(ar, baseline_months) / baseline_months))


def _estimated(spread: float, df: float, tail: float) -> float:
    """How much wider a limit must be because a spread above chance's was estimated with ``df``
    degrees of freedom, not known: the t quantile over the normal one. A spread at chance's (1)
    is not estimated."""
    return 1.0 if spread == 1.0 else float(stats.t.ppf(1 - tail, df) / stats.norm.ppf(1 - tail))


def _count_like(expected: pd.Series, spread: float):
    """The distribution of a count with the ``expected`` mean and a variance ``spread`` ** 2
    times it (scipy, frozen): Poisson at a spread of 1, negative binomial above."""
    if spread == 1.0:
        return stats.poisson(expected)
    variance_ratio = spread ** 2
    return stats.nbinom(expected / (variance_ratio - 1), 1 / variance_ratio)


def run_length(ar: float) -> int:
    """How many months in a row on one side of the centre are no more likely than 7 independent
    months: neighbouring months alike by ``ar`` fall on the same side with probability
    1/2 + arcsin(ar)/pi rather than 1/2 (for Gaussian months)."""
    same_side = 0.5 + np.arcsin(ar) / np.pi
    return 1 + max(RUN_LENGTH - 1, int(np.ceil((RUN_LENGTH - 1) * np.log(0.5) / np.log(same_side) - 1e-9)))


def _rules(adjusted: np.ndarray, side: np.ndarray, outside: np.ndarray, near: np.ndarray,
           run: int) -> list[tuple[str, ...]]:
    """For each month the rules it breaks, judged on the months up to and including it."""
    found = []
    steps = np.sign(np.diff(adjusted, prepend=np.nan))
    for i in range(len(adjusted)):
        rules = [RULES[outside[i]]] if outside[i] else []
        window = slice(i - run + 1, i + 1)
        if i >= run - 1 and side[i] != 0 and (side[window] == side[i]).all():
            rules.append(RULES["run high" if side[i] > 0 else "run low"].format(run=run))
        if i >= RUN_LENGTH - 1 and steps[i] != 0 and (steps[i - RUN_LENGTH + 2:i + 1] == steps[i]).all():
            rules.append(RULES["rising" if steps[i] > 0 else "falling"])
        if near[i] != 0 and i >= 2 and (near[i - 2:i + 1] == near[i]).sum() >= 2:
            rules.append(RULES["near high" if near[i] > 0 else "near low"])
        found.append(tuple(rules))
    return found
