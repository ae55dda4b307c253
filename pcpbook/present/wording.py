"""House rules for numbers in words and tables, in one place (DESIGN §6).

- Whole numbers with thousands separators; other values to one decimal place.
- Percentages and percentage points always to one decimal place.
- No percentage change on a base under SMALL_COUNT: the two counts and the difference instead.
- Plurals resolved ("1 measure", "6 measures").
- p-values to three decimals, or "p < 0.001".
"""

from __future__ import annotations

from pcpbook.stats.policy import SMALL_COUNT


def number(amount: float) -> str:
    """Whole numbers with thousands separators; other values to one decimal place."""
    if float(amount).is_integer():
        return f"{int(amount):,}"
    return f"{amount:,.1f}"


def signed_number(amount: float) -> str:
    """"+1,206" for a whole change, "+2.5" for one of a fractional figure (FTE)."""
    return f"{amount:+,.0f}" if float(amount).is_integer() else f"{amount:+,.1f}"


def percent(value: float) -> str:
    """The size of a percentage, one decimal: "13.4%"."""
    return f"{abs(value):.1f}%"


def signed_percent(value: float) -> str:
    """"+3.1%", "-4.5%", "0.0%"."""
    return f"{value:+.1f}%" if round(value, 1) else "0.0%"


def points(value: float) -> str:
    """The size of a change in percentage points, one decimal, always plural: "1.0 percentage points"."""
    return f"{abs(value):.1f} percentage points"


def signed_points(value: float) -> str:
    return f"{value:+.1f}" if round(value, 1) else "0.0"


def in_units(measure, value: float) -> str:
    """A value in its measure's own terms, in the house style: "1,258", "48.6%"."""
    return measure.behaviour.text(value, number)


def variation_name(measure) -> str:
    """What a change is judged against: a survey's sampling variation, or the measure's usual
    variation (a count's from month to month, a share of a count's from quarter to quarter)."""
    return "sampling variation" if measure.test == "proportion" else "usual variation"


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 measure", "6 measures", "2 months"."""
    return f"{number(count)} {one if count == 1 else (many or one + 's')}"


def p_value(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def percent_allowed(baseline: float | None) -> bool:
    """A percentage change is given only on a base of SMALL_COUNT or more."""
    return baseline is not None and baseline >= SMALL_COUNT


def ordinal(n: int) -> str:
    """"1st", "2nd", "3rd", "8th", "11th", "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
