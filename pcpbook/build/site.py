"""The published site: editions swapped in atomically, interrupted publications undone, the
theme's version switcher and the landing page (every value from an edition's record escaped)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pcpbook.build.book_kinds import BOOK_KINDS
from pcpbook.build.buildspec import BuildError
from pcpbook.contracts.records import read_record
from pcpbook.core.render import escape_html
from pcpbook.present.page_kinds import EDITION


def publish(html_dir: Path, site: Path, name: str) -> Path:
    """Copy the new edition beside the site, then swap it into ``site/name``."""
    site.mkdir(parents=True, exist_ok=True)
    incoming, retired, target = site / f".incoming-{name}", site / f".retired-{name}", site / name
    shutil.rmtree(incoming, ignore_errors=True)
    try:
        shutil.copytree(html_dir, incoming)
    except OSError as exc:  # a full disk, a quota: the site keeps what it had, and no half copy
        shutil.rmtree(incoming, ignore_errors=True)
        raise BuildError(f"could not copy {name} into the site {site}: {_copy_failure(exc)}; the published "
                         "site is unchanged") from None
    (incoming / ".buildinfo").unlink(missing_ok=True)
    if target.exists():
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        os.replace(incoming, target)
        shutil.rmtree(retired)
    else:
        os.replace(incoming, target)
    return target


def _copy_failure(exc: OSError) -> str:
    """Why a copy failed, in a line: copytree gathers one error per file (a full disk gives
    hundreds), so the first is given and the rest counted."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        failures = exc.args[0]
        _, target, why = failures[0]
        more = f" (and {len(failures) - 1:,} more files)" if len(failures) > 1 else ""
        return f"{Path(target).name}: {str(why)[:200]}{more}"
    return str(exc.strerror or exc)[:300]


def recover(site: Path) -> None:
    """Undo what an interrupted publication left: a retired edition whose replacement never
    arrived goes back, and half-copied incoming editions are removed."""
    if not site.exists():
        return
    for retired in site.glob(".retired-*"):
        target = site / retired.name.removeprefix(".retired-")
        if target.exists():
            shutil.rmtree(retired)
        else:
            os.replace(retired, target)
    for incoming in site.glob(".incoming-*"):
        shutil.rmtree(incoming)


def _record_files(site: Path, pattern: str) -> list[Path]:
    return sorted(p for p in site.glob(pattern) if not p.parent.name.startswith(".")) if site.exists() else []


def _records(site: Path) -> list[dict]:
    """The editions' records, latest first."""
    return sorted(map(read_record, _record_files(site, BOOK_KINDS[EDITION].records)), key=lambda r: r["edition"],
                  reverse=True)


def check_records(site: Path) -> None:
    """Every published book's record holds to its contract (RecordError naming the first that
    does not): checked before a build starts, so a damaged record stops it before anything is
    published, not after a book is swapped in and before the site's index is written."""
    for kind in BOOK_KINDS.values():
        for path in _record_files(site, kind.records):
            read_record(path)


def write_switcher(site: Path, base_url: str) -> Path:
    """The theme's version switcher list: every published edition, latest first. Each URL is
    the edition's folder: the theme opens the page the reader is on in the chosen edition, or
    that edition's front page where it has no such page."""
    records = _records(site)
    entries = [{"name": f"{r['label']}, {r.get('plan') or r['plan_title']} plan",  # short: it fits the sidebar
                "title": f"the {r['label']} update of the {r['plan_title']}",  # the newer-edition note's link
                "version": r["edition"], "url": f"{base_url}{r['edition']}/", **({"preferred": True} if i == 0 else {})}
               for i, r in enumerate(records)]
    path = site / "switcher.json"
    site.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return path


def write_landing_page(site: Path) -> Path:
    """The site's front page: the latest edition, then every edition grouped by plan, and the
    closure reviews once they exist. Every value from an edition's record is escaped."""
    records = _records(site)
    page = site / "index.html"
    site.mkdir(parents=True, exist_ok=True)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Police and Crime Plan performance: editions</title>",
             '<link rel="icon" href="data:,">',  # no icon, so browsers do not ask for /favicon.ico
             "<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
             "line-height:1.5;color:#1a1a1a}a{color:#0b5394}.latest{font-size:1.2em;padding:.8em 1em;"
             "background:#eef4fb;border-left:4px solid #0b5394}</style>", "</head>", "<body>",
             "<h1>Police and Crime Plan performance</h1>"]
    if any(r.get("modelled_data") for r in records):
        parts.append("<p>Editions marked <em>includes modelled data</em> use demonstration series, labelled as "
                     "such on every chart and table; only figures cited to published documents are official.</p>")
    if records:
        latest, e = records[0], escape_html
        parts.append(f'<p class="latest">Latest edition: <a href="{e(latest["edition"])}/index.html">'
                     f'{e(latest["plan_title"])}, quarterly update {e(latest["label"])}</a> '
                     f'(data to {e(latest["data_to"])}, version {e(latest["version"])}).</p>')
    plans: dict[str, list[dict]] = {}
    for record in records:
        plans.setdefault(record["plan_title"], []).append(record)
    for title, editions in plans.items():
        parts += [f"<h2>{escape_html(title)}</h2>\n<ul>", *map(BOOK_KINDS[EDITION].item, editions), "</ul>"]
    for kind in BOOK_KINDS.values():
        books = [read_record(p) for p in _record_files(site, kind.records)] if kind.heading else []
        if books:
            parts += [f"<h2>{escape_html(kind.heading)}</h2>\n<ul>", *map(kind.item, books), "</ul>"]
    parts += ["</body>", "</html>"]
    page.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return page
