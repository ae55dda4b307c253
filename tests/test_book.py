"""Chapter notebooks: one per priority per plan, written from the plans, committed without
outputs, each with a parameters cell whose defaults run it on its own."""

import nbformat
import papermill
import yaml

from conftest import ROOT
from pcpbook import book


def test_committed_notebooks_match_the_plans(dataset, tmp_path):
    written = book.write_notebooks(dataset.plans, tmp_path)
    assert len(written) == 1 + 7 + 12
    for path in written:
        relative = path.relative_to(tmp_path)
        assert (ROOT / relative).read_text() == path.read_text(), f"{relative} is stale: run scripts/make_chapters.py"


def test_root_toc_lists_the_latest_plan(dataset):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc == book.toc(dataset.plans["2021-2024"])


def test_committed_notebooks_carry_no_outputs():
    for path in (ROOT / "chapters").rglob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path


def test_each_chapter_declares_its_parameters_with_runnable_defaults():
    for path in (ROOT / "chapters").rglob("p*.ipynb"):
        parameters = papermill.inspect_notebook(str(path))
        assert set(parameters) == set(book.PRIORITY_PARAMETERS)
        assert parameters["quarter"]["default"] == "None"
        assert parameters["data_dir"]["default"] == '"../../data"' and (path.parent / "../../data").resolve().is_dir()
    intro = papermill.inspect_notebook(str(ROOT / book.INTRO))
    assert set(intro) == set(book.INTRO_PARAMETERS)
