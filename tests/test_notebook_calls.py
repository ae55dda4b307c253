"""Every library call in every page template (and any fork in the project) names a function
that exists and accepts those arguments: a rename or a changed signature fails here in a second,
not in a slow build.

The notebooks are read, not run: names imported from pcpbook are followed through assignments by
the return types the library declares (``chapter = open_chapter(...)`` is a ``Chapter``), and
each call is bound to the function's signature."""

import ast
import importlib
import inspect
import typing
from pathlib import Path

import jupytext
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from conftest import ROOT
from pcpbook.present import pages

NOTEBOOKS = sorted((ROOT / pages.TEMPLATES).glob("*.md")) + sorted((ROOT / pages.FORKS).rglob("*.ipynb"))


class LibraryCalls(ast.NodeVisitor):
    """Walks a notebook's cells in order, knowing what each name holds."""

    def __init__(self):
        self.known: dict[str, object] = {}   # name -> pcpbook function or class (an instance of it)
        self.checked: list[str] = []
        self.problems: list[str] = []
        self.where = ""

    def visit_ImportFrom(self, node):
        if node.module and node.module.startswith("pcpbook"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):
                    self.problems.append(f"{self.where}: {node.module} has no {alias.name}")
                else:
                    self.known[alias.asname or alias.name] = getattr(module, alias.name)

    def visit_Assign(self, node):
        self.generic_visit(node)
        returned = self._returns(node.value) if isinstance(node.value, ast.Call) else None
        for target in node.targets:
            if isinstance(target, ast.Name):
                if returned is None:
                    self.known.pop(target.id, None)
                else:
                    self.known[target.id] = returned

    def visit_Call(self, node):
        self.generic_visit(node)
        function, bound_self = self._function(node.func)
        if function is None:
            return
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return
        arguments = [None] * (len(node.args) + bound_self)
        try:
            inspect.signature(function).bind(*arguments, **{k.arg: None for k in node.keywords})
        except TypeError as exc:
            self.problems.append(f"{self.where}: {ast.unparse(node)}: {exc}")
        self.checked.append(ast.unparse(node.func))

    def _function(self, func):
        """The library function a call's target names, and whether it is a method (self)."""
        if isinstance(func, ast.Name) and inspect.isfunction(self.known.get(func.id)):
            return self.known[func.id], 0
        if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Call)):
            # a name the visitor knows, or what a call returns: open_review(...).chapter(2)
            holder = self.known.get(func.value.id) if isinstance(func.value, ast.Name) else self._returns(func.value)
            if inspect.isclass(holder):
                if not hasattr(holder, func.attr):
                    self.problems.append(f"{self.where}: {holder.__name__} has no {func.attr}")
                    return None, 0
                return getattr(holder, func.attr), 1
        return None, 0

    def _returns(self, call):
        function, _ = self._function(call.func)
        if function is None:
            return None
        returned = typing.get_type_hints(function).get("return")
        return returned if inspect.isclass(returned) else None


def library_calls(path: Path) -> LibraryCalls:
    visitor = LibraryCalls()
    cells = jupytext.read(path).cells
    for position, cell in enumerate(cells, 1):
        if cell.cell_type == "code":
            visitor.where = f"{path.relative_to(ROOT)}, cell {position}"
            visitor.visit(ast.parse(TransformerManager().transform_cell(cell.source)))
    return visitor


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_library_call_in_the_notebook_exists_and_accepts_its_arguments(path):
    calls = library_calls(path)
    assert calls.problems == []
    assert len(calls.checked) >= 2  # the notebook opens its chapter (or edition, or review) and shows a part


def test_every_kind_of_page_has_its_template_checked():
    assert {path.stem for path in NOTEBOOKS if path.suffix == ".md"} == set(pages.KINDS)


def test_the_priority_template_shows_each_step_of_a_measure_and_all_are_checked():
    checked = library_calls(ROOT / pages.TEMPLATES / "priority.md").checked
    for step in ("chapter.series", "chapter.comparisons", "chapter.control_chart", "trend_chart", "lead",
                 "control_lead", "how_we_know", "chapter.section", "chapter.decomposition", "decomposition_chart",
                 "chapter.trend", "trend_model_chart", "trend_lead", "trend_detail"):
        assert step in checked


def test_a_renamed_method_or_a_wrong_argument_is_caught():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('from pcpbook.present.chapter import open_chapter\n'
                                                'chapter = open_chapter("2021-2024", 3, None, "../../data")'),
                      nbformat.v4.new_code_cell("chapter.key_figures_renamed()"),
                      nbformat.v4.new_code_cell("chapter.series(1, 2, 3)")]
    calls = LibraryCalls()
    for position, cell in enumerate(notebook.cells, 1):
        calls.where = f"cell {position}"
        calls.visit(ast.parse(cell.source))
    assert calls.problems[0] == "cell 2: Chapter has no key_figures_renamed"
    assert calls.problems[1].startswith("cell 3: chapter.series(1, 2, 3): too many positional arguments")
