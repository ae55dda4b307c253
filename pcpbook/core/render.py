"""The one gate between text and a page.

Every string that comes from data, settings, notes or returns reaches Markdown (MyST) or HTML
through ``escape_markdown`` or ``escape_html``, so no field can carry markup: no emphasis,
role, directive, include, raw HTML or math, and no new line that could start a block. Markup
the library writes itself is ``Raw``, an explicit type, never recognised by what a string
looks like.
"""

from __future__ import annotations

import html
import re


class Raw(str):
    """Markdown or HTML written by the library itself, to be passed through as it is."""


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#$%~^&])")
# a list item, thematic break ("----"), MyST block break ("+++") or target ("(name)="), setext
# underline or colon fence, had the text started a line
_BLOCK_START = re.compile(r"^(?:[-+](?=\s|$)|-(?=(?:[ \t]*-){2,}[ \t]*$)|\+(?=\+\+)|\((?=.*\)=\s*$)|=+\s*$"
                          r"|\d{1,9}[.)](?=\s|$)|:)")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_FIRST_STRONG_ISOLATE, _POP_ISOLATE, _POP_FORMATTING = "\u2068", "\u2069", "\u202c"


def one_line(text) -> str:
    """The text on one line: line breaks become spaces, other control characters go, and text
    with bidirectional controls is isolated so it cannot reorder what follows it."""
    return isolate_bidi(_CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text))))


def isolate_bidi(text: str) -> str:
    """Text holding bidi embeddings, overrides or isolates, closed and isolated (Unicode UAX #9):
    every one it opens is closed at its end and the whole sits in a first-strong isolate, so a
    sentence that continues after it (a number, "compared to ...") reads in its own order."""
    if not _BIDI.search(text):
        return text
    embeddings = sum(1 for c in text if "\u202a" <= c <= "\u202e" and c != _POP_FORMATTING)
    isolates = sum(1 for c in text if "\u2066" <= c <= "\u2068")
    return (_FIRST_STRONG_ISOLATE + text + _POP_FORMATTING * embeddings + _POP_ISOLATE * isolates
            + _POP_ISOLATE)


def escape_markdown(text) -> Raw:
    """Text made inert in MyST Markdown, on one line: every character that could start
    emphasis, a role, directive, link, HTML, math or a comment is backslash-escaped, and so is
    a list, heading or fence marker at its start (CommonMark shows an escaped mark as typed)."""
    if isinstance(text, Raw):
        return text
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text).lstrip())
    marker = _BLOCK_START.match(escaped)
    if marker is None:
        return Raw(escaped)
    at = marker.end() - 1 if escaped[0].isdigit() else 0  # "1\." or "\-"
    return Raw(escaped[:at] + "\\" + escaped[at:])


def escape_inline(text) -> Raw:
    """Text made inert where it continues a line the library started (after a link it wrote):
    as ``escape_markdown``, without the rules for a line's start."""
    if isinstance(text, Raw):
        return text
    return Raw(_MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text)))


def escape_html(text) -> str:
    return html.escape(isolate_bidi(str(text)), quote=True)


def markdown_table(rows: list[list]) -> Raw:
    """A Markdown table; every cell is escaped unless it is Raw."""
    header, *body = rows
    lines = ["| " + " | ".join(escape_markdown(c) for c in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in body]
    return Raw("\n".join(lines))


def code(text) -> Raw:
    """A code span of library-made text such as a hash (letters and digits only)."""
    value = str(text)
    if not re.fullmatch(r"[0-9A-Za-z._-]*", value):
        raise ValueError(f"not a plain token: {value!r}")
    return Raw(f"`{value}`")


def plain_text(markdown: str) -> str:
    """Markdown the library wrote, as the words a reader sees: a bracket holding only a link
    (a pointer to a section) goes, other links become their text, and escapes are undone."""
    text = re.sub(r"\s*\(\[[^\]]*\]\([^)]*\)\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text).strip()


def facts_table(facts: list[tuple[str, str]], caption: str = "") -> Raw:
    """A table of labelled facts (a cover block): each label a row header, every value escaped;
    no header row, so no empty header cells."""
    rows = "".join(f'<tr><th scope="row">{escape_html(label)}</th><td>{escape_html(value)}</td></tr>'
                   for label, value in facts)
    head = f"<caption>{escape_html(caption)}</caption>" if caption else ""
    return Raw(f'<table class="table pcp-facts">{head}<tbody>{rows}</tbody></table>')
