"""The warm kernel runs notebook after notebook as if each had a kernel of its own."""

import nbformat
import psutil
import pytest

from pcpbook.build import runner
from pcpbook.build.buildspec import BuildError


def _notebook(*sources) -> str:
    """A notebook's text: a parameters cell, then a code cell for each source."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("quarter = None\ndata_dir = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in sources)]
    return nbformat.writes(notebook)


def _outputs(path):
    return [output.get("text", "") for cell in nbformat.read(path, as_version=4).cells
            for output in cell.get("outputs", [])]


@pytest.fixture
def kernel_runs():
    yield runner.execute_chapter
    if runner._KERNEL is not None:
        runner._retire_kernel()


def test_a_notebook_sees_nothing_the_previous_one_left_and_runs_in_its_own_folder(tmp_path, kernel_runs):
    first = _notebook("left_behind = 42\nimport matplotlib.pyplot as plt\nplt.figure()")
    second = _notebook("import os, matplotlib.pyplot as plt\nprint('left_behind' in globals(), len(plt.get_fignums()))",
                       "print(os.getcwd())", "print(quarter)")
    for name, notebook in (("a", first), ("b", second)):
        outcome = kernel_runs(name, notebook, tmp_path / "out" / name / "second.ipynb", {"quarter": "2023-24-Q4"})
        assert isinstance(outcome, float), outcome
    assert _outputs(tmp_path / "out" / "b" / "second.ipynb") == ["False 0\n", f"{tmp_path / 'out' / 'b'}\n",
                                                                "2023-24-Q4\n"]


def test_notebook_after_notebook_opens_no_new_connections(tmp_path, kernel_runs):
    """nbclient leaves open a client it did not make: one per notebook would pile up sockets
    (and a copy of every output message) for the worker's life."""
    notebook = _notebook("x = 1")
    this_worker = psutil.Process()
    kernel_runs("n", notebook, tmp_path / "out" / "0.ipynb", {"quarter": "q"})
    before = this_worker.num_fds()
    for n in range(1, 6):
        assert isinstance(kernel_runs("n", notebook, tmp_path / "out" / f"{n}.ipynb", {"quarter": "q"}), float)
    assert this_worker.num_fds() == before


@pytest.mark.parametrize("cell", ['quarter = "2020-21-Q1"', 'for quarter in ["a", "b"]:\n    pass',
                                  'data_dir, other = "x", "y"',
                                  '%matplotlib inline\nquarter += "-revised"'])
def test_a_later_cell_that_assigns_a_parameter_again_is_refused_by_position_and_line(cell):
    notebook = _notebook("print(quarter)", cell)
    with pytest.raises(BuildError) as caught:
        runner.check_parameters("p.ipynb", notebook, {"quarter": "2023-24-Q4", "data_dir": "../data"})
    name = "data_dir" if "data_dir" in cell else "quarter"
    first = cell.splitlines()[0]
    assert f"p.ipynb, cell 3 ({first}): assigns the parameter '{name}' again" in str(caught.value)
    assert "parameters cell (cell 1 (quarter = None))" in str(caught.value)


def test_reading_a_parameter_or_assigning_other_names_is_fine():
    notebook = _notebook("print(quarter)\nquarters = [quarter]", "def f(quarter_end): pass")
    runner.check_parameters("p.ipynb", notebook, {"quarter": "2023-24-Q4", "data_dir": "../data"})
