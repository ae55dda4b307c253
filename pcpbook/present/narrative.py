"""House-style sentences from comparisons and analyses (DESIGN §6).

Example: "74,630 emergency calls (999) were taken this quarter compared to 86,134 in the same
quarter last year (a decrease of 11,504 calls, down 13.4%; 95% interval -20.1% to -6.2%)."
Every number is recomputed and follows the house rules of ``wording``; "statistically
significant" appears only when the test behind the sentence says so (DESIGN §5).
"""

from __future__ import annotations

from pcpbook.analysis.comparisons import (BASELINE_YEAR, LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR,
                                          Comparison)
from pcpbook.contracts.model import Measure
from pcpbook.core.periods import fy_label, month_end, month_label
from pcpbook.present.wording import (in_units, number, p_value, percent, percent_allowed, plural, points,
                                     signed_percent, signed_points)
from pcpbook.stats import ChangeTest, Decomposition, NotEnoughHistory, TrendModel, TrendResult
from pcpbook.stats.change_tests import PROPORTION_TEST
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL

BASELINE_WORDS = {
    SAME_QUARTER_LAST_YEAR: "in the same quarter last year",
    LAST_QUARTER: "last quarter",
    ROLLING_12_MONTHS: "in the previous 12 months",
}


def interval(test: ChangeTest, whole: bool = False) -> str:
    """"95% interval -4.5% to +3.1%" (ratios; "-5% to +3%" when ``whole``) or "95% interval
    -4.3 to +1.3 points"."""
    if test.scale == "points":
        return f"95% interval {signed_points(test.lower)} to {signed_points(test.upper)} points"
    low, high = 100 * (test.lower - 1), 100 * (test.upper - 1)
    if whole:
        return f"95% interval {low:+.0f}% to {high:+.0f}%"
    return f"95% interval {signed_percent(low)} to {signed_percent(high)}"


def change_clause(measure: Measure, comparison: Comparison) -> str:
    """The bracketed change: "(a decrease of 11,504 calls, down 13.4%; 95% interval ...)".
    No percentage on a base under 50; a season-to-season change gets its interval in the
    verdict, after the usual seasonal movement."""
    difference, test = comparison.difference, comparison.test
    if comparison.break_between:
        return "(not comparable)"
    if difference == 0:
        return "(no change)"
    if measure.behaviour.in_points:
        shown = f"{comparison.direction} {points(difference)}"
        return f"({shown}; {interval(test)})" if test.tested else f"({shown})"
    size = abs(difference)
    noun = "an increase" if difference > 0 else "a decrease"
    shown = f"{noun} of {number(size)} {measure.unit_for(size)}"
    if not percent_allowed(comparison.baseline.amount):
        return f"({shown})"
    shown += f", {comparison.direction} {percent(comparison.percent)}"
    seasonal = test.seasonal_ratio is not None  # the interval follows, for the change after the season
    return f"({shown}; {interval(test)})" if test.tested and not seasonal else f"({shown})"



def _subject(measure: Measure, amount: float) -> str:
    """"74,630 emergency calls (999) were taken" / "1 person was killed ..."."""
    if measure.behaviour.in_points:
        return f"{in_units(measure, amount)} of {measure.noun} {measure.verb}"
    plural_form = amount != 1
    noun = measure.noun if plural_form else measure.noun_one
    return f"{number(amount)} {noun} {'were' if plural_form else 'was'} {measure.verb}"


def sentence(measure: Measure, comparison: Comparison, book: str = "edition") -> str:
    """One house-style sentence for a comparison and its verdict, with a note when data are
    modelled; ``book`` names what the comparison's tests were controlled across."""
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
        text += f" compared to {in_units(measure, baseline.amount)} {baseline_words} {change_clause(measure, comparison)}."
        text += " " + verdict(comparison, book)
    if comparison.status == "modelled":
        text += " (Modelled data.)"
    return _capitalise(text)


def verdict(comparison: Comparison, book: str = "edition") -> str:
    """What the test says of the change, in words a reader can act on."""
    test = comparison.test
    if not test.tested:
        seasonal = (" Part of any change from one quarter to the next is the usual seasonal pattern."
                    if comparison.kind == LAST_QUARTER else "")
        return f"No significance test applies: {test.reason}.{seasonal}"
    subject = "This change"
    if test.seasonal_ratio is not None:
        movement = 100 * (test.seasonal_ratio - 1)
        subject = (f"The usual seasonal pattern alone accounts for a {'rise' if movement > 0 else 'fall'} of "
                   f"{percent(movement)}; allowing for it, the change is {_signed_percent(100 * (test.estimate - 1))} "
                   f"({interval(test)}), which")
    elif test.days is not None:
        subject = (f"The periods are {test.days[0]} and {test.days[1]} days long; per day, the change is "
                   f"{_signed_percent(100 * (test.estimate - 1))} ({interval(test)}), which")
    variation = "sampling variation" if test.method == PROPORTION_TEST else "usual variation"
    if test.significant:
        return (f"{subject} is statistically significant, allowing for the measure's {variation} and for the "
                f"{test.family} comparisons in this {book} ({p_value(test.p_value)}).")
    if test.excludes_no_change:
        return (f"{subject} would count as significant on its own ({p_value(test.p_value)}), but not once the "
                f"{test.family} comparisons in this {book} are taken together.")
    if test.small:
        return f"Numbers this small are too few to tell apart from {variation} ({p_value(test.p_value)})."
    if subject != "This change":
        return f"{subject} the data cannot tell apart from {variation} ({p_value(test.p_value)})."
    return f"The data cannot tell this change apart from {variation} ({p_value(test.p_value)})."


def test_cell(test: ChangeTest) -> str:
    """A table's short verdict: significant; significant alone but not once the edition's tests
    are taken together; not significant; too few to tell; not tested."""
    if not test.tested:
        return "not tested"
    if test.significant:
        return f"significant ({p_value(test.p_value)})"
    if test.excludes_no_change:
        return f"significant alone, not with the {test.family} tests together ({p_value(test.p_value)})"
    return f"{'too few to tell' if test.small else 'not significant'} ({p_value(test.p_value)})"


def interval_cell(comparison: Comparison) -> str:
    """The interval of the change a table shows: none where the table gives no percentage; "per
    day" where the periods differ in length (the test is on the count per day)."""
    test = comparison.test
    if not test.tested or (test.scale == "ratio" and not percent_allowed(comparison.baseline.amount)):
        return "–"
    return interval(test).removeprefix("95% interval ") + (" per day" if test.days else "")


def in_sentence(label: str) -> str:
    """"People killed ..." -> "people killed ..."; "Special Constables" and "KSI ..." keep their capitals."""
    first, _, rest = label.partition(" ")
    return label if not rest or rest[0].isupper() or first.isupper() else f"{first.lower()} {rest}"


def _capitalise(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].isalpha() else text


def _signed_percent(value: float) -> str:
    return f"{'up' if value > 0 else 'down'} {abs(value):.1f}%" if round(value, 1) else "unchanged"


# ----------------------------------------------------------------------------- analyses


def not_shown(reason: NotEnoughHistory) -> list[str]:
    return [f"Not shown: {reason}."]


def decomposition_sentences(measure: Measure, result: Decomposition | NotEnoughHistory) -> list[str]:
    """What an STL decomposition shows, in plain words, with how much the trend has moved
    (or why there is none)."""
    if isinstance(result, NotEnoughHistory):
        return not_shown(result)
    frame = result.frame
    end = month_label(frame["period_start"].iloc[-1])
    sentences = [
        f"The underlying trend stood at {number(round(result.trend_now))} {measure.unit} a month in {end}, "
        f"{_signed_percent(result.trend_change)} on 12 months earlier ({number(round(result.trend_year_ago))}): "
        "a smoothed estimate, not a tested change.",
        f"With the usual seasonal pattern removed, this quarter's {number(round(result.adjusted_quarter))} "
        f"{measure.unit} were {_signed_percent(result.adjusted_change)} on last quarter's "
        f"{number(round(result.adjusted_last_quarter))}.",
        f"Seasonally, by the day, {' and '.join(result.seasonal_high)} tend to be the highest months and "
        f"{' and '.join(result.seasonal_low)} the lowest (average over the last three years).",
    ]
    if result.revision is not None:
        then, now = result.revision
        previous_end = month_label(frame["period_start"].iloc[-4])
        revised = 100 * (now - then) / then
        unsettled = (" That revision is as large as the trend's change over the year, so its direction is not yet "
                     "settled." if abs(revised) >= abs(result.trend_change) else "")
        sentences.append(
            f"The latest trend estimate is revised as months arrive: the trend for {previous_end}, "
            f"{number(round(then))} a month in the last edition, is now {number(round(now))} "
            f"({_signed_percent(revised)}).{unsettled}")
    if result.standouts.empty:
        sentences.append("No month in the last two years stands out from its trend and season.")
    else:
        items = [f"{month_label(row.period_start)} ({number(row.observed)}, {'above' if row.remainder > 0 else 'below'} "
                 f"expectation)" for row in result.standouts.itertuples()]
        sentences.append(f"Months that stand out from trend and season in the last two years: {', '.join(items)}.")
    return sentences


def period_decomposition_sentences(measure: Measure, result: Decomposition | NotEnoughHistory) -> list[str]:
    """What an STL decomposition shows over a whole plan period (or why there is none)."""
    if isinstance(result, NotEnoughHistory):
        return not_shown(result)
    frame = result.frame
    first, last = frame.iloc[0], frame.iloc[-1]
    change = 100 * (last["trend"] - first["trend"]) / first["trend"]
    unusual = frame[frame["unusual"]]
    sentences = [
        f"The underlying trend went from {number(round(first['trend']))} {measure.unit} a month in "
        f"{month_label(first['period_start'])} to {number(round(last['trend']))} in "
        f"{month_label(last['period_start'])} ({_signed_percent(change)}).",
        f"Seasonally, by the day, {' and '.join(result.seasonal_high)} tend to be the highest months and "
        f"{' and '.join(result.seasonal_low)} the lowest (average over the last three years).",
    ]
    if unusual.empty:
        sentences.append("No month in the period stands out from its trend and season.")
    else:
        items = [f"{month_label(row.period_start)} ({number(row.observed)}, {'above' if row.remainder > 0 else 'below'} "
                 f"expectation)" for row in unusual.itertuples()]
        sentences.append(f"Months that stand out from trend and season: {', '.join(items)}.")
    return sentences


def _mann_kendall(result: TrendResult, which: str, over: str, measure: Measure, slope_unit: str, book: str) -> str:
    """A Mann-Kendall finding: significant only when it survives the false discovery rate
    control across the book's trend tests."""
    test = result.mann_kendall if which == "annual" else result.seasonal_mann_kendall
    direction = "upward" if test.s > 0 else "downward"
    if result.significant(which):
        finding = f"a statistically significant {direction} trend"
    elif test.p < SIGNIFICANCE_LEVEL:
        finding = (f"a {direction} trend that is significant on its own but not once the {result.family} trend tests "
                   f"in this {book} are taken together")
    else:
        finding = "no statistically significant trend"
    return (f"{over}, the {'seasonal ' if which == 'seasonal' else ''}Mann-Kendall test finds {finding} in "
            f"{in_sentence(measure.label)}: {p_value(test.p)}, Kendall's tau {test.Tau:.2f}, Sen's slope "
            f"{test.slope:+,.1f} {measure.unit} {slope_unit}.")


def trend_sentences(measure: Measure, result: TrendResult | NotEnoughHistory, series_note: str = "",
                    book: str = "edition") -> list[str]:
    """The Mann-Kendall tests, the regression and its sensitivity check, in plain words (or why
    there are none)."""
    if isinstance(result, NotEnoughHistory):
        return not_shown(result)
    first, last = result.fitted["period_start"].iloc[[0, -1]]
    months = f"{month_label(first.date())} to {month_label(last.date())}"
    sentences = [
        _mann_kendall(result, "annual", f"Over the {len(result.years)} financial years {result.years[0]} to "
                      f"{result.years[-1]}", measure, "a year", book),
        *_without_lockdown_years(result, "annual"),
        _mann_kendall(result, "seasonal", f"Comparing each calendar month with the same month in other years "
                      f"({months})", measure, "a year in each month", book),
        *_without_lockdown_years(result, "seasonal"),
        regression_sentence(result.model, "allowing for season and for the share of each month's days under "
                            "COVID-19 lockdown"),
        regression_sentence(result.sensitivity, "leaving out every month touched by a lockdown"),
    ]
    if series_note:
        sentences.insert(0, series_note)
    return sentences


def _without_lockdown_years(result: TrendResult, which: str) -> list[str]:
    """The Mann-Kendall test again without the lockdown years, said when its verdict (at the 5%
    level, on its own) differs from the test with them."""
    if which not in result.without:
        return []
    test = result.mann_kendall if which == "annual" else result.seasonal_mann_kendall
    check = result.without[which]
    if (test.p < SIGNIFICANCE_LEVEL) == (check.p < SIGNIFICANCE_LEVEL):
        return []
    years, that = " and ".join(result.left_out), "that year" if len(result.left_out) == 1 else "those years"
    if check.p < SIGNIFICANCE_LEVEL:
        direction = "an upward" if check.s > 0 else "a downward"
        found, meaning = f"{direction} trend ({p_value(check.p)})", f"it shows only once {that} is set aside"
    else:
        found, meaning = f"no statistically significant trend ({p_value(check.p)})", f"the finding rests on {that}"
    return [f"Leaving out {years}, when COVID-19 lockdowns covered much of the year, the same test finds {found}: "
            f"{meaning}."]


def trend_cell(result: TrendResult) -> str:
    """A table's short verdict on the annual Mann-Kendall test."""
    direction = "upward" if result.mann_kendall.s > 0 else "downward"
    if result.significant("annual"):
        return f"significant {direction}"
    return f"{direction}, significant alone" if result.mann_kendall.p < SIGNIFICANCE_LEVEL else "no significant trend"


def _change(interval_) -> str:
    return (f"{signed_percent(100 * (interval_.ratio - 1))} (95% interval {signed_percent(100 * (interval_.lower - 1))} "
            f"to {signed_percent(100 * (interval_.upper - 1))}; {p_value(interval_.p_value)})")


def regression_sentence(model: TrendModel, adjustment: str) -> str:
    """The quasi-Poisson regression: its shape, the change it estimates, and what it assumed."""
    opening = (f"A quasi-Poisson regression on {plural(model.months, 'month')}, {adjustment} "
               f"(dispersion {model.dispersion:.1f}), ")
    if model.shape == "straight line":
        text = (opening + f"finds no evidence that the trend bends (F test {p_value(model.linearity_p)}) and "
                f"estimates a change of {_change(model.per_year)} a year.")
    else:
        text = (opening + f"finds that the trend bends (F test against a straight line {p_value(model.linearity_p)}). "
                f"From the first 12 months to the last 12 the trend changed by {_change(model.overall)}.")
        if model.since_peak is not None:
            below = 100 * (model.since_peak.ratio - 1)
            text += (f" Its fitted level peaked in {month_label(model.peak)}; the latest month's is "
                     f"{percent(abs(below))} {'below' if below < 0 else 'above'} it (untested: the data chose the "
                     "peak).")
    if model.autocorrelation:
        text += (f" Neighbouring months are alike (autocorrelation {model.autocorrelation:.2f}), so the test and "
                 f"intervals count the {plural(model.months, 'month')} as worth {model.independent_months} "
                 "independent ones.")
    return text


def per_day_sentence(measure: Measure, total: float, days: int, period: str) -> str:
    """"That is 739 emergency calls (999) a day over the quarter's 90 days." (whole numbers)."""
    rate = round(total / days)
    return (f"That is {number(rate)} {measure.noun if rate != 1 else measure.noun_one} a day over {period}'s "
            f"{number(days)} days ({number(total)} in all).")


def busiest_month_sentence(measure: Measure, months: list[tuple]) -> str | None:
    """The busiest and quietest month of a period by the day (months differ in length, so a
    month's count alone would make February the quietest), months tied named together, each
    with its count and its day's average; None for fewer than two months or when all are equal."""
    rates = [(day, value, value / month_end(day).day) for day, value in months]
    if len(months) < 2 or len({rate for _, _, rate in rates}) == 1:
        return None

    def named(target: float) -> str:
        chosen = [(day, value) for day, value, rate in rates if rate == target]
        names = " and ".join(f"{day:%B}" for day, _ in chosen)
        counts = ", ".join(f"{number(value)} in {day:%B}" if len(chosen) > 1 else number(value) for day, value in chosen)
        return f"{names} ({counts}; {number(round(target))} a day)"
    busiest, quietest = max(rate for _, _, rate in rates), min(rate for _, _, rate in rates)
    tied = [rate for _, _, rate in rates].count(busiest) > 1
    return (f"By the day, {named(busiest)} {'were the busiest months' if tied else 'was the busiest month'} of the "
            f"quarter, and {named(quietest)} the quietest.")


def since_sentence(measure: Measure, total: float, since, until) -> str:
    """A running total: "Since September 2016, when it began, 84,354 online crime reports have
    been received (to March 2021)."."""
    noun = measure.noun if total != 1 else measure.noun_one
    return (f"Since {month_label(since)}, when it began, {number(total)} {noun} "
            f"{'have' if total != 1 else 'has'} been {measure.verb} (to {month_label(until)}).")


def shares_sentence(measure: Measure, total: float, parts: list[tuple[Measure, float]], period: str) -> str:
    """The parts of a whole with their shares, largest first: "Of the 138 people killed or
    seriously injured on Essex roads this quarter, 133 (96.4%) were seriously injured on the
    roads and 5 (3.6%) killed on Essex roads." No shares on a base under 50."""
    ordered = sorted(parts, key=lambda part: -part[1])
    shares = percent_allowed(total) and total > 0
    said = [f"{number(amount)}{f' ({100 * amount / total:.1f}%)' if shares else ''} {'were ' if i == 0 else ''}"
            f"{part.verb}" for i, (part, amount) in enumerate(ordered)]
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else said[0]
    noun = measure.noun if total != 1 else measure.noun_one
    return f"Of the {number(total)} {noun} {measure.verb} {period}, {listed}."
