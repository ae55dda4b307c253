"""Home Office police workforce open data by force: police officers, police staff, PCSOs and
special constables in post at 31 March each year, as headcount (snapshot) observations."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.contracts.problems import Problem
from pcpbook.core.periods import month_end
from pcpbook.sources.extracts import Ingested, IngestError, check_header, listed, query, refuse_repeated_rows
from pcpbook.sources.forces import short_names

WORKFORCE_COLUMNS = ("date", "force_name", "worker_type", "total_headcount", "total_fte")
# measure: (the table's worker type, the column it is counted in). Special constables are
# volunteers with no contracted hours, so the table gives them a headcount and no FTE.
WORKFORCE_MEASURES = {
    "officer_fte": ("police officer", "total_fte"),
    "police_staff_fte": ("police staff", "total_fte"),
    "pcso_fte": ("police community support officer", "total_fte"),
    "special_constables": ("special constable", "total_headcount"),
}
WORKFORCE_SOURCE = "Home Office police workforce statistics"


def workforce(path: Path, force: str, geography: str | None = None) -> Ingested:
    """The workforce table's officers, staff, PCSOs (full-time equivalent) and special
    constables (headcount) at each 31 March, summed over ranks and sexes: for one force, written
    under ``geography``, or for ``all`` forces, each under its short name. A force name that is
    no force of England and Wales is refused by name ("Avon & Somerset" is Avon and Somerset)."""
    path = Path(path)
    check_header(path, WORKFORCE_COLUMNS)
    table = query(f"SELECT * FROM read_csv({listed([path])}, header=true, all_varchar=true)")
    table.columns = [str(c).strip().lower() for c in table.columns]
    table["line"] = range(2, len(table) + 2)
    refuse_repeated_rows(path, table, [c for c in ("date", "force_name", "sex", "rank_description", "worker_type")
                                       if c in table.columns])
    table["geography"] = _places(path, table)
    read = len(table)
    if force != "all":
        wanted = _name_key(force)
        table = table[table["geography"].map(_name_key) == wanted].assign(geography=geography or table["geography"])
        if table.empty:
            raise IngestError([Problem(str(path), None, "force_name", f"no rows for force {force!r}")])
    counted = table[table["worker_type"].isin([kind for kind, _ in WORKFORCE_MEASURES.values()])]
    rows = [_measure_rows(path, counted, measure, kind, column)
            for measure, (kind, column) in WORKFORCE_MEASURES.items()]
    frame = pd.concat(rows, ignore_index=True)[list(OBSERVATION_COLUMNS)]
    return Ingested(frame, [str(path)], {"rows read": read, "rows counted": len(counted),
                                         "forces": frame["geography"].nunique()})


def _places(path: Path, table: pd.DataFrame) -> pd.Series:
    """Each row's force under its short name; an unknown force name is refused."""
    names = {_name_key(name): short for source in ("home_office", "ons", "police_uk")
             for name, short in short_names(source).items()}
    places = table["force_name"].map(lambda name: names.get(_name_key(name)))
    if places.isna().any():
        line = int(table["line"][places.isna()].iloc[0])
        name = table["force_name"][places.isna()].iloc[0]
        raise IngestError([Problem(str(path), line, "force_name", f"{name!r} is not a police force of England and "
                                   "Wales (the names are in pcpbook/reference/forces.csv)")])
    return places


def _name_key(name: str) -> str:
    """A force name as compared: case, "&" for "and", and a trailing Police or Constabulary ignored."""
    text = re.sub(r"\s+", " ", str(name).replace("&", " and ")).strip().casefold()
    return re.sub(r" (police|constabulary)$", "", text)


def _measure_rows(path: Path, table: pd.DataFrame, measure: str, kind: str, column: str) -> pd.DataFrame:
    chosen = table[table["worker_type"] == kind]
    amounts = pd.to_numeric(chosen[column].str.strip(), errors="coerce")
    bad = amounts.isna() | (amounts < 0)
    if bad.any():
        raise IngestError([Problem(str(path), int(chosen["line"][bad].iloc[0]), column,
                                   f"got {chosen[column][bad].iloc[0]!r}: expected a number of people, 0 or more")])
    as_at = chosen["date"].map(lambda text: _as_at(path, chosen, text))
    sums = chosen.assign(value=amounts, period_start=as_at).groupby(["geography", "period_start"])["value"].sum()
    return sums.round(2).reset_index().assign(measure=measure, period="snapshot", source=WORKFORCE_SOURCE,
                                              status="published")


def _as_at(path: Path, table: pd.DataFrame, text: str) -> str:
    """The table's date (the first of March: the figures are at 31 March) as the month's last day."""
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        line = int(table["line"][table["date"] == text].iloc[0])
        raise IngestError([Problem(str(path), line, "date", f"got {text!r}: expected a date YYYY-MM-DD")]) from None
    return month_end(day).isoformat()
