"""The data behind every chart: each chart links a CSV of exactly the values it draws, written by
the code that draws it, and each edition offers one zip of them all."""

import csv
import datetime as dt
import io
import json
import re
import zipfile

import matplotlib.dates as mdates
import pytest

from conftest import DATA
from pcpbook import contracts
from pcpbook.core.periods import Quarter
from pcpbook.present import figures
from pcpbook.present.chapter import open_chapter

OBSERVED = {"Monthly count", "monthly count", "Headcount at month end", "Quarterly survey result (%)",
            "Quarterly rate (%)", "observed"}


def test_a_trend_charts_data_are_the_points_and_limits_it_draws(dataset):
    chapter = open_chapter("2021-2024", 1, "2023-24-Q2", str(DATA))
    measure = dataset.measures["burglary"]
    series = chapter.series(measure)
    control = chapter.control_chart(measure, series)
    chart = figures.trend_chart(measure, series, chapter.quarter, control)
    drawn = {line.get_label(): line for line in chart.figure.axes[0].get_lines()}
    rows = chart.data[chart.data["series"] == "Monthly count"]
    line = drawn["Monthly count"]
    assert [mdates.num2date(x).date() for x in line.get_xdata(orig=False)] == list(rows["period"])
    assert list(line.get_ydata()) == list(rows["value"])
    assert len(rows) == 60 and set(rows["status"]) == {"modelled"}
    upper = chart.data[chart.data["series"] == "upper control limit"]
    assert list(drawn["Control limits (seasonal)"].get_ydata()) == list(upper["value"])


@pytest.fixture(scope="module")
def edition_folder(site):
    return site / "2023-24-Q2"


@pytest.mark.slow
def test_every_chart_in_the_edition_links_its_own_csv(edition_folder):
    for page in (edition_folder / "chapters").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        images = re.findall(r'<img alt="[^"]*" class="pcp-wide"[^>]* src="[^"]*?/([^/"]+)\.png"', html)
        phones = re.findall(r'<img alt="[^"]*" class="pcp-phone"[^>]* src="[^"]*?/([^/"]+)-phone\.png"', html)
        csvs = re.findall(r'href="[^"]*_downloads/[0-9a-f]+/([^/"]+)\.csv"', html)
        in_tables = _in_tables(html)
        assert sorted(images + in_tables) == sorted(csvs) == sorted(phones + in_tables), page


def _in_tables(html: str) -> list[str]:
    """Charts inside a table's cells (sparklines): drawn once, at the size of the cell."""
    return re.findall(r'<img alt="Sparkline[^"]*" src="[^"]*?/([^/"]+)\.png"', html)


@pytest.mark.slow
def test_the_zip_holds_every_charts_csv_and_its_rows_are_the_data_drawn(edition_folder, project):
    record = json.loads((edition_folder / "edition.json").read_text(encoding="utf-8"))
    archive = zipfile.ZipFile(edition_folder / record["chart_data"]["file"])
    names = archive.namelist()
    linked = {p.name for p in (edition_folder / "_downloads").rglob("*.csv")}
    assert {n.rsplit("/", 1)[1] for n in names} == linked and record["chart_data"]["charts"] == len(names) > 30
    dataset = contracts.load(project / "data")
    quarter_end = Quarter.parse("2023-24-Q2").end
    checked = 0
    for name in names:
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
        assert rows and list(rows[0]) == figures.DATA_COLUMNS, name
        for row in rows:
            if row["series"] not in OBSERVED or row["status"] == figures.DERIVED:
                continue
            day = dt.date.fromisoformat(row["period"])
            assert day <= quarter_end  # nothing after the edition's quarter
            series = dataset.monthly(row["measure"], quarter_end).set_index("period_start")
            assert float(row["value"]) == pytest.approx(series.loc[day, "value"]), (name, row)
            assert row["status"] == series.loc[day, "status"] and row["source"] == series.loc[day, "source"]
            checked += 1
    assert checked > 1000


@pytest.mark.slow
def test_the_intro_and_the_build_page_link_the_zip(edition_folder):
    zip_name = "2023-24-Q2-chart-data.zip"
    assert f'href="../{zip_name}"' in (edition_folder / "chapters" / "intro.html").read_text(encoding="utf-8")
    assert f'href="../{zip_name}"' in (edition_folder / "chapters" / "build.html").read_text(encoding="utf-8")
