"""Strategies reported to the commissioner's scrutiny programme in papers of their own.

A strategy is data beside the plans: ``data/strategies/<id>.yaml`` (title, period, thematic
strands: name, lead role, the plan priorities each serves, the measures of its insights and the
month its rolling 12 months end in when that is not the quarter's last) and its delivery plan,
``data/strategies/<id>-actions.csv`` (``id, strand, text, owner``: an action a row). Every
problem names the file, line and field; text is untrusted and reaches pages through the
rendering gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pcpbook.contracts import kinds
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.problems import DataError, Problem
from pcpbook.contracts.schema import conform
from pcpbook.core.periods import PeriodError, Quarter
from pcpbook.core.reading import ReadError, csv_rows, read_yaml

FOLDER = "strategies"
ACTION_COLUMNS = kinds.ACTIONS.names
ACTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,39}")  # the returns name actions by it: "DA-01: complete"


@dataclass(frozen=True)
class Strand:
    id: str
    name: str
    lead: str                               # the lead's role
    aim: str
    priorities: tuple[tuple[str, int], ...]  # (plan id, priority number) it serves
    insights: tuple[str, ...]               # measure ids
    months_to: int | None = None            # calendar month its rolling 12 months end in, if not the quarter's last


@dataclass(frozen=True)
class Action:
    id: str
    strand: str
    text: str
    owner: str
    line: int


@dataclass(frozen=True)
class Strategy:
    id: str
    title: str
    first_quarter: Quarter
    last_quarter: Quarter
    source: str
    report_from: str
    chief_officer: str
    strands: tuple[Strand, ...]
    actions: tuple[Action, ...]
    delivery_plan_modelled: bool

    def strand(self, strand_id: str) -> Strand:
        return next(s for s in self.strands if s.id == strand_id)

    def actions_of(self, strand_id: str) -> list[Action]:
        return [a for a in self.actions if a.strand == strand_id]

    def covers(self, quarter: Quarter) -> bool:
        return self.first_quarter <= quarter <= self.last_quarter


def load_strategies(dataset: Dataset) -> dict[str, Strategy]:
    """Every strategy in the data folder, checked against the plans and the measure catalogue."""
    problems: list[Problem] = []
    strategies = {}
    for path in sorted((dataset.root / FOLDER).glob("*.yaml")):
        strategy = _load_strategy(path, dataset, problems)
        if strategy is not None:
            strategies[strategy.id] = strategy
    if problems:
        raise DataError(problems)
    return strategies


def find_strategy(dataset: Dataset, strategy_id: str) -> Strategy:
    strategies = load_strategies(dataset)
    if strategy_id not in strategies:
        raise DataError([Problem(str(dataset.root / FOLDER), None, None, f"no strategy {strategy_id!r}; strategies: "
                                 + (", ".join(strategies) or "none"))])
    return strategies[strategy_id]


def _load_strategy(path: Path, dataset: Dataset, problems: list[Problem]) -> Strategy | None:
    """A strategy held to ``kinds.StrategyFile``, then checked against the plans and catalogue."""
    try:
        raw = read_yaml(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, None, str(exc)))
        return None
    checked = conform(kinds.StrategyFile, raw, path, problems)
    if checked is None:
        return None
    line = raw.get("__line__")
    before = len(problems)
    if checked.id != path.stem:
        problems.append(Problem(str(path), line, "id", f"got {checked.id!r}: expected the file's name, {path.stem!r}"))
    quarters = {}
    for key in ("first_quarter", "last_quarter"):
        try:
            quarters[key] = Quarter.parse(getattr(checked, key))
        except PeriodError as exc:
            problems.append(Problem(str(path), line, key, str(exc)))
    lines = [entry.get("__line__", line) for entry in raw["strands"]]
    strands = [_strand(entry, path, at, dataset, problems) for entry, at in zip(checked.strands, lines)]
    ids = [s.id for s in strands]
    for twice in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(str(path), line, "strands", f"strand {twice!r} is listed twice"))
    actions = _load_actions(path.with_name(f"{path.stem}-actions.csv"), set(ids), problems)
    if len(problems) > before:
        return None
    return Strategy(checked.id, checked.title, quarters["first_quarter"], quarters["last_quarter"], checked.source,
                    checked.report_from, checked.chief_officer, tuple(strands), tuple(actions),
                    checked.delivery_plan_modelled)


def _strand(entry: kinds.StrandEntry, path: Path, line, dataset: Dataset, problems: list[Problem]) -> Strand:
    """A strand whose priorities are the plans' and whose insights are count measures."""
    priorities = []
    for ref in entry.priorities:
        plan_id, _, number = ref.partition(":")
        plan = dataset.plans.get(plan_id)
        if plan is None or int(number) not in [p.number for p in plan.priorities]:
            problems.append(Problem(str(path), line, "priorities", f"got {ref!r}: expected a plan priority such as "
                                    f"2016-2021:3 (plans: {', '.join(dataset.plans)})"))
            continue
        priorities.append((plan_id, int(number)))
    for measure in entry.insights:
        if measure not in dataset.measures or dataset.measures[measure].kind != "count":
            problems.append(Problem(str(path), line, "insights", f"{measure!r} is not a count measure in the catalogue"))
    return Strand(entry.id, entry.name, entry.lead, entry.aim, tuple(priorities), entry.insights, entry.months_to)


def _load_actions(path: Path, strands: set[str], problems: list[Problem]) -> list[Action]:
    """The delivery plan, an action a row; each action's strand must be one of the strategy's."""
    if not path.exists():
        problems.append(Problem(str(path), None, None, "missing: the strategy's delivery plan (id, strand, text, owner)"))
        return []
    actions, seen = [], set()
    try:
        for item in csv_rows(path, ACTION_COLUMNS):
            if isinstance(item, ReadError):
                problems.append(Problem(str(path), item.line, item.field, str(item)))
                continue
            number, row = item
            values = {key: row[key].strip() for key in ACTION_COLUMNS}
            empty = next((key for key in ACTION_COLUMNS if not values[key]), None)
            if empty:
                problems.append(Problem(str(path), number, empty, "missing: expected a non-empty text"))
            elif not ACTION_ID.fullmatch(values["id"]):
                problems.append(Problem(str(path), number, "id", f"got {values['id'][:60]!r}: expected an action id "
                                        "such as DA-01 (letters, digits, hyphens and dots)"))
            elif values["strand"] not in strands:
                problems.append(Problem(str(path), number, "strand", f"unknown strand {values['strand']!r}: the "
                                        f"strategy's strands are {', '.join(sorted(strands))}"))
            elif values["id"] in seen:
                problems.append(Problem(str(path), number, "id", f"action {values['id']!r} is listed twice"))
            else:
                seen.add(values["id"])
                actions.append(Action(values["id"], values["strand"], values["text"], values["owner"], number))
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, exc.field, str(exc)))
    return actions
