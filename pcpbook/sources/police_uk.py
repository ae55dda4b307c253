"""police.uk archive street files: monthly counts per force and crime type."""

from __future__ import annotations

import glob as globbing
import hashlib
import itertools
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pcpbook.contracts.problems import Problem
from pcpbook.sources.extracts import Ingested, IngestError, check_header, line_of, listed, normalise, query

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


@dataclass(frozen=True)
class StreetFile:
    path: str   # where it is read from (a zip member's copy in a scratch folder)
    shown: str  # how messages name it: the file, or archive.zip!member


def police_uk(paths, force: str | None = None, workdir: Path | None = None,
              geography: str | None = None, districts: dict[str, str] | None = None) -> Ingested:
    """Count police.uk street-level rows per month, force ("Falls within") and crime type.
    ``paths``: files, folders (searched for ``*-street.csv``), globs or the monthly zip
    archives. With ``force`` (``Kent`` or ``Kent Police``), only that force's rows count,
    written under ``geography`` when given (the book's short name for the force); with
    ``districts`` too (name: code, areas.yaml), each row is also counted in its district, the
    name its LSOA name begins with ("Colchester 012A"), under the district's code. A row without
    a location, or in a district not listed, counts for the force only, and the summary says how
    many. A month of a force is counted once: byte-identical copies (a folder and its zip) are
    read once and said so; two different files holding the same force and month are refused,
    naming both."""
    counts, shown, copies = _counts(paths, workdir)
    wanted = _force_rows(counts, shown, force)
    if force is not None and geography:
        wanted = wanted.assign(geography=geography)
    monthly = wanted.groupby(["month", "geography", "crime_type"], as_index=False)["rows"].sum()
    full = _with_zero_categories(monthly)
    placed = _by_district(wanted, districts) if districts and force is not None else None
    if placed is not None:
        full = pd.concat([full, placed], ignore_index=True)
    observations = pd.DataFrame({
        "measure": full["crime_type"].map(POLICE_UK_CATEGORIES), "geography": full["geography"],
        "period_start": full["month"] + "-01", "period": "month", "value": full["rows"].astype(int),
        "source": "police.uk street-level crime", "status": "published"})
    notes = [f"{copy.shown} is a copy of {original.shown}, byte for byte: read once" for copy, original in copies]
    return Ingested(observations.sort_values(["measure", "geography", "period_start"], ignore_index=True),
                    sorted(shown.values()), {"rows read": int(counts["rows"].sum()),
                                             "rows without location": int(wanted["without_location"].sum()),
                                             "rows outside the force": int(counts["rows"].sum() - wanted["rows"].sum()),
                                             **_placed_counts(wanted, placed)},
                    notes)


def district_rows(paths, force: str) -> tuple[pd.Series, list[str]]:
    """The force's rows by the district its LSOA name begins with ("" for no location), and the
    files read: where the force's crimes are, for finding its districts."""
    counts, shown, _ = _counts(paths, None)
    return _force_rows(counts, shown, force).groupby("district")["rows"].sum(), sorted(shown.values())


def _counts(paths, workdir: Path | None) -> tuple[pd.DataFrame, dict[str, str], list]:
    """Rows per file, month, force, crime type and district, checked; the files as messages name
    them; the byte-identical copies left out."""
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        found = _street_files(paths, Path(scratch))
        files, copies = _without_identical_copies(found)
        layouts: dict[tuple, list[str]] = {}  # files with the same header are read together
        for item in files:
            layouts.setdefault(tuple(check_header(item.path, POLICE_UK_COLUMNS, item.shown)), []).append(item.path)
            _check_has_rows(item)
        shown = {item.path: item.shown for item in files}
        counts = query(" UNION ALL ".join(_street_counts(header, group) for header, group in layouts.items()),
                        shown)
        _check_months(counts, shown)
        _check_categories(counts, shown)
        _check_one_file_per_month(counts, shown)
    counts["geography"] = counts["falls_within"].map(_geography)
    return counts, shown, copies


def _force_rows(counts: pd.DataFrame, shown: dict[str, str], force: str | None) -> pd.DataFrame:
    """The force's rows (every force's when None); a force with none is refused, naming those found."""
    wanted = counts if force is None else counts[counts["geography"].str.lower() == _geography(force).lower()]
    if force is not None and wanted.empty:
        found_forces = ", ".join(sorted(counts["falls_within"].unique()))
        raise IngestError([Problem(", ".join(shown.values()), None, "Falls within",
                                   f"no rows for force {force!r}; found: {found_forces}")])
    return wanted


def _by_district(wanted: pd.DataFrame, districts: dict[str, str]) -> pd.DataFrame:
    """The force's rows counted by district (under its code), every crime type of every month
    the force has rows for in every district: a type with no rows there is a real zero."""
    codes = {name.casefold(): code for name, code in districts.items()}
    located = wanted.assign(geography=wanted["district"].str.casefold().map(codes)).dropna(subset=["geography"])
    sums = located.groupby(["month", "geography", "crime_type"])["rows"].sum()
    full = pd.MultiIndex.from_product([sorted(wanted["month"].unique()), sorted(codes.values()), list(POLICE_UK_CATEGORIES)],
                                      names=["month", "geography", "crime_type"])
    return sums.reindex(full, fill_value=0).reset_index()


def _placed_counts(wanted: pd.DataFrame, placed: pd.DataFrame | None) -> dict[str, int]:
    if placed is None:
        return {}
    inside = int(placed["rows"].sum())
    return {"rows placed in a district": inside, "rows in no listed district": int(wanted["rows"].sum()) - inside}


# police.uk writes RFC 4180 CSV: comma, double quotes, quotes doubled. Given, not sniffed: DuckDB
# sniffs one dialect from the first file, and a later file quoting "Bournemouth, Christchurch and
# Poole" was then split at its comma.
POLICE_UK_DIALECT = "delim=',', quote='\"', escape='\"', header=true, all_varchar=true"


def _street_counts(header: tuple, files: list[str]) -> str:
    """SQL counting rows per file, month, force and crime type, whatever the header's case."""
    column = {normalise(h): '"' + h.replace('"', '""') + '"' for h in header}
    longitude = column.get("longitude", "NULL")
    return f"""
        SELECT filename, {column['month']} AS month, {column['falls_within']} AS falls_within,
               {column['crime_type']} AS crime_type,
               regexp_replace(trim(coalesce({column.get('lsoa_name', 'NULL')}, '')), '[[:space:]]+[0-9]{{3}}[A-Z]$', '')
                   AS district,
               count(*) AS rows,
               count(*) FILTER (WHERE coalesce(trim({longitude}), '') = '') AS without_location
        FROM read_csv({listed(files)}, {POLICE_UK_DIALECT}, filename=true)
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
        raise IngestError([Problem(shown[row["filename"]], line_of(row["filename"], "month", row["month"]), "Month",
                                   f"got {row['month']!r}: expected a month such as 2018-01")])


def _check_categories(counts: pd.DataFrame, shown: dict[str, str]) -> None:
    bad = counts[~counts["crime_type"].isin(POLICE_UK_CATEGORIES)]
    if not bad.empty:
        row = bad.iloc[0]
        raise IngestError([Problem(shown[row["filename"]], line_of(row["filename"], "crime_type", row["crime_type"]),
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


def _check_has_rows(item: StreetFile) -> None:
    with open(item.path, encoding="utf-8-sig", newline="") as handle:
        if not any(line.strip() for line in itertools.islice(handle, 1, None)):
            raise IngestError([Problem(item.shown, 2, None, "the file has a header and no rows")])
