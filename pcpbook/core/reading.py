"""Reading text files that users write, so that nothing is misread and nothing is silently lost.

- Text must be UTF-8 (a byte-order mark is allowed); UTF-16 and other encodings are refused
  with the line of the first bad byte; NUL bytes are refused.
- YAML is read by a loader that refuses aliases (so no "billion laughs" expansion) and
  duplicate keys, and records each mapping's line in ``__line__``.
- CSV fields longer than MAX_FIELD characters are refused, as are unknown columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import yaml

MAX_FIELD = 20_000            # characters in one CSV field
MAX_MESSAGE = 300             # characters of a parser's message quoted in an error
csv.field_size_limit(MAX_FIELD + 1)


class ReadError(ValueError):
    """A file that cannot be read as text of the expected kind; ``line`` where known."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.line, self.field = line, field


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), nothing else."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise ReadError("this is a folder: expected a file") from None
    except OSError as exc:
        raise ReadError(f"cannot be read: {exc.strerror or exc}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError("the file is UTF-16: save it as UTF-8", 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ReadError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8", line) from None
    if "\x00" in text:
        raise ReadError("the file contains a NUL byte", text[:text.index("\x00")].count("\n") + 1)
    return text


def whole_number(text) -> int | None:
    """A whole number written in ASCII digits, or None. (``str.isdigit`` also accepts "²" and
    other digits ``int`` cannot read.)"""
    text = str(text).strip()
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def short(message) -> str:
    text = str(message)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."


class SafeLineLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """A safe YAML loader (libyaml where installed) that refuses duplicate keys and records
    each mapping's line in ``__line__``; ``read_yaml`` refuses aliases before it runs."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {short(key)!r} appears twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _mapping_with_line(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _refuse_aliases(text: str) -> None:
    """Aliases (*name) are refused before anything is built from them, so an alias bomb never
    expands."""
    for event in yaml.parse(text, Loader=SafeLineLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed: write the values out",
                                              event.start_mark)


def read_yaml(path: Path):
    """The YAML document in ``path``, or ReadError with the line of the problem."""
    text = read_text(path)
    try:
        _refuse_aliases(text)
        return yaml.load(text, Loader=SafeLineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or exc
        raise ReadError(f"not valid YAML: {short(reason)}", mark.line + 1 if mark else None) from None


def without_lines(value):
    """A YAML value with the ``__line__`` entries taken out again."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def csv_rows(path: Path, columns: tuple[str, ...]):
    """The header check and then (line, row) pairs of a CSV with exactly ``columns``
    (in any order). Raises ReadError for a bad file or header; yields ReadError items for
    rows with the wrong number of fields or over-long fields, so a caller can gather them."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ReadError("the file is empty: expected a header line " + ",".join(columns), 1) from None
    except csv.Error as exc:
        raise ReadError(f"not a readable CSV header: {short(exc)}", 1) from None
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns] + sorted({h for h in header if header.count(h) > 1})
    if missing or unknown:
        what = (f"missing column(s) {', '.join(missing)}" if missing else "") + ("; " if missing and unknown else "") \
            + (f"unknown or repeated column(s) {short(', '.join(unknown))}" if unknown else "")
        raise ReadError(f"{what}: the header should name the columns {', '.join(columns)}", 1,
                        (missing or unknown)[0])
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadError(f"not readable: {short(exc)} (a field over {MAX_FIELD:,} characters?)", reader.line_num)
            return
        if not fields:
            continue
        if len(fields) != len(header):
            yield ReadError(f"expected {len(header)} fields, got {len(fields)}", reader.line_num)
            continue
        yield reader.line_num, dict(zip(header, fields))
