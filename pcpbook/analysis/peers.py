"""A group of forces' figures for one measure and period, from the data: the window compared,
each force's count and base (its population, or the count a percentage is a share of), and
the forces left out and why. ``benchmark`` does the arithmetic on them.

- The window is the latest 12 months ending at a quarter's end, up to the edition's quarter,
  for which the force has figures (a series that stopped, like the Crime Survey's force
  figures, is compared on its last 12 months, and says so), looking back at most two years; with
  no 12 months in the data, the latest quarter. Every sentence names the window.
- A rate's denominator is the mid-year population estimate nearest the window's middle (a
  financial year uses the estimate of the year it starts in, as ONS does).
- A percentage's funnel base is the count measure it is a share of (crimes, for the share
  solved). A survey's positions use the catalogue's sample size, but it gets no funnel: with
  the same size assumed for every force, the limits would judge nothing but the figures' spread.
- The funnel's limits come from all 43 forces of England and Wales whenever the data hold every
  one's figure for the window (the spread between forces is then well estimated), else from the
  group, which needs at least three forces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from pcpbook.analysis.once import once
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure
from pcpbook.core.periods import Quarter, add_months, day_label, month_label
from pcpbook.core.units import COMPARISON_UNITS
from pcpbook.sources.forces import known_forces
from pcpbook.stats.benchmark import Benchmark, BenchmarkError, Figure, compare

WINDOW_MONTHS = 12
NO_FUNNEL_ASSUMED = ("each force's survey sample size is not in the data, and with the same size assumed for "
                     "every force, funnel limits would judge nothing but the spread of the figures")
MAX_LAG_QUARTERS = 8  # a series whose latest figures ended more than two years ago is not compared
MIN_NATIONAL_FORCES = 30  # a national funnel needs most forces: fewer and the group's is the better comparison
QUARTER_MONTHS = 3


@dataclass(frozen=True)
class Window:
    start: dt.date
    months: int = WINDOW_MONTHS
    snapshot: bool = False  # a headcount's window is the day it ends on

    @property
    def end(self) -> dt.date:
        return add_months(self.start, self.months) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.snapshot:
            return f"at {day_label(self.end)}"
        if self.months == QUARTER_MONTHS:
            return f"quarter {Quarter.containing(self.start).month_span}"
        return f"12 months to {month_label(self.end)}"

    @property
    def within(self) -> str:
        """The window as a sentence says it: "in the 12 months to March 2018", "at 31 March 2018"."""
        return self.label if self.snapshot else f"in the {self.label}"

    @classmethod
    def ending(cls, quarter: Quarter, months: int = WINDOW_MONTHS) -> "Window":
        return cls(add_months(quarter.start, 3 - months), months)


@dataclass(frozen=True)
class GroupComparison:
    """A measure compared across the group over one window."""

    measure: Measure
    window: Window
    benchmark: Benchmark
    left_out: dict[str, str] = field(default_factory=dict)  # force -> why it is not compared
    modelled: bool = False                                  # any value compared is modelled
    population_years: tuple[int, ...] = ()
    base_label: str = "Population"                          # what the funnel's sizes are
    funnel: Benchmark | None = None                         # whose limits judge: all forces', the group's, none
    no_funnel: str = ""                                     # why there is no funnel ("" when there is)
    modelled_population: bool = False                       # any population used is modelled
    carried_from: int | None = None                         # mid-year of populations carried forward
    funnel_left_out: dict[str, str] = field(default_factory=dict)  # forces the national funnel leaves out, why

    @property
    def national(self) -> bool:
        """The funnel is of every force of England and Wales, not the group."""
        return self.funnel is not None and self.funnel is not self.benchmark

    @property
    def funnel_scope(self) -> str:
        if not self.national:
            return f"the {self.benchmark.group_size} forces of the group"
        every = len(known_forces())
        return (f"the {every} forces of England and Wales" if self.funnel.group_size == every
                else f"{self.funnel.group_size} of the {every} forces of England and Wales")

    def verdict(self, force: str) -> str | None:
        """Inside, above or below the funnel's 99.8% limits; None without a funnel."""
        return None if self.funnel is None else self.funnel.standing(force).funnel


def population_year(window: Window) -> int:
    """The mid-year (30 June) nearest the window's middle."""
    middle = window.start + (window.end - window.start) / 2
    return min((middle.year - 1, middle.year, middle.year + 1), key=lambda y: abs((middle - dt.date(y, 6, 30)).days))


def population(dataset: Dataset, force: str, year: int):
    """(people, status, year used) of the force's mid-``year`` estimate or, when the table stops
    before it, its latest earlier one (carried forward); None when it has none."""
    rows = dataset.population[(dataset.population["geography"] == force) & (dataset.population["year"] <= year)]
    if rows.empty:
        return None
    latest = rows.loc[rows["year"].idxmax()]
    return int(latest["population"]), latest["status"], int(latest["year"])


@dataclass(frozen=True)
class Provenance:
    """What a group's figures rest on: whether any value or any population is modelled, and the
    mid-year of any population carried forward from an earlier year."""

    values_modelled: bool = False
    population_modelled: bool = False
    carried_from: int | None = None

    def __or__(self, other: "Provenance") -> "Provenance":
        carried = [year for year in (self.carried_from, other.carried_from) if year is not None]
        return Provenance(self.values_modelled or other.values_modelled,
                          self.population_modelled or other.population_modelled, min(carried, default=None))


def force_figure(dataset: Dataset, measure: Measure, force: str, window: Window):
    """(Figure, Provenance) of one force over the window, or the reason there is none."""
    value = dataset.value(measure.id, window.start, window.months, force)
    if value.amount is None:
        return f"no {measure.label} figures {window.within}"
    unit, modelled = measure.benchmark.unit, value.status == "modelled"
    if unit == "percent":
        if measure.benchmark.base is None:
            return Figure(force, value.amount * measure.sample_size * window.months / 3 / 100,
                          measure.sample_size * window.months / 3), Provenance(modelled)
        base = dataset.value(measure.benchmark.base, window.start, window.months, force)
        if base.amount is None:
            return f"no {dataset.measures[measure.benchmark.base].label} figures {window.within}"
        return (Figure(force, value.amount * base.amount / 100, base.amount),
                Provenance(modelled or base.status == "modelled"))
    if unit != "per_1000_population":
        return f"no denominator for {COMPARISON_UNITS[unit][1]} in the data"
    year = population_year(window)
    people = population(dataset, force, year)
    if people is None:
        return f"no population estimate for it up to mid-{year} in the population table"
    return Figure(force, value.amount, people[0]), Provenance(modelled, people[1] == "modelled",
                                                               people[2] if people[2] != year else None)


def group_figures(dataset: Dataset, measure: Measure, forces, window: Window) -> tuple[list, dict, Provenance]:
    """The figures of the forces that have one, the others with the reason, and what the
    figures used rest on."""
    figures, left_out, provenance = [], {}, Provenance()
    for force in forces:
        found = force_figure(dataset, measure, force, window)
        if isinstance(found, str):
            left_out[force] = found
        else:
            figures.append(found[0])
            provenance |= found[1]
    return figures, left_out, provenance


def latest_window(dataset: Dataset, measure: Measure, force: str, quarter: Quarter) -> Window | None:
    """The latest 12 months ending at a quarter's end, up to ``quarter``, with the force's
    figure; where the data hold no such 12 months (a few quarters of files), the latest quarter."""
    for months in (WINDOW_MONTHS, QUARTER_MONTHS):
        for lag in range(MAX_LAG_QUARTERS + 1):
            window = replace(Window.ending(quarter.shift(-lag), months), snapshot=measure.kind == "snapshot")
            if dataset.value(measure.id, window.start, window.months, force).amount is not None:
                return window
    return None


def group_comparison(dataset: Dataset, measure: Measure, quarter: Quarter, forces=None) -> GroupComparison | str:
    """The measure compared across the group (the dataset's own by default) over the latest
    window up to ``quarter``, or the reason it cannot be."""
    forces = tuple(forces or dataset.group)
    own = dataset.force.short_name
    if measure.benchmark is None:
        return f"{measure.label} has no unit of comparison in the catalogue"
    if len(forces) < 2:
        return "no group of similar forces in the data (peer_group.csv)"
    window = latest_window(dataset, measure, own, quarter)
    if window is None:
        return f"no {measure.label} figures for {own} in the two years to {month_label(quarter.end)}"
    figures, left_out, provenance = group_figures(dataset, measure, forces, window)
    if own in left_out:
        return f"{own}: {left_out[own]}"
    percent = measure.benchmark.unit == "percent"
    base = measure.benchmark.base
    assumed = percent and base is None  # a survey's sample size, the same for every force
    try:
        benchmark = compare(figures, measure.benchmark.unit, measure.benchmark.polarity, funnel=not assumed)
    except BenchmarkError as exc:
        return f"{exc} (left out: {', '.join(f'{f}: {why}' for f, why in left_out.items())})"
    national = None if assumed else national_benchmark(dataset, measure, window)
    funnel_left_out = {}
    if national is not None:
        national, funnel_left_out, provenance = national[0], national[1], provenance | national[2]
    funnel = national or (benchmark if benchmark.tau2 is not None else None)
    no_funnel = ("" if funnel else NO_FUNNEL_ASSUMED if assumed else
                 f"{benchmark.group_size} forces are too few to estimate the spread between forces")
    years = () if percent else (population_year(window),)
    label = ("Population" if not percent else f"{dataset.measures[base].label} ({window.label})" if base
             else f"People surveyed (catalogue sample size, {window.label})")
    return GroupComparison(measure, window, benchmark, left_out, provenance.values_modelled, years, label, funnel,
                           no_funnel, provenance.population_modelled, provenance.carried_from, funnel_left_out)


def national_benchmark(dataset: Dataset, measure: Measure, window: Window) -> tuple[Benchmark, dict, Provenance] | None:
    """The measure compared across the forces of England and Wales over the window, those it
    leaves out with the reason (a force without a population, say) and what the figures rest
    on, when the data hold the measure for all 43 (None otherwise)."""
    forces = [force.short_name for force in known_forces()]
    held = set(dataset.observations.loc[dataset.observations["measure"] == measure.id, "geography"])
    if not held.issuperset(forces):
        return None
    figures, left_out, provenance = group_figures(dataset, measure, forces, window)
    if len(figures) < MIN_NATIONAL_FORCES:
        return None
    return compare(figures, measure.benchmark.unit, measure.benchmark.polarity), left_out, provenance


def rolling_values(dataset: Dataset, measure: Measure, force: str, window: Window, points: int = 12) -> list:
    """The force's value over the 12 months to each of the last ``points`` months (quarters, for
    a quarterly percentage) up to the window's end: the sparkline's points, as (end, value)."""
    step = measure.behaviour.step_months
    out = []
    for k in range(points - 1, -1, -1):
        earlier = Window(add_months(window.start, -k * step))
        found = force_figure(dataset, measure, force, earlier)
        if not isinstance(found, str):
            out.append((earlier.end, found[0].value(measure.benchmark.unit)))
    return out


def comparisons_for(dataset: Dataset, measure: Measure, quarter: Quarter) -> tuple:
    """(this quarter's, the previous quarter's) comparison of the measure, each a
    GroupComparison or the reason there is none; computed once per dataset."""
    return once(dataset, ("peers", measure.id, quarter), lambda: _like_for_like(
        group_comparison(dataset, measure, quarter), group_comparison(dataset, measure, quarter.previous())))


def _like_for_like(now, before) -> tuple:
    """The two comparisons, the previous one only when it covers as many months as this one:
    a quarter's position is not the one before a year's."""
    if isinstance(now, str) or isinstance(before, str) or before.window.months == now.window.months:
        return now, before
    return now, f"the previous figure is for the {before.window.label}, not for {now.window.months} months"
