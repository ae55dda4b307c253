"""Load and validate the data contracts in ``data/`` as one ``Dataset`` (DESIGN §3).

Every problem is reported with the file, the line and the field, and what was expected.
Loading is all-or-nothing: a dataset with any problem raises ``DataError`` listing them all,
so a build stops before any output is touched.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pcpbook.contracts.catalogue import read_areas, read_force, read_measures, read_plans, read_sources
from pcpbook.contracts.citations import cite
from pcpbook.contracts.model import (AREAS_FILE, DISTRICT_CODE, EXTRACTS, FORCE_FILE, PEER_GROUP_FILE, PERIOD_MONTHS,
                                     POPULATION_COLUMNS, POPULATION_FILE, Areas, Force, Measure, Plan, Value,
                                     shown_rows, weakest)
from pcpbook.contracts.problems import DataError, Problem
from pcpbook.contracts.tables import (check_observations, frame_of, observation_frame, read_finance, read_observations,
                                      read_peer_group, read_population, read_published)
from pcpbook.core.periods import PeriodError, Quarter, add_months, month_label

if TYPE_CHECKING:  # pandas is imported where frames are made, so a build with nothing to do never loads it
    import pandas as pd


@dataclass
class Dataset:
    root: Path
    plans: dict[str, Plan]
    measures: dict[str, Measure]
    observations: pd.DataFrame
    sources: dict[str, str]
    force: Force
    digest: str = field(default="")
    finance: pd.DataFrame = field(default_factory=lambda: frame_of([], []))
    population: pd.DataFrame = field(default_factory=lambda: frame_of([], list(POPULATION_COLUMNS)))
    group: tuple[str, ...] = ()          # the force and its similar forces (peer_group.csv), for comparisons
    group_sources: tuple[str, ...] = ()  # where the grouping comes from
    areas: Areas | None = None           # the force area's districts (areas.yaml), if the project lists them
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # results computed once per dataset

    def __post_init__(self):
        best = {key: (row.value, row.status, row.source) for key, row in shown_rows(self.observations).items()}
        self._best = best
        self._series: dict[tuple, list] = {}  # (measure, geography, period): [(start, entry)] in time order
        for (measure, geography, period, start), entry in sorted(best.items(), key=lambda kv: kv[0][3]):
            self._series.setdefault((measure, geography, period), []).append((start, entry))

    def value(self, measure_id: str, start: dt.date, months: int, geography: str | None = None) -> Value:
        """The measure over ``months`` months from ``start`` (in the book's force unless
        ``geography`` says otherwise): a total for counts, the value at the window's end for
        headcounts, the average for percentages."""
        measure = self.measures[measure_id]
        geography = geography or self.force.short_name
        if measure.kind == "snapshot":
            return self._snapshot(measure_id, start, months, geography)
        exact = self._exact(measure_id, start, months, geography)
        if exact is not None:
            return exact
        parts = self._parts(measure_id, geography, start, months, measure.behaviour.step_months)
        if parts is None and measure.behaviour.adds_up and months % 3 == 0:  # quarterly tables (Home Office)
            parts = self._parts(measure_id, geography, start, months, 3)
        if parts is None:
            return Value(measure_id, start, months, None, None, ())
        amounts = [part[0] for part in parts]
        amount = measure.behaviour.combine(amounts)
        return Value(measure_id, start, months, amount, weakest(p[1] for p in parts),
                     tuple(dict.fromkeys(p[2] for p in parts)))

    def _parts(self, measure_id, geography, start, months, step) -> list | None:
        """The month (step 1) or quarter (step 3) rows that make up the window, or None."""
        period = "quarter" if step == 3 else "month"
        parts = [self._best.get((measure_id, geography, period, add_months(start, k))) for k in range(0, months, step)]
        return None if months % step or any(part is None for part in parts) else parts

    def monthly(self, measure_id: str, until: dt.date, geography: str | None = None) -> pd.DataFrame:
        """Monthly (or, for percentages, quarterly) observations up to ``until`` in the book's
        force (or ``geography``): the series a chart or a test may use without looking ahead.
        Its ``geography`` column names the place, for the chart's text; its ``source`` column
        gives each published figure's document as a citation, never as its key."""
        return self._rows(measure_id, geography or self.force.short_name,
                          self.measures[measure_id].behaviour.series_period, until)

    def series(self, measure_id: str, until: dt.date, geography: str | None = None) -> pd.DataFrame:
        """The series a page charts: ``monthly``, or for a count the data hold only quarter by
        quarter (the Home Office tables) its quarters. The ``period`` column says which."""
        geography = geography or self.force.short_name
        monthly = self.monthly(measure_id, until, geography)
        if monthly.empty and self.measures[measure_id].behaviour.series_period == "month":
            return self._rows(measure_id, geography, "quarter", until)
        return monthly

    def _rows(self, measure_id: str, geography: str, period: str, until: dt.date) -> pd.DataFrame:
        rows = [(start, *entry) for start, entry in self._series.get((measure_id, geography, period), [])
                if start <= until]
        frame = frame_of(rows, ["period_start", "value", "status", "source"]).assign(geography=geography, period=period)
        citations = {source: cite(source, self.sources) for source in frame["source"].unique()}
        return frame.assign(source=frame["source"].map(citations)) if len(frame) else frame

    def _exact(self, measure_id, start, months, geography) -> Value | None:
        for period, length in PERIOD_MONTHS.items():
            if length == months and (measure_id, geography, period, start) in self._best:
                amount, status, source = self._best[(measure_id, geography, period, start)]
                return Value(measure_id, start, months, amount, status, (source,))
        return None

    def _snapshot(self, measure_id, start, months, geography) -> Value:
        as_at = add_months(start, months) - dt.timedelta(days=1)
        earlier = [item for item in self._series.get((measure_id, geography, "snapshot"), [])
                   if item[0] <= as_at and (as_at - item[0]).days <= 31]
        if not earlier:
            return Value(measure_id, start, months, None, None, ())
        day, (amount, status, source) = earlier[-1]
        return Value(measure_id, start, months, amount, status, (source,))

    def plan_for(self, quarter: Quarter) -> Plan:
        for plan in self.plans.values():
            if plan.covers(quarter):
                return plan
        spans = ", ".join(f"{p.id} ({p.first_quarter}..{p.last_quarter})" for p in self.plans.values())
        raise PeriodError(f"no plan covers quarter {quarter}; plans in {self.root}: {spans}")

    def latest_quarter(self) -> Quarter:
        """The latest quarter with all of the book's force's figures: the last whose three months
        have monthly observations, or with a quarterly observation (Home Office tables). A gap in
        the files does not move it to a quarter without figures, and other forces' figures (for
        comparisons) do not move it."""
        with_figures = self.quarters_with_figures()
        if not with_figures:
            raise DataError([Problem(str(self.root), None, None, f"no monthly or quarterly figures for "
                                     f"{self.force.short_name} in the data yet: add an extract to "
                                     f"{self.root / EXTRACTS} (python -m pcpbook ingest ...)")])
        own = self.observations[self.observations["geography"] == self.force.short_name]
        months = set(own.loc[own["period"] == "month", "period_start"])
        quarterly = {Quarter.containing(start) for start in own.loc[own["period"] == "quarter", "period_start"]}
        complete = [q for q in with_figures if q in quarterly or all(m in months for m in q.months)]
        if not complete:
            raise DataError([Problem(str(self.root), None, None, f"no quarter has all three months of figures for "
                                     f"{self.force.short_name} yet (the data hold months from "
                                     f"{month_label(min(months))} to {month_label(max(months))})")])
        return max(complete)

    def check_plans_cover_figures(self) -> None:
        """Refuse data whose plans cover none of the quarters with the force's figures: every
        edition would be refused (a new project's plan starting after its data end)."""
        with_figures = sorted(self.quarters_with_figures())
        if with_figures and not any(plan.covers(q) for plan in self.plans.values() for q in with_figures):
            plan = min(self.plans.values(), key=lambda p: p.first_quarter)
            raise DataError([Problem(str(self.root / "plans" / f"{plan.id}.yaml"), None, "first_quarter",
                                     f"the data hold figures for {self.force.short_name} from {with_figures[0]} to "
                                     f"{with_figures[-1]}, but no plan covers any of those quarters ({plan.id} runs "
                                     f"from {plan.first_quarter} to {plan.last_quarter}): set first_quarter and "
                                     "last_quarter to the plan's period, within the data")])

    @functools.cached_property
    def _quarters_with_figures(self) -> frozenset[Quarter]:
        own = self.observations[(self.observations["geography"] == self.force.short_name)
                                & self.observations["period"].isin(("month", "quarter"))]
        return frozenset(Quarter.containing(start) for start in own["period_start"].unique())

    def quarters_with_figures(self) -> frozenset[Quarter]:
        """Every quarter with at least one monthly or quarterly figure for the book's force."""
        return self._quarters_with_figures

    def visible_digest(self, quarter: Quarter, measure_ids=None) -> str:
        """Hash of what an edition for ``quarter`` can see: the catalogue, sources and plans,
        and the observations (of ``measure_ids``, or all) up to the quarter's end. A change
        after the quarter, or to another measure, leaves it unchanged."""
        digest = hashlib.sha256()
        for name in ("measures.yaml", "sources.yaml"):
            digest.update((self.root / name).read_bytes())
        for name in (POPULATION_FILE, PEER_GROUP_FILE, AREAS_FILE):  # optional: comparisons and districts
            path = self.root / name
            digest.update(path.read_bytes() if path.exists() else b"")
        for path in sorted((self.root / "plans").glob("*.yaml")):
            digest.update(path.read_bytes())
        if self.areas is not None and self.areas.outlines_file:
            digest.update((self.root / self.areas.outlines_file).read_bytes())
        rows = self.observations[self.observations["period_start"] <= quarter.end]
        if measure_ids is not None:
            rows = rows[rows["measure"].isin(list(measure_ids))]
        columns = ["measure", "geography", "period_start", "period", "value", "source", "status"]
        digest.update(rows[columns].to_csv(index=False).encode())
        return digest.hexdigest()

    def with_bases(self, measure_ids) -> list[str]:
        """The measures and the count measures their comparisons across forces are shares of."""
        bases = [self.measures[m].benchmark.base for m in measure_ids if self.measures[m].benchmark]
        return sorted(set(measure_ids) | {b for b in bases if b})

    def district_measure_ids(self, quarter: Quarter) -> list[str]:
        """The count measures the data hold for the project's districts in the quarter, in
        catalogue order (none without areas.yaml)."""
        if self.areas is None:
            return []
        rows = self.observations
        held = set(rows.loc[rows["geography"].isin([d.code for d in self.areas.districts])
                            & (rows["period_start"] >= quarter.start) & (rows["period_start"] <= quarter.end), "measure"])
        return [m.id for m in self.measures.values() if m.id in held and m.kind == "count"]

    def measure_label(self, measure_id: str) -> str:
        """The measure's label, or its id when the catalogue no longer has it (an older
        edition's record can name one)."""
        return self.measures[measure_id].label if measure_id in self.measures else measure_id

    def check_quarter(self, quarter: Quarter) -> Plan:
        """The plan in force for ``quarter``, refusing quarters beyond the data and quarters
        with no figure at all for the book's force (an edition would say nothing)."""
        latest = self.latest_quarter()
        if quarter > latest:
            raise PeriodError(f"quarter {quarter} is after the latest quarter in the data "
                              f"({latest}, data to {latest.end:%B %Y})")
        if quarter not in self.quarters_with_figures():
            raise PeriodError(f"quarter {quarter} has no figures for {self.force.short_name} in the data: an "
                              "edition would have nothing to report (add an extract for it, or choose another quarter)")
        return self.plan_for(quarter)


def load_force(root: str | Path) -> Force:
    """The force a data folder reports on (its force.yaml), read on its own: for commands,
    such as ingest, that need the force's names before there is a whole dataset to load."""
    problems: list[Problem] = []
    force = read_force(Path(root) / FORCE_FILE, problems)
    if problems:
        raise DataError(problems)
    return force


def load(root: str | Path) -> Dataset:
    """Load and validate everything in ``root`` (the ``data/`` folder). A warm kernel running
    several chapters loads each version of the data once: the cache is keyed by a hash of
    every data file, so any edit is read and validated afresh."""
    return _load(Path(root), data_digest(Path(root)))


@functools.lru_cache(maxsize=4)
def _load(root: Path, digest: str) -> Dataset:
    problems: list[Problem] = []
    force = read_force(root / FORCE_FILE, problems)
    sources = read_sources(root / "sources.yaml", problems)
    measures = read_measures(root / "measures.yaml", problems)
    if any(p.file == str(root / "measures.yaml") for p in problems):
        # everything else is checked against the catalogue: one error there would echo on every row
        raise DataError(problems + [Problem(str(root), None, None, "the plans and observations are checked "
                                            "once measures.yaml is valid")])
    plans = read_plans(root / "plans", measures, problems)
    bundled = read_observations(root / "observations.csv", measures, problems)
    extracts = [read_observations(path, measures, problems) for path in sorted((root / EXTRACTS).glob("*.csv"))]
    frames = [_replace_by_extracts(bundled, extracts), *extracts,
              read_published(root / "published_figures.csv", measures, sources, problems)]
    if problems:
        raise DataError(problems)
    import pandas as pd
    filled = [f for f in frames if not f.empty]
    observations = pd.concat(filled, ignore_index=True) if filled else observation_frame([])  # a new project: no figures yet
    check_observations(observations, measures, problems)
    finance = read_finance(root / "finance.csv", sources, problems)
    population = read_population(root / POPULATION_FILE, problems)
    group, group_sources = read_peer_group(root / PEER_GROUP_FILE, force, problems)
    areas = read_areas(root / AREAS_FILE, problems)
    _check_districts(observations, areas, problems)
    if problems:
        raise DataError(problems)
    return Dataset(root, plans, measures, observations, sources, force, digest=digest, finance=finance,
                   population=population, group=group, group_sources=group_sources, areas=areas)


def _check_districts(observations: pd.DataFrame, areas: Areas | None, problems: list[Problem]) -> None:
    """A geography that is a district code must be one of the project's districts (a typo would
    otherwise be a district no page shows)."""
    listed = {d.code for d in areas.districts} if areas else set()
    codes = observations["geography"]
    stray = observations[codes.str.fullmatch(DISTRICT_CODE) & ~codes.isin(listed)]
    if len(stray):
        row = stray.iloc[0]
        problems.append(Problem(row["file"], int(row["line"]), "geography", f"{row['geography']!r} is not a district "
                                f"of {AREAS_FILE}" + ("" if areas else " (the project has no areas.yaml)")))


def read_tables(observations: list[Path], measures: dict[str, Measure], population: Path,
                group: Path | None = None) -> tuple:
    """Observation files, a population table and a group file read on their own, for the
    benchmark command: (observations, population, group names); any problem raises DataError."""
    problems: list[Problem] = []
    frames = [read_observations(Path(path), measures, problems) for path in observations]
    people = read_population(Path(population), problems) if Path(population).exists() else None
    if people is None:
        problems.append(Problem(str(population), None, None, "file is missing"))
    if group and not Path(group).exists():
        problems.append(Problem(str(group), None, None, "file is missing"))
    names = read_peer_group(Path(group), None, problems)[0] if group else ()
    if problems:
        raise DataError(problems)
    import pandas as pd
    filled = [f for f in frames if not f.empty]
    return (pd.concat(filled, ignore_index=True) if filled else observation_frame([])), people, names


def _replace_by_extracts(bundled: pd.DataFrame, extracts: list[pd.DataFrame]) -> pd.DataFrame:
    """Real extracts (``extracts/*.csv``, e.g. written by ``pcpbook ingest``) replace the bundled
    series measure by measure: a measure and geography found in any extract keeps none of its
    bundled rows, so a chart never mixes the two."""
    replaced = {(row.measure, row.geography) for frame in extracts for row in frame[["measure", "geography"]]
                .drop_duplicates().itertuples()}
    if not replaced:
        return bundled
    keys = list(zip(bundled["measure"], bundled["geography"]))
    return bundled[[key not in replaced for key in keys]]


def data_digest(root: Path) -> str:
    """A hash of every data file, recorded in each edition."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
