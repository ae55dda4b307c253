"""The book's structure: chapter notebooks made from the plans, and the table of contents.

Chapter notebooks are committed (analysts open and fork them) but written from the plan files
by ``scripts/make_chapters.py``, so a new priority or a renamed one needs no hand editing.
Each has a ``parameters`` cell (papermill) whose defaults let it run on its own in Jupyter.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from .data import Plan, Priority

CHAPTERS = Path("chapters")
INTRO = CHAPTERS / "intro.ipynb"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
PRIORITY_PARAMETERS = ("quarter", "data_dir")
INTRO_PARAMETERS = ("quarter", "data_dir", "version", "produced")


def chapter_path(plan: Plan, priority: Priority) -> Path:
    return CHAPTERS / plan.id / f"{priority.slug}.ipynb"


def _notebook(cells: list) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC,
                                                  "language_info": {"name": "python"}})
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    notebook.cells = cells
    return notebook


def _markdown(text: str):
    return nbformat.v4.new_markdown_cell(text)


def _code(source: str, tags: tuple[str, ...] = ()):
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})


def priority_notebook(plan: Plan, priority: Priority) -> nbformat.NotebookNode:
    return _notebook([
        _markdown(f"# Priority {priority.number}: {priority.title}"),
        _code("# Parameters: the edition's quarter (None = the latest with data) and the data folder.\n"
              "quarter = None\n"
              'data_dir = "../../data"', tags=("parameters",)),
        _code("from pcpbook.chapter import open_chapter\n\n"
              f'chapter = open_chapter("{plan.id}", {priority.number}, quarter, data_dir)\n'
              "chapter.introduction()"),
        _markdown("## Key figures"),
        _code("chapter.key_figures()"),
        _markdown("## Measures\n\nEach chart shows five years up to the end of the quarter, with this "
                  "quarter and the same quarter last year shaded. Every change is recomputed from the data."),
        _code("chapter.measures()"),
        _markdown("## Commitments"),
        _code("chapter.commitments()"),
    ])


def intro_notebook() -> nbformat.NotebookNode:
    return _notebook([
        _markdown("# About this edition"),
        _code("# Parameters: quarter (None = latest with data), data folder, edition version and date.\n"
              "quarter = None\n"
              'data_dir = "../data"\n'
              'version = "1.0"\n'
              "produced = None", tags=("parameters",)),
        _code("from pcpbook.chapter import data_notice, edition_facts, headline_table, open_edition\n\n"
              "edition = open_edition(quarter, data_dir, version, produced)\n"
              "edition_facts(edition)"),
        _markdown("## Headline figures\n\nThe first measure of each priority, this quarter against the "
                  "same quarter last year."),
        _code("headline_table(edition)"),
        _code("data_notice(edition)"),
        _markdown("## Contents\n\n```{tableofcontents}\n```"),
    ])


def toc(plan: Plan) -> dict:
    """Jupyter Book table of contents for an edition of ``plan``."""
    return {"format": "jb-book", "root": INTRO.with_suffix("").as_posix(),
            "chapters": [{"file": chapter_path(plan, p).with_suffix("").as_posix()}
                         for p in plan.priorities]}


def write_toc(plan: Plan, path: Path) -> None:
    header = f"# Table of contents for an edition of {plan.title} (written by pcpbook).\n"
    path.write_text(header + yaml.safe_dump(toc(plan), sort_keys=False), encoding="utf-8")


def write_notebooks(plans: dict[str, Plan], root: Path) -> list[Path]:
    """Write the intro and every priority notebook under ``root``; return their paths."""
    written = [root / INTRO]
    (root / CHAPTERS).mkdir(parents=True, exist_ok=True)
    nbformat.write(intro_notebook(), root / INTRO)
    for plan in plans.values():
        (root / CHAPTERS / plan.id).mkdir(parents=True, exist_ok=True)
        for priority in plan.priorities:
            path = root / chapter_path(plan, priority)
            nbformat.write(priority_notebook(plan, priority), path)
            written.append(path)
    return written
