"""Pages: one template per kind of page, made into each edition's notebooks at build time;
a fork is the analyst's own notebook for one page, and nothing but the analyst changes it."""

import subprocess
import sys

import jupytext
import nbformat
import papermill
import pytest
import yaml

from conftest import ROOT, copy_project
from pcpbook import contracts
from pcpbook.build import notebooks
from pcpbook.cli import commands
from pcpbook.contracts import settings
from pcpbook.present import book, pages

EXPECTED_PARAMETERS = {
    "intro": {"quarter", "data_dir", "version", "produced", "print_edition"},
    "priority": {"plan", "priority", "quarter", "data_dir"},
    "districts": {"quarter", "data_dir"},
    "compare": {"quarter", "data_dir"},
    "changes": {"quarter", "data_dir", "revised", "revised_since", "compared_with"},
    "methods": {"quarter", "data_dir"},
    "sources": {"quarter", "data_dir"},
    "closure-sources": {"plan", "data_dir"},
    "closure-summary": {"plan", "data_dir", "produced"},
    "closure-finance": {"plan", "data_dir"},
    "closure-priority": {"plan", "priority", "data_dir"},
    "closure-districts": {"plan", "data_dir"},
    "closure-register": {"plan", "data_dir"},
    "scrutiny": {"strategy", "quarter", "data_dir", "version", "produced"},
}


def test_there_is_one_template_per_kind_of_page_and_none_carries_outputs():
    assert sorted(p.stem for p in (ROOT / pages.TEMPLATES).glob("*.md")) == sorted(pages.KINDS)
    for kind in pages.KINDS:
        for cell in jupytext.read(ROOT / pages.TEMPLATES / f"{kind}.md").cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, kind


@pytest.mark.parametrize("kind", pages.KINDS)
def test_each_template_declares_what_the_build_passes_with_defaults_that_run_on_their_own(kind):
    declared = papermill.inspect_notebook(jupytext.read(ROOT / pages.TEMPLATES / f"{kind}.md"))
    assert set(declared) == EXPECTED_PARAMETERS[kind]
    assert declared["data_dir"]["default"] == "None"  # the project's data setting, found from the notebook's folder
    if "quarter" in declared:
        assert declared["quarter"]["default"] == "None"


def test_the_build_passes_each_page_exactly_the_parameters_its_template_declares(dataset, tmp_path):
    from pcpbook.build.buildspec import plan_edition, plan_review
    plan = dataset.plans["2021-2024"]
    books = [plan_edition(ROOT, dataset, plan.last_quarter, plan, tmp_path, "lib", None, "settings"),
             plan_review(ROOT, dataset, plan, tmp_path, "lib", None, "settings")]
    for job in (job for planned in books for job in planned.jobs):
        declared = papermill.inspect_notebook(nbformat.reads(job.notebook, as_version=4))
        assert set(declared) == set(job.parameters), job.page


def test_an_edition_has_the_intro_a_page_per_priority_districts_how_we_compare_methods_and_sources_at_known_addresses(
        dataset):
    plan = dataset.plans["2021-2024"]
    first = book.toc(plan, plan.first_quarter, build_page=True)
    assert first["root"] == "chapters/intro"
    assert [c["file"] for c in first["chapters"]] == [f"chapters/2021-2024/p{n:02d}" for n in range(1, 13)] + [
        "chapters/districts", "chapters/compare", "chapters/methods", "chapters/sources", "chapters/build"]
    # every later edition of the plan says what changed since the one before, straight after the intro
    later = book.toc(plan, plan.first_quarter.shift(1), build_page=True)
    assert [c["file"] for c in later["chapters"]] == ["chapters/changes"] + [c["file"] for c in first["chapters"]]


def test_a_closure_review_runs_summary_finance_priorities_districts_register_methods_sources(dataset):
    toc = book.closure_toc(dataset.plans["2016-2021"])
    files = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
    assert files == ["chapters/closure/2016-2021/summary", "chapters/closure/2016-2021/finance"] + [
        f"chapters/closure/2016-2021/p{n:02d}" for n in range(1, 8)] + [
        "chapters/closure/2016-2021/districts", "chapters/closure/2016-2021/register", "chapters/methods", "chapters/closure/2016-2021/sources", "chapters/build"]


def test_the_root_contents_preview_every_template():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
    assert sorted(files) == sorted(f"pcpbook/templates/{kind}" for kind in pages.KINDS)


def test_a_page_heading_comes_from_the_plan_as_text_and_the_same_template_gives_the_same_notebook(dataset):
    plan = dataset.plans["2021-2024"]
    page = pages.find_page(plan, priority=3)
    text = pages.notebook_text(ROOT, page)
    assert text == pages.notebook_text(ROOT, page)  # stable cell ids: the content key does not drift
    first = nbformat.reads(text, as_version=4).cells[0]
    assert first.source == f"# Priority 3: {plan.priority(3).title}"
    hostile = pages.Page("priority", "x", "p01", page.staged, "Priority 1: <script>alert(1)</script> {include}`x`")
    heading = nbformat.reads(pages.notebook_text(ROOT, hostile), as_version=4).cells[0].source
    assert "<script>" not in heading and "\\<script\\>" in heading and "\\`x\\`" in heading


def test_a_page_is_named_by_priority_or_by_name_and_a_wrong_name_says_what_there_is(dataset):
    plan = dataset.plans["2021-2024"]
    assert pages.find_page(plan, priority=12).staged.as_posix() == "chapters/2021-2024/p12.ipynb"
    assert pages.find_page(plan, name="intro").staged.as_posix() == "chapters/intro.ipynb"
    assert pages.find_page(plan, name="summary", closure=True).fork.as_posix() == \
        "chapters/forks/closure-2021-2024/summary.ipynb"
    with pytest.raises(pages.PageError, match="plan 2021-2024 has no priority 13: its priorities are 1, 2"):
        pages.find_page(plan, priority=13)
    with pytest.raises(pages.PageError, match="no page 'summary'.*intro, changes, districts, compare, methods.*--closure"):
        pages.find_page(plan, name="summary")


def test_fork_writes_the_page_as_its_own_notebook_and_list_and_drop_undo_it(tmp_path, monkeypatch, capsys):
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    assert commands.main(["fork", "--plan", "2021-2024", "--priority", "3"]) == 0
    fork = project / "chapters" / "forks" / "2021-2024" / "p03.ipynb"
    notebook = nbformat.read(fork, as_version=4)
    assert notebook.cells[0].source.startswith("# Priority 3: ") and "tags" not in notebook.cells[0].metadata or \
        "title" not in notebook.cells[0].metadata.get("tags", [])
    declared = papermill.inspect_notebook(str(fork))
    assert declared["plan"]["default"] == '"2021-2024"' and declared["priority"]["default"] == "3"
    assert notebook.metadata["pcpbook"]["fork_of"] == (pages.TEMPLATES / "priority.md").as_posix()
    assert commands.main(["fork", "--plan", "2021-2024", "--priority", "3"]) == 2  # never replaced
    assert "already exists" in capsys.readouterr().err
    assert commands.main(["fork", "--list"]) == 0
    assert "chapters/forks/2021-2024/p03.ipynb: replaces chapters/2021-2024/p03.ipynb of 2021-2024" in \
        capsys.readouterr().out
    page = pages.find_page(contracts.load(project / "data").plans["2021-2024"], priority=3)
    assert not pages.template_changed(project, page)
    own = project / pages.PROJECT_TEMPLATES / "priority.md"  # the project's own template of the kind
    own.parent.mkdir(parents=True)
    own.write_text((pages.TEMPLATES / "priority.md").read_text() + "\nA new closing line.\n")
    assert pages.template_changed(project, page)
    assert commands.main(["fork", "--plan", "2021-2024", "--priority", "3", "--drop"]) == 0
    assert not fork.exists() and not (project / pages.FORKS).exists()


def test_a_project_template_of_a_kind_replaces_the_library_one_for_every_page_of_it(tmp_path, dataset):
    project = copy_project(tmp_path / "project")
    own = project / pages.PROJECT_TEMPLATES / "methods.md"
    own.parent.mkdir(parents=True)
    own.write_text((pages.TEMPLATES / "methods.md").read_text().replace("# Methods and caveats", "# How we count"))
    for plan in dataset.plans.values():
        page = pages.find_page(plan, name="methods")
        assert page.source(project) == own and "# How we count" in pages.notebook_text(project, page)
    assert pages.find_page(dataset.plans["2021-2024"], priority=1).source(project) == pages.TEMPLATES / "priority.md"


def test_a_fork_opened_in_jupyter_reads_the_data_folder_its_project_names(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "data").rename(project / "figures-and-returns")
    config = project / "_config.yml"
    config.write_text(config.read_text().replace("  data: data ", "  data: figures-and-returns "))
    folder = project / "chapters" / "forks" / "2021-2024"
    folder.mkdir(parents=True)
    assert settings.notebook_data_folder(None, start=folder) == (project / "figures-and-returns").resolve()
    with pytest.raises(settings.SettingsError, match="no _config.yml in .* or any folder above it"):
        settings.notebook_data_folder(None, start=tmp_path)


def test_a_section_whose_code_shows_nothing_is_left_out_and_one_that_shows_something_stays():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Priority 1"),
                      nbformat.v4.new_markdown_cell("## Measures"), nbformat.v4.new_code_cell("shows"),
                      nbformat.v4.new_markdown_cell("## Seasonal patterns\n\nSTL ..."),
                      nbformat.v4.new_code_cell("shows nothing"), nbformat.v4.new_markdown_cell("### A note"),
                      nbformat.v4.new_markdown_cell("## Commitments"), nbformat.v4.new_code_cell("shows")]
    for index in (2, 7):
        notebook.cells[index].outputs = [nbformat.v4.new_output("display_data", {"text/markdown": "x"})]
    assert notebooks.empty_sections(notebook) == {3, 4, 5}


def test_a_listing_read_by_a_reader_that_stops_early_ends_quietly():
    """`python -m pcpbook pages | head -2`: the reader closes the pipe before the listing is written."""
    listing = subprocess.Popen([sys.executable, "-m", "pcpbook", "pages"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    listing.stdout.close()  # before the command has written anything
    said = listing.stderr.read().decode()
    assert listing.wait() == 1 and "Traceback" not in said and said == ""
