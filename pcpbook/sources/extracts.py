"""What every source adapter shares: the error it reports, what it returns, merging into an
extract already written, and reading CSV files through DuckDB with problems that name the line."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.contracts.problems import Problem, ProblemsError
from pcpbook.core.outputs import write_frame
from pcpbook.core.reading import short


class IngestError(ProblemsError, ValueError):
    """Input an adapter cannot read: each problem names the file, line and field."""


@dataclass
class Ingested:
    """Observation rows and what was read to make them."""

    observations: pd.DataFrame
    files: list[str]
    counts: dict[str, int] = field(default_factory=dict)  # rows read, rows without location, ...
    notes: list[str] = field(default_factory=list)  # what a reader of the output should know

    def summary(self) -> str:
        counts = ", ".join(f"{name} {value:,}" for name, value in self.counts.items())
        notes = "".join(f"\nnote: {note}" for note in self.notes)
        return f"{len(self.files)} file(s): {counts}; {len(self.observations):,} observation rows{notes}"


KEY = ["measure", "geography", "period", "period_start"]


def merge_into(out: Path, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` merged into the extract already at ``out``, by measure, place and period: new
    periods are added, the file's other periods kept, and a period whose value changes is
    replaced and said so (never a silent replacement of the whole file)."""
    if not Path(out).is_file():
        return frame, []
    try:
        old = pd.read_csv(out, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise IngestError([Problem(str(out), None, None, f"the extract there cannot be read to merge into "
                                   f"({short(exc)}): move it away first")]) from None
    if list(old.columns) != list(OBSERVATION_COLUMNS):
        raise IngestError([Problem(str(out), 1, None, "the extract there is not an observations file "
                                   f"({', '.join(OBSERVATION_COLUMNS)}): move it away first")])
    new = frame.astype({"value": float}).assign(period_start=frame["period_start"].astype(str))
    both = old.merge(new[KEY + ["value"]], on=KEY, how="inner", suffixes=("_old", ""))
    changed = both[both["value_old"].astype(float) != both["value"]]
    replaced = sorted({f"{r.period_start[:7]} ({r.geography})" for r in changed.itertuples()})
    notes = [f"{out}: replaced {len(changed):,} value(s) in {len(replaced)} month(s) with the new figures: "
             f"{', '.join(replaced[:12])}{' ...' if len(replaced) > 12 else ''}"] if replaced else []
    kept = old.merge(new[KEY], on=KEY, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    added = len(new) - len(both)
    notes.append(f"{out}: kept {len(kept):,} earlier rows, added {added:,}, updated {len(both):,}")
    merged = pd.concat([kept.astype({"value": float}), new], ignore_index=True)
    return merged.sort_values(["measure", "geography", "period_start"], ignore_index=True), notes


def write_observations(frame: pd.DataFrame, out: Path) -> Path:
    plain = frame.assign(value=frame["value"].map(lambda v: int(v) if float(v).is_integer() else v).astype(object))
    return write_frame(out, plain, list(OBSERVATION_COLUMNS))


def query(sql: str, shown: dict[str, str] | None = None) -> pd.DataFrame:
    """The query's result; a file DuckDB cannot read is one problem naming the file (as the user
    knows it) and the line where DuckDB gives one, never DuckDB's dump of the query or its options."""
    connection = duckdb.connect()
    try:
        return connection.execute(sql).df()
    except duckdb.Error as exc:
        raise IngestError([duckdb_problem(str(exc), shown or {})]) from None
    finally:
        connection.close()


def duckdb_problem(message: str, shown: dict[str, str]) -> Problem:
    path = next((path for path in shown if path in message), None)
    if path is None:
        quoted = re.search(r'file "([^"]+)"', message)
        path = quoted.group(1) if quoted else None
    line = re.search(r"\bLine: ?(\d+)", message)
    number = int(line.group(1)) if line else first_ragged_line(path) if path else None
    first = message.strip().splitlines()[0] if message.strip() else "unreadable input"
    reason = re.sub(r"^[A-Za-z ]*Error: ?", "", first)
    for known, name in shown.items():
        reason = reason.replace(known, name)
    if number is not None and "sniffing" in reason:
        reason = "this row does not have the header's number of fields"
    return Problem(shown.get(path, path) if path else "(input)", number, None, f"not a readable CSV file: {short(reason)}")


def first_ragged_line(path: str) -> int | None:
    """The line of the first row whose number of fields differs from the header's."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            width = len(next(reader, []))
            return next((reader.line_num for row in reader if row and len(row) != width), None)
    except (OSError, csv.Error):
        return None


def refuse_repeated_rows(path, table: pd.DataFrame, key: list[str]) -> None:
    """A row given twice (the same ``key``) would be counted twice: refused, naming both lines
    (``table`` has each row's ``line``)."""
    repeated = table[table.duplicated(key, keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        lines = repeated.loc[(repeated[key] == first[key]).all(axis=1), "line"].tolist()
        raise IngestError([Problem(str(path), int(lines[1]), None, f"repeats line {lines[0]} ("
                                   + ", ".join(f"{k} {first[k]!r}" for k in key) + "): it would be counted twice")])


def listed(paths) -> str:
    """A DuckDB list literal of file names."""
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def check_header(path, required: tuple[str, ...], shown: str | None = None) -> list[str]:
    """The file's header (BOM and case tolerated); a required column missing names it."""
    name = shown or str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, OSError, csv.Error) as exc:
        raise IngestError([Problem(name, 1, None, f"not a readable UTF-8 CSV header: {short(exc)}")]) from None
    if not header:
        raise IngestError([Problem(name, 1, None, "the file is empty: expected a header line and rows")])
    if any("\x00" in h for h in header):
        raise IngestError([Problem(name, 1, None, "the header contains a NUL byte: is this a CSV file?")])
    normalised = [normalise(h) for h in header]
    for column in required:
        if column not in normalised:
            raise IngestError([Problem(name, 1, column.replace("_", " ").capitalize(),
                                       f"missing column; the header is {short(', '.join(header)) or '(empty)'}")])
    return header


def normalise(name: str) -> str:
    """"Falls Within " -> "falls_within"."""
    return re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def line_of(path: str, column: str | None, value) -> int | None:
    """The line of the first row holding ``value`` (in ``column``): for error messages only."""
    value = "" if value is None or pd.isna(value) else str(value)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [normalise(h) for h in next(reader, [])]
        position = header.index(column) if column in header else None
        for row in reader:
            cells = [row[position]] if position is not None and position < len(row) else row
            if value in [c.strip() for c in cells]:
                return reader.line_num
    return None
