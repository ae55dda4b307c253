"""Plain words first, statistics on demand: what a chapter says of a measure. Each comparison
leads with one short sentence a resident can read (the figure, the change and, in a few words,
whether it is more than the measure's usual variation); the numbers behind the verdict (each
comparison's interval and test, and the control chart) follow in a folded "How we know", which
the print edition prints open. The words are ``templates/sentences/measure.j2``."""

from __future__ import annotations

from pcpbook.analysis.comparisons import BASELINE_YEAR, LAST_QUARTER, ROLLING_12_MONTHS, Comparison, lockdown_days
from pcpbook.contracts.model import Measure
from pcpbook.core.periods import fy_label, month_label
from pcpbook.core.render import Raw, escape_markdown, markdown_table
from pcpbook.present.narrative import in_sentence, interval_cell, test_cell, trend_sentences
from pcpbook.present.phrasing import say
from pcpbook.present.wording import (in_units, number, percent, percent_allowed, plural, points, signed_number,
                                     variation_name)
from pcpbook.stats import ControlChart, NotEnoughHistory
from pcpbook.stats.change_tests import PROPORTION_TEST
from pcpbook.stats.control import RULES
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL
from pcpbook.stats.rates import QUASI_BINOMIAL_TEST

NOT_COMPARABLE = "not comparable"  # a recording change between the periods: no change, percentage or test
SIGNIFICANT, NOT_ALL_TOGETHER, WITHIN, TOO_FEW, UNTESTED = (
    "significant", "not with the others", "within", "too few", "untested")


def lead(measure: Measure, comparison: Comparison, book: str = "edition") -> Raw:
    """One short sentence for a comparison: the figure, the change and the verdict in words
    (``book``: what the comparisons tested together are in, an "edition" or a "review")."""
    current, baseline = comparison.current, comparison.baseline
    if current.amount is None:
        return say("measure", "no_figure", when=_when(comparison))
    snapshot = measure.kind == "snapshot"  # a headcount: as it stood at a month's end
    values = dict(now=in_units(measure, current.amount), noun=_noun(measure, current.amount),
                  verb=measure.verb, plural=current.amount != 1, snapshot=snapshot,
                  when=f"at the end of {month_label(current.end)}" if snapshot else _when(comparison),
                  against=f"at the end of {month_label(baseline.end)}" if snapshot else _than(comparison),
                  in_points=measure.behaviour.in_points)
    if baseline.amount is None:
        return say("measure", "nothing_to_compare", **values)
    if comparison.break_between:
        return say("measure", "not_comparable", then=in_units(measure, baseline.amount),
                   reason=comparison.break_between, **values)
    return say("measure", "change", then=in_units(measure, baseline.amount), change=_change(measure, comparison),
               verdict=verdict(comparison), seasonal=comparison.kind == LAST_QUARTER, book=book,
               variation=variation_name(measure),
               per_day=_per_day(measure, comparison), lockdown=lockdown_share(measure, comparison), **values)


def lockdown_share(measure: Measure, comparison: Comparison) -> dict:
    """The days of each period under a COVID-19 lockdown, and each period's days, written; empty
    when neither period had any (a change across a lockdown is partly the lockdown's)."""
    now, then = lockdown_days(measure, comparison.current), lockdown_days(measure, comparison.baseline)
    if not now and not then:
        return {}
    return dict(now=number(now), now_days=number(comparison.current.days), then=number(then),
                then_days=number(comparison.baseline.days))


def verdict(comparison: Comparison) -> str:
    """What the comparison's test says, as one of the words the sentence patterns know."""
    test = comparison.test
    if not test.tested:
        return UNTESTED
    if test.significant:
        return SIGNIFICANT
    if test.excludes_no_change:
        return NOT_ALL_TOGETHER
    return TOO_FEW if test.small else WITHIN


def how_we_know(measure: Measure, comparisons: list[Comparison], control) -> Raw:
    """The numbers behind the measure's sentences, folded: each comparison's values, change,
    interval and test; why a comparison was not tested; and what the control chart shows."""
    rows = [["Compared", "This period", "Then", "Change", "95% interval", "Test", "Data"]]
    notes = []
    for comparison in comparisons:
        if not comparison.complete:
            continue
        rows.append([_against(comparison).capitalize(), in_units(measure, comparison.current.amount),
                     in_units(measure, comparison.baseline.amount), change_cell(measure, comparison),
                     interval_cell(comparison), test_cell(comparison.test), comparison.status or "–"])
        if not comparison.test.tested:
            notes.append(say("measure", "not_tested", against=_against(comparison), reason=comparison.test.reason))
        elif comparison.test.seasonal_ratio is not None:
            notes.append(say("measure", "seasonal", movement=percent(abs(100 * (comparison.test.seasonal_ratio - 1))),
                             rise=comparison.test.seasonal_ratio > 1))
    if any(c.complete and c.test.method == PROPORTION_TEST for c in comparisons):
        people, design_effect = measure.sample_size, measure.design_effect
        notes.append(say("measure", "survey_sample", people=number(people), design_effect=design_effect or "",
                         effective=number(round(people / (design_effect or 1)))))
    rate_tests = [c.test for c in comparisons if c.complete and c.test.method == QUASI_BINOMIAL_TEST]
    if rate_tests:
        notes.append(say("measure", "rate_variation", noun=measure.noun, history=rate_tests[0].history,
                         dispersion=f"{rate_tests[0].dispersion:.1f}", autocorrelation=f"{rate_tests[0].autocorrelation:.2f}"))
    if isinstance(control, ControlChart):
        notes.append(control_note(measure, control))
    elif control is not None:
        notes.append(say("measure", "no_control_chart", reason=str(control)))
    return folded(([markdown_table(rows)] if len(rows) > 1 else []) + notes)


def folded(parts: list[str]) -> Raw:
    """Markdown parts (already escaped) under a folded "How we know"; nothing when there are none."""
    if not parts:
        return Raw("")
    body = "\n\n".join(escape_markdown(part) for part in parts)
    return Raw(f"````{{dropdown}} How we know\n:class-container: pcp-how\n\n{body}\n````\n")


def trend_detail(measure: Measure, result, note: str = "", book: str = "edition") -> Raw:
    """The trend tests and the regression behind ``trend_lead``, folded (nothing when there are none)."""
    return Raw("") if isinstance(result, NotEnoughHistory) else folded(trend_sentences(measure, result, note, book))


def trend_lead(measure: Measure, result, book: str = "edition") -> Raw:
    """The long-run trend in one sentence: the direction and size of the financial-year trend
    when its test says there is one (``stats.trends``), else that there is no clear trend."""
    if isinstance(result, NotEnoughHistory):
        return say("measure", "not_shown", reason=str(result))
    test = result.mann_kendall
    shown = result.significant("annual") or test.p < SIGNIFICANCE_LEVEL
    return say("measure", "trend", label=in_sentence(measure.label), years=len(result.years), first=result.years[0],
               last=result.years[-1], direction=("upward" if test.s > 0 else "downward") if shown else "",
               slope=number(abs(round(test.slope))), unit=measure.unit, alone=not result.significant("annual"),
               book=book)


def control_lead(control) -> Raw | None:
    """A plain sentence for the months beyond the control limits (None when there are none)."""
    if not isinstance(control, ControlChart):
        return None
    beyond = {side: [r.period_start for r in control.signals.itertuples() if r.rules and r.rules[0] == rule]
              for side, rule in (("high", RULES["above"]), ("low", RULES["below"]))}
    if not any(beyond.values()):
        return None
    return say("measure", "beyond_limits", high=_months(beyond["high"]), low=_months(beyond["low"]),
               several_high=len(beyond["high"]) > 1, several_low=len(beyond["low"]) > 1)


def control_note(measure: Measure, control: ControlChart) -> Raw:
    """The control chart in a few sentences: where its limits come from, the latest month's
    limits, and each signal."""
    signals: dict[str, list] = {}
    for row in control.signals.itertuples():
        signals.setdefault(row.rules[0], []).append(row.period_start)
    last = control.frame.iloc[-1]
    return say("measure", "control_chart", unit=measure.unit, months=plural(control.baseline_months, "month"),
               start=month_label(control.baseline_start), end=month_label(control.baseline_end),
               left_out=control.left_out, centre=f"{{:,.{control.decimals}f}}".format(control.centre),
               dispersion="" if control.poisson else f"{control.dispersion:.1f}",
               alike=f"{control.autocorrelation:.2f}" if control.autocorrelation else "", run=control.run_length,
               last=month_label(last["period_start"]), expected=number(round(last["expected"], control.decimals)),
               lower=number(last["lower"]), upper=number(last["upper"]),
               signals=[(_months(days), rule, len(days) > 1) for rule, days in signals.items()])


def _when(comparison: Comparison) -> str:
    if comparison.kind == ROLLING_12_MONTHS:
        return f"in the 12 months to {month_label(comparison.current.end)}"
    if comparison.kind == BASELINE_YEAR:
        return f"in {fy_label(comparison.current.start.year)}"
    return "this quarter"


def _than(comparison: Comparison) -> str:
    """The period compared with, as a sentence names it after "than": "in the same quarter last year"."""
    against = _against(comparison)
    return against if comparison.kind == LAST_QUARTER else f"in {against}"


def _against(comparison: Comparison) -> str:
    if comparison.kind == ROLLING_12_MONTHS:
        return "the 12 months before"
    if comparison.kind == LAST_QUARTER:
        return "last quarter"
    if comparison.kind == BASELINE_YEAR:
        return fy_label(comparison.baseline.start.year)
    return "the same quarter last year"


def _change(measure: Measure, comparison: Comparison) -> str:
    """"10.9% fewer", "4 more" (a base under 50), "2.1 percentage points higher", "the same"."""
    difference = comparison.difference
    if difference == 0:
        return "the same as"
    if measure.behaviour.in_points:
        return f"{points(abs(difference))} {'higher' if difference > 0 else 'lower'} than"
    more = "more" if difference > 0 else "fewer"
    if percent_allowed(comparison.baseline.amount):
        return f"{percent(abs(comparison.percent))} {more} than"
    return f"{number(abs(difference))} {more} than"


def _per_day(measure: Measure, comparison: Comparison) -> str:
    """"0.7% fewer per day (91 days against 90)" for counts over periods of different lengths (a
    leap day), else "" (and for a base under 50, which gets no percentage). The season-to-season
    comparison allows for the months' lengths in its seasonal movement instead."""
    current, baseline = comparison.current, comparison.baseline
    days = (current.days, baseline.days)
    if (days[0] == days[1] or comparison.kind == LAST_QUARTER or not measure.behaviour.adds_up
            or not percent_allowed(baseline.amount)):
        return ""
    change = 100 * (current.amount / days[0] / (baseline.amount / days[1]) - 1)
    size = "the same" if round(change, 1) == 0 else f"{percent(abs(change))} {'more' if change > 0 else 'fewer'}"
    return f"{size} per day ({days[0]} days against {days[1]})"


def change_cell(measure: Measure, comparison: Comparison) -> str:
    if comparison.break_between:
        return NOT_COMPARABLE
    if measure.behaviour.in_points:
        return f"{comparison.difference:+.1f} pts"
    if percent_allowed(comparison.baseline.amount) and comparison.percent is not None:
        return f"{signed_number(comparison.difference)} ({comparison.percent:+.1f}%)"
    return signed_number(comparison.difference)



def _noun(measure: Measure, amount: float) -> str:
    return measure.noun if amount != 1 else measure.noun_one


def _months(days: list) -> str:
    """"January 2021", "February and March 2021", "December 2020 and January 2021"."""
    if not days:
        return ""
    if len({day.year for day in days}) == 1:
        names = [f"{day:%B}" for day in days]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{joined} {days[0].year}"
    names = [f"{day:%B %Y}" for day in days]
    return ", ".join(names[:-1]) + " and " + names[-1]

