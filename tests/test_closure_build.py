"""Building closure reviews: ``python -m pcpbook closure --plan ...`` publishes a review book
into ``closure-<plan>/`` beside the quarterly editions, linked from the landing page; an
unchanged review is not rebuilt, and a failing chapter leaves the published review as it was."""

import json
import subprocess
import sys

import nbformat
import pytest

from conftest import copy_project, fork_page
from pcpbook.build import edition

pytestmark = pytest.mark.slow


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("closure"))
    for plan in ("2016-2021", "2021-2024"):
        result = subprocess.run([sys.executable, "-m", "pcpbook", "closure", "--plan", plan, "--workers", "2"],
                                cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert f"closure review of {plan} v1.0: built" in result.stdout
    return project


def _page(project, plan, name):
    return (project / "_build" / "site" / f"closure-{plan}" / "chapters" / "closure" / plan / f"{name}.html").read_text()


def test_both_reviews_are_reachable_from_the_landing_page(project):
    landing = (project / "_build" / "site" / "index.html").read_text()
    for plan, years in (("2016-2021", "2015/16 against 2021/22"), ("2021-2024", "2020/21 against 2023/24")):
        assert f'<a href="closure-{plan}/index.html">Police and Crime Plan {plan}: closure review</a> ({years}' in landing
        assert (project / "_build" / "site" / f"closure-{plan}" / "index.html").exists()
        record = json.loads((project / "_build" / "site" / f"closure-{plan}" / "review.json").read_text())
        assert record["review"] == plan and record["version"] == "1.0" and record["modelled_data"] is True


def test_the_2016_2021_review_reads_online_with_the_closure_report_figures(project):
    summary = _page(project, "2016-2021", "summary")
    for text in ("52,732 in 2015/16 to 30,674 in 2021/22, down 42%", "13,032 in 2015/16 to 6,535 in 2021/22, down 50%",
                 "111,022 in 2015/16 to 165,518 in 2021/22, up 49%", "30,719 in 2015/16 to 42,802 in 2021/22",
                 "850 in 2015/16 to 846 in 2021/22", "68.7% in 2017/18 to 79% in 2021/22"):
        assert text in summary
    roads = _page(project, "2016-2021", "p07")
    assert "Mann-Kendall test finds" in roads and "closure-2016-2021-p07-ksi_casualties-trend.png" in roads
    assert "seasonal decomposition" in _page(project, "2016-2021", "p03").lower()
    assert "agrees with the stated surplus of £2.7m" in _page(project, "2016-2021", "finance")
    assert _page(project, "2016-2021", "register").count('<th scope="row"') == 115
    assert "How this review was made" in (project / "_build" / "site" / "closure-2016-2021" / "chapters"
                                          / "build.html").read_text()


def test_an_unchanged_review_is_not_rebuilt(project):
    before = _snapshot(project / "_build" / "site")
    again = edition.build_closure(project, "2021-2024")
    assert (again.status, again.version) == ("up to date", "1.0")
    assert _snapshot(project / "_build" / "site") == before


def test_a_review_chapter_that_raises_leaves_the_published_review_unchanged(project):
    chapter = fork_page(project, "2021-2024", priority=7, closure=True)
    notebook = nbformat.read(chapter, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("dog theft figures missing")'))
    nbformat.write(notebook, chapter)
    before = _snapshot(project / "_build" / "site")
    try:
        with pytest.raises(edition.BuildError,
                           match="chapters/forks/closure-2021-2024/p07.ipynb, cell 14 .*dog theft figures missing"):
            edition.build_closure(project, "2021-2024", workers=2)
    finally:
        chapter.unlink()
    assert _snapshot(project / "_build" / "site") == before


def test_cli_refuses_an_unknown_plan(project):
    result = subprocess.run([sys.executable, "-m", "pcpbook", "closure", "--plan", "2030-2034"], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no plan '2030-2034'" in result.stderr
