"""How the force compares with similar forces, as the book shows it: the seed's MSG table
(position, value, aspiration, change required to reach the average and the upper quartile,
the previous quarter's position, a sparkline), a funnel plot per measure with what it says,
the roll-up for the intro, and the caveats. ``stats.peers`` and ``stats.benchmark`` compute."""

from __future__ import annotations

from IPython.display import Markdown

from pcpbook.analysis.peers import NO_FUNNEL_ASSUMED, GroupComparison, comparisons_for, rolling_values
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure, Plan
from pcpbook.core.periods import Quarter
from pcpbook.core.render import Raw, escape_markdown, markdown_table
from pcpbook.present.figures import sparkline, value_text
from pcpbook.present.funnels import funnel_chart
from pcpbook.present.sections import measure_block, save_figure
from pcpbook.present.wording import number, ordinal, plural
from pcpbook.stats.benchmark import ABOVE, INSIDE, aspiration_met

CAVEATS = (
    "Rates depend on how each force records crime and outcomes as much as on how much crime there is: "
    "a force that records more of what is reported to it looks worse on a crime rate.",
    "Forces in a group are chosen to be alike, so most differences between them are no larger than the spread "
    "between similar forces in general. A force inside the funnel's limits should not be ranked above or below "
    "another inside them; a change of position can come from other forces' figures alone.",
    "Crime rates move with things the police do not control, such as the economy, the weather, the law and the "
    "COVID-19 restrictions. Positions are a prompt for questions, not a verdict on performance.",
)




def compared_measures(dataset: Dataset, measure_ids) -> list[Measure]:
    """The measures, of those given, that the catalogue compares across forces."""
    return [dataset.measures[m] for m in measure_ids if dataset.measures[m].benchmark is not None]


def group_notice(dataset: Dataset, quarter: Quarter) -> Markdown:
    """Who the force is compared with, where the grouping comes from and what the figures are."""
    force, others = dataset.force.short_name, [f for f in dataset.group if f != dataset.force.short_name]
    if not others:
        return Markdown(escape_markdown(
            f"{force} is not compared with other forces yet: list it and its most similar forces in "
            f"{dataset.root.name}/peer_group.csv (columns force, source), and add their figures and the population "
            f"of each force area ({dataset.root.name}/population.csv)."))
    people = dataset.population[dataset.population["geography"].isin(dataset.group)]
    modelled = people[people["status"] == "modelled"]
    text = (f"{force} is compared with the {plural(len(others), 'other force')} of its group: {', '.join(others)} "
            f"({'; '.join(dataset.group_sources)}). Each figure is for the 12 months to {quarter.end:%B %Y}, or the "
            "latest 12 months the data have, as the table says. Rates per 1,000 population use the mid-year "
            "population estimate nearest the middle of those months.")
    if len(modelled):
        years = sorted(set(modelled["year"]))
        text += (f" Population figures for mid-{years[0]} to mid-{years[-1]} are modelled (the published estimates "
                 "are not in the data), and so are the other forces' figures: see the data column.")
    return Markdown(escape_markdown(text))


def peer_table(dataset: Dataset, measures: list[Measure], quarter: Quarter, prefix: str) -> Markdown | None:
    """The seed's two MSG tables for ``measures`` (None when none is compared): positions, with
    a sparkline of the force's last 12 values and the change required; then the aspiration, the
    movement since the previous quarter and the funnel's verdict."""
    if not measures:
        return None
    force = dataset.force.short_name
    positions = [["Measure", "Period", "Position", "Value", "Last 12 points", "Aspiration",
                  "To reach the group average", "To reach the upper quartile"]]
    movements = [["Measure", "Aspiration met", "Previous quarter's position", "This position", "Movement",
                  "Funnel (99.8% limits)", "Data"]]
    for measure in measures:
        now, before = comparisons_for(dataset, measure, quarter)
        if isinstance(now, str):
            positions.append([measure.label, "–", f"not compared: {now}", *[""] * 5])
            continue
        benchmark, own = now.benchmark, now.benchmark.standing(force)
        spark = sparkline(measure, rolling_values(dataset, measure, force, now.window), force, benchmark.unit,
                          now.modelled)
        positions.append([measure.label, now.window.label, f"{own.position} of {benchmark.group_size}",
                          value_text(own.value, benchmark.unit), Raw(save_figure(spark, prefix, inline=True)),
                          aspiration_text(measure),
                          change_text(benchmark.change_to_average(force), benchmark.unit, measure),
                          change_text(benchmark.change_to_upper_quartile(force), benchmark.unit, measure)])
        movements.append([measure.label, _yes_no(aspiration_met(benchmark, force, measure.benchmark.aspiration)),
                          previous_text(before, force), f"{own.position} ({now.window.label})",
                          movement(now, before, force), now.verdict(force) or "no limits",
                          "modelled" if now.modelled else "published"])
    note = (f"Position 1 is the best of the group by the measure's direction (for crime, the lowest rate). The group "
            f"average is the mean of the forces' values; the upper quartile lies a quarter of the way from the best "
            f"force to the worst. The change required is in {_units_of(measures)}. Each sparkline shows "
            f"{force}'s value over the 12 months to each of its last 12 months (quarters, for survey and outcome "
            f"rates). The group: {', '.join(dataset.group)} ({'; '.join(dataset.group_sources)}).")
    tables = markdown_table(positions) + (("\n\n" + markdown_table(movements)) if len(movements) > 1 else "")
    return Markdown(tables + "\n\n" + escape_markdown(note))


def funnel_section(dataset: Dataset, measure: Measure, quarter: Quarter, prefix: str) -> Markdown:
    """A measure's funnel plot, with its alt text, and what it shows."""
    now, before = comparisons_for(dataset, measure, quarter)
    if isinstance(now, str):
        return Markdown(measure_block(measure.label, "", [f"Not compared: {now}."]))
    chart = funnel_chart(now, dataset.force.short_name)
    figure = "" if chart is None else save_figure(chart, prefix)
    return Markdown(measure_block(measure.label, figure, comparison_sentences(now, before, dataset.force.short_name),
                                  "any" if now.modelled or now.modelled_population else "none"))


def comparison_sentences(now: GroupComparison, before, force: str) -> list[str]:
    benchmark, measure = now.benchmark, now.measure
    own = benchmark.standing(force)
    earlier = ("" if isinstance(before, str) else
               f" ({ordinal(before.benchmark.standing(force).position)} {before.window.within})")
    weighted = ("" if now.no_funnel == NO_FUNNEL_ASSUMED else
                f" ({value_text(benchmark.pooled, benchmark.unit)} weighting each force by its "
                f"{now.base_label.split(' (')[0].lower()})")
    within = now.window.within
    sentences = [f"{within[0].upper()}{within[1:]} {force}'s figure was {value_text(own.value, benchmark.unit)}, "
                 f"{ordinal(own.position)} of the {benchmark.group_size} forces in its group{earlier}; the group "
                 f"average, each force counted once, was {value_text(benchmark.average, benchmark.unit)}{weighted}, "
                 f"and the upper quartile {value_text(benchmark.upper_quartile, benchmark.unit)}."]
    to_average, to_quartile = benchmark.change_to_average(force), benchmark.change_to_upper_quartile(force)
    if to_average is None and to_quartile is None:
        sentences.append(f"{force} is already at or better than the group's upper quartile.")
    else:
        sentences.append(f"To reach the group average would take {change_words(to_average, benchmark.unit, measure)}; "
                         f"to reach the upper quartile, {change_words(to_quartile, benchmark.unit, measure)}.")
    if now.carried_from is not None:
        sentences.append(f"The populations are mid-{now.carried_from} estimates, the latest in the data, carried "
                         f"forward to {now.window.within.removeprefix('in ').removeprefix('at ')}.")
    sentences += funnel_sentences(now, force)
    if now.funnel_left_out:
        sentences.append("Left out of the funnel: " + "; ".join(f"{f} ({why})" for f, why in
                                                                 now.funnel_left_out.items()) + ".")
    if now.left_out:
        sentences.append("Not compared: " + "; ".join(f"{f} ({why})" for f, why in now.left_out.items()) + ".")
    return sentences


def funnel_sentences(comparison: GroupComparison, force: str) -> list[str]:
    """Where the force lies against the funnel's limits, and how large a difference the limits
    could show at its size."""
    funnel = comparison.funnel
    if funnel is None:
        return [f"No funnel: {comparison.no_funnel}."]
    own = funnel.standing(force)
    lower, upper = funnel.limits(own.base)
    half = (upper - lower) / 2
    width = f"{half:.1f} percentage points" if funnel.unit == "percent" else f"{100 * half / funnel.pooled:.0f}%"
    scope = comparison.funnel_scope
    sentences = []
    if own.funnel == INSIDE:
        sentences.append(f"{force} lies inside the 99.8% limits set by {scope}: no evidence either way at this group "
                         "size.")
    else:
        side = "higher" if own.funnel == ABOVE else "lower"
        sentences.append(f"{force} lies {own.funnel} the 99.8% limits set by {scope}: its figure is {side} than the "
                         "spread between forces allows for.")
    sentences.append(f"At {force}'s size the limits run from {value_text(lower, funnel.unit)} to "
                     f"{value_text(upper, funnel.unit)}, about {width} either side of the figure of {scope} taken "
                     "together, so a smaller difference could not show, however real"
                     + ("." if comparison.national else f"; with {funnel.group_size} forces the spread between forces, "
                        "and so the limits, are themselves only roughly known."))
    others = [f"{s.force} ({s.funnel})" for s in funnel.outside() if s.force != force]
    if others:
        sentences.append(f"Also outside the 99.8% limits: {', '.join(others)}.")
    return sentences


def rollup(dataset: Dataset, plan: Plan, quarter: Quarter) -> Markdown | None:
    """The executive summary's lists: meeting and not meeting the aspiration, improved and
    deteriorated since the previous quarter, and the measures with no aspiration."""
    measures = compared_measures(dataset, plan.measure_ids)
    if not measures:
        return None
    force = dataset.force.short_name
    groups = {"Meeting its aspiration": [], "Not meeting its aspiration": [], "Position improved on last quarter": [],
              "Position deteriorated on last quarter": [], "No aspiration set": [], "Not compared": []}
    for measure in measures:
        now, before = comparisons_for(dataset, measure, quarter)
        if isinstance(now, str):
            groups["Not compared"].append(measure.label)
            continue
        met = aspiration_met(now.benchmark, force, measure.benchmark.aspiration)
        key = "No aspiration set" if met is None else "Meeting its aspiration" if met else "Not meeting its aspiration"
        groups[key].append(measure.label)
        moved = movement(now, before, force)
        if moved in ("improved", "deteriorated"):
            groups[f"Position {moved} on last quarter"].append(measure.label)
    lines = [f"{force} against its group of {plural(len(dataset.group), 'force')} on "
             f"{plural(len(measures), 'measure')} (see How we compare):"]
    lines += [f"- {name} ({len(labels)}): {', '.join(labels)}" for name, labels in groups.items() if labels]
    return Markdown("\n".join(escape_markdown(line) if not line.startswith("- ") else "- " + escape_markdown(line[2:])
                              for line in lines))


def caveats() -> Markdown:
    return Markdown("\n".join(f"- {escape_markdown(text)}" for text in CAVEATS))


def aspiration_text(measure: Measure) -> str:
    aspiration = measure.benchmark.aspiration
    if aspiration is None:
        return "none"
    if isinstance(aspiration, dict):
        return f"{ordinal(aspiration['rank'])} in the group"
    return {"msg_average": "Group average", "upper_quartile": "Upper quartile"}[aspiration]


def change_text(change: float | None, unit: str, measure: Measure) -> str:
    """For a table: "-18,586 crimes", "+6.5 percentage points", or "none: already there"."""
    if change is None:
        return "none: already there"
    amount, what = _change_parts(change, unit, measure)
    return f"{'+' if change > 0 else '-'}{amount} {what}"


def change_words(change: float | None, unit: str, measure: Measure) -> str:
    """For a sentence: "18,586 fewer crimes", "6.5 percentage points more"."""
    if change is None:
        return "no change (it is already there)"
    amount, what = _change_parts(change, unit, measure)
    if unit == "percent":
        return f"{amount} {what} {'more' if change > 0 else 'less'}"
    return f"{amount} {'more' if change > 0 else 'fewer'} {what}"


def _change_parts(change: float, unit: str, measure: Measure) -> tuple[str, str]:
    """The size of a change required and its unit: one decimal of percentage points, or whole crimes."""
    if unit == "percent":
        return f"{abs(change):.1f}", "percentage points"
    whole = abs(round(change))
    return number(whole), measure.unit_for(whole)


def previous_text(before, force: str) -> str:
    if isinstance(before, str):
        return "–"
    return f"{before.benchmark.standing(force).position} ({before.window.label})"


def movement(now: GroupComparison, before, force: str) -> str:
    if isinstance(before, str):
        return "–"
    was, is_ = before.benchmark.standing(force).position, now.benchmark.standing(force).position
    return "no change" if was == is_ else "improved" if is_ < was else "deteriorated"


def _units_of(measures: list[Measure]) -> str:
    kinds = {"percentage points" if m.benchmark.unit == "percent" else m.unit for m in measures}
    return " or ".join(sorted(kinds))


def _yes_no(met: bool | None) -> str:
    return "–" if met is None else "yes" if met else "no"
