"""Quarterly strand returns for a strategy's scrutiny paper, in the plain-text style of the
commentary returns: ``data/strategy-returns/<strategy>/<quarter>.md``::

    Strategy: crime-prevention-2018-2021
    Quarter: 2021-22-Q2
    Returns: published             (or "modelled" for demonstration text)
    Classification: Official       (the paper's cover: Agenda number, Version, Written,
    ...                             Approved, Meeting (YYYY-MM-DD), Author)

    # Strand: domestic-abuse        <- the strand's id
    Total: 37                       <- optional: the unit's own count of its actions, checked

    ## Delivery achieved
    - what was done this quarter (a bullet a line; an indented line continues it)

    ## Delivery scheduled
    - what is planned for next quarter

    ## Actions
    DA-01: complete                 <- complete, ongoing or at risk, for every action of the strand
    DA-02: at risk
      Risk: what threatens it       <- required for an action at risk, with its mitigation
      Mitigation: what is being done

Every line belongs somewhere or is an error naming the file and line: an unknown strand,
action, section or field, a status given twice, a total that is not the sum of its parts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pcpbook.contracts.problems import Problem, ProblemsError
from pcpbook.contracts.strategy import Strategy
from pcpbook.core.periods import PeriodError, Quarter
from pcpbook.core.reading import ReadError, read_text, whole_number

FOLDER = "strategy-returns"
STATUSES = ("complete", "ongoing", "at risk")
COVER_FIELDS = ("classification", "agenda number", "version", "written", "approved", "meeting", "author")
DATE_FIELDS = ("written", "approved", "meeting")
HEADER_FIELDS = ("strategy", "quarter", "returns") + COVER_FIELDS
SECTIONS = ("delivery achieved", "delivery scheduled", "actions")
MAX_BULLET = 2_000  # characters: a longer bullet is refused, not cut
_STRAND = re.compile(r"^#\s+Strand:\s*(.*)$", re.IGNORECASE)
_SECTION = re.compile(r"^##\s+(.*)$")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z ]*?):\s*(.*)$")


class StrandReturnsError(ProblemsError):
    what = "the strand returns"


@dataclass
class StrandReturn:
    strand: str
    line: int
    total: int | None = None
    achieved: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    risks: dict[str, dict[str, str]] = field(default_factory=dict)  # action -> {"risk": ..., "mitigation": ...}

    def counts(self) -> Counter:
        return Counter(self.statuses.values())


@dataclass
class PaperReturns:
    strategy: str
    quarter: Quarter
    modelled: bool
    cover: dict[str, str]
    strands: dict[str, StrandReturn]

    def counts(self) -> Counter:
        return sum((s.counts() for s in self.strands.values()), Counter())

    def at_risk(self) -> list[tuple[str, str, dict[str, str]]]:
        """(strand, action, risk and mitigation) of every action at risk."""
        return [(s.strand, action, s.risks[action]) for s in self.strands.values()
                for action, status in s.statuses.items() if status == "at risk"]


def path_for(root: Path, strategy_id: str, quarter: Quarter) -> Path:
    return Path(root) / FOLDER / strategy_id / f"{quarter.id}.md"


def latest_quarter(root: Path, strategy: Strategy) -> Quarter:
    """The latest quarter that has a returns file for the strategy."""
    quarters = []
    for path in (Path(root) / FOLDER / strategy.id).glob("*.md"):
        try:
            quarters.append(Quarter.parse(path.stem))
        except PeriodError:
            continue
    if not quarters:
        raise StrandReturnsError([Problem(str(Path(root) / FOLDER / strategy.id), None, None,
                                          "no strand returns yet: python -m pcpbook strategy template ...")])
    return max(quarters)


def load(root: Path, strategy: Strategy, quarter: Quarter) -> PaperReturns:
    """The quarter's returns, checked against the strategy; StrandReturnsError lists every problem."""
    path = path_for(root, strategy.id, quarter)
    if not path.exists():
        raise StrandReturnsError([Problem(str(path), None, None, "no strand returns for this quarter: write them with "
                                          f"python -m pcpbook strategy template --strategy {strategy.id} "
                                          f"--quarter {quarter.id}")])
    return check(path, strategy, quarter)


def check(path: Path, strategy: Strategy, quarter: Quarter) -> PaperReturns:
    problems: list[Problem] = []
    parsed = _parse(path, strategy, problems)
    if parsed is None:  # not read at all: nothing more to say
        raise StrandReturnsError(problems)
    header, strands = parsed
    _check_header(path, header, strategy, quarter, problems)
    for strand in strategy.strands:
        if strand.id not in strands:
            problems.append(Problem(str(path), None, None, f"no return for strand {strand.id!r} ({strand.name}): add "
                                    f"'# Strand: {strand.id}'"))
        else:
            _check_strand(path, strands[strand.id], strategy, problems)
    if problems:
        raise StrandReturnsError(problems)
    cover = {key: header[key][0] for key in COVER_FIELDS if key in header}
    return PaperReturns(strategy.id, quarter, header["returns"][0].lower() == "modelled", cover, strands)


def _parse(path: Path, strategy: Strategy, problems: list[Problem]) -> tuple[dict, dict[str, StrandReturn]] | None:
    try:
        lines = read_text(path).splitlines()
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, None, str(exc)))
        return None
    known = {s.id for s in strategy.strands}
    header: dict[str, tuple[str, int]] = {}
    strands: dict[str, StrandReturn] = {}
    current: StrandReturn | None = None
    section: str | None = None
    last_action: str | None = None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        strand = _STRAND.match(text)
        if strand:
            name = strand.group(1).strip()
            section, last_action = None, None
            if name not in known:
                problems.append(Problem(str(path), number, "strand", f"unknown strand {name!r}: the strategy's strands "
                                        f"are {', '.join(sorted(known))}"))
                current = None
            elif name in strands:
                problems.append(Problem(str(path), number, "strand", f"strand {name!r} is given twice (first at line "
                                        f"{strands[name].line})"))
                current = None
            else:
                current = strands[name] = StrandReturn(name, number)
            continue
        if current is None and strands or current is None and (_SECTION.match(text) or text.startswith("- ")):
            problems.append(Problem(str(path), number, None, "this line belongs to no strand: start the strand with "
                                    "'# Strand: <id>'"))
            continue
        if current is None:
            _header_line(path, number, text, header, problems)
            continue
        heading = _SECTION.match(text)
        if heading:
            section = heading.group(1).strip().lower()
            if section not in SECTIONS:
                problems.append(Problem(str(path), number, None, f"unknown section {heading.group(1)!r}: expected "
                                        "Delivery achieved, Delivery scheduled or Actions"))
            last_action = None
            continue
        if section is None:
            _strand_field(path, number, text, current, problems)
        elif section == "actions":
            last_action = _action_line(path, number, text, current, last_action, problems)
        elif section in ("delivery achieved", "delivery scheduled"):
            _bullet(path, number, line, current.achieved if section == "delivery achieved" else current.scheduled,
                    problems)
        else:
            problems.append(Problem(str(path), number, None, "this line is under an unknown section"))
    return header, strands


def _header_line(path: Path, number: int, text: str, header: dict, problems: list[Problem]) -> None:
    match = _FIELD.match(text)
    key = match.group(1).strip().lower() if match else None
    if key not in HEADER_FIELDS:
        problems.append(Problem(str(path), number, None, "expected a header field (" + ", ".join(
            f.capitalize() for f in HEADER_FIELDS) + ") or '# Strand: <id>'"))
    elif key in header:
        problems.append(Problem(str(path), number, match.group(1), f"given twice (first at line {header[key][1]})"))
    else:
        header[key] = (match.group(2).strip(), number)


def _strand_field(path: Path, number: int, text: str, current: StrandReturn, problems: list[Problem]) -> None:
    match = _FIELD.match(text)
    if not match or match.group(1).lower() != "total":
        problems.append(Problem(str(path), number, None, "expected 'Total: N' or a section (## Delivery achieved, "
                                "## Delivery scheduled, ## Actions)"))
    elif current.total is not None:
        problems.append(Problem(str(path), number, "Total", "given twice"))
    elif whole_number(match.group(2)) is None:
        problems.append(Problem(str(path), number, "Total", f"got {match.group(2)!r}: expected a whole number"))
    else:
        current.total = whole_number(match.group(2))


def _action_line(path: Path, number: int, text: str, current: StrandReturn, last_action: str | None,
                 problems: list[Problem]) -> str | None:
    match = _FIELD.match(text) or re.match(r"^(\S+):\s*(.*)$", text)
    if not match:
        problems.append(Problem(str(path), number, None, "expected '<action id>: <status>', or Risk: and Mitigation: "
                                "under an action at risk"))
        return last_action
    key, value = match.group(1).strip(), match.group(2).strip()
    if key.lower() in ("risk", "mitigation"):
        if last_action is None or current.statuses.get(last_action) != "at risk":
            problems.append(Problem(str(path), number, key, "belongs under an action at risk"))
        elif key.lower() in current.risks.setdefault(last_action, {}):
            problems.append(Problem(str(path), number, key, f"given twice for {last_action}"))
        elif not value:
            problems.append(Problem(str(path), number, key, "missing: expected a text"))
        else:
            if len(value) > MAX_BULLET:
                problems.append(Problem(str(path), number, key, f"{len(value):,} characters, over {MAX_BULLET:,}: "
                                        "shorten it (nothing is cut)"))
            current.risks[last_action][key.lower()] = value
        return last_action
    status = re.sub(r"[-_\s]+", " ", value.lower())
    if status not in STATUSES:
        problems.append(Problem(str(path), number, key, f"got status {value!r}: expected one of {', '.join(STATUSES)}"))
    elif key in current.statuses:
        problems.append(Problem(str(path), number, key, "status given twice"))
    else:
        current.statuses[key] = status
    return key


def _bullet(path: Path, number: int, line: str, bullets: list[str], problems: list[Problem]) -> None:
    text = line.strip()
    if text.startswith("- "):
        bullets.append(text[2:].strip())
    elif line[:1].isspace() and bullets:
        bullets[-1] += " " + text  # an indented line continues the bullet
    else:
        problems.append(Problem(str(path), number, None, "expected a bullet ('- ...'), or an indented line "
                                "continuing one"))
        return
    if len(bullets[-1]) > MAX_BULLET:
        problems.append(Problem(str(path), number, None, f"this bullet is over {MAX_BULLET:,} characters: split it"))


def _check_header(path: Path, header: dict, strategy: Strategy, quarter: Quarter, problems: list[Problem]) -> None:
    for key in ("strategy", "quarter", "returns"):
        if key not in header:
            problems.append(Problem(str(path), None, key.capitalize(), "missing header field"))
    if "strategy" in header and header["strategy"][0] != strategy.id:
        problems.append(Problem(str(path), header["strategy"][1], "Strategy", f"got {header['strategy'][0]!r}: this "
                                f"file is for {strategy.id!r}"))
    if "quarter" in header:
        try:
            if Quarter.parse(header["quarter"][0]) != quarter:
                problems.append(Problem(str(path), header["quarter"][1], "Quarter", f"got {header['quarter'][0]!r}: "
                                        f"this file is for {quarter.id}"))
        except PeriodError as exc:
            problems.append(Problem(str(path), header["quarter"][1], "Quarter", str(exc)))
    if "returns" in header and header["returns"][0].lower() not in ("published", "modelled"):
        problems.append(Problem(str(path), header["returns"][1], "Returns", "expected published or modelled"))
    for key in DATE_FIELDS:
        if key in header:
            try:
                dt.date.fromisoformat(header[key][0])
            except ValueError:
                problems.append(Problem(str(path), header[key][1], key.capitalize(),
                                        f"got {header[key][0]!r}: expected a date such as 2021-11-17"))


def _check_strand(path: Path, given: StrandReturn, strategy: Strategy, problems: list[Problem]) -> None:
    planned = {a.id: a for a in strategy.actions_of(given.strand)}
    owners = {a.id: a.strand for a in strategy.actions}
    for action in given.statuses:
        if action not in planned:
            where = f"it belongs to strand {owners[action]!r}" if action in owners else "it is not in the delivery plan"
            problems.append(Problem(str(path), given.line, action, f"strand {given.strand!r}: unknown action {action!r} "
                                    f"({where})"))
    missing = [a for a in planned if a not in given.statuses]
    if missing:
        problems.append(Problem(str(path), given.line, None, f"strand {given.strand!r}: no status for "
                                f"{len(missing)} action(s) of its delivery plan: {', '.join(missing[:5])}"
                                + (" ..." if len(missing) > 5 else "")))
    for action, status in given.statuses.items():
        parts = given.risks.get(action, {})
        if status == "at risk" and not {"risk", "mitigation"} <= set(parts):
            problems.append(Problem(str(path), given.line, action, f"strand {given.strand!r}: action {action} is at "
                                    "risk: give its Risk: and Mitigation: under it"))
    counts = given.counts()
    if given.total is not None and given.total != sum(counts.values()):
        parts = " + ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
        problems.append(Problem(str(path), given.line, "Total", f"strand {given.strand!r}: the total says "
                                f"{given.total} but its actions count {parts} = {sum(counts.values())}"))


def template(strategy: Strategy, quarter: Quarter, previous: PaperReturns | None, cover: dict[str, str]) -> str:
    """A pre-filled return: every strand and every action, last quarter's statuses carried
    forward (ongoing where there were none), the delivery lists to write."""
    lines = [f"Strategy: {strategy.id}", f"Quarter: {quarter.id}", "Returns: published"]
    lines += [f"{key.capitalize()}: {cover.get(key, '')}" for key in COVER_FIELDS]
    for strand in strategy.strands:
        before = previous.strands[strand.id] if previous else None
        lines += ["", f"# Strand: {strand.id}", f"Total: {len(strategy.actions_of(strand.id))}", "",
                  "## Delivery achieved", "", "## Delivery scheduled", "", "## Actions"]
        for action in strategy.actions_of(strand.id):
            status = before.statuses.get(action.id, "ongoing") if before else "ongoing"
            lines.append(f"{action.id}: {status}")
            if status == "at risk":
                risk = before.risks.get(action.id, {})
                lines += [f"  Risk: {risk.get('risk', '')}", f"  Mitigation: {risk.get('mitigation', '')}"]
    return "\n".join(lines) + "\n"
