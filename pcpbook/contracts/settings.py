"""The project's settings: ``_config.yml``, checked against its contract and read once a build
into a ``Project`` passed down it (its ``pcpbook:`` section is the project's own; Jupyter Book
ignores it, and the editions' copies leave it out)."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pcpbook.contracts import kinds
from pcpbook.contracts.problems import Problem
from pcpbook.contracts.schema import conform
from pcpbook.core.reading import ReadError, read_yaml, without_lines

DEFAULT_CHAPTER_TIMEOUT = kinds.ProjectSettings().chapter_timeout  # seconds one cell of a chapter may run


class SettingsError(ValueError):
    """A setting in _config.yml that cannot be used; the message names the file and field."""


def project_config(project: Path) -> dict:
    """The whole of ``_config.yml`` (empty when there is none), read safely and held to
    ``kinds.BookConfig``: an unknown or misspelt key is an error naming it."""
    config = Path(project) / "_config.yml"
    if not config.exists():
        return {}
    try:
        raw = read_yaml(config)
    except ReadError as exc:
        raise SettingsError(f"{config}, line {exc.line}: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"{config}: expected a mapping of settings")
    problems: list[Problem] = []
    if conform(kinds.BookConfig, raw, config, problems) is None:
        raise SettingsError(str(problems[0]) + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return without_lines(raw)


@dataclass(frozen=True)
class Project:
    """A project's settings as one build reads them, once: the whole of ``_config.yml`` (what every
    book is built with) and its ``pcpbook:`` section."""

    root: Path
    config: dict
    own: kinds.ProjectSettings

    def data_folder(self, given: str | Path | None = None) -> Path:
        """``given`` (the ``--data`` option) if any, else the ``data`` setting (relative to the
        project), else ``data/``."""
        return Path(given).resolve() if given else (self.root / self.own.data).resolve()


def load_project(root: Path) -> Project:
    """The project at ``root``, its ``_config.yml`` read and checked (defaults where there is none)."""
    config = project_config(root)
    own = kinds.BookConfig.model_validate(config).pcpbook if config else kinds.ProjectSettings()
    return Project(Path(root).resolve(), config, own)


def data_folder(project: Path, given: str | Path | None = None) -> Path:
    """The data folder of the project at ``project``: see ``Project.data_folder``."""
    return load_project(project).data_folder(given)


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


_BASE_URL = re.compile(r"(/|/[A-Za-z0-9._~%/-]*/|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?/)")


def base_url(value: str) -> str:
    """Where the site is served from: a path such as / or /repo/, or an http(s) URL, ending in /."""
    if not isinstance(value, str) or not _BASE_URL.fullmatch(value) or "//" in value.split("://", 1)[-1]:
        raise SettingsError(f"--base-url: got {str(value)[:80]!r}: expected a path such as / or /pcpbook/, or an "
                            "http(s) URL such as https://example.org/pcpbook/, ending in /")
    return value


MAX_WORKERS = 64  # each worker holds a kernel of several hundred MB: more is a typing error


def workers(value) -> int | None:
    """How many notebooks run at once: a whole number from 1 to MAX_WORKERS (None: one per core)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WORKERS:
        raise SettingsError(f"--workers: got {value!r}: expected a whole number from 1 to {MAX_WORKERS} (each "
                            "worker starts a kernel of several hundred MB)")
    return value


def show_progress() -> bool:
    """Progress bars on a terminal, never in CI logs."""
    return sys.stderr.isatty() and not os.environ.get("CI")
