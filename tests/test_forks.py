"""An analyst forks a chapter, adds to it, and the book uses it: in every edition of the plan,
with its own content key, said on the "How this edition was made" page, and never overwritten
by the build or by listing the pages."""

import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import copy_project, fork_page
from pcpbook import contracts
from pcpbook.build import edition
from pcpbook.build.buildspec import plan_edition
from pcpbook.core.periods import Quarter
from pcpbook.present import pages

QUARTER = "2023-24-Q2"
NEW_CHART = '''import matplotlib.pyplot as plt

series = chapter.series("stalking_harassment")
figure, axes = plt.subplots(figsize=(7, 3))
axes.bar(series["period_start"].astype(str).str[:7].tail(12), series["value"].tail(12))
axes.set_title("Analyst's view: stalking and harassment, last 12 months (modelled data)")
axes.tick_params(axis="x", labelrotation=90)
plt.show()'''


def _image_count(page: str) -> int:
    return len(re.findall(r"<img ", page))


@pytest.mark.slow
def test_a_forked_chapter_with_a_new_chart_is_built_kept_and_keyed(tmp_path):
    project = copy_project(tmp_path / "project")
    built = edition.build(project, quarter=QUARTER, workers=2)
    from_template = (built.path / "chapters" / "2021-2024" / "p03.html").read_text(encoding="utf-8")

    fork = fork_page(project, "2021-2024", priority=3)
    notebook = nbformat.read(fork, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("## An analyst's view\n\nThe last twelve months as bars."))
    notebook.cells.append(nbformat.v4.new_code_cell(NEW_CHART))
    nbformat.write(notebook, fork)
    written = fork.read_bytes()

    rebuilt = edition.build(project, quarter=QUARTER, workers=2)
    assert (rebuilt.status, rebuilt.version) == ("built", "1.1")  # the fork is in the content key
    record = json.loads((rebuilt.path / "edition.json").read_text())
    assert record["history"][-1]["change"] == "Republished after changed chapters or library."
    page = (rebuilt.path / "chapters" / "2021-2024" / "p03.html").read_text(encoding="utf-8")
    assert "An analyst" in page and _image_count(page) == _image_count(from_template) + 1
    image = re.findall(r'<img [^>]*src="([^"]+)"', page)[-1]
    assert (rebuilt.path / "chapters" / "2021-2024" / image).stat().st_size > 5_000
    how = (rebuilt.path / "chapters" / "build.html").read_text(encoding="utf-8")
    assert "chapters/forks/2021-2024/p03.ipynb (an analyst" in how

    listing = subprocess.run([sys.executable, "-m", "pcpbook", "pages"], cwd=project, capture_output=True, text=True)
    assert "chapters/2021-2024/p03.ipynb <- chapters/forks/2021-2024/p03.ipynb" in listing.stdout
    assert "chapters/2021-2024/p04.ipynb <- pcpbook/templates/priority.md" in listing.stdout
    assert fork.read_bytes() == written  # nothing rewrote it: not the builds, not the listing
    assert edition.build(project, quarter=QUARTER, workers=2).status == "up to date"


def test_every_edition_of_the_plan_uses_the_fork_and_the_other_plan_does_not(tmp_path):
    project = copy_project(tmp_path / "project")
    fork = fork_page(project, "2021-2024", priority=3)
    dataset = contracts.load(project / "data")
    for quarter in ("2021-22-Q1", "2022-23-Q3", "2023-24-Q4"):
        planned = plan_edition(project, dataset, Quarter.parse(quarter), dataset.plans["2021-2024"],
                               tmp_path / "site", "lib", None, "settings")
        sources = {job.page: job.source for job in planned.jobs}
        assert sources["chapters/2021-2024/p03.ipynb"] == fork and planned.forks == [pages.FORKS.as_posix()
                                                                                    + "/2021-2024/p03.ipynb"]
        assert sources["chapters/2021-2024/p04.ipynb"].name == "priority.md"
    other = plan_edition(project, dataset, Quarter.parse("2020-21-Q4"), dataset.plans["2016-2021"],
                         tmp_path / "site", "lib", None, "settings")
    assert other.forks == []


@pytest.mark.slow
def test_marking_a_measure_for_decomposition_in_the_catalogue_adds_it_at_the_next_build(tmp_path):
    project = copy_project(tmp_path / "project")
    chapter = project / "_build" / "site" / QUARTER / "chapters" / "2021-2024" / "p02.html"
    edition.build(project, quarter=QUARTER, workers=2)
    assert "Seasonal patterns" not in chapter.read_text(encoding="utf-8")
    catalogue = project / "data" / "measures.yaml"
    assert not contracts.load(project / "data").measures["knife_crime"].decompose
    catalogue.write_text(catalogue.read_text().replace("- id: knife_crime\n", "- id: knife_crime\n  decompose: true\n"))
    assert contracts.load(project / "data").measures["knife_crime"].decompose
    result = edition.build(project, quarter=QUARTER, workers=2)  # no step between: nothing to regenerate
    assert result.version == "1.1"
    page = chapter.read_text(encoding="utf-8")
    assert "Seasonal patterns" in page and "knife_crime-decompose.png" in page
