"""Adapters from public sources to observation rows (DESIGN §2, stage 3).

- police.uk archive street files: monthly counts per force and crime type;
- DfT road safety data (STATS19): monthly casualties by severity for a force;
- Home Office police recorded crime open data tables: quarterly offences by subgroup.

Files are read by DuckDB (CSV) and python-calamine (.ods, .xlsx), both made for volume: a
national police.uk month of about 500,000 rows is counted in about a second. Every input is
checked first: a wrong file, a missing column, an unparseable month or date, an unknown
category or code stops the ingest with the file, line and field named. Nothing unknown is
dropped or counted as zero silently.

Output rows follow the observations contract: ``measure, geography, period_start, period,
value, source, status`` with ``status=published``.
"""

from __future__ import annotations

import csv
import glob as globbing
import hashlib
import itertools
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from python_calamine import CalamineError

from pcpbook.contracts.problems import Problem, ProblemsError
from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.sources.forces import short_names
from pcpbook.core.outputs import write_frame
from pcpbook.core.periods import PeriodError, Quarter, parse_fy
from pcpbook.core.reading import short, whole_number
from pcpbook.core.resources import REFERENCE

# police.uk's 14 crime types (since May 2013) and the measure each is counted as
POLICE_UK_CATEGORIES = {
    "Anti-social behaviour": "anti_social_behaviour",
    "Bicycle theft": "bicycle_theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal_damage_arson",
    "Drugs": "drug_offences",
    "Other crime": "other_crime",
    "Other theft": "other_theft",
    "Possession of weapons": "possession_of_weapons",
    "Public order": "public_order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft_from_the_person",
    "Vehicle crime": "vehicle_crime",
    "Violence and sexual offences": "violence_sexual_offences",
}
POLICE_UK_COLUMNS = ("month", "falls_within", "crime_type")

# STATS19 police_force codes and names (DfT road safety data code book, variable police_force)
STATS19_FORCES = {int(row["code"]): row["name"] for row in csv.DictReader(
    line for line in (REFERENCE / "stats19-police-forces.csv").open(encoding="utf-8")
    if not line.startswith("#"))}

# Home Office offence subgroups and the measures they make. Burglary was split into domestic and
# non-domestic until 2017/18 and into residential and business and community from then on.
HOME_OFFICE_SUBGROUPS = {
    "residential_burglary": ("Domestic burglary", "Residential burglary"),
    "burglary": ("Domestic burglary", "Non-domestic burglary", "Residential burglary",
                 "Business and community burglary"),
    "shoplifting": ("Shoplifting",),
    "violence_with_injury": ("Violence with injury",),
    "stalking_harassment": ("Stalking and harassment",),
    "drug_trafficking": ("Trafficking of drugs",),
    "rape_sexual_offences": ("Rape offences", "Other sexual offences"),
}
HOME_OFFICE_COLUMNS = ("Financial Year", "Financial Quarter", "Force Name", "Offence Subgroup", "Number of Offences")


class IngestError(ProblemsError, ValueError):
    """Input an adapter cannot read: each problem names the file, line and field."""


@dataclass
class Ingested:
    """Observation rows and what was read to make them."""

    observations: pd.DataFrame
    files: list[str]
    counts: dict[str, int] = field(default_factory=dict)  # rows read, rows without location, ...
    notes: list[str] = field(default_factory=list)  # what a reader of the output should know

    def summary(self) -> str:
        counts = ", ".join(f"{name} {value:,}" for name, value in self.counts.items())
        notes = "".join(f"\nnote: {note}" for note in self.notes)
        return f"{len(self.files)} file(s): {counts}; {len(self.observations):,} observation rows{notes}"


KEY = ["measure", "geography", "period", "period_start"]


def merge_into(out: Path, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` merged into the extract already at ``out``, by measure, place and period: new
    periods are added, the file's other periods kept, and a period whose value changes is
    replaced and said so (never a silent replacement of the whole file)."""
    if not Path(out).is_file():
        return frame, []
    try:
        old = pd.read_csv(out, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise IngestError([Problem(str(out), None, None, f"the extract there cannot be read to merge into "
                                   f"({short(exc)}): move it away first")]) from None
    if list(old.columns) != list(OBSERVATION_COLUMNS):
        raise IngestError([Problem(str(out), 1, None, "the extract there is not an observations file "
                                   f"({', '.join(OBSERVATION_COLUMNS)}): move it away first")])
    new = frame.astype({"value": float}).assign(period_start=frame["period_start"].astype(str))
    both = old.merge(new[KEY + ["value"]], on=KEY, how="inner", suffixes=("_old", ""))
    changed = both[both["value_old"].astype(float) != both["value"]]
    replaced = sorted({f"{r.period_start[:7]} ({r.geography})" for r in changed.itertuples()})
    notes = [f"{out}: replaced {len(changed):,} value(s) in {len(replaced)} month(s) with the new figures: "
             f"{', '.join(replaced[:12])}{' ...' if len(replaced) > 12 else ''}"] if replaced else []
    kept = old.merge(new[KEY], on=KEY, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    added = len(new) - len(both)
    notes.append(f"{out}: kept {len(kept):,} earlier rows, added {added:,}, updated {len(both):,}")
    merged = pd.concat([kept.astype({"value": float}), new], ignore_index=True)
    return merged.sort_values(["measure", "geography", "period_start"], ignore_index=True), notes


def write_observations(frame: pd.DataFrame, out: Path) -> Path:
    plain = frame.assign(value=frame["value"].map(lambda v: int(v) if float(v).is_integer() else v).astype(object))
    return write_frame(out, plain, list(OBSERVATION_COLUMNS))


# ----------------------------------------------------------------------------- police.uk


@dataclass(frozen=True)
class StreetFile:
    path: str   # where it is read from (a zip member's copy in a scratch folder)
    shown: str  # how messages name it: the file, or archive.zip!member


def police_uk(paths, force: str | None = None, workdir: Path | None = None,
              geography: str | None = None) -> Ingested:
    """Count police.uk street-level rows per month, force ("Falls within") and crime type.
    ``paths``: files, folders (searched for ``*-street.csv``), globs or the monthly zip
    archives. With ``force`` (``Kent`` or ``Kent Police``), only that force's rows count,
    written under ``geography`` when given (the book's short name for the force). A month of a
    force is counted once: byte-identical copies (a folder and its zip) are read once and said
    so; two different files holding the same force and month are refused, naming both."""
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        found = _street_files(paths, Path(scratch))
        files, copies = _without_identical_copies(found)
        layouts: dict[tuple, list[str]] = {}  # files with the same header are read together
        for item in files:
            layouts.setdefault(tuple(_check_header(item.path, POLICE_UK_COLUMNS, item.shown)), []).append(item.path)
            _check_has_rows(item)
        shown = {item.path: item.shown for item in files}
        counts = _query(" UNION ALL ".join(_street_counts(header, group) for header, group in layouts.items()),
                        shown)
        _check_months(counts, shown)
        _check_categories(counts, shown)
        _check_one_file_per_month(counts, shown)
    counts["geography"] = counts["falls_within"].map(_geography)
    wanted = counts if force is None else counts[counts["geography"].str.lower() == _geography(force).lower()]
    if force is not None and wanted.empty:
        found_forces = ", ".join(sorted(counts["falls_within"].unique()))
        raise IngestError([Problem(", ".join(shown.values()), None, "Falls within",
                                   f"no rows for force {force!r}; found: {found_forces}")])
    if force is not None and geography:
        wanted = wanted.assign(geography=geography)
    monthly = wanted.groupby(["month", "geography", "crime_type"], as_index=False)["rows"].sum()
    full = _with_zero_categories(monthly)
    observations = pd.DataFrame({
        "measure": full["crime_type"].map(POLICE_UK_CATEGORIES), "geography": full["geography"],
        "period_start": full["month"] + "-01", "period": "month", "value": full["rows"].astype(int),
        "source": "police.uk street-level crime", "status": "published"})
    notes = [f"{copy.shown} is a copy of {original.shown}, byte for byte: read once" for copy, original in copies]
    return Ingested(observations.sort_values(["measure", "geography", "period_start"], ignore_index=True),
                    sorted(shown.values()), {"rows read": int(counts["rows"].sum()),
                                             "rows without location": int(wanted["without_location"].sum()),
                                             "rows outside the force": int(counts["rows"].sum() - wanted["rows"].sum())},
                    notes)


# police.uk writes RFC 4180 CSV: comma, double quotes, quotes doubled. Given, not sniffed: DuckDB
# sniffs one dialect from the first file, and a later file quoting "Bournemouth, Christchurch and
# Poole" was then split at its comma.
POLICE_UK_DIALECT = "delim=',', quote='\"', escape='\"', header=true, all_varchar=true"


def _street_counts(header: tuple, files: list[str]) -> str:
    """SQL counting rows per file, month, force and crime type, whatever the header's case."""
    column = {_normalise(h): '"' + h.replace('"', '""') + '"' for h in header}
    longitude = column.get("longitude", "NULL")
    return f"""
        SELECT filename, {column['month']} AS month, {column['falls_within']} AS falls_within,
               {column['crime_type']} AS crime_type, count(*) AS rows,
               count(*) FILTER (WHERE coalesce(trim({longitude}), '') = '') AS without_location
        FROM read_csv({_list(files)}, {POLICE_UK_DIALECT}, filename=true)
        GROUP BY ALL"""


def _without_identical_copies(files: list[StreetFile]) -> tuple[list[StreetFile], list[tuple]]:
    """The files with byte-identical copies left out, and each copy left out with its original."""
    kept: dict[str, StreetFile] = {}
    copies = []
    for item in files:
        digest = hashlib.sha256(Path(item.path).read_bytes()).hexdigest()
        if digest in kept:
            copies.append((item, kept[digest]))
        else:
            kept[digest] = item
    return list(kept.values()), copies


def _check_one_file_per_month(counts: pd.DataFrame, shown: dict[str, str]) -> None:
    """A force's month in two different files would be counted twice: refused, naming both."""
    place = counts["falls_within"].map(lambda name: _geography(name).casefold())  # as the counts are merged
    sources = counts.groupby([counts["month"], place])["filename"].unique()
    twice = sources[sources.map(len) > 1]
    if not twice.empty:
        (month, _), names = twice.index[0], sorted(shown[n] for n in twice.iloc[0])
        force = counts.loc[(counts["month"] == month) & (place == twice.index[0][1]), "falls_within"].iloc[0]
        raise IngestError([Problem(names[1], None, "Month", f"{force} {month} is also in {names[0]}, and the two "
                                   "files differ: it would be counted twice. Keep one of them (the newer archive "
                                   f"replaces the older){f'; {len(twice) - 1} more months likewise' if len(twice) > 1 else ''}")])


def _street_files(paths, scratch: Path) -> list[StreetFile]:
    """Every street file named, found in a folder, matched by a glob or inside a zip archive."""
    found: list[StreetFile] = []
    for item in paths:
        item = str(item)
        matches = sorted(globbing.glob(item, recursive=True)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise IngestError([Problem(item, None, None, "no file matches this pattern")])
        for match in map(Path, matches):
            if match.is_dir():
                found += [StreetFile(str(p), str(p)) for p in sorted(match.rglob("*-street.csv"))]
                for archive in sorted(match.rglob("*.zip")):
                    found += _unzip_street_files(archive, scratch)
            elif match.suffix.lower() == ".zip":
                found += _unzip_street_files(match, scratch)
            elif match.is_file():
                found.append(StreetFile(str(match), str(match)))
            else:
                raise IngestError([Problem(str(match), None, None, "no such file or folder")])
    if not found:
        raise IngestError([Problem(", ".join(map(str, paths)), None, None, "no police.uk street files (*-street.csv) found")])
    return found


def _unzip_street_files(archive: Path, scratch: Path) -> list[StreetFile]:
    """The archive's street files, copied out by member name into files of our own naming:
    a member's path ("../../x-street.csv", "/etc/x-street.csv") is never joined to a folder."""
    target = scratch / f"{len(list(scratch.iterdir())):04d}"
    target.mkdir()
    written = []
    try:
        with zipfile.ZipFile(archive) as handle:
            members = sorted(m for m in handle.namelist() if m.endswith("-street.csv"))
            for number, member in enumerate(members):
                path = target / f"{number:05d}-{re.sub(r'[^A-Za-z0-9._-]', '_', member.rsplit('/', 1)[-1])}"
                with handle.open(member) as source, open(path, "wb") as copy:
                    shutil.copyfileobj(source, copy)
                written.append(StreetFile(str(path), f"{archive}!{member}"))
    except zipfile.BadZipFile:
        raise IngestError([Problem(str(archive), None, None, "not a zip archive")]) from None
    return written


def _check_months(counts: pd.DataFrame, shown: dict[str, str]) -> None:
    bad = counts[~counts["month"].fillna("").str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")]
    if not bad.empty:
        row = bad.iloc[0]
        raise IngestError([Problem(shown[row["filename"]], _line_of(row["filename"], "month", row["month"]), "Month",
                                   f"got {row['month']!r}: expected a month such as 2018-01")])


def _check_categories(counts: pd.DataFrame, shown: dict[str, str]) -> None:
    bad = counts[~counts["crime_type"].isin(POLICE_UK_CATEGORIES)]
    if not bad.empty:
        row = bad.iloc[0]
        raise IngestError([Problem(shown[row["filename"]], _line_of(row["filename"], "crime_type", row["crime_type"]),
                                   "Crime type", f"unknown crime type {row['crime_type']!r}: expected one of "
                                   f"{', '.join(POLICE_UK_CATEGORIES)}")])


def _with_zero_categories(monthly: pd.DataFrame) -> pd.DataFrame:
    """A month a force has rows for covers every crime type: a type with no rows is a real zero."""
    frames = []
    for (month, geography), group in monthly.groupby(["month", "geography"]):
        present = dict(zip(group["crime_type"], group["rows"]))
        frames.append(pd.DataFrame({"month": month, "geography": geography, "crime_type": list(POLICE_UK_CATEGORIES),
                                    "rows": [present.get(c, 0) for c in POLICE_UK_CATEGORIES]}))
    return pd.concat(frames, ignore_index=True)


def _geography(force: str) -> str:
    """"Kent Police" -> "Kent" (the observations' geography)."""
    return re.sub(r"\s+(Police|Constabulary)$", "", str(force).strip())


# ----------------------------------------------------------------------------- STATS19


def stats19(collisions: Path, casualties: Path, force: int, geography: str | None = None) -> Ingested:
    """Monthly casualties for one police force (its STATS19 code; rows written under
    ``geography``, by default the code book's name): killed or seriously injured, killed,
    seriously injured, and KSI adjusted for the change in how severity is recorded (fatal
    casualties plus the sum of ``casualty_adjusted_severity_serious``) where the file has it."""
    if force not in STATS19_FORCES:
        raise IngestError([Problem(str(collisions), None, "police_force", f"unknown police force code {force}")])
    crashes = _stats19_columns(collisions, ("police_force", "date"))
    people = _stats19_columns(casualties, ("casualty_severity",))
    adjusted = "casualty_adjusted_severity_serious" in people
    # Counted by force and month inside DuckDB, so the 1979-to-date files never reach pandas
    # whole; the min(...) FILTER columns keep one example of each kind of bad row.
    frame = _query(f"""
        WITH collisions AS (
            SELECT {crashes['collision_index']} AS id, {crashes['police_force']} AS police_force,
                   {crashes['date']} AS date_text,
                   CASE WHEN regexp_full_match(trim({crashes['date']}), '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')
                        THEN try_strptime(trim({crashes['date']}), '%d/%m/%Y') END AS day  -- no two-digit years
            FROM read_csv({_list([collisions])}, header=true, all_varchar=true)),
        casualties AS (
            SELECT {people['collision_index']} AS id, {people['casualty_severity']} AS severity,
                   {f"trim({people['casualty_adjusted_severity_serious']})" if adjusted else "NULL"} AS adjusted_text
            FROM read_csv({_list([casualties])}, header=true, all_varchar=true)),
        checked AS (  -- an adjusted severity is a probability: blank (none given) or a number from 0 to 1
            SELECT *, CASE WHEN coalesce(adjusted_text, '') = '' THEN NULL ELSE try_cast(adjusted_text AS DOUBLE) END
                      AS adjusted,
                   coalesce(adjusted_text, '') <> '' AND NOT coalesce(isfinite(try_cast(adjusted_text AS DOUBLE))
                      AND try_cast(adjusted_text AS DOUBLE) BETWEEN 0 AND 1, false) AS adjusted_is_bad
            FROM casualties)
        SELECT c.police_force, CAST(date_trunc('month', c.day) AS DATE) AS month, count(*) AS casualties,
               count(*) FILTER (WHERE k.severity = '1') AS fatal,
               count(*) FILTER (WHERE k.severity = '2') AS serious,
               sum(k.adjusted) AS adjusted_serious,
               min(k.id) FILTER (WHERE c.police_force IS NULL) AS orphan,
               min(c.date_text) FILTER (WHERE c.police_force IS NOT NULL AND c.day IS NULL) AS bad_date,
               min(coalesce(k.severity, '')) FILTER (WHERE k.severity IS NULL OR k.severity NOT IN ('1', '2', '3'))
                   AS bad_severity,
               min(k.adjusted_text) FILTER (WHERE k.adjusted_is_bad) AS bad_adjusted
        FROM checked k LEFT JOIN collisions c USING (id)
        GROUP BY ALL""")
    _check_stats19(frame, collisions, casualties)
    mine = frame[frame["police_force"] == str(force)].set_index("month").sort_index()
    if mine.empty:
        found = ", ".join(f"{code} ({STATS19_FORCES.get(int(code), 'unknown')})" for code in
                          sorted(frame["police_force"].unique(), key=int))
        raise IngestError([Problem(str(collisions), None, "police_force", f"no casualties for police force {force} "
                                   f"({STATS19_FORCES[force]}); forces in the file: {found or 'none'}")])
    measures = {"ksi_casualties": mine["fatal"] + mine["serious"], "ksi_fatal": mine["fatal"],
                "ksi_serious": mine["serious"],
                # months whose file has no adjusted severities (before 2004) get no adjusted figure
                "ksi_adjusted": (mine["fatal"] + mine["adjusted_serious"]).round(2).dropna()}
    rows = [{"measure": measure, "geography": geography or STATS19_FORCES[force], "period_start": f"{month:%Y-%m-%d}",
             "period": "month", "value": value if measure == "ksi_adjusted" else int(value),
             "source": "DfT road safety data (STATS19)", "status": "published"}
            for measure, values in measures.items() for month, value in values.items()]
    return Ingested(pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS)), [str(collisions), str(casualties)],
                    {"casualties read": int(frame["casualties"].sum()),
                     "casualties in the force": int(mine["casualties"].sum())})


def _stats19_columns(path: Path, required: tuple[str, ...]) -> dict[str, str]:
    """Quoted column names by their current name: ``accident_*`` names (before 2024) are
    accepted for ``collision_*``."""
    header = _check_header(path, ())
    names = {}
    for column in header:
        current = re.sub(r"^accident_", "collision_", column.strip().lower())
        names[current] = '"' + column.replace('"', '""') + '"'
    missing = [c for c in ("collision_index", *required) if c not in names]
    if missing:
        raise IngestError([Problem(str(path), 1, missing[0], f"missing column {missing[0]!r} (or its accident_ "
                                   "form): is this the right STATS19 file?")])
    return names


def _check_stats19(frame: pd.DataFrame, collisions: Path, casualties: Path) -> None:
    """Stop at the first casualty without a collision, collision date that is not dd/mm/yyyy,
    or severity that is not 1-3, naming the file and line."""
    orphan = frame["orphan"].dropna()
    if not orphan.empty:
        value = orphan.iloc[0]
        raise IngestError([Problem(str(casualties), _line_of(str(casualties), None, value), "collision_index",
                                   f"casualty of collision {value} has no collision in {collisions}")])
    bad_date = frame["bad_date"].dropna()
    if not bad_date.empty:
        value = bad_date.iloc[0]
        raise IngestError([Problem(str(collisions), _line_of(str(collisions), None, value), "date",
                                   f"got {value!r}: expected a date such as 21/05/2024 (dd/mm/yyyy)")])
    bad_severity = frame["bad_severity"].dropna()
    if not bad_severity.empty:
        raise IngestError([Problem(str(casualties), None, "casualty_severity",
                                   f"got {bad_severity.iloc[0]!r}: expected 1 (fatal), 2 (serious) or 3 (slight)")])
    bad_adjusted = frame["bad_adjusted"].dropna()
    if not bad_adjusted.empty:
        value = bad_adjusted.iloc[0]
        raise IngestError([Problem(str(casualties), _line_of(str(casualties), "casualty_adjusted_severity_serious",
                                                             value), "casualty_adjusted_severity_serious",
                                   f"got {value!r}: expected the probability that the casualty was seriously "
                                   "injured, a number from 0 to 1 (or blank)")])


# ----------------------------------------------------------------------------- Home Office


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
        _check_header(path, ())
        table = _query(f"SELECT * FROM read_csv({_list([path])}, header=true, all_varchar=true)")
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


# ----------------------------------------------------------------------------- ONS population

ONS_SOURCE = "ONS mid-year population estimates, police force areas"


def ons_population(path: Path) -> pd.DataFrame:
    """The ONS mid-year estimates by police force area, as published in wide form (``year``,
    then a column per force area), as the rows of ``population.csv`` under each force's short
    name. A column that is no force area of England and Wales is refused by name."""
    path = Path(path)
    header = _check_header(path, ("year",))
    year_column = next(h for h in header if _normalise(h) == "year")
    areas = [h for h in header if h != year_column]
    names = short_names("ons")
    unknown = [name for name in areas if name not in names]
    if unknown:
        raise IngestError([Problem(str(path), 1, unknown[0], f"{unknown[0]!r} is not a police force area of England "
                                   "and Wales (the names are in pcpbook/reference/forces.csv, column ons)")])
    table = _query(f"SELECT * FROM read_csv({_list([path])}, header=true, all_varchar=true)")
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


# ----------------------------------------------------------------------------- shared


def _query(sql: str, shown: dict[str, str] | None = None) -> pd.DataFrame:
    """The query's result; a file DuckDB cannot read is one problem naming the file (as the user
    knows it) and the line where DuckDB gives one, never DuckDB's dump of the query or its options."""
    connection = duckdb.connect()
    try:
        return connection.execute(sql).df()
    except duckdb.Error as exc:
        raise IngestError([_duckdb_problem(str(exc), shown or {})]) from None
    finally:
        connection.close()


def _duckdb_problem(message: str, shown: dict[str, str]) -> Problem:
    path = next((path for path in shown if path in message), None)
    if path is None:
        quoted = re.search(r'file "([^"]+)"', message)
        path = quoted.group(1) if quoted else None
    line = re.search(r"\bLine: ?(\d+)", message)
    number = int(line.group(1)) if line else _first_ragged_line(path) if path else None
    first = message.strip().splitlines()[0] if message.strip() else "unreadable input"
    reason = re.sub(r"^[A-Za-z ]*Error: ?", "", first)
    for known, name in shown.items():
        reason = reason.replace(known, name)
    if number is not None and "sniffing" in reason:
        reason = "this row does not have the header's number of fields"
    return Problem(shown.get(path, path) if path else "(input)", number, None, f"not a readable CSV file: {short(reason)}")


def _first_ragged_line(path: str) -> int | None:
    """The line of the first row whose number of fields differs from the header's."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            width = len(next(reader, []))
            return next((reader.line_num for row in reader if row and len(row) != width), None)
    except (OSError, csv.Error):
        return None


def _list(paths) -> str:
    """A DuckDB list literal of file names."""
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _check_header(path, required: tuple[str, ...], shown: str | None = None) -> list[str]:
    """The file's header (BOM and case tolerated); a required column missing names it."""
    name = shown or str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, OSError, csv.Error) as exc:
        raise IngestError([Problem(name, 1, None, f"not a readable UTF-8 CSV header: {short(exc)}")]) from None
    if not header:
        raise IngestError([Problem(name, 1, None, "the file is empty: expected a header line and rows")])
    if any("\x00" in h for h in header):
        raise IngestError([Problem(name, 1, None, "the header contains a NUL byte: is this a CSV file?")])
    normalised = [_normalise(h) for h in header]
    for column in required:
        if column not in normalised:
            raise IngestError([Problem(name, 1, column.replace("_", " ").capitalize(),
                                       f"missing column; the header is {short(', '.join(header)) or '(empty)'}")])
    return header


def _check_has_rows(item: StreetFile) -> None:
    with open(item.path, encoding="utf-8-sig", newline="") as handle:
        if not any(line.strip() for line in itertools.islice(handle, 1, None)):
            raise IngestError([Problem(item.shown, 2, None, "the file has a header and no rows")])


def _normalise(name: str) -> str:
    """"Falls Within " -> "falls_within"."""
    return re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def _line_of(path: str, column: str | None, value) -> int | None:
    """The line of the first row holding ``value`` (in ``column``): for error messages only."""
    value = "" if value is None or pd.isna(value) else str(value)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [_normalise(h) for h in next(reader, [])]
        position = header.index(column) if column in header else None
        for row in reader:
            cells = [row[position]] if position is not None and position < len(row) else row
            if value in [c.strip() for c in cells]:
                return reader.line_num
    return None
