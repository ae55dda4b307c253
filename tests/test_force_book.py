"""From nothing to an edition for another force, from public data alone: ``init``, ``ingest``
and ``build`` on a synthetic force's police.uk files (several forces in each, as police.uk's
archives hold them), and a real-data Essex book from ../shared/realdata when it is there."""

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pcpbook.build import edition
from pcpbook.cli import commands

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")
CRIME_TYPES = ("Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
               "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
               "Theft from the person", "Vehicle crime", "Violence and sexual offences")


def _street_archive(folder: Path, months: list[str]) -> Path:
    """A police.uk-style archive: a street file per month holding two forces' rows."""
    generator = np.random.default_rng(7)
    archive = folder / "police-uk.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for month in months:
            rows = [STREET_HEADER]
            for force, scale in (("Kent Police", 1.0), ("Sussex Police", 0.7)):
                for kind in CRIME_TYPES:
                    for n in range(int(generator.poisson(25 * scale))):
                        rows.append(f"{force[:2]}{month}{n}{kind[:3]},{month},{force},{force},0.5,51.2,On or near X,"
                                    f"E0100{n % 9},Somewhere 00{n % 7}A,{kind},Under investigation,")
            bundle.writestr(f"{month}/{month}-{'kent'}-street.csv", "\n".join(rows) + "\n")
    return archive


def _text(page: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_a_new_force_builds_an_edition_from_police_uk_files_alone(tmp_path, capsys):
    project = tmp_path / "kent-book"
    assert commands.main(["init", str(project), "--force", "Kent Police", "--first-quarter", "2023-24-Q1",
                     "--last-quarter", "2026-27-Q4"]) == 0
    months = [f"{year}-{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13)][:30]  # to June 2024
    archive = _street_archive(tmp_path, months)
    assert commands.main(["--project", str(project), "ingest", "police-uk", str(archive)]) == 0  # into data/extracts/
    assert "Sussex" not in (project / "data" / "extracts" / "police-uk.csv").read_text()

    result = edition.build(project, workers=2)
    assert (result.quarter.id, result.status) == ("2024-25-Q1", "built")
    site = project / "_build" / "site" / "2024-25-Q1"
    pages = [p for p in site.rglob("*.html")]
    everything = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "essex" not in everything.casefold()
    assert "MODELLED DATA" not in everything and "modelled values" not in everything
    assert 'href="http://police.uk' not in everything  # a source's name is text, not a link
    chapter = _text(site / "chapters" / "2023-2027" / "p01.html")
    assert "Police and Crime Plan 2023-2027, Kent Police: quarterly update for 2024/25 Q1" in chapter
    assert re.search(r'alt="Line chart of Burglary \(all\) in Kent each month', (site / "chapters" / "2023-2027"
                                                                                / "p01.html").read_text())
    # what public police.uk data cannot give, each said once, plainly
    assert re.search(r"Not shown: no figures up to June 2024 are in the data for \d+ measures\. From Home Office "
                     r"police recorded crime: [^.]*Residential burglary", chapter)
    assert re.search(r"Burglary \(all\) Not shown: [^.]*three years", chapter)
    intro = _text(site / "chapters" / "intro.html")
    assert "values from police.uk street-level crime (Anti-social behaviour incidents, Bicycle theft" in intro


@pytest.mark.slow
@pytest.mark.skipif(not (REALDATA / "police-uk").is_dir(), reason="needs ../shared/realdata/police-uk")
def test_an_essex_book_from_real_police_uk_files_alone_states_the_real_burglary_count(tmp_path):
    project = tmp_path / "essex-real"
    assert commands.main(["init", str(project), "--force", "Essex Police", "--first-quarter", "2018-19-Q1",
                     "--last-quarter", "2021-22-Q4"]) == 0
    months = sorted(REALDATA.glob("police-uk/2018-*"))  # January to July 2018
    extract = project / "data" / "extracts" / "police-uk.csv"
    assert commands.main(["--project", str(project), "ingest", "police-uk", *map(str, months), "--out", str(extract)]) == 0
    burglaries = sum(line.split(",")[9] == "Burglary" for month in ("04", "05", "06")
                     for line in (REALDATA / "police-uk" / f"2018-{month}" / f"2018-{month}-essex-street.csv")
                     .read_text(encoding="utf-8").splitlines()[1:])
    result = edition.build(project, quarter="2018-19-Q1", workers=2)
    chapter = _text(result.path / "chapters" / "2018-2022" / "p01.html")
    assert f"{burglaries:,} burglaries were recorded this quarter" in chapter
    assert "there is no figure in the same quarter last year to compare with" in chapter
    assert ("Not shown: only 6 months of data up to June 2018; a seasonal decomposition needs at least 36 (three "
            "years): the edition for 2020/21 Q3 will have enough, if monthly figures continue") in chapter
    assert "MODELLED DATA" not in (result.path / "chapters" / "2018-2022" / "p01.html").read_text(encoding="utf-8")


KENT_GROUP = ("Essex", "Hampshire", "Sussex", "Thames Valley", "Avon and Somerset", "Devon and Cornwall", "Hertfordshire")


@pytest.mark.slow
@pytest.mark.skipif(not REALDATA.is_dir(), reason="needs ../shared/realdata")
def test_another_force_from_public_files_alone_compares_with_all_forces_and_says_nothing_modelled(tmp_path):
    # issue 30's must-show: Kent from the Home Office tables (quarterly and rolling), the
    # workforce table, ONS populations and a similar force's police.uk months; no Essex data folder
    project = tmp_path / "kent"
    assert commands.main(["init", str(project), "--force", "Kent Police", "--first-quarter", "2017-18-Q1",
                          "--last-quarter", "2020-21-Q4"]) == 0
    extracts = project / "data" / "extracts"
    for adapter, path, out in (
            ("home-office", REALDATA / "home-office-prc" / "prc-pfa-mar2013-onwards-tables201718.csv", "quarterly"),
            ("home-office", REALDATA / "home-office-prc-pfa-rolling" / "rec-crime-pfa.csv", "rolling"),
            ("home-office-workforce", REALDATA / "home-office-workforce" / "police-workforce-by-force.csv", "staff"),
            ("police-uk", REALDATA / "police-uk", "police-uk")):
        assert commands.main(["--project", str(project), "ingest", adapter, str(path), "--force", "all",
                              "--out", str(extracts / f"{out}.csv")]) == 0
    assert commands.main(["--project", str(project), "ingest", "ons-population",
                          str(REALDATA / "ons-population-pfa" / "population_policeforces.csv")]) == 0
    (project / "data" / "peer_group.csv").write_text(
        "force,source\nKent,the book's own force\n"
        + "".join(f"{force},the analyst's choice for this test\n" for force in KENT_GROUP), encoding="utf-8")

    result = edition.build(project, workers=2)
    assert (result.quarter.id, result.status) == ("2017-18-Q4", "built")
    pages = {page.relative_to(result.path).as_posix(): page.read_text(encoding="utf-8")
             for page in result.path.rglob("*.html") if "_static" not in page.parts}
    assert not [name for name, html in pages.items() if "modelled" in html.casefold()]
    # other forces are named only as members of the group, on the pages that compare
    group = ", ".join(("Kent",) + KENT_GROUP)
    own = {name: html.replace(group, "") for name, html in pages.items() if name != "chapters/compare.html"}
    assert not [name for name, html in own.items() if re.search(r"essex|southend|chelmsford|thurrock", html, re.I)]

    compare = _text(result.path / "chapters" / "compare.html")
    assert "Kent is compared with the 7 other forces of its group" in compare
    assert re.search(r"Violence with injury 12 months to March 2018 \d of 8 [\d.]+ per 1,000 population", compare)
    assert "Kent lies inside the 99.8% limits set by 39 of the 43 forces of England and Wales" in compare
    assert re.search(r"Police officers \(FTE\) at 31 March 2018 \d of 8", compare)
    chapter = _text(result.path / "chapters" / "2017-2021" / "p01.html")
    assert re.search(r"[\d,]+ burglaries were recorded this quarter", chapter)
    assert "alt=\"Line chart of Burglary (all) in Kent each quarter from April 2017 to January 2018" in \
        (result.path / "chapters" / "2017-2021" / "p01.html").read_text(encoding="utf-8")
    assert "control limits need monthly figures, and the data hold this measure quarter by quarter only" in chapter
    assert "No change here could be tested against its usual variation yet: each measure says why." in chapter


def test_a_chapter_with_nothing_to_test_does_not_say_each_change_is_tested(dataset):
    # found on a first Kent book from the Home Office tables: the chapter opened with "Each change
    # is tested against the measure's usual variation" above a page of "not tested"
    from pcpbook.present.phrasing import say
    assert say("measure", "page_note", family=0, modelled=False, tested=False).startswith(
        "No change here could be tested against its usual variation yet: each measure says why.")
    assert say("measure", "page_note", family=3, modelled=False).startswith(
        "Each change is tested against the measure's usual variation, allowing for the 3 comparisons")
