"""Calibrate the change test and the control chart and publish the result: simulated (modelled)
monthly counts put through the functions an edition uses (pcpbook/stats/calibration.py).

The change test, at dispersion 1, 5 and 40 and AR(1) correlation 0, 0.3 and 0.5 between
neighbouring months, for the 12 months against the 12 before and a quarter against the same
quarter a year before: how often the 95% interval excludes no change when nothing changed (false
alarms, nominal 5%), how often it holds the true ratio (nominal 95%), and how often it finds a
planted 20% rise (power). Written to pcpbook/reference/calibration.csv.

The control chart, for large counts (300 a month; dispersion 1, 5, 40) and small ones (8 a month;
dispersion 1, 2, 5), months alike at 0 and 0.3: how often a stable January-March quarter shows any
signal (aim: at most 5%), how often a month falls outside its limits (nominal 0.27%), and how
often a quarter 20% higher is signalled. Written to pcpbook/reference/control-calibration.csv.

The trend tests, on eight years of months with no trend (80 a month, like KSI in a county force;
dispersion 2 and 5, months alike at 0, 0.3 and 0.5): how often the regression finds a bend (aim 5%),
how often its straight line's 95% interval a year holds no change (aim 95%), and how often the
seasonal and annual Mann-Kendall tests find a trend (aim 5%). Written to
pcpbook/reference/trend-calibration.csv.

The methods page shows both; tests/test_calibration.py reruns rows of each to check they were
measured on the code as it stands.

Usage: python scripts/calibration.py [replicates per row, default 1000] [change] [control] [trend]
(about 15 minutes for all three)
"""

import sys
import time

from pcpbook.core.outputs import write_csv
from pcpbook.core.resources import REFERENCE
from pcpbook.stats.calibration import (COLUMNS, CONTROL_COLUMNS, REPLICATES, TREND_COLUMNS, control_row,
                                       control_scenarios, scenarios, table_row, trend_row, trend_scenarios)

CALIBRATION = REFERENCE / "calibration.csv"
CONTROL_CALIBRATION = REFERENCE / "control-calibration.csv"
TREND_CALIBRATION = REFERENCE / "trend-calibration.csv"


def change_test_row(row: list) -> str:
    comparison, dispersion, ar, _, flagged, covered, power = row
    return f"| {comparison} | {dispersion} | {ar} | {flagged:.1%} | {covered:.1%} | {power:.1%} |"


def control_chart_row(row: list) -> str:
    _, level, dispersion, ar, _, signalled, outside, found = row
    return f"| {level:g} | {dispersion} | {ar} | {signalled:.1%} | {outside:.2%} | {found:.1%} |"


def trend_test_row(row: list) -> str:
    dispersion, ar, _, bends, covered, seasonal, annual = row
    return f"| {dispersion} | {ar} | {bends:.1%} | {covered:.1%} | {seasonal:.1%} | {annual:.1%} |"


TABLES = {
    "change": ("| Comparison | Dispersion | AR(1) | False alarms | Interval coverage | Power, +20% |",
               scenarios, table_row, change_test_row, CALIBRATION, COLUMNS),
    "control": ("| Counts a month | Dispersion | AR(1) | Stable quarters signalled | Months outside | +20% signalled |",
                control_scenarios, control_row, control_chart_row, CONTROL_CALIBRATION, CONTROL_COLUMNS),
    "trend": ("| Dispersion | AR(1) | False bends | Slope intervals holding no change | Seasonal Mann-Kendall | "
              "Annual Mann-Kendall |", trend_scenarios, trend_row, trend_test_row, TREND_CALIBRATION, TREND_COLUMNS),
}


def publish(table: str, replicates: int) -> None:
    """Measure every row of ``table``, print it as Markdown and write its CSV."""
    header, scenarios_of, measure, shown, path, columns = TABLES[table]
    print(f"\n{header}\n" + "|---" * header.count(" | ") + "|---|")
    rows = []
    for scenario in scenarios_of():
        rows.append(measure(*scenario, replicates=replicates))
        print(shown(rows[-1]), flush=True)
    write_csv(path, columns, rows)


def main(replicates: int, tables: list[str]) -> None:
    started = time.perf_counter()
    for table in tables:
        publish(table, replicates)
    print(f"\n{replicates} replicates a row, written to {REFERENCE} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REPLICATES, sys.argv[2:] or list(TABLES))
