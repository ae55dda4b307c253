"""A force's districts from public data alone: the local authority districts its police.uk rows
lie in (each LSOA name begins with its district's name, "Colchester 012A"), with their ONS codes
and mid-year population estimates, written as the project's ``areas.yaml`` and population rows.

police.uk files also hold a few crimes a force recorded elsewhere (a handful a month in
neighbouring districts), so a district holding under MIN_SHARE of the force's located rows is
left out, and named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from pcpbook.contracts import kinds
from pcpbook.contracts.model import AREAS_FILE, POPULATION_COLUMNS, POPULATION_FILE
from pcpbook.contracts.problems import Problem
from pcpbook.contracts.schema import conform
from pcpbook.core.outputs import write_frame
from pcpbook.core.reading import whole_number
from pcpbook.sources.extracts import IngestError, check_header, listed, query
from pcpbook.sources.police_uk import district_rows

MIN_SHARE = 0.005
LAD_COLUMNS = ("ladcode19", "laname19", "year", "population")
LAD_SOURCE = "ONS mid-year population estimates, local authority districts (2019 boundaries)"


@dataclass(frozen=True)
class FoundAreas:
    districts: list[tuple[str, str]]   # (code, name), most rows first
    population: pd.DataFrame           # population.csv rows, one per district and year
    left_out: dict[str, int]           # district name: the force's rows in it, below MIN_SHARE
    located: int                       # the force's rows with a district
    files: list[str]


def districts_from_public(street_paths, force: str, lad_path: Path) -> FoundAreas:
    """The districts holding at least MIN_SHARE of the force's located police.uk rows, each with
    its ONS code and every mid-year estimate in the table; a district the table does not name
    (a renamed or merged district) is refused by name."""
    rows, files = district_rows(street_paths, force)
    located = rows.drop("", errors="ignore")
    kept = located[located >= MIN_SHARE * located.sum()].sort_values(ascending=False)
    table = _lad_table(Path(lad_path))
    codes = dict(zip(table["laname19"].str.casefold(), table["ladcode19"]))
    missing = [name for name in kept.index if name.casefold() not in codes]
    if missing:
        raise IngestError([Problem(str(lad_path), None, "laname19", f"no district named {missing[0]!r} (the name "
                                   "police.uk's LSOA names give it): the table may name it after a boundary change")])
    chosen = [(codes[name.casefold()], name) for name in kept.index]
    people = table[table["ladcode19"].isin([code for code, _ in chosen])]
    population = pd.DataFrame({"geography": people["ladcode19"], "year": people["year"],
                               "population": people["population"], "source": LAD_SOURCE, "status": "published"})
    left_out = {name: int(n) for name, n in located[located < MIN_SHARE * located.sum()].items()}
    return FoundAreas(chosen, population.reset_index(drop=True), left_out, int(located.sum()), files)


def _lad_table(path: Path) -> pd.DataFrame:
    check_header(path, LAD_COLUMNS)
    table = query(f"SELECT * FROM read_csv({listed([path])}, header=true, all_varchar=true)")
    for line, record in enumerate(table.to_dict("records"), start=2):
        if whole_number(str(record["year"])) is None or not whole_number(str(record["population"]).replace(",", "")):
            field = "year" if whole_number(str(record["year"])) is None else "population"
            raise IngestError([Problem(str(path), line, field, f"got {record[field]!r}: expected a whole number")])
    table["year"] = table["year"].astype(int)
    table["population"] = table["population"].str.replace(",", "").astype(int)
    return table


def write_areas(found: FoundAreas, data: Path) -> tuple[Path, Path]:
    """``areas.yaml`` (refused if the project has one) and the districts' rows added to
    ``population.csv`` (refused if it holds any of them already)."""
    areas_path, population_path = data / AREAS_FILE, data / POPULATION_FILE
    if areas_path.exists():
        raise IngestError([Problem(str(areas_path), None, None, "exists and is not replaced: move it to list the "
                                   "districts again")])
    existing = pd.read_csv(population_path, dtype=str) if population_path.exists() else pd.DataFrame(
        columns=list(POPULATION_COLUMNS))
    clash = existing[existing["geography"].isin([code for code, _ in found.districts])]
    if len(clash):
        raise IngestError([Problem(str(population_path), int(clash.index[0]) + 2, "geography", f"holds district "
                                   f"{clash['geography'].iloc[0]} already: the districts' populations are not added twice")])
    areas = {"grouping": "local policing area",
             "source": f"the local authority districts of the force's police.uk rows ({len(found.files)} file(s)); "
                       f"codes from the {LAD_SOURCE}; add each district's group (its local policing area)",
             "small_numbers": 5, "districts": [{"code": code, "name": name} for code, name in found.districts]}
    problems: list[Problem] = []
    if conform(kinds.AreasFile, areas, areas_path, problems) is None:  # a name no chart could draw, say
        raise IngestError(problems)
    areas_path.write_text("# The force area's districts, found from public data (python -m pcpbook areas).\n"
                          + yaml.safe_dump(areas, sort_keys=False, allow_unicode=True), encoding="utf-8")
    write_frame(population_path, pd.concat([existing, found.population.astype(str)], ignore_index=True),
                list(POPULATION_COLUMNS))
    return areas_path, population_path
