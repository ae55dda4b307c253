"""Home Office police recorded crime open data tables: quarterly offences by subgroup."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from python_calamine import CalamineError

from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.contracts.problems import Problem
from pcpbook.core.periods import PeriodError, Quarter, parse_fy
from pcpbook.core.reading import short
from pcpbook.sources.extracts import Ingested, IngestError, check_header, listed, query
from pcpbook.sources.forces import short_names
from pcpbook.sources.police_uk import _geography

# Home Office offence subgroups and the measures they make. Burglary was split into domestic and
# non-domestic until 2017/18 and into residential and business and community from then on.
HOME_OFFICE_SUBGROUPS = {
    "residential_burglary": ("Domestic burglary", "Residential burglary"),
    "burglary": ("Domestic burglary", "Non-domestic burglary", "Residential burglary",
                 "Business and community burglary"),
    "shoplifting": ("Shoplifting",),
    "violence_with_injury": ("Violence with injury",),
    "violence_without_injury": ("Violence without injury",),
    "homicide": ("Homicide",),
    "robbery": ("Robbery of business property", "Robbery of personal property"),
    "stalking_harassment": ("Stalking and harassment",),
    "drug_trafficking": ("Trafficking of drugs",),
    "rape_sexual_offences": ("Rape offences", "Other sexual offences"),
}
HOME_OFFICE_COLUMNS = ("Financial Year", "Financial Quarter", "Force Name", "Offence Subgroup", "Number of Offences")


def home_office(path: Path, force: str, geography: str | None = None) -> Ingested:
    """Quarterly offences from the Home Office police recorded crime open data table (CSV, .ods
    or .xlsx), as the measures in ``HOME_OFFICE_SUBGROUPS`` and total recorded crime (every
    offence subgroup but fraud): for one force, written under ``geography`` (by default the
    table's name for the force), or for ``all`` forces of England and Wales, each under its short
    name (``reference/forces.csv``; the table's other bodies, such as Action Fraud, are left out)."""
    table = _home_office_table(Path(path))
    if force == "all":
        names = short_names("home_office")
        mine = table[table["Force Name"].isin(list(names))]
        places = mine["Force Name"].map(names)
    else:
        mine = table[table["Force Name"].map(_geography).str.lower() == _geography(force).lower()]
        places = pd.Series(geography or _geography(force), index=mine.index)
    if mine.empty:
        raise IngestError([Problem(str(path), None, "Force Name", f"no rows for force {force!r}; found: "
                                   + ", ".join(sorted(table["Force Name"].unique())[:50]))])
    rows = []
    for (place, year, quarter), group in mine.assign(place=places).groupby(["place", "Financial Year",
                                                                            "Financial Quarter"]):
        start = _quarter_start(path, group, year, quarter)
        for measure, chosen in _home_office_measures(group):
            if chosen["offences"].sum() < 0:
                raise IngestError([Problem(str(path), int(chosen["line"].iloc[0]), "Number of Offences",
                                           f"{measure} for {year} quarter {quarter} sums to {chosen['offences'].sum():g}")])
            rows.append({"measure": measure, "geography": place, "period_start": start, "period": "quarter",
                         "value": int(chosen["offences"].sum()), "source": "Home Office police recorded crime",
                         "status": "published"})
    left_out = sorted(set(table["Force Name"]) - set(mine["Force Name"]))
    counts = {"rows read": len(table), "rows for the force" if force != "all" else "rows for the forces": len(mine)}
    return Ingested(pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS)), [str(path)],
                    counts if force != "all" else {**counts, "forces": places.nunique(), "other bodies left out":
                                                   len(left_out)})


def _home_office_measures(group: pd.DataFrame):
    """(measure, rows) for each measure the rows of one force's quarter make."""
    for measure, subgroups in HOME_OFFICE_SUBGROUPS.items():
        chosen = group[group["Offence Subgroup"].isin(subgroups)]
        if not chosen.empty:
            yield measure, chosen
    crime = group[~group["Offence Subgroup"].astype(str).str.startswith("Fraud")]
    if not crime.empty:
        yield "total_recorded_crime", crime


def _home_office_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise IngestError([Problem(str(path), None, None, "no such file")])
    if path.suffix.lower() in (".ods", ".xlsx", ".xls"):
        table, first_line = _spreadsheet_table(path)
    else:
        check_header(path, ())
        table = query(f"SELECT * FROM read_csv({listed([path])}, header=true, all_varchar=true)")
        first_line = 2
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in HOME_OFFICE_COLUMNS if c not in table.columns]
    if missing:
        raise IngestError([Problem(str(path), first_line - 1, missing[0], f"missing column {missing[0]!r}: expected "
                                   f"the police recorded crime open data table ({', '.join(HOME_OFFICE_COLUMNS)})")])
    # a negative number is a published correction (offences cancelled after the quarter closed)
    text = table["Number of Offences"].astype(str).str.replace(",", "").str.strip()
    whole = text.str.fullmatch(r"-?[0-9]{1,12}(\.0+)?")  # a spreadsheet may write 12 as 12.0
    if not whole.all():
        index = int((~whole).to_numpy().nonzero()[0][0])
        raise IngestError([Problem(str(path), first_line + index, "Number of Offences",
                                   f"got {table['Number of Offences'].iloc[index]!r}: expected a whole number of "
                                   "offences (negative for a published correction)")])
    numbers = pd.to_numeric(text).astype("int64")
    table["offences"] = numbers
    table["line"] = range(first_line, first_line + len(table))
    return table


def _spreadsheet_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The sheet whose header row holds the table's columns (the published workbooks have notes
    sheets and title rows before the data)."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=str)
    except (CalamineError, ValueError, OSError) as exc:  # not a workbook, or a damaged one
        raise IngestError([Problem(str(path), None, None, f"not a readable spreadsheet: {short(exc)}")]) from None
    for frame in sheets.values():
        for index, row in frame.head(20).iterrows():
            cells = [str(c).strip() for c in row.tolist()]
            if all(c in cells for c in HOME_OFFICE_COLUMNS):
                body = frame.iloc[index + 1:].dropna(how="all")
                body.columns = cells
                return body.reset_index(drop=True), index + 2
    raise IngestError([Problem(str(path), None, None, f"no sheet with the columns {', '.join(HOME_OFFICE_COLUMNS)}")])


def _quarter_start(path: Path, group: pd.DataFrame, year: str, quarter: str) -> str:
    try:
        return Quarter(parse_fy(year), int(float(str(quarter).strip()))).start.isoformat()
    except (PeriodError, ValueError):
        line = int(group["line"].iloc[0])
        raise IngestError([Problem(str(path), line, "Financial Year", f"got {year!r} quarter {quarter!r}: expected a "
                                   "year such as 2017/18 and a quarter 1 to 4")]) from None
