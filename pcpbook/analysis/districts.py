"""Where in the force area: each district's count in a quarter against the same quarter last
year (the force's own test, on the district's own usual variation), its rate per 1,000
residents against the force's in a funnel of the districts, the districts' local policing areas,
and the small counts of sensitive measures withheld (``stats.disclosure``). Computed once per
edition, for every measure the data hold by district.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pcpbook.analysis.comparisons import (BASELINE_YEAR, SAME_QUARTER_LAST_YEAR, Comparison, compare, history_before,
                                          with_false_discovery_control)
from pcpbook.analysis.once import once
from pcpbook.analysis.peers import Window, population, population_year
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import District, Measure, Value
from pcpbook.core.periods import Quarter, add_months, fy_start_date
from pcpbook.stats.benchmark import Benchmark, BenchmarkError, Figure
from pcpbook.stats.benchmark import compare as benchmark
from pcpbook.stats.change_tests import untested
from pcpbook.stats.disclosure import Sum, withheld

UNPLACED = "not placed in a district"  # the force's count less its districts' (no location, or outside them)
PER_1000 = "per_1000_population"


@dataclass(frozen=True)
class Place:
    """One row of a district table: a district, a group of districts, or the force's count that
    no district holds; ``hidden`` and ``hidden_before`` say why a count is withheld (or "")."""

    name: str
    now: float | None
    before: float | None
    hidden: str = ""
    hidden_before: str = ""
    district: District | None = None
    comparison: Comparison | None = None
    people: int | None = None
    rate: float | None = None  # per 1,000 residents over the window
    funnel: str | None = None  # above, inside or below the 99.8% limits; None without a funnel or a rate

    @property
    def change_shown(self) -> bool:
        return not (self.hidden or self.hidden_before) and self.now is not None and self.before is not None


@dataclass(frozen=True)
class DistrictTable:
    """A measure's districts over one window (a quarter, or a review's end year) against the same
    window a year (or years) before."""

    measure: Measure
    window: Window
    baseline: Window
    districts: tuple[Place, ...]   # in areas.yaml order
    groups: tuple[Place, ...]      # the groups' totals, in order (none when districts are not grouped)
    unplaced: Place | None         # None when the districts hold every count of the force
    force_now: Value
    force_before: Value
    benchmark: Benchmark | None    # the funnel of the districts' rates around the force's
    threshold: int | None          # counts below it withheld (sensitive measures only)
    modelled: bool
    excess: float = 0              # how far the districts' figures exceed the force's (another source)

    def members(self, group: str | None) -> list[Place]:
        return [p for p in self.districts if p.district.group == group]


def district_measures(dataset: Dataset, quarter: Quarter) -> list[Measure]:
    """The count measures the data hold by district for the quarter, in catalogue order."""
    return [dataset.measures[m] for m in dataset.district_measure_ids(quarter)]


def quarter_tables(dataset: Dataset, quarter: Quarter) -> dict[str, DistrictTable]:
    """Every district measure's table for the quarter against the same quarter last year, the
    changes tested together (false discovery rate control across the page)."""
    def compute():
        window = Window(quarter.start, 3)
        baseline = Window(quarter.same_quarter_last_year().start, 3)
        return _controlled({m.id: district_table(dataset, m, window, baseline, SAME_QUARTER_LAST_YEAR)
                            for m in district_measures(dataset, quarter)})
    return once(dataset, ("districts", quarter), compute)


def review_tables(dataset: Dataset, measure_ids, baseline_year: int, end_year: int) -> dict[str, DistrictTable]:
    """A closure review's district tables: the end financial year against the baseline year."""
    def compute():
        window, baseline = Window(fy_start_date(end_year), 12), Window(fy_start_date(baseline_year), 12)
        quarter = Quarter.containing(window.end)
        measures = [m for m in district_measures(dataset, quarter) if m.id in set(measure_ids)]
        return _controlled({m.id: district_table(dataset, m, window, baseline, BASELINE_YEAR) for m in measures})
    return once(dataset, ("review districts", tuple(measure_ids), baseline_year, end_year), compute)


def district_table(dataset: Dataset, measure: Measure, window: Window, baseline: Window, kind: str) -> DistrictTable:
    """One measure's table, its tests not yet controlled together; ``kind`` names the comparison
    (a review's baseline year is tested on every month up to its end year, as the force's is)."""
    areas = dataset.areas
    places = [_district(dataset, measure, district, window, baseline, kind) for district in areas.districts]
    force_now = dataset.value(measure.id, window.start, window.months)
    force_before = dataset.value(measure.id, baseline.start, baseline.months)
    unplaced = _unplaced(places, force_now, force_before)
    groups = _groups(areas, places)
    threshold = areas.small_numbers if measure.sensitive else None
    places, groups, unplaced = _protect(places, groups, unplaced, threshold)
    funnel = _funnel(measure, places)
    places = [replace(p, funnel=funnel.standing(p.name).funnel if funnel and p.rate is not None else None)
              for p in places]
    modelled = any(p.comparison.status == "modelled" for p in places)
    excess = _rest(force_now.amount, [p.now for p in places])
    return DistrictTable(measure, window, baseline, tuple(places), tuple(groups), unplaced, force_now, force_before,
                         funnel, threshold, modelled, -excess if excess is not None and excess < 0 else 0)


def _district(dataset: Dataset, measure: Measure, district: District, window: Window, baseline: Window,
              kind: str) -> Place:
    history = (history_before(dataset, measure, add_months(window.end, 1), months=None, geography=district.code)
               if kind == BASELINE_YEAR else None)
    comparison = compare(dataset, measure.id, window.start, baseline.start, window.months, kind, history,
                         geography=district.code)
    people = population(dataset, district.code, population_year(window))
    now = comparison.current.amount
    rate = 1000 * now / people[0] if people and now is not None else None
    return Place(district.name, now, comparison.baseline.amount, district=district, comparison=comparison,
                 people=people[0] if people else None, rate=rate)


def _unplaced(places: list[Place], force_now: Value, force_before: Value) -> Place | None:
    """The force's count that no district holds; None when the districts hold all of it, or more
    than all of it (their figures then come from another source or count: ``excess`` says so)."""
    now, before = _rest(force_now.amount, [p.now for p in places]), _rest(force_before.amount, [p.before for p in places])
    if not now and not before or min(v for v in (now, before) if v is not None) < 0:
        return None
    return Place(UNPLACED, now, before)


def _rest(force: float | None, amounts: list) -> float | None:
    return None if force is None or None in amounts else force - sum(amounts)


def _groups(areas, places: list[Place]) -> list[Place]:
    """Each group's total (None where a member has no figure); none when districts are not grouped."""
    if list(areas.groups()) == [None]:
        return []
    return [Place(name, _total(members, "now"), _total(members, "before"))
            for name, members in _members_by_group(places).items()]


def _members_by_group(places: list[Place]) -> dict[str, list[Place]]:
    grouped: dict[str, list[Place]] = {}
    for place in places:
        grouped.setdefault(place.district.group, []).append(place)
    return grouped


def _total(members: list[Place], when: str) -> float | None:
    amounts = [getattr(p, when) for p in members]
    return None if None in amounts else sum(amounts)


def _protect(places, groups, unplaced, threshold):
    """The tables with small counts withheld, now and a year before, each on its own sums."""
    if threshold is None:
        return places, groups, unplaced
    keys = {**{id(p): f"district {p.name}" for p in places}, **{id(g): f"group {g.name}" for g in groups},
            **({id(unplaced): UNPLACED} if unplaced else {})}  # a group may share a district's name
    sums = [Sum(f"group {name}", tuple(f"district {p.name}" for p in members))
            for name, members in _members_by_group(places).items() if groups]
    tops = [f"group {g.name}" for g in groups] if groups else [f"district {p.name}" for p in places]
    sums.append(Sum(None, tuple(tops) + ((UNPLACED,) if unplaced else ())))
    everything = places + groups + ([unplaced] if unplaced else [])
    hidden = {when: withheld({keys[id(p)]: getattr(p, when) for p in everything if getattr(p, when) is not None},
                             sums, threshold) for when in ("now", "before")}
    def protected(place):
        key = keys[id(place)]
        return replace(place, hidden=hidden["now"].get(key, ""), hidden_before=hidden["before"].get(key, ""))
    places = [protected(p) for p in places]
    places = [replace(p, rate=None if p.hidden else p.rate,
                      comparison=replace(p.comparison, test=untested(f"a count below {threshold} is withheld")))
              if p.hidden or p.hidden_before else p for p in places]
    return places, [protected(g) for g in groups], protected(unplaced) if unplaced else None


def _funnel(measure: Measure, places: list[Place]) -> Benchmark | None:
    """The rates of the districts shown (a rate and a population, none withheld) around those
    districts taken together, with limits that allow for the usual spread between districts: made
    of shown counts only, so neither its centre nor its spread gives a withheld count away. None
    with too few districts for limits."""
    figures = [Figure(p.name, p.now, p.people) for p in places if p.rate is not None]
    try:
        return benchmark(figures, PER_1000, "up_is_good" if measure.polarity == "up_is_good" else "down_is_good")
    except BenchmarkError:
        return None


def _controlled(tables: dict[str, DistrictTable]) -> dict[str, DistrictTable]:
    """The tables with every district change of the page tested together."""
    family = {(measure_id, k): [place.comparison] for measure_id, table in tables.items()
              for k, place in enumerate(table.districts)}
    controlled = with_false_discovery_control(family)
    return {measure_id: replace(table, districts=tuple(replace(place, comparison=controlled[(measure_id, k)][0])
                                                       for k, place in enumerate(table.districts)))
            for measure_id, table in tables.items()}
