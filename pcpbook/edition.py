"""Build a quarter's edition: validate -> execute chapters -> build the book -> publish.

1. The data are loaded and validated first; a problem stops the build before anything changes.
2. Each chapter notebook is executed by papermill in its own process (processes, not threads:
   papermill's working-directory handling is not thread-safe) into a staging folder.
3. Jupyter Book builds the staged, already executed notebooks with warnings as errors.
4. The HTML is copied beside the site and swapped into ``<site>/<quarter>/``, so readers see
   either the old edition or the new one, never a half-written one.
A failing chapter fails the build, names the chapter, cell and error, and leaves its executed
notebook under ``_build/failed/`` for diagnosis; the published site is not touched.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
import yaml

from . import __version__, book, commentary
from .data import Dataset, load
from .periods import Quarter, month_label

RECORDED_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "papermill", "pandas", "numpy", "scipy",
                     "statsmodels", "seaborn", "matplotlib")


class BuildError(Exception):
    """The edition could not be built; the published site is unchanged."""


@dataclass
class ChapterFailure:
    notebook: str
    cell: str
    error: str

    def __str__(self) -> str:
        return f"{self.notebook}, {self.cell}: {self.error}"


@dataclass
class BuildResult:
    quarter: Quarter
    plan_id: str
    path: Path
    timings: dict[str, float] = field(default_factory=dict)


def build(root: Path, quarter: str | None = None, data_dir: Path | None = None, site: Path | None = None,
          workers: int | None = None, version: str = "1.0", produced: dt.date | None = None,
          verbose: bool = False) -> BuildResult:
    """Build and publish one edition; return where it was published."""
    started = time.perf_counter()
    root = Path(root).resolve()
    data_dir = Path(data_dir or root / "data").resolve()
    site = Path(site or root / "_build" / "site").resolve()
    dataset = load(data_dir)
    resolved = Quarter.parse(quarter) if quarter else dataset.latest_quarter()
    plan = dataset.check_quarter(resolved)
    commentary.load(data_dir / "commentary", plan, resolved)  # refuses bad returns before anything runs
    timings = {"validate": time.perf_counter() - started}

    stage = root / "_build" / "staging" / resolved.id
    shutil.rmtree(stage, ignore_errors=True)
    notebooks = [book.INTRO] + [book.chapter_path(plan, p) for p in plan.priorities] + [book.METHODS]
    parameters = {"quarter": resolved.id, "data_dir": str(data_dir)}
    jobs = {nb.as_posix(): (root / nb, stage / nb, _parameters_for(nb, parameters, version, produced), verbose)
            for nb in notebooks}
    for source, _, params, _ in jobs.values():
        check_parameters(source, params)
    log = None if verbose else root / "_build" / "logs" / f"{resolved.id}-kernels.log"
    executed = _execute_all(jobs, workers, log)
    failures = [f for f in executed.values() if isinstance(f, ChapterFailure)]
    if failures:
        kept = _keep_failed(stage, root, resolved)
        raise BuildError(f"{len(failures)} chapter(s) failed for {resolved}; executed notebooks kept in "
                         f"{kept}:\n" + "\n".join(f"  - {f}" for f in failures))
    timings.update({f"execute {k}": v for k, v in executed.items()})
    timings["execute (wall)"] = time.perf_counter() - started - timings["validate"]

    for path in notebooks:
        hide_parameter_cells(stage / path)
    _write_book_files(root, stage, dataset, resolved, plan.id, plan.title, version)
    built = time.perf_counter()
    html = _jupyter_book(stage, verbose)
    timings["jupyter-book"] = time.perf_counter() - built
    timings["total"] = time.perf_counter() - started
    _write_record(html, root, dataset, resolved, plan.id, version, produced, timings)
    target = publish(html, site, resolved.id)
    write_landing_page(site)
    shutil.rmtree(stage, ignore_errors=True)
    return BuildResult(resolved, plan.id, target, timings)


def _parameters_for(notebook: Path, base: dict, version: str, produced: dt.date | None) -> dict:
    if notebook == book.INTRO:
        return {**base, "version": version, "produced": (produced or dt.date.today()).isoformat()}
    return dict(base)


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse to run a notebook whose parameters cell does not declare exactly these names:
    papermill itself only warns about unknown names and silently keeps defaults when the
    ``parameters`` tag is missing."""
    declared = set(papermill.inspect_notebook(str(notebook)))
    if not declared:
        raise BuildError(f"{notebook}: no cell tagged 'parameters'")
    if declared != set(parameters):
        raise BuildError(f"{notebook}: parameters cell declares {sorted(declared)}, "
                         f"the build passes {sorted(parameters)}")


def _execute_all(jobs: dict[str, tuple], workers: int | None,
                 log: Path | None) -> dict[str, float | ChapterFailure]:
    """Run every notebook in its own process; map each name to its duration or failure.
    With a ``log``, the kernels' own start-up chatter goes there instead of the console."""
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    context = multiprocessing.get_context("spawn")
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("", encoding="utf-8")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_send_stderr_to, initargs=(log,)) as pool:
        results = pool.map(execute_chapter, *zip(*jobs.values()))
        return dict(zip(jobs, results))


def _send_stderr_to(log: Path | None) -> None:
    if log is not None:
        os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND), 2)


def execute_chapter(source: Path, target: Path, parameters: dict, verbose: bool = False):
    """Run one notebook; return its duration in seconds, or a ChapterFailure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        papermill.execute_notebook(str(source), str(target), parameters=parameters, cwd=str(target.parent),
                                   kernel_name="python3", progress_bar=False, log_output=verbose)
    except papermill.PapermillExecutionError as exc:
        return ChapterFailure(str(source), f"cell {exc.exec_count}", f"{exc.ename}: {exc.evalue}")
    except Exception as exc:  # a kernel that dies or a notebook that cannot be read
        return ChapterFailure(str(source), "before any cell ran", f"{type(exc).__name__}: {exc}")
    return time.perf_counter() - started


def hide_parameter_cells(path: Path) -> None:
    """Keep the parameters and papermill's injected cell out of the book."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
    nbformat.write(notebook, path)


def _keep_failed(stage: Path, root: Path, quarter: Quarter) -> Path:
    kept = root / "_build" / "failed" / quarter.id
    shutil.rmtree(kept, ignore_errors=True)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stage), str(kept))
    return kept


def _write_book_files(root: Path, stage: Path, dataset: Dataset, quarter: Quarter, plan_id: str,
                      plan_title: str, version: str) -> None:
    shutil.copytree(Path(__file__).parent / "static", stage / "_static", dirs_exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{plan_title}: quarterly update {quarter.label}"
    config["execute"]["execute_notebooks"] = "off"
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx.update({"version": version, "release": f"{quarter.id} v{version}"})
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    book.write_toc(dataset.plans[plan_id], stage / "_toc.yml")


def _jupyter_book(stage: Path, verbose: bool) -> Path:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
               "--path-output", str(stage), "-W", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True)
    if verbose:
        print(result.stdout[-4000:])
    if result.returncode != 0:
        log = stage.parent.parent / "failed" / f"{stage.name}-jupyter-book.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
        warnings = [line for line in (result.stdout + result.stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line]
        raise BuildError("Jupyter Book build failed (warnings are errors); log in "
                         f"{log}:\n" + "\n".join(warnings[:20]))
    return stage / "_build" / "html"


def _code_version(root: Path) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=10)
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _write_record(html: Path, root: Path, dataset: Dataset, quarter: Quarter, plan_id: str, version: str,
                  produced: dt.date | None, timings: dict) -> None:
    record = {
        "edition": quarter.id, "label": quarter.label, "plan": plan_id, "version": version,
        "produced": (produced or dt.date.today()).isoformat(), "data_to": month_label(quarter.end),
        "data_sha256": dataset.digest, "pcpbook": __version__,
        "code_version": _code_version(root),
        "python": sys.version.split()[0],
        "packages": {name: metadata.version(name) for name in RECORDED_PACKAGES},
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    (html / "edition.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


def publish(html: Path, site: Path, name: str) -> Path:
    """Copy ``html`` beside the site, then swap it into ``site/name``."""
    site.mkdir(parents=True, exist_ok=True)
    incoming, retired, target = site / f".incoming-{name}", site / f".retired-{name}", site / name
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(html, incoming)
    (incoming / ".buildinfo").unlink(missing_ok=True)
    if target.exists():
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        os.replace(incoming, target)
        shutil.rmtree(retired)
    else:
        os.replace(incoming, target)
    return target


def write_landing_page(site: Path) -> Path:
    """A plain index of the published editions, latest first."""
    editions = []
    for folder in site.iterdir():
        record = folder / "edition.json"
        if folder.is_dir() and not folder.name.startswith(".") and record.exists():
            editions.append(json.loads(record.read_text(encoding="utf-8")))
    editions.sort(key=lambda r: r["edition"], reverse=True)
    items = "\n".join(f'    <li><a href="{r["edition"]}/index.html">{r["label"]}</a> '
                      f'({r["plan"]}, data to {r["data_to"]}, version {r["version"]})</li>' for r in editions)
    page = site / "index.html"
    page.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        "<title>Police and Crime Plan performance: editions</title></head>\n<body>\n"
        "  <h1>Police and Crime Plan performance: quarterly editions</h1>\n"
        f"  <ul>\n{items}\n  </ul>\n</body>\n</html>\n", encoding="utf-8")
    return page
