"""The folder is the architecture: each stage imports only the stages beneath it."""

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pcpbook"
# lowest first: a module may import its own stage and any stage before it, never one after
STAGES = ("core", "contracts", "sources", "stats", "analysis", "present", "build", "cli")
# the statistics are pure functions of series and numbers: they import no other stage but core
ONLY = {"stats": {"core", "stats"}, "core": {"core"}}
MAX_LINES = 500
# names users' files refer to stay at the top: `python -m pcpbook`, and the Sphinx extension
# that every project's _config.yml lists; each is a thin entry point into its stage
ENTRY_POINTS = {"__init__.py", "__main__.py", "sphinxext.py"}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "pcpbook" and len(parts) > 1 and parts[1] in STAGES else None


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every pcpbook import in a file, including those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "pcpbook" else [node.module]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("pcpbook")]


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


def test_every_module_sits_in_a_stage():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ENTRY_POINTS]
    assert loose == []
    assert {p.relative_to(PACKAGE).parts[0] for p in modules()} == set(STAGES)


def test_imports_run_one_way_down_the_stages():
    wrong = []
    for path in modules():
        stage = path.relative_to(PACKAGE).parts[0]
        allowed = ONLY.get(stage, set(STAGES[:STAGES.index(stage) + 1]))
        for line, name in imports(path):
            target = stage_of(name)
            if name != "pcpbook" and target not in allowed and name != "pcpbook.__version__":
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({stage}) imports {name} ({target})")
    assert wrong == []


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_analysis_stage_keeps_an_editions_computations():
    """dataset.memo is written in one place (analysis/once.py), so each family of tests is made once."""
    writers = [str(p.relative_to(ROOT)) for p in modules() if ".memo[" in p.read_text(encoding="utf-8")]
    assert writers == ["pcpbook/analysis/once.py"]
