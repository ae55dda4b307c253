"""The three kinds of measure, each an object that says how its values behave, so no stage
switches on the kind's name: how a window's observations make one value, which series a chart
or test uses, which test a change gets unless the catalogue names another, and how a value and
a change are written and drawn.

- a **count** (crimes, calls, casualties) is recorded month by month and adds up over a window;
- a **snapshot** (officers in post) is a headcount at a date: a window's value is its last one,
  and a change in it is not a sample, so it is never tested;
- a **percent** (a survey's result) is published quarter by quarter: a window's value is the
  average of its quarters, and its changes are in percentage points.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureKind:
    name: str
    series_period: str       # the period of the series a chart or test uses
    step_months: int         # months from one observation of that series to the next
    adds_up: bool            # a window's value is the sum of its observations (else their mean)
    default_test: str        # the change test unless the catalogue names another
    in_points: bool          # values carry a % sign and changes are in percentage points
    series_label: str        # what one point of its chart is
    untested_because: str = ""  # why a change in it is never tested

    def combine(self, amounts: list[float]) -> float:
        return sum(amounts) if self.adds_up else round(sum(amounts) / len(amounts), 1)

    def text(self, amount: float, number) -> str:
        """``amount`` as a page writes it, ``number`` being the house style for numbers."""
        return f"{number(amount)}%" if self.in_points else number(amount)

    @property
    def cadence(self) -> str:
        return "quarter" if self.step_months == 3 else "month"


COUNT = MeasureKind("count", "month", 1, True, "poisson", False, "Monthly count")
SNAPSHOT = MeasureKind("snapshot", "snapshot", 1, False, "none", False, "Headcount at month end",
                       untested_because="a headcount is a complete count, not a sample")
PERCENT = MeasureKind("percent", "quarter", 3, False, "proportion", True, "Quarterly survey result (%)")
MEASURE_KINDS = {kind.name: kind for kind in (COUNT, SNAPSHOT, PERCENT)}
