"""Comparisons an edition makes from the data: each measure's periods compared (same quarter
last year, last quarter, rolling 12 months; a closure review's baseline year against its end),
each with the test from ``stats.change_tests`` that fits the measure, and the edition's family of
tests under false discovery rate control, computed once per edition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from pcpbook.analysis.once import once
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure, Value, weakest
from pcpbook.core.periods import Quarter, add_months, fy_start_date, month_label, months_between
from pcpbook.stats.change_tests import ChangeTest, count_change_test, proportion_test, seasonal_movement, untested
from pcpbook.stats.models import MAX_HISTORY_MONTHS, NotEnoughHistory, ready_after, usual_variation
from pcpbook.stats.policy import MIN_HISTORY_MONTHS, false_discovery_q_values
from pcpbook.stats.rates import MIN_HISTORY_QUARTERS, quarterly_offences, rate_change_test, rate_variation

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
    test: ChangeTest = field(default_factory=lambda: untested("not tested"), compare=False)
    break_between: str = field(default="", compare=False)  # a recording change between the periods: why not comparable

    @property
    def complete(self) -> bool:
        return self.current.amount is not None and self.baseline.amount is not None

    @property
    def comparable(self) -> bool:
        """Both figures there and counted the same way: a change between them means something."""
        return self.complete and not self.break_between

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


# ----------------------------------------------------------------------------- comparisons


def change_test(measure: Measure, current: Value, baseline: Value, history, offences=()) -> ChangeTest:
    """The test that fits the measure; ``history`` is its UsualVariation (a RateVariation for a
    share of a count, with the ``offences`` the two rates are shares of), or the reason
    (NotEnoughHistory) there is none."""
    if current.amount is None or baseline.amount is None:
        return untested("there is nothing to compare with")
    if measure.behaviour.untested_because:
        return untested(measure.behaviour.untested_because)
    if measure.test == "none":
        return untested(measure.test_note)
    if measure.test == "proportion":
        return proportion_test(current.amount, baseline.amount, measure.sample_size * (current.months // 3 or 1),
                               measure.design_effect)
    if isinstance(history, NotEnoughHistory):
        return untested(str(history))
    apart = abs((current.start.year - baseline.start.year) * 12 + current.start.month - baseline.start.month)
    if measure.share_of:
        if None in offences:
            return untested(f"the data hold no {measure.noun} for one of the periods, and the test weighs each "
                            "rate by them")
        return rate_change_test(current.amount, baseline.amount, *offences, history, current.months // 3, apart // 3)
    if current.start.month != baseline.start.month and current.months < 12:  # month lengths are in the movement
        seasonal = seasonal_movement(history, current.start, baseline.start, current.months)
        return count_change_test(current.amount, baseline.amount, history, current.months, apart, *seasonal)
    days = (current.days, baseline.days)
    return count_change_test(current.amount, baseline.amount, history, current.months, apart,
                             days=days if days[0] != days[1] else None)


def history_before(dataset: Dataset, measure: Measure, start, months: int | None = MAX_HISTORY_MONTHS,
                   set_aside: bool = True, geography: str | None = None):
    """The measure's usual variation fitted to the months before ``start`` (the last ``months``
    of them; all when None), or NotEnoughHistory saying why there is none. Months touched by a
    lockdown or counted differently (a recording period) are set aside first, so the pandemic's
    swings do not pass for usual variation (``set_aside=False``: kept, to show the difference).
    A share of a count has its quarterly history instead (``rate_history_before``). In the
    book's force, or in ``geography`` (a district)."""
    if measure.share_of:
        return rate_history_before(dataset, measure, start, months, geography)
    if not measure.has_usual_variation:
        return None
    series = dataset.monthly(measure.id, add_months(start, -1), geography)
    values = pd.Series(series["value"].to_numpy(dtype=float), index=pd.to_datetime(series["period_start"]))
    aside = pd.Series([set_aside and _unusual(month.date(), measure) for month in values.index], index=values.index)
    kept = values[~aside]
    kept = kept.iloc[-months:] if months else kept
    try:
        return usual_variation(kept, measure.periods, int(aside[kept.index[0]:kept.index[-1]].sum()) if len(kept) else 0,
                               measure.level_shifts)
    except NotEnoughHistory:
        if values.empty:
            return NotEnoughHistory(f"the data hold no monthly figures of it before {month_label(start)}, and its usual "
                                    f"variation is measured from at least {MIN_HISTORY_MONTHS} of them")
        return NotEnoughHistory(f"only {len(kept)} usable months of data come before {month_label(start)}, and at "
                                f"least {MIN_HISTORY_MONTHS} are needed to measure its usual variation",
                                MIN_HISTORY_MONTHS - len(kept))


def rate_history_before(dataset: Dataset, measure: Measure, start, months: int | None = MAX_HISTORY_MONTHS,
                        geography: str | None = None):
    """A rate's usual variation fitted to the quarters before ``start`` for which the data hold
    both the rate and the count it is a share of (the last ``months`` of them; all when None),
    in the book's force or in ``geography``."""
    rates = dataset.monthly(measure.id, add_months(start, -1), geography)
    rates = pd.Series(rates["value"].to_numpy(dtype=float), index=pd.to_datetime(rates["period_start"]))
    offences = quarterly_offences(dataset.monthly(measure.share_of, add_months(start, -1), geography))
    both = rates.index.intersection(offences.index)
    both = both[-(months // 3):] if months else both
    try:
        return rate_variation(rates[both], offences[both], measure.periods, measure.level_shifts)
    except NotEnoughHistory as short:
        return NotEnoughHistory(f"only {len(both)} quarters with both the rate and its {measure.noun} come before "
                                f"{month_label(start)}, and at least {MIN_HISTORY_QUARTERS} are needed to measure its "
                                "usual variation", short.short_by)


def lockdown_days(measure: Measure, value: Value) -> int:
    """How many of the days a value covers fell in one of the measure's lockdowns."""
    return sum(max(0, (min(value.end, period.end) - max(value.start, period.date)).days + 1) for period in measure.periods)


def _unusual(month: dt.date, measure: Measure) -> bool:
    """Whether any day of the month was under lockdown or in a period the series counted differently."""
    last = add_months(month, 1) - dt.timedelta(days=1)
    return any(item.end is not None and item.date <= last and month <= item.end for item in measure.discontinuities)


def compare(dataset: Dataset, measure_id: str, current_start, baseline_start, months: int, kind: str,
            history=None, geography: str | None = None) -> Comparison:
    """``months`` from ``current_start`` against as many from ``baseline_start``, in the book's
    force or in ``geography`` (a district); the usual variation comes from the months before
    the earlier of the two unless ``history`` is given."""
    measure = dataset.measures[measure_id]
    current = dataset.value(measure_id, current_start, months, geography)
    baseline = dataset.value(measure_id, baseline_start, months, geography)
    change = recording_change_between(measure, (current.start, current.end), (baseline.start, baseline.end))
    if change:
        return Comparison(kind, current, baseline, untested(change), break_between=change)
    if history is None:
        history = history_before(dataset, measure, min(current.start, baseline.start), geography=geography)
    if isinstance(history, NotEnoughHistory):
        history = _with_when(dataset, measure, history, current, min(current.start, baseline.start), geography)
    offences = tuple(dataset.value(measure.share_of, value.start, value.months, geography).amount
                     for value in (current, baseline)) if measure.share_of else ()
    return Comparison(kind, current, baseline, change_test(measure, current, baseline, history, offences))


def _with_when(dataset: Dataset, measure: Measure, history: NotEnoughHistory, current: Value, start,
               geography: str | None = None) -> NotEnoughHistory:
    """The reason there is no test, with the edition that will have the history it needs: from
    the months short, or, when monthly figures begin after ``start``, from the first of them."""
    short_by = history.short_by
    if short_by is None:
        months = dataset.monthly(measure.id, current.end, geography)
        if months.empty:
            return history
        short_by = MIN_HISTORY_MONTHS + months_between(start, months["period_start"].iloc[0])
    return NotEnoughHistory(f"{history}: {ready_after(current.end, short_by)}")


def recording_change_between(measure: Measure, *windows: tuple[dt.date, dt.date]) -> str:
    """Why figures for ``windows`` (first and last days) are not comparable, or empty when
    they are: a change in what the series counts falls within or between them, or a period
    counted differently (such as COVID-19 breaches logged as anti-social behaviour) holds part
    of one or all of one and not the other."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    for item in measure.discontinuities:
        if not item.recording:
            continue
        if item.end is None and first < item.date <= last:
            return f"what the series counts changed on {item.date.day} {item.date:%B %Y} ({item.note})"
        if item.end is not None and {_place(window, item) for window in windows} not in ({"outside"}, {"inside"}):
            return (f"from {item.date.day} {item.date:%B %Y} to {item.end.day} {item.end:%B %Y} the series counted "
                    f"differently ({item.note})")
    return ""


def _place(window: tuple[dt.date, dt.date], period) -> str:
    """Where a window lies against a period: "inside", "outside" or "across" it."""
    start, end = window
    if end < period.date or start > period.end:
        return "outside"
    return "inside" if period.date <= start and end <= period.end else "across"


def quarter_comparisons(dataset: Dataset, measure_id: str, quarter: Quarter) -> list[Comparison]:
    """The comparisons a chapter reports for a measure in ``quarter``: always the same quarter
    last year; last quarter where the catalogue asks for it; the rolling 12 months for counts.
    Each test is on its own; ``edition_comparisons`` controls the false discovery rate."""
    measure = dataset.measures[measure_id]
    comparisons = [compare(dataset, measure_id, quarter.start, quarter.same_quarter_last_year().start,
                           3, SAME_QUARTER_LAST_YEAR)]
    if measure.last_quarter:
        comparisons.append(compare(dataset, measure_id, quarter.start, quarter.previous().start, 3, LAST_QUARTER))
    if measure.behaviour.adds_up:
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
    q_values = false_discovery_q_values([by_measure[m][i].test.p_value for m, i in tested])
    controlled = {m: list(comparisons) for m, comparisons in by_measure.items()}
    for (m, i), q in zip(tested, q_values):
        comparison = controlled[m][i]
        controlled[m][i] = replace(comparison, test=replace(comparison.test, q_value=float(q), family=len(tested)))
    return controlled


def edition_comparisons(dataset: Dataset, measure_ids, quarter: Quarter) -> dict[str, list[Comparison]]:
    """Every comparison of an edition (all its plan's measures), tested together; computed
    once per dataset and quarter, so each chapter of the edition sees the same family."""
    ids = tuple(dict.fromkeys(measure_ids))
    return once(dataset, ("edition", ids, quarter),
                lambda: with_false_discovery_control({m: quarter_comparisons(dataset, m, quarter) for m in ids}))


def review_comparisons(dataset: Dataset, measure_ids, baseline_year: int, end_year: int) -> dict[str, Comparison]:
    """A closure review's baseline-to-end comparisons, tested together."""
    ids = tuple(dict.fromkeys(measure_ids))
    def compute():
        controlled = with_false_discovery_control({m: [year_comparison(dataset, m, baseline_year, end_year)]
                                                   for m in ids})
        return {m: comparisons[0] for m, comparisons in controlled.items()}
    return once(dataset, ("review", ids, baseline_year, end_year), compute)
