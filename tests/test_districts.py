"""Where in the force area: districts as data, their figures summing to the force's, a page per
edition with tests and a funnel, and small counts of sensitive measures withheld everywhere."""

import datetime as dt
import json
import re

import pandas as pd
import pytest
import yaml

from conftest import DATA, page_text
from pcpbook import contracts
from pcpbook.analysis.districts import quarter_tables
from pcpbook.contracts.catalogue import read_areas
from pcpbook.contracts.problems import Problem
from pcpbook.core.periods import Quarter
from pcpbook.sources import ingest

QUARTER = "2023-24-Q4"
ESSEX_DISTRICTS = ("Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester", "Epping Forest",
                   "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford", "Southend-on-Sea", "Thurrock")


def _areas(tmp_path, **changes):
    areas = yaml.safe_load((DATA / "areas.yaml").read_text(encoding="utf-8"))
    areas.update(changes)
    path = tmp_path / "areas.yaml"
    path.write_text(yaml.safe_dump(areas, sort_keys=False), encoding="utf-8")
    problems: list[Problem] = []
    return read_areas(path, problems), problems


def test_the_bundled_areas_are_essex_fourteen_districts_in_three_local_policing_areas(dataset):
    areas = dataset.areas
    assert sorted(d.name for d in areas.districts) == sorted(ESSEX_DISTRICTS)
    assert {name: len(members) for name, members in areas.groups().items()} == {"North": 6, "South": 4, "West": 4}


@pytest.mark.parametrize("change, field, message", [
    ({"code": "E07000071", "name": "Colchester", "group": "North"}, "code", "district code 'E07000071' is given twice: first at line"),
    ({"code": "E07000999", "name": "colchester", "group": "North"}, "name", "district name 'colchester' is given twice: first at line"),
    ({"code": "../../etc", "name": "Elsewhere", "group": "North"}, "code", "E07000066"),
    ({"code": "E07000999", "name": "Nowhere", "group": "North", "lpa": "North"}, "lpa", "unknown field 'lpa'"),
])
def test_a_district_listed_wrongly_is_refused_naming_the_field(tmp_path, change, field, message):
    districts = yaml.safe_load((DATA / "areas.yaml").read_text(encoding="utf-8"))["districts"] + [change]
    areas, problems = _areas(tmp_path, districts=districts)
    assert areas is None and problems
    assert any(field in (p.field or "") and message in p.message for p in problems), problems


def test_districts_are_all_grouped_or_none_are(tmp_path):
    districts = yaml.safe_load((DATA / "areas.yaml").read_text(encoding="utf-8"))["districts"]
    del districts[0]["group"]
    areas, problems = _areas(tmp_path, districts=districts)
    assert areas is None and "either every district has a group or none has" in problems[0].message


def test_the_modelled_districts_sum_to_the_force_in_every_month(dataset):
    rows = dataset.observations
    codes = [d.code for d in dataset.areas.districts]
    districts = rows[rows["geography"].isin(codes)]
    assert set(districts["status"]) == {"modelled"}
    sums = districts.groupby(["measure", "period_start"])["value"].sum()
    force = rows[(rows["geography"] == "Essex") & (rows["period"] == "month") & (rows["status"] == "modelled")]
    force = force.set_index(["measure", "period_start"])
    assert len(sums) == 5 * 132
    assert (force.loc[sums.index, "value"] == sums).all()
    assert districts.groupby("measure")["geography"].nunique().eq(14).all()


def test_an_observation_for_a_district_the_areas_do_not_list_is_refused(data_copy):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("residential_burglary,E07000999,2023-04-01,month,12,a typo,modelled\n")
    lines = len((data_copy / "observations.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(contracts.DataError, match=rf"observations.csv, line {lines}, field 'geography': "
                                                  r"'E07000999' is not a district of areas.yaml"):
        contracts.load(data_copy)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return page_text("districts", {"quarter": QUARTER, "data_dir": str(DATA)},
                     tmp_path_factory.mktemp("districts")).replace("\\", "")


def test_the_2023_24_q4_page_names_every_district_by_local_policing_area(page):
    for name in ESSEX_DISTRICTS:
        assert f"| {name} | " in page
    for group in ("North", "South", "West"):
        assert f"| **{group}** (local policing area) |" in page
    assert "| **Essex** (force) | 1,149 | 1,101 |" in page  # residential burglary, the force's figures


def test_the_page_says_which_districts_lie_outside_the_funnel_and_tests_every_change_together(page):
    assert ("Residential burglary in the quarter January to March 2024, per 1,000 residents: Harlow (1.20) is above the "
            "99.8% limits around the districts taken together (0.60)") in page
    assert re.search(r"none of the 14 districts tested changed by more than its usual variation would explain, with the "
                     r"\d+ district comparisons of this page taken together", page)
    assert "the districts' changes are not compared, because what the series counts changed on 1 May 2023" in page


def test_the_page_states_the_small_numbers_rule_and_labels_modelled_data(page):
    assert 'a district\'s count below 5 is shown as "fewer than 5"' in page
    assert page.count("· *modelled data*") == 5


def _plant_small_maldon(data_copy):
    """Maldon (North) with 1 rape or sexual offence in each month of 2023/24 Q4: 3, below 5; the
    rest moved to Colchester, so the districts still sum to the force."""
    path = data_copy / "observations.csv"
    frame = pd.read_csv(path, dtype=str)
    months = ["2024-01-01", "2024-02-01", "2024-03-01"]
    for month in months:
        maldon = (frame["measure"] == "rape_sexual_offences") & (frame["geography"] == "E07000074") & (
            frame["period_start"] == month)
        colchester = (frame["measure"] == "rape_sexual_offences") & (frame["geography"] == "E07000071") & (
            frame["period_start"] == month)
        moved = int(frame.loc[maldon, "value"].iloc[0]) - 1  # moved to Colchester, so the districts still sum
        frame.loc[maldon, "value"] = "1"
        frame.loc[colchester, "value"] = str(int(frame.loc[colchester, "value"].iloc[0]) + moved)
    frame.to_csv(path, index=False)


def test_planted_small_counts_are_withheld_with_a_second_count_that_would_give_them_away(data_copy, tmp_path):
    _plant_small_maldon(data_copy)
    dataset = contracts.load(data_copy)
    table = quarter_tables(dataset, Quarter.parse(QUARTER))["rape_sexual_offences"]
    hidden = {p.name: p.hidden for p in table.districts if p.hidden}
    north = [p for p in table.districts if p.district.group == "North" and p.name != "Maldon"]
    smallest = min(north, key=lambda p: p.now).name
    assert hidden == {"Maldon": "primary", smallest: "secondary"}
    text = page_text("districts", {"quarter": QUARTER, "data_dir": str(data_copy)}, tmp_path / "page").replace("\\", "")
    assert "| Maldon | fewer than 5 |" in text and f"| {smallest} | withheld |" in text
    maldon_row = next(line for line in text.splitlines() if line.startswith("| Maldon |") and "fewer than" in line)
    assert re.fullmatch(r"\| Maldon \| fewer than 5 \| [0-9,]+ \| – \| – \|", maldon_row)
    charts = list((tmp_path / "page" / "figures").glob("*rape_sexual_offences*.csv"))
    assert charts and all("Maldon" not in pd.read_csv(c)["series"].tolist() for c in charts)
    assert all(smallest not in pd.read_csv(c)["series"].tolist() for c in charts)
    assert "The districts' months are not drawn: some districts have months of fewer than 5" in text


def test_without_groups_the_force_total_is_the_sum_a_withheld_district_is_protected_against(data_copy):
    _plant_small_maldon(data_copy)
    areas = yaml.safe_load((data_copy / "areas.yaml").read_text(encoding="utf-8"))
    areas["districts"] = [{"code": d["code"], "name": d["name"]} for d in areas["districts"]]
    (data_copy / "areas.yaml").write_text(yaml.safe_dump(areas, sort_keys=False), encoding="utf-8")
    table = quarter_tables(contracts.load(data_copy), Quarter.parse(QUARTER))["rape_sexual_offences"]
    smallest = min((p for p in table.districts if p.name != "Maldon"), key=lambda p: p.now).name
    assert table.groups == () and {p.name: p.hidden for p in table.districts if p.hidden} == {
        "Maldon": "primary", smallest: "secondary"}


def test_a_group_named_as_one_of_its_districts_is_not_taken_for_it(data_copy):
    _plant_small_maldon(data_copy)
    text = (data_copy / "areas.yaml").read_text(encoding="utf-8").replace("group: North", "group: Colchester")
    (data_copy / "areas.yaml").write_text(text, encoding="utf-8")
    table = quarter_tables(contracts.load(data_copy), Quarter.parse(QUARTER))["rape_sexual_offences"]
    group = next(g for g in table.groups if g.name == "Colchester")
    assert not group.hidden and group.now == sum(p.now for p in table.members("Colchester"))
    smallest = min((p for p in table.members("Colchester") if p.name != "Maldon"), key=lambda p: p.now).name
    assert {p.name for p in table.districts if p.hidden} == {"Maldon", smallest}


def test_a_page_without_areas_says_how_to_add_them(data_copy, tmp_path):
    (data_copy / "areas.yaml").unlink()
    observations = pd.read_csv(data_copy / "observations.csv", dtype=str)
    observations[~observations["geography"].str.match(r"E0[67]")].to_csv(data_copy / "observations.csv", index=False)
    text = page_text("districts", {"quarter": QUARTER, "data_dir": str(data_copy)}, tmp_path)
    assert "This project lists no districts" in text and "areas.yaml" in text


def test_the_district_tables_sum_each_local_policing_area(dataset):
    table = quarter_tables(dataset, Quarter.parse(QUARTER))["violence_with_injury"]
    for group in table.groups:
        assert group.now == sum(p.now for p in table.members(group.name))
    assert sum(g.now for g in table.groups) == table.force_now.amount and table.unplaced is None
    assert table.window.start == dt.date(2024, 1, 1)


def _chapter(priority, folder):
    return page_text("priority", {"plan": "2021-2024", "priority": priority, "quarter": QUARTER, "data_dir": str(DATA)},
                     folder).replace("\\", "")


def test_a_chapter_names_a_district_only_where_a_test_says_it_stands_out(tmp_path):
    assert ("By district, residential burglary in the quarter January to March 2024: Harlow's rate per 1,000 residents "
            "(1.20) is above the usual spread between districts ([where in the force area](../districts.ipynb)).") in \
        _chapter(1, tmp_path)
    # violence with injury (priority 2): no district outside the funnel, no change beyond usual variation: no sentence
    violence = _chapter(2, tmp_path)
    assert "Violence with injury" in violence and "By district" not in violence


# ----------------------------------------------------------------------------- police.uk by district

REAL = DATA.parent.parent / "shared" / "realdata" / "police-uk"
STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")
ESSEX_CODES = {d["name"]: d["code"] for d in yaml.safe_load((DATA / "areas.yaml").read_text(encoding="utf-8"))["districts"]}


def _row(lsoa, kind, located=True):
    place = "0.9,51.9,On or near High Street" if located else ",,No location"
    return f"id,2024-01,Essex Police,Essex Police,{place},E01,{lsoa},{kind},Under investigation,"


def test_each_street_row_counts_in_its_district_and_rows_with_none_in_the_force_only(tmp_path):
    rows = ([_row("Colchester 012A", "Burglary")] * 3 + [_row("Colchester 001B", "Drugs")]
            + [_row("Castle Point 004C", "Burglary")] + [_row("Babergh 007B", "Burglary")]  # outside the districts
            + [_row("", "Burglary", located=False)])
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_text("\r\n".join([STREET_HEADER, *rows]) + "\r\n", encoding="utf-8")
    result = ingest.police_uk([path], force="Essex Police", geography="Essex", districts=ESSEX_CODES)
    frame = result.observations.set_index(["measure", "geography"])["value"]
    assert frame[("burglary", "E07000071")] == 3 and frame[("drug_offences", "E07000071")] == 1
    assert frame[("burglary", "E07000069")] == 1 and frame[("burglary", "E07000074")] == 0  # Maldon: a real zero
    assert frame[("burglary", "Essex")] == 6  # Babergh's and the row without a location count for the force only
    assert result.counts["rows placed in a district"] == 5 and result.counts["rows in no listed district"] == 2


def _hand_counts(path):
    """Rows per district (the LSOA name less its last word) and crime type, read with the csv module."""
    import collections
    import csv
    counts = collections.Counter()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            district = row["LSOA name"].rsplit(" ", 1)[0] if row["LSOA name"] else ""
            counts[(district, row["Crime type"])] += 1
    return counts


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is not beside the project")
def test_real_police_uk_district_counts_equal_counts_made_by_hand_and_sum_to_the_force():
    from pcpbook.sources.police_uk import POLICE_UK_CATEGORIES
    result = ingest.police_uk([REAL], force="Essex Police", geography="Essex", districts=ESSEX_CODES)
    frame = result.observations.set_index(["measure", "geography", "period_start"])["value"]
    unplaced_total = 0
    for path in sorted(REAL.glob("*/*-street.csv")):
        month = path.parent.name + "-01"
        hand = _hand_counts(path)
        for kind, measure in POLICE_UK_CATEGORIES.items():
            for name, code in ESSEX_CODES.items():
                assert frame[(measure, code, month)] == hand[(name, kind)], (path.name, name, kind)
            placed = sum(frame[(measure, code, month)] for code in ESSEX_CODES.values())
            unplaced_total += frame[(measure, "Essex", month)] - placed
            assert frame[(measure, "Essex", month)] == placed + sum(n for (d, k), n in hand.items()
                                                                     if k == kind and d not in ESSEX_CODES)
    assert result.counts["rows in no listed district"] == unplaced_total > 0


def test_the_closure_review_compares_each_district_end_year_with_the_baseline_year(tmp_path):
    text = page_text("closure-districts", {"plan": "2016-2021", "data_dir": str(DATA)}, tmp_path).replace("\\", "")
    for name in ESSEX_DISTRICTS:
        assert f"| {name} | " in text
    assert "| Area | 12 months to March 2022 | 12 months to March 2016 |" in text
    assert re.search(r"Total recorded crime, against the 12 months to March 2016: every one of the 14 districts rose, "
                     r"by [0-9.]+% in Uttlesford to [0-9.]+% in Southend-on-Sea, more than each district's usual "
                     "variation would explain", text)


# ----------------------------------------------------------------------------- districts from public data

LAD_HEADER = "ladcode19,laname19,year,population"


def test_a_project_lists_its_districts_from_its_police_uk_rows_and_the_ons_table(tmp_path, capsys):
    from pcpbook.cli import commands
    project = tmp_path / "kent"
    assert commands.main(["init", str(project), "--force", "Kent"]) == 0
    rows = ([_row("Maidstone 001A", "Burglary")] * 300 + [_row("Medway 002B", "Drugs")] * 200
            + [_row("Bexley 003C", "Burglary")])  # one crime Kent recorded in London: not a Kent district
    street = tmp_path / "2024-01-kent-street.csv"
    street.write_text("\r\n".join([STREET_HEADER, *rows]).replace("Essex Police", "Kent Police") + "\r\n",
                      encoding="utf-8")
    lad = tmp_path / "lad.csv"
    lad.write_text("\n".join([LAD_HEADER, "E07000110,Maidstone,2019,171800", "E06000035,Medway,2019,278500",
                              "E09000004,Bexley,2019,248300"]) + "\n", encoding="utf-8")
    assert commands.main(["--project", str(project), "areas", str(street), "--population", str(lad)]) == 0
    problems: list[Problem] = []
    areas = read_areas(project / "data" / "areas.yaml", problems)
    assert not problems and [(d.code, d.name) for d in areas.districts] == [("E07000110", "Maidstone"),
                                                                           ("E06000035", "Medway")]
    people = pd.read_csv(project / "data" / "population.csv")
    assert set(people["geography"]) >= {"E07000110", "E06000035"} and "E09000004" not in set(people["geography"])
    # run again: nothing is written twice
    assert commands.main(["--project", str(project), "areas", str(street), "--population", str(lad)]) != 0
    assert "areas.yaml: exists and is not replaced" in capsys.readouterr().err


def test_a_district_the_ons_table_does_not_name_is_refused_by_name(tmp_path):
    from pcpbook.sources.areas import districts_from_public
    street = tmp_path / "2024-01-essex-street.csv"
    street.write_text("\r\n".join([STREET_HEADER] + [_row("Shepway 001A", "Burglary")] * 20) + "\r\n", encoding="utf-8")
    lad = tmp_path / "lad.csv"
    lad.write_text(LAD_HEADER + "\nE07000112,Folkestone and Hythe,2019,112600\n", encoding="utf-8")
    with pytest.raises(ingest.IngestError, match="no district named 'Shepway'.*after a boundary change"):
        districts_from_public([street], "Essex Police", lad)


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is not beside the project")
def test_real_essex_files_give_its_fourteen_districts_whose_populations_sum_to_the_force_area():
    from pcpbook.sources.areas import districts_from_public
    realdata = REAL.parent
    found = districts_from_public([REAL], "Essex Police", realdata / "ons-population-lad" /
                                  "population-local-authority-districts.csv")
    assert sorted(name for _, name in found.districts) == sorted(ESSEX_DISTRICTS)
    assert {code for code, _ in found.districts} == set(ESSEX_CODES.values())
    force = pd.read_csv(realdata / "ons-population-pfa" / "population_policeforces.csv")
    mid_2019 = found.population[found.population["year"] == 2019]["population"].sum()
    assert mid_2019 == int(force.loc[force["year"] == 2019, "Essex"].iloc[0])


# ----------------------------------------------------------------------------- a map, where boundaries are given

def _boundaries(data_copy, codes, extra=()):
    """Invented square outlines (longitude, latitude) for ``codes``, and a district of another
    force, as a national file would hold; areas.yaml told where they are."""
    features = []
    for k, code in enumerate(list(codes) + list(extra)):
        x, y = 0.2 + 0.25 * (k % 4), 51.5 + 0.2 * (k // 4)
        square = [[x, y], [x + 0.25, y], [x + 0.25, y + 0.2], [x, y + 0.2], [x, y]]
        features.append({"type": "Feature", "properties": {"LAD19CD": code},
                         "geometry": {"type": "Polygon", "coordinates": [square]}})
    folder = data_copy / "boundaries"
    folder.mkdir()
    (folder / "districts.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                                              encoding="utf-8")
    areas = yaml.safe_load((data_copy / "areas.yaml").read_text(encoding="utf-8"))
    areas["boundaries"] = {"file": "boundaries/districts.geojson", "code": "LAD19CD"}
    (data_copy / "areas.yaml").write_text(yaml.safe_dump(areas, sort_keys=False), encoding="utf-8")


def test_with_boundaries_the_page_maps_each_district_rate(data_copy, tmp_path):
    _boundaries(data_copy, ESSEX_CODES.values(), extra=["E07000110"])
    text = page_text("districts", {"quarter": QUARTER, "data_dir": str(data_copy)}, tmp_path).replace("\\", "")
    assert "residential_burglary-districts-map.png" in text
    assert re.search(r"Map of the 14 districts shaded by Residential burglary per 1,000 residents, quarter January to "
                     r"March 2024: highest Harlow \(1.20\), lowest Maldon \(0.31\)", text)
    assert "districts-monthly" not in text  # the map takes the small multiples' place
    data = pd.read_csv(tmp_path / "figures" / "districts-residential_burglary-districts-map.csv")
    assert sorted(data["series"]) == sorted(ESSEX_DISTRICTS)


@pytest.mark.parametrize("boundaries, message", [
    ({"file": "../outside.geojson", "code": "LAD19CD"}, "field 'boundaries.file'"),
    ({"file": "boundaries/districts.geojson", "code": "LAD21CD"}, "no outline for district"),
])
def test_boundaries_outside_the_data_folder_or_without_a_district_are_refused(data_copy, boundaries, message):
    _boundaries(data_copy, list(ESSEX_CODES.values()))
    areas = yaml.safe_load((data_copy / "areas.yaml").read_text(encoding="utf-8"))
    areas["boundaries"] = boundaries
    (data_copy / "areas.yaml").write_text(yaml.safe_dump(areas, sort_keys=False), encoding="utf-8")
    with pytest.raises(contracts.DataError, match=message):
        contracts.load(data_copy)


def test_a_district_missing_from_the_boundaries_is_named(data_copy):
    _boundaries(data_copy, list(ESSEX_CODES.values())[:-1])
    with pytest.raises(contracts.DataError, match=r"districts.geojson, field 'LAD19CD': no outline for district "
                                                  r"E07000068"):
        contracts.load(data_copy)


def test_a_small_count_no_district_holds_is_withheld_and_nothing_on_the_page_gives_it_back(data_copy, tmp_path):
    # three domestic abuse-related offences in 2023/24 Q4 that no district holds (taken from Colchester's January)
    path = data_copy / "observations.csv"
    frame = pd.read_csv(path, dtype=str)
    row = (frame["measure"] == "domestic_abuse") & (frame["geography"] == "E07000071") & (
        frame["period_start"] == "2024-01-01")
    frame.loc[row, "value"] = str(int(frame.loc[row, "value"].iloc[0]) - 3)
    frame.to_csv(path, index=False)
    from pcpbook.present.district_charts import monthly_by_district
    dataset = contracts.load(data_copy)
    table = quarter_tables(dataset, Quarter.parse(QUARTER))["domestic_abuse"]
    assert table.unplaced.now == 3 and table.unplaced.hidden == "primary"
    group = next(g for g in table.groups if g.hidden)  # else the force total less the areas gives the 3
    district = next(p for p in table.members(group.name) if p.hidden)  # else the area's total gives it
    assert group.hidden == district.hidden == "secondary"
    shown = [p for p in table.districts if p.rate is not None]
    assert district not in shown and table.benchmark.pooled == pytest.approx(
        1000 * sum(p.now for p in shown) / sum(p.people for p in shown))  # the funnel's centre is of shown counts
    assert monthly_by_district(dataset, table)[1] == "a district's count is withheld, and its months would add up to it"
    text = page_text("districts", {"quarter": QUARTER, "data_dir": str(data_copy)}, tmp_path).replace("\\", "")
    assert "| Not placed in a district | fewer than 5 |" in text and "have no district" not in text
    charts = [pd.read_csv(c) for c in (tmp_path / "figures").glob("*domestic_abuse*.csv")]
    assert charts and all(district.name not in c["series"].tolist() for c in charts)


def test_the_district_page_is_made_again_when_district_data_change_and_not_for_other_measures(data_copy):
    from pcpbook.build.buildspec import plan_edition
    quarter = Quarter.parse(QUARTER)

    def keys():
        dataset = contracts.load(data_copy)
        planned = plan_edition(data_copy.parent, dataset, quarter, dataset.plan_for(quarter), data_copy.parent / "site",
                               "library", None, "")
        return {job.page: job.key for job in planned.jobs}

    before = keys()
    path = data_copy / "observations.csv"
    frame = pd.read_csv(path, dtype=str)
    dogs = (frame["measure"] == "dog_theft") & (frame["period_start"] == "2023-05-01") & (frame["geography"] == "Essex")
    frame.loc[dogs, "value"] = "77"
    frame.to_csv(path, index=False)
    after_dogs = keys()
    assert after_dogs["chapters/districts.ipynb"] == before["chapters/districts.ipynb"]
    assert after_dogs["chapters/compare.ipynb"] != before["chapters/compare.ipynb"]
    harlow = (frame["measure"] == "residential_burglary") & (frame["geography"] == "E07000073") & (
        frame["period_start"] == "2023-05-01")
    frame.loc[harlow, "value"] = str(int(frame.loc[harlow, "value"].iloc[0]) + 1)
    frame.to_csv(path, index=False)
    after_harlow = keys()
    assert after_harlow["chapters/districts.ipynb"] != after_dogs["chapters/districts.ipynb"]
    # a chapter names districts from the district page's tests, so its content follows them too
    assert after_harlow["chapters/2021-2024/p01.ipynb"] != after_dogs["chapters/2021-2024/p01.ipynb"]
