"""The "Where in the force area" page, and the district sentence of a priority chapter: what
``analysis.districts`` computes, as tables grouped by local policing area, a funnel of the
districts and their monthly series, with small counts of sensitive measures withheld."""

from __future__ import annotations

import math

from IPython.display import Markdown

from pcpbook.analysis.districts import DistrictTable, Place, quarter_tables, review_tables
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Plan
from pcpbook.core.periods import Quarter
from pcpbook.core.render import Raw, escape_markdown, markdown_table
from pcpbook.present.district_charts import district_map, district_multiples, monthly_by_district
from pcpbook.present.funnels import district_funnel
from pcpbook.present.narrative import in_sentence, test_cell
from pcpbook.present.phrasing import say
from pcpbook.present.plain import change_cell, folded
from pcpbook.present.sections import measure_block, save_figure
from pcpbook.present.wording import number, percent, percent_allowed
from pcpbook.stats.benchmark import ABOVE, BELOW, INSIDE
from pcpbook.stats.disclosure import PRIMARY

DISTRICTS_LINK = "../districts.ipynb"  # the page, from a priority chapter (pages.edition_pages)
FUNNEL_WORDS = {ABOVE: "above the limits", BELOW: "below the limits", INSIDE: "inside the limits", None: "no funnel"}


def areas_notice(dataset: Dataset) -> Markdown:
    """Which districts, how they group and where that comes from; the small-numbers rule."""
    areas = dataset.areas
    if areas is None:
        return Markdown(say("districts", "no_areas", folder=dataset.root.name))
    groups = "; ".join(f"{name} ({', '.join(d.name for d in members)})" for name, members in areas.groups().items()
                       if name is not None)
    text = [say("districts", "areas", count=number(len(areas.districts)), force=dataset.force.short_name,
                grouping=areas.grouping, groups=groups, source=areas.source.rstrip("."))]
    sensitive = [in_sentence(m.label) for m in dataset.measures.values() if m.sensitive]
    if sensitive:
        text.append(say("districts", "small_numbers", threshold=areas.small_numbers, measures="; ".join(sensitive)))
    return Markdown("\n\n".join(text))


def caveats() -> Markdown:
    return Markdown(say("districts", "caveats"))


def district_sections(dataset: Dataset, quarter: Quarter) -> list[Markdown]:
    """One section per measure the data hold by district: what stands out, the table, the funnel
    and the monthly series, with the numbers behind them folded."""
    return [Markdown(_section(dataset, table)) for table in quarter_tables(dataset, quarter).values()]


def review_district_sections(dataset: Dataset, plan: Plan) -> list[Markdown]:
    """A closure review's sections: each of the plan's measures the data hold by district, its end
    year against its baseline year."""
    tables = review_tables(dataset, plan.measure_ids, plan.baseline_year, plan.end_year)
    return [Markdown(_section(dataset, table)) for table in tables.values()]


def _section(dataset: Dataset, table: DistrictTable) -> str:
    measure = table.measure
    funnel = district_funnel(table)
    figures = save_figure(funnel, "districts") if funnel else ""
    sentences = lead_sentences(table)
    if dataset.areas.outlines and any(p.rate is not None for p in table.districts):
        figures += save_figure(district_map(table, dataset.areas.outlines), "districts")
    else:
        months, not_drawn = monthly_by_district(dataset, table)
        figures += save_figure(district_multiples(table, months), "districts") if not not_drawn else ""
        if not_drawn:
            sentences.append(f"The districts' months are not drawn: {not_drawn}.")
    block = measure_block(measure.label, "", sentences, "all" if table.modelled else "none")
    return block + "\n\n" + district_table_markdown(dataset, table) + "\n\n" + figures + _how_we_know(table)


def lead_sentences(table: DistrictTable) -> list[str]:
    """What stands out: districts outside the funnel, changes beyond usual variation (or why none
    are compared), counts withheld, and the force's count no district holds."""
    label, sentences = table.measure.label, []
    shown = [p for p in table.districts if p.rate is not None]
    if table.benchmark is not None and table.benchmark.tau2 is not None:
        above = [f"{p.name} ({p.rate:.2f})" for p in shown if p.funnel == ABOVE]
        below = [f"{p.name} ({p.rate:.2f})" for p in shown if p.funnel == BELOW]
        sentences.append(say("districts", "funnel", label=label, window=table.window.within, outside=bool(above or below),
                             above=_joined(above), above_one=len(above) == 1, below=_joined(below),
                             inside=number(len(shown) - len(above) - len(below)), count=number(len(shown)),
                             all_shown=len(shown) == len(table.districts),
                             centre=f"{table.benchmark.pooled:.2f}"))
    breaks = {p.comparison.break_between for p in table.districts if p.comparison.break_between}
    if breaks:
        sentences.append(say("districts", "not_comparable", label=label, reason=sorted(breaks)[0]))
    else:
        tested = [p for p in table.districts if p.comparison.test.tested]
        family = max((p.comparison.test.family for p in tested), default=0)
        if tested:
            sentences.append(_changes_sentence(label, table, tested, family))
    for when, label_of in (("hidden", table.window.label), ("hidden_before", table.baseline.label)):
        hidden = [p.name for p in table.districts if getattr(p, when)]
        if hidden:
            sentences.append(say("districts", "withheld", names=_joined(hidden), threshold=table.threshold,
                                 period=label_of))
    unplaced = table.unplaced
    if unplaced is not None and unplaced.now and not unplaced.hidden and table.force_now.amount:
        sentences.append(say("districts", "unplaced", count=number(unplaced.now), noun=table.measure.noun,
                             share=percent(100 * unplaced.now / table.force_now.amount)))
    if table.excess:
        sentences.append(say("districts", "excess", excess=number(table.excess), noun=table.measure.noun))
    return sentences


def _changes_sentence(label: str, table: DistrictTable, tested: list[Place], family: int) -> Raw:
    """The districts whose change is beyond usual variation; when every district moved the same
    way, the range of their changes instead of each."""
    significant = [p for p in tested if p.comparison.test.significant]
    directions = {p.comparison.direction for p in significant}
    if len(significant) == len(table.districts) > 2 and len(directions) == 1 and all(
            percent_allowed(p.comparison.baseline.amount) for p in significant):
        ordered = sorted(significant, key=lambda p: abs(p.comparison.percent))
        return say("districts", "every_change", label=label, against=_against(table), count=number(len(ordered)),
                   rose=directions == {"up"}, low=f"{percent(abs(ordered[0].comparison.percent))} in {ordered[0].name}",
                   high=f"{percent(abs(ordered[-1].comparison.percent))} in {ordered[-1].name}", family=number(family))
    return say("districts", "changes", label=label, against=_against(table), tested=number(len(tested)),
               significant=_joined([f"{p.name} {_moved(p)}" for p in significant]), family=number(family))


def district_table_markdown(dataset: Dataset, table: DistrictTable) -> Raw:
    """The districts by group, each group's total, the count no district holds and the force."""
    header = ["Area", _period(table.window), _period(table.baseline), "Change (test)",
              f"Per 1,000 residents in the {'quarter' if table.window.months == 3 else '12 months'} (funnel)"]
    rows = [header]
    groups = {g.name: g for g in table.groups}
    for name, members in dataset.areas.groups().items():
        if name is not None:
            rows.append(_total_row(Raw(f"**{escape_markdown(name)}** ({escape_markdown(dataset.areas.grouping)})"),
                                   _count(groups[name], "now", table.threshold),
                                   _count(groups[name], "before", table.threshold)))
        rows += [_district_row(table, place) for place in table.districts if place.district in members]
    if table.unplaced is not None:
        rows.append(_total_row(escape_markdown(table.unplaced.name.capitalize()),
                               _count(table.unplaced, "now", table.threshold),
                               _count(table.unplaced, "before", table.threshold)))
    rows.append(_total_row(Raw(f"**{escape_markdown(dataset.force.short_name)}** (force)"),
                           _number(table.force_now.amount), _number(table.force_before.amount)))
    return markdown_table(rows)


def _total_row(name, now: str, before: str) -> list:
    """A total's row: its counts; its change is the chapter's (the force's) or untested (a group's)."""
    return [name, now, before, "–", "–"]


def _district_row(table: DistrictTable, place: Place) -> list:
    comparison = place.comparison
    if comparison.break_between:
        change = "not comparable"
    elif place.change_shown:
        change = f"{change_cell(table.measure, comparison)}: {test_cell(comparison.test)}"
    else:
        change = "–"
    rate = f"{place.rate:.2f}, {FUNNEL_WORDS[place.funnel]}" if place.rate is not None else "–"
    return [escape_markdown(place.name), _count(place, "now", table.threshold), _count(place, "before", table.threshold),
            change, rate]


def _how_we_know(table: DistrictTable) -> Raw:
    history = (f"its monthly history before {_against(table)}" if table.window.months == 3
               else f"its monthly history up to the end of the {table.window.label}")
    parts = [f"Each district's change is tested as the force's is, against the district's own usual variation "
             f"({history}), and the changes of every district and measure on this page are tested together (false "
             "discovery rate control), apart from the chapters' tests. The funnel's limits are drawn around the "
             "districts shown taken together and widened by the spread between districts (Spiegelhalter, 2005): a "
             "district outside the 99.8% limits differs by more than that spread allows. Rates use each district's "
             "mid-year population estimate nearest the window's middle."]
    if table.benchmark is not None and table.benchmark.phi is not None:
        parts.append(f"The districts' rates are spread about {math.sqrt(table.benchmark.phi):.1f} times as widely as "
                     "chance alone would spread them.")
    return folded(parts)


def stand_out_sentence(dataset: Dataset, measure_id: str, quarter: Quarter) -> Raw | None:
    """A chapter's sentence naming the districts that stand out for the measure: outside the
    funnel, or changed by more than usual variation (only when the test says so); None when none
    does or the data hold no districts."""
    table = quarter_tables(dataset, quarter).get(measure_id) if dataset.areas else None
    if table is None:
        return None
    named = [f"{p.name} {_moved(p)}" for p in table.districts if p.comparison.test.significant]
    named += [f"{p.name}'s rate per 1,000 residents ({p.rate:.2f}) is {'above' if p.funnel == ABOVE else 'below'} the "
              "usual spread between districts" for p in table.districts if p.funnel in (ABOVE, BELOW)]
    if not named:
        return None
    return say("districts", "stand_out", label=in_sentence(table.measure.label), names=_joined(named),
               window=table.window.within, link=Raw(DISTRICTS_LINK))


def _moved(place: Place) -> str:
    """"up 44.0%", or "up 33" where the base is too small for a percentage."""
    comparison = place.comparison
    if comparison.percent is not None and percent_allowed(comparison.baseline.amount):
        return f"{comparison.direction} {percent(abs(comparison.percent))}"
    return f"{comparison.direction} {number(abs(comparison.difference))}"


def _against(table: DistrictTable) -> str:
    return "the same quarter last year" if table.window.months == 3 else f"the {table.baseline.label}"


def _count(place: Place, when: str, threshold: int | None) -> str:
    why = place.hidden if when == "now" else place.hidden_before
    if why:
        return f"fewer than {threshold}" if why == PRIMARY else "withheld"
    return _number(getattr(place, when))


def _period(window) -> str:
    """A table's column: "January to March 2024", "12 months to March 2022"."""
    return Quarter.containing(window.start).month_span if window.months == 3 else window.label


def _number(amount) -> str:
    return "–" if amount is None else number(amount)


def _joined(names: list[str]) -> str:
    """"Harlow", "Harlow and Maldon", "Basildon, Harlow and Maldon"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
