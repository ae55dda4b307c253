"""The project's own settings: the ``pcpbook:`` section of ``_config.yml`` (Jupyter Book
ignores it, and the editions' copies leave it out)."""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_MARKING = "OFFICIAL"  # Government Security Classifications: the print edition's page marking


def read(project: Path) -> dict:
    config = Path(project) / "_config.yml"
    if not config.exists():
        return {}
    return (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pcpbook") or {}


def data_folder(project: Path, given: str | Path | None = None) -> Path:
    """The data folder: ``given`` (the ``--data`` option) if any, else the ``data`` setting
    (relative to the project), else ``data/``."""
    if given:
        return Path(given).resolve()
    return (Path(project) / (read(project).get("data") or "data")).resolve()


def marking(project: Path) -> str:
    """The sensitivity marking printed at the top and foot of every page of the print edition."""
    return str(read(project).get("marking") or DEFAULT_MARKING)
