"""Benchmark the build on this machine, in one run, and print a table (see README).

(a) the naive way: `jupyter-book build` executing the latest edition's chapters itself;
(b) our cold build of the same edition (empty cache, empty site);
(a) and (b) are run three times, interleaved, each in a fresh copy, and their medians compared;
(c) our rebuild with nothing changed;
(d) our rebuild after one observation changes;
(e) the whole back-catalogue (every edition of both plans) from cold.
Each runs in its own copy of the project under a temporary folder.

Usage: python scripts/bench.py [--skip-all]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pcpbook import book, data, edition

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def naive_build(project: Path) -> None:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(project), "--path-output",
               str(project / "_naive")]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or "build succeeded" not in result.stdout:
        raise SystemExit(f"the naive build failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def change_one_observation(project: Path, quarter) -> None:
    path = project / "data" / "observations.csv"
    month = quarter.start.isoformat()
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"fraud,Essex,{month},month,"))
    parts = lines[index].split(",")
    parts[4] = str(int(float(parts[4])) + 1)
    lines[index] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-all", action="store_true", help="leave out (e), the whole back-catalogue")
    args = parser.parse_args()
    latest = data.load(ROOT / "data").latest_quarter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pcpbook-bench-") as scratch:
        scratch = Path(scratch)
        naive_runs, cold_runs = [], []
        for run in range(REPEATS):
            naive = book.copy_project(ROOT, scratch / f"naive-{run}")
            naive_runs.append(timed(lambda: naive_build(naive)))
            ours = book.copy_project(ROOT, scratch / f"ours-{run}")
            cold_runs.append(timed(lambda: edition.build(ours, quarter=latest.id)))
        a, b = statistics.median(naive_runs), statistics.median(cold_runs)
        runs = lambda values: ", ".join(f"{v:.1f}" for v in values)
        rows.append((f"(a) jupyter-book build executing the chapters itself (median of {runs(naive_runs)})", a, None, ""))
        rows.append((f"(b) pcpbook cold build of the same edition (median of {runs(cold_runs)})", b, a / b,
                     "at least 4x faster than (a)"))
        c = timed(lambda: edition.build(ours, quarter=latest.id))
        rows.append(("(c) rebuild, nothing changed", c, a / c, "under 2 s"))
        change_one_observation(ours, latest)
        d = timed(lambda: edition.build(ours, quarter=latest.id))
        rows.append(("(d) rebuild after one observation changes", d, a / d, ""))
        if not args.skip_all:
            everything = book.copy_project(ROOT, scratch / "all")
            e = timed(lambda: edition.build_all(everything))
            count = len(list((everything / "_build" / "site").glob("20*")))
            rows.append((f"(e) whole back-catalogue, {count} editions, cold", e, None, "under 10 minutes"))
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"\nEdition {latest}, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| step | seconds | speed-up on (a) | target |")
    print("|---|---:|---:|---|")
    for name, seconds, ratio, target in rows:
        print(f"| {name} | {seconds:.1f} | {'' if ratio is None else f'{ratio:.1f}x'} | {target} |")
    print(f"\nPeak resident memory of one process: {peak / 1024:.0f} MB")
    b_ok, c_ok = a / b >= 4, c < 2
    e_ok = args.skip_all or rows[-1][1] < 600
    print(f"Targets: (b) >= 4x: {'met' if b_ok else 'NOT met'}; (c) < 2 s: {'met' if c_ok else 'NOT met'}; "
          f"(e) < 10 min: {'skipped' if args.skip_all else 'met' if e_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
