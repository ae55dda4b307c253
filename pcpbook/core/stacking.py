"""Tables that fit a phone: every body cell of a table with a header row is given its column's
name (``data-label``), and the table the class ``pcp-stacked``, so that on a narrow screen the
stylesheet shows each row as a card of "column: value" lines instead of a table that scrolls
sideways. Applied to each page's HTML once it is built (the book's Sphinx extension)."""

from __future__ import annotations

import html
import re

TABLE = re.compile(r"<table\b(?P<attributes>[^>]*)>(?P<inside>.*?)</table>", re.S)
HEAD = re.compile(r"<thead\b[^>]*>(?P<inside>.*?)</thead>", re.S)
BODY = re.compile(r"<tbody\b[^>]*>.*?</tbody>", re.S)
HEAD_CELL = re.compile(r"<th\b[^>]*>(?P<text>.*?)</th>", re.S)
ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
CELL_OPENING = re.compile(r"<(?P<tag>td|th)\b(?P<attributes>[^>]*)>")
TAG = re.compile(r"<[^>]+>")
CLASS = re.compile(r'\bclass="(?P<names>[^"]*)"')
STACKED = "pcp-stacked"


def stacked_tables(page: str) -> str:
    """``page`` with each table that has one header row made stackable (see the module)."""
    return TABLE.sub(_stacked, page)


def _stacked(table: re.Match) -> str:
    inside = table["inside"]
    head = HEAD.search(inside)
    if head is None or len(ROW.findall(head["inside"])) != 1 or "<table" in inside:
        return table[0]  # no single header row to name the cells, or a table inside a table: left as it is
    labels = [_plain(cell["text"]) for cell in HEAD_CELL.finditer(head["inside"])]
    inside = BODY.sub(lambda body: ROW.sub(lambda row: _labelled(row[0], labels), body[0]), inside)
    return f"<table{_with_class(table['attributes'])}>{inside}</table>"


def _labelled(row: str, labels: list[str]) -> str:
    columns = iter(labels)

    def label(cell: re.Match) -> str:
        name = next(columns, "")
        if not name or "data-label=" in cell["attributes"]:
            return cell[0]
        return f'<{cell["tag"]}{cell["attributes"]} data-label="{html.escape(name, quote=True)}">'
    return CELL_OPENING.sub(label, row)


def _with_class(attributes: str) -> str:
    names = CLASS.search(attributes)
    if names is None:
        return f'{attributes} class="{STACKED}"'
    if STACKED in names["names"].split():
        return attributes
    return attributes[:names.start()] + f'class="{names["names"]} {STACKED}"' + attributes[names.end():]


def _plain(markup: str) -> str:
    return " ".join(html.unescape(TAG.sub("", markup)).split())
