"""House-style sentences from comparisons (DESIGN §6).

Example: "74,630 emergency calls (999) were taken this quarter compared to 86,134 in the same
quarter last year (a decrease of 11,504 calls, down 13.4%)." Every number is recomputed;
thousands separators, one decimal for percentages, singular and plural, and an honest
sentence when there is nothing to compare with.
"""

from __future__ import annotations

from .data import Measure
from .periods import fy_label, month_label
from .stats import (BASELINE_YEAR, LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, SIGNIFICANCE_LEVEL,
                    ChangeTest, Comparison, ControlChart, Decomposition, TrendResult)

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
    baseline_words = BASELINE_WORDS.get(comparison.kind, f"in {fy_label(baseline.start.year)}")
    if measure.kind == "snapshot":
        text = (f"There were {number(current.amount)} {measure.noun if current.amount != 1 else measure.noun_one} "
                f"{measure.verb} at the end of {month_label(current.end)}")
        baseline_words = f"at the end of {month_label(baseline.end)}"
    elif comparison.kind == ROLLING_12_MONTHS:
        text = f"In the 12 months to {month_label(current.end)}, {_subject(measure, current.amount)}"
    elif comparison.kind == BASELINE_YEAR:
        text = f"In {fy_label(current.start.year)}, {_subject(measure, current.amount)}"
    else:
        text = f"{_subject(measure, current.amount)} this quarter"
    if baseline.amount is None:
        text += f"; there is no figure {baseline_words} to compare with."
    else:
        text += (f" compared to {_amount(measure, baseline.amount)} {baseline_words} "
                 f"{change_clause(measure, comparison)}.")
        if comparison.test is not None:
            text += " " + test_clause(comparison.test, comparison.difference == 0)
    if comparison.status == "modelled":
        text += " (Modelled data.)"
    return _capitalise(text)


def headline(measure: Measure, comparison: Comparison) -> str:
    """A summary line in the style of a closure report, with a whole-number percentage:
    "Anti-social behaviour: 52,732 in 2015/16 to 30,674 in 2021/22, down 42%; ..." """
    current, baseline = comparison.current, comparison.baseline
    if not comparison.complete:
        return f"{measure.label}: no figure for both years to compare."
    years = f"{_amount(measure, baseline.amount)} in {fy_label(baseline.start.year)} to " \
            f"{_amount(measure, current.amount)} in {fy_label(current.start.year)}"
    if measure.kind == "snapshot":
        years = f"{number(baseline.amount)} at the end of {month_label(baseline.end)} to " \
                f"{number(current.amount)} at the end of {month_label(current.end)}"
    if measure.kind == "percent":
        change = change_clause(measure, comparison).strip("()")
    elif comparison.percent is None or comparison.difference == 0:
        change = "no percentage change"
    else:
        size = abs(comparison.percent)
        change = f"{comparison.direction} {size:.0f}%" if size >= 1 else f"{comparison.direction} {size:.1f}%"
    verdict = test_clause(comparison.test, comparison.difference == 0) if comparison.test else ""
    text = f"{measure.label}: {years}, {change}. {verdict}".strip()
    return text + (" (Modelled data.)" if comparison.status == "modelled" else "")


def _in_sentence(label: str) -> str:
    """"People killed ..." -> "people killed ..."; "Special Constables" keeps its capitals."""
    first, _, rest = label.partition(" ")
    return label if not rest or rest[0].isupper() else f"{first.lower()} {rest}"


def _capitalise(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].isalpha() else text


def p_value(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def test_clause(test: ChangeTest, unchanged: bool = False) -> str:
    """"This change is statistically significant (...)" only when the test says so."""
    if test.p_value is None:
        return f"No significance test applies: {test.reason}."
    if test.significant:
        return f"This change is statistically significant ({test.method}, {p_value(test.p_value)})."
    subject = "This" if unchanged else "This change"
    return f"{subject} is within normal variation ({test.method}, {p_value(test.p_value)})."


def _signed_percent(value: float) -> str:
    return f"{'up' if value > 0 else 'down'} {abs(value):.1f}%" if round(value, 1) else "unchanged"


def decomposition_sentences(measure: Measure, result: Decomposition) -> list[str]:
    """What an STL decomposition shows, in plain words."""
    frame = result.frame
    end = month_label(frame["period_start"].iloc[-1])
    sentences = [
        f"The underlying trend stood at {number(round(result.trend_now))} {measure.unit} a month in {end}, "
        f"{_signed_percent(result.trend_change)} on 12 months earlier ({number(round(result.trend_year_ago))}).",
        f"With the usual seasonal pattern removed, this quarter's {number(round(result.adjusted_quarter))} "
        f"{measure.unit} were {_signed_percent(result.adjusted_change)} on last quarter's "
        f"{number(round(result.adjusted_last_quarter))}.",
        f"Seasonally, {' and '.join(result.seasonal_high)} tend to be the highest months and "
        f"{' and '.join(result.seasonal_low)} the lowest (average over the last three years).",
    ]
    if result.standouts.empty:
        sentences.append("No month in the last two years stands out from its trend and season.")
    else:
        items = [f"{month_label(row.period_start)} ({number(row.observed)}, {'above' if row.remainder > 0 else 'below'} "
                 f"expectation)" for row in result.standouts.itertuples()]
        sentences.append(f"Months that stand out from trend and season in the last two years: {', '.join(items)}.")
    return sentences


def period_decomposition_sentences(measure: Measure, result: Decomposition) -> list[str]:
    """What an STL decomposition shows over a whole plan period."""
    frame = result.frame
    first, last = frame.iloc[0], frame.iloc[-1]
    change = 100 * (last["trend"] - first["trend"]) / first["trend"]
    unusual = frame[frame["unusual"]]
    sentences = [
        f"The underlying trend went from {number(round(first['trend']))} {measure.unit} a month in "
        f"{month_label(first['period_start'])} to {number(round(last['trend']))} in "
        f"{month_label(last['period_start'])} ({_signed_percent(change)}).",
        f"Seasonally, {' and '.join(result.seasonal_high)} tend to be the highest months and "
        f"{' and '.join(result.seasonal_low)} the lowest (average over the last three years).",
    ]
    if unusual.empty:
        sentences.append("No month in the period stands out from its trend and season.")
    else:
        items = [f"{month_label(row.period_start)} ({number(row.observed)}, {'above' if row.remainder > 0 else 'below'} "
                 f"expectation)" for row in unusual.itertuples()]
        sentences.append(f"Months that stand out from trend and season: {', '.join(items)}.")
    return sentences


def trend_sentences(measure: Measure, result: TrendResult) -> list[str]:
    """Mann-Kendall, the count regression and its sensitivity check, in plain words."""
    test = result.mann_kendall
    direction = {"increasing": "a statistically significant upward", "decreasing": "a statistically significant downward"}
    finding = direction.get(test.trend, "no statistically significant")
    first = (f"Over the {len(result.years)} financial years {result.years[0]} to {result.years[-1]}, the "
             f"Mann-Kendall test finds {finding} trend in {_in_sentence(measure.label)} ({p_value(test.p)}; Kendall's tau "
             f"{test.Tau:.2f}; Sen's slope {test.slope:+,.1f} {measure.unit} a year).")
    return [first, _regression_sentence(measure, result.regression, "allowing for season and the COVID-19 "
                                        "lockdown months"),
            _regression_sentence(measure, result.sensitivity, "leaving the lockdown months out altogether"),
            f"Over-dispersion was tested by the Cameron-Trivedi regression test at the "
            f"{SIGNIFICANCE_LEVEL:.0%} level ({p_value(result.regression.overdispersion_p)}): "
            f"{'the negative binomial model was used' if result.regression.model != 'Poisson' else 'the Poisson model was kept'}."]


def _regression_sentence(measure: Measure, fit, adjustment: str) -> str:
    change = 100 * (fit.rate_ratio - 1)
    verdict = ("a statistically significant change" if fit.p_value < SIGNIFICANCE_LEVEL
               else "no statistically significant change")
    return (f"A {fit.model} regression on {fit.months} months, {adjustment}, estimates a change of "
            f"{change:+.1f}% a year (rate ratio {fit.rate_ratio:.3f}, 95% confidence interval "
            f"{fit.lower:.3f} to {fit.upper:.3f}; {p_value(fit.p_value)}): {verdict}.")


def control_sentence(measure: Measure, chart: ControlChart, quarter_label: str) -> str:
    limits = (f"Control limits from the 24 months from {month_label(chart.baseline_start)} "
              f"(Laney c'-chart): centre {number(round(chart.centre))}, limits {number(round(chart.lower))} to "
              f"{number(round(chart.upper))} a month.")
    if chart.flagged.empty:
        return f"{limits} No month of {quarter_label} was outside them."
    items = [f"{month_label(r.period_start)} ({number(r.value)}, {r.side} the limits)" for r in chart.flagged.itertuples()]
    return f"{limits} Outside them in {quarter_label}: {', '.join(items)}."
