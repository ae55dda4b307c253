"""Checking a YAML mapping against its declared model: the one place where a file kind's keys,
types and bounds are enforced, and pydantic's errors become problems a user can act on.

A model is a ``Contract`` (pydantic v2, ``extra="forbid"``). ``conform`` returns the checked
value, or ``None`` after adding one problem per fault: the line of the nearest mapping (from
``reading``'s ``__line__``), the field's dotted path, and for an unknown key the closest known one.
"""

from __future__ import annotations

import difflib
import re
import typing
import unicodedata
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from pcpbook.contracts.problems import Problem
from pcpbook.core.reading import short, without_lines

TEXT_LIMIT = 2_000  # characters in one text field of a YAML file (a title, a definition, an aim)


class Contract(BaseModel):
    """A declared file kind or part of one: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def safe_id(pattern: str, example: str) -> type[str]:
    """An identifier that may name a file, a folder, a link or an anchor: it must match
    ``pattern`` in full (letters, digits and a few separators), or it is refused."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError("unsafe_id", "got {got}: expected an id such as {example} (it names files and "
                                      "links, so only {allowed})",
                                      {"got": repr(short(value)[:60]), "example": example,
                                       "allowed": _allowed(pattern)})
        return value

    return Annotated[str, Field(strict=True), AfterValidator(check)]


def _allowed(pattern: str) -> str:
    letters = "letters" if "A-Z" in pattern else "lower-case letters"
    kinds = [("0-9", "digits"), ("_", "underscores"), ("-", "hyphens"), (r"\.", "dots")]
    return ", ".join([letters] + [word for mark, word in kinds if mark in pattern])


_OPENS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
          "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_CLOSES = {"\u202c", "\u2069"}


def unclosed_bidi(text: str) -> str | None:
    """Why ``text`` would reorder what follows it on a page, or None: a bidirectional embedding,
    override or isolate it opens and does not close (Unicode UAX #9). Library sentences are built
    around such fields ("1,529 <noun> were recorded ..."), so the field must close what it opens."""
    stack = []
    for character in text:
        if character in _OPENS:
            stack.append(character)
        elif character in _CLOSES and stack and _OPENS[stack[-1]] == character:
            stack.pop()
    if not stack:
        return None
    opened = stack[-1]
    return (f"the bidirectional control U+{ord(opened):04X} ({unicodedata.name(opened)}) is not closed, so it "
            f"would reverse the text that follows this field on a page: close it with U+{ord(_OPENS[opened]):04X} "
            "or remove it")


def _check_bidi(text: str) -> str:
    reason = unclosed_bidi(text)
    if reason:
        raise ValueError(reason)
    return text


# A non-empty line of text (surrounding spaces taken off), never cut: over the limit is an error;
# a bidirectional control it opens, it closes.
Text = Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, min_length=1,
                                                            max_length=TEXT_LIMIT), AfterValidator(_check_bidi)]


def conform(model: type[Contract], raw, path: Path | str, problems: list[Problem], line: int | None = None,
            context: dict | None = None):
    """``raw`` (a value read by ``reading.read_yaml``) checked against ``model``: the model, or
    None with each fault added to ``problems``."""
    try:
        return model.model_validate(without_lines(raw), context=context)
    except ValidationError as exc:
        for error in _one_per_place(exc.errors(include_url=False), model, without_lines(raw)):
            problems.append(_problem(error, model, raw, str(path), line))
        return None


def _one_per_place(errors: list[dict], model: type[Contract], value) -> list[dict]:
    """One error per place in the file: a value that fits none of a field's forms (a name or
    ``{rank: N}``) makes one error per form, each located under a form's tag; they are one
    fault, told as "expected <the field's description>"."""
    places: dict[tuple, dict] = {}
    inner = [tuple(e["loc"]) for e in errors]
    # a list whose only items failed is "too short" after validation too: an echo, not a fault
    errors = [e for e in errors if not (e["type"] == "too_short" and any(
        len(other) > len(e["loc"]) and other[:len(e["loc"])] == tuple(e["loc"]) for other in inner))]
    for error in errors:
        location = _place(tuple(error["loc"]), model, value)
        if location in places:
            places[location] = {**places[location], "type": "no_form", "msg": "does not fit"}
        else:
            places[location] = {**error, "loc": location}
    return list(places.values())


def _place(location: tuple, model: type[Contract], value) -> tuple:
    """The location without the tags pydantic adds for the forms of a union."""
    current, kept = model, []
    for step in location:
        declared = current is not None and isinstance(step, str) and step in current.model_fields
        present = isinstance(value, (dict, list)) and _has(value, step)
        if not (declared or present or isinstance(step, int)):
            break
        kept.append(step)
        if isinstance(step, str) and current is not None:
            found = current.model_fields.get(step)
            current = contract_in(found.annotation) if found is not None else None
        value = value[step] if present else None
    return tuple(kept)


def _has(value, step) -> bool:
    return (step in value) if isinstance(value, dict) else isinstance(step, int) and 0 <= step < len(value)


def _problem(error: dict, model: type[Contract], raw, path: str, line: int | None) -> Problem:
    location = tuple(error["loc"])
    where = _line_at(raw, location) or line
    field = _dotted(location) or None
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(model, location[:-1])
        return Problem(path, where, field, _unknown_key(str(location[-1]), known))
    if kind == "missing":
        return Problem(path, where, field, f"missing: expected {_description(model, location) or 'a value'}")
    got = _value_at(raw, location)
    message = error["msg"]
    if kind in ("string_too_long", "too_long"):
        return Problem(path, where, field, f"{len(got) if hasattr(got, '__len__') else '?':,} characters or items: "
                                           f"{message.lower()}; shorten it (nothing is cut)")
    shown = "" if kind == "unsafe_id" or got is _ABSENT else f"got {short(repr(got))[:80]}: "
    described = _description(model, location)
    if kind == "value_error":  # a rule of the model's own, which says what it expected (not a whole section)
        return Problem(path, where, field, ("" if isinstance(got, (dict, list)) else shown)
                       + message.removeprefix("Value error, "))
    if kind == "no_form":
        return Problem(path, where, field, f"{shown}expected {described or 'another form'}")
    return Problem(path, where, field, shown + message[0].lower() + message[1:]
                   + (f" ({described})" if described and kind != "unsafe_id" else ""))


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {short(key)[:60]!r}{hint} (expected: {', '.join(known)})"


_ABSENT = object()


def _value_at(raw, location: tuple):
    value = without_lines(raw)
    for step in location:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return _ABSENT
    return value


def _line_at(raw, location: tuple) -> int | None:
    """The line of the innermost mapping on the path to the fault."""
    line, value = None, raw
    for step in (None, *location):
        if step is not None:
            try:
                value = value[step]
            except (KeyError, IndexError, TypeError):
                break
        if isinstance(value, dict) and "__line__" in value:
            line = value["__line__"]
    return line


def _dotted(location: tuple) -> str:
    """The field's path inside the entry it belongs to (after the last list position), as
    "target.level"; a fault in a list item as a whole is named by the list."""
    names = [str(step) for step in location if not str(step).startswith(("function-", "constrained-"))]
    positions = [i for i, step in enumerate(names) if step.isdigit()]
    if not positions:
        return ".".join(names)
    after = names[positions[-1] + 1:]
    return ".".join(after) if after else ".".join(n for n in names[:positions[-1]] if not n.isdigit())


def contract_in(annotation) -> type[Contract] | None:
    """The Contract an annotation holds (directly, in a list, a tuple or an optional)."""
    if isinstance(annotation, type) and issubclass(annotation, Contract):
        return annotation
    for argument in typing.get_args(annotation):
        found = contract_in(argument)
        if found is not None:
            return found
    return None


def _field_at(model: type[Contract], location: tuple):
    """The pydantic field at ``location`` and the model holding it, following nested contracts."""
    current, found = model, None
    for step in location:
        if isinstance(step, int) or current is None:
            continue
        found = current.model_fields.get(str(step))
        current = contract_in(found.annotation) if found is not None else None
    return current, found


def _known_keys(model: type[Contract], location: tuple) -> list[str]:
    holder = model if not location else _field_at(model, location)[0]
    return sorted(holder.model_fields) if holder is not None else []


def _description(model: type[Contract], location: tuple) -> str | None:
    return getattr(_field_at(model, location)[1], "description", None)
