"""A book for any force: the force is configuration (data/force.yaml), read by every stage, and
``init`` starts a project for any of the 43 forces of England and Wales from public data alone."""

import io
import shlex
import sys
import tokenize

import pytest
import yaml

from conftest import DATA, ROOT, page_text
from pcpbook import contracts
from pcpbook.cli import commands
from pcpbook.contracts.citations import cite
from pcpbook.contracts.model import Force
from pcpbook.contracts.problems import DataError
from pcpbook.contracts.reference import format_reference
from pcpbook.sources import forces, ingest

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")


def test_the_bundled_book_is_one_configured_force(dataset):
    assert dataset.force == Force("Essex Police", "Essex", "Essex Police", "Essex", 42)
    # the only other places in the data are its group's forces, for the comparisons, and its own districts
    districts = {d.code for d in dataset.areas.districts}
    assert set(dataset.observations["geography"]) == set(dataset.group) | districts and dataset.group[0] == "Essex"
    assert set(dataset.monthly("burglary", dataset.latest_quarter().end)["geography"]) == {"Essex"}


@pytest.mark.parametrize("text, message", [
    ("name: Kent Police\nshort_name: Kent\npolice_uk: Kent Police\nhome_office: Kent\n",
     "field 'stats19': missing: expected the force's STATS19 police_force code"),
    ("name: Kent Police\npolice_uk: Kent Police\nhome_office: Kent\nstats19: 46\n", "field 'short_name': missing"),
    ("name: Kent Police\nshort_name: Kent\npolice_uk: Kent Police\nhome_office: Kent\nstats19: 46\npopulation: 1\n",
     "field 'population': unknown field 'population'"),
])
def test_a_bad_force_file_is_named_with_its_field(data_copy, text, message):
    (data_copy / "force.yaml").write_text(text)
    with pytest.raises(DataError, match=message):
        contracts.load(data_copy)


def test_a_data_folder_without_a_force_says_what_it_needs(data_copy):
    (data_copy / "force.yaml").unlink()
    with pytest.raises(DataError, match=r"force.yaml: missing: the force this book reports on"):
        contracts.load(data_copy)


def test_every_force_of_england_and_wales_is_known_by_each_of_its_names():
    known = forces.known_forces()
    assert len(known) == 43 and len({f.stats19 for f in known}) == 43
    assert forces.find_force("kent") == forces.find_force("Kent Police")
    assert forces.find_force("London, City of").short_name == "City of London"
    assert all(f.stats19 in ingest.STATS19_FORCES for f in known)


def test_an_unknown_force_is_refused_with_the_closest_names():
    with pytest.raises(forces.ForceError, match=r"'Kent Constabulary': did you mean 'Kent Police'"):
        forces.find_force("Kent Constabulary")
    with pytest.raises(forces.ForceError, match=r"did you mean 'Essex Police', 'Sussex Police'"):
        forces.find_force("Wessex Police")


def test_ingest_keeps_the_project_force_by_default_under_its_short_name(tmp_path, data_copy, monkeypatch):
    rows = [f"id{n},2024-01,{force},{force},0.1,51.5,On or near X,E01,Somewhere 001A,Burglary,None,"
            for n, force in enumerate(["Kent Police", "Kent Police", "Sussex Police"])]
    street = tmp_path / "2024-01-street.csv"
    street.write_text("\n".join([STREET_HEADER, *rows]) + "\n")
    (data_copy / "force.yaml").write_text("name: Kent Police\nshort_name: Kent\npolice_uk: Kent Police\n"
                                          "home_office: Kent\nstats19: 46\n")
    out = tmp_path / "extract.csv"
    assert commands.main(["ingest", "police-uk", str(street), "--data", str(data_copy), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert any(line.startswith("burglary,Kent,2024-01-01,month,2,") for line in lines)
    assert not any("Sussex" in line for line in lines)
    every = tmp_path / "every.csv"
    assert commands.main(["ingest", "police-uk", str(street), "--force", "all", "--out", str(every)]) == 0
    assert any(line.startswith("burglary,Sussex,2024-01-01,month,1,") for line in every.read_text().splitlines())


def test_build_rebuilds_with_rebuild_and_force_names_a_police_force_only():
    assert commands._parser().parse_args(["build", "--rebuild"]).rebuild is True
    with pytest.raises(SystemExit):
        commands._parser().parse_args(["build", "--force"])
    assert commands._parser().parse_args(["ingest", "stats19", "--collisions", "a", "--casualties", "b", "--force", "46",
                                     "--out", "o"]).force == 46


def test_any_document_key_in_the_sources_is_cited_in_full():
    sources = {"kent-pcp-2022": "Kent PCC, Police and Crime Plan 2022-2025", "seed-004": "Essex closure report"}
    assert cite("kent-pcp-2022 p. 4; seed-004 para 2", sources) == \
        "Kent PCC, Police and Crime Plan 2022-2025 p. 4; Essex closure report para 2"
    assert cite("not-a-key-2022", sources) == "not-a-key-2022"


def test_a_plan_names_the_stages_of_its_commitments(dataset):
    assert dataset.plans["2016-2021"].stage_label("extension") == "Extension (2020/21)"
    assert dataset.plans["2021-2024"].stage_label("plan") == "Original plan"


def test_the_library_names_no_force_outside_comments_docstrings_and_the_reference_tables():
    """Strings in the library's code and its page templates never name a force: the force
    comes from force.yaml. The tables of every force (pcpbook/reference/*.csv) are data."""
    names = [f.short_name.casefold() for f in forces.known_forces()]
    found = []
    for path in sorted((ROOT / "pcpbook").rglob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type == tokenize.STRING and not token.string.startswith(('"""', "'''")):
                found += [(path.name, token.string) for name in names if name in token.string.casefold().split()]
    for path in sorted((ROOT / "pcpbook" / "templates").glob("*.md")):
        found += [(path.name, name) for name in ("essex", "kent") if name in path.read_text().casefold()]
    assert found == []


def test_the_reference_project_settings_are_the_bundled_books_but_its_title(tmp_path):
    bundled = yaml.safe_load((ROOT / "_config.yml").read_text())
    reference = yaml.safe_load((ROOT / "pcpbook" / "reference" / "project-config.yml").read_text())
    assert {k: v for k, v in bundled.items() if k not in ("title", "author")} == \
        {k: v for k, v in reference.items() if k not in ("title", "author")}


def test_init_writes_a_project_that_validates_and_names_its_force(tmp_path, capsys):
    target = tmp_path / "kent-book"
    assert commands.main(["init", str(target), "--force", "Kent Police", "--first-quarter", "2024-25-Q1",
                     "--last-quarter", "2027-28-Q4"]) == 0
    assert "wrote a book project for Kent Police" in capsys.readouterr().out
    force = contracts.load_force(target / "data")
    assert (force.short_name, force.stats19, force.home_office) == ("Kent", 46, "Kent")
    plan = yaml.safe_load((target / "data" / "plans" / "2024-2028.yaml").read_text())
    assert (plan["first_quarter"], plan["last_quarter"]) == ("2024-25-Q1", "2027-28-Q4")
    catalogue = [m["id"] for m in yaml.safe_load((target / "data" / "measures.yaml").read_text())]
    assert plan["priorities"][0]["measures"] == catalogue and len(catalogue) == 30
    # every count of crimes or incidents can be compared with similar forces per 1,000 residents (issue 30)
    entries = yaml.safe_load((target / "data" / "measures.yaml").read_text())
    compared = [e["id"] for e in entries if e.get("benchmark", {}).get("unit") == "per_1000_population"]
    assert len(compared) == 26 and not any(m.startswith("ksi") for m in compared)
    assert '"Kent Police: Police and Crime Plan performance"' in (target / "_config.yml").read_text()
    assert "essex" not in "".join(p.read_text().casefold() for p in target.rglob("*") if p.is_file())
    # the project explains itself: every format with an example, a guide, the returns' description
    assert (target / "FORMATS.md").read_text() == format_reference()
    assert "## Add a measure from your own system's extract" in (target / "GUIDE.md").read_text()
    assert "## The format" in (target / "data" / "commentary" / "README.md").read_text()
    assert "DESIGN" not in (target / "data" / "measures.yaml").read_text()
    # the README's commands name the Python pcpbook is installed in (issue 30: "python -m" failed outside it)
    commands_run = [line.strip() for line in (target / "README.md").read_text().splitlines() if "-m pcpbook" in line]
    assert len(commands_run) == 5 and all(shlex.quote(sys.executable) + " -m pcpbook" in c for c in commands_run)
    assert commands.main(["init", str(target), "--force", "Kent Police"]) == 2  # never over a project
    assert "is not empty" in capsys.readouterr().err
    assert commands.main(["init", str(tmp_path / "other"), "--force", "Kent Constabulary"]) == 2
    assert "did you mean 'Kent Police'" in capsys.readouterr().err


def test_a_new_project_without_figures_says_what_to_add(tmp_path, capsys):
    target = tmp_path / "book"
    assert commands.main(["init", str(target), "--force", "Surrey"]) == 0
    assert commands.main(["--project", str(target), "validate"]) == 2
    assert "no monthly or quarterly figures for Surrey in the data yet: add an extract" in capsys.readouterr().err


def test_make_test_refuses_a_plan_that_starts_after_the_data_end(tmp_path, capsys):
    # issue 30: init's default plan began this financial year, after the data; make test passed, make book failed
    target = tmp_path / "book"
    assert commands.main(["init", str(target), "--force", "Surrey", "--first-quarter", "2030-31-Q1"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "The plan runs from 2030-31-Q1 to 2033-34-Q4: if your data end before it starts" in said
    rows = "".join(f"burglary,Surrey,2025-{month:02d}-01,month,{300 + month},police.uk,published\n" for month in (1, 2, 3))
    with (target / "data" / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write(rows)
    assert commands.main(["--project", str(target), "validate"]) == 2
    error = capsys.readouterr().err
    assert "2030-2034.yaml" in error and "first_quarter" in error
    assert "figures for Surrey from 2024-25-Q4 to 2024-25-Q4, but no plan covers any of those quarters" in error


def test_the_peer_group_and_population_are_read_by_force_area(data_copy):
    (data_copy / "peer_group.csv").write_text("force,source\nEssex,illustrative\nKent,illustrative\n"
                                              "Sussex,illustrative\n")
    (data_copy / "population.csv").write_text("geography,year,population,source,status\n"
                                              "Essex,2017,1820379,ONS mid-year estimates,published\n"
                                              "Kent,2017,1832252,ONS mid-year estimates,published\n")
    loaded = contracts.load(data_copy)
    assert loaded.group == ("Essex", "Kent", "Sussex") and loaded.group_sources == ("illustrative",)
    assert loaded.population.set_index("geography").loc["Kent", "population"] == 1832252


@pytest.mark.parametrize("text, message", [
    ("force,source\nKent,illustrative\n", "peer_group.csv, field 'force': the group must include the book's own force"),
    ("force,source\nEssex,x\nEssex,x\n", "peer_group.csv, line 3, field 'force': 'Essex' is listed twice"),
    ("force,source\nEssex,\n", "peer_group.csv, line 2, field 'source': missing")])
def test_a_bad_peer_group_is_named(data_copy, text, message):
    (data_copy / "peer_group.csv").write_text(text)
    with pytest.raises(DataError, match=message):
        contracts.load(data_copy)


def test_similar_forces_in_force_yaml_points_to_the_peer_group_file(data_copy):
    force_file = data_copy / "force.yaml"
    force_file.write_text(force_file.read_text() + "similar_forces: [Kent]\n")
    with pytest.raises(DataError, match="the group of similar forces is peer_group.csv"):
        contracts.load(data_copy)


@pytest.mark.parametrize("row, message", [("Essex,2017,1820379.5,ONS,published", "line 2, field 'population': got '1820379.5'"),
                                          ("Essex,mid-2017,1820379,ONS,published", "line 2, field 'year': got 'mid-2017'"),
                                          ("Essex,2017,1820379,,published", "line 2, field 'source': missing"),
                                          ("Essex,2017,1820379,ONS,estimated", "line 2, field 'status': got 'estimated'")])
def test_a_bad_population_row_is_named(data_copy, row, message):
    (data_copy / "population.csv").write_text("geography,year,population,source,status\n" + row + "\n")
    with pytest.raises(DataError, match=message):
        contracts.load(data_copy)


def test_the_methods_and_sources_pages_of_real_data_say_nothing_is_modelled(data_copy, tmp_path):
    # issue 30: every real-data edition's methods page said its data were modelled (static text)
    path = data_copy / "observations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",modelled", ",provisional"), encoding="utf-8")
    parameters = {"quarter": "2023-24-Q4", "data_dir": str(data_copy)}
    methods, sources = (page_text(kind, parameters, tmp_path) for kind in ("methods", "sources"))
    assert "modelled" not in (methods + sources).casefold()
    assert "None: every value in this edition is a real figure." in sources
    assert "In this edition: residential burglary, domestic abuse-related offences." in methods
    chapter = page_text("priority", {**parameters, "plan": "2021-2024", "priority": 1}, tmp_path)
    assert "says whether the figures are published or provisional." in chapter and "or modelled" not in chapter


def test_the_methods_page_of_demonstration_data_says_so(tmp_path):
    methods = page_text("methods", {"quarter": "2023-24-Q4", "data_dir": str(DATA)}, tmp_path)
    assert "3,463 modelled values: demonstration series" in methods
    assert "They are not to be read as the force's real figures (rated Red until real extracts replace them)" in methods
