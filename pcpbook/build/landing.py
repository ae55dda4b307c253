"""The site's own pages, made from the published books' records: the landing page (whose book
this is, who publishes it, each edition with its main point), an Atom feed of releases and the
accessibility statement. Every value from a record is escaped."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from pcpbook.build.book_kinds import BOOK_KINDS, withdrawn_note
from pcpbook.build.site import record_files
from pcpbook.contracts.records import read_record
from pcpbook.core.render import escape_html
from pcpbook.core.resources import SITE
from pcpbook.present.page_kinds import EDITION

FEED = "feed.xml"
STATEMENT = "accessibility.html"
STYLE = "site.css"


def write_site_pages(site: Path, base_url: str) -> None:
    """The landing page, the feed and the accessibility statement, from the records as they are."""
    site.mkdir(parents=True, exist_ok=True)
    books = all_records(site)
    shutil.copy(SITE / STYLE, site / STYLE)
    (site / STATEMENT).write_text((SITE / STATEMENT).read_text(encoding="utf-8").replace(
        "{publisher}", escape_html(_publisher(books))), encoding="utf-8")
    (site / FEED).write_text(feed(books, base_url), encoding="utf-8")
    (site / "index.html").write_text(landing_page(books), encoding="utf-8")


def all_records(site: Path) -> list[tuple[str, dict]]:
    """(kind, record) for every published book."""
    return [(kind.name, read_record(path)) for kind in BOOK_KINDS.values()
            for path in record_files(site, kind.records)]


def landing_page(books: list[tuple[str, dict]]) -> str:
    e = escape_html
    editions = sorted((r for kind, r in books if kind == EDITION), key=lambda r: r["edition"], reverse=True)
    standing = [r for r in editions if not r.get("withdrawn")]
    force = next((r["force"] for _, r in books if r.get("force")), "")
    title = f"{force}: Police and Crime Plan performance" if force else "Police and Crime Plan performance"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(title)}</title>",
             '<link rel="icon" href="data:,">',  # no icon, so browsers do not ask for /favicon.ico
             f'<link rel="stylesheet" href="{STYLE}">',
             f'<link rel="alternate" type="application/atom+xml" title="Releases" href="{FEED}">',
             "</head>", "<body>", "<main>", f"<h1>{e(title)}</h1>",
             f'<p class="about">Published by {e(_publisher(books))}. Each quarter\'s update reports what was done '
             "against every commitment of the Police and Crime Plan and the figures that show whether things are "
             "improving; closure reviews look back over a whole plan, and scrutiny papers report on a strategy. "
             f'<a href="{FEED}">Releases feed (Atom)</a> · <a href="{STATEMENT}">Accessibility statement</a></p>']
    if any(r.get("modelled_data") for _, r in books):
        parts.append("<p>Editions marked <em>includes modelled data</em> use demonstration series, labelled as "
                     "such on every chart and table; only figures cited to published documents are official.</p>")
    if standing:
        latest = standing[0]
        point = f'<span class="main-point">{e(latest["main_point"])}</span>' if latest.get("main_point") else ""
        parts.append(f'<p class="latest">Latest edition: <a href="{e(latest["edition"])}/index.html">'
                     f'{e(latest["plan_title"])}, quarterly update {e(latest["label"])}</a> '
                     f'(data to {e(latest["data_to"])}, version {e(latest["version"])}). {point}</p>')
    plans: dict[str, list[dict]] = {}
    for record in editions:
        plans.setdefault(record["plan_title"], []).append(record)
    for plan_title, records in plans.items():
        parts += [f"<h2>{e(plan_title)}</h2>\n<ul>", *map(BOOK_KINDS[EDITION].item, records), "</ul>"]
    for kind in BOOK_KINDS.values():
        records = [r for name, r in books if name == kind.name] if kind.heading else []
        if records:
            parts += [f"<h2>{e(kind.heading)}</h2>\n<ul>", *map(kind.item, records), "</ul>"]
    return "\n".join(parts + ["</main>", "</body>", "</html>"]) + "\n"


def feed(books: list[tuple[str, dict]], base_url: str) -> str:
    """An Atom feed (RFC 4287) with an entry per published book, newest first: its title, the
    date it was produced, its address and its main point."""
    e = escape_html
    force = next((r["force"] for _, r in books if r.get("force")), "")
    namespace = f"urn:pcpbook:{re.sub(r'[^a-z0-9]+', '-', force.lower()).strip('-') or 'force'}"
    entries = sorted(books, key=lambda book: (book[1]["produced"], _folder(*book)), reverse=True)
    updated = _timestamp(entries[0][1]["produced"]) if entries else "2000-01-01T00:00:00Z"
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{e(force + ': ' if force else '')}Police and Crime Plan performance</title>",
             f"<id>{namespace}</id>", f"<updated>{updated}</updated>",
             f'<link rel="alternate" href="{e(base_url)}index.html"/>',
             f"<author><name>{e(_publisher(books))}</name></author>"]
    for kind, record in entries:
        folder = _folder(kind, record)
        lines += ["<entry>", f"<title>{e(_entry_title(kind, record))}</title>", f"<id>{namespace}:{e(folder)}</id>",
                  f"<updated>{_timestamp(record['produced'])}</updated>",
                  f'<link rel="alternate" href="{e(base_url)}{e(folder)}/index.html"/>']
        summary = withdrawn_note(record) or record.get("main_point")
        if summary:
            lines.append(f"<summary>{e(summary)}</summary>")
        lines.append("</entry>")
    return "\n".join(lines + ["</feed>"]) + "\n"


def _folder(kind: str, record: dict) -> str:
    return {EDITION: record.get("edition")}.get(kind) or record.get("paper") or f"closure-{record.get('review')}"


def _entry_title(kind: str, record: dict) -> str:
    version = f" (version {record['version']})"
    if kind == EDITION:
        return f"Quarterly update {record['label']}, {record['plan_title']}{version}"
    if record.get("paper"):
        return f"{record.get('strategy_title', 'Scrutiny paper')}: scrutiny paper {record.get('label', '')}{version}"
    return f"{record['plan_title']}: closure review{version}"


def _publisher(books: list[tuple[str, dict]]) -> str:
    return next((r["publisher"] for _, r in books if r.get("publisher")), "the force")


def _timestamp(produced: str) -> str:
    """A record's production date as an Atom date-time (midnight UTC)."""
    try:
        return f"{dt.date.fromisoformat(produced).isoformat()}T00:00:00Z"
    except ValueError:
        return "2000-01-01T00:00:00Z"
