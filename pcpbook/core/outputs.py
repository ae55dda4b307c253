"""The one gate between data and the files we write: names and spreadsheet cells.

- A file or folder name made from data goes through ``slug``: a plain token of letters, digits,
  hyphens and underscores, never a path (no ``/``, no ``..``), or an error.
- A CSV we write is written by ``write_csv`` or ``write_frame``, whole or not at all: a text cell a spreadsheet would run as a formula
  (one starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's rule for CSV
  injection) is given a leading apostrophe, which spreadsheets show as text; numbers, and text
  that is only a number, stay numbers.

Text that reaches a page goes through ``render`` instead.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import re
from pathlib import Path

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MAX_NAME = 120
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class UnsafeName(ValueError):
    """A name made from data that is not a plain token: a defect upstream, where the data's
    contract should have refused it."""


def slug(*parts) -> str:
    """The name of a file or folder made from data: the parts joined by hyphens, each a plain
    token; anything else (a path separator, ``..``, a space, markup) is refused."""
    name = "-".join(str(part) for part in parts)
    if not all(_PART.fullmatch(str(part)) for part in parts) or len(name) > MAX_NAME:
        raise UnsafeName(f"not a safe file name: {name[:80]!r} (letters, digits, hyphens and underscores only)")
    return name


def safe_cell(value):
    """A CSV cell a spreadsheet shows as typed: a formula-like text gets a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def _cell(value):
    """A safe cell on one CSV row: a carriage return inside text becomes a new line, which the
    writer quotes (it would otherwise end the row in a reader)."""
    value = safe_cell(_plain(value))
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def write_csv(path: Path, columns: list[str], rows) -> Path:
    """Rows (mappings or sequences, in ``columns`` order) written as a CSV whose every text
    cell is safe to open in a spreadsheet."""
    with _whole(path) as partial, partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            cells = [row.get(c, "") for c in columns] if isinstance(row, dict) else list(row)
            writer.writerow([_cell(cell) for cell in cells])
    return Path(path)


def write_frame(path: Path, frame, columns: list[str] | None = None) -> Path:
    """A data frame written as pandas writes it (no index), its text cells and names made safe."""
    from pandas.api import types

    safe = (frame if columns is None else frame[list(columns)]).copy()
    for column in safe.columns:
        values = safe[column]
        if not (types.is_numeric_dtype(values) or types.is_datetime64_any_dtype(values)):
            safe[column] = values.map(_cell)
    safe.columns = [_cell(str(c)) for c in safe.columns]
    with _whole(path) as partial:
        safe.to_csv(partial, index=False, lineterminator="\n")
    return Path(path)


@contextlib.contextmanager
def _whole(path: Path):
    """Where to write ``path`` first: it replaces ``path`` once written, and is removed if the
    writing fails, so a file is replaced whole or not at all and nothing is left half-written."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "this is a folder: name a file to write", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _plain(cell):
    """What pandas would write: no ``nan`` or ``None``, whole floats as they are."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell != cell:
        return ""
    return cell
