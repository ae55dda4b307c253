"""The GitHub workflows: they parse, run on the right triggers, and every command they call
exists in the Makefile or the CLI. The scheduled run's 'anything new?' check is tested here too."""

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from conftest import ROOT, copy_project
from pcpbook import contracts
from pcpbook.build import edition
from pcpbook.cli import commands as cli
from pcpbook.core.periods import Quarter

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name):
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads the key `on` as true
    return loaded


def steps(loaded):
    return [step for job in loaded["jobs"].values() for step in job.get("steps", [])]


def make_targets():
    return set(re.findall(r"^([A-Za-z][\w.-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def commands(text):
    """Every `make TARGET` and `python -m pcpbook COMMAND` in a script."""
    return ([("make", target) for target in re.findall(r"\bmake\s+(?:-\S+\s+)*([A-Za-z][\w.-]*)", text)]
            + [("pcpbook", command) for command in re.findall(r"python -m pcpbook (\w+)", text)])


def scripts(loaded):
    """The shell the workflow runs: its steps, and .ci/run where a step calls it."""
    runs = "\n".join(step.get("run", "") for step in steps(loaded))
    return runs + ((ROOT / ".ci" / "run").read_text(encoding="utf-8") if ".ci/run" in runs else "")


def test_the_test_workflow_runs_the_readme_test_command_on_push_and_pull_request():
    loaded = workflow("test.yml")
    assert {"push", "pull_request"} <= set(loaded["on"])
    runs = [step.get("run", "") for step in steps(loaded)]
    assert "bash .ci/run" in runs
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in readme
    assert "apt-get install" in ci and "chromium" in ci


def test_the_publish_workflow_is_monthly_or_manual_with_an_optional_quarter():
    loaded = workflow("publish.yml")
    cron = loaded["on"]["schedule"][0]["cron"].split()
    assert len(cron) == 5 and cron[2] != "*" and cron[3] == "*"  # once a month
    quarter = loaded["on"]["workflow_dispatch"]["inputs"]["quarter"]
    assert quarter["required"] is False and quarter["default"] == ""


def test_the_publish_workflow_stops_cleanly_without_a_new_quarter_and_keeps_failures():
    loaded = workflow("publish.yml")
    build = loaded["jobs"]["build"]["steps"]
    check = next(step for step in build if step.get("id") == "pending")
    assert "make -s pending" in check["run"] and "publish=false" in check["run"]
    site = next(step for step in build if "make site QUARTER" in step.get("run", ""))
    assert site["if"] == "steps.pending.outputs.publish == 'true'"
    kept = next(step for step in build if step.get("if") == "failure()")
    assert kept["uses"].startswith("actions/upload-artifact@")
    assert "_build/failed" in kept["with"]["path"] and "_build/logs" in kept["with"]["path"]
    deploy = loaded["jobs"]["deploy"]
    assert deploy["if"] == "needs.build.outputs.publish == 'true'"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in deploy["steps"])
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact@") for step in build)


@pytest.mark.parametrize("name, expected", [("test.yml", {("make", "test")}),
                                            ("publish.yml", {("make", "install"), ("make", "pending"),
                                                             ("make", "site"), ("make", "site-restore"),
                                                             ("make", "site-save")})])
def test_every_command_a_workflow_calls_exists(name, expected):
    called = set(commands(scripts(workflow(name))))
    assert called == expected
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    called |= set(commands(makefile))
    cli_commands = set(cli._parser()._subparsers._group_actions[0].choices)
    for kind, what in called:
        assert what in (make_targets() if kind == "make" else cli_commands), (name, kind, what)


def test_pending_lists_quarters_without_an_edition_and_nothing_once_all_are_published(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    site = tmp_path / "site"
    every = edition.unpublished(project, site=site)
    assert every[0].id == "2016-17-Q1" and len(every) == len(set(every)) > 20
    for quarter in every[:-1]:  # as if published
        (site / quarter.id).mkdir(parents=True)
        (site / quarter.id / edition.EDITION_RECORD).write_text("{}")
    assert edition.unpublished(project, site=site) == every[-1:]
    assert cli.main(["pending", "--data", str(project / "data"), "--site", str(site)]) == 0
    assert capsys.readouterr().out.split() == [every[-1].id]
    (site / every[-1].id).mkdir()
    (site / every[-1].id / edition.EDITION_RECORD).write_text("{}")
    assert cli.main(["pending", "--data", str(project / "data"), "--site", str(site)]) == 0
    assert capsys.readouterr().out == ""


def test_a_quarter_without_the_forces_figures_is_neither_pending_nor_built(tmp_path, capsys):
    # issue 30: editions with no data at all were built, listed by pending and published
    project = copy_project(tmp_path / "project")
    gap = ("2019-07-01", "2019-08-01", "2019-09-01")  # 2019/20 Q2
    for name in ("observations.csv", "published_figures.csv"):
        path = project / "data" / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(line for line in lines
                                  if not (line.split(",")[1] == "Essex" and line.split(",")[2] in gap)) + "\n",
                        encoding="utf-8")
    pending = [quarter.id for quarter in edition.unpublished(project, site=tmp_path / "site")]
    assert "2019-20-Q1" in pending and "2019-20-Q3" in pending and "2019-20-Q2" not in pending
    assert cli.main(["--project", str(project), "build", "--quarter", "2019-20-Q2"]) == 2
    assert "quarter 2019-20-Q2 has no figures for Essex in the data" in capsys.readouterr().err


def test_the_latest_quarter_is_the_forces_own_not_a_similar_forces(dataset):
    # a peer's figures for a later quarter (for comparisons) do not make an edition for it
    later = pd.DataFrame([{**dataset.observations.iloc[0].to_dict(), "geography": "Kent",
                           "period_start": dt.date(2024, 6, 1)}])
    with_peer = dataclasses.replace(dataset, observations=pd.concat([dataset.observations, later]), memo={})
    assert with_peer.latest_quarter() == dataset.latest_quarter() == Quarter.parse("2023-24-Q4")


def test_a_gap_in_the_files_does_not_make_the_latest_quarter_one_without_figures(dataset):
    # police.uk archives for January to July 2018 and November 2019: the latest whole quarter is April to June 2018
    frame = dataset.observations
    kept = frame["period_start"].between(dt.date(2018, 1, 1), dt.date(2018, 7, 1)) | (
        frame["period_start"] == dt.date(2019, 11, 1))
    gappy = dataclasses.replace(dataset, observations=frame[kept & (frame["period"] == "month")], memo={})
    assert gappy.latest_quarter() == Quarter.parse("2018-19-Q1")
    only_part = dataclasses.replace(dataset, observations=gappy.observations[
        gappy.observations["period_start"] == dt.date(2019, 11, 1)], memo={})
    with pytest.raises(contracts.DataError, match="no quarter has all three months of figures for Essex yet"):
        only_part.latest_quarter()


def test_a_project_with_quarterly_figures_only_has_a_latest_quarter(dataset):
    # issue 30: a project with Home Office tables only was refused ("no monthly figures")
    quarterly = pd.DataFrame([{**dataset.observations.iloc[0].to_dict(), "period": "quarter",
                               "period_start": dt.date(2018, 10, 1)}])
    only = dataclasses.replace(dataset, observations=quarterly, memo={})
    assert only.latest_quarter() == Quarter.parse("2018-19-Q3")


def test_closure_reviews_are_built_only_for_plans_whose_end_year_is_complete(dataset):
    assert [plan.id for plan in edition.reviewable_plans(dataset)] == ["2016-2021", "2021-2024"]
    later = dataclasses.replace(dataset.plans["2021-2024"], end_year=2024)  # 2024/25: not in the data
    shortened = dataclasses.replace(dataset, plans={**dataset.plans, "2021-2024": later})
    assert [plan.id for plan in edition.reviewable_plans(shortened)] == ["2016-2021"]


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_the_published_site_survives_two_runs_with_no_cache_between(tmp_path):
    """Run 1 publishes and saves the site to the branch; the runner's disk is then empty, as a
    fresh runner's is; run 2 restores the branch, republishes corrected data, and the edition
    keeps version 1.0 in its history and goes to 1.1."""
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    project = copy_project(tmp_path / "project")
    _git(project, "init", "--quiet")
    _git(project, "remote", "add", "origin", str(remote))
    save = [sys.executable, str(ROOT / "scripts" / "site_branch.py")]
    first = subprocess.run(save + ["restore"], cwd=project, capture_output=True, text=True, check=True)
    assert "no published site yet" in first.stdout
    edition.build(project, quarter="2021-22-Q1", workers=2, note="First run.")
    subprocess.run(save + ["save"], cwd=project, check=True, capture_output=True)
    shutil.rmtree(project / "_build")  # the next runner starts with nothing: no site, no cache
    subprocess.run(save + ["restore"], cwd=project, check=True, capture_output=True)
    assert (project / "_build" / "site" / "2021-22-Q1" / "edition.json").exists()
    observations = project / "data" / "observations.csv"
    observations.write_text(observations.read_text().replace("dog_theft,Essex,2021-05-01,month,", "dog_theft,Essex,"
                                                             "2021-05-01,month,1", 1))
    result = edition.build(project, quarter="2021-22-Q1", workers=2, note="Corrected dog thefts.")
    history = json.loads((result.path / "edition.json").read_text())["history"]
    assert [(h["version"], h["change"]) for h in history] == [
        ("1.0", "First run."), ("1.1", "Corrected dog thefts. Republished after corrected or added data.")]
    subprocess.run(save + ["save"], cwd=project, check=True, capture_output=True)
    assert len(_git(remote, "log", "--oneline", "site").splitlines()) == 2


def test_the_publish_workflow_keeps_the_site_on_a_branch_not_in_a_cache():
    publish = workflow("publish.yml")
    uses = [step.get("uses", "") for step in steps(publish)]
    assert not any("cache" in u for u in uses)
    runs = scripts(publish)
    assert "make site-restore" in runs and "make site-save" in runs
    assert publish["jobs"]["build"]["permissions"] == {"contents": "write"}  # to push the branch, nothing more


def test_the_command_runs_beside_a_folder_named_pcpbook(tmp_path):
    # found timing a new user's path: `python -m pcpbook` run from the folder holding a clone
    # named pcpbook imported that folder as an empty namespace package, and stopped in a traceback
    (tmp_path / "pcpbook").mkdir()
    done = subprocess.run([sys.executable, "-m", "pcpbook", "--help"], cwd=tmp_path, capture_output=True, text=True,
                          env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"})
    assert done.returncode == 0 and "usage: python -m pcpbook" in done.stdout, done.stderr
