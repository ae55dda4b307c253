"""The methods page's measured tables: how the change test performs on simulated series
(``scripts/calibration.py`` measures it and writes ``reference/calibration.csv``)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from pcpbook.core.render import escape_markdown, markdown_table
from pcpbook.core.resources import REFERENCE
from pcpbook.present.wording import number

CALIBRATION = REFERENCE / "calibration.csv"


def calibration_table() -> Markdown:
    """False alarms, interval coverage and power of the change test, as last measured."""
    table = pd.read_csv(CALIBRATION)
    rows = [["Comparison", "Dispersion", "Neighbouring months alike (AR)", "Unchanged periods flagged (aim 5%)",
             "Intervals holding the true change (aim 95%)", "A 20% rise found"]]
    rows += [[row.comparison, number(row.dispersion), f"{row.autocorrelation:g}", f"{row.false_alarms:.1%}",
              f"{row.coverage:.1%}", f"{row.power:.1%}"] for row in table.itertuples()]
    note = (f"Simulated (modelled) monthly series, {number(table['replicates'].iloc[0])} for each row, each tested "
            "as an edition tests a measure: its usual variation fitted to the five years before the periods "
            "compared. Measured by scripts/calibration.py on the code that built this book.")
    return Markdown(markdown_table(rows) + "\n\n" + escape_markdown(note))
