"""Measure police.uk ingest throughput on a synthetic national month (about 500,000 rows,
every force, the real header and CRLF line endings). Synthetic rows, so nothing real is copied.

Usage: python scripts/bench_ingest.py [rows]
"""

import random
import sys
import tempfile
import time
from pathlib import Path

from pcpbook.sources import ingest

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")
FORCES = [f"{name} Police" for name in ("Essex", "Kent", "Surrey", "Sussex", "Hampshire", "Norfolk", "Suffolk",
                                          "Cambridgeshire", "Hertfordshire", "Bedfordshire", "Thames Valley")]


def write_month(folder: Path, rows: int) -> list[Path]:
    """One street file per force for 2024-01, together ``rows`` rows."""
    rng = random.Random(7)
    kinds = list(ingest.POLICE_UK_CATEGORIES)
    paths = []
    for force in FORCES:
        path = folder / "2024-01" / f"2024-01-{force.split()[0].lower()}-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [HEADER]
        for i in range(rows // len(FORCES)):
            located = rng.random() > 0.02
            place = f"{rng.uniform(-2, 1):.6f},{rng.uniform(50, 53):.6f},On or near Main Road" if located else ",,No location"
            lines.append(f"{i:064x},2024-01,{force},{force},{place},E0100{i % 9999:04d},Area {i % 500:03d}A,"
                         f"{rng.choice(kinds)},Under investigation,")
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    with tempfile.TemporaryDirectory() as scratch:
        write_month(Path(scratch), rows)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            result = ingest.police_uk([scratch])
            timings.append(time.perf_counter() - started)
    best = sorted(timings)[1]
    read = result.counts["rows read"]
    print(f"police.uk ingest: {read:,} rows in {best:.2f} s (median of 3): {read / best:,.0f} rows a second")


if __name__ == "__main__":
    main()
