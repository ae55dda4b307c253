"""Small numbers protected: which cells of a table of counts to withhold so that no small count
can be seen or worked out (statistical disclosure control, as the ONS and the Home Office
practise it for sensitive crime).

*Primary* suppression withholds every count below the threshold (a count of 0 to 4, by
default, for a sensitive measure such as sexual offences): a district with two rapes in a
quarter could point to the victims. A table also has totals, and a total less the cells shown
gives back a withheld one. So *secondary* suppression withholds more: wherever a total and its
parts have exactly one withheld figure among them, the smallest part still shown is withheld
too, and this repeats until no total gives any withheld cell away (a total that is published
elsewhere, such as the force's, is never withheld).
"""

from __future__ import annotations

from dataclasses import dataclass

PRIMARY, SECONDARY = "primary", "secondary"


@dataclass(frozen=True)
class Sum:
    """One of a table's additive relations: ``total`` is the sum of ``parts`` (cell keys). A
    ``total`` of None is a total published anyway (the force's), so always known."""

    total: str | None
    parts: tuple[str, ...]


def withheld(cells: dict[str, int], sums: list[Sum], threshold: int) -> dict[str, str]:
    """The cells to withhold, each with why (PRIMARY: below ``threshold``; SECONDARY: it would
    give a withheld cell away through one of ``sums``). A part or total missing from ``cells``
    (no figure) is shown as nothing, so it is as unknown as a withheld one."""
    hidden = {key: PRIMARY for key, count in cells.items() if count < threshold}
    def unknown_cell(key):
        return key in hidden or key not in cells
    changed = bool(hidden)
    while changed:
        changed = False
        for relation in sums:
            known_total = relation.total is None or not unknown_cell(relation.total)
            unknown = [p for p in relation.parts if unknown_cell(p)] + ([] if known_total else [relation.total])
            if len(unknown) != 1:
                continue
            shown = sorted((p for p in relation.parts if not unknown_cell(p)), key=lambda p: (cells[p], p))
            if shown:
                hidden[shown[0]] = SECONDARY
            elif relation.total is not None and known_total:
                hidden[relation.total] = SECONDARY
            else:
                continue
            changed = True
    return hidden
