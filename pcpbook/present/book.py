"""The book's structure: the tables of contents of an edition and of a closure review, and
the files a copy of the project needs. Which notebook each page is made from is ``pages``'."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from pcpbook.contracts.model import Plan
from pcpbook.core.outputs import slug
from pcpbook.core.periods import Quarter
from pcpbook.present.pages import CHAPTERS, edition_pages, review_pages

BUILD_PAGE = CHAPTERS / "build.md"  # written by the edition build, not committed


def chart_data_file(name: str) -> str:
    """The zip of every chart's data in the book called ``name``, in the book's folder."""
    return f"{slug(name, 'chart-data')}.zip"


def toc(plan: Plan, quarter: Quarter | None = None, build_page: bool = False) -> dict:
    """Jupyter Book table of contents for the ``quarter``'s edition of ``plan`` (with the
    edition's own "How this edition was made" page when the build writes one)."""
    return _contents([page.staged for page in edition_pages(plan, quarter)] + ([BUILD_PAGE] if build_page else []))


def closure_toc(plan: Plan) -> dict:
    """Summary first, then finance, priorities, register, methods and how it was made."""
    return _contents([page.staged for page in review_pages(plan)] + [BUILD_PAGE])


def paper_toc(strategy_id: str) -> dict:
    """A scrutiny paper: the paper, then how it was made."""
    return _contents([CHAPTERS / "scrutiny" / strategy_id / "paper.ipynb", BUILD_PAGE])


def _contents(paths: list[Path]) -> dict:
    return {"format": "jb-book", "root": paths[0].with_suffix("").as_posix(),
            "chapters": [{"file": path.with_suffix("").as_posix()} for path in paths[1:]]}


def write_toc(plan: Plan, path: Path, contents: dict) -> None:
    what = "an edition" if "intro" in contents["root"] else "a closure review or paper"
    header = f"# Table of contents for {what} of plan {plan.id} (written by pcpbook).\n"
    path.write_text(header + yaml.safe_dump(contents, sort_keys=False), encoding="utf-8")


PROJECT_FILES = ("_config.yml", "_toc.yml")
PROJECT_FOLDERS = ("chapters", "data")


def copy_project(source: Path, target: Path, forks: bool = True) -> Path:
    """Copy what a build needs (config, contents, chapters, data) to ``target``; with
    ``forks=False`` the analysts' forks stay behind (the copy builds every page from templates)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy(source / name, target / name)
    left_out = ("figures", ".ipynb_checkpoints", "_build") + (() if forks else ("forks",))
    for folder in PROJECT_FOLDERS:
        if (source / folder).is_dir():  # a project need not have chapters of its own
            shutil.copytree(source / folder, target / folder, ignore=shutil.ignore_patterns(*left_out))
    return target
