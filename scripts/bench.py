"""Benchmark the build as users run it: whole commands at the command line, like with like.

(a) `jupyter-book build` executing the latest edition's chapters itself (HTML only);
(b) `python -m pcpbook build --quarter Q`, cold (empty cache and site), HTML only (no Chromium);
    (a) and (b) run three times, interleaved, each in a fresh copy, and their medians compared;
(c) the print edition on its own: its seconds in a cold build's edition.json, with Chromium;
(d) the same command again with nothing changed (median of five);
(e) the same command after one observation changes;
(f) `python -m pcpbook build --all`, the whole back-catalogue from cold, print editions included;
(g) peak memory of a cold build of the latest edition (print edition included), summed over the
    build and every process it starts (resident set sizes, sampled every 0.1 s), for the bundled
    data and for ten times as many observations (nine copies of every row under other place names).

Usage: python scripts/bench.py [--skip-all] [--memory-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from pcpbook import contracts
from pcpbook.build import printing
from pcpbook.present import book, pages

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
NO_CHROMIUM = {"PCPBOOK_CHROMIUM": "/nonexistent/chromium"}  # HTML alone, like (a)


def run(command: list[str], cwd: Path, env: dict | None = None) -> float:
    """Seconds a whole command takes, from start to exit; a failure stops the benchmark."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def pcpbook(*args: str) -> list[str]:
    return [sys.executable, "-m", "pcpbook", "build", *args]


def naive(project: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "jupyter-book"), "build", str(project), "--path-output",
            str(project / "_naive")]


def naive_project(copy: Path, quarter) -> Path:
    """The edition's pages as plain notebooks, the edition's values as their parameters'
    defaults, under the edition's table of contents: the same chapters, for `jupyter-book build`
    to execute itself."""
    import nbformat
    plan = contracts.load(copy / "data").plan_for(quarter)
    for page in pages.edition_pages(plan, quarter):
        values = {**page.defaults, "quarter": quarter.id, "data_dir": str(copy / "data")}
        (copy / page.staged).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(pages.with_defaults(copy, page, values), copy / page.staged)
    book.write_toc(plan, copy / "_toc.yml", book.toc(plan, quarter))
    return copy


def peak_memory(command: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds a whole command takes and the most memory its process tree held at once (bytes,
    the resident set sizes of the command and all its descendants summed)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        peak = max(peak, sum(_resident(p) for p in tree))
        time.sleep(0.1)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read()[-2000:]}")
    return time.perf_counter() - started, peak


def _resident(process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # ended between listing and reading
        return 0


def multiply_observations(project: Path, times: int) -> int:
    """The observations ``times`` over: every row again under ``times - 1`` other place names
    (the shape of a national extract: many places, one of them the book's). Returns the rows."""
    path = project / "data" / "observations.csv"
    with path.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    place = header.index("geography")
    copies = [[*row[:place], f"{row[place]} copy {n}", *row[place + 1:]] for n in range(1, times) for row in rows]
    if not copies:
        return len(rows)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows, *copies])
    return len(rows) + len(copies)


def memory_rows(scratch: Path, quarter: list[str]) -> list[tuple]:
    rows = []
    for times in (1, 10):
        copy = book.copy_project(ROOT, scratch / f"memory-{times}")
        count = multiply_observations(copy, times)
        seconds, peak = peak_memory(pcpbook(*quarter), copy)
        rows.append((f"(g) peak memory, summed over processes, {count:,} observation rows ({times}x): "
                     f"{peak / 2**30:.2f} GB in a {seconds:.0f} s build", peak / 2**30, None,
                     "under 4 GB at 10x" if times == 10 else ""))
    return rows


def change_one_observation(project: Path, quarter) -> None:
    path = project / "data" / "observations.csv"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"fraud,Essex,{quarter.start.isoformat()},month,"))
    parts = lines[index].split(",")
    parts[4] = str(int(float(parts[4])) + 1)
    lines[index] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-all", action="store_true", help="leave out (f), the whole back-catalogue")
    parser.add_argument("--memory-only", action="store_true", help="measure (g), peak memory, alone")
    args = parser.parse_args()
    latest = contracts.load(ROOT / "data").latest_quarter()
    quarter = ["--quarter", latest.id]
    rows = []
    with tempfile.TemporaryDirectory(prefix="pcpbook-bench-") as scratch:
        scratch = Path(scratch)
        if args.memory_only:
            _table(latest, memory_rows(scratch, quarter))
            return
        naive_runs, cold_runs = [], []
        for index in range(REPEATS):
            copy = naive_project(book.copy_project(ROOT, scratch / f"naive-{index}"), latest)
            naive_runs.append(run(naive(copy), copy))
            ours = book.copy_project(ROOT, scratch / f"ours-{index}")
            cold_runs.append(run(pcpbook(*quarter), ours, NO_CHROMIUM))
        a, b = statistics.median(naive_runs), statistics.median(cold_runs)
        listed = lambda values: ", ".join(f"{v:.1f}" for v in values)
        rows.append((f"(a) jupyter-book build executing the chapters (median of {listed(naive_runs)})", a, None, ""))
        rows.append((f"(b) pcpbook build, cold, HTML only (median of {listed(cold_runs)})", b, a / b,
                     "at least 5x faster than (a)"))
        printed = book.copy_project(ROOT, scratch / "printed")
        if printing.find_chromium():
            whole = run(pcpbook(*quarter), printed)
            record = json.loads((printed / "_build" / "site" / latest.id / "edition.json").read_text())
            rows.append((f"(c) of which the print edition (the whole cold build with it: {whole:.1f} s)",
                         record["timings_seconds"]["print edition"], None, ""))
        nothing = [run(pcpbook(*quarter), ours, NO_CHROMIUM) for _ in range(5)]
        d = statistics.median(nothing)
        rows.append((f"(d) the same command, nothing changed (median of {listed(nothing)})", d, a / d, "under 0.5 s"))
        change_one_observation(ours, latest)
        rows.append(("(e) the same command after one observation changes", run(pcpbook(*quarter), ours, NO_CHROMIUM),
                     None, ""))
        if not args.skip_all:
            everything = book.copy_project(ROOT, scratch / "all")
            f = run(pcpbook("--all"), everything)
            count = len(list((everything / "_build" / "site").glob("20*")))
            pdfs = len(list((everything / "_build" / "site").glob("20*/*.pdf")))
            rows.append((f"(f) pcpbook build --all: {count} editions, {pdfs} print editions, cold", f, None,
                         "under 3 minutes"))
        rows += memory_rows(scratch, quarter)
    _table(latest, rows)
    verdicts = [f"(b) >= 5x: {'met' if a / b >= 5 else 'NOT met'}", f"(d) < 0.5 s: {'met' if d < 0.5 else 'NOT met'}"]
    if not args.skip_all:
        verdicts.append(f"(f) < 3 min: {'met' if f < 180 else 'NOT met'}")
    verdicts.append(f"(g) < 4 GB at 10x: {'met' if rows[-1][1] < 4 else 'NOT met'}")
    print("\nTargets: " + "; ".join(verdicts))


def _table(latest, rows: list[tuple]) -> None:
    print(f"\nEdition {latest}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; whole commands\n")
    print("| step | seconds | speed-up on (a) | target |")
    print("|---|---:|---:|---|")
    for name, seconds, ratio, target in rows:
        print(f"| {name} | {seconds:.2f} | {'' if ratio is None else f'{ratio:.1f}x'} | {target} |")


if __name__ == "__main__":
    main()
