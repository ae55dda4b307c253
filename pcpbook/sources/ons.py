"""ONS mid-year population estimates for police force areas: the population table."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pcpbook.contracts.problems import Problem
from pcpbook.core.reading import whole_number
from pcpbook.sources.extracts import IngestError, check_header, listed, normalise, query
from pcpbook.sources.forces import short_names

ONS_SOURCE = "ONS mid-year population estimates, police force areas"


def ons_population(path: Path) -> pd.DataFrame:
    """The ONS mid-year estimates by police force area, as published in wide form (``year``,
    then a column per force area), as the rows of ``population.csv`` under each force's short
    name. A column that is no force area of England and Wales is refused by name."""
    path = Path(path)
    header = check_header(path, ("year",))
    year_column = next(h for h in header if normalise(h) == "year")
    areas = [h for h in header if h != year_column]
    names = short_names("ons")
    unknown = [name for name in areas if name not in names]
    if unknown:
        raise IngestError([Problem(str(path), 1, unknown[0], f"{unknown[0]!r} is not a police force area of England "
                                   "and Wales (the names are in pcpbook/reference/forces.csv, column ons)")])
    table = query(f"SELECT * FROM read_csv({listed([path])}, header=true, all_varchar=true)")
    rows = []
    for line, record in enumerate(table.to_dict("records"), start=2):
        year = str(record[year_column]).strip()
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise IngestError([Problem(str(path), line, "year", f"got {year!r}: expected a year such as 2019")])
        for name in areas:
            people = whole_number(str(record[name] or "").replace(",", ""))
            if not people:
                raise IngestError([Problem(str(path), line, name, f"got {record[name]!r}: expected a whole number "
                                           "of people")])
            rows.append({"geography": names[name], "year": int(year), "population": people,
                         "source": f"{ONS_SOURCE}, mid-{year}", "status": "published"})
    if not rows:
        raise IngestError([Problem(str(path), 2, None, "no rows after the header")])
    return pd.DataFrame(rows)
