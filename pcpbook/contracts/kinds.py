"""The YAML file kinds a project writes, declared once: every key, its type, its bounds and what
it is for (the descriptions are the format reference's words and the errors' "expected ...").

Cross-file rules (a priority's measure is in the catalogue, a target's measure is one of its
priority's) are the loaders'; everything a single file can get wrong is here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt, ValidationInfo, field_validator, model_validator

from pcpbook.contracts.glyphs import check_drawable
from pcpbook.contracts.schema import Contract, Text, safe_id
from pcpbook.core.units import COMPARISON_UNITS

# Identifiers: each names files, folders, links or anchors, so each is a plain token.
PLAN_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,39}"
MEASURE_ID_PATTERN = r"[a-z][a-z0-9_]{0,59}"
PlanId = safe_id(PLAN_ID_PATTERN, "2021-2024")
MeasureId = safe_id(MEASURE_ID_PATTERN, "total_recorded_crime")
StrandId = safe_id(r"[a-z0-9][a-z0-9-]{0,39}", "domestic-abuse")
CommitmentId = safe_id(r"[0-9]{1,2}\.[0-9]{1,2}[a-z]?", "'3.2' (in quotes, so 3.10 stays 3.10)")
SourceKey = safe_id(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}", "home-office-2024")
StageId = safe_id(r"[a-z][a-z0-9_-]{0,29}", "extension")
QuarterText = Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$")]
Amount = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]  # no police figure is larger

DAYS_FROM = dt.date(1990, 1, 1)   # no police series in a plan starts earlier ...
DAYS_TO = dt.date(2100, 12, 31)   # ... or ends later: a date outside is a typing error
ChartText = Annotated[Text, AfterValidator(check_drawable)]  # text a chart draws
Day = Annotated[dt.date, Field(ge=DAYS_FROM, le=DAYS_TO, description="a date such as 2021-03-31")]


class ForceFile(Contract):
    """``data/force.yaml``: the force the book reports on, by the name each source gives it."""

    name: Text = Field(description="the force's full name, as the book gives it")
    short_name: ChartText = Field(description="its short name in sentences and the observations' geography")
    police_uk: Text = Field(description="police.uk's 'Falls within' for the force")
    home_office: Text = Field(description="the force's name in the Home Office recorded crime tables")
    stats19: Annotated[StrictInt, Field(ge=1, le=999)] = Field(
        description="the force's STATS19 police_force code, a whole number such as 42")


DistrictCode = safe_id(r"[EW]0[6-9][0-9]{6}", "E07000066 (an ONS local authority district code)")


class District(Contract):
    code: DistrictCode = Field(description="the ONS code of the local authority district, such as E07000066; the "
                                           "observations' and population table's geography for it")
    name: ChartText = Field(description="its name, as police.uk's LSOA names begin with it (Basildon 012A)")
    group: ChartText | None = Field(None, description="the local policing area (or other grouping) it is part of")


BoundaryFile = safe_id(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}(/[A-Za-z0-9][A-Za-z0-9_-]{0,59}){0,3}\.(geo)?json",
                       "boundaries/districts.geojson (a file in the data folder)")


class Boundaries(Contract):
    file: BoundaryFile = Field(description="a GeoJSON file of the districts' outlines, in the data folder, such as "
                                           "ONS local authority district boundaries (generalised)")
    code: Text = Field(description="the property of each feature holding its district's code, such as LAD19CD")


class AreasFile(Contract):
    """``data/areas.yaml``: the districts of the force area and how they group (optional)."""

    grouping: ChartText = Field("local policing area", description="what a group is called, in the singular "
                                                                   "(local policing area, community safety partnership)")
    source: Text = Field(description="where the districts and their grouping come from")
    small_numbers: Annotated[StrictInt, Field(ge=1, le=20)] = Field(
        5, description="a sensitive measure's district count below this is shown as 'fewer than N' (default 5)")
    districts: list[District] = Field(min_length=2, description="every district of the force area, once")
    boundaries: Boundaries | None = Field(None, description="the districts' outlines, for a map of their rates")

    @model_validator(mode="after")
    def _grouped_alike(self):
        if len({d.group is None for d in self.districts}) > 1:
            raise ValueError("either every district has a group or none has")
        return self


class SourcesFile(Contract):
    """``data/sources.yaml``: the documents published figures are cited from."""

    documents: dict[SourceKey, Text] = Field(description="a mapping of document key to its citation")


class Discontinuity(Contract):
    date: Day = Field(description="the date of the break, YYYY-MM-DD")
    note: ChartText = Field(description="what changed, in a few words")
    end: Day | None = Field(None, description="the last day, for a period such as a lockdown")
    recording: StrictBool = Field(False, description="true for a change in what is counted")
    source: ChartText | None = Field(None, description="where the change is documented: required when recording")

    @model_validator(mode="after")
    def _end_after_start(self):
        if self.end is not None and self.end < self.date:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.date})")
        if self.recording and not self.source:
            raise ValueError("a recording change needs its source: the document that describes it")
        return self


class RankAspiration(Contract):
    rank: Annotated[StrictInt, Field(ge=1, le=43)] = Field(description="a position among the forces, 1 or more")


class Benchmark(Contract):
    unit: Literal[tuple(COMPARISON_UNITS)] = Field(
        description="the unit forces are compared in")
    aspiration: Literal["msg_average", "upper_quartile"] | RankAspiration | None = Field(
        None, description="msg_average, upper_quartile or {rank: N}, N a position of 1 or more")
    base: MeasureId | None = Field(None, description="the count measure a percentage is a share of (its funnel's size, "
                                                   "and each quarter's weight in a quasi_binomial test)")
    best: Literal["lowest", "highest"] | None = Field(
        None, description="which end of the ranking is position 1: lowest or highest; needed only for a measure "
                          "whose polarity is neutral (drug trafficking: the group's ranking puts the lowest rate first)")


class MeasureEntry(Contract):
    """One entry of ``data/measures.yaml``, the measure catalogue."""

    id: MeasureId = Field(description="lower-case letters, digits and underscores, such as total_recorded_crime")
    label: ChartText = Field(description="the measure's name on pages and charts")
    kind: Literal["count", "snapshot", "percent"] = Field(description="count, snapshot or percent")
    polarity: Literal["up_is_good", "down_is_good", "neutral"] = Field(
        description="up_is_good, down_is_good or neutral")
    unit: ChartText = Field(description="the unit, plural (crimes)")
    unit_one: Text = Field(description="the unit, singular (crime)")
    noun: Text = Field(description="what is counted, plural (burglaries)")
    noun_one: Text = Field(description="what is counted, singular (burglary)")
    verb: Text = Field(description="how it is counted (recorded)")
    source: Text = Field(description="where the figures come from")
    definition: Text = Field(description="what the measure counts, in a sentence")
    discontinuities: tuple[Discontinuity, ...] = Field((), description="breaks in the series")
    last_quarter: StrictBool = Field(False, description="also compare with the previous quarter")
    test: Literal["poisson", "proportion", "quasi_binomial", "none"] | None = Field(
        None, description="poisson, proportion, quasi_binomial (a percentage of a count, such as crimes solved: "
                          "needs the benchmark's base) or none (by default from the kind)")
    test_note: Text | None = Field(None, description="why no test applies, with test: none")
    sample_size: Annotated[StrictInt, Field(ge=1)] | None = Field(
        None, description="a survey's sample per quarter, for a proportion test")
    design_effect: Annotated[float, Field(ge=1, le=10, allow_inf_nan=False)] | None = Field(
        None, description="a survey's design effect: how many times a simple random sample's variance its "
                          "clustering and weighting give (say its source in source); none: treated as 1, and said")
    decompose: StrictBool = Field(False, description="true for a seasonal decomposition")
    trend_test: StrictBool = Field(False, description="true for trend tests")
    sensitive: StrictBool = Field(False, description="true where small counts could identify people (sexual "
                                                     "offences, domestic abuse): district counts below the "
                                                     "areas' small_numbers are suppressed")
    trend_series: MeasureId | None = Field(None, description="a measure whose series the trend tests use")
    benchmark: Benchmark | None = Field(None, description="how the measure is compared with similar forces")
    per_day: StrictBool = Field(False, description="true for a rate per day (contacts, reports)")
    since: Day | None = Field(None, description="the first day of the month a count began")
    parts: tuple[MeasureId, ...] = Field((), description="counts that add up to this one")


class Target(Contract):
    """A commitment's target; exactly one of level, change, percent or rank."""

    measure: MeasureId = Field(description="one of the priority's measures")
    level: Annotated[Amount, Field(ge=0)] | None = Field(None, description="a level to reach, 0 or more")
    change: Amount | None = Field(None, description="a change in the measure's unit, up or down")
    percent: Annotated[Amount, Field(ge=-100, le=1000)] | None = Field(
        None, description="a percentage change: a cut is at most 100%")
    rank: Annotated[StrictInt, Field(ge=1, le=43)] | None = Field(None, description="a position among similar forces")
    baseline: Day | Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}/[0-9]{2}$")] | None = Field(
        None, description="a date (a headcount) or a financial year such as 2015/16")
    by: Day = Field(description="the date the target is to be met by")
    source: Text = Field(description="where the target is written (a document key and place)")
    unlike: Text | None = Field(None, description="how the baseline and the measure differ, where they do "
                                                 "(said with every verdict)")

    @model_validator(mode="after")
    def _one_kind(self):
        given = [k for k in ("level", "change", "percent", "rank") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"expected exactly one of level, change, percent or rank; got {', '.join(given) or 'none'}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("level", "change", "percent", "rank") if getattr(self, k) is not None)


class CommitmentEntry(Contract):
    id: CommitmentId = Field(description="an id such as '3.2', starting with its priority's number")
    text: Text = Field(description="what the plan commits to, in a sentence")
    who: tuple[Text, ...] = Field(min_length=1, description="a list of owning units")
    stage: StageId = Field("plan", description="the plan's stage this commitment belongs to")
    source: Text | None = Field(None, description="where the commitment is written")
    target: Target | None = Field(None, description="a measurable target, if the plan sets one")


class PriorityEntry(Contract):
    number: Annotated[StrictInt, Field(ge=1, le=99)] = Field(description="the priority's number, 1 to n in order")
    title: Text = Field(description="the priority's title")
    objective: Text = Field(description="its objective, in a sentence or two")
    source: Text = Field(description="where the priority is written")
    measures: tuple[MeasureId, ...] = Field(min_length=1, description="the measures it reports, at least one")
    commitments: tuple[CommitmentEntry, ...] = Field((), description="its commitments (We will ...)")


class PeriodDocument(Contract):
    """What a plan and a strategy both are: a published document in force for some quarters."""

    id: PlanId = Field(description="the file's name: letters, digits and hyphens, such as 2021-2024 (it names "
                                   "folders)")
    title: Text = Field(description="its title")
    first_quarter: QuarterText = Field(description="its first quarter, such as 2021-22-Q1")
    last_quarter: QuarterText = Field(description="its last quarter, such as 2023-24-Q4")
    source: Text = Field(description="where it is published")


class PlanFile(PeriodDocument):
    """``data/plans/<id>.yaml``: a plan's priorities and commitments."""

    priorities: tuple[PriorityEntry, ...] = Field(min_length=1, description="at least one priority")
    review_baseline_year: Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}/[0-9]{2}$")] | None = Field(
        None, description="the closure review's baseline financial year, such as 2015/16")
    review_end_year: Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}/[0-9]{2}$")] | None = Field(
        None, description="the closure review's end financial year, such as 2020/21")
    stages: dict[StageId, Text] = Field({}, description="a mapping of stage id to its name, such as extension: "
                                                        "Extension (2020/21)")


class StrandEntry(Contract):
    id: StrandId = Field(description="lower-case letters, digits and hyphens, such as domestic-abuse")
    name: Text = Field(description="the strand's name")
    lead: Text = Field(description="the lead's role")
    aim: Text = Field(description="the strand's aim, in a sentence")
    priorities: tuple[Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9-]+:[0-9]{1,2}$")], ...] = Field(
        (), description="plan priorities it serves, such as 2016-2021:3")
    insights: tuple[MeasureId, ...] = Field((), description="count measures of its insights")
    months_to: Annotated[StrictInt, Field(ge=1, le=12)] | None = Field(
        None, description="the calendar month (1 to 12) its rolling 12 months end in")


class StrategyFile(PeriodDocument):
    """``data/strategies/<id>.yaml``: a strategy reported to the scrutiny programme."""

    report_from: Text = Field(description="who reports (the paper's 'report from')")
    chief_officer: Text = Field(description="the chief officer lead")
    delivery_plan_modelled: StrictBool = Field(False, description="true when the delivery plan is modelled")
    strands: tuple[StrandEntry, ...] = Field(min_length=1, description="a list of thematic strands")


class ProjectSettings(Contract):
    """The ``pcpbook:`` section of ``_config.yml``."""

    data: Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9._/-]{1,200}$")] = Field(
        "data", description="the data folder, relative to _config.yml")
    marking: Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9 \-/()&,]{1,60}$")] = Field(
        "OFFICIAL", description="one line of letters, digits, spaces and - / ( ) & , (at most 60 characters), "
                                "such as OFFICIAL or OFFICIAL-SENSITIVE")
    chapter_timeout: Annotated[StrictInt, Field(ge=1, le=86_400)] = Field(
        600, description="seconds one cell may run before its chapter fails")


Section = dict[str, object] | None  # a Jupyter Book section, passed on to Jupyter Book as written


def _inside_the_project(path: str) -> str:
    """A relative path that does not climb out of the project (every book publishes the file)."""
    if ".." in path.split("/"):
        raise ValueError("got a path out of the project: name a file inside it, relative to _config.yml")
    return path


class BookConfig(Contract):
    """``_config.yml``: Jupyter Book's (v1) top-level settings, which every book is built with,
    and pcpbook's own section. A key Jupyter Book does not know is refused, not ignored."""

    title: Text = Field(description="the project's title")
    author: Text | None = Field(None, description="who publishes the book, shown at the foot of every page")
    copyright: Annotated[str, Field(max_length=200)] | None = Field(None, description="the copyright line")
    logo: Annotated[str, Field(strict=True, pattern=r"^([A-Za-z0-9_-][A-Za-z0-9._/-]{0,199}\.(png|svg|jpg|jpeg|gif))?$"),
                    AfterValidator(_inside_the_project)] | None = Field(
        None, description="a logo image (.png, .svg, .jpg or .gif) inside the project, by its path relative to "
                          "_config.yml (every book publishes it)")
    only_build_toc_files: StrictBool | None = Field(None, description="build only the pages in the table of contents")
    exclude_patterns: tuple[str, ...] | None = Field(None, description="files Jupyter Book leaves out")
    execute: Section = Field(None, description="Jupyter Book's execution settings (the build runs the notebooks "
                                               "itself and switches this off)")
    parse: Section = Field(None, description="MyST parser settings")
    html: Section = Field(None, description="the HTML theme's settings")
    latex: Section = Field(None, description="LaTeX settings (unused: the print edition is printed from HTML)")
    launch_buttons: Section = Field(None, description="Jupyter Book's launch buttons")
    repository: Section = Field(None, description="the source repository's address, for the theme's buttons")
    sphinx: Section = Field(None, description="Sphinx settings passed to every book")
    bibtex_bibfiles: tuple[str, ...] | None = Field(None, description="bibliography files")
    pcpbook: ProjectSettings = Field(ProjectSettings(), description="pcpbook's own settings")

    @field_validator("execute", "parse", "html", "latex", "launch_buttons", "repository", "sphinx")
    @classmethod
    def _known_to_jupyter_book(cls, section, info: ValidationInfo):
        """A section's keys are the ones Jupyter Book's own schema names (a misspelt one would
        be ignored by Jupyter Book without a word)."""
        known = _jupyter_book_sections().get(info.field_name)
        unknown = sorted(set(section or {}) - known) if known else []
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(known), n=1, cutoff=0.6)
            raise ValueError(f"unknown key {unknown[0]!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                             + f" (Jupyter Book knows: {', '.join(sorted(known))})")
        return section


@functools.cache
def _jupyter_book_sections() -> dict[str, frozenset[str]]:
    """The keys of each section of ``_config.yml``, from the schema Jupyter Book ships (read as a
    file: importing Jupyter Book costs a second)."""
    spec = importlib.util.find_spec("jupyter_book")
    schema = json.loads((Path(spec.submodule_search_locations[0]) / "config_schema.json").read_text(encoding="utf-8"))
    return {name: frozenset(part["properties"]) for name, part in schema["properties"].items() if "properties" in part}


# ----------------------------------------------------------------------------- CSV file kinds
# Their columns are declared here; the row rules (a measure in the catalogue, one row per key) are
# the loaders' (data.py, strategy.py), which read every file through reading.csv_rows.


@dataclass(frozen=True)
class Column:
    name: str
    what: str


@dataclass(frozen=True)
class CsvKind:
    file: str
    what: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


_VALUE_COLUMNS = (
    Column("measure", "a measure id of the catalogue (measures.yaml)"),
    Column("geography", "the place: the force's short name (force.yaml), another force's, or the code of one of "
                        "the force's districts (areas.yaml)"),
    Column("period_start", "the first day of the period, YYYY-MM-DD (from 1990 to 2100)"),
    Column("period", "month, quarter (financial-year quarters), year, fy (April to March) or snapshot (a headcount)"),
    Column("value", "a number: whole for counts, 0 to 100 for percentages, never negative"),
)
OBSERVATIONS = CsvKind("data/observations.csv (and data/extracts/*.csv)", "one value a row", _VALUE_COLUMNS + (
    Column("source", "where the value comes from, as charts name it"),
    Column("status", "published, modelled or provisional")))
PUBLISHED = CsvKind("data/published_figures.csv", "figures transcribed from published documents", _VALUE_COLUMNS + (
    Column("document", "a document key of sources.yaml"),
    Column("reference", "the page, section or paragraph cited"),
    Column("note", "how a derived figure was derived (may be empty)")))
POPULATION = CsvKind("data/population.csv", "mid-year population estimates by force area", (
    Column("geography", "the force area's short name, or a district's code (areas.yaml)"),
    Column("year", "the mid-year, such as 2019; one row per force area and year"),
    Column("population", "a whole number of people, in digits"),
    Column("source", "where the estimate comes from"),
    Column("status", "published or modelled")))
PEER_GROUP = CsvKind("data/peer_group.csv", "the force and its most similar forces", (
    Column("force", "a force's short name, once (compared ignoring case and invisible characters)"),
    Column("source", "where the grouping comes from")))
FINANCE = CsvKind("data/finance.csv", "published financial figures for closure reviews", (
    Column("year", "a financial year such as 2015/16"),
    Column("item", "funding, net_revenue_expenditure, surplus, home_office_grant_share, gross_expenditure_change, "
                   "precept_increase, savings or recurring_savings; once a year"),
    Column("value", "a number"),
    Column("unit", "the item's unit (£m or %)"),
    Column("document", "a document key of sources.yaml"),
    Column("reference", "the page, section or paragraph cited"),
    Column("note", "anything a reader should know (may be empty)")))
ACTIONS = CsvKind("data/strategies/<id>-actions.csv", "a strategy's delivery plan, an action a row", (
    Column("id", "the action's id, such as DA-01 (letters, digits, hyphens and dots), once"),
    Column("strand", "a strand id of the strategy"),
    Column("text", "what the action is"),
    Column("owner", "who owns it")))
CSV_KINDS = (OBSERVATIONS, PUBLISHED, POPULATION, PEER_GROUP, FINANCE, ACTIONS)
