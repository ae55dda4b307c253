"""Build editions: validate -> execute chapters -> build the book -> publish -> index the site.

1. Under a lock (concurrent builds wait their turn), the data and each quarter's commentary
   are validated first; a problem stops everything before any output is touched.
2. Every notebook of every edition asked for gets a content key: the notebook, its parameters,
   the data it can see (its measures up to the quarter's end, the plan, the catalogue, the
   quarter's returns) and the library source. A notebook whose key is in the cache is not run
   again; an edition whose inputs are unchanged is not rebuilt at all.
3. The rest run under papermill in worker processes (one per core). Each worker keeps one warm
   kernel with the libraries imported and resets its namespace between notebooks, which
   removes kernel start-up and import time from every chapter after the first.
4. Jupyter Book builds each staged edition with warnings as errors; the HTML is copied beside
   the site and swapped into ``<site>/<quarter>/``. Republishing an edition whose inputs changed
   raises its version (1.0, 1.1, ...) with a change-log entry saying what changed.
5. ``switcher.json`` (the theme's version switcher) and the landing page are rewritten.
A failing chapter fails its edition, names the chapter, cell and error, and keeps the executed
notebook under ``_build/failed/``; that edition's published copy is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import functools
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
from jupyter_client.blocking import BlockingKernelClient
from nbclient.exceptions import CellTimeoutError
import yaml
from tqdm import tqdm

from . import __version__, book, commentary, printing, settings
from .data import Dataset, Plan, load
from .periods import Quarter, fy_label, month_label, quarters_between
from .render import code, escape_html, markdown_table, plain_text
from .review import open_review

RECORDED_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "papermill", "pandas", "numpy", "scipy",
                     "statsmodels", "seaborn", "matplotlib")
WARM_UP = ("import pandas, numpy, scipy.stats, statsmodels.api, statsmodels.formula.api, seaborn, "
           "matplotlib.pyplot, pymannkendall, pcpbook.chapter")
LOCK_TIMEOUT_SECONDS = 3 * 3600
PR_SET_PDEATHSIG = 1  # linux/prctl.h
EDITION_RECORD, REVIEW_RECORD = "edition.json", "review.json"


class BuildError(Exception):
    """An edition could not be built; its published copy is unchanged."""


@dataclass
class ChapterFailure:
    notebook: str
    cell: str
    error: str

    def __str__(self) -> str:
        return f"{self.notebook}, {self.cell}: {self.error}"


@dataclass(eq=False)
class Job:
    """One notebook to execute for one edition."""

    edition: str
    source: Path
    target: Path
    parameters: dict
    key: str             # hash of everything the notebook's output depends on: the cache key
    cache: Path          # the cache folder
    weight: int = 1      # how long it tends to take: the chapter's number of measures

    @property
    def cached(self) -> Path:
        return self.cache / f"{self.key}.ipynb"


@dataclass
class EditionPlan:
    """A book to build: a quarterly edition (``quarter`` set) or a plan's closure review."""

    name: str               # its folder in the site: the quarter id, or closure-<plan id>
    quarter: Quarter | None
    plan: Plan
    stage: Path
    jobs: list[Job]
    inputs: dict[str, str]
    version: str
    history: list[dict]
    modelled: bool = False  # whether any value the book can see is modelled
    print_file: str = ""    # the print edition's PDF, in the book's folder ("" when Chromium is absent)

    @property
    def inputs_sha256(self) -> str:
        return _sha(json.dumps(self.inputs, sort_keys=True))

    @property
    def is_review(self) -> bool:
        return self.quarter is None

    @property
    def record_file(self) -> str:
        return REVIEW_RECORD if self.is_review else EDITION_RECORD

    @property
    def title(self) -> str:
        if self.is_review:
            return f"{self.plan.title}: closure review"
        return f"{self.plan.title}: quarterly update {self.quarter.label}"

    @property
    def data_to(self) -> dt.date:
        return Quarter(self.plan.end_year, 4).end if self.is_review else self.quarter.end


@dataclass
class BuildResult:
    quarter: Quarter | None          # None for a closure review
    plan_id: str
    path: Path
    version: str
    status: str                      # "built" or "up to date"
    timings: dict[str, float] = field(default_factory=dict)


# ----------------------------------------------------------------------------- entry points


def build(root: Path, quarter: str | None = None, **options) -> BuildResult:
    """Build one edition (the latest quarter in the data by default)."""
    return build_many(root, [quarter] if quarter else None, **options)[0]


def build_all(root: Path, **options) -> list[BuildResult]:
    """Build every quarter of every plan up to the latest quarter in the data."""
    return build_many(root, "all", **options)


def build_many(root: Path, quarters, data_dir: Path | None = None, site: Path | None = None,
               workers: int | None = None, verbose: bool = False, force: bool = False,
               note: str | None = None, base_url: str = "/") -> list[BuildResult]:
    base_url, workers = settings.base_url(base_url), settings.workers(workers)
    with _session(root, data_dir, site) as (root, dataset, site, started):
        editions = _resolve(dataset, quarters)
        for quarter, plan in editions:  # every return is checked before anything runs
            commentary.load(dataset.root / "commentary", plan, quarter)
        library, published = library_digest(), publication_settings(root, base_url)
        plans = [plan_edition(root, dataset, quarter, plan, site, library, note, published)
                 for quarter, plan in editions]
        results = _build_books(root, plans, site, workers, verbose, force, base_url, started)
        return sorted(results, key=lambda r: r.quarter)


def build_closure(root: Path, plan_id: str, data_dir: Path | None = None, site: Path | None = None,
                  workers: int | None = None, verbose: bool = False, force: bool = False,
                  note: str | None = None, base_url: str = "/") -> BuildResult:
    """Build the closure review of a plan into ``<site>/closure-<plan>/``: every quarter's
    returns of the plan are checked first, and the data must reach the review's end year."""
    base_url, workers = settings.base_url(base_url), settings.workers(workers)
    with _session(root, data_dir, site) as (root, dataset, site, started):
        plan = open_review(plan_id, str(dataset.root)).plan  # a known plan, with data to its end year
        commentary.outcomes(dataset.root / "commentary", plan)  # every return of the plan is valid
        planned = plan_review(root, dataset, plan, site, library_digest(), note, publication_settings(root, base_url))
        return _build_books(root, [planned], site, workers, verbose, force, base_url, started)[0]


def unpublished(root: Path, data_dir: Path | None = None, site: Path | None = None) -> list[Quarter]:
    """Quarters the data cover (within a plan) that have no published edition in the site:
    what a scheduled publication run has to build. Empty means nothing new."""
    root = Path(root).resolve()
    site = Path(site or root / "_build" / "site")
    dataset = load(settings.data_folder(root, data_dir))
    return [quarter for quarter, _ in _resolve(dataset, "all")
            if not (site / quarter.id / EDITION_RECORD).exists()]


def reviewable_plans(dataset: Dataset) -> list[Plan]:
    """Plans whose closure review the data can support: their end year is complete."""
    latest = dataset.latest_quarter()
    return [plan for plan in dataset.plans.values() if Quarter(plan.end_year, 4) <= latest]


@contextlib.contextmanager
def _session(root: Path, data_dir: Path | None, site: Path | None):
    """Resolve the folders, take the build lock, undo any interrupted publication and load
    (validating) the data: the start of every build."""
    root = Path(root).resolve()
    site = Path(site or root / "_build" / "site").resolve()
    (root / "_build").mkdir(exist_ok=True)
    with build_lock(root / "_build" / ".build.lock"):
        started = time.perf_counter()
        recover(site)
        yield root, load(settings.data_folder(root, data_dir)), site, started


def _build_books(root: Path, plans: list[EditionPlan], site: Path, workers: int | None, verbose: bool,
                 force: bool, base_url: str, started: float) -> list[BuildResult]:
    """Skip books whose inputs are unchanged, run the rest's notebooks, build and publish
    them, and re-index the site. A failing notebook fails its book only."""
    results, todo = [], []
    for planned in plans:
        if not force and _published_inputs(site, planned.name, planned.record_file) == planned.inputs_sha256:
            results.append(BuildResult(planned.quarter, planned.plan.id, site / planned.name,
                                       planned.version, "up to date"))  # unchanged inputs keep their version
        else:
            todo.append(planned)
    validated = time.perf_counter() - started
    if any(not p.print_file for p in todo):
        print(f"note: no print edition (PDF): Chromium not found; {printing.CHROMIUM_HINT}", file=sys.stderr)
    for planned in todo:
        shutil.rmtree(planned.stage, ignore_errors=True)
    failures = _execute([job for p in todo for job in p.jobs], root, workers, verbose)
    failed = {job.edition for job in failures}
    timings = {"validate": validated, "execute (wall)": time.perf_counter() - started - validated}
    built = [p for p in todo if p.name not in failed]
    results += _publish_all(root, built, site, base_url, verbose, timings)
    for p in todo:
        if p.name in failed:
            _keep_failed(p.stage, root, p.name)
    if any(r.status == "built" for r in results):  # the site index changes only with the site
        write_switcher(site, base_url)
        write_landing_page(site)
    if failures:
        raise BuildError(f"{len(failures)} chapter(s) failed; those books were not published and "
                         f"their executed notebooks are in {root / '_build' / 'failed'}:\n"
                         + "\n".join(f"  - {job.edition}: {failure}" for job, failure in failures.items()))
    return results


@contextlib.contextmanager
def build_lock(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS, poll: float = 0.5):
    """One build at a time: a POSIX record lock, held by this process only. Unlike flock, it is
    not shared with the worker processes forked from it, and it dies with its process, so a
    killed build never leaves the next one waiting."""
    with open(path, "a+") as handle:
        deadline, told = time.monotonic() + timeout, False
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if not told:  # say once who holds it, so a waiting build is never silent
                    holder = Path(path).read_text(encoding="utf-8", errors="replace").strip() or "another process"
                    print(f"waiting for the build lock {path}: held by {holder}", file=sys.stderr, flush=True)
                    told = True
                if time.monotonic() > deadline:
                    raise BuildError(f"another build has held {path} for over {timeout:.0f} s")
                time.sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S} "
                     f"({' '.join(['python -m pcpbook', *sys.argv[1:]])[:200]})\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.lockf(handle, fcntl.LOCK_UN)


def _resolve(dataset: Dataset, quarters) -> list[tuple[Quarter, Plan]]:
    latest = dataset.latest_quarter()
    if quarters == "all":
        first = min(p.first_quarter for p in dataset.plans.values())
        chosen = [q for q in quarters_between(first, latest) if any(p.covers(q) for p in dataset.plans.values())]
    else:
        chosen = [Quarter.parse(q) for q in quarters] if quarters else [latest]
    return [(q, dataset.check_quarter(q)) for q in chosen]


# ----------------------------------------------------------------------------- planning


def _sha(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
    return digest.hexdigest()


def publication_settings(root: Path, base_url: str) -> str:
    """What a published book depends on beyond its notebooks: the URL it is served from (the
    version switcher) and the print edition's marking."""
    return _sha(base_url, settings.marking(root))


def library_digest() -> str:
    """The library's source and the versions of the packages that shape its output."""
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".css"))
    versions = sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items())
    return _sha(__version__, json.dumps(versions, sort_keys=True),
                *[p.relative_to(package).as_posix().encode() + p.read_bytes() for p in files])


def plan_edition(root: Path, dataset: Dataset, quarter: Quarter, plan: Plan, site: Path, library: str,
                 note: str | None, published: str) -> EditionPlan:
    """The notebooks an edition needs, with content keys, and its version if published now."""
    returns_file = commentary.path_for(dataset.root / "commentary", quarter)
    returns = _sha(returns_file.read_bytes() if returns_file.exists() else b"")
    data = dataset.visible_digest(quarter)
    notebooks = [(book.INTRO, None), (book.METHODS, None)] + [(book.chapter_path(plan, p), p.measures)
                                                              for p in plan.priorities]
    print_file = _print_file(quarter.id)
    inputs = {"data": data, "commentary": returns,
              "code": _sha(library, *[(root / nb).read_bytes() for nb, _ in notebooks]), "print": print_file,
              "settings": published}
    version, history = _next_version(site, quarter.id, EDITION_RECORD, inputs, note)
    planned = EditionPlan(quarter.id, quarter, plan, root / "_build" / "staging" / quarter.id, [], inputs,
                          version, history, _sees_modelled(dataset, quarter.end), print_file)
    # every chapter's tests are controlled together (false discovery rate), so each sees all the plan's measures
    plan_measures = sorted({m for p in plan.priorities for m in p.measures})
    for notebook, measures in notebooks:
        parameters = {"quarter": quarter.id, "data_dir": str(dataset.root)}
        sees = data if measures is None else dataset.visible_digest(quarter, plan_measures)
        extra = ({"version": version, "produced": dt.date.today().isoformat(), "print_edition": print_file}
                 if notebook == book.INTRO else {})
        planned.jobs.append(_job(root, planned, notebook, parameters, extra, (sees, returns, library),
                                 len(measures) if measures else 1))
    return planned


def plan_review(root: Path, dataset: Dataset, plan: Plan, site: Path, library: str, note: str | None,
                published: str) -> EditionPlan:
    """The notebooks of a plan's closure review: they see the data to the end of its end year,
    the finance table and every quarter's returns of the plan."""
    end = Quarter(plan.end_year, 4)
    finance = dataset.root / "finance.csv"
    observations = dataset.visible_digest(end)
    data = _sha(observations, finance.read_bytes() if finance.exists() else b"")
    returns = _sha(*[path.read_bytes() for q in quarters_between(plan.first_quarter, plan.last_quarter)
                     if (path := commentary.path_for(dataset.root / "commentary", q)).exists()])
    notebooks = list(book.closure_paths(plan).values())
    name = f"closure-{plan.id}"
    print_file = _print_file(name)
    inputs = {"data": data, "commentary": returns,
              "code": _sha(library, *[(root / nb).read_bytes() for nb in notebooks + [book.METHODS]]),
              "print": print_file, "settings": published}
    version, history = _next_version(site, name, REVIEW_RECORD, inputs, note)
    planned = EditionPlan(name, None, plan, root / "_build" / "staging" / name, [], inputs, version, history,
                          _sees_modelled(dataset, end.end), print_file)
    for notebook in notebooks:
        extra = {"produced": dt.date.today().isoformat()} if notebook.stem == "summary" else {}
        planned.jobs.append(_job(root, planned, notebook, {"data_dir": str(dataset.root)}, extra,
                                 (data, returns, library), 1))
    planned.jobs.append(_job(root, planned, book.METHODS, {"quarter": end.id, "data_dir": str(dataset.root)}, {},
                             (observations, library), 1))
    return planned


def _print_file(name: str) -> str:
    return f"{name}.pdf" if printing.find_chromium() else ""


def _job(root: Path, planned: EditionPlan, notebook: Path, parameters: dict, extra: dict, sees: tuple,
         weight: int) -> Job:
    """A notebook to run, keyed by its source, parameters and what it can see; ``extra``
    parameters (version, date produced) are not content but are part of the cached output."""
    content = _sha((root / notebook).read_bytes(), json.dumps(parameters, sort_keys=True), *sees)
    parameters = {**parameters, **extra}
    check_parameters(root / notebook, parameters)
    return Job(planned.name, root / notebook, planned.stage / notebook, parameters,
               _sha(content, json.dumps(parameters, sort_keys=True)), root / "_build" / "cache", weight)


def _sees_modelled(dataset: Dataset, until: dt.date) -> bool:
    seen = dataset.observations[dataset.observations["period_start"] <= until]
    return bool((seen["status"] == "modelled").any())


def _published_record(site: Path, name: str, record_file: str) -> dict | None:
    record = site / name / record_file
    return json.loads(record.read_text(encoding="utf-8")) if record.exists() else None


def _published_inputs(site: Path, name: str, record_file: str) -> str | None:
    record = _published_record(site, name, record_file)
    return record.get("inputs_sha256") if record else None


def _next_version(site: Path, name: str, record_file: str, inputs: dict, note: str | None) -> tuple[str, list[dict]]:
    """1.0 on first publication; a republished book with changed inputs goes up by 0.1 and
    its change log says which inputs changed."""
    today = dt.date.today().isoformat()
    record = _published_record(site, name, record_file)
    if record is None:
        return "1.0", [{"version": "1.0", "date": today, "change": note or "First publication."}]
    changed = [name for name in ("data", "commentary", "code", "settings")
               if record.get("inputs", {}).get(name) != inputs[name]]
    if not changed:
        return record["version"], record.get("history", [])
    major, minor = record["version"].split(".")
    version = f"{major}.{int(minor) + 1}"
    words = {"data": "corrected or added data", "commentary": "updated commentary returns",
             "code": "changed chapters or library", "settings": "changed settings (base URL or print marking)"}
    change = (note + " " if note else "") + "Republished after " + ", ".join(words[c] for c in changed) + "."
    return version, record.get("history", []) + [{"version": version, "date": today, "change": change}]


# ----------------------------------------------------------------------------- execution


def _execute(jobs: list[Job], root: Path, workers: int | None, verbose: bool) -> dict[Job, ChapterFailure]:
    """Run the jobs not in the cache; restore the rest from it. Returns the failures."""
    (root / "_build" / "cache").mkdir(parents=True, exist_ok=True)
    # longest first (chapters with more measures take longer), so the workers finish together
    to_run = sorted((job for job in jobs if not job.cached.exists()), key=lambda job: job.weight, reverse=True)
    failures: dict[Job, ChapterFailure] = {}
    if to_run:
        log = None if verbose else root / "_build" / "logs" / "kernels.log"
        if log:
            log.parent.mkdir(parents=True, exist_ok=True)
        # fork: workers start with the library already imported (the build lock is not inherited)
        context = multiprocessing.get_context("fork")
        count = min(workers or os.cpu_count() or 1, len(to_run))
        timeout = settings.chapter_timeout(root)
        with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start_worker,
                                 initargs=(log, os.getpid())) as pool:
            futures = {pool.submit(execute_chapter, job.source, job.target, job.parameters, verbose, timeout): job
                       for job in to_run}
            for future in tqdm(as_completed(futures), total=len(futures), desc="chapters", unit="notebook",
                               disable=not _show_progress()):
                job = futures[future]
                outcome = future.result()
                if isinstance(outcome, ChapterFailure):
                    failures[job] = outcome
                else:
                    _store(job)
    for job in jobs:
        if job not in failures:
            _restore(job)
    return failures


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _figures_of(notebook: Path) -> list[str]:
    """Figure files an executed notebook refers to (``](figures/...png)`` in its Markdown)."""
    return sorted(set(re.findall(r"\]\((figures/[^)\s]+)\)", notebook.read_text(encoding="utf-8"))))


def _store(job: Job) -> None:
    figures = job.cached.with_suffix("")
    shutil.rmtree(figures, ignore_errors=True)
    for name in _figures_of(job.target):
        (figures / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(job.target.parent / name, figures / name)
    shutil.copy2(job.target, job.cached)


def _restore(job: Job) -> None:
    job.target.parent.mkdir(parents=True, exist_ok=True)
    if job.target.exists():
        return
    shutil.copy2(job.cached, job.target)
    figures = job.cached.with_suffix("")
    if figures.is_dir():
        shutil.copytree(figures, job.target.parent, dirs_exist_ok=True)


def _start_worker(log: Path | None, build: int) -> None:
    """A worker dies with its build, even one killed with SIGKILL: Linux sends it SIGTERM when
    the build process ends (prctl PR_SET_PDEATHSIG), and on SIGTERM it stops its kernel first.
    Its kernel's output goes to ``log``."""
    if log is not None:
        os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND), 2)
    signal.signal(signal.SIGTERM, _stop_worker)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: workers end with the pool as usual
        return
    if os.getppid() != build:  # the build died before the request took effect
        _stop_worker()


def _stop_worker(*_) -> None:
    if _KERNEL is not None:
        _KERNEL.shutdown_kernel(now=True)
    os._exit(1)


_KERNEL = None


def _warm_kernel():
    """This worker's kernel, started once with the heavy libraries already imported."""
    global _KERNEL
    if _KERNEL is None or not _KERNEL.is_alive():
        from jupyter_client.manager import KernelManager
        # nbclient needs an asynchronous client: with a blocking one it waits for output
        # forever and its cell timeout never fires
        kernel = KernelManager(kernel_name="python3", client_class="jupyter_client.asynchronous.AsyncKernelClient")
        kernel.start_kernel()
        multiprocessing.util.Finalize(None, kernel.shutdown_kernel, kwargs={"now": True}, exitpriority=10)
        _run_code(kernel, WARM_UP)
        _KERNEL = kernel
    return _KERNEL


def _retire_kernel() -> None:
    global _KERNEL
    _KERNEL.shutdown_kernel(now=True)
    _KERNEL = None


def _run_code(kernel, code: str) -> None:
    client = BlockingKernelClient()
    client.load_connection_info(kernel.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=300, output_hook=lambda message: None)
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")


def execute_chapter(source: Path, target: Path, parameters: dict, verbose: bool = False,
                    timeout: int = settings.DEFAULT_CHAPTER_TIMEOUT):
    """Run one notebook in this worker's warm kernel, after clearing its namespace and moving it
    to the notebook's folder; return the duration in seconds, or a ChapterFailure. A chapter
    still running after ``timeout`` seconds has its kernel killed, and fails saying so."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if verbose:  # papermill reports each cell through its logger
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        kernel = _warm_kernel()
        notebook = nbformat.read(source, as_version=4)
        prelude = nbformat.v4.new_code_cell(
            "get_ipython().run_line_magic('reset', '-f')\n"
            "import os as _os, matplotlib.pyplot as _plt\n"
            f"_plt.close('all'); _os.chdir({str(target.parent)!r})\n"
            "del _os, _plt", metadata={"tags": ["remove-cell", "pcpbook-prelude"]})
        prelude["id"] = "pcpbook-prelude"
        notebook.cells.insert(0, prelude)  # a clean namespace in the notebook's folder, in the same round trip
        try:
            papermill.execute_notebook(notebook, str(target), parameters=parameters, km=kernel,
                                       kernel_name="python3", cwd=str(target.parent), progress_bar=False,
                                       log_output=verbose, request_save_on_cell_execute=False,
                                       execution_timeout=timeout)
        finally:
            _finish_notebook(target, source)
    except CellTimeoutError:
        _retire_kernel()  # still busy with the hung cell
        return ChapterFailure(str(source), "a cell", f"ran for more than {timeout} s (the chapter_timeout setting "
                                                     "in _config.yml) and was stopped")
    except Exception as exc:
        return _failure(source, exc)
    return time.perf_counter() - started


def _failure(source: Path, exc: Exception) -> ChapterFailure:
    """A failing cell by its number, or what stopped the notebook (a kernel that died, a
    notebook that cannot be read)."""
    if isinstance(exc, papermill.PapermillExecutionError):
        return ChapterFailure(str(source), f"cell {exc.exec_count}", f"{exc.ename}: {exc.evalue}")
    return ChapterFailure(str(source), "before any cell ran", f"{type(exc).__name__}: {exc}")


def _finish_notebook(target: Path, source: Path) -> None:
    """Record the notebook's source path (papermill records an in-memory input as the whole
    notebook) and keep the parameters and papermill's injected cell out of the book."""
    if not target.exists():
        return
    executed = nbformat.read(target, as_version=4)
    executed.metadata.setdefault("papermill", {})["input_path"] = str(source)
    for cell in executed.cells:
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
    nbformat.write(executed, target)


@functools.lru_cache(maxsize=None)
def _declared_parameters(path: str, content: str) -> frozenset:
    return frozenset(papermill.inspect_notebook(path))


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse a notebook whose parameters cell does not declare exactly these names: papermill
    itself only warns about unknown names and silently keeps defaults when the tag is missing."""
    declared = set(_declared_parameters(str(notebook), _sha(notebook.read_bytes())))
    if not declared:
        raise BuildError(f"{notebook}: no cell tagged 'parameters'")
    if declared != set(parameters):
        raise BuildError(f"{notebook}: parameters cell declares {sorted(declared)}, "
                         f"the build passes {sorted(parameters)}")


def _keep_failed(stage: Path, root: Path, name: str) -> Path:
    kept = root / "_build" / "failed" / name
    shutil.rmtree(kept, ignore_errors=True)
    kept.parent.mkdir(parents=True, exist_ok=True)
    if stage.exists():
        shutil.move(str(stage), str(kept))
    return kept


# ----------------------------------------------------------------------------- book and publication


def _publish_all(root: Path, editions: list[EditionPlan], site: Path, base_url: str,
                 verbose: bool, timings: dict) -> list[BuildResult]:
    """Build each staged edition with Jupyter Book (two at a time) and publish it."""
    def one(planned: EditionPlan) -> BuildResult:
        started = time.perf_counter()
        _write_book_files(root, planned, base_url)
        own = {**timings, "jupyter-book": 0.0}
        _write_build_page(root, planned, own)
        html_dir = _jupyter_book(planned.stage, verbose)
        own["jupyter-book"] = time.perf_counter() - started
        if planned.print_file:
            own["print edition"] = _print_edition(planned, html_dir, verbose)
        _write_record(html_dir, root, planned, own)
        target = publish(html_dir, site, planned.name)
        shutil.rmtree(planned.stage, ignore_errors=True)
        return BuildResult(planned.quarter, planned.plan.id, target, planned.version, "built", own)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(tqdm(pool.map(one, editions), total=len(editions), desc="editions", unit="edition",
                         disable=not _show_progress() or len(editions) < 2))


def _write_book_files(root: Path, planned: EditionPlan, base_url: str) -> None:
    """The staged book's config (title, version, theme) and table of contents. Quarterly
    editions carry the version switcher; a closure review stands on its own."""
    stage = planned.stage
    shutil.copytree(Path(__file__).parent / "static", stage / "_static", dirs_exist_ok=True)
    config = settings.project_config(root)
    config["title"] = plain_text(planned.title)  # the theme writes the book's title into pages unescaped
    config["execute"]["execute_notebooks"] = "off"
    config.pop("pcpbook", None)  # the project's own settings, not the book's
    theme = {"check_switcher": False, "use_download_button": True, "home_page_in_toc": True}
    sidebar = ["navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html"]
    if not planned.is_review:
        theme |= {"switcher": {"json_url": f"{base_url}switcher.json", "version_match": planned.name},
                  "show_version_warning_banner": True}  # older editions say a newer one exists
        sidebar.insert(1, "version-switcher")
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx.update({"version": planned.version, "release": f"{planned.name} v{planned.version}",
                   "html_theme_options": theme, "html_sidebars": {"**": sidebar},
                   "html_context": {"default_mode": "auto"},  # light or dark as the reader's system asks
                   "html_favicon": "_static/favicon.svg"})
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    short = f"Closure review {planned.plan.id}" if planned.is_review else f"{planned.quarter.label} update"
    footer = f"{short}, version {planned.version}"
    (stage / "_static" / printing.PRINT_CSS).write_text(printing.page_css(settings.marking(root), footer),
                                                        encoding="utf-8")
    contents = book.closure_toc(planned.plan) if planned.is_review else None
    book.write_toc(planned.plan, stage / "_toc.yml", build_page=True, contents=contents)


def _write_build_page(root: Path, planned: EditionPlan, timings: dict) -> None:
    """The book's "How this ... was made" page: versions, inputs, packages, timings. Notes and
    titles pass through the rendering gate like every other text."""
    quarter, noun = planned.quarter, "review" if planned.is_review else "edition"
    what = (("Review", f"{fy_label(planned.plan.baseline_year)} against {fy_label(planned.plan.end_year)}")
            if planned.is_review else ("Edition", f"{quarter.label} ({quarter.month_span})"))
    facts = [["", ""], list(what), ["Plan", planned.plan.title],
             ["Version", planned.version], ["Produced", dt.date.today().strftime("%d %B %Y")],
             ["Data to", month_label(planned.data_to)], ["Code version", _code_version(root)],
             ["pcpbook", __version__], ["Python", sys.version.split()[0]],
             [f"Data seen by this {noun} (sha256)", code(planned.inputs["data"])],
             ["Commentary returns (sha256)", code(planned.inputs["commentary"])],
             ["Chapters and library (sha256)", code(planned.inputs["code"])]]
    history = [["Version", "Date", "Change"]] + [[h["version"], h["date"], h["change"]] for h in planned.history]
    packages = [["Package", "Version"]] + [[name, metadata.version(name)] for name in RECORDED_PACKAGES]
    steps = [["Step", "Seconds"]] + [[step, f"{seconds:.1f}"] for step, seconds in timings.items()
                                     if step != "jupyter-book"]
    parts = [f"# How this {noun} was made",
             f"Every number in this {noun} is computed from the data by the code identified below. "
             f"Rebuilding with the same inputs gives the same {noun}.",
             markdown_table(facts), f"## Versions of this {noun}", markdown_table(history),
             "## Packages", markdown_table(packages), "## Timings", markdown_table(steps)]
    (planned.stage / book.BUILD_PAGE).write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def _print_edition(planned: EditionPlan, html_dir: Path, verbose: bool) -> float:
    """Build the book as one HTML page and print it to ``<book>/<name>.pdf``; seconds taken."""
    started = time.perf_counter()
    single = _jupyter_book(planned.stage, verbose, builder="singlehtml")
    root_page = yaml.safe_load((planned.stage / "_toc.yml").read_text(encoding="utf-8"))["root"]
    page = single / "print-edition.html"  # the page's links are relative to the build's top folder
    shutil.copyfile(single / f"{root_page}.html", page)
    try:
        printing.print_to_pdf(page, html_dir / planned.print_file, printing.find_chromium())
    except printing.PrintError as exc:
        raise BuildError(f"print edition of {planned.name}: {exc}") from None
    return time.perf_counter() - started


def _jupyter_book(stage: Path, verbose: bool, builder: str = "html") -> Path:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
               "--path-output", str(stage), "--builder", builder, "-W", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True)
    if verbose:
        print(result.stdout[-4000:])
    if result.returncode != 0:
        log = stage.parent.parent / "failed" / f"{stage.name}-jupyter-book-{builder}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
        raise BuildError(f"Jupyter Book build of {stage.name} failed (warnings are errors); log in "
                         f"{log}:\n" + "\n".join(_reasons(result.stdout + result.stderr)))
    return stage / "_build" / builder


def _reasons(output: str, most: int = 20) -> list[str]:
    """What went wrong in a Jupyter Book run: its warnings and errors, and for a CRITICAL
    failure the lines that follow it (Jupyter Book puts the reason there), or the last lines."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip() for line in output.splitlines() if line.strip()]
    found = [line for line in lines if "WARNING" in line or "ERROR" in line]
    for index, line in enumerate(lines):
        if "CRITICAL" in line or "Traceback" in line:
            found += lines[index:index + 8]
    return (found or lines[-8:] or ["(no output)"])[:most]


def _code_version(root: Path) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=10)
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _write_record(html_dir: Path, root: Path, planned: EditionPlan, timings: dict) -> None:
    """``edition.json`` (or ``review.json``): what was built, from what, with what."""
    quarter, plan = planned.quarter, planned.plan
    what = ({"review": plan.id, "baseline_year": fy_label(plan.baseline_year), "end_year": fy_label(plan.end_year)}
            if planned.is_review else {"edition": quarter.id, "label": quarter.label})
    record = {
        **what, "plan": plan.id, "plan_title": plan.title,
        "version": planned.version, "produced": dt.date.today().isoformat(), "data_to": month_label(planned.data_to),
        "inputs": planned.inputs, "inputs_sha256": planned.inputs_sha256, "history": planned.history,
        "modelled_data": planned.modelled, "print_edition": planned.print_file or None,
        "pcpbook": __version__, "code_version": _code_version(root), "python": sys.version.split()[0],
        "packages": {name: metadata.version(name) for name in RECORDED_PACKAGES},
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    (html_dir / planned.record_file).write_text(json.dumps(record, indent=2), encoding="utf-8")


def publish(html_dir: Path, site: Path, name: str) -> Path:
    """Copy the new edition beside the site, then swap it into ``site/name``."""
    site.mkdir(parents=True, exist_ok=True)
    incoming, retired, target = site / f".incoming-{name}", site / f".retired-{name}", site / name
    shutil.rmtree(incoming, ignore_errors=True)
    try:
        shutil.copytree(html_dir, incoming)
    except OSError as exc:  # a full disk, a quota: the site keeps what it had, and no half copy
        shutil.rmtree(incoming, ignore_errors=True)
        raise BuildError(f"could not copy {name} into the site {site}: {exc.strerror or exc}; the published "
                         "site is unchanged") from None
    (incoming / ".buildinfo").unlink(missing_ok=True)
    if target.exists():
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        os.replace(incoming, target)
        shutil.rmtree(retired)
    else:
        os.replace(incoming, target)
    return target


def recover(site: Path) -> None:
    """Undo what an interrupted publication left: a retired edition whose replacement never
    arrived goes back, and half-copied incoming editions are removed."""
    if not site.exists():
        return
    for retired in site.glob(".retired-*"):
        target = site / retired.name.removeprefix(".retired-")
        if target.exists():
            shutil.rmtree(retired)
        else:
            os.replace(retired, target)
    for incoming in site.glob(".incoming-*"):
        shutil.rmtree(incoming)


def _records(site: Path) -> list[dict]:
    records = []
    for folder in site.iterdir() if site.exists() else []:
        record = folder / "edition.json"
        if folder.is_dir() and not folder.name.startswith(".") and record.exists():
            records.append(json.loads(record.read_text(encoding="utf-8")))
    return sorted(records, key=lambda r: r["edition"], reverse=True)


def write_switcher(site: Path, base_url: str) -> Path:
    """The theme's version switcher list: every published edition, latest first. Each URL is
    the edition's folder: the theme opens the page the reader is on in the chosen edition, or
    that edition's front page where it has no such page."""
    records = _records(site)
    entries = [{"name": f"{r['label']} (v{r['version']})" + (" latest" if i == 0 else ""), "version": r["edition"],
                "url": f"{base_url}{r['edition']}/", **({"preferred": True} if i == 0 else {})}
               for i, r in enumerate(records)]
    path = site / "switcher.json"
    site.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return path


def _pdf_link(record: dict, folder: str) -> str:
    name = record.get("print_edition")
    return f' · <a href="{escape_html(folder)}/{escape_html(name)}">print edition (PDF)</a>' if name else ""


def _edition_item(r: dict) -> str:
    e = escape_html
    return (f'<li><a href="{e(r["edition"])}/index.html">Quarterly update {e(r["label"])}</a>: data to '
            f'{e(r["data_to"])}, version {e(r["version"])}, produced {e(r["produced"])}'
            + (" (includes modelled data)" if r.get("modelled_data") else "") + _pdf_link(r, r["edition"]) + "</li>")


def _review_item(r: dict) -> str:
    e, folder = escape_html, f"closure-{r['review']}"
    return (f'<li><a href="{e(folder)}/index.html">{e(r["plan_title"])}: closure review</a> '
            f'({e(r["baseline_year"])} against {e(r["end_year"])}; version {e(r["version"])}, produced '
            f'{e(r["produced"])})' + (" (includes modelled data)" if r.get("modelled_data") else "")
            + _pdf_link(r, folder) + "</li>")


def write_landing_page(site: Path) -> Path:
    """The site's front page: the latest edition, then every edition grouped by plan, and the
    closure reviews once they exist. Every value from an edition's record is escaped."""
    records = _records(site)
    page = site / "index.html"
    site.mkdir(parents=True, exist_ok=True)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Police and Crime Plan performance: editions</title>",
             '<link rel="icon" href="data:,">',  # no icon, so browsers do not ask for /favicon.ico
             "<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
             "line-height:1.5;color:#1a1a1a}a{color:#0b5394}.latest{font-size:1.2em;padding:.8em 1em;"
             "background:#eef4fb;border-left:4px solid #0b5394}</style>", "</head>", "<body>",
             "<h1>Police and Crime Plan performance</h1>"]
    if any(r.get("modelled_data") for r in records):
        parts.append("<p>Editions marked <em>includes modelled data</em> use demonstration series, labelled as "
                     "such on every chart and table; only figures cited to published documents are official.</p>")
    if records:
        latest, e = records[0], escape_html
        parts.append(f'<p class="latest">Latest edition: <a href="{e(latest["edition"])}/index.html">'
                     f'{e(latest["plan_title"])}, quarterly update {e(latest["label"])}</a> '
                     f'(data to {e(latest["data_to"])}, version {e(latest["version"])}).</p>')
    plans: dict[str, list[dict]] = {}
    for record in records:
        plans.setdefault(record["plan_title"], []).append(record)
    for title, editions in plans.items():
        parts += [f"<h2>{escape_html(title)}</h2>\n<ul>", *map(_edition_item, editions), "</ul>"]
    reviews = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(site.glob(f"closure-*/{REVIEW_RECORD}"))]
    if reviews:
        parts += ["<h2>Closure reviews</h2>\n<ul>", *map(_review_item, reviews), "</ul>"]
    parts += ["</body>", "</html>"]
    page.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return page
