"""Kinds of book, each declared once: the record its folder in the site keeps, where those
folders are, and its section and line on the site's landing page. Which pages each has, and
what their content keys cover, is ``present.page_kinds``; how each is planned is ``buildspec``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from pcpbook.core.periods import fy_label
from pcpbook.core.render import escape_html
from pcpbook.present.page_kinds import EDITION, PAPER, REVIEW


@dataclass(frozen=True)
class BookKind:
    name: str                    # page_kinds' name for it: edition, review, paper
    record: str                  # the record file in its folder of the site
    folders: str                 # its folders in the site, as a pattern
    heading: str                 # its section of the landing page ("" : a section for each plan)
    item: Callable[[dict], str]  # its line there, made from its record (every value escaped)
    identity: Callable[[object], dict]  # what its record says it is, from its plan (buildspec.EditionPlan)
    subtitle: Callable[[object], str] = str  # what it is, under its title on the print edition's cover
    in_switcher: bool = False    # listed in the theme's version switcher, each page saying when a newer one exists

    @property
    def records(self) -> str:
        return f"{self.folders}/{self.record}"


def _modelled(record: dict) -> str:
    return " (includes modelled data)" if record.get("modelled_data") else ""


def _pdf_link(record: dict, folder: str) -> str:
    name = record.get("print_edition")
    return f' · <a href="{escape_html(folder)}/{escape_html(name)}">print edition (PDF)</a>' if name else ""


def _modelled_within(record: dict) -> str:
    """The same note inside a bracket the line already has (no ") (" run)."""
    return "; includes modelled data" if record.get("modelled_data") else ""


def _produced(record: dict) -> str:
    """The production date as people write it ("3 December 2026"), or as the record gives it."""
    try:
        return f"{dt.date.fromisoformat(record['produced']):%-d %B %Y}"
    except ValueError:
        return record["produced"]


def _main_point(record: dict) -> str:
    point = record.get("main_point")
    return f'<span class="main-point">{escape_html(point)}</span>' if point else ""


def withdrawn_note(record: dict) -> str:
    """"Withdrawn on 2024-06-03: the reason", or "" for an edition that stands."""
    withdrawn = record.get("withdrawn")
    return f"Withdrawn on {withdrawn['on']}: {withdrawn['reason']}" if withdrawn else ""


def _withdrawn(record: dict) -> str:
    note = withdrawn_note(record)
    return f' <strong class="withdrawn">{escape_html(note)}</strong>' if note else ""


def _edition_item(r: dict) -> str:
    e = escape_html
    return (f'<li><a href="{e(r["edition"])}/index.html">Quarterly update {e(r["label"])}</a>: data to '
            f'{e(r["data_to"])}, version {e(r["version"])}, produced {e(_produced(r))}'
            + _modelled(r) + _pdf_link(r, r["edition"]) + _withdrawn(r) + _main_point(r) + "</li>")


def _review_item(r: dict) -> str:
    e, folder = escape_html, f"closure-{r['review']}"
    return (f'<li><a href="{e(folder)}/index.html">{e(r["plan_title"])}: closure review</a> '
            f'({e(r["baseline_year"])} against {e(r["end_year"])}; version {e(r["version"])}, produced '
            f'{e(_produced(r))}{_modelled_within(r)})' + _pdf_link(r, folder) + _main_point(r) + "</li>")


def _paper_item(r: dict) -> str:
    e = escape_html
    return (f'<li><a href="{e(r["paper"])}/index.html">{e(r["strategy_title"])}: scrutiny paper {e(r["label"])}</a> '
            f'(data to {e(r["data_to"])}; version {e(r["version"])}, produced {e(_produced(r))}{_modelled_within(r)})'
            + _pdf_link(r, r["paper"]) + _main_point(r) + "</li>")


def _edition(planned) -> dict:
    return {"edition": planned.quarter.id, "label": planned.quarter.label}


def _review(planned) -> dict:
    return {"review": planned.plan.id, "baseline_year": fy_label(planned.plan.baseline_year),
            "end_year": fy_label(planned.plan.end_year)}


def _paper(planned) -> dict:
    return {"paper": planned.name, "strategy_title": planned.strategy, "quarter": planned.quarter.id,
            "label": planned.quarter.label}


def _edition_subtitle(planned) -> str:
    return f"Quarterly update {planned.quarter.label}: {planned.quarter.month_span}"


def _review_subtitle(planned) -> str:
    return f"Closure review: {fy_label(planned.plan.baseline_year)} against {fy_label(planned.plan.end_year)}"


def _paper_subtitle(planned) -> str:
    return f"Scrutiny paper {planned.quarter.label}, {planned.plan.title}"


BOOK_KINDS = {kind.name: kind for kind in (
    BookKind(EDITION, "edition.json", "*", "", _edition_item, _edition, _edition_subtitle, in_switcher=True),
    BookKind(REVIEW, "review.json", "closure-*", "Closure reviews", _review_item, _review, _review_subtitle),
    BookKind(PAPER, "paper.json", "scrutiny-*", "Scrutiny papers", _paper_item, _paper, _paper_subtitle),
)}
