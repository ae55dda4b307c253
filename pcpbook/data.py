"""Load and validate the data contracts in ``data/`` (DESIGN §3).

Every problem is reported with the file, the line and the field, and what was expected.
Loading is all-or-nothing: a dataset with any problem raises ``DataError`` listing them all,
so a build stops before any output is touched.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .contracts import kinds
from .contracts.problems import DataError, Problem
from .contracts.glyphs import chart_text_problem
from .contracts.schema import conform
from .periods import PeriodError, Quarter, add_months, fy_label, fy_start_date, parse_date, parse_fy
from .reading import ReadError, csv_rows, read_yaml, whole_number

if TYPE_CHECKING:  # pandas is imported where frames are made, so a build with nothing to do never loads it
    import pandas as pd

FORCE_FILE = "force.yaml"
POPULATION_FILE = "population.csv"
POPULATION_COLUMNS = kinds.POPULATION.names
PEER_GROUP_FILE = "peer_group.csv"
PEER_GROUP_COLUMNS = kinds.PEER_GROUP.names
# Units a measure is compared across forces in: how many of the base the value is per, and how it reads
COMPARISON_UNITS = {
    "per_1000_population": (1_000, "per 1,000 population"),
    "per_1000_households": (1_000, "per 1,000 households"),
    "per_100m_vehicle_km": (100_000_000, "per 100 million vehicle km"),
    "percent": (100, "%"),
}
PERIODS = ("month", "quarter", "year", "fy", "snapshot")
PLAN_ID = re.compile(kinds.PLAN_ID_PATTERN)
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "fy": 12}
STATUSES = ("published", "modelled", "provisional")
DEFAULT_TEST = {"count": "poisson", "percent": "proportion", "snapshot": "none"}
OBSERVATION_COLUMNS = kinds.OBSERVATIONS.names
PUBLISHED_COLUMNS = kinds.PUBLISHED.names
EXTRACTS = "extracts"  # folder of real observation extracts that replace bundled series
FINANCE_COLUMNS = kinds.FINANCE.names
# The finance table's items: label and unit. The surplus must equal funding less spending.
FINANCE_ITEMS = {
    "funding": ("Funding (net revenue budget)", "£m"),
    "net_revenue_expenditure": ("Net revenue expenditure", "£m"),
    "surplus": ("Surplus (to reserves)", "£m"),
    "home_office_grant_share": ("Home Office core grant, share of funding", "%"),
    "gross_expenditure_change": ("Gross expenditure, change since the baseline year", "%"),
    "precept_increase": ("Council tax precept (Band D), increase on the year before", "%"),
    "savings": ("Savings delivered", "£m"),
    "recurring_savings": ("Savings delivered, of which recurring", "£m"),
}
SURPLUS_TOLERANCE = 0.05  # £m: published figures are rounded to £0.1m


# ----------------------------------------------------------------------------- contracts


@dataclass(frozen=True)
class Discontinuity:
    """A break in a series: a date, or a period when ``end`` is given (e.g. a lockdown)."""

    date: dt.date
    note: str
    end: dt.date | None = None
    recording: bool = False  # a change in what is counted: changes across it are not tested


    def covers_month(self, month: dt.date) -> bool:
        """True when the period overlaps the month starting ``month``."""
        return self.end is not None and self.date < add_months(month, 1) and self.end >= month


@dataclass(frozen=True)
class Benchmarking:
    """How a measure is compared with similar forces: its unit of comparison, the aspiration
    (``msg_average``, ``upper_quartile``, ``{"rank": N}`` or None) and, for a percentage, the
    count measure it is a share of (the funnel's denominator), if any."""

    unit: str
    aspiration: str | dict | None = None
    base: str | None = None


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    kind: str
    polarity: str
    unit: str
    unit_one: str
    noun: str
    noun_one: str
    verb: str
    source: str
    definition: str
    discontinuities: tuple[Discontinuity, ...] = ()
    last_quarter: bool = False
    test: str = "poisson"
    test_note: str = ""
    sample_size: int | None = None
    decompose: bool = False
    trend_test: bool = False
    trend_series: str | None = None  # a measure whose series the trend tests prefer where it has data
    benchmark: Benchmarking | None = None  # how it is compared with similar forces, if it is
    per_day: bool = False  # contacts and reports: also a rate per day, and the quarter's busiest month
    since: dt.date | None = None  # the start of a scheme or channel: its running total since then is given
    parts: tuple[str, ...] = ()   # counts that add up to this one (KSI: killed, seriously injured): shares given

    @property
    def periods(self) -> tuple[Discontinuity, ...]:
        return tuple(d for d in self.discontinuities if d.end is not None)

    def unit_for(self, amount: float) -> str:
        return self.unit_one if amount == 1 else self.unit


@dataclass(frozen=True)
class Target:
    """A target written into a commitment: a level, a change or a percent change from a
    baseline, or a position in the group of similar forces, to be reached by a date. The
    baseline is a headcount's date, or a financial year (``baseline_fy``) for a count's total
    or a percentage's average; a rank needs none."""

    measure: str
    kind: str
    amount: float
    by: dt.date
    source: str
    baseline: dt.date | None = None
    baseline_fy: bool = False


@dataclass(frozen=True)
class Commitment:
    id: str
    text: str
    who: tuple[str, ...]
    stage: str
    source: str
    target: Target | None = None


@dataclass(frozen=True)
class Priority:
    number: int
    title: str
    objective: str
    measures: tuple[str, ...]
    commitments: tuple[Commitment, ...]
    source: str

    @property
    def slug(self) -> str:
        return f"p{self.number:02d}"


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    first_quarter: Quarter
    last_quarter: Quarter
    source: str
    priorities: tuple[Priority, ...]
    baseline_year: int  # the closure review compares this financial year ...
    end_year: int       # ... with this one (calendar years the financial years start in)
    stages: tuple[tuple[str, str], ...] = ()  # what the plan calls the stages of its commitments

    def stage_label(self, stage: str) -> str:
        """A commitment's stage as the plan names it ("Extension (2020/21)"), else the stage id."""
        return dict(self.stages).get(stage, "Original plan" if stage == "plan" else stage.capitalize())

    def covers(self, quarter: Quarter) -> bool:
        return self.first_quarter <= quarter <= self.last_quarter

    def edition_before(self, quarter: Quarter) -> Quarter | None:
        """The quarter of the plan's edition before ``quarter``'s (None for the plan's first)."""
        return quarter.previous() if quarter > self.first_quarter else None

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Every measure the plan reports, in priority order, each once."""
        return tuple(dict.fromkeys(m for p in self.priorities for m in p.measures))

    @property
    def targets(self) -> tuple[tuple[Commitment, Target], ...]:
        """Every commitment with a target, in the plan's order, with its target."""
        return tuple((c, c.target) for p in self.priorities for c in p.commitments if c.target is not None)

    def priority(self, number: int) -> Priority:
        for priority in self.priorities:
            if priority.number == number:
                return priority
        raise KeyError(f"plan {self.id} has no priority {number}")


STATUS_RANK = {"published": 0, "provisional": 1, "modelled": 2}


def shown_rows(observations: pd.DataFrame) -> dict[tuple, object]:
    """The row a book shows for each measure, place, period and start: the strongest status
    (published over provisional over modelled), the first such row on a tie."""
    best: dict[tuple, object] = {}
    for row in observations.itertuples():
        key = (row.measure, row.geography, row.period, row.period_start)
        if key not in best or STATUS_RANK[row.status] < STATUS_RANK[best[key].status]:
            best[key] = row
    return best


@dataclass(frozen=True)
class Value:
    """A measure's value over a window of months, with where it came from.

    ``status`` is the weakest status of the parts: a total of modelled months is modelled
    even if one month was published. ``amount`` is None when the data do not cover the window.
    """

    measure: str
    start: dt.date
    months: int
    amount: float | None
    status: str | None
    sources: tuple[str, ...]

    @property
    def end(self) -> dt.date:
        return add_months(self.start, self.months) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Force:
    """The force a book reports on, by the name each public source gives it (force.yaml)."""

    name: str         # "Kent Police"
    short_name: str   # "Kent": in sentences, and the observations' geography
    police_uk: str    # police.uk's "Falls within"
    home_office: str  # the Home Office tables' force name
    stats19: int      # STATS19 police_force code


@dataclass
class Dataset:
    root: Path
    plans: dict[str, Plan]
    measures: dict[str, Measure]
    observations: pd.DataFrame
    sources: dict[str, str]
    force: Force
    digest: str = field(default="")
    finance: pd.DataFrame = field(default_factory=lambda: _frame_of([], []))
    population: pd.DataFrame = field(default_factory=lambda: _frame_of([], list(POPULATION_COLUMNS)))
    group: tuple[str, ...] = ()          # the force and its similar forces (peer_group.csv), for comparisons
    group_sources: tuple[str, ...] = ()  # where the grouping comes from
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
        step = 3 if measure.kind == "percent" else 1
        parts = self._parts(measure_id, geography, start, months, step)
        if parts is None and measure.kind == "count" and months % 3 == 0:  # quarterly tables (Home Office)
            parts = self._parts(measure_id, geography, start, months, 3)
        if parts is None:
            return Value(measure_id, start, months, None, None, ())
        amounts = [part[0] for part in parts]
        amount = sum(amounts) if measure.kind == "count" else round(sum(amounts) / len(amounts), 1)
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
        Its ``geography`` column names the place, for the chart's text."""
        measure = self.measures[measure_id]
        geography = geography or self.force.short_name
        period = {"count": "month", "percent": "quarter", "snapshot": "snapshot"}[measure.kind]
        rows = [(start, *entry) for start, entry in self._series.get((measure_id, geography, period), [])
                if start <= until]
        return _frame_of(rows, ["period_start", "value", "status", "source"]).assign(geography=geography)

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
        """The latest quarter whose three months all have monthly observations."""
        months = self.observations.loc[self.observations["period"] == "month", "period_start"]
        if months.empty:
            raise DataError([Problem(str(self.root), None, None, "no monthly figures in the data yet: add an extract "
                                     f"to {self.root / EXTRACTS} (python -m pcpbook ingest ...)")])
        last_month = max(months)
        quarter = Quarter.containing(last_month)
        return quarter if quarter.end.month == last_month.month else quarter.previous()

    def visible_digest(self, quarter: Quarter, measure_ids=None) -> str:
        """Hash of what an edition for ``quarter`` can see: the catalogue, sources and plans,
        and the observations (of ``measure_ids``, or all) up to the quarter's end. A change
        after the quarter, or to another measure, leaves it unchanged."""
        digest = hashlib.sha256()
        for name in ("measures.yaml", "sources.yaml"):
            digest.update((self.root / name).read_bytes())
        for name in (POPULATION_FILE, PEER_GROUP_FILE):  # optional: the comparisons with similar forces
            path = self.root / name
            digest.update(path.read_bytes() if path.exists() else b"")
        for path in sorted((self.root / "plans").glob("*.yaml")):
            digest.update(path.read_bytes())
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

    def measure_label(self, measure_id: str) -> str:
        """The measure's label, or its id when the catalogue no longer has it (an older
        edition's record can name one)."""
        return self.measures[measure_id].label if measure_id in self.measures else measure_id

    def check_quarter(self, quarter: Quarter) -> Plan:
        """The plan in force for ``quarter``, refusing quarters beyond the data."""
        latest = self.latest_quarter()
        if quarter > latest:
            raise PeriodError(f"quarter {quarter} is after the latest quarter in the data "
                              f"({latest}, data to {latest.end:%B %Y})")
        return self.plan_for(quarter)


def weakest(statuses) -> str:
    """The least certain status: a total with one modelled part is modelled."""
    return max(statuses, key=STATUS_RANK.__getitem__)


# ----------------------------------------------------------------------------- loading


def load_force(root: str | Path) -> Force:
    """The force a data folder reports on (its force.yaml), read on its own: for commands,
    such as ingest, that need the force's names before there is a whole dataset to load."""
    problems: list[Problem] = []
    force = _load_force(Path(root) / FORCE_FILE, problems)
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
    force = _load_force(root / FORCE_FILE, problems)
    sources = _load_sources(root / "sources.yaml", problems)
    measures = _load_measures(root / "measures.yaml", problems)
    if any(p.file == str(root / "measures.yaml") for p in problems):
        # everything else is checked against the catalogue: one error there would echo on every row
        raise DataError(problems + [Problem(str(root), None, None, "the plans and observations are checked "
                                            "once measures.yaml is valid")])
    plans = _load_plans(root / "plans", measures, problems)
    bundled = _load_observations(root / "observations.csv", measures, problems)
    extracts = [_load_observations(path, measures, problems) for path in sorted((root / EXTRACTS).glob("*.csv"))]
    frames = [_replace_by_extracts(bundled, extracts), *extracts,
              _load_published(root / "published_figures.csv", measures, sources, problems)]
    if problems:
        raise DataError(problems)
    import pandas as pd
    filled = [f for f in frames if not f.empty]
    observations = pd.concat(filled, ignore_index=True) if filled else _frame([])  # a new project: no figures yet
    _check_duplicates(observations, problems)
    _check_text_fields(observations, problems)
    _check_totals_agree(observations, problems)
    _check_parts_add_up(observations, measures, problems)
    finance = _load_finance(root / "finance.csv", sources, problems)
    population = _load_population(root / POPULATION_FILE, problems)
    group, group_sources = _load_peer_group(root / PEER_GROUP_FILE, force, problems)
    if problems:
        raise DataError(problems)
    return Dataset(root, plans, measures, observations, sources, force, digest=digest, finance=finance,
                   population=population, group=group, group_sources=group_sources)


def read_tables(observations: list[Path], measures: dict[str, Measure], population: Path,
                group: Path | None = None) -> tuple:
    """Observation files, a population table and a group file read on their own, for the
    benchmark command: (observations, population, group names); any problem raises DataError."""
    problems: list[Problem] = []
    frames = [_load_observations(Path(path), measures, problems) for path in observations]
    people = _load_population(Path(population), problems) if Path(population).exists() else None
    if people is None:
        problems.append(Problem(str(population), None, None, "file is missing"))
    if group and not Path(group).exists():
        problems.append(Problem(str(group), None, None, "file is missing"))
    names = _load_peer_group(Path(group), None, problems)[0] if group else ()
    if problems:
        raise DataError(problems)
    import pandas as pd
    filled = [f for f in frames if not f.empty]
    return (pd.concat(filled, ignore_index=True) if filled else _frame([])), people, names


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


def _read_yaml_lines(path: Path, problems: list[Problem]):
    if not path.exists():
        problems.append(Problem(str(path), None, None, "file is missing"))
        return None
    try:
        return read_yaml(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, None, str(exc)))
        return None


def _load_force(path: Path, problems: list[Problem]) -> Force | None:
    """The force's names in each source; every field is required (a book for one force)."""
    if not path.exists():
        problems.append(Problem(str(path), None, None, "missing: the force this book reports on (name, short_name, "
                                                       "police_uk, home_office, stats19); see the README"))
        return None
    raw = _read_yaml_lines(path, problems)
    if isinstance(raw, dict) and "similar_forces" in raw:
        problems.append(Problem(str(path), raw.get("__line__"), "similar_forces", "the group of similar forces is "
                                f"{PEER_GROUP_FILE} (columns {', '.join(PEER_GROUP_COLUMNS)})"))
        return None
    checked = conform(kinds.ForceFile, raw, path, problems) if raw is not None else None
    return None if checked is None else Force(**checked.model_dump())


def _load_sources(path: Path, problems: list[Problem]) -> dict[str, str]:
    """Documents that published figures cite: a mapping of key to citation."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    checked = conform(kinds.SourcesFile, {"documents": raw}, path, problems)
    return dict(checked.documents) if checked is not None else {}


def _load_measures(path: Path, problems: list[Problem]) -> dict[str, Measure]:
    """The measure catalogue: each entry held to ``kinds.MeasureEntry``, then the rules that
    join entries (a base, parts or trend series must be other measures of the catalogue)."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.append(Problem(str(path), None, None, "expected a list of measures"))
        return {}
    measures: dict[str, Measure] = {}
    for entry in raw:
        line = entry.get("__line__") if isinstance(entry, dict) else None
        checked = conform(kinds.MeasureEntry, entry, path, problems, line)
        if checked is None:
            continue
        measure = _measure(checked, path, line, problems)
        if measure is None:
            continue
        if measure.id in measures:
            problems.append(Problem(str(path), line, "id", f"measure {measure.id!r} is defined twice"))
            continue
        measures[measure.id] = measure
    written = {entry.get("id") for entry in raw if isinstance(entry, dict)}  # a rejected entry is reported already
    for measure in measures.values():
        _check_joins(measure, measures, written, path, problems)
    return measures


def _measure(entry: kinds.MeasureEntry, path: Path, line, problems: list[Problem]) -> Measure | None:
    """A catalogue entry's own rules, across its fields."""
    def bad(field_name: str, message: str) -> None:
        problems.append(Problem(str(path), line, field_name, message))

    test = entry.test or DEFAULT_TEST[entry.kind]
    if test == "none" and not entry.test_note and entry.kind != "snapshot":
        return bad("test_note", "missing: say why no test applies")
    if test == "proportion" and entry.sample_size is None:
        return bad("sample_size", "a proportion test needs a positive whole sample_size per quarter")
    if entry.since is not None and (entry.since.day != 1 or entry.kind != "count"):
        return bad("since", f"got '{entry.since}': expected the first day of the month a count began, such as 2016-09-01")
    benchmark = entry.benchmark
    if benchmark is not None and (benchmark.unit == "percent") != (entry.kind == "percent"):
        return bad("benchmark", f"unit {benchmark.unit!r} does not fit a {entry.kind} measure: percentages compare "
                                "as percent, counts per population")
    if benchmark and benchmark.unit == "percent" and benchmark.base is None and entry.sample_size is None:
        return bad("benchmark", "a percentage compared across forces needs a base (the count measure it is a share "
                                "of) or a sample_size, for its funnel")
    aspiration = benchmark.aspiration if benchmark else None
    if aspiration is not None and not isinstance(aspiration, str):
        aspiration = {"rank": aspiration.rank}
    breaks = tuple(Discontinuity(b.date, b.note, b.end, b.recording) for b in entry.discontinuities)
    return Measure(id=entry.id, label=entry.label, kind=entry.kind, polarity=entry.polarity, unit=entry.unit,
                   unit_one=entry.unit_one, noun=entry.noun, noun_one=entry.noun_one, verb=entry.verb,
                   source=entry.source, definition=entry.definition, discontinuities=breaks,
                   last_quarter=entry.last_quarter, test=test, test_note=entry.test_note or "",
                   sample_size=entry.sample_size, decompose=entry.decompose, trend_test=entry.trend_test,
                   trend_series=entry.trend_series,
                   benchmark=Benchmarking(benchmark.unit, aspiration, benchmark.base) if benchmark else None,
                   per_day=entry.per_day and entry.kind == "count", since=entry.since, parts=entry.parts)


def _check_joins(measure: Measure, measures: dict[str, Measure], written: set, path: Path,
                 problems: list[Problem]) -> None:
    """A measure's base, parts and trend series name other measures of the catalogue."""
    base = measure.benchmark.base if measure.benchmark else None
    if base is not None and (base not in written or (base in measures and measures[base].kind != "count")):
        problems.append(Problem(str(path), None, "benchmark", f"measure {measure.id!r}: base {base!r} is not a "
                                                              "count measure in the catalogue"))
    if measure.parts and (measure.kind != "count" or len(set(measure.parts)) < 2 or measure.id in measure.parts
                          or any(m not in written or (m in measures and measures[m].kind != "count")
                                 for m in measure.parts)):
        problems.append(Problem(str(path), None, "parts", f"measure {measure.id!r}: parts {list(measure.parts)} "
                                "must be two or more other count measures in the catalogue, of a count"))
    if measure.trend_series is not None and measure.trend_series not in measures:
        problems.append(Problem(str(path), None, "trend_series",
                                f"measure {measure.id!r} names {measure.trend_series!r}, which is not in the "
                                "catalogue"))


def _load_plans(folder: Path, measures: dict[str, Measure], problems: list[Problem]) -> dict[str, Plan]:
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        problems.append(Problem(str(folder), None, None, "no plan files (*.yaml) found"))
    plans = {}
    for path in paths:
        plan = _load_plan(path, measures, problems)
        if plan is not None:
            plans[plan.id] = plan
    ordered = sorted(plans.values(), key=lambda p: p.first_quarter)
    for earlier, later in zip(ordered, ordered[1:]):
        if later.first_quarter <= earlier.last_quarter:
            problems.append(Problem(str(folder), None, "first_quarter",
                                    f"plans {earlier.id} and {later.id} overlap"))
    return {p.id: p for p in ordered}


def _load_plan(path: Path, measures: dict[str, Measure], problems: list[Problem]) -> Plan | None:
    """A plan held to ``kinds.PlanFile``, then its rules across fields: priorities numbered in
    order, commitment ids unique and under their priority, measures in the catalogue, targets
    possible and inside the plan's era."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return None
    checked = conform(kinds.PlanFile, raw, path, problems)
    if checked is None:
        return None
    before = len(problems)
    line = raw.get("__line__")

    def bad(where, field_name: str, message: str) -> None:
        problems.append(Problem(str(path), where, field_name, message))

    quarters = {}
    for key in ("first_quarter", "last_quarter"):
        try:
            quarters[key] = Quarter.parse(getattr(checked, key))
        except PeriodError as exc:
            bad(line, key, str(exc))
    numbers = [p.number for p in checked.priorities]
    if numbers != list(range(1, len(numbers) + 1)):
        bad(line, "priorities", f"expected priorities numbered 1..n in order, got {numbers}")
    if len(problems) > before:
        return None
    first, last = quarters["first_quarter"], quarters["last_quarter"]
    lines = _entry_lines(raw)
    seen: dict[str, int | None] = {}
    priorities = []
    for number, entry in enumerate(checked.priorities):
        for measure_id in entry.measures:
            if measure_id not in measures:
                bad(lines[number][0], "measures", f"unknown measure {measure_id!r}: not in measures.yaml")
        commitments = []
        for item, item_line in zip(entry.commitments, lines[number][1]):
            if item.id in seen:
                bad(item_line, "id", f"commitment id {item.id!r} is used twice (first at line {seen[item.id]})")
            seen.setdefault(item.id, item_line)
            if not item.id.startswith(f"{entry.number}."):
                bad(item_line, "id", f"commitment {item.id!r} should start with its priority number '{entry.number}.'")
            target = _target(item.target, entry.measures, measures,
                             lambda field_name, message, at=item_line: bad(at, f"target.{field_name}", message))
            commitments.append(Commitment(item.id, item.text, item.who, item.stage, item.source or entry.source,
                                          target))
        priorities.append(Priority(entry.number, entry.title, entry.objective, entry.measures, tuple(commitments),
                                   entry.source))
    baseline = _review_year(checked.review_baseline_year, first.fy_start - 1, "review_baseline_year", line, bad)
    end = _review_year(checked.review_end_year, last.fy_start, "review_end_year", line, bad)
    if baseline is not None and baseline >= first.fy_start:
        bad(line, "review_baseline_year", f"got {fy_label(baseline)}: the baseline year comes before the plan's "
                                          "first year")
    if end is not None and end < last.fy_start:
        bad(line, "review_end_year", f"got {fy_label(end)}: the end year cannot come before the plan's last year")
    if len(problems) > before:
        return None
    return Plan(checked.id, checked.title, first, last, checked.source, tuple(priorities), baseline, end,
                tuple(checked.stages.items()))


def _entry_lines(raw: dict) -> list[tuple[int | None, list[int | None]]]:
    """Each priority's line and its commitments' lines, for problems found after the schema."""
    found = []
    for entry in raw.get("priorities") or []:
        items = entry.get("commitments") or []
        found.append((entry.get("__line__"), [item.get("__line__", entry.get("__line__")) for item in items]))
    return found


def _review_year(text: str | None, default: int, key: str, line, bad) -> int | None:
    """An optional financial year such as 2015/16; by default the year before the plan
    (baseline) or the plan's last year (end)."""
    if text is None:
        return default
    try:
        return parse_fy(text)
    except PeriodError as exc:
        bad(line, key, str(exc))
        return None


def _target(raw: kinds.Target | None, priority_measures, measures: dict[str, Measure], bad):
    """A commitment's target, for one of its priority's measures and possible for that measure
    (the schema bounds its numbers and dates)."""
    if raw is None:
        return None
    if raw.measure not in priority_measures or raw.measure not in measures:
        return bad("measure", f"got {raw.measure!r}: expected one of the priority's measures")
    measure, kind = measures[raw.measure], raw.kind
    amount = getattr(raw, kind)
    if kind == "rank" and measure.benchmark is None:
        return bad(kind, "expected a position of 1 or more, for a measure compared with similar forces "
                         "(a benchmark block in measures.yaml)")
    if measure.kind == "percent" and kind == "level" and amount > 100:
        return bad(kind, f"got {amount:g}: a percentage cannot exceed 100")
    baseline, baseline_fy = _target_baseline(raw.baseline, kind, measure, bad)
    if baseline is None and kind != "rank":
        return None
    if baseline is not None and baseline >= raw.by:
        return bad("by", f"got {raw.by}: the target date must come after the baseline")
    return Target(raw.measure, kind, float(amount), raw.by, raw.source, baseline, baseline_fy)


def _target_baseline(raw, kind: str, measure: Measure, bad) -> tuple[dt.date | None, bool]:
    """A target's baseline: a date for a headcount, the first day of a financial year otherwise."""
    if kind == "rank":
        if raw is not None:
            bad("baseline", "a rank target has no baseline: it is judged on the position alone")
        return None, False
    if measure.kind == "snapshot":
        if isinstance(raw, dt.date):
            return raw, False
        bad("baseline", f"got {str(raw)[:40]!r}: a headcount's baseline is a date such as 2016-04-30")
        return None, False
    try:
        start = fy_start_date(parse_fy(str(raw)))
        if start < kinds.DAYS_FROM:
            raise PeriodError(f"before {kinds.DAYS_FROM.year}")
        return start, True
    except PeriodError:
        bad("baseline", f"got {str(raw)[:40]!r}: a {measure.kind}'s baseline is a financial year such as 2015/16")
        return None, False


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """The rows of a CSV with exactly ``columns``; a problem repeated on many rows is reported
    once, with how many rows and the first few lines."""
    if not path.exists():
        problems.append(Problem(str(path), None, None, "file is missing"))
        return []
    rows, bad_rows = [], {}
    try:
        for item in csv_rows(path, columns):
            if isinstance(item, ReadError):
                bad_rows.setdefault(str(item), []).append(item.line)
            else:
                rows.append(item)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, exc.field, str(exc)))
        return []
    for message, lines in bad_rows.items():
        more = f" (and {len(lines) - 1:,} more rows, lines {', '.join(map(str, lines[1:4]))} ...)" if len(lines) > 1 else ""
        problems.append(Problem(str(path), lines[0], None, message + more))
    return rows


def _parse_row(path: Path, line: int, row: dict, measures: dict[str, Measure],
               problems: list[Problem]) -> dict | None:
    """Validate the fields common to observations and published figures."""
    before = len(problems)

    def bad(field_name: str, message: str):
        problems.append(Problem(str(path), line, field_name, message))

    measure = measures.get(row["measure"])
    if measure is None:
        bad("measure", f"unknown measure {row['measure']!r}: not in measures.yaml")
    if not row["geography"].strip():
        bad("geography", f"missing: expected a geography, such as the force's short_name in {FORCE_FILE}")
    period = row["period"]
    if period not in PERIODS:
        bad("period", f"got {period!r}: expected one of {', '.join(PERIODS)}")
    try:
        start = parse_date(row["period_start"])
    except ValueError:
        bad("period_start", f"got {row['period_start']!r}: expected a date YYYY-MM-DD")
        start = None
    if start is not None and not kinds.DAYS_FROM <= start <= kinds.DAYS_TO:
        bad("period_start", f"got {row['period_start']}: expected a date from {kinds.DAYS_FROM.year} to "
                            f"{kinds.DAYS_TO.year}")
        start = None
    if start is not None and period in PERIOD_MONTHS and start.day != 1:
        bad("period_start", f"got {row['period_start']}: a {period} must start on the first of a month")
    if start is not None and period == "quarter" and Quarter.containing(start).start != start:
        bad("period_start", f"got {row['period_start']}: a quarter starts in April, July, October or January")
    if start is not None and period == "fy" and (start.month, start.day) != (4, 1):
        bad("period_start", f"got {row['period_start']}: a financial year starts on 1 April")
    value = _number(row["value"])
    if value is None:
        bad("value", f"got {row['value']!r}: expected a number")
    if value is not None and value < 0:
        bad("value", f"got {row['value']}: counts, headcounts and percentages cannot be negative")
    if value is not None and measure is not None and measure.kind == "percent" and value > 100:
        bad("value", f"got {row['value']}: a percentage cannot exceed 100")
    if value is not None and measure is not None and measure.test == "poisson" and not float(value).is_integer():
        bad("value", f"got {row['value']}: {measure.id} counts events, so its values are whole numbers")
    if measure is not None and period in PERIODS:
        if measure.kind == "snapshot" and period != "snapshot":
            bad("period", f"measure {measure.id} is a snapshot (headcount): expected period 'snapshot'")
        if measure.kind != "snapshot" and period == "snapshot":
            bad("period", f"measure {measure.id} is a {measure.kind}: 'snapshot' is only for headcounts")
    if len(problems) > before:
        return None
    return {"measure": row["measure"], "geography": row["geography"].strip(), "period_start": start,
            "period": period, "value": value}


def _number(text: str) -> float | None:
    """A finite number, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _RowProblem(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _load_values(path: Path, columns: tuple[str, ...], measures: dict[str, Measure],
                 problems: list[Problem], provenance) -> pd.DataFrame:
    """Rows of values from a CSV; ``provenance(row)`` checks the file's own columns and
    returns the row's (source, status), or raises ``_RowProblem``."""
    records = []
    for line, row in _read_csv(path, columns, problems):
        record = _parse_row(path, line, row, measures, problems)
        try:
            source, status = provenance(row)
        except _RowProblem as exc:
            problems.append(Problem(str(path), line, exc.field, str(exc)))
            continue
        if record is not None:
            records.append({**record, "source": source, "status": status, "file": path.name, "line": line})
    return _frame(records)


def _load_observations(path: Path, measures: dict[str, Measure], problems: list[Problem]) -> pd.DataFrame:
    def provenance(row):
        if row["status"] not in STATUSES:
            raise _RowProblem("status", f"got {row['status']!r}: expected one of {', '.join(STATUSES)}")
        if not row["source"].strip():
            raise _RowProblem("source", "missing: expected where the value comes from")
        return row["source"], row["status"]
    return _load_values(path, OBSERVATION_COLUMNS, measures, problems, provenance)


def _load_published(path: Path, measures: dict[str, Measure], sources: dict[str, str],
                    problems: list[Problem]) -> pd.DataFrame:
    def provenance(row):
        if row["document"] not in sources:
            raise _RowProblem("document", f"unknown document {row['document']!r}: not in sources.yaml")
        if not row["reference"].strip():
            raise _RowProblem("reference", "missing: expected the page, section or paragraph cited")
        return f"{row['document']} {row['reference']}", "published"
    return _load_values(path, PUBLISHED_COLUMNS, measures, problems, provenance)


def _frame(records: list[dict]) -> pd.DataFrame:
    return _frame_of(records, ["measure", "geography", "period_start", "period", "value", "source", "status", "file",
                               "line"])


def _frame_of(records: list, columns: list[str]) -> pd.DataFrame:
    import pandas as pd
    return pd.DataFrame.from_records(records, columns=columns)


def _check_duplicates(observations: pd.DataFrame, problems: list[Problem]) -> None:
    key = ["measure", "geography", "period_start", "period", "status"]
    repeated = observations[observations.duplicated(key, keep=False)]
    for _, rows in repeated.groupby(key, sort=False):
        first = rows.iloc[0]
        for row in rows.iloc[1:].itertuples():
            where = f"line {first.line}" if first.file == row.file else f"{first.file}, line {first.line}"
            problems.append(Problem(row.file, row.line, "period_start",
                                    f"duplicate {row.period} value for {row.measure} in {row.geography} at "
                                    f"{row.period_start} ({row.status}): first at {where}"))


def _check_text_fields(observations: pd.DataFrame, problems: list[Problem]) -> None:
    """Places and sources are drawn on charts and set in sentences: each must be drawable by the
    chart font and close any bidirectional control it opens."""
    for column in ("geography", "source"):
        for value in observations[column].unique():
            reason = chart_text_problem(value)
            if reason:
                row = observations[observations[column] == value].iloc[0]
                problems.append(Problem(row["file"], int(row["line"]), column, reason))


def _check_totals_agree(observations: pd.DataFrame, problems: list[Problem]) -> None:
    """Where a total for a quarter or year is given and its modelled months are too, they must agree."""
    # Modelled months are made to add up to published totals; real months from another source
    # (police.uk against the force's own recorded crime, say) are not expected to.
    monthly = observations[(observations["period"] == "month") & (observations["status"] == "modelled")]
    sums = {}
    for (measure, geography), group in monthly.groupby(["measure", "geography"]):
        sums[(measure, geography)] = dict(zip(group["period_start"], group["value"]))
    totals = observations[observations["period"].isin(["quarter", "year", "fy"])]
    for row in totals.itertuples():
        months = sums.get((row.measure, row.geography))
        if not months:
            continue
        span = [add_months(row.period_start, k) for k in range(PERIOD_MONTHS[row.period])]
        if not all(m in months for m in span):
            continue
        total = sum(months[m] for m in span)
        if abs(total - row.value) > 1e-6:
            problems.append(Problem(row.file, row.line, "value",
                                    f"{row.measure} {row.period} from {row.period_start} is {row.value:g} "
                                    f"but its monthly values sum to {total:g}"))


def _check_parts_add_up(observations: pd.DataFrame, measures: dict[str, Measure], problems: list[Problem]) -> None:
    """Where a count with parts and every part have a value for the same place and period (the
    value the book shows: published over modelled), the parts must add up to the whole."""
    wholes = {m.id: m.parts for m in measures.values() if m.parts}
    if not wholes:
        return
    wanted = set(wholes) | {part for parts in wholes.values() for part in parts}
    best = shown_rows(observations[observations["measure"].isin(list(wanted))])
    for (measure, geography, period, start), row in best.items():
        if measure not in wholes:
            continue
        parts = [best.get((part, geography, period, start)) for part in wholes[measure]]
        if any(part is None for part in parts):
            continue
        total = sum(part.value for part in parts)
        if abs(total - row.value) > 1e-6:
            problems.append(Problem(row.file, row.line, "value",
                                    f"{measure} {period} from {start} is {row.value:g} but its parts "
                                    f"({', '.join(wholes[measure])}) add up to {total:g}"))


def _load_population(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """Population by force area and mid-year (the denominator of rates per 1,000 people), each
    row naming its source (ONS mid-year estimates); whole numbers. The file is optional."""
    records, seen = [], {}
    for line, row in _read_csv(path, POPULATION_COLUMNS, problems) if path.exists() else []:
        year, people = whole_number(row["year"]), whole_number(row["population"])
        problem = _population_problem(row, year, people)
        if problem:
            problems.append(Problem(str(path), line, *problem))
            continue
        key = (row["geography"].strip(), int(year))
        if key in seen:
            problems.append(Problem(str(path), line, "year", f"{key[0]} has a population for mid-{key[1]} already, "
                                    f"at line {seen[key]}: one estimate per force area and year"))
            continue
        seen[key] = line
        records.append({"geography": key[0], "year": key[1], "population": int(people),
                        "source": row["source"].strip(), "status": row["status"].strip()})
    return _frame_of(records, list(POPULATION_COLUMNS))


def _load_peer_group(path: Path, force: Force | None, problems: list[Problem]) -> tuple[tuple, tuple]:
    """The force and its most similar forces (short names, as the observations' geography),
    each row naming where the grouping comes from. The file is optional: without it the book
    compares with no one."""
    if not path.exists():
        return (), ()
    names, sources = [], []
    for line, row in _read_csv(path, PEER_GROUP_COLUMNS, problems):
        name, source = row["force"].strip(), row["source"].strip()
        unfit = chart_text_problem(name)  # names are drawn on charts and listed in sentences
        if not name or not source:
            problems.append(Problem(str(path), line, "force" if not name else "source",
                                    "missing: expected the force's short name (such as Kent)" if not name
                                    else "missing: expected where the grouping comes from"))
        elif unfit:
            problems.append(Problem(str(path), line, "force", unfit))
        elif _same_name(name) in map(_same_name, names):
            first = next(n for n in names if _same_name(n) == _same_name(name))
            problems.append(Problem(str(path), line, "force", f"{name!r} is listed twice (as {first!r}; names are "
                                                              "compared ignoring case and invisible characters)"))
        else:
            names.append(name)
            sources.append(source)
    if force is not None and names and force.short_name not in names:
        problems.append(Problem(str(path), None, "force", f"the group must include the book's own force, "
                                                          f"{force.short_name!r}"))
    return tuple(names), tuple(dict.fromkeys(sources))


def _same_name(name: str) -> str:
    """A force's name as compared for duplicates: case and invisible format characters ignored."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf").casefold()


def _population_problem(row: dict, year, people) -> tuple[str, str] | None:
    if not row["geography"].strip():
        return "geography", "missing: expected the force area's short name"
    if year is None or not 1900 <= year <= 2100:
        return "year", f"got {row['year']!r}: expected a year such as 2019"
    if not people:
        return "population", f"got {row['population']!r}: expected a whole number of people, in digits"
    if not row["source"].strip():
        return "source", "missing: expected where the estimate comes from"
    if row["status"].strip() not in ("published", "modelled"):
        return "status", f"got {row['status']!r}: expected published or modelled"
    return None


def _load_finance(path: Path, sources: dict[str, str], problems: list[Problem]) -> pd.DataFrame:
    """The small finance table behind a closure review's financial overview: published figures
    only, each cited; the surplus must agree with funding less spending. The file is optional."""
    records = []
    for line, row in _read_csv(path, FINANCE_COLUMNS, problems) if path.exists() else []:
        before = len(problems)

        def bad(field_name: str, message: str):
            problems.append(Problem(str(path), line, field_name, message))

        try:
            year = parse_fy(row["year"])
        except PeriodError as exc:
            bad("year", str(exc))
        item = FINANCE_ITEMS.get(row["item"])
        if item is None:
            bad("item", f"unknown item {row['item']!r}: expected one of {', '.join(FINANCE_ITEMS)}")
        elif row["unit"] != item[1]:
            bad("unit", f"got {row['unit']!r}: {row['item']} is in {item[1]}")
        value = _number(row["value"])
        if value is None:
            bad("value", f"got {row['value']!r}: expected a number")
        if row["document"] not in sources:
            bad("document", f"unknown document {row['document']!r}: not in sources.yaml")
        if not row["reference"].strip():
            bad("reference", "missing: expected the page, section or paragraph cited")
        if len(problems) == before:
            records.append({"year": year, "item": row["item"], "value": value, "unit": row["unit"],
                            "source": f"{row['document']} {row['reference']}", "note": row["note"], "line": line})
    frame = _frame_of(records, ["year", "item", "value", "unit", "source", "note", "line"])
    for row in frame[frame.duplicated(["year", "item"])].itertuples():
        problems.append(Problem(str(path), row.line, "item", f"{row.item} for {fy_label(row.year)} is given twice"))
    _check_surplus(path, frame, problems)
    return frame


def _check_surplus(path: Path, frame: pd.DataFrame, problems: list[Problem]) -> None:
    for year, group in frame.groupby("year"):
        items = dict(zip(group["item"], group["value"]))
        if not {"funding", "net_revenue_expenditure", "surplus"} <= set(items):
            continue
        computed = items["funding"] - items["net_revenue_expenditure"]
        if abs(computed - items["surplus"]) > SURPLUS_TOLERANCE:
            line = int(group.loc[group["item"] == "surplus", "line"].iloc[0])
            problems.append(Problem(str(path), line, "value",
                                    f"surplus for {fy_label(year)} is {items['surplus']:g} but funding less "
                                    f"net revenue expenditure is {computed:.3f}"))
