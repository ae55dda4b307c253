"""House-style sentences from comparisons (DESIGN §6).

Example: "74,630 emergency calls (999) were taken this quarter compared to 86,134 in the same
quarter last year (a decrease of 11,504 calls, down 13.4%)." Every number is recomputed;
thousands separators, one decimal for percentages, singular and plural, and an honest
sentence when there is nothing to compare with.
"""

from __future__ import annotations

from .data import Measure
from .periods import month_label
from .stats import LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, Comparison

BASELINE_WORDS = {
    SAME_QUARTER_LAST_YEAR: "in the same quarter last year",
    LAST_QUARTER: "last quarter",
    ROLLING_12_MONTHS: "in the previous 12 months",
}


def number(amount: float) -> str:
    """Whole numbers with thousands separators; other values to one decimal place."""
    if float(amount).is_integer():
        return f"{int(amount):,}"
    return f"{amount:,.1f}"


def percent(value: float) -> str:
    return f"{abs(value):.1f}%"


def change_clause(measure: Measure, comparison: Comparison) -> str:
    """The bracketed change: "(a decrease of 11,504 calls, down 13.4%)"."""
    difference = comparison.difference
    if difference == 0:
        return "(no change)"
    size = abs(difference)
    if measure.kind == "percent":
        return f"({comparison.direction} {number(size)} {measure.unit_for(size)})"
    noun = "an increase" if difference > 0 else "a decrease"
    if comparison.percent is None:
        return f"({noun} of {number(size)} {measure.unit_for(size)}; no percentage change from zero)"
    return (f"({noun} of {number(size)} {measure.unit_for(size)}, "
            f"{comparison.direction} {percent(comparison.percent)})")


def _amount(measure: Measure, amount: float) -> str:
    return f"{number(amount)}%" if measure.kind == "percent" else number(amount)


def _subject(measure: Measure, amount: float) -> str:
    """"74,630 emergency calls (999) were taken" / "1 person was killed ..."."""
    if measure.kind == "percent":
        return f"{_amount(measure, amount)} of {measure.noun} {measure.verb}"
    plural = amount != 1
    noun = measure.noun if plural else measure.noun_one
    return f"{number(amount)} {noun} {'were' if plural else 'was'} {measure.verb}"


def sentence(measure: Measure, comparison: Comparison) -> str:
    """One house-style sentence for a comparison, with a note when data are modelled."""
    current, baseline = comparison.current, comparison.baseline
    if current.amount is None:
        return f"There is no figure for {measure.label.lower()} for this period."
    baseline_words = BASELINE_WORDS[comparison.kind]
    if measure.kind == "snapshot":
        text = (f"There were {number(current.amount)} {measure.noun if current.amount != 1 else measure.noun_one} "
                f"{measure.verb} at the end of {month_label(current.end)}")
        baseline_words = f"at the end of {month_label(baseline.end)}"
    elif comparison.kind == ROLLING_12_MONTHS:
        text = f"In the 12 months to {month_label(current.end)}, {_subject(measure, current.amount)}"
    else:
        text = f"{_subject(measure, current.amount)} this quarter"
    if baseline.amount is None:
        text += f"; there is no figure {baseline_words} to compare with."
    else:
        text += (f" compared to {_amount(measure, baseline.amount)} {baseline_words} "
                 f"{change_clause(measure, comparison)}.")
    if comparison.status == "modelled":
        text += " (Modelled data.)"
    return _capitalise(text)


def _capitalise(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].isalpha() else text
