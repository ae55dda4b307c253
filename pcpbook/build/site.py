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


def record_files(site: Path, pattern: str) -> list[Path]:
    return sorted(p for p in site.glob(pattern) if not p.parent.name.startswith(".")) if site.exists() else []


def edition_records(site: Path) -> list[dict]:
    """The editions' records, latest first."""
    return sorted(map(read_record, record_files(site, BOOK_KINDS[EDITION].records)), key=lambda r: r["edition"],
                  reverse=True)


def check_records(site: Path) -> None:
    """Every published book's record holds to its contract (RecordError naming the first that
    does not): checked before a build starts, so a damaged record stops it before anything is
    published, not after a book is swapped in and before the site's index is written."""
    for kind in BOOK_KINDS.values():
        for path in record_files(site, kind.records):
            read_record(path)


def write_switcher(site: Path, base_url: str) -> Path:
    """The theme's version switcher list: every published edition, latest first. Each URL is
    the edition's folder: the theme opens the page the reader is on in the chosen edition, or
    that edition's front page where it has no such page."""
    records = edition_records(site)
    preferred = next((r for r in records if not r.get("withdrawn")), None)
    entries = [{"name": f"{r['label']}, {r.get('plan') or r['plan_title']} plan"  # short: it fits the sidebar
                        + (" (withdrawn)" if r.get("withdrawn") else ""),
                "title": f"the {r['label']} update of the {r['plan_title']}",  # the newer-edition note's link
                "version": r["edition"], "url": f"{base_url}{r['edition']}/", **({"preferred": True} if r is preferred else {})}
               for r in records]
    path = site / "switcher.json"
    site.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return path
