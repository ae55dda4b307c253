"""Strategies reported to the commissioner's scrutiny programme in papers of their own.

A strategy is data beside the plans: ``data/strategies/<id>.yaml`` (title, period, thematic
strands: name, lead role, the plan priorities each serves, the measures of its insights and the
month its rolling 12 months end in when that is not the quarter's last) and its delivery plan,
``data/strategies/<id>-actions.csv`` (``id, strand, text, owner``: an action a row). Every
problem names the file, line and field; text is untrusted and reaches pages through the
rendering gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .data import PLAN_ID, DataError, Dataset, Problem
from .periods import PeriodError, Quarter
from .reading import ReadError, csv_rows, read_yaml, without_lines

FOLDER = "strategies"
ACTION_COLUMNS = ("id", "strand", "text", "owner")
STRATEGY_FIELDS = {"id", "title", "first_quarter", "last_quarter", "source", "report_from", "chief_officer",
                   "delivery_plan_modelled", "strands"}
STRAND_FIELDS = {"id", "name", "lead", "priorities", "insights", "months_to", "aim"}


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
    try:
        raw = read_yaml(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, None, str(exc)))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), None, None, "expected a mapping: id, title, first_quarter, ..."))
        return None
    line = raw.get("__line__")
    before = len(problems)
    for key in sorted(set(raw) - STRATEGY_FIELDS - {"__line__"}):
        problems.append(Problem(str(path), line, key, f"unknown field: expected {', '.join(sorted(STRATEGY_FIELDS))}"))
    texts = {key: _text(raw, key, path, line, problems) for key in ("id", "title", "source", "report_from",
                                                                     "chief_officer")}
    if texts["id"] and (not PLAN_ID.fullmatch(texts["id"]) or texts["id"] != path.stem):
        problems.append(Problem(str(path), line, "id", f"got {texts['id']!r}: expected the file's name, {path.stem!r}"))
    quarters = {}
    for key in ("first_quarter", "last_quarter"):
        try:
            quarters[key] = Quarter.parse(str(raw.get(key)))
        except PeriodError as exc:
            problems.append(Problem(str(path), line, key, str(exc)))
    strands = [_strand(entry, path, dataset, problems) for entry in raw.get("strands") or []]
    if not strands:
        problems.append(Problem(str(path), line, "strands", "expected a list of thematic strands"))
    ids = [s.id for s in strands if s]
    for twice in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(str(path), line, "strands", f"strand {twice!r} is listed twice"))
    actions = _load_actions(path.with_name(f"{path.stem}-actions.csv"), set(ids), problems)
    if len(problems) > before:
        return None
    return Strategy(texts["id"], texts["title"], quarters["first_quarter"], quarters["last_quarter"], texts["source"],
                    texts["report_from"], texts["chief_officer"], tuple(strands), tuple(actions),
                    bool(raw.get("delivery_plan_modelled", False)))


def _strand(entry, path: Path, dataset: Dataset, problems: list[Problem]) -> Strand | None:
    if not isinstance(entry, dict):
        problems.append(Problem(str(path), None, "strands", "expected each strand as a mapping: id, name, lead, ..."))
        return None
    line = entry.get("__line__")
    for key in sorted(set(entry) - STRAND_FIELDS - {"__line__"}):
        problems.append(Problem(str(path), line, key, f"unknown strand field: expected {', '.join(sorted(STRAND_FIELDS))}"))
    texts = {key: _text(entry, key, path, line, problems) for key in ("id", "name", "lead", "aim")}
    priorities = []
    for ref in without_lines(entry.get("priorities") or []):
        plan_id, _, number = str(ref).partition(":")
        plan = dataset.plans.get(plan_id)
        if plan is None or not number.isdigit() or int(number) not in [p.number for p in plan.priorities]:
            problems.append(Problem(str(path), line, "priorities", f"got {ref!r}: expected a plan priority such as "
                                    f"2016-2021:3 (plans: {', '.join(dataset.plans)})"))
            continue
        priorities.append((plan_id, int(number)))
    insights = [str(m) for m in without_lines(entry.get("insights") or [])]
    for measure in insights:
        if measure not in dataset.measures or dataset.measures[measure].kind != "count":
            problems.append(Problem(str(path), line, "insights", f"{measure!r} is not a count measure in the catalogue"))
    months_to = entry.get("months_to")
    if months_to is not None and (not isinstance(months_to, int) or not 1 <= months_to <= 12):
        problems.append(Problem(str(path), line, "months_to", f"got {months_to!r}: expected a month number, 1 to 12"))
    if None in texts.values():
        return None
    return Strand(texts["id"], texts["name"], texts["lead"], texts["aim"], tuple(priorities), tuple(insights),
                  months_to)


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


def _text(entry: dict, key: str, path: Path, line, problems: list[Problem]) -> str | None:
    value = entry.get(key)
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        problems.append(Problem(str(path), line, key, "missing: expected a non-empty text"))
        return None
    return str(value).strip()
