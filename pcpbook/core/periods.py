"""Financial-year quarters and months.

A police financial year runs April to March. Quarter ``2023-24-Q2`` is July-September 2023.
Both ``2023-24-Q2`` (the canonical id) and ``2023/24 Q2`` (the form in published reports)
are accepted; anything else is refused with a message that shows the expected form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_QUARTER_FORMS = re.compile(r"^(\d{4})(?:-|/)(\d{2})(?:-| )Q([1-4])$")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")


class PeriodError(ValueError):
    """A period label that cannot be understood."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a financial year: ``fy_start`` is the calendar year the FY begins in."""

    fy_start: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = _QUARTER_FORMS.fullmatch(str(text).strip())
        if not match:
            raise PeriodError(
                f"unknown quarter {text!r}: expected a financial-year quarter such as "
                f"'2023-24-Q2' or '2023/24 Q2'")
        start, end_yy, number = int(match[1]), int(match[2]), int(match[3])
        if (start + 1) % 100 != end_yy:
            raise PeriodError(
                f"unknown quarter {text!r}: {start} must be followed by "
                f"{(start + 1) % 100:02d}, as in '{start}-{(start + 1) % 100:02d}-Q{number}'")
        return cls(start, number)

    @classmethod
    def containing(cls, day: dt.date) -> "Quarter":
        fy_start = day.year if day.month >= 4 else day.year - 1
        return cls(fy_start, (day.month - 4) % 12 // 3 + 1)

    @property
    def id(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        """The form used in published reports, e.g. ``2023/24 Q2``."""
        return f"{fy_label(self.fy_start)} Q{self.number}"

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.number - 1)
        year = self.fy_start + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, k) for k in range(3)]

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        return add_months(self.start, 3) - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def month_span(self) -> str:
        """E.g. ``July to September 2023``."""
        first, last = self.months[0], self.months[-1]
        if first.year == last.year:
            return f"{MONTH_NAMES[first.month - 1]} to {MONTH_NAMES[last.month - 1]} {last.year}"
        return (f"{MONTH_NAMES[first.month - 1]} {first.year} to "
                f"{MONTH_NAMES[last.month - 1]} {last.year}")

    def shift(self, quarters: int) -> "Quarter":
        index = self.fy_start * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def previous(self) -> "Quarter":
        return self.shift(-1)

    def same_quarter_last_year(self) -> "Quarter":
        return self.shift(-4)

    def __str__(self) -> str:
        return self.id


def fy_label(fy_start: int) -> str:
    """``2015`` -> ``2015/16``."""
    return f"{fy_start}/{(fy_start + 1) % 100:02d}"


_FY_FORMS = re.compile(r"^(\d{4})[-/](\d{2})$")


def parse_fy(text: str) -> int:
    """``2015/16`` or ``2015-16`` -> ``2015`` (the calendar year the financial year starts in)."""
    match = _FY_FORMS.fullmatch(str(text).strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise PeriodError(f"unknown financial year {text!r}: expected a form such as '2015/16'")
    return int(match[1])


def fy_start_date(fy_start: int) -> dt.date:
    return dt.date(fy_start, 4, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """How many months the month of ``later`` is after the month of ``earlier``."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def month_label(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def day_label(day: dt.date) -> str:
    """31 March 2018."""
    return f"{day.day} {day:%B %Y}"


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    count = (last.fy_start * 4 + last.number) - (first.fy_start * 4 + first.number)
    return [first.shift(k) for k in range(count + 1)]


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
