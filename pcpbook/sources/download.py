"""Fetch the public source files the ingest adapters read: the data.police.uk monthly archive
and the DfT road safety (STATS19) tables.

Downloads are resumable: bytes arrive in ``<name>.part`` and a broken transfer carries on from
where it stopped with an HTTP ``Range`` request; the file takes its real name only when it is
complete, so an existing file is a finished download and is not fetched again.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import requests
from tqdm import tqdm

from pcpbook.core.reading import whole_number

POLICE_UK_ARCHIVE = "https://data.police.uk/data/archive/"
STATS19_BASE = "https://data.dft.gov.uk/road-accidents-safety-data/"
STATS19_TABLES = ("collision", "casualty", "vehicle")
STATS19_FIRST_YEAR_FILE = 2019
STATS19_SPANS = ("last-5-years", "1979-latest-published-year")
BLOCK = 1 << 18  # bytes per write; a broken transfer loses at most the block in flight


class DownloadError(Exception):
    """A file could not be fetched; the message names the address and what went wrong."""


class _ServerTrouble(Exception):
    """A failure worth another try: the server's own error (HTTP 5xx)."""


def police_uk_url(month: str, base: str = POLICE_UK_ARCHIVE) -> str:
    """The archive of every force's files published in ``month`` (YYYY-MM) or ``latest``.
    Each archive holds the 36 months up to its own month."""
    if month != "latest" and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
        raise DownloadError(f"month {month!r}: expected YYYY-MM (e.g. 2024-03) or 'latest'")
    return f"{base.rstrip('/')}/{month}.zip"


def stats19_url(table: str, year: str, base: str = STATS19_BASE) -> str:
    """One STATS19 table for a year (2019 on) or a span: ``last-5-years`` or
    ``1979-latest-published-year`` (the only file holding years before 2019)."""
    if table not in STATS19_TABLES:
        raise DownloadError(f"table {table!r}: expected one of {', '.join(STATS19_TABLES)}")
    if year not in STATS19_SPANS and not (whole_number(year) or 0) >= STATS19_FIRST_YEAR_FILE:
        raise DownloadError(f"year {year!r}: DfT publishes one file a year from {STATS19_FIRST_YEAR_FILE}; "
                            f"earlier years are in the '1979-latest-published-year' file")
    return f"{base.rstrip('/')}/dft-road-casualty-statistics-{table}-{year}.csv"


def fetch(url: str, dest: Path, attempts: int = 5, wait: float = 2.0, progress: bool = True,
          session: requests.Session | None = None) -> Path:
    """Download ``url`` to ``dest``, resuming after broken transfers (up to ``attempts``
    requests, ``wait`` seconds apart, doubling). Returns ``dest``."""
    dest = Path(dest)
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    session = session or requests.Session()
    problem = "no attempt made"
    for attempt in range(attempts):
        if attempt:
            time.sleep(wait * 2 ** (attempt - 1))
        try:
            if _transfer(session, url, part, progress):
                _check_content(url, part)
                part.replace(dest)
                return dest
            problem = "the server sent fewer bytes than it announced"
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            problem = f"transfer broken: {exc}"
        except _ServerTrouble as exc:
            problem = str(exc)
    raise DownloadError(f"{url}: gave up after {attempts} attempts ({problem}); "
                        f"{part.stat().st_size if part.exists() else 0:,} bytes kept in {part} for the next run")


def _transfer(session: requests.Session, url: str, part: Path, progress: bool) -> bool:
    """One request, appending to ``part`` from its current size. True when the file is whole."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(url, headers=headers, stream=True, timeout=60) as response:
        if response.status_code == 416:  # asked to resume past the end: the last run finished
            return have == _total_from_range(response.headers.get("Content-Range", ""))
        if response.status_code == 404:
            raise DownloadError(f"{url}: not published (HTTP 404)")
        if response.status_code >= 500:
            raise _ServerTrouble(f"HTTP {response.status_code} {response.reason}")
        if response.status_code >= 400:
            raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}")
        if response.status_code == 206:
            total = _total_from_range(response.headers.get("Content-Range", ""))
        else:  # the server sent the whole file: start again
            have, total = 0, _int_or_none(response.headers.get("Content-Length"))
        with part.open("ab" if have else "wb") as out, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=part.name[:-5],
                disable=not progress, leave=False) as bar:
            for block in response.iter_content(BLOCK):
                out.write(block)
                bar.update(len(block))
    return total is None or part.stat().st_size == total


def _total_from_range(header: str) -> int | None:
    """The full size from ``Content-Range: bytes 100-199/200`` or ``bytes */200``."""
    match = re.search(r"/(\d+)$", header)
    return int(match.group(1)) if match else None


def _int_or_none(text: str | None) -> int | None:
    return whole_number(text) if text else None


def _check_content(url: str, part: Path) -> None:
    """Refuse an error page served in place of the file (it would ingest as nonsense)."""
    with part.open("rb") as handle:
        start = handle.read(512).lstrip()
    if start[:1] == b"<":
        part.unlink()
        raise DownloadError(f"{url}: the server sent a web page, not the data file")
    if part.name.endswith(".zip.part") and not zipfile.is_zipfile(part):
        part.unlink()
        raise DownloadError(f"{url}: the download is not a zip archive")
