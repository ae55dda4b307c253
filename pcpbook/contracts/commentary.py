"""Commentary returns: what owning units say they did against each commitment, per quarter.

One plain-text file per quarter, ``data/commentary/<quarter>.md``, the form an analyst can
paste returns from 20 units into (full description in ``reference/commentary-returns.md``,
which ``init`` copies into a new project as ``data/commentary/README.md``)::

    Quarter: 2023-24-Q2
    Returns: published            (or "modelled" for demonstration text)

    ## 3.2 Keep funding dedicated officers ...   <- the id; the rest of the line is ignored
    Who: West Local Policing Area; Crime and Public Protection Command
    Status: on track

    Free text: paragraphs, "- " bullet lists and **bold**.

Commentary is untrusted text: it is rendered by ``to_html``, which escapes everything and then
turns only paragraphs, bullets and bold into HTML. Raw HTML, scripts, MyST directives and roles
are shown as the characters they are, never interpreted.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pcpbook.contracts.model import Plan
from pcpbook.contracts.problems import Problem, ProblemsError
from pcpbook.core.periods import PeriodError, Quarter, quarters_between
from pcpbook.core.reading import ReadError, read_text
from pcpbook.core.render import escape_html

STATUSES = ("complete", "on track", "at risk", "not started", "no update")
NO_UPDATE = "no update"
COMPLETE = "complete"
NO_UPDATE_TEXT = "No update received."
COMPLETE_WITHOUT_TEXT = "Complete; nothing further to report."
LONG_ENTRY = 1500  # characters: longer entries are shown folded, with the opening visible
MAX_ENTRY = 20_000  # characters: an entry longer than this is refused, not cut
HEADER_FIELDS = ("quarter", "returns")
_HEADING = re.compile(r"^##\s+(\S+)")
_SECTION = re.compile(r"^#\s")  # "# Priority 3 ..." separates entries and belongs to none
_PRIORITY_SECTION = re.compile(r"^#\s+Priority\s+\d+\b")  # the only '# ' line an entry may end at
_FIELD = re.compile(r"^([A-Za-z]+):\s*(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Entry:
    commitment: str
    who: tuple[str, ...]
    status: str
    text: str
    line: int | None = None

    @property
    def received(self) -> bool:
        """An update: a status with commentary, or "complete" on its own (a finished commitment
        has nothing new to report, and stays complete)."""
        return self.status == COMPLETE or (self.status != NO_UPDATE and bool(self.text.strip()))


@dataclass
class Returns:
    """The checked returns for a quarter, one entry for every commitment of the plan."""

    quarter: Quarter
    entries: dict[str, Entry]
    modelled: bool
    missing: list[str] = field(default_factory=list)

    def counts(self, commitments=None) -> Counter:
        ids = commitments if commitments is not None else list(self.entries)
        return Counter(self.entries[i].status for i in ids)


class CommentaryError(ProblemsError):
    what = "the commentary returns"


def path_for(folder: Path, quarter: Quarter) -> Path:
    return Path(folder) / f"{quarter.id}.md"


def normalise_status(text: str) -> str | None:
    status = re.sub(r"[-_\s]+", " ", text.strip().lower())
    return status if status in STATUSES else None


def parse(path: Path) -> tuple[dict[str, tuple[str, int]], list[Entry], list[Problem]]:
    """Read a returns file: its header fields (value and line), its entries in order, and every
    problem. Nothing is dropped silently: text that would belong to no entry, a field given
    twice and an entry over MAX_ENTRY characters are problems with their line."""
    problems: list[Problem] = []
    header: dict[str, tuple[str, int]] = {}
    entries: list[Entry] = []
    try:
        lines = read_text(path).splitlines()
    except ReadError as exc:
        return header, entries, [Problem(str(path), exc.line, None, str(exc))]
    current: dict | None = None
    ended_at: int | None = None  # the '# ' line that ended the last entry

    def close():
        if current is not None:
            entries.append(_entry(path, current, problems))

    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            close()
            current = {"id": heading.group(1), "line": number, "fields": {}, "body": [], "in_fields": True}
            continue
        if _SECTION.match(line):
            if current is not None and not _PRIORITY_SECTION.match(line):
                problems.append(Problem(str(path), number, None, f"this line would end entry {current['id']} and "
                                        "be dropped with what follows it: only '# Priority N: ...' separates "
                                        "entries; remove the '# ' to keep it in the entry"))
                continue
            close()
            ended_at = number if entries else ended_at
            current = None
            continue
        if current is None:
            _outside_entry(path, number, line, header, entries, ended_at, problems)
            continue
        match = _FIELD.match(line)
        if current["in_fields"] and match and match.group(1).lower() in ("who", "status"):
            name = match.group(1).lower()
            if name in current["fields"]:
                problems.append(Problem(str(path), number, match.group(1), f"'{match.group(1)}:' is given twice "
                                        f"in this entry (first at line {current['fields'][name][1]})"))
            current["fields"][name] = (match.group(2).strip(), number)
            continue
        if current["in_fields"] and match:
            problems.append(Problem(str(path), number, match.group(1),
                                    "unknown field: an entry starts with 'Who:' and 'Status:' lines"))
            continue
        if current["in_fields"] and not line.strip():
            current["in_fields"] = False
            continue
        current["in_fields"] = False
        current["body"].append(line)
    close()
    return header, entries, problems


def _outside_entry(path: Path, number: int, line: str, header: dict, entries: list, ended_at: int | None,
                   problems: list[Problem]) -> None:
    """Before the first entry: header fields and notes to the units. After it, any text here
    would be lost, so it is a problem."""
    if not line.strip():
        return
    if entries:
        problems.append(Problem(str(path), number, None, "this text belongs to no entry and would be dropped: "
                                f"the line '# ...' at line {ended_at} ends an entry (only '## <id>' starts one); "
                                "remove the '# ' or move the text under a '## <id>' heading"))
        return
    match = _FIELD.match(line)
    close = difflib.get_close_matches(match.group(1).lower(), HEADER_FIELDS, n=1, cutoff=0.75) if match else []
    if match and match.group(1).lower() not in HEADER_FIELDS and close:
        problems.append(Problem(str(path), number, match.group(1), f"unknown header field; did you mean "
                                f"'{close[0].capitalize()}:'? (a note to the units may say anything else)"))
    elif match and match.group(1).lower() in HEADER_FIELDS:
        name = match.group(1).lower()
        if name in header:
            problems.append(Problem(str(path), number, match.group(1),
                                    f"'{match.group(1)}:' is given twice (first at line {header[name][1]})"))
        header[name] = (match.group(2).strip(), number)


def _entry(path: Path, raw: dict, problems: list[Problem]) -> Entry:
    status_text, status_line = raw["fields"].get("status", ("", raw["line"]))
    status = normalise_status(status_text)
    if status is None:
        problems.append(Problem(str(path), status_line, "Status",
                                f"got {status_text!r}: expected one of {', '.join(STATUSES)}"))
    who_text, _ = raw["fields"].get("who", ("", raw["line"]))
    who = tuple(part.strip() for part in re.split(r"[;/]", who_text) if part.strip())
    text = "\n".join(raw["body"]).strip()
    if len(text) > MAX_ENTRY:
        problems.append(Problem(str(path), raw["line"], "commentary", f"the entry has {len(text):,} characters; "
                                f"at most {MAX_ENTRY:,} are published: shorten it or link to a fuller report"))
    return Entry(raw["id"], who, status or NO_UPDATE, text, raw["line"])


def check(path: Path, plan: Plan, quarter: Quarter) -> Returns:
    """Validate a returns file against the plan in force. Unknown commitments, duplicates,
    invalid statuses and a header for another quarter are errors; a commitment without an
    update is not an error but is listed in ``missing`` and shown as "No update received"."""
    header, entries, problems = parse(path)
    if "quarter" in header:
        text, line = header["quarter"]
        try:
            if Quarter.parse(text) != quarter:
                problems.append(Problem(str(path), line, "Quarter", f"the file says {text} but is read for {quarter}"))
        except PeriodError as exc:
            problems.append(Problem(str(path), line, "Quarter", str(exc)))
    if "returns" in header and header["returns"][0].lower() not in ("published", "modelled"):
        problems.append(Problem(str(path), header["returns"][1], "Returns",
                                f"got {header['returns'][0]!r}: expected published or modelled"))
    known = {c.id: c for p in plan.priorities for c in p.commitments}
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.commitment not in known:
            problems.append(Problem(str(path), entry.line, "commitment",
                                    f"unknown commitment {entry.commitment!r}: not in plan {plan.id}"))
        elif entry.commitment in seen:
            problems.append(Problem(str(path), entry.line, "commitment",
                                    f"commitment {entry.commitment} has two entries (first at line "
                                    f"{seen[entry.commitment].line})"))
        else:
            seen[entry.commitment] = entry
    if problems:
        raise CommentaryError(problems)
    resolved, missing = {}, []
    for cid, commitment in known.items():
        entry = seen.get(cid)
        if entry is None or not entry.received:
            missing.append(cid)
            entry = Entry(cid, entry.who if entry and entry.who else commitment.who, NO_UPDATE, "",
                          entry.line if entry else None)
        elif not entry.who:
            entry = Entry(cid, commitment.who, entry.status, entry.text, entry.line)
        resolved[cid] = entry
    return Returns(quarter, resolved, header.get("returns", ("", None))[0].lower() == "modelled", missing)


def load(folder: Path, plan: Plan, quarter: Quarter) -> Returns:
    """The quarter's returns; with no file, every commitment is "No update received"."""
    path = path_for(folder, quarter)
    if not path.exists():
        known = [c for p in plan.priorities for c in p.commitments]
        entries = {c.id: Entry(c.id, c.who, NO_UPDATE, "") for c in known}
        return Returns(quarter, entries, False, [c.id for c in known])
    return check(path, plan, quarter)


@dataclass(frozen=True)
class Outcome:
    """What became of a commitment over its plan: the last status an owning unit reported, the
    return that reported it, and how many of the plan's quarters had an update."""

    commitment: str
    status: str                 # "no update" if none was ever received
    quarter: Quarter | None     # the quarter of the last update
    text: str
    who: tuple[str, ...]
    updates: int
    quarters: int
    modelled: bool

    @property
    def received(self) -> bool:
        return self.quarter is not None


def outcomes(folder: Path, plan: Plan) -> dict[str, Outcome]:
    """The final status and evidence of every commitment of ``plan``, from every quarter's
    returns (each checked as in a quarterly edition)."""
    history = [load(folder, plan, quarter) for quarter in quarters_between(plan.first_quarter, plan.last_quarter)]
    results = {}
    for priority in plan.priorities:
        for commitment in priority.commitments:
            received = [(returns, returns.entries[commitment.id]) for returns in history
                        if returns.entries[commitment.id].received]
            if received:
                returns, entry = received[-1]
                results[commitment.id] = Outcome(commitment.id, entry.status, returns.quarter, entry.text,
                                                 entry.who, len(received), len(history), returns.modelled)
            else:
                results[commitment.id] = Outcome(commitment.id, NO_UPDATE, None, "", commitment.who, 0,
                                                 len(history), False)
    return results


def template(plan: Plan, quarter: Quarter, previous: Returns | None) -> str:
    """A return for units to fill in: every commitment with its owners and last quarter's
    status carried forward (``not started`` where there was none)."""
    lines = [f"Quarter: {quarter.id}", "Returns: published", "",
             f"# Commentary returns for {plan.title}, {quarter.label} ({quarter.month_span})", "",
             "Under each commitment: keep or correct 'Who:', set 'Status:' to one of",
             f"{', '.join(STATUSES)}; then, after a blank line, say what was done this quarter.",
             "Paragraphs, '- ' bullet lists and **bold** are shown as such; nothing else is interpreted.",
             "An entry left empty is published as \"No update received\", unless its status is complete.", ""]
    for priority in plan.priorities:
        lines += [f"# Priority {priority.number}: {priority.title}", ""]
        for commitment in priority.commitments:
            status = "not started"
            if previous is not None and commitment.id in previous.entries:
                carried = previous.entries[commitment.id].status
                status = carried if carried != NO_UPDATE else status
            lines += [f"## {commitment.id} {commitment.text}", f"Who: {'; '.join(commitment.who)}",
                      f"Status: {status}", "", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(text: str) -> str:
    """Render commentary safely: escape everything, then allow paragraphs, bullets and bold."""
    blocks, bullets, paragraph = [], [], []

    def flush():
        if paragraph:
            blocks.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if bullets:
            blocks.append("<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    for line in text.splitlines():
        stripped = line.strip()
        bullet = re.match(r"^[-*\u2022]\s+(.*)$", stripped)
        if not stripped:
            flush()
        elif bullet:
            if paragraph:
                flush()
            bullets.append(bullet.group(1))
        elif bullets and line[:1].isspace():
            bullets[-1] += " " + stripped
        else:
            if bullets:
                flush()
            paragraph.append(stripped)
    flush()
    return "".join(blocks)


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape_html(text))
