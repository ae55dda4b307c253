"""The methods page's measured tables: how the change test, the control chart and the trend
tests perform on simulated series (``scripts/calibration.py`` measures them and writes the
``reference/*calibration.csv`` tables)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from pcpbook.core.render import escape_markdown, markdown_table
from pcpbook.core.resources import REFERENCE
from pcpbook.present.chapter import edition_sources
from pcpbook.present.narrative import in_sentence
from pcpbook.present.wording import number

CALIBRATION = REFERENCE / "calibration.csv"
CONTROL_CALIBRATION = REFERENCE / "control-calibration.csv"
TREND_CALIBRATION = REFERENCE / "trend-calibration.csv"
MEASURED_BY = "Measured by scripts/calibration.py on the code that built this book."


def calibration_table() -> Markdown:
    """False alarms, interval coverage and power of the change test, as last measured."""
    return _measured(CALIBRATION, ["Comparison", "Dispersion", "Neighbouring months alike (AR)",
                                   "Unchanged periods flagged (aim 5%)", "Intervals holding the true change (aim 95%)",
                                   "A 20% rise found"],
                     lambda row: [row.comparison, number(row.dispersion), f"{row.autocorrelation:g}",
                                  f"{row.false_alarms:.1%}", f"{row.coverage:.1%}", f"{row.power:.1%}"],
                     "Simulated (synthetic) monthly series, {replicates} for each row, each tested as an edition "
                     "tests a measure: its usual variation fitted to the five years before the periods compared.")


def control_calibration_table() -> Markdown:
    """Stable quarters signalled, months outside the limits and a planted rise signalled, as last
    measured."""
    return _measured(CONTROL_CALIBRATION, ["Counts a month", "Dispersion", "Neighbouring months alike (AR)",
                                           "Stable quarters signalled (aim at most 5%)",
                                           "Months outside the limits (aim 0.27%)", "A quarter 20% higher signalled"],
                     lambda row: [number(row.level), number(row.dispersion), f"{row.autocorrelation:g}",
                                  f"{row.quarters_signalled:.1%}", f"{row.months_outside:.2%}", f"{row.power:.1%}"],
                     "Simulated (synthetic) monthly counts, {replicates} for each row: seven years with a "
                     "calendar-month pattern, January to March 2024 judged against limits from the 24 months before, "
                     "as an edition judges a quarter.")


def trend_calibration_table() -> Markdown:
    """False bends, slope interval coverage and Mann-Kendall false alarms, as last measured."""
    return _measured(TREND_CALIBRATION, ["Dispersion", "Neighbouring months alike (AR)", "Bends found (aim 5%)",
                                         "Intervals a year holding no change (aim 95%)",
                                         "Seasonal Mann-Kendall trends (aim 5%)", "Annual Mann-Kendall trends (aim 5%)"],
                     lambda row: [number(row.dispersion), f"{row.autocorrelation:g}", f"{row.false_bends:.1%}",
                                  f"{row.slope_coverage:.1%}", f"{row.seasonal_mann_kendall:.1%}",
                                  f"{row.annual_mann_kendall:.1%}"],
                     "Simulated (synthetic) monthly counts with no trend, {replicates} for each row: eight financial "
                     "years of about 80 a month with a calendar-month pattern, tested as an edition tests people "
                     "killed or seriously injured (each test on its own, at the 5% level).")


def marked_measures(edition, flag: str) -> Markdown:
    """Which of the edition's measures the catalogue marks with ``flag`` (decompose, trend_test)."""
    measures = [m for m in edition.dataset.measures.values() if m.id in edition.plan.measure_ids and getattr(m, flag)]
    labels = ", ".join(in_sentence(m.label) for m in measures)
    return Markdown(escape_markdown(f"In this edition: {labels}." if measures else "No measure of this edition is "
                                    "marked for it."))


def demonstration_caveat(edition) -> Markdown | None:
    """The caveat for demonstration (modelled) series, only where the edition shows any."""
    if not edition_sources(edition).modelled_values():
        return None
    return Markdown(escape_markdown("Demonstration series: where the data hold modelled values, they stand in for "
                                    "the force's figures to show how the book works. They are not to be read as the "
                                    "force's real figures (rated Red until real extracts replace them)."))


def _measured(path, header: list[str], cells, note: str) -> Markdown:
    """A published calibration table: its header, a row of ``cells`` for each measured row, and
    the ``note`` (with its ``{replicates}``) saying what was simulated and who measured it."""
    table = pd.read_csv(path)
    rows = [header] + [cells(row) for row in table.itertuples()]
    described = note.format(replicates=number(table["replicates"].iloc[0]))
    return Markdown(markdown_table(rows) + "\n\n" + escape_markdown(f"{described} {MEASURED_BY}"))
