"""python -m pcpbook benchmark, and the adapters that feed it: the Home Office table for every
force at once (with total recorded crime), and the ONS population estimates by force area."""

import csv

import pytest

from conftest import ROOT
from pcpbook.cli import commands

REAL = ROOT.parent / "shared" / "realdata"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is not beside the project")
HO_HEADER = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences\n"


def _home_office_table(path, forces):
    """Four quarters of 2017/18 for each force: (crimes a quarter, of which fraud)."""
    lines = [HO_HEADER]
    for name, (crimes, fraud) in forces.items():
        name = f'"{name}"' if "," in name else name
        for quarter in range(1, 5):
            lines.append(f"2017/18,{quarter},{name},Assault with injury,Violence against the person,"
                         f"Violence with injury,8N,{crimes - fraud}\n")
            lines.append(f"2017/18,{quarter},{name},Fraud,Fraud offences,Fraud: action fraud,AF,{fraud}\n")
    lines.append("2017/18,1,Action Fraud,Fraud offences recorded by Action Fraud,Fraud offences,Fraud: action fraud,AF,9999\n")
    path.write_text("".join(lines))
    return path


def _population(path, areas):
    path.write_text("year," + ",".join(areas) + "\n2016," + ",".join("1000" for _ in areas) + "\n2017,"
                    + ",".join(str(p) for p in areas.values()) + "\n")
    return path


@pytest.fixture
def inputs(tmp_path):
    forces = {"Essex": (250, 10), "Kent": (200, 0), "London, City of": (30, 0), "Surrey": (100, 0)}
    table = _home_office_table(tmp_path / "ho.csv", forces)
    people = _population(tmp_path / "ons.csv", {"Essex": 20_000, "Kent": 20_000, "City of London": 8_000,
                                                 "Surrey": 10_000})
    out = tmp_path / "extracts.csv"
    assert commands.main(["ingest", "home-office", str(table), "--force", "all", "--out", str(out)]) == 0
    population = tmp_path / "population.csv"
    assert commands.main(["ingest", "ons-population", str(people), "--out", str(population)]) == 0
    return tmp_path, out, population


def _rows(path):
    with open(path, newline="") as handle:
        return {(row["measure"], row["force"]): row for row in csv.DictReader(handle)}


def test_home_office_all_forces_names_each_by_its_short_name_and_totals_crime_without_fraud(inputs):
    _, extracts, population = inputs
    rows = list(csv.DictReader(open(extracts)))
    crime = {r["geography"]: int(r["value"]) for r in rows
             if r["measure"] == "total_recorded_crime" and r["period_start"] == "2017-04-01"}
    assert crime == {"Essex": 240, "Kent": 200, "City of London": 30, "Surrey": 100}  # Action Fraud left out
    people = list(csv.DictReader(open(population)))
    assert {(r["geography"], r["year"], r["population"]) for r in people} >= {("City of London", "2017", "8000")}
    assert all(r["status"] == "published" and r["source"].startswith("ONS") for r in people)


def test_benchmark_writes_a_row_per_measure_and_force_with_positions_and_changes(inputs):
    folder, extracts, population = inputs
    out = folder / "benchmark.csv"
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population),
                     "--period", "2017-18", "--measure", "total_recorded_crime", "--out", str(out)]) == 0
    rows = _rows(out)
    essex = rows[("total_recorded_crime", "Essex")]
    # Essex 960 crimes / 20,000 = 48 per 1,000; Kent 40; Surrey 40; City of London 15: positions 1 London,
    # 2 Kent and Surrey (tied), 4 Essex; average (48 + 40 + 40 + 15) / 4 = 35.75
    assert (essex["count"], essex["population"], essex["rate"]) == ("960", "20000", "48.0000")
    assert (essex["position"], essex["group_size"], essex["group_average"]) == ("4", "4", "35.7500")
    assert float(essex["change_to_average"]) == pytest.approx((35.75 - 48) * 20)
    assert rows[("total_recorded_crime", "Kent")]["position"] == "2" == rows[("total_recorded_crime", "Surrey")]["position"]
    assert essex["funnel"] in ("inside", "above", "below") and essex["period"] == "12 months to March 2018"


def test_benchmark_refuses_a_group_force_without_a_population(inputs, capsys):
    folder, extracts, population = inputs
    group = folder / "group.csv"
    group.write_text("force,source\nEssex,test\nKent,test\nSussex,test\n")
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population), "--period",
                     "2017-18", "--group", str(group), "--measure", "total_recorded_crime", "--out",
                     str(folder / "x.csv")]) == 2
    assert "force 'Sussex' of the group cannot be compared" in capsys.readouterr().err


def test_benchmark_refuses_a_measure_without_a_unit_and_a_period_outside_the_data(inputs, capsys):
    folder, extracts, population = inputs
    common = ["benchmark", "--observations", str(extracts), "--population", str(population), "--out",
              str(folder / "x.csv")]
    assert commands.main(common + ["--period", "2017-18", "--measure", "knife_crime"]) == 2
    assert "--measure 'knife_crime' has no unit of comparison" in capsys.readouterr().err
    assert commands.main(common + ["--period", "2019-20", "--measure", "total_recorded_crime"]) == 2
    assert "no force has total_recorded_crime figures for the 12 months to March 2020" in capsys.readouterr().err
    assert commands.main(common + ["--period", "2019", "--measure", "total_recorded_crime"]) == 2
    assert "--period '2019'" in capsys.readouterr().err
    assert not (folder / "x.csv").exists()


def test_forces_left_out_of_several_measures_for_the_same_reason_are_said_once(inputs, capsys):
    # found on the real 2017/18 table: the same four Welsh forces were listed again for each of 11 measures
    folder, extracts, population = inputs
    population.write_text("\n".join(line for line in population.read_text().splitlines() if "Surrey" not in line) + "\n")
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population), "--period",
                          "2017-18", "--out", str(folder / "x.csv")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "left out" in line]
    assert len(notes) == 1 and notes[0].count("Surrey") == 1
    assert notes[0].startswith("note: violence_with_injury, total_recorded_crime: left out 1 force(s)")


def test_without_a_group_forces_lacking_a_population_are_listed_in_a_note(inputs, capsys):
    folder, extracts, population = inputs
    population.write_text("\n".join(line for line in population.read_text().splitlines() if "Surrey" not in line) + "\n")
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population), "--period",
                     "2017-18", "--measure", "total_recorded_crime", "--out", str(folder / "x.csv")]) == 0
    assert "left out 1 force(s) with figures but no comparison: Surrey (no population estimate for it up to mid-2017" in capsys.readouterr().err
    assert ("total_recorded_crime", "Surrey") not in _rows(folder / "x.csv")


def test_an_ons_column_that_is_no_force_area_is_refused(tmp_path, capsys):
    people = _population(tmp_path / "ons.csv", {"Essex": 1, "Wessex": 2})
    assert commands.main(["ingest", "ons-population", str(people), "--out", str(tmp_path / "p.csv")]) == 2
    assert "field 'Wessex': 'Wessex' is not a police force area" in capsys.readouterr().err


@needs_real
def test_real_home_office_and_ons_tables_place_essex_among_the_english_forces(tmp_path, capsys):
    extracts, population, out = tmp_path / "ho.csv", tmp_path / "population.csv", tmp_path / "benchmark.csv"
    assert commands.main(["ingest", "home-office", str(REAL / "home-office-prc" / "prc-pfa-mar2013-onwards-tables201718.csv"),
                     "--force", "all", "--out", str(extracts)]) == 0
    assert commands.main(["ingest", "ons-population", str(REAL / "ons-population-pfa" / "population_policeforces.csv"),
                     "--out", str(population)]) == 0
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population), "--period",
                     "2017-18", "--measure", "total_recorded_crime", "--out", str(out)]) == 0
    essex = _rows(out)[("total_recorded_crime", "Essex")]
    # 134,153 crimes (every offence group but fraud) over the mid-2017 population 1,820,379
    assert (essex["count"], essex["population"]) == ("134153", "1820379")
    assert round(float(essex["rate"]), 2) == 73.70
    assert (essex["position"], essex["group_size"]) == ("18", "39")  # the Welsh forces have no ONS row here
    assert essex["funnel"] == "inside"
    assert "Dyfed-Powys (no population estimate for it up to mid-2017" in capsys.readouterr().err


def test_ons_population_does_not_replace_a_projects_population_table(tmp_path, capsys):
    project = tmp_path / "book"
    assert commands.main(["init", str(project), "--force", "Kent Police"]) == 0
    people = _population(tmp_path / "ons.csv", {"Kent": 1_860_000})
    assert commands.main(["--project", str(project), "ingest", "ons-population", str(people)]) == 0  # init's empty table
    assert "Kent,2017,1860000" in (project / "data" / "population.csv").read_text()
    assert commands.main(["--project", str(project), "ingest", "ons-population", str(people)]) == 2
    assert "population.csv: exists and is not replaced (it has rows)" in capsys.readouterr().err


def test_districts_in_the_files_are_not_compared_as_forces(inputs):
    folder, extracts, population = inputs
    with open(extracts, "a", encoding="utf-8") as handle:  # an extract with a district's rows, as police.uk's has
        for quarter in ("2017-04-01", "2017-07-01", "2017-10-01", "2018-01-01"):
            handle.write(f"total_recorded_crime,E07000066,{quarter},quarter,40,police.uk street-level crime,published\n")
    with open(population, "a", encoding="utf-8") as handle:
        handle.write("E07000066,2017,185000,ONS mid-year estimates by district,published\n")
    out = folder / "benchmark.csv"
    assert commands.main(["benchmark", "--observations", str(extracts), "--population", str(population),
                          "--period", "2017-18", "--measure", "total_recorded_crime", "--out", str(out)]) == 0
    assert {force for _, force in _rows(out)} == {"Essex", "Kent", "City of London", "Surrey"}
