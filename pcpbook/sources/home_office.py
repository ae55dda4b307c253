"""Home Office police recorded crime open data tables: quarterly offences by subgroup, and the
rolling 12-month totals by police force area (the long history, from 2002/03)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError

from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.contracts.problems import Problem
from pcpbook.core.periods import PeriodError, Quarter, add_months, parse_fy
from pcpbook.core.reading import short
from pcpbook.sources.extracts import Ingested, IngestError, check_header, listed, query, refuse_repeated_rows
from pcpbook.sources.forces import short_names
from pcpbook.sources.police_uk import _geography

# The measures the Home Office tables make, from the quarterly table's offence subgroups and the
# rolling table's offences (a name of either). Burglary was split into domestic and non-domestic
# until 2017/18 and into residential and business and community (non-residential) from then on;
# the catalogue enters the change as a discontinuity. Drug trafficking is in the quarterly table only.
HOME_OFFICE_SUBGROUPS = {
    "residential_burglary": ("Domestic burglary", "Residential burglary"),
    "burglary": ("Domestic burglary", "Non-domestic burglary", "Residential burglary",
                 "Business and community burglary", "Non-residential burglary"),
    "shoplifting": ("Shoplifting",),
    "violence_with_injury": ("Violence with injury",),
    "violence_without_injury": ("Violence without injury",),
    "homicide": ("Homicide",),
    "robbery": ("Robbery of business property", "Robbery of personal property", "Robbery"),
    "stalking_harassment": ("Stalking and harassment",),
    "drug_trafficking": ("Trafficking of drugs",),
    "rape_sexual_offences": ("Rape offences", "Other sexual offences", "Sexual offences"),
}
FRAUD_BODIES = ("Action Fraud", "CIFAS", "UK Finance")  # fraud reported nationally, not by a force
# The tables' other offence groups: counted into total recorded crime only. An offence named in
# neither list (a misspelt "Robery") is refused, so it cannot go into the total and no measure.
OTHER_OFFENCES = (
    "Arson", "Bicycle theft", "Criminal damage", "Criminal damage and arson", "Miscellaneous crimes",
    "Miscellaneous crimes against society", "Other theft offences", "All other theft offences",
    "Possession of drugs", "Drug offences", "Possession of weapons offences", "Public order offences",
    "Theft from a vehicle", "Theft from the person", "Theft of a motor vehicle", "Vehicle interference",
    "Vehicle offences", "Death or serious injury caused by illegal driving")
HOME_OFFICE_COLUMNS = ("Financial Year", "Financial Quarter", "Force Name", "Offence Subgroup", "Number of Offences")
ROLLING_COLUMNS = ("12 months ending", "PFA", "Offence", "Rolling year total number of offences")


@dataclass(frozen=True)
class Layout:
    """Where a Home Office table keeps its force, offence and count, and the period a row covers."""

    columns: tuple[str, ...]
    force: str
    offence: str
    count: str
    period: str  # an observation period: quarter (the quarterly table) or year (the rolling 12 months)


QUARTERLY = Layout(HOME_OFFICE_COLUMNS, "Force Name", "Offence Subgroup", "Number of Offences", "quarter")
ROLLING = Layout(ROLLING_COLUMNS, "PFA", "Offence", "Rolling year total number of offences", "year")


def home_office(path: Path, force: str, geography: str | None = None) -> Ingested:
    """Offences from a Home Office police recorded crime table (CSV, .ods or .xlsx) as the
    measures in ``HOME_OFFICE_SUBGROUPS`` and total recorded crime (every offence but fraud):
    quarters from the open data table, or 12-month totals ending each quarter from the rolling
    table by police force area. For one force, written under ``geography`` (by default the table's
    name for the force), or for ``all`` forces of England and Wales, each under its short name
    (``reference/forces.csv``; the tables' other bodies, such as Action Fraud, are left out)."""
    table, layout = _home_office_table(Path(path))
    if force == "all":  # the quarterly table calls one force "London, City of", the rolling table "City of London"
        names = {**short_names("ons"), **short_names("home_office")}
        mine = table[table[layout.force].isin(list(names))]
        places = mine[layout.force].map(names)
    else:
        mine = table[table[layout.force].map(_geography).str.lower() == _geography(force).lower()]
        places = pd.Series(geography or _geography(force), index=mine.index)
    if mine.empty:
        raise IngestError([Problem(str(path), None, layout.force, f"no rows for force {force!r}; found: "
                                   + ", ".join(sorted(table[layout.force].unique())[:50]))])
    rows = _home_office_measures(mine.assign(geography=places), layout)
    left_out = sorted(set(table[layout.force]) - set(mine[layout.force]))
    counts = {"rows read": len(table), "rows for the force" if force != "all" else "rows for the forces": len(mine)}
    return Ingested(rows, [str(path)],
                    counts if force != "all" else {**counts, "forces": places.nunique(), "other bodies left out":
                                                   len(left_out)})


def _home_office_measures(rows: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Observation rows: each measure's offences summed by place and period. A sum below zero
    (corrections outweighing the period's offences) is refused, naming the period's first line."""
    offences = rows[layout.offence].astype(str)
    names = [(name, measure) for measure, chosen in HOME_OFFICE_SUBGROUPS.items() for name in chosen]
    names += [(name, "total_recorded_crime") for name in offences.unique() if not _is_fraud(name)]
    matched = rows.merge(pd.DataFrame(names, columns=[layout.offence, "measure"]), on=layout.offence)
    sums = matched.groupby(["measure", "geography", "start"], sort=False).agg(value=("offences", "sum"),
                                                                            line=("line", "min")).reset_index()
    negative = sums[sums["value"] < 0]
    if len(negative):
        first = negative.iloc[0]
        raise IngestError([Problem(str(rows["file"].iloc[0]), int(first["line"]), layout.count,
                                   f"{first['measure']} for the {layout.period} from {first['start']} sums to "
                                   f"{first['value']:g}")])
    return sums.assign(period_start=sums["start"], period=layout.period, source="Home Office police recorded crime",
                       status="published")[list(OBSERVATION_COLUMNS)].astype({"value": "int64"})


def _home_office_table(path: Path) -> tuple[pd.DataFrame, Layout]:
    """The table, which of the two layouts it has, and each row's period start and line."""
    if not path.exists():
        raise IngestError([Problem(str(path), None, None, "no such file")])
    if path.suffix.lower() in (".ods", ".xlsx", ".xls"):
        table, first_line = _spreadsheet_table(path)
    else:
        check_header(path, ())
        table = query(f"SELECT * FROM read_csv({listed([path])}, header=true, all_varchar=true)")
        first_line = 2
    table.columns = [str(c).strip() for c in table.columns]
    layout = ROLLING if all(c in table.columns for c in ROLLING_COLUMNS[:2]) else QUARTERLY
    missing = [c for c in layout.columns if c not in table.columns]
    if missing:
        raise IngestError([Problem(str(path), first_line - 1, missing[0], f"missing column {missing[0]!r}: expected "
                                   f"the police recorded crime open data table ({', '.join(HOME_OFFICE_COLUMNS)}) "
                                   f"or the rolling table by force area ({', '.join(ROLLING_COLUMNS)})")])
    table["offences"] = _offences(path, table[layout.count], first_line, layout.count)
    table["line"] = range(first_line, first_line + len(table))
    table[layout.offence] = table[layout.offence].astype(str).str.strip()
    _check_offences(path, table, layout)
    if layout is ROLLING:  # one row a force, offence and 12 months (the quarterly table repeats an offence code)
        refuse_repeated_rows(path, table, list(ROLLING_COLUMNS[:3]))
    table["file"] = str(path)
    table["start"] = _period_starts(path, table, layout)
    return table, layout


def _is_fraud(offence: str) -> bool:
    return offence.startswith("Fraud") or offence in FRAUD_BODIES


def _check_offences(path: Path, table: pd.DataFrame, layout: Layout) -> None:
    """Every offence is one the Home Office tables publish; the first other is refused, naming
    its line and the nearest known name."""
    known = {name for names in HOME_OFFICE_SUBGROUPS.values() for name in names} | set(OTHER_OFFENCES)
    offences = table[layout.offence]
    unknown = ~(offences.isin(known) | offences.map(_is_fraud))
    if unknown.any():
        name = offences[unknown].iloc[0]
        nearest = difflib.get_close_matches(name, sorted(known), n=1)
        raise IngestError([Problem(str(path), int(table["line"][unknown].iloc[0]), layout.offence,
                                   f"unknown offence {name!r}" + (f" (did you mean {nearest[0]!r}?)" if nearest else "")
                                   + ": not an offence group of the Home Office tables, so it would count in "
                                   "total recorded crime and in no measure")])


def _offences(path: Path, column: pd.Series, first_line: int, name: str) -> pd.Series:
    """Whole numbers of offences; a negative number is a published correction (offences
    cancelled after the quarter closed)."""
    text = column.astype(str).str.replace(",", "").str.strip()
    whole = text.str.fullmatch(r"-?[0-9]{1,12}(\.0+)?")  # a spreadsheet may write 12 as 12.0
    if not whole.all():
        index = int((~whole).to_numpy().nonzero()[0][0])
        raise IngestError([Problem(str(path), first_line + index, name, f"got {column.iloc[index]!r}: expected a "
                                   "whole number of offences (negative for a published correction)")])
    return pd.to_numeric(text).astype("int64")


def _period_starts(path: Path, table: pd.DataFrame, layout: Layout) -> pd.Series:
    """Each row's period start (ISO date): its financial quarter, or the first month of the 12
    months ending on the row's date (a quarter's last day, dd-mm-yyyy)."""
    if layout is QUARTERLY:
        keys = table[["Financial Year", "Financial Quarter"]].astype(str).agg("|".join, axis=1)
        starts = {key: _quarter_start(path, table, keys, key) for key in keys.unique()}
    else:
        keys = table["12 months ending"].astype(str).str.strip()
        starts = {key: _year_start(path, table, keys, key) for key in keys.unique()}
    return keys.map(starts)


def _quarter_start(path: Path, table: pd.DataFrame, keys: pd.Series, key: str) -> str:
    year, quarter = key.split("|")
    try:
        return Quarter(parse_fy(year), int(float(quarter.strip()))).start.isoformat()
    except (PeriodError, ValueError):
        raise IngestError([Problem(str(path), _first_line(table, keys, key), "Financial Year", f"got {year!r} "
                                   f"quarter {quarter!r}: expected a year such as 2017/18 and a quarter 1 to 4")]) from None


def _year_start(path: Path, table: pd.DataFrame, keys: pd.Series, key: str) -> str:
    try:
        end = dt.datetime.strptime(key, "%d-%m-%Y").date()
    except ValueError:
        end = None
    if end is None or end.month % 3 or end.day < 28:
        raise IngestError([Problem(str(path), _first_line(table, keys, key), "12 months ending", f"got {key!r}: "
                                   "expected the last day of a quarter as dd-mm-yyyy, such as 31-03-2018")])
    return add_months(end.replace(day=1), -11).isoformat()


def _first_line(table: pd.DataFrame, keys: pd.Series, key: str) -> int:
    return int(table["line"][keys == key].iloc[0])


def _spreadsheet_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The sheet whose header row holds a table's columns (the published workbooks have notes
    sheets and title rows before the data)."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=str)
    except (CalamineError, ValueError, OSError) as exc:  # not a workbook, or a damaged one
        raise IngestError([Problem(str(path), None, None, f"not a readable spreadsheet: {short(exc)}")]) from None
    for frame in sheets.values():
        for index, row in frame.head(20).iterrows():
            cells = [str(c).strip() for c in row.tolist()]
            if any(all(c in cells for c in layout.columns) for layout in (QUARTERLY, ROLLING)):
                body = frame.iloc[index + 1:].dropna(how="all")
                body.columns = cells
                return body.reset_index(drop=True), index + 2
    raise IngestError([Problem(str(path), None, None, f"no sheet with the columns {', '.join(HOME_OFFICE_COLUMNS)} "
                               f"or {', '.join(ROLLING_COLUMNS)}")])
