"""The police forces of England and Wales by the name each public source gives them (the
table in ``reference/forces.csv``): how ``init`` turns "Kent Police" into a book's force.yaml."""

from __future__ import annotations

import csv
import difflib

from pcpbook.contracts.model import Force
from pcpbook.core.resources import REFERENCE

TABLE = REFERENCE / "forces.csv"


class ForceError(ValueError):
    """A force name that matches no force of England and Wales."""


def _rows() -> list[dict]:
    with TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def known_forces() -> list[Force]:
    return [Force(row["police_uk"], row["short_name"], row["police_uk"], row["home_office"], int(row["stats19"]))
            for row in _rows()]


def short_names(source: str) -> dict[str, str]:
    """Each force's name in ``source`` (``home_office``, ``ons``, ``police_uk``) -> its short
    name, the observations' geography: one table maps every source's names."""
    return {row[source]: row["short_name"] for row in _rows()}


def find_force(name: str) -> Force:
    """The force called ``name`` in any source ("Kent Police", "Kent", "kent"); an unknown
    name is refused with the closest names."""
    wanted = " ".join(str(name).split()).casefold()
    forces = known_forces()
    for force in forces:
        if wanted in {force.police_uk.casefold(), force.short_name.casefold(), force.home_office.casefold()}:
            return force
    names = [force.police_uk for force in forces]
    # forces whose short name is in what was typed ("Kent Constabulary"), then names that look alike
    close = [f.police_uk for f in forces if f.short_name.casefold() in wanted]
    by_name = {n.casefold(): f.police_uk for f in forces for n in (f.police_uk, f.short_name)}
    close += [by_name[n] for n in difflib.get_close_matches(wanted, list(by_name), n=6, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:3]
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "the forces are: " + ", ".join(names)
    raise ForceError(f"no police force of England and Wales is called {name!r}: {hint}")
