"""Jupyter Book's Sphinx builds, each in a fresh process forked from one that has already
imported Sphinx, Jupyter Book and the book's extensions (multiprocessing's forkserver with
preloaded modules).

Running `jupyter-book build` as a command costs a new interpreter and about a second of
imports for every build, and the print edition's single-page build started again from the
sources. Here both builders of a book run one after the other in one process, on one Sphinx
environment, exactly as Jupyter Book's own command calls them (``jupyter_book.sphinx.build_sphinx``).
A process serves one book only, so no Sphinx state passes from one book to the next.
"""

from __future__ import annotations

import io
import multiprocessing
import sys
from multiprocessing import forkserver
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from pcpbook.core import lifetime

PRELOAD = "pcpbook.build.sphinxpreload"  # what every build would import: Sphinx, Jupyter Book, their extensions, ours


def cannot_start() -> str | None:
    """Why this Python session cannot start Sphinx processes, if it cannot: multiprocessing runs
    the session's main script again in each new process (unless it was run by module name, as
    ``python -m pcpbook`` is), so a main script that is not a file, one read from standard
    input, stops every one of them."""
    main = sys.modules["__main__"]
    path = getattr(main, "__file__", None)
    if getattr(getattr(main, "__spec__", None), "name", None) or path is None:
        return None
    if Path(multiprocessing.process.ORIGINAL_DIR or ".", path).is_file():
        return None
    return (f"the build cannot start its Sphinx processes from this Python session: its main script "
            f"({path}) is not a file, and Python's multiprocessing runs the main script again in every new "
            "process. Run `python -m pcpbook build ...`, or save the script to a file and run that.")


def builder_pool(workers: int = 2) -> ProcessPoolExecutor:
    """Processes for Sphinx builds; the preloading process starts at once, so its imports
    overlap whatever the build does next."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=1,
                               initializer=lifetime.die_with_parent)  # with the forkserver, its parent
    forkserver.ensure_running()
    return pool


def build_book(stage: str, builders: tuple[str, ...]) -> tuple[str | None, str]:
    """Run each builder on the staged book in turn (warnings are errors). Returns the first
    builder that failed (None if all passed) and everything Sphinx said."""
    from jupyter_book.sphinx import build_sphinx
    said = io.StringIO()
    source = Path(stage)
    with redirect_stdout(said), redirect_stderr(said):
        for builder in builders:
            result = build_sphinx(source, source / "_build" / builder, noconfig=True,
                                  path_config=source / "_config.yml", builder=builder,
                                  confoverrides={"external_toc_path": str(source / "_toc.yml"),
                                                 "latex_individualpages": False},
                                  warningiserror=True, keep_going=True)
            if result != 0:
                if isinstance(result, BaseException):
                    print(f"{type(result).__name__}: {result}", file=said)
                return builder, said.getvalue()
    return None, said.getvalue()
