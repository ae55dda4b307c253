"""Chapter notebooks as the analyst wrote them: their parameters, the names they assign, and
how a cell is named in a message (its position as Jupyter shows it, and its first line)."""

from __future__ import annotations

import ast
import re
import functools

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

INJECTED = "injected-parameters"  # papermill's tag on the cell it adds after the parameters cell
FIRST_LINE_CHARACTERS = 80


def cell_name(notebook: nbformat.NotebookNode, index: int) -> str:
    """'cell 3 (chapter.key_figures())': the cell at ``index`` by its position counting every
    cell from 1, leaving out papermill's injected cell, and its first line."""
    position = sum(1 for cell in notebook.cells[:index + 1] if INJECTED not in cell.metadata.get("tags", []))
    return f"cell {position} ({first_line(notebook.cells[index].source)})"


def first_line(source: str) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "empty")
    return line if len(line) <= FIRST_LINE_CHARACTERS else line[:FIRST_LINE_CHARACTERS - 3] + "..."


def parameters_cell(notebook: nbformat.NotebookNode) -> int | None:
    return next((i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])), None)


def reassigned_parameters(notebook: nbformat.NotebookNode, names) -> list[tuple[int, str]]:
    """(cell index, name) for every parameter a code cell after the parameters cell assigns
    again: the build's value would be silently replaced."""
    start = parameters_cell(notebook)
    found = []
    for index, cell in enumerate(notebook.cells):
        if start is None or index <= start or cell.cell_type != "code":
            continue
        found += [(index, name) for name in sorted(_assigned_names(cell.source) & set(names))]
    return found


@functools.lru_cache(maxsize=1024)
def _assigned_names(source: str) -> frozenset:
    """Names a cell binds (assignment, augmented or annotated assignment, for, with, import,
    walrus, def, class); IPython magics are translated first. A cell Python cannot parse binds
    nothing here: the kernel reports its syntax error when it runs."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return frozenset(names)


def empty_sections(notebook: nbformat.NotebookNode) -> set[int]:
    """The cells of every section (a Markdown cell opening with a level-2 heading, up to the
    next level-1 or level-2 heading) whose code, once run, showed nothing: a chapter with no
    measure marked for seasonal decomposition has no "Seasonal patterns" heading over nothing."""
    hidden: set[int] = set()
    starts = [i for i, cell in enumerate(notebook.cells) if _heading_level(cell) in (1, 2)] + [len(notebook.cells)]
    for start, end in zip(starts, starts[1:]):
        if _heading_level(notebook.cells[start]) != 2:
            continue
        code = [cell for cell in notebook.cells[start:end] if cell.cell_type == "code"]
        if code and not any(cell.get("outputs") for cell in code):
            hidden |= set(range(start, end))
    return hidden


def _heading_level(cell) -> int | None:
    if cell.cell_type != "markdown":
        return None
    heading = re.match(r"(#{1,6}) ", cell.source.lstrip())
    return len(heading.group(1)) if heading else None
