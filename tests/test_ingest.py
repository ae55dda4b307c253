"""Real data in: police.uk street files, STATS19 collisions and casualties, and the Home Office
recorded crime table become observation rows; bad input is refused with the file, line and
field named, never counted as zero. Fixtures are made here in each format; the real files in
../shared/realdata are used when present."""

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import DATA, ROOT
from fixtures_ods import write_ods
from pcpbook import contracts
from pcpbook.cli import commands
from pcpbook.contracts import settings
from pcpbook.contracts.model import OBSERVATION_COLUMNS
from pcpbook.core.periods import Quarter
from pcpbook.present import figures
from pcpbook.sources import ingest
from pcpbook.sources.ingest import IngestError

REAL = ROOT.parent / "shared" / "realdata"
STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")


def _street_rows(month, force, types, located=True):
    place = "0.47,51.73,On or near High Street" if located else ",,No location"
    return [f"id{i},{month},{force},{force},{place},E01,Chelmsford 001A,{kind},Under investigation,"
            for i, kind in enumerate(types)]


def _street_file(path: Path, header: str, rows: list[str], newline="\r\n", bom=False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join([header, *rows]) + newline
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


@pytest.fixture
def street_files(tmp_path):
    """Two Essex months in two layouts (CRLF without BOM; LF with BOM and a header in other case),
    one zipped, and a neighbouring force's rows."""
    _street_file(tmp_path / "2018-01" / "2018-01-essex-street.csv", STREET_HEADER,
                           _street_rows("2018-01", "Essex Police", ["Burglary"] * 3 + ["Anti-social behaviour"] * 2)
                           + _street_rows("2018-01", "Essex Police", ["Burglary"], located=False)
                           + _street_rows("2018-01", "Kent Police", ["Burglary"]))
    february = _street_file(tmp_path / "staging" / "2018-02-essex-street.csv", STREET_HEADER.upper(),
                            _street_rows("2018-02", "Essex Police", ["Drugs", "Robbery"]), newline="\n", bom=True)
    archive = tmp_path / "archive" / "2018-02.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(february, "2018-02/2018-02-essex-street.csv")
    february.unlink()
    return tmp_path / "2018-01", archive


def _value(frame, measure, month, geography="Essex"):
    rows = frame[(frame["measure"] == measure) & (frame["period_start"] == month) & (frame["geography"] == geography)]
    return int(rows["value"].iloc[0]) if len(rows) else None


def test_police_uk_counts_each_month_force_and_crime_type(street_files):
    folder, archive = street_files
    result = ingest.police_uk([folder, archive], force="Essex Police")
    frame = result.observations
    assert _value(frame, "burglary", "2018-01-01") == 4
    assert _value(frame, "anti_social_behaviour", "2018-01-01") == 2
    assert _value(frame, "drug_offences", "2018-02-01") == 1 and _value(frame, "robbery", "2018-02-01") == 1
    assert _value(frame, "shoplifting", "2018-02-01") == 0  # the month is covered: no rows is a real zero
    assert result.counts == {"rows read": 9, "rows without location": 1, "rows outside the force": 1}
    assert set(frame["status"]) == {"published"} and set(frame["period"]) == {"month"}
    assert len(frame) == 2 * len(ingest.POLICE_UK_CATEGORIES)


def test_police_uk_without_a_force_keeps_every_force(street_files):
    frame = ingest.police_uk([street_files[0]]).observations
    assert _value(frame, "burglary", "2018-01-01", "Kent") == 1
    assert _value(frame, "burglary", "2018-01-01", "Essex") == 4


def test_police_uk_accepts_globs(street_files, tmp_path):
    frame = ingest.police_uk([str(tmp_path / "20*" / "*-street.csv")], force="Essex").observations
    assert _value(frame, "burglary", "2018-01-01") == 4


def test_police_uk_bad_input_names_file_line_and_field(tmp_path):
    bad_month = _street_file(tmp_path / "a-street.csv", STREET_HEADER,
                             _street_rows("2018-01", "Essex Police", ["Burglary"]) + _street_rows("Jan 2018", "Essex Police", ["Burglary"]))
    with pytest.raises(IngestError, match=r"a-street.csv, line 3, field 'Month': got 'Jan 2018'"):
        ingest.police_uk([bad_month])
    bad_type = _street_file(tmp_path / "b-street.csv", STREET_HEADER, _street_rows("2018-01", "Essex Police", ["Violent crime"]))
    with pytest.raises(IngestError, match=r"b-street.csv, line 2, field 'Crime type': unknown crime type 'Violent crime'"):
        ingest.police_uk([bad_type])
    no_column = _street_file(tmp_path / "c-street.csv", STREET_HEADER.replace("Crime type", "Category"),
                             _street_rows("2018-01", "Essex Police", ["Burglary"]))
    with pytest.raises(IngestError, match=r"c-street.csv, line 1, field 'Crime type': missing column"):
        ingest.police_uk([no_column])
    good = _street_file(tmp_path / "d-street.csv", STREET_HEADER, _street_rows("2018-01", "Essex Police", ["Burglary"]))
    with pytest.raises(IngestError, match="no rows for force 'Surrey'; found: Essex Police"):
        ingest.police_uk([good], force="Surrey")
    with pytest.raises(IngestError, match="no file matches"):
        ingest.police_uk([str(tmp_path / "missing" / "*.csv")])


COLLISION_HEADER = "accident_index,accident_year,police_force,accident_severity,date,time"
CASUALTY_HEADER = "accident_index,vehicle_reference,casualty_reference,casualty_severity,casualty_adjusted_severity_serious"


def _stats19_files(tmp_path, collisions, casualties, collision_header=COLLISION_HEADER, casualty_header=CASUALTY_HEADER):
    first = tmp_path / "collisions.csv"
    first.write_text("\n".join([collision_header, *collisions]) + "\n")
    second = tmp_path / "casualties.csv"
    second.write_text("\n".join([casualty_header, *casualties]) + "\n")
    return first, second


def test_stats19_monthly_casualties_by_severity_for_a_force(tmp_path):
    collisions, casualties = _stats19_files(
        tmp_path,
        ["A1,2023,42,1,03/01/2023,08:00", "A2,2023,42,2,28/01/2023,09:00", "A3,2023,42,3,01/02/2023,10:00",
         "B1,2023,46,1,05/01/2023,11:00"],
        ["A1,1,1,1,0", "A1,1,2,2,1", "A2,1,1,2,1", "A2,2,1,3,0.4", "A3,1,1,3,0.25", "B1,1,1,1,0"])
    result = ingest.stats19(collisions, casualties, force=42)
    frame = result.observations
    assert _value(frame, "ksi_casualties", "2023-01-01") == 3
    assert _value(frame, "ksi_fatal", "2023-01-01") == 1
    assert _value(frame, "ksi_serious", "2023-01-01") == 2
    assert _value(frame, "ksi_casualties", "2023-02-01") == 0
    adjusted = frame[(frame["measure"] == "ksi_adjusted") & (frame["period_start"] == "2023-01-01")]["value"]
    assert adjusted.iloc[0] == pytest.approx(1 + 1 + 1 + 0.4)  # fatal plus adjusted serious
    assert result.counts == {"casualties read": 6, "casualties in the force": 5}


def test_stats19_months_without_adjusted_severities_get_no_adjusted_figure(tmp_path):
    """The long 1979-to-date files leave the adjustment blank before 2004: no adjusted KSI
    there, rather than a figure that silently counts only the fatalities."""
    collisions, casualties = _stats19_files(
        tmp_path, ["A1,2003,42,2,10/12/2003,08:00", "A2,2004,42,2,10/01/2004,08:00"],
        ["A1,1,1,2,", "A2,1,1,2,0.9"])
    frame = ingest.stats19(collisions, casualties, force=42).observations
    assert _value(frame, "ksi_casualties", "2003-12-01") == 1
    assert frame[frame["measure"] == "ksi_adjusted"]["period_start"].tolist() == ["2004-01-01"]


def test_stats19_reads_current_collision_column_names(tmp_path):
    collisions, casualties = _stats19_files(
        tmp_path, ["A1,2024,13,2,21/05/2024,15:30"], ["A1,1,1,2,1"],
        COLLISION_HEADER.replace("accident", "collision"), CASUALTY_HEADER.replace("accident", "collision"))
    frame = ingest.stats19(collisions, casualties, force=13).observations
    assert _value(frame, "ksi_serious", "2024-05-01", "West Yorkshire") == 1


def test_stats19_bad_input_is_named(tmp_path):
    collisions, casualties = _stats19_files(tmp_path, ["A1,2023,42,1,2023-01-03,08:00"], ["A1,1,1,1,0"])
    with pytest.raises(IngestError, match=r"collisions.csv, line 2, field 'date': got '2023-01-03'"):
        ingest.stats19(collisions, casualties, force=42)
    collisions, casualties = _stats19_files(tmp_path, ["A1,2023,42,1,03/01/2023,08:00"], ["A1,1,1,1,0"],
                                            COLLISION_HEADER.replace("date", "day"))
    with pytest.raises(IngestError, match=r"collisions.csv, line 1, field 'date': missing column"):
        ingest.stats19(collisions, casualties, force=42)
    collisions, casualties = _stats19_files(tmp_path, ["A1,2023,42,1,03/01/2023,08:00"], ["A9,1,1,1,0"])
    with pytest.raises(IngestError, match="casualty of collision A9 has no collision"):
        ingest.stats19(collisions, casualties, force=42)
    collisions, casualties = _stats19_files(tmp_path, ["A1,2023,13,1,03/01/2023,08:00"], ["A1,1,1,1,0"])
    with pytest.raises(IngestError, match=r"no casualties for police force 42 \(Essex\); forces in the file: 13 \(West Yorkshire\)"):
        ingest.stats19(collisions, casualties, force=42)


HOME_OFFICE_HEADER = ["Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
                      "Offence Subgroup", "Offence Code", "Number of Offences"]
HOME_OFFICE_ROWS = [
    ["2016/17", 4, "Essex", "Burglary in a dwelling", "Theft offences", "Domestic burglary", "28A", 2100],
    ["2016/17", 4, "Essex", "Burglary in a building other than a dwelling", "Theft offences", "Non-domestic burglary", "30A", 900],
    ["2018/19", 1, "Essex", "Residential burglary of a home", "Theft offences", "Residential burglary", "28E", 2000],
    ["2018/19", 1, "Essex", "Burglary business and community", "Theft offences", "Business and community burglary", "30C", 700],
    ["2018/19", 1, "Essex", "Shoplifting", "Theft offences", "Shoplifting", "46", "1,234"],
    ["2018/19", 1, "Kent", "Shoplifting", "Theft offences", "Shoplifting", "46", 999],
    ["2018/19", 1, "Essex", "Murder", "Violence against the person", "Homicide", "1", 3],
    ["2018/19", 1, "Essex", "Robbery of business property", "Robbery", "Robbery of business property", "34A", 40],
    ["2018/19", 1, "Essex", "Robbery of personal property", "Robbery", "Robbery of personal property", "34B", 310],
]


def _check_home_office(frame):
    assert _value(frame, "residential_burglary", "2017-01-01") == 2100
    assert _value(frame, "burglary", "2017-01-01") == 3000
    assert _value(frame, "residential_burglary", "2018-04-01") == 2000
    assert _value(frame, "burglary", "2018-04-01") == 2700
    assert _value(frame, "shoplifting", "2018-04-01") == 1234
    assert _value(frame, "homicide", "2018-04-01") == 3 and _value(frame, "robbery", "2018-04-01") == 350
    assert set(frame["period"]) == {"quarter"} and set(frame["geography"]) == {"Essex"}


def test_home_office_csv_maps_both_burglary_schemes(tmp_path):
    path = tmp_path / "prc.csv"
    pd.DataFrame(HOME_OFFICE_ROWS, columns=HOME_OFFICE_HEADER).to_csv(path, index=False)
    _check_home_office(ingest.home_office(path, "Essex").observations)


def test_home_office_ods_finds_the_data_sheet_under_its_title_rows(tmp_path):
    path = tmp_path / "prc.ods"
    write_ods(path, {"Notes": [["About these tables"]],
                     "Data": [["Police recorded crime by force"], [], HOME_OFFICE_HEADER, *HOME_OFFICE_ROWS]})
    _check_home_office(ingest.home_office(path, "Essex Police").observations)


def test_home_office_bad_input_is_named(tmp_path):
    path = tmp_path / "prc.csv"
    rows = HOME_OFFICE_ROWS[:2] + [["2018/19", 1, "Essex", "Shoplifting", "Theft", "Shoplifting", "46", "n/a"]]
    pd.DataFrame(rows, columns=HOME_OFFICE_HEADER).to_csv(path, index=False)
    with pytest.raises(IngestError, match=r"prc.csv, line 4, field 'Number of Offences': got 'n/a'"):
        ingest.home_office(path, "Essex")
    pd.DataFrame(HOME_OFFICE_ROWS, columns=HOME_OFFICE_HEADER).drop(columns="Force Name").to_csv(path, index=False)
    with pytest.raises(IngestError, match=r"field 'Force Name': missing column"):
        ingest.home_office(path, "Essex")


ROLLING_HEADER = ["12 months ending", "PFA", "Region", "Offence", "Rolling year total number of offences"]
ROLLING_ROWS = [
    ["31-12-2016", "Essex", "East", "Domestic burglary", 7100], ["31-12-2016", "Essex", "East", "Non-domestic burglary", 6100],
    ["31-12-2016", "Essex", "East", "Robbery", 1400], ["31-12-2016", "Essex", "East", "Fraud offences", 50],
    ["31-03-2018", "Essex", "East", "Domestic burglary", 0], ["31-03-2018", "Essex", "East", "Residential burglary", 9251],
    ["31-03-2018", "Essex", "East", "Non-residential burglary", 3568], ["31-03-2018", "Essex", "East", "Robbery", 1510],
    ["31-03-2018", "City of London", "London", "Robbery", 30], ["31-03-2018", "Action Fraud", "", "Action Fraud", 9000],
]


def test_the_rolling_table_gives_each_force_twelve_months_ending_every_quarter(tmp_path):
    path = tmp_path / "rec-crime-pfa.csv"
    pd.DataFrame(ROLLING_ROWS, columns=ROLLING_HEADER).to_csv(path, index=False)
    frame = ingest.home_office(path, "all").observations
    assert set(frame["period"]) == {"year"}  # 12 months from the start: January to December 2016
    assert _value(frame, "burglary", "2016-01-01") == 13200 and _value(frame, "residential_burglary", "2016-01-01") == 7100
    assert _value(frame, "total_recorded_crime", "2016-01-01") == 14600  # fraud is not counted
    assert _value(frame, "residential_burglary", "2017-04-01") == 9251 and _value(frame, "robbery", "2017-04-01") == 1510
    assert set(frame["geography"]) == {"Essex", "City of London"}  # by either of its names; Action Fraud left out


@pytest.mark.parametrize("cell, row, field, message", [
    ("2018-03-31", 0, "12 months ending", r"line 2, field '12 months ending': got '2018-03-31': expected the last day "
                                          "of a quarter"),
    ("30-04-2018", 0, "12 months ending", "got '30-04-2018'"),
    ("-20", 2, "Rolling year total number of offences", r"line 4, field 'Rolling year total number of offences': "
                                                          "robbery for the year from 2016-01-01 sums to -20"),
])
def test_a_bad_rolling_table_row_is_named(tmp_path, cell, row, field, message):
    rows = [list(r) for r in ROLLING_ROWS]
    rows[row][ROLLING_HEADER.index(field)] = cell
    path = tmp_path / "rec-crime-pfa.csv"
    pd.DataFrame(rows, columns=ROLLING_HEADER).to_csv(path, index=False)
    with pytest.raises(IngestError, match=message):
        ingest.home_office(path, "Essex")


WORKFORCE_HEADER = ["date", "geo_code", "force_name", "region", "sex", "rank_description", "worker_type",
                    "total_headcount", "total_fte"]
WORKFORCE_ROWS = [
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Female", "Constable", "police officer", 700, 650.5],
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Male", "Constable", "police officer", 1500, 1480.25],
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Male", "Sergeant", "police officer", 300, 299.25],
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Male", "Special Constable", "special constable", 250, 0],
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Male", "Police Staff", "police staff", 1200, 1100],
    ["2018-03-01", "E23000036", "Avon & Somerset", "South West", "Male", "Designated Escort Officer (S.38)",
     "designated officer", 40, 40],
    ["2018-03-01", "E23000034", "London, City of", "London", "Male", "Constable", "police officer", 500, 495],
]


def test_the_workforce_table_gives_officers_staff_and_specials_at_31_march(tmp_path):
    path = tmp_path / "police-workforce-by-force.csv"
    pd.DataFrame(WORKFORCE_ROWS, columns=WORKFORCE_HEADER).to_csv(path, index=False)
    frame = ingest.workforce(path, "all").observations
    assert set(frame["period"]) == {"snapshot"} and set(frame["period_start"]) == {"2018-03-31"}
    avon = frame[frame["geography"] == "Avon and Somerset"].set_index("measure")["value"]
    assert avon["officer_fte"] == 2430.0 and avon["police_staff_fte"] == 1100  # designated officers are not staff
    assert avon["special_constables"] == 250  # a headcount: specials have no FTE
    assert set(frame["geography"]) == {"Avon and Somerset", "City of London"}
    assert set(ingest.workforce(path, "City of London Police", "London").observations["geography"]) == {"London"}


@pytest.mark.parametrize("column, cell, message", [
    ("force_name", "Avalon", r"line 3, field 'force_name': 'Avalon' is not a police force of England and Wales"),
    ("total_fte", "n/a", r"line 3, field 'total_fte': got 'n/a': expected a number of people"),
    ("date", "March 2018", r"line 3, field 'date': got 'March 2018': expected a date YYYY-MM-DD"),
])
def test_a_bad_workforce_row_is_named(tmp_path, column, cell, message):
    rows = [list(r) for r in WORKFORCE_ROWS]
    rows[1][WORKFORCE_HEADER.index(column)] = cell
    path = tmp_path / "workforce.csv"
    pd.DataFrame(rows, columns=WORKFORCE_HEADER).to_csv(path, index=False)
    with pytest.raises(IngestError, match=message):
        ingest.workforce(path, "all")


def test_cli_writes_observations_the_data_loader_accepts(street_files, tmp_path, capsys):
    out = tmp_path / "out" / "police-uk.csv"
    assert commands.main(["ingest", "police-uk", str(street_files[0]), "--force", "Essex Police", "--out", str(out)]) == 0
    assert "rows read 7, rows without location 1, rows outside the force 1" in capsys.readouterr().out
    written = pd.read_csv(out)
    assert list(written.columns) == list(OBSERVATION_COLUMNS)
    assert written[written["measure"] == "burglary"]["value"].tolist() == [4]
    assert commands.main(["ingest", "stats19", "--collisions", str(tmp_path / "none.csv"), "--casualties",
                     str(tmp_path / "none.csv"), "--out", str(out)]) == 2


# ----------------------------------------------------------------------------- the real files

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is not beside the project")


@needs_real
def test_real_police_uk_essex_months():
    result = ingest.police_uk([REAL / "police-uk"], force="Essex Police")
    frame = result.observations
    january = frame[frame["period_start"] == "2018-01-01"]
    assert january["value"].sum() == 14786
    assert _value(frame, "burglary", "2018-01-01") == 1091
    assert _value(frame, "burglary", "2019-11-01") == 928
    assert result.counts["rows outside the force"] == 0


@needs_real
def test_real_stats19_west_yorkshire_2024():
    folder = REAL / "stats19-west-yorkshire-2024"
    result = ingest.stats19(folder / "accidents.csv", folder / "casualties.csv", force=13)
    assert result.counts["casualties read"] == 5240 == result.counts["casualties in the force"]
    casualties = pd.read_csv(folder / "casualties.csv", usecols=["casualty_severity"])
    frame = result.observations
    assert frame[frame["measure"] == "ksi_casualties"]["value"].sum() == int((casualties["casualty_severity"] < 3).sum())
    assert frame["period_start"].nunique() == 12


@needs_real
def test_real_home_office_2017_18_essex_domestic_burglary():
    frame = ingest.home_office(REAL / "home-office-prc" / "prc-pfa-mar2013-onwards-tables201718.csv", "Essex").observations
    assert _value(frame, "residential_burglary", "2017-04-01") == 2196
    # the year's four quarters add up to the Home Office's rolling 12 months ending March 2018
    # (shared/realdata README: robbery 1,510; violence with injury 13,722 in that later release,
    # 13,760 in this one: recorded crime is revised between releases)
    year = frame.groupby("measure")["value"].sum()
    assert year["robbery"] == 1510 and abs(year["violence_with_injury"] - 13722) < 0.01 * 13722
    assert year["homicide"] > 0


@needs_real
def test_real_rolling_table_holds_every_force_from_2002_03_and_agrees_with_the_readme():
    frame = ingest.home_office(REAL / "home-office-prc-pfa-rolling" / "rec-crime-pfa.csv", "all").observations
    assert frame["geography"].nunique() == 43
    assert (frame["period_start"].min(), frame["period_start"].max()) == ("2002-04-01", "2018-01-01")
    essex = frame[(frame["geography"] == "Essex") & (frame["period_start"] == "2017-04-01")]
    assert {m: int(v) for m, v in zip(essex["measure"], essex["value"])
            if m in ("violence_with_injury", "residential_burglary", "robbery")} == {
        "violence_with_injury": 13722, "residential_burglary": 9251, "robbery": 1510}


@needs_real
def test_real_workforce_table_holds_every_force_each_march_from_2007():
    frame = ingest.workforce(REAL / "home-office-workforce" / "police-workforce-by-force.csv", "all").observations
    assert frame["geography"].nunique() == 43 and frame["period_start"].nunique() == 16
    essex = frame[(frame["geography"] == "Essex") & (frame["period_start"] == "2018-03-31")].set_index("measure")
    rows = pd.read_csv(REAL / "home-office-workforce" / "police-workforce-by-force.csv")
    chosen = rows[(rows["force_name"] == "Essex") & (rows["date"] == "2018-03-01")]
    assert essex.loc["officer_fte", "value"] == round(chosen.loc[chosen["worker_type"] == "police officer",
                                                                 "total_fte"].sum(), 2)
    assert essex.loc["special_constables", "value"] == chosen.loc[chosen["worker_type"] == "special constable",
                                                                   "total_headcount"].sum()


# ----------------------------------------------------------------------------- using the extracts


def test_an_extract_replaces_the_bundled_series_of_its_measure_only(street_files, data_copy, dataset):
    ingest.write_observations(ingest.police_uk([street_files[0]], force="Essex").observations,
                              data_copy / "extracts" / "police-uk.csv")
    loaded = contracts.load(data_copy)
    burglary = loaded.monthly("burglary", dt.date(2024, 3, 31))
    assert burglary["value"].tolist() == [4] and burglary["source"].tolist() == ["police.uk street-level crime"]
    assert burglary["status"].tolist() == ["published"]
    assert len(loaded.monthly("residential_burglary", dt.date(2024, 3, 31))) == len(
        dataset.monthly("residential_burglary", dt.date(2024, 3, 31)))  # not in the extract: unchanged
    assert loaded.value("burglary", dt.date(2015, 4, 1), 12).amount == 13032  # the published figure stays


def test_charts_and_tables_name_the_extract_as_the_source(street_files, data_copy):
    ingest.write_observations(ingest.police_uk([street_files[0]], force="Essex").observations,
                              data_copy / "extracts" / "police-uk.csv")
    loaded = contracts.load(data_copy)
    measure = loaded.measures["burglary"]
    chart = figures.trend_chart(measure, loaded.monthly("burglary", dt.date(2018, 3, 31)), Quarter.parse("2017-18-Q4"))
    texts = [t.get_text() for t in chart.figure.texts + chart.figure.axes[0].texts]
    assert "Source: police.uk street-level crime. Published figures." in texts
    assert "MODELLED DATA" not in texts


def test_the_data_folder_is_the_option_else_the_project_setting_else_data(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    project.mkdir()
    assert settings.data_folder(project) == project / "data"
    (project / "_config.yml").write_text("title: x\npcpbook:\n  data: ../force-data\n")
    assert settings.data_folder(project) == tmp_path / "force-data"
    assert settings.data_folder(project, "elsewhere") == Path("elsewhere").resolve()
    shutil.copytree(DATA, tmp_path / "force-data")
    monkeypatch.chdir(project)
    assert commands.main(["validate"]) == 0
    assert capsys.readouterr().out.startswith(f"{tmp_path / 'force-data'}: valid")


def test_a_bad_extract_is_refused_with_its_file_and_line(data_copy):
    folder = data_copy / "extracts"
    folder.mkdir()
    (folder / "mine.csv").write_text(",".join(OBSERVATION_COLUMNS) + "\n"
                                     "burglary,Essex,2018-01-01,month,-3,police.uk,published\n")
    with pytest.raises(contracts.DataError, match=r"mine.csv, line 2, field 'value'"):
        contracts.load(data_copy)


# ----------------------------------------------------------------------------- hostile or broken input


def test_a_zip_member_is_read_by_name_and_never_joined_to_a_path(tmp_path):
    """A member named ../../x-street.csv (or absolute) is the archive's own rows, not a file
    two folders above the extraction folder."""
    planted = tmp_path / "x-street.csv"  # what a joined path would reach
    _street_file(planted, STREET_HEADER, _street_rows("2018-01", "Essex Police", ["Burglary"] * 9))
    archive = tmp_path / "archive" / "2018-02.zip"
    archive.parent.mkdir()
    def inside(month):
        return "\r\n".join([STREET_HEADER, *_street_rows(month, "Essex Police", ["Burglary"])]) + "\r\n"

    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../x-street.csv", inside("2018-02"))
        handle.writestr("/abs/y-street.csv", inside("2018-03"))
    frame = ingest.police_uk([archive], force="Essex Police").observations
    burglary = frame[frame["measure"] == "burglary"]
    assert burglary[["period_start", "value"]].values.tolist() == [["2018-02-01", 1], ["2018-03-01", 1]]


def test_a_street_file_with_only_a_header_is_named(tmp_path):
    path = _street_file(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, [])
    with pytest.raises(IngestError, match=r"2018-01-essex-street.csv, line 2: the file has a header and no rows"):
        ingest.police_uk([path])


def test_stats19_two_digit_years_are_refused(tmp_path):
    collisions, casualties = _stats19_files(tmp_path, ["A1,2023,42,1,03/09/23,08:00"], ["A1,1,1,1,0"])
    with pytest.raises(IngestError, match=r"collisions.csv, line 2, field 'date': got '03/09/23'"):
        ingest.stats19(collisions, casualties, force=42)


@pytest.mark.parametrize("header, rows, name, message", [
    (WORKFORCE_HEADER, WORKFORCE_ROWS + [WORKFORCE_ROWS[1]], "workforce", r"line 9: repeats line 3 \(date '2018-03-01'"),
    (ROLLING_HEADER, ROLLING_ROWS + [ROLLING_ROWS[2]], "rolling", r"line 12: repeats line 4 \(12 months ending "
                                                                  r"'31-12-2016', PFA 'Essex', Offence 'Robbery'\)"),
])
def test_a_row_given_twice_is_refused_not_counted_twice(tmp_path, header, rows, name, message):
    path = tmp_path / f"{name}.csv"
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    adapter = ingest.workforce if name == "workforce" else ingest.home_office
    with pytest.raises(IngestError, match=message):
        adapter(path, "all")


@pytest.mark.parametrize("rows, header, field", [(HOME_OFFICE_ROWS, HOME_OFFICE_HEADER, "Offence Subgroup"),
                                                 (ROLLING_ROWS, ROLLING_HEADER, "Offence")])
def test_an_offence_the_tables_do_not_publish_is_refused_not_counted_in_the_total(tmp_path, rows, header, field):
    rows = [list(r) for r in rows]
    rows[2][header.index(field)] = "Robery"
    path = tmp_path / "table.csv"
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    with pytest.raises(IngestError, match=rf"table.csv, line 4, field '{field}': unknown offence 'Robery' "
                                          r"\(did you mean 'Robbery'\?\)"):
        ingest.home_office(path, "Essex")
