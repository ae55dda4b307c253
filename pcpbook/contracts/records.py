"""The records a build reads back: each published book's ``edition.json`` (``review.json``,
``paper.json``) and ``_build/last-build.json``. They come from the site branch or an earlier
build, so they are inputs like any other: a record that does not hold to its contract is named,
never trusted (a version, an edition id, a measure key or a PDF name reaches links and pages).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool

from pcpbook.contracts.kinds import MEASURE_ID_PATTERN
from pcpbook.contracts.problems import Problem
from pcpbook.contracts.schema import Contract, conform

Digest = Annotated[str, Field(strict=True, pattern=r"^[0-9a-f]{8,64}$")]
MaybeToken = Annotated[str, Field(strict=True, pattern=r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,119})?$")]  # "": none
Version = Annotated[str, Field(strict=True, pattern=r"^[0-9]{1,4}\.[0-9]{1,4}$")]
Token = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,119}$")]
Line = Annotated[str, Field(strict=True, max_length=2_000)]


class RecordError(ValueError):
    """A published record that cannot be read or does not hold to its contract."""


class Contents(Contract):
    measures: dict[Annotated[str, Field(pattern=f"^{MEASURE_ID_PATTERN}$")], Digest] = {}
    returns: dict[Annotated[str, Field(pattern=r"^[0-9]{1,2}\.[0-9]{1,2}[a-z]?$")], Digest] = {}


class Change(Contract):
    model_config = ConfigDict(extra="allow", frozen=True)
    version: Version
    date: Line
    change: Line


class Withdrawal(Contract):
    on: Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    reason: Line


class PublishedRecord(Contract):
    """The fields of a book's record that a later build reads; the rest (packages, timings)
    are kept for readers and not read back."""

    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True)
    edition: Annotated[str, Field(strict=True, pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$")] | None = None
    review: Token | None = None
    paper: Token | None = None
    label: Line | None = None
    plan_title: Line
    force: Line | None = None      # whose book (records from before December 2026 have none)
    publisher: Line | None = None
    main_point: Line | None = None  # the first of its main points, for the landing page and the feed
    version: Version
    produced: Line
    data_to: Line | None = None
    inputs: dict[Token, MaybeToken]  # digests, and the print edition's file name
    inputs_sha256: Digest
    history: tuple[Change, ...] = ()
    modelled_data: StrictBool = False
    print_edition: Token | None = None
    contents: Contents | None = None
    withdrawn: Withdrawal | None = None  # a withdrawn edition: when and why


class LastBuildBook(Contract):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: Token
    record_file: Token
    inputs_sha256: Digest


class LastBuild(Contract):
    raw: Digest
    books: tuple[LastBuildBook, ...]


def read_record(path: Path) -> dict | None:
    """A published record as a mapping (None when there is none); RecordError naming the file
    and field when it is not JSON or does not hold to ``PublishedRecord``."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"{path}: the published record cannot be read ({str(exc)[:120]}): restore the site "
                          "(make site-restore) or remove that book's folder and build it again") from None
    problems: list[Problem] = []
    if conform(PublishedRecord, raw, path, problems) is None:
        first = problems[0]
        raise RecordError(f"{first}: the published record is damaged, so it is not trusted; restore the site "
                          "(make site-restore) or remove that book's folder and build it again")
    return raw


def read_last_build(path: Path) -> dict | None:
    """What the last successful build left, or None when it is missing or not as written."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    checked = conform(LastBuild, raw, path, [])
    return None if checked is None else checked.model_dump()
