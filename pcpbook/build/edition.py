"""Build editions: validate -> execute chapters -> build the book -> publish -> index the site.

The orchestration; each step lives in its own module:

1. Under a lock (concurrent builds wait their turn, and say for whom), the data and each
   quarter's commentary are validated first; a problem stops everything before any output is
   touched.
2. ``buildspec``: the notebooks each book needs and their content keys; a book whose inputs are
   unchanged is not rebuilt.
3. ``cache`` puts back notebooks whose key was seen before; ``runner`` runs the rest (papermill,
   warm kernels in worker processes), imported only when something must run.
4. ``jupyterbook`` builds each staged book with warnings as errors (``sphinxrun``: Sphinx in
   preloaded processes), and its print edition;
   ``site`` swaps it into ``<site>/<name>/`` and rewrites the switcher and landing page.
A failing chapter fails its edition, names the chapter, cell and error, and keeps the executed
notebook under ``_build/failed/``; that edition's published copy is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import sys
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from pcpbook.build import cache, printing, sphinxrun

from pcpbook.contracts import commentary, settings
from pcpbook.build.buildspec import (EDITION_RECORD, BuildError, EditionPlan, Job, library_digest, plan_edition, plan_paper, plan_review,
                        publication_settings, published_record, raw_inputs_digest, remember_build,
                        unchanged_since_last_build)
from pcpbook.contracts.dataset import Dataset, load
from pcpbook.contracts.model import Plan
from pcpbook.build.jupyterbook import (print_edition, run_jupyter_book, write_book_files, write_build_page, write_chart_data,
                          write_index_redirect, write_record)
from pcpbook.core.periods import Quarter, quarters_between
from pcpbook.build.landing import write_site_pages
from pcpbook.build.site import check_records, publish, recover, write_switcher

LOCK_TIMEOUT_SECONDS = 3 * 3600


@dataclass
class BuildResult:
    quarter: Quarter | None          # None for a closure review
    plan_id: str
    path: Path
    version: str
    status: str                      # "built" or "up to date"
    timings: dict[str, float] = field(default_factory=dict)


def build(root: Path, quarter: str | None = None, **options) -> BuildResult:
    """Build one edition (the latest quarter in the data by default)."""
    return build_many(root, [quarter] if quarter else None, **options)[0]


def build_all(root: Path, **options) -> list[BuildResult]:
    """Build every quarter of every plan up to the latest quarter in the data."""
    return build_many(root, "all", **options)


def build_many(root: Path, quarters, data_dir: Path | None = None, site: Path | None = None,
               workers: int | None = None, verbose: bool = False, rebuild: bool = False,
               note: str | None = None, base_url: str = "/") -> list[BuildResult]:
    base_url, workers = settings.base_url(base_url), settings.workers(workers)
    with site_session(root, data_dir, site) as (project, data_folder, site, started):
        root = project.root
        request = {"quarters": quarters, "note": note, "base_url": base_url, "site": site,
                   "print": printing.find_chromium() is not None}
        raw = raw_inputs_digest(root, data_folder, request)
        if not rebuild and (books := unchanged_since_last_build(root, site, raw)):
            return [BuildResult(Quarter.parse(b["quarter"]), b["plan_id"], Path(b["path"]), b["version"], "up to date")
                    for b in books]
        dataset = load(data_folder)
        editions = _resolve(dataset, quarters)
        for quarter, plan in editions:  # every return is checked before anything runs
            commentary.load(dataset.root / "commentary", plan, quarter)
        library, published = library_digest(), publication_settings(project, base_url)
        batch = frozenset(quarter.id for quarter, _ in editions)  # published together with each other
        plans = [plan_edition(root, dataset, quarter, plan, site, library, note, published, batch)
                 for quarter, plan in editions]
        results = sorted(_build_books(project, plans, site, workers, verbose, rebuild, base_url, started),
                         key=lambda r: r.quarter)
        version = {r.quarter: r.version for r in results}
        remember_build(root, raw, [{"name": p.name, "record_file": p.record_file, "inputs_sha256": p.inputs_sha256,
                                    "quarter": p.quarter.id, "plan_id": p.plan.id, "version": version[p.quarter],
                                    "path": str(site / p.name)} for p in plans])
        return results


def build_closure(root: Path, plan_id: str, data_dir: Path | None = None, site: Path | None = None,
                  workers: int | None = None, verbose: bool = False, rebuild: bool = False,
                  note: str | None = None, base_url: str = "/") -> BuildResult:
    """Build the closure review of a plan into ``<site>/closure-<plan>/``: every quarter's
    returns of the plan are checked first, and the data must reach the review's end year."""
    base_url, workers = settings.base_url(base_url), settings.workers(workers)
    with site_session(root, data_dir, site) as (project, data_folder, site, started):
        root = project.root
        dataset = load(data_folder)
        from pcpbook.present.review import open_review  # the review's libraries only when a review is built
        plan = open_review(plan_id, str(dataset.root)).plan  # a known plan, with data to its end year
        commentary.outcomes(dataset.root / "commentary", plan)  # every return of the plan is valid
        planned = plan_review(root, dataset, plan, site, library_digest(), note, publication_settings(project, base_url))
        return _build_books(project, [planned], site, workers, verbose, rebuild, base_url, started)[0]


def build_paper(root: Path, strategy_id: str, quarter: str, data_dir: Path | None = None, site: Path | None = None,
                workers: int | None = None, verbose: bool = False, rebuild: bool = False,
                note: str | None = None, base_url: str = "/") -> BuildResult:
    """Build a strategy's scrutiny paper for ``quarter`` into
    ``<site>/scrutiny-<strategy>-<quarter>/``: the strategy and the quarter's strand returns
    are checked first."""
    base_url, workers = settings.base_url(base_url), settings.workers(workers)
    with site_session(root, data_dir, site) as (project, data_folder, site, started):
        root = project.root
        dataset = load(data_folder)
        from pcpbook.contracts import strand_returns
        from pcpbook.contracts.strategy import find_strategy
        strategy, resolved = find_strategy(dataset, strategy_id), Quarter.parse(quarter)
        dataset.check_quarter(resolved)  # the data reach the quarter
        strand_returns.load(dataset.root, strategy, resolved)  # every return is valid
        planned = plan_paper(root, dataset, strategy, resolved, site, library_digest(), note,
                             publication_settings(project, base_url))
        return _build_books(project, [planned], site, workers, verbose, rebuild, base_url, started)[0]


def unpublished(root: Path, data_dir: Path | None = None, site: Path | None = None) -> list[Quarter]:
    """Quarters with the force's figures (within a plan) that have no published edition in the
    site: what a scheduled publication run has to build. Empty means nothing new."""
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
def site_session(root: Path, data_dir: Path | None, site: Path | None):
    """Resolve the folders, take the build lock and undo any interrupted publication: the
    start of every build."""
    project = settings.load_project(root)  # read once, for the whole build
    root = project.root
    site = Path(site or root / "_build" / "site").resolve()
    (root / "_build").mkdir(exist_ok=True)
    with build_lock(root / "_build" / ".build.lock"):
        started = time.perf_counter()
        recover(site)
        check_records(site)
        yield project, project.data_folder(data_dir), site, started


def _build_books(project: settings.Project, plans: list[EditionPlan], site: Path, workers: int | None, verbose: bool,
                 rebuild: bool, base_url: str, started: float) -> list[BuildResult]:
    """Skip books whose inputs are unchanged, run the rest's notebooks, build and publish
    them, and re-index the site. A failing notebook fails its book only."""
    results, todo = [], []
    for planned in plans:
        published = published_record(site, planned.name, planned.record_file) or {}
        if published.get("withdrawn"):  # withdrawn stays withdrawn: its notice is the record of why
            results.append(BuildResult(planned.quarter, planned.plan.id, site / planned.name, published["version"],
                                       f"withdrawn on {published['withdrawn']['on']}: not republished"))
        elif not rebuild and published.get("inputs_sha256") == planned.inputs_sha256:
            results.append(BuildResult(planned.quarter, planned.plan.id, site / planned.name,
                                       planned.version, "up to date"))  # unchanged inputs keep their version
        elif not planned.print_file and published.get("print_edition"):
            # republishing would withdraw its PDF: the published book stays as it is
            print(f"note: {planned.name} is kept as published (version {published['version']}, with its print "
                  f"edition): Chromium is not found to print a new PDF; {printing.CHROMIUM_HINT}", file=sys.stderr)
            results.append(BuildResult(planned.quarter, planned.plan.id, site / planned.name, published["version"],
                                       "kept as published: no Chromium to print it"))
        else:
            todo.append(planned)
    validated = time.perf_counter() - started
    if todo and (reason := sphinxrun.cannot_start()):
        raise BuildError(reason)
    if any(not p.print_file for p in todo):
        print(f"note: no print edition (PDF): Chromium not found; {printing.CHROMIUM_HINT}", file=sys.stderr)
    for planned in todo:
        shutil.rmtree(planned.stage, ignore_errors=True)
    with contextlib.ExitStack() as stack:
        # Sphinx's process starts now: its imports overlap the chapters' execution
        sphinx = stack.enter_context(sphinxrun.builder_pool()) if todo else None
        printer = (stack.enter_context(printing.Printer(printing.find_chromium()))
                   if any(p.print_file for p in todo) else None)
        failures = _execute([job for p in todo for job in p.jobs], project, workers, verbose)
        failed = {job.edition for job in failures}
        timings = {"validate": validated, "execute (wall)": time.perf_counter() - started - validated}
        built = [p for p in todo if p.name not in failed]
        results += _publish_all(project, built, site, base_url, verbose, timings, sphinx, printer)
    for p in todo:
        if p.name in failed:
            _keep_failed(p.stage, project.root, p.name)
    if any(r.status == "built" for r in results):  # the site index changes only with the site
        write_switcher(site, base_url)
        write_site_pages(site, base_url)
    if failures:
        raise BuildError(f"{len(failures)} chapter(s) failed; those books were not published and "
                         f"their executed notebooks are in {project.root / '_build' / 'failed'}:\n"
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
        with_figures = dataset.quarters_with_figures()
        chosen = [q for q in quarters_between(first, latest)
                  if q in with_figures and any(p.covers(q) for p in dataset.plans.values())]
    else:
        chosen = [Quarter.parse(q) for q in quarters] if quarters else [latest]
    return [(q, dataset.check_quarter(q)) for q in chosen]


def _execute(jobs: list[Job], project: settings.Project, workers: int | None, verbose: bool) -> dict:
    """Run the jobs not in the cache; restore the rest from it. Returns the failures. The
    runner (papermill, kernels) is imported only when something must run."""
    (project.root / "_build" / "cache").mkdir(parents=True, exist_ok=True)
    # longest first (chapters with more measures take longer), so the workers finish together
    to_run = sorted((job for job in jobs if not job.cached.exists()), key=lambda job: job.weight, reverse=True)
    failures = {}
    if to_run:
        from pcpbook.build import runner
        failures = runner.run(to_run, project.root, workers, verbose, project.own.chapter_timeout)
        for job in to_run:
            if job not in failures:
                cache.store(job)
    for job in jobs:
        if job not in failures:
            cache.restore(job)
    return failures


def _keep_failed(stage: Path, root: Path, name: str) -> Path:
    kept = root / "_build" / "failed" / name
    shutil.rmtree(kept, ignore_errors=True)
    kept.parent.mkdir(parents=True, exist_ok=True)
    if stage.exists():
        shutil.move(str(stage), str(kept))
    return kept


def _publish_all(project: settings.Project, editions: list[EditionPlan], site: Path, base_url: str,
                 verbose: bool, timings: dict, sphinx: Executor,
                 printer: printing.Printer | None) -> list[BuildResult]:
    """Build each staged edition with Jupyter Book (two at a time), print it and publish it."""
    def one(planned: EditionPlan) -> BuildResult:
        started = time.perf_counter()
        write_book_files(project, planned, base_url)
        own = {**timings, "jupyter-book": 0.0}
        write_build_page(project.root, planned, own)
        builders = ("html", "singlehtml") if planned.print_file else ("html",)
        built = run_jupyter_book(sphinx, planned.stage, verbose, builders)
        own["jupyter-book"] = time.perf_counter() - started
        html_dir = built / "html"
        write_index_redirect(html_dir, planned.stage)
        if planned.print_file:
            own["print edition"] = print_edition(project, planned, built / "singlehtml", html_dir, printer)
        write_record(html_dir, project, planned, own, write_chart_data(planned, html_dir))
        target = publish(html_dir, site, planned.name)
        shutil.rmtree(planned.stage, ignore_errors=True)
        return BuildResult(planned.quarter, planned.plan.id, target, planned.version, "built", own)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(tqdm(pool.map(one, editions), total=len(editions), desc="editions", unit="edition",
                         disable=not settings.show_progress() or len(editions) < 2))
