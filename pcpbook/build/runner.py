"""Running chapter notebooks: papermill in worker processes, each with one warm kernel.

Each worker keeps one kernel with the libraries imported and resets its namespace between
notebooks, which removes kernel start-up and import time from every chapter after the first.
Workers die with their build (even one killed with SIGKILL), and a chapter whose cell runs
longer than the ``chapter_timeout`` setting is stopped and named. This module (papermill,
nbclient, jupyter_client) is imported only when a notebook must run.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.execute import ERROR_MARKER_TAG
from papermill.log import logger as papermill_logger
from nbclient.exceptions import CellTimeoutError
from tqdm import tqdm

from pcpbook.core import lifetime

from pcpbook.build import notebooks

from pcpbook.contracts import settings
from pcpbook.build.buildspec import BuildError, Job
from pcpbook.build.kernel import WarmKernel

WARM_ENGINE = "pcpbook-warm-kernel"


@dataclass
class ChapterFailure:
    notebook: str
    cell: str
    error: str

    def __str__(self) -> str:
        return f"{self.notebook}, {self.cell}: {self.error}"


def _start_worker(log: Path | None, build: int) -> None:
    """A worker dies with its build, even one killed with SIGKILL: Linux sends it SIGTERM when
    the build process ends (prctl PR_SET_PDEATHSIG), and on SIGTERM it stops its kernel first.
    Its kernel's output goes to ``log``."""
    if log is not None:
        os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND), 2)
    signal.signal(signal.SIGTERM, _stop_worker)
    if lifetime.die_with_parent(signal.SIGTERM) and lifetime.orphaned(build):
        _stop_worker()  # the build died before the request took effect


def _stop_worker(*_) -> None:
    try:
        if _KERNEL is not None:
            _KERNEL.kill()
    finally:
        os._exit(1)


_KERNEL: WarmKernel | None = None


def _warm_kernel() -> WarmKernel:
    """This worker's kernel, started on first use (again if it died)."""
    global _KERNEL
    if _KERNEL is not None and not _KERNEL.is_alive():
        _retire_kernel()
    if _KERNEL is None:
        _KERNEL = WarmKernel()  # known before it starts, so a worker stopped while it warms up kills it too
        multiprocessing.util.Finalize(None, _KERNEL.stop, exitpriority=10)
        _KERNEL.start()
    return _KERNEL


def _retire_kernel() -> None:
    global _KERNEL
    _KERNEL.stop()
    _KERNEL = None


class WarmKernelEngine(Engine):
    """A papermill engine (registered as papermill's own are) that runs each notebook through
    nbclient on this worker's warm kernel and its kept-open client, after clearing the
    kernel's namespace and moving it to the notebook's folder (``folder``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, folder: str = ".",
                                 execution_timeout=None, **unused):  # papermill's start_timeout, input_path ...
        kernel = _warm_kernel()
        kernel.prepare_for(folder)
        client = PapermillNotebookClient(nb_man, km=kernel.manager, kernel_name=kernel_name, timeout=execution_timeout,
                                         log=papermill_logger, log_output=log_output)
        client.kc = kernel.notebooks  # nbclient starts a client only when it has none
        return client.execute()


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)


def execute_chapter(source: str, notebook: str, target: Path, parameters: dict, verbose: bool = False,
                    timeout: int = settings.DEFAULT_CHAPTER_TIMEOUT):
    """Run ``notebook`` (``source`` names the template or fork it is made from) as ``target`` in this
    worker's warm kernel, after clearing its namespace and moving it to the target's folder;
    return the duration in seconds, or a ChapterFailure. A chapter still running after
    ``timeout`` seconds has its kernel killed, and fails saying so."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook, encoding="utf-8")
    except OSError as exc:  # a full or read-only disk: the chapter fails saying so, not a worker's traceback
        return ChapterFailure(str(source), "before any cell ran", f"could not write {target}: {exc.strerror or exc}")
    if verbose:  # papermill reports each cell through its logger
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        try:
            papermill.execute_notebook(str(target), str(target), parameters=parameters, engine_name=WARM_ENGINE,
                                       folder=str(target.parent), kernel_name="python3", cwd=str(target.parent),
                                       progress_bar=False, log_output=verbose, request_save_on_cell_execute=False,
                                       execution_timeout=timeout)
        finally:
            _finish_notebook(target, source)
    except CellTimeoutError:
        _retire_kernel()  # still busy with the hung cell
        return ChapterFailure(str(source), "a cell", f"ran for more than {timeout} s (the chapter_timeout setting "
                                                     "in _config.yml) and was stopped")
    except Exception as exc:
        return _failure(source, target, exc)
    return time.perf_counter() - started


def _failure(source: str, target: Path, exc: Exception) -> ChapterFailure:
    """The failing cell by its position in the notebook and its first line, or what stopped
    the notebook (a kernel that died, a notebook that cannot be read)."""
    if isinstance(exc, papermill.PapermillExecutionError):
        executed = nbformat.read(target, as_version=4)
        # papermill's index is of the executed cells, before it wrote its two error-marker cells in
        executed.cells = [cell for cell in executed.cells if ERROR_MARKER_TAG not in cell.metadata.get("tags", [])]
        return ChapterFailure(str(source), notebooks.cell_name(executed, exc.cell_index), f"{exc.ename}: {exc.evalue}")
    return ChapterFailure(str(source), "before any cell ran", f"{type(exc).__name__}: {exc}")


def _finish_notebook(target: Path, source: str) -> None:
    """Keep the parameters, papermill's injected cell and sections that show nothing out of the
    book, and record which template or fork the notebook was made from."""
    if not target.exists():
        return
    executed = nbformat.read(target, as_version=4)
    hidden = notebooks.empty_sections(executed)
    for index, cell in enumerate(executed.cells):
        tags = cell.metadata.get("tags", [])
        if ({"parameters", "injected-parameters"} & set(tags) or index in hidden) and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
    executed.metadata.setdefault("papermill", {})["input_path"] = source
    nbformat.write(executed, target)


def check_parameters(source: str, notebook: str, parameters: dict) -> None:
    """Refuse a notebook whose parameters cell does not declare exactly these names (papermill
    itself only warns about unknown names and silently keeps defaults when the tag is missing),
    or that assigns one of them again in a later cell (which would replace the build's value).
    ``source`` is the template or fork it was made from."""
    problem = _parameter_problem(notebook, tuple(sorted(parameters)))
    if problem:
        raise BuildError(f"{source}{problem}")


@functools.lru_cache(maxsize=None)
def _parameter_problem(content: str, names: tuple) -> str | None:
    """What is wrong with the notebook's parameters, once per notebook text (every edition of a
    plan runs the same chapters)."""
    source = nbformat.reads(content, as_version=4)
    declared = set(papermill.inspect_notebook(source))
    if not declared:
        return ": no cell tagged 'parameters'"
    if declared != set(names):
        return f": parameters cell declares {sorted(declared)}, the build passes {sorted(names)}"
    reassigned = notebooks.reassigned_parameters(source, names)
    if not reassigned:
        return None
    index, name = reassigned[0]
    return (f", {notebooks.cell_name(source, index)}: assigns the parameter {name!r} again, which would replace "
            f"the value the build gives it in the parameters cell "
            f"({notebooks.cell_name(source, notebooks.parameters_cell(source))}); use another name")


def run(jobs: list[Job], root: Path, workers: int | None, verbose: bool, timeout: int) -> dict[Job, ChapterFailure]:
    """Run ``jobs`` in worker processes, longest first; return the failures. Every notebook's
    parameters are checked before any runs; a cell running over ``timeout`` seconds fails its chapter."""
    for job in jobs:
        check_parameters(job.label, job.notebook, job.parameters)
    log = None if verbose else root / "_build" / "logs" / "kernels.log"
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    # fork: workers start with the library already imported (the build lock is not inherited)
    context = multiprocessing.get_context("fork")
    count = min(workers or os.cpu_count() or 1, len(jobs))
    failures: dict[Job, ChapterFailure] = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start_worker,
                             initargs=(log, os.getpid())) as pool:
        futures = {pool.submit(execute_chapter, job.label, job.notebook, job.target, job.parameters, verbose, timeout): job
                   for job in jobs}
        for future in tqdm(as_completed(futures), total=len(futures), desc="chapters", unit="notebook",
                           disable=not settings.show_progress()):
            outcome = future.result()
            if isinstance(outcome, ChapterFailure):
                failures[futures[future]] = outcome
    return failures
