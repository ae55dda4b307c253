"""The notebook cache: an executed notebook and the figures it wrote, kept under its content key
in ``_build/cache/`` and put back into a staged book when the key comes round again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pcpbook.build.buildspec import Job


def _figures_of(notebook: Path) -> list[str]:
    """Figure files an executed notebook refers to in its Markdown: a link or image
    ``](figures/...)``, or an image directive ``{image} figures/...`` (read from the notebook's
    JSON, where a new line is written as backslash and n)."""
    text = notebook.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"(?:\]\(|\{image\} )(figures/[^)\s\\]+)", text)))


def store(job: Job) -> None:
    figures = job.cached.with_suffix("")
    shutil.rmtree(figures, ignore_errors=True)
    for name in _figures_of(job.target):
        (figures / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(job.target.parent / name, figures / name)
    shutil.copy2(job.target, job.cached)


def restore(job: Job) -> None:
    job.target.parent.mkdir(parents=True, exist_ok=True)
    if job.target.exists():
        return
    shutil.copy2(job.cached, job.target)
    figures = job.cached.with_suffix("")
    if figures.is_dir():
        shutil.copytree(figures, job.target.parent, dirs_exist_ok=True)
