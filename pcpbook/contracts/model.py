"""The objects the data contracts describe (DESIGN §3): measures, plans and their targets,
the force, values with their status; the constants the file kinds share."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pcpbook.contracts import kinds
from pcpbook.contracts.measure_kinds import MEASURE_KINDS, MeasureKind
from pcpbook.core.periods import Quarter, add_months

if TYPE_CHECKING:  # pandas is imported where frames are made, so a build with nothing to do never loads it
    import pandas as pd


FORCE_FILE = "force.yaml"
AREAS_FILE = "areas.yaml"
DISTRICT_CODE = r"[EW]0[6-9][0-9]{6}"  # an ONS local authority district code: a geography below the force
POPULATION_FILE = "population.csv"
POPULATION_COLUMNS = kinds.POPULATION.names
PEER_GROUP_FILE = "peer_group.csv"
PEER_GROUP_COLUMNS = kinds.PEER_GROUP.names
PERIODS = ("month", "quarter", "year", "fy", "snapshot")
PLAN_ID = re.compile(kinds.PLAN_ID_PATTERN)
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "fy": 12}
STATUSES = ("published", "modelled", "provisional")
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
    recording: bool = False  # a change in what is counted: changes across it are not comparable
    source: str = ""  # where the change is documented (required of a recording change)


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
    polarity: str = "down_is_good"  # the direction positions count in (the measure's, or its benchmark's best)


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
    design_effect: float | None = None  # of a survey, for its proportion test; None: not known, treated as 1
    decompose: bool = False
    trend_test: bool = False
    trend_series: str | None = None  # a measure whose series the trend tests prefer where it has data
    benchmark: Benchmarking | None = None  # how it is compared with similar forces, if it is
    per_day: bool = False  # contacts and reports: also a rate per day, and the quarter's busiest month
    since: dt.date | None = None  # the start of a scheme or channel: its running total since then is given
    parts: tuple[str, ...] = ()   # counts that add up to this one (KSI: killed, seriously injured): shares given
    sensitive: bool = False       # small district counts could identify people: suppressed below the threshold

    @property
    def periods(self) -> tuple[Discontinuity, ...]:
        """The periods (lockdowns) the models enter as a covariate; a recording period is not one."""
        return tuple(d for d in self.discontinuities if d.end is not None and not d.recording)

    @property
    def level_shifts(self) -> tuple[dt.date, ...]:
        """The days of lasting recording changes (a new counting rule): the models give the level a
        step there, so months on both sides still measure the usual variation."""
        return tuple(d.date for d in self.discontinuities if d.end is None and d.recording)

    def unit_for(self, amount: float) -> str:
        return self.unit_one if amount == 1 else self.unit

    @property
    def has_usual_variation(self) -> bool:
        """Whether its changes are tested against a model of its usual monthly variation."""
        return self.behaviour.adds_up and self.test == "poisson"

    @property
    def share_of(self) -> str | None:
        """The count a rate tested as a share of it (quasi-binomial) is a share of."""
        return self.benchmark.base if self.test == "quasi_binomial" else None

    @property
    def behaviour(self) -> MeasureKind:
        """How its kind's values add up, are tested, written and drawn."""
        return MEASURE_KINDS[self.kind]


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
    unlike: str = ""  # how the baseline and the measure differ, where they do (establishment against FTE)


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

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Force:
    """The force a book reports on, by the name each public source gives it (force.yaml)."""

    name: str         # "Kent Police"
    short_name: str   # "Kent": in sentences, and the observations' geography
    police_uk: str    # police.uk's "Falls within"
    home_office: str  # the Home Office tables' force name
    stats19: int      # STATS19 police_force code


@dataclass(frozen=True)
class District:
    code: str          # ONS local authority district code: its geography in the observations
    name: str          # "Basildon"
    group: str | None  # its local policing area (or other grouping)


@dataclass(frozen=True)
class Areas:
    """The force area's districts and how they group (areas.yaml)."""

    grouping: str                  # "local policing area"
    source: str
    small_numbers: int             # a sensitive count below this is suppressed
    districts: tuple[District, ...]
    outlines: dict = field(default_factory=dict, compare=False)  # code: outer rings, for a map (boundaries)
    outlines_file: str = ""        # the boundaries' file in the data folder, if any

    def groups(self) -> dict[str | None, list[District]]:
        """The districts by group, groups and districts in the file's order."""
        grouped: dict[str | None, list[District]] = {}
        for district in self.districts:
            grouped.setdefault(district.group, []).append(district)
        return grouped


def weakest(statuses) -> str:
    """The least certain status: a total with one modelled part is modelled."""
    return max(statuses, key=STATUS_RANK.__getitem__)


# ----------------------------------------------------------------------------- loading
