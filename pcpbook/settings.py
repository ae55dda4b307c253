"""The project's own settings: the ``pcpbook:`` section of ``_config.yml`` (Jupyter Book
ignores it, and the editions' copies leave it out)."""

from __future__ import annotations

import re
from pathlib import Path

from .reading import ReadError, read_yaml, without_lines

DEFAULT_MARKING = "OFFICIAL"  # Government Security Classifications: the print edition's page marking


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


def marking(project: Path) -> str:
    """The sensitivity marking printed at the top and foot of every page of the print edition:
    one line of letters, digits, spaces and - / ( ) & , at most 60 characters."""
    value = str(read(project).get("marking") or DEFAULT_MARKING)
    if not re.fullmatch(r"[A-Za-z0-9 \-/()&,]{1,60}", value):
        raise SettingsError(f"{Path(project) / '_config.yml'}, field 'pcpbook.marking': got {value[:80]!r}: expected "
                            "one line of letters, digits, spaces and - / ( ) & , (at most 60 characters), such as "
                            "OFFICIAL or OFFICIAL-SENSITIVE")
    return value
