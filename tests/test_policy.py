"""One statistical policy: the significance level, small-number thresholds and minimum histories
are written once, in ``pcpbook/stats/policy.py``, and every test and sentence uses them."""

import ast
from pathlib import Path

from pcpbook.stats import policy

LIBRARY = Path(policy.__file__).resolve().parents[1]
THRESHOLDS = {"SIGNIFICANCE_LEVEL", "INTERVAL_LEVEL", "SMALL_COUNT", "MIN_HISTORY_MONTHS", "MIN_CONTROL_BASELINE_MONTHS",
              "SMALL_MONTHLY_COUNT", "MIN_FUNNEL_FORCES"}


def _level_literals(path: Path) -> list[str]:
    """Places that compare a p or q value with a number, or pass a number as a test's alpha."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            names = [ast.unparse(n) for n in (node.left, *node.comparators)]
            numbers = [n for n in (node.left, *node.comparators) if isinstance(n, ast.Constant)
                       and isinstance(n.value, float) and 0 < n.value < 1]
            if numbers and any(name.split(".")[-1] in ("p", "q", "p_value", "q_value") or name.endswith("_p")
                               for name in names):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.keyword) and node.arg == "alpha" and isinstance(node.value, ast.Constant) \
                and path.parent.name == "stats":
            found.append(f"{path.name}:{node.lineno}: alpha={node.value.value}")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("ppf") and path.name != "policy.py" \
                and any(isinstance(a, ast.Constant) and a.value in (0.975, 0.95, 0.025) for a in node.args):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Name) and node.id == "multipletests" and path.name != "policy.py":
            found.append(f"{path.name}:{node.lineno}: a false discovery control of its own")
    return found


def test_no_module_writes_a_significance_level_of_its_own():
    assert [hit for path in sorted(LIBRARY.rglob("*.py")) for hit in _level_literals(path)] == []


def test_no_module_but_the_policy_defines_a_threshold():
    defined = [f"{path.relative_to(LIBRARY)}: {target.id}" for path in sorted(LIBRARY.rglob("*.py"))
               if path.name != "policy.py"
               for node in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(node, ast.Assign)
               for target in node.targets if isinstance(target, ast.Name) and target.id in THRESHOLDS]
    assert defined == []

