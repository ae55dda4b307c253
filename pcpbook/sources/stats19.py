"""DfT road safety data (STATS19): monthly casualties by severity for a force."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.contracts.problems import Problem
from pcpbook.core.resources import REFERENCE
from pcpbook.sources.extracts import Ingested, IngestError, check_header, line_of, listed, query

# STATS19 police_force codes and names (DfT road safety data code book, variable police_force)
STATS19_FORCES = {int(row["code"]): row["name"] for row in csv.DictReader(
    line for line in (REFERENCE / "stats19-police-forces.csv").open(encoding="utf-8")
    if not line.startswith("#"))}


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
    frame = query(f"""
        WITH collisions AS (
            SELECT {crashes['collision_index']} AS id, {crashes['police_force']} AS police_force,
                   {crashes['date']} AS date_text,
                   CASE WHEN regexp_full_match(trim({crashes['date']}), '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}')
                        THEN try_strptime(trim({crashes['date']}), '%d/%m/%Y') END AS day  -- no two-digit years
            FROM read_csv({listed([collisions])}, header=true, all_varchar=true)),
        casualties AS (
            SELECT {people['collision_index']} AS id, {people['casualty_severity']} AS severity,
                   {f"trim({people['casualty_adjusted_severity_serious']})" if adjusted else "NULL"} AS adjusted_text
            FROM read_csv({listed([casualties])}, header=true, all_varchar=true)),
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
    header = check_header(path, ())
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
        raise IngestError([Problem(str(casualties), line_of(str(casualties), None, value), "collision_index",
                                   f"casualty of collision {value} has no collision in {collisions}")])
    bad_date = frame["bad_date"].dropna()
    if not bad_date.empty:
        value = bad_date.iloc[0]
        raise IngestError([Problem(str(collisions), line_of(str(collisions), None, value), "date",
                                   f"got {value!r}: expected a date such as 21/05/2024 (dd/mm/yyyy)")])
    bad_severity = frame["bad_severity"].dropna()
    if not bad_severity.empty:
        raise IngestError([Problem(str(casualties), None, "casualty_severity",
                                   f"got {bad_severity.iloc[0]!r}: expected 1 (fatal), 2 (serious) or 3 (slight)")])
    bad_adjusted = frame["bad_adjusted"].dropna()
    if not bad_adjusted.empty:
        value = bad_adjusted.iloc[0]
        raise IngestError([Problem(str(casualties), line_of(str(casualties), "casualty_adjusted_severity_serious",
                                                             value), "casualty_adjusted_severity_serious",
                                   f"got {value!r}: expected the probability that the casualty was seriously "
                                   "injured, a number from 0 to 1 (or blank)")])
