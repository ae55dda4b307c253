"""The format reference of the YAML file kinds, made from their declarations in ``kinds``: the
same models that check a file describe it, so the reference cannot drift from what is accepted."""

from __future__ import annotations

from pydantic.fields import FieldInfo

from pcpbook.contracts import kinds
from pcpbook.contracts.examples import EXAMPLES
from pcpbook.contracts.schema import Contract, contract_in

FILE_KINDS = (
    ("data/force.yaml", kinds.ForceFile),
    ("data/areas.yaml", kinds.AreasFile),
    ("data/measures.yaml (a list of entries)", kinds.MeasureEntry),
    ("data/plans/<id>.yaml", kinds.PlanFile),
    ("data/strategies/<id>.yaml", kinds.StrategyFile),
    ("_config.yml", kinds.BookConfig),
)


def format_reference() -> str:
    """Markdown: a table of keys for each file kind and for each part nested in one, each kind
    with its worked example (``examples``: together they load as a data folder)."""
    parts, seen = ["# File formats\n", "Made from the contracts in `pcpbook/contracts/kinds.py` "
                   "(`python -m pcpbook formats`). A key not listed is refused. Each kind ends with a worked "
                   "example; together the examples make a small valid data folder (with invented figures).\n"], set()
    for title, model in FILE_KINDS:
        parts += _tables(title, model, seen) + _example(title)
    parts += ["\n## data/sources.yaml\n", "The documents that figures, plans and targets cite: each key (letters, "
              "digits, hyphens) maps to the document's full citation.\n"] + _example("data/sources.yaml")
    for kind in kinds.CSV_KINDS:
        parts += [f"\n## {kind.file}\n", f"CSV with a header naming exactly these columns: {kind.what}.\n",
                  "| column | what |", "|---|---|", *(f"| `{c.name}` | {c.what} |" for c in kind.columns)]
        parts += _example(kind.file)
    return "\n".join(parts)


def _example(title: str) -> list[str]:
    found = [example for example in EXAMPLES if example.title == title]
    if not found:
        return []
    language = "csv" if found[0].path.endswith(".csv") else "yaml"
    return [f"\nExample (`{found[0].path}`):\n", f"```{language}", found[0].text.rstrip("\n"), "```"]


def _tables(title: str, model: type[Contract], seen: set) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    rows = [f"\n## {title}\n", (model.__doc__ or "").strip().splitlines()[0] + "\n" if model.__doc__ else "",
            "| key | required | what |", "|---|---|---|"]
    nested = []
    for name, field in model.model_fields.items():
        rows.append(f"| `{name}` | {_required(field)} | {field.description or ''} |")
        inner = contract_in(field.annotation)
        if inner is not None:
            nested.append((f"{title}: `{name}`", inner))
    return rows + [line for sub_title, inner in nested for line in _tables(sub_title, inner, seen)]


def _required(field: FieldInfo) -> str:
    if field.is_required():
        return "yes"
    default = field.get_default()
    if default in (None, (), {}) or isinstance(default, Contract):
        return "no"
    return f"no (default `{str(default).lower() if isinstance(default, bool) else default}`)"

