"""Comparisons between periods, recomputed from the data (never copied from a document)."""

from __future__ import annotations

from dataclasses import dataclass

from .data import Dataset, Value
from .periods import Quarter, add_months

SAME_QUARTER_LAST_YEAR = "same_quarter_last_year"
LAST_QUARTER = "last_quarter"
ROLLING_12_MONTHS = "rolling_12_months"


@dataclass(frozen=True)
class Comparison:
    """``current`` against ``baseline`` for one measure; ``kind`` names the comparison."""

    kind: str
    current: Value
    baseline: Value

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
        order = ("published", "provisional", "modelled")
        return max(statuses, key=order.index) if statuses else None


def compare(dataset: Dataset, measure_id: str, current_start, baseline_start, months: int,
            kind: str) -> Comparison:
    return Comparison(kind, dataset.value(measure_id, current_start, months),
                      dataset.value(measure_id, baseline_start, months))


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
