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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .periods import PeriodError, Quarter, add_months, fy_label, fy_start_date, parse_date, parse_fy
from .reading import ReadError, csv_rows, read_yaml

if TYPE_CHECKING:  # pandas is imported where frames are made, so a build with nothing to do never loads it
    import pandas as pd

FORCE_FILE = "force.yaml"
FORCE_FIELDS = ("name", "short_name", "police_uk", "home_office", "stats19")
POPULATION_FILE = "population.csv"
POPULATION_COLUMNS = ("geography", "year", "population", "source", "status")  # mid-year estimates, by force area
PEER_GROUP_FILE = "peer_group.csv"
PEER_GROUP_COLUMNS = ("force", "source")  # the force and its most similar forces, by short name
# Units a measure is compared across forces in: how many of the base the value is per, and how it reads
COMPARISON_UNITS = {
    "per_1000_population": (1_000, "per 1,000 population"),
    "per_1000_households": (1_000, "per 1,000 households"),
    "per_100m_vehicle_km": (100_000_000, "per 100 million vehicle km"),
    "percent": (100, "%"),
}
ASPIRATIONS = ("msg_average", "upper_quartile")  # or {rank: N}
PERIODS = ("month", "quarter", "year", "fy", "snapshot")
PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
MEASURE_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "fy": 12}
STATUSES = ("published", "modelled", "provisional")
KINDS = ("count", "snapshot", "percent")
POLARITIES = ("up_is_good", "down_is_good", "neutral")
TESTS = ("poisson", "proportion", "none")
DEFAULT_TEST = {"count": "poisson", "percent": "proportion", "snapshot": "none"}
OBSERVATION_COLUMNS = ("measure", "geography", "period_start", "period", "value", "source", "status")
PUBLISHED_COLUMNS = ("measure", "geography", "period_start", "period", "value", "document",
                     "reference", "note")
EXTRACTS = "extracts"  # folder of real observation extracts that replace bundled series
FINANCE_COLUMNS = ("year", "item", "value", "unit", "document", "reference", "note")
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


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ProblemsError(Exception):
    """One or more problems in what was read (``what``); ``problems`` lists each with file, line
    and field, the first 50 in the message."""

    what = "the input"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in {self.what}:\n{shown}{more}")


class DataError(ProblemsError):
    """One or more problems in the data."""

    what = "the data"


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


TARGET_KINDS = ("level", "change", "percent", "rank")


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


def _require(entry: dict, key: str, path: Path, line: int | None, problems: list[Problem],
             expected: str = "a non-empty text") -> str | None:
    value = entry.get(key) if isinstance(entry, dict) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(str(path), line, key, f"missing: expected {expected}"))
        return None
    return value


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
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), None, None, "expected a mapping of the force's names"))
        return None
    line = raw.pop("__line__", None)
    names = {key: _require(raw, key, path, line, problems) for key in ("name", "short_name", "police_uk",
                                                                        "home_office")}
    code = raw.get("stats19")
    if not isinstance(code, int) or isinstance(code, bool) or code < 1:
        problems.append(Problem(str(path), line, "stats19", f"got {code!r}: expected the force's STATS19 "
                                                            "police_force code, a whole number such as 42"))
    unknown = sorted(set(raw) - set(FORCE_FIELDS))
    if unknown:
        moved = (f": the group of similar forces is {PEER_GROUP_FILE} (columns {', '.join(PEER_GROUP_COLUMNS)})"
                 if unknown[0] == "similar_forces" else "")
        problems.append(Problem(str(path), line, unknown[0], f"unknown field {unknown[0]!r}: expected "
                                                              f"{', '.join(FORCE_FIELDS)}{moved}"))
    if any(value is None for value in names.values()) or not isinstance(code, int) or unknown:
        return None
    return Force(**{key: str(value).strip() for key, value in names.items()}, stats19=code)


def _load_sources(path: Path, problems: list[Problem]) -> dict[str, str]:
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    if isinstance(raw, dict):
        raw.pop("__line__", None)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        problems.append(Problem(str(path), None, None, "expected a mapping of source id to citation"))
        return {}
    return raw


def _load_measures(path: Path, problems: list[Problem]) -> dict[str, Measure]:
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.append(Problem(str(path), None, None, "expected a list of measures"))
        return {}
    measures: dict[str, Measure] = {}
    text_fields = ("id", "label", "unit", "unit_one", "noun", "noun_one", "verb", "source",
                   "definition")
    for entry in raw:
        line = entry.get("__line__") if isinstance(entry, dict) else None
        values = {key: _require(entry, key, path, line, problems) for key in text_fields}
        kind = _require(entry, "kind", path, line, problems, f"one of {', '.join(KINDS)}")
        polarity = _require(entry, "polarity", path, line, problems, f"one of {', '.join(POLARITIES)}")
        if kind is not None and kind not in KINDS:
            problems.append(Problem(str(path), line, "kind", f"got {kind!r}: expected one of {', '.join(KINDS)}"))
        if polarity is not None and polarity not in POLARITIES:
            problems.append(Problem(str(path), line, "polarity",
                                    f"got {polarity!r}: expected one of {', '.join(POLARITIES)}"))
        breaks = []
        for item in entry.get("discontinuities") or []:
            try:
                end = parse_date(str(item["end"])) if item.get("end") else None
                if item.get("recording", False) not in (True, False):
                    raise ValueError("recording must be true or false")
                breaks.append(Discontinuity(parse_date(str(item["date"])), str(item["note"]), end,
                                            bool(item.get("recording", False))))
            except (KeyError, TypeError, ValueError, AttributeError):
                problems.append(Problem(str(path), item.get("__line__", line) if isinstance(item, dict) else line,
                                        "discontinuities",
                                        "expected entries with 'date' (YYYY-MM-DD), 'note', optional 'end' and "
                                        "'recording' (true or false)"))
        if None in values.values() or kind not in KINDS or polarity not in POLARITIES:
            continue
        test = entry.get("test", DEFAULT_TEST[kind])
        sample_size = entry.get("sample_size")
        if test not in TESTS:
            problems.append(Problem(str(path), line, "test", f"got {test!r}: expected one of {', '.join(TESTS)}"))
            continue
        if test == "none" and not entry.get("test_note") and kind != "snapshot":
            problems.append(Problem(str(path), line, "test_note", "missing: say why no test applies"))
            continue
        if test == "proportion" and not (isinstance(sample_size, int) and sample_size > 0):
            problems.append(Problem(str(path), line, "sample_size",
                                    "a proportion test needs a positive whole sample_size per quarter"))
            continue
        if values["id"] in measures:
            problems.append(Problem(str(path), line, "id", f"measure {values['id']!r} is defined twice"))
            continue
        benchmark = _benchmarking(entry.get("benchmark"), kind, path, line, problems)
        since = _since(entry.get("since"), kind, path, line, problems)
        if benchmark and benchmark.unit == "percent" and benchmark.base is None and sample_size is None:
            problems.append(Problem(str(path), line, "benchmark", "a percentage compared across forces needs a base "
                                    "(the count measure it is a share of) or a sample_size, for its funnel"))
        if not MEASURE_ID.fullmatch(str(values["id"])):
            problems.append(Problem(str(path), line, "id", f"got {str(values['id'])[:60]!r}: expected lower-case "
                                    "letters, digits and underscores, such as total_recorded_crime"))
            continue
        measures[values["id"]] = Measure(kind=kind, polarity=polarity, discontinuities=tuple(breaks),
                                         last_quarter=bool(entry.get("last_quarter", False)), test=test,
                                         test_note=entry.get("test_note", ""), sample_size=sample_size,
                                         decompose=bool(entry.get("decompose", False)),
                                         trend_test=bool(entry.get("trend_test", False)),
                                         trend_series=entry.get("trend_series"), benchmark=benchmark,
                                         per_day=entry.get("per_day") is True and kind == "count", since=since,
                                         parts=tuple(entry.get("parts") or ()), **values)
    written = {entry.get("id") for entry in raw if isinstance(entry, dict)}  # a rejected entry is reported already
    for measure in measures.values():
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
    return measures


def _since(raw, kind: str, path: Path, line, problems: list[Problem]) -> dt.date | None:
    """A count's ``since``: the first day of the month its scheme or channel began."""
    if raw is None:
        return None
    try:
        day = parse_date(str(raw))
    except (PeriodError, ValueError):
        day = None
    if day is None or day.day != 1 or kind != "count":
        problems.append(Problem(str(path), line, "since", f"got {str(raw)[:40]!r}: expected the first day of the month "
                                "a count began, such as 2016-09-01"))
        return None
    return day


def _benchmarking(raw, kind: str, path: Path, line, problems: list[Problem]) -> Benchmarking | None:
    """A measure's ``benchmark`` block: ``{unit: per_1000_population, aspiration: {rank: 4}}``."""
    if raw is None:
        return None
    expected = (f"expected {{unit: one of {', '.join(COMPARISON_UNITS)}; optional aspiration: "
                f"{' or '.join(ASPIRATIONS)} or {{rank: N}}; optional base: a count measure, for a percentage}}")
    if not isinstance(raw, dict) or set(raw) - {"unit", "aspiration", "base", "__line__"}:
        problems.append(Problem(str(path), line, "benchmark", expected))
        return None
    unit, aspiration = raw.get("unit"), raw.get("aspiration")
    rank = aspiration.get("rank") if isinstance(aspiration, dict) else None
    good_aspiration = (aspiration is None or aspiration in ASPIRATIONS
                       or (isinstance(aspiration, dict) and set(aspiration) <= {"rank", "__line__"}
                           and isinstance(rank, int) and not isinstance(rank, bool) and rank >= 1))
    if unit not in COMPARISON_UNITS or not good_aspiration:
        problems.append(Problem(str(path), line, "benchmark", f"got {str(raw)[:120]}: {expected}"))
        return None
    if (unit == "percent") != (kind == "percent"):
        problems.append(Problem(str(path), line, "benchmark", f"unit {unit!r} does not fit a {kind} measure: "
                                                              "percentages compare as percent, counts per population"))
        return None
    if isinstance(aspiration, dict):
        aspiration = {"rank": rank}
    return Benchmarking(unit, aspiration, raw.get("base"))


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
    raw = _read_yaml_lines(path, problems)
    if not isinstance(raw, dict):
        if raw is not None:
            problems.append(Problem(str(path), None, None, "expected a mapping with id, title and priorities"))
        return None
    before = len(problems)
    line = raw.get("__line__")
    plan_id = _require(raw, "id", path, line, problems)
    title = _require(raw, "title", path, line, problems)
    source = _require(raw, "source", path, line, problems)
    quarters = {}
    for key in ("first_quarter", "last_quarter"):
        text = _require(raw, key, path, line, problems, "a quarter such as 2021-22-Q1")
        if text is not None:
            try:
                quarters[key] = Quarter.parse(text)
            except PeriodError as exc:
                problems.append(Problem(str(path), line, key, str(exc)))
    priorities = tuple(_load_priority(entry, path, measures, problems)
                       for entry in raw.get("priorities") or [])
    if not priorities:
        problems.append(Problem(str(path), line, "priorities", "expected at least one priority"))
    numbers = [p.number for p in priorities if p is not None]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(Problem(str(path), line, "priorities",
                                f"expected priorities numbered 1..n in order, got {numbers}"))
    seen: dict[str, int] = {}
    for item in (c for entry in raw.get("priorities") or [] if isinstance(entry, dict)
                 for c in entry.get("commitments") or [] if isinstance(c, dict) and "id" in c):
        if str(item["id"]) in seen:
            problems.append(Problem(str(path), item.get("__line__"), "id", f"commitment id {item['id']!r} is used "
                                    f"twice (first at line {seen[str(item['id'])]})"))
        seen.setdefault(str(item["id"]), item.get("__line__"))
    if plan_id is not None and not PLAN_ID.fullmatch(str(plan_id)):
        problems.append(Problem(str(path), line, "id", f"got {str(plan_id)[:60]!r}: expected letters, digits and "
                                "hyphens, such as 2021-2024 (it names folders)"))
    if len(problems) > before:
        return None
    first, last = quarters["first_quarter"], quarters["last_quarter"]
    baseline = _review_year(raw, "review_baseline_year", first.fy_start - 1, path, line, problems)
    end = _review_year(raw, "review_end_year", last.fy_start, path, line, problems)
    if baseline is not None and baseline >= first.fy_start:
        problems.append(Problem(str(path), line, "review_baseline_year",
                                f"got {fy_label(baseline)}: the baseline year comes before the plan's first year"))
    if end is not None and end < last.fy_start:
        problems.append(Problem(str(path), line, "review_end_year",
                                f"got {fy_label(end)}: the end year cannot come before the plan's last year"))
    stages = raw.get("stages") or {}
    if not isinstance(stages, dict) or not all(isinstance(v, str) for k, v in stages.items() if k != "__line__"):
        problems.append(Problem(str(path), line, "stages", "expected a mapping of stage id to its name, such as "
                                                           "extension: Extension (2020/21)"))
    if len(problems) > before:
        return None
    named = tuple((str(k), v) for k, v in stages.items() if k != "__line__")
    return Plan(plan_id, title, first, last, source, priorities, baseline, end, named)


def _review_year(raw: dict, key: str, default: int, path: Path, line, problems: list[Problem]) -> int | None:
    """An optional financial year such as 2015/16; by default the year before the plan
    (baseline) or the plan's last year (end)."""
    if key not in raw:
        return default
    try:
        return parse_fy(raw[key])
    except PeriodError as exc:
        problems.append(Problem(str(path), line, key, str(exc)))
        return None


def _load_priority(entry, path: Path, measures: dict[str, Measure], problems: list[Problem]):
    line = entry.get("__line__") if isinstance(entry, dict) else None
    number = _require(entry, "number", path, line, problems, "a priority number")
    title = _require(entry, "title", path, line, problems)
    objective = _require(entry, "objective", path, line, problems)
    source = _require(entry, "source", path, line, problems)
    measure_ids = entry.get("measures") or [] if isinstance(entry, dict) else []
    if not measure_ids:
        problems.append(Problem(str(path), line, "measures", "expected at least one measure id"))
    for measure_id in measure_ids:
        if measure_id not in measures:
            problems.append(Problem(str(path), line, "measures",
                                    f"unknown measure {measure_id!r}: not in measures.yaml"))
    commitments = []
    for item in (entry.get("commitments") or [] if isinstance(entry, dict) else []):
        item_line = item.get("__line__", line) if isinstance(item, dict) else line
        cid = _require(item, "id", path, item_line, problems, "an id such as '3.2'")
        text = _require(item, "text", path, item_line, problems)
        who = item.get("who") if isinstance(item, dict) else None
        if not who or not isinstance(who, list):
            problems.append(Problem(str(path), item_line, "who", "expected a list of owning units"))
            continue
        if None in (cid, text):
            continue
        if number is not None and not str(cid).startswith(f"{number}."):
            problems.append(Problem(str(path), item_line, "id",
                                    f"commitment {cid!r} should start with its priority number '{number}.'"))
        target = _target(item.get("target"), measure_ids, measures, path, item_line, problems)
        commitments.append(Commitment(str(cid), text, tuple(who), item.get("stage", "plan"),
                                      item.get("source", source or ""), target))
    if None in (number, title, objective, source):
        return None
    return Priority(int(number), title, objective, tuple(measure_ids), tuple(commitments), source)


def _target(raw, priority_measures, measures: dict[str, Measure], path: Path, line, problems: list[Problem]):
    """A commitment's ``target``: ``{measure, one of level/change/percent/rank, baseline, by,
    source}``, the measure one of the priority's."""
    if raw is None:
        return None
    expected = ("expected {measure: one of the priority's measures; one of " + ", ".join(TARGET_KINDS)
                + ": a number; baseline: a date (a headcount) or a financial year such as 2015/16 (a count or "
                  "percentage; none for a rank); by: a date; source: where the target is written}")
    fields = set(raw) - {"__line__"} if isinstance(raw, dict) else set()
    kinds = [kind for kind in TARGET_KINDS if kind in fields]
    if not isinstance(raw, dict) or len(kinds) != 1 or fields - {"measure", "baseline", "by", "source", *kinds}:
        problems.append(Problem(str(path), line, "target", f"got {str(raw)[:120]}: {expected}"))
        return None
    kind, measure_id, amount = kinds[0], raw.get("measure"), raw.get(kinds[0])
    def bad(field_name: str, message: str):
        problems.append(Problem(str(path), line, f"target.{field_name}", message))
    if measure_id not in priority_measures or measure_id not in measures:
        return bad("measure", f"got {str(measure_id)[:60]!r}: expected one of the priority's measures")
    measure = measures[measure_id]
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount):
        return bad(kind, f"got {str(amount)[:40]!r}: expected a number")
    if kind == "rank" and (not isinstance(amount, int) or amount < 1 or measure.benchmark is None):
        return bad(kind, "expected a position of 1 or more, for a measure compared with similar forces "
                         "(a benchmark block in measures.yaml)")
    if not str(raw.get("source") or "").strip():
        return bad("source", "missing: expected where the target is written (a document key and place)")
    try:
        by = parse_date(str(raw.get("by")))
    except ValueError:
        return bad("by", f"got {str(raw.get('by'))[:40]!r}: expected a date such as 2021-03-31")
    baseline, baseline_fy = _target_baseline(raw.get("baseline"), kind, measure, bad)
    if baseline is None and kind != "rank":
        return None
    if baseline is not None and baseline >= by:
        return bad("by", f"got {by}: the target date must come after the baseline")
    return Target(measure_id, kind, float(amount), by, str(raw["source"]), baseline, baseline_fy)


def _target_baseline(raw, kind: str, measure: Measure, bad) -> tuple[dt.date | None, bool]:
    """A target's baseline: a date for a headcount, the first day of a financial year otherwise."""
    if kind == "rank":
        if raw is not None:
            bad("baseline", "a rank target has no baseline: it is judged on the position alone")
        return None, False
    if measure.kind == "snapshot":
        try:
            return parse_date(str(raw)), False
        except ValueError:
            bad("baseline", f"got {str(raw)[:40]!r}: a headcount's baseline is a date such as 2016-04-30")
            return None, False
    try:
        return fy_start_date(parse_fy(str(raw))), True
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
    duplicated = observations[observations.duplicated(key, keep="first")]
    for row in duplicated.itertuples():
        problems.append(Problem(row.file, row.line, "period_start",
                                f"duplicate {row.period} value for {row.measure} at {row.period_start} "
                                f"({row.status})"))


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
    records = []
    for line, row in _read_csv(path, POPULATION_COLUMNS, problems) if path.exists() else []:
        year, people = _number(row["year"]), _number(row["population"])
        problem = _population_problem(row, year, people)
        if problem:
            problems.append(Problem(str(path), line, *problem))
            continue
        records.append({"geography": row["geography"].strip(), "year": int(year), "population": int(people),
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
        if not name or not source:
            problems.append(Problem(str(path), line, "force" if not name else "source",
                                    "missing: expected the force's short name (such as Kent)" if not name
                                    else "missing: expected where the grouping comes from"))
        elif name in names:
            problems.append(Problem(str(path), line, "force", f"{name!r} is listed twice"))
        else:
            names.append(name)
            sources.append(source)
    if force is not None and names and force.short_name not in names:
        problems.append(Problem(str(path), None, "force", f"the group must include the book's own force, "
                                                          f"{force.short_name!r}"))
    return tuple(names), tuple(dict.fromkeys(sources))


def _population_problem(row: dict, year, people) -> tuple[str, str] | None:
    if not row["geography"].strip():
        return "geography", "missing: expected the force area's short name"
    if year is None or year % 1:
        return "year", f"got {row['year']!r}: expected a year such as 2019"
    if people is None or people % 1 or people <= 0:
        return "population", f"got {row['population']!r}: expected a whole number of people"
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
