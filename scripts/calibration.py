"""Calibrate the change test and publish the result: simulated (modelled) monthly counts with
dispersion 1, 5 and 40 and AR(1) correlation 0, 0.3 and 0.5 between neighbouring months, put
through the functions an edition uses (pcpbook/stats/calibration.py). For the 12 months against
the 12 before, and a quarter against the same quarter a year before: how often the 95% interval
excludes no change when nothing changed (false alarms, nominal 5%), how often it holds the true
ratio (nominal 95%), and how often it finds a planted 20% rise (power).

Writes pcpbook/reference/calibration.csv, which the methods page shows (tests/test_calibration.py
reruns rows of it to check it was measured on the code as it stands), and prints the table.

Usage: python scripts/calibration.py [replicates per row, default 1000]   (about 5 minutes)
"""

import sys
import time

from pcpbook.core.outputs import write_csv
from pcpbook.core.resources import REFERENCE
from pcpbook.stats.calibration import COLUMNS, REPLICATES, scenarios, table_row

CALIBRATION = REFERENCE / "calibration.csv"


def main(replicates: int) -> None:
    started = time.perf_counter()
    print("| Comparison | Dispersion | AR(1) | False alarms | Interval coverage | Power, +20% |")
    print("|---|---|---|---|---|---|")
    rows = []
    for scenario in scenarios():
        row = table_row(*scenario, replicates=replicates)
        rows.append(row)
        comparison, dispersion, ar, _, flagged, covered, power = row
        print(f"| {comparison} | {dispersion} | {ar} | {flagged:.1%} | {covered:.1%} | {power:.1%} |", flush=True)
    write_csv(CALIBRATION, COLUMNS, rows)
    print(f"\n{len(rows)} rows of {replicates} replicates written to {CALIBRATION} in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REPLICATES)
