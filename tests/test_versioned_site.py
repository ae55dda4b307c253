"""The versioned site: unchanged editions are not rebuilt, a changed observation re-runs only
the chapters that read it and republishes as a new version with a change log, builds queue
behind a lock, and an interrupted build leaves the site as it was."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import change_observation, copy_project
from pcpbook import contracts
from pcpbook.build import edition
from pcpbook.build.site import recover
from pcpbook.core.periods import Quarter

pytestmark = pytest.mark.slow
QUARTER = "2021-22-Q1"


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _set_value(project, measure, month, value):
    change_observation(project / "data", measure, month, lambda _: value)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """A project with the quarter's edition built and published (v1.0), kept aside; built where
    each test then works, since a notebook's cache key includes the data folder's path."""
    base = tmp_path_factory.mktemp("versioned")
    work, kept = base / "project", base / "kept"
    first = edition.build(copy_project(work), quarter=QUARTER, workers=2)
    assert (first.status, first.version) == ("built", "1.0")
    work.rename(kept)
    return work, kept


@pytest.fixture
def project(built_once):
    """Each test starts from the same published v1.0 (its own copy), whatever ran before it."""
    work, kept = built_once
    if work.exists():
        shutil.rmtree(work)
    return Path(shutil.copytree(kept, work, symlinks=True))


def test_an_unchanged_edition_is_not_rebuilt(project):
    site = project / "_build" / "site"
    before = _snapshot(site)
    runs = len(list((project / "_build" / "cache").glob("*.ipynb")))
    again = edition.build(project, quarter=QUARTER)
    assert again.status == "up to date" and again.version == "1.0"
    assert _snapshot(site) == before
    assert len(list((project / "_build" / "cache").glob("*.ipynb"))) == runs  # nothing was executed


def _build_importing(project, *options):
    """Run the build command as a user would; what it printed, and the modules it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pcpbook", "build", "--quarter", QUARTER,
                           *options], cwd=project, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done.stdout, imported


def test_a_build_with_nothing_changed_answers_without_loading_the_data(project):
    edition.build(project, quarter=QUARTER)  # the last successful build records its raw inputs
    said, imported = _build_importing(project)
    assert f"{QUARTER} (2021-2024) v1.0: up to date" in said
    assert "pandas" not in imported and "pcpbook.contracts.dataset" in imported
    observations = project / "data" / "observations.csv"
    kept = observations.read_bytes()
    _set_value(project, "fraud", "2023-09-01", 998)  # a file changed: the data are loaded and checked again
    try:
        said, imported = _build_importing(project)
        assert f"{QUARTER} (2021-2024) v1.0: up to date" in said and "pandas" in imported
    finally:
        observations.write_bytes(kept)


def test_data_after_the_quarter_does_not_touch_the_edition(project):
    _set_value(project, "fraud", "2023-08-01", 999)
    assert edition.build(project, quarter=QUARTER).status == "up to date"


def test_a_changed_observation_reruns_the_edition_and_bumps_the_version(project):
    cache = project / "_build" / "cache"
    before = set(cache.glob("*.ipynb"))
    _set_value(project, "dog_theft", "2021-05-01", 77)
    result = edition.build(project, quarter=QUARTER, note="Corrected May 2021 dog thefts.")
    assert (result.status, result.version) == ("built", "1.1")
    # each notebook names its page first: "chapters/2021-2024/p07.ipynb (made from .../priority.md)"
    rerun = {json.loads(p.read_text())["metadata"]["papermill"]["input_path"].split(" ")[0].split("chapters/")[1]
             for p in set(cache.glob("*.ipynb")) - before}
    # the edition's tests are controlled together, so one measure's data reach every chapter's verdicts
    plan = contracts.load(project / "data").plans["2021-2024"]
    assert rerun == {"intro.ipynb", "compare.ipynb", "methods.ipynb", "sources.ipynb"} | {
        f"2021-2024/{p.slug}.ipynb" for p in plan.priorities}
    record = json.loads((result.path / "edition.json").read_text())
    assert [h["version"] for h in record["history"]] == ["1.0", "1.1"]
    assert record["history"][-1]["change"] == "Corrected May 2021 dog thefts. Republished after corrected or added data."
    label = contracts.load(project / "data").measures["dog_theft"].label
    assert record["history"][-1]["detail"] == f"Values changed for 1 measure: {label}."  # beyond the log line
    page = (result.path / "chapters" / "build.html").read_text()
    assert f"Values changed for 1 measure: {label}." in page
    assert "How this edition was made" in page and "Corrected May 2021 dog thefts." in page
    assert record["inputs"]["data"] in page
    dogs = (result.path / "chapters" / "2021-2024" / "p07.html").read_text()
    total = contracts.load(project / "data").value("dog_theft", Quarter.parse(QUARTER).start, 3).amount
    assert total > 77 and f"{int(total):,} dog thefts were recorded this quarter" in dogs
    intro = (result.path / "chapters" / "intro.html").read_text()
    assert "1.1" in intro


def test_switcher_and_version_switcher_on_every_page(project):
    site = project / "_build" / "site"
    edition.build(project, quarter="2021-22-Q2", workers=2)
    switcher = json.loads((site / "switcher.json").read_text())
    assert [entry["version"] for entry in switcher] == ["2021-22-Q2", QUARTER]
    assert switcher[0]["preferred"] is True and switcher[0]["url"] == "/2021-22-Q2/"
    for page in (site / QUARTER).rglob("*.html"):
        if page.name in ("genindex.html", "search.html") or page.parent.name == "_static":
            continue
        text = page.read_text()
        if "version-switcher" not in text:
            assert page.name == "index.html" and 'http-equiv="refresh"' in text.lower()  # the redirect to the intro
            continue
        assert f"theme_switcher_version_match = '{QUARTER}'" in text
        assert '<a href="/index.html">&larr; All editions, reviews and papers</a>' in text  # every page leads home
        assert ".ipynb" not in text  # readers get the book and its PDF, not the notebooks
    assert switcher[1]["name"] == "2021/22 Q1, 2021-2024 plan"  # the switcher names the plan too
    assert switcher[0]["title"] == "the 2021/22 Q2 update of the Police and Crime Plan 2021-2024"
    landing = (site / "index.html").read_text()
    assert landing.index("Latest edition") < landing.index("2021/22 Q2") < landing.index("2021/22 Q1")
    assert landing.count("(includes modelled data)") == 2


def test_concurrent_builds_are_serialised(project):
    command = [sys.executable, "-m", "pcpbook", "build", "--quarter", "2021-22-Q3", "--workers", "1"]
    first = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock, deadline = project / "_build" / ".build.lock", time.monotonic() + 300
    while time.monotonic() < deadline and first.poll() is None and (  # until the first holds the lock
            not lock.exists() or f"pid {first.pid} " not in lock.read_text()):
        time.sleep(0.05)
    assert first.poll() is None, "the first build ended before the second started"
    second = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    statuses = sorted(out.split(": ")[1] for out, _ in outputs)
    assert statuses == ["built", "up to date"]  # the second waited for the lock, then found nothing to do
    waited = outputs[1][1]  # and said so, naming the build it waited for
    assert f"held by pid {first.pid} since" in waited and "build --quarter 2021-22-Q3" in waited


def test_an_interrupted_build_leaves_the_site_as_it_was(project):
    site = project / "_build" / "site"
    before = _snapshot(site)
    _set_value(project, "dog_theft", "2021-06-01", 55)  # so that the next build has work to do
    command = [sys.executable, "-m", "pcpbook", "build", "--quarter", QUARTER, "--workers", "1"]
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    staging = project / "_build" / "staging" / QUARTER
    deadline = time.time() + 120
    while not list(staging.rglob("*.ipynb")) and time.time() < deadline:
        time.sleep(0.2)
    assert list(staging.rglob("*.ipynb")), "the build never reached execution"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _snapshot(site) == before
    result = edition.build(project, quarter=QUARTER)  # the lock died with the process
    assert (result.status, result.version) == ("built", "1.1")


def test_recovery_puts_back_an_edition_whose_swap_was_cut_short(tmp_path):
    site = tmp_path / "site"
    (site / ".retired-2021-22-Q1").mkdir(parents=True)
    (site / ".retired-2021-22-Q1" / "index.html").write_text("old")
    (site / ".incoming-2021-22-Q1").mkdir()
    recover(site)
    assert (site / "2021-22-Q1" / "index.html").read_text() == "old"
    assert sorted(p.name for p in site.iterdir()) == ["2021-22-Q1"]


def test_all_means_every_quarter_of_both_plans(dataset):
    quarters = [q for q, _ in edition._resolve(dataset, "all")]
    assert len(quarters) == 32 and quarters[0] == Quarter.parse("2016-17-Q1") and quarters[-1].id == "2023-24-Q4"


def test_a_changed_marking_or_base_url_republishes(project):
    site = project / "_build" / "site"
    config = project / "_config.yml"
    config.write_text(config.read_text().replace("  marking: OFFICIAL ", "  marking: OFFICIAL-SENSITIVE ", 1))
    before = json.loads((site / QUARTER / "edition.json").read_text())["version"]
    result = edition.build(project, quarter=QUARTER, workers=2)
    record = json.loads((result.path / "edition.json").read_text())
    assert result.status == "built" and record["version"] > before
    assert record["history"][-1]["change"] == "Republished after changed settings (_config.yml or base URL)."
    assert "OFFICIAL-SENSITIVE" in (result.path / "_static" / "print-edition.css").read_text()
    again = edition.build(project, quarter=QUARTER, workers=2, base_url="/pcpbook/")
    assert again.status == "built"
    assert json.loads((site / "switcher.json").read_text())[-1]["url"] == f"/pcpbook/{QUARTER}/"
