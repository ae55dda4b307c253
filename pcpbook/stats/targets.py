"""Judging a measure against a target, with the arithmetic a reader can check.

The path to a target is the straight line from the baseline (its value on its date) to the
target level on the target date. Before the date a measure is *met* when it has reached the
level, *on course* when it is at or beyond the path, and *off course* otherwise; on or after
the date it is *met* or *missed*. A headcount is a full count at a date and is read as it is.
A count of events varies by chance: its 12-month total is judged with its 95% interval from
the measure's own dispersion (quasi-Poisson), so it is off course only when the whole interval
lies on the wrong side of the path, and met only when the whole interval has reached the level.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from pcpbook.stats.policy import interval_quantile

MET, ON_COURSE, OFF_COURSE, MISSED = "met", "on course", "off course", "missed"


@dataclass(frozen=True)
class Judgement:
    """Where a measure stands against its target on ``as_at``."""

    verdict: str
    target: float          # the level to reach
    baseline: float | None
    path: float | None     # the straight path's value on ``as_at`` (None after the date, or for a rank)
    elapsed: float | None  # the share of the time from the baseline to the target date gone by
    value: float
    lower: float           # the value's 95% interval (the value itself for a full count)
    upper: float
    as_at: dt.date
    by: dt.date
    lower_is_better: bool = False

    @property
    def still_needed(self) -> float:
        """How far the value still is from the target level (0 once reached)."""
        return max(0.0, (self.value - self.target) if self.lower_is_better else (self.target - self.value))


def target_level(kind: str, amount: float, baseline: float | None) -> float:
    """The level a target asks for: the level itself, the baseline plus a change, or the
    baseline changed by a percentage (doubling is +100%)."""
    if kind in ("level", "rank"):
        return amount
    if kind == "change":
        return baseline + amount
    return baseline * (1 + amount / 100)


def path_value(baseline: float, since: dt.date, target: float, by: dt.date, as_at: dt.date) -> tuple[float, float]:
    """The straight path's value on ``as_at`` and the share of the time gone by."""
    elapsed = min(1.0, max(0.0, (as_at - since).days / (by - since).days))
    return baseline + (target - baseline) * elapsed, elapsed


def count_interval(total: float, dispersion: float, df: float) -> tuple[float, float]:
    """A 95% interval for a 12-month count whose variance is ``dispersion`` times its mean
    (on the log scale, as the comparisons' tests are; half a count added to a zero). The caller
    gives the dispersion of the 12-month total: a month's, times how alike its months are."""
    count = total if total > 0 else 0.5
    margin = interval_quantile(df) * math.sqrt(dispersion / count)
    return count * math.exp(-margin), count * math.exp(margin)


def judge(target: float, baseline: float | None, since: dt.date | None, by: dt.date, value: float,
          as_at: dt.date, interval: tuple[float, float] | None = None, lower_is_better: bool = False) -> Judgement:
    """The verdict on ``value`` (with its interval, when it varies by chance) on ``as_at``.
    Without a baseline (a rank) there is no path: met or, before the date, off course."""
    lower, upper = interval if interval is not None else (value, value)
    sign = -1 if lower_is_better else 1
    worst, best = (upper, lower) if lower_is_better else (lower, upper)
    reached = sign * (worst - target) >= 0
    path = elapsed = None
    if as_at < by and baseline is not None:
        path, elapsed = path_value(baseline, since, target, by, as_at)
    if reached or as_at >= by:
        verdict = MET if reached else MISSED
    elif path is None:
        verdict = OFF_COURSE
    else:
        verdict = ON_COURSE if sign * (best - path) >= 0 else OFF_COURSE
    return Judgement(verdict, target, baseline, path, elapsed, value, lower, upper, as_at, by, lower_is_better)
