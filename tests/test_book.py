"""Chapter notebooks: one per priority per plan, written from the plans, committed without
outputs, each with a parameters cell whose defaults run it on its own."""

import nbformat
import papermill
import yaml

from conftest import ROOT
from pcpbook import book


def test_committed_notebooks_match_the_plans(dataset, tmp_path):
    written = book.write_notebooks(dataset.plans, dataset.measures, tmp_path)
    closure = (3 + 7) + (3 + 12)  # summary, finance, register and a chapter per priority, per plan
    assert len(written) == 2 + 7 + 12 + closure
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
    for path in (ROOT / "chapters").glob("*/p*.ipynb"):
        parameters = papermill.inspect_notebook(str(path))
        assert set(parameters) == set(book.PRIORITY_PARAMETERS)
        assert parameters["quarter"]["default"] == "None"
        assert parameters["data_dir"]["default"] == '"../../data"' and (path.parent / "../../data").resolve().is_dir()
    intro = papermill.inspect_notebook(str(ROOT / book.INTRO))
    assert set(intro) == set(book.INTRO_PARAMETERS)
    assert set(papermill.inspect_notebook(str(ROOT / book.METHODS))) == set(book.PRIORITY_PARAMETERS)


def test_closure_notebooks_declare_the_data_folder_with_a_runnable_default():
    for path in (ROOT / "chapters" / "closure").rglob("*.ipynb"):
        parameters = papermill.inspect_notebook(str(path))
        expected = {"data_dir", "produced"} if path.stem == "summary" else {"data_dir"}
        assert set(parameters) == expected, path
        assert (path.parent / "../../../data").resolve() == ROOT / "data"


def test_closure_contents_run_summary_finance_priorities_register_methods(dataset):
    toc = book.closure_toc(dataset.plans["2016-2021"])
    files = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
    assert files == ["chapters/closure/2016-2021/summary", "chapters/closure/2016-2021/finance"] + [
        f"chapters/closure/2016-2021/p{n:02d}" for n in range(1, 8)] + [
        "chapters/closure/2016-2021/register", "chapters/methods", "chapters/build"]


def test_analyses_appear_where_the_catalogue_puts_them():
    def has(plan, number, call):
        notebook = nbformat.read(ROOT / "chapters" / plan / f"p{number:02d}.ipynb", as_version=4)
        return any(call in cell.source for cell in notebook.cells)
    for plan in ("2016-2021", "2021-2024"):
        assert has(plan, 1, "seasonal_patterns") and has(plan, 3, "seasonal_patterns")
        assert not has(plan, 2, "seasonal_patterns")
    assert has("2016-2021", 7, "long_run_trends") and has("2021-2024", 9, "long_run_trends")
    assert not has("2021-2024", 1, "long_run_trends")
