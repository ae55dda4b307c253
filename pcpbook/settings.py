"""The project's own settings: the ``pcpbook:`` section of ``_config.yml`` (Jupyter Book
ignores it, and the editions' copies leave it out)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .reading import ReadError, read_yaml, without_lines

DEFAULT_MARKING = "OFFICIAL"
DEFAULT_CHAPTER_TIMEOUT = 600  # seconds one cell of a chapter may run  # Government Security Classifications: the print edition's page marking


class SettingsError(ValueError):
    """A setting in _config.yml that cannot be used; the message names the file and field."""


def project_config(project: Path) -> dict:
    """The whole of ``_config.yml`` (empty when there is none), read safely."""
    config = Path(project) / "_config.yml"
    if not config.exists():
        return {}
    try:
        raw = without_lines(read_yaml(config))
    except ReadError as exc:
        raise SettingsError(f"{config}, line {exc.line}: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"{config}: expected a mapping of settings")
    return raw


def read(project: Path) -> dict:
    section = project_config(project).get("pcpbook") or {}
    if not isinstance(section, dict):
        raise SettingsError(f"{Path(project) / '_config.yml'}, field 'pcpbook': expected a mapping of settings")
    return section


def data_folder(project: Path, given: str | Path | None = None) -> Path:
    """The data folder: ``given`` (the ``--data`` option) if any, else the ``data`` setting
    (relative to the project), else ``data/``."""
    if given:
        return Path(given).resolve()
    return (Path(project) / (read(project).get("data") or "data")).resolve()


def notebook_data_folder(data_dir: str | Path | None = None, start: Path | None = None) -> Path:
    """The data folder a notebook reads: ``data_dir`` when given (the build always gives it),
    else the ``data`` setting of the project a notebook opened in Jupyter sits in, found from
    ``start`` (the working folder, which Jupyter sets to the notebook's) upwards."""
    if data_dir:
        return Path(data_dir).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").exists():
            return data_folder(folder)
    raise SettingsError(f"no _config.yml in {here} or any folder above it: give the notebook's data_dir "
                        "parameter the data folder")


def marking(project: Path) -> str:
    """The sensitivity marking printed at the top and foot of every page of the print edition:
    one line of letters, digits, spaces and - / ( ) & , at most 60 characters."""
    value = str(read(project).get("marking") or DEFAULT_MARKING)
    if not re.fullmatch(r"[A-Za-z0-9 \-/()&,]{1,60}", value):
        raise SettingsError(f"{Path(project) / '_config.yml'}, field 'pcpbook.marking': got {value[:80]!r}: expected "
                            "one line of letters, digits, spaces and - / ( ) & , (at most 60 characters), such as "
                            "OFFICIAL or OFFICIAL-SENSITIVE")
    return value


_BASE_URL = re.compile(r"(/|/[A-Za-z0-9._~%/-]*/|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?/)")


def base_url(value: str) -> str:
    """Where the site is served from: a path such as / or /repo/, or an http(s) URL, ending in /."""
    if not isinstance(value, str) or not _BASE_URL.fullmatch(value) or "//" in value.split("://", 1)[-1]:
        raise SettingsError(f"--base-url: got {str(value)[:80]!r}: expected a path such as / or /pcpbook/, or an "
                            "http(s) URL such as https://example.org/pcpbook/, ending in /")
    return value


def workers(value) -> int | None:
    """How many notebooks run at once: a whole number of at least 1 (None: one per core)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"--workers: got {value!r}: expected a whole number of at least 1")
    return value


def chapter_timeout(project: Path) -> int:
    """Seconds a cell of a chapter may run before the chapter fails (``chapter_timeout``)."""
    value = read(project).get("chapter_timeout", DEFAULT_CHAPTER_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"{Path(project) / '_config.yml'}, field 'pcpbook.chapter_timeout': got {value!r}: "
                            "expected a whole number of seconds, at least 1")
    return value


def show_progress() -> bool:
    """Progress bars on a terminal, never in CI logs."""
    return sys.stderr.isatty() and not os.environ.get("CI")
