"""Small counts of a sensitive measure are withheld, and so is whatever would give them away."""

import itertools

from pcpbook.stats.disclosure import PRIMARY, SECONDARY, Sum, withheld

# Two local policing areas of three districts each; the force total is published elsewhere.
SUMS = [Sum("North", ("Colchester", "Tendring", "Maldon")), Sum("South", ("Basildon", "Rochford", "Southend")),
        Sum(None, ("North", "South"))]


def _cells(**counts):
    base = {"Colchester": 40, "Tendring": 25, "Maldon": 12, "Basildon": 38, "Rochford": 9, "Southend": 44}
    base.update(counts)
    base["North"] = base["Colchester"] + base["Tendring"] + base["Maldon"]
    base["South"] = base["Basildon"] + base["Rochford"] + base["Southend"]
    return base


def _can_be_worked_out(cells, hidden):
    """Whether any withheld cell follows from the shown ones through a single sum."""
    for relation in SUMS:
        group = list(relation.parts) + ([relation.total] if relation.total else [])
        if sum(1 for key in group if key in hidden) == 1:
            return True
    return False


def test_nothing_is_withheld_when_every_count_is_large_enough():
    assert withheld(_cells(), SUMS, 5) == {}


def test_a_small_count_is_withheld_with_the_smallest_other_district_of_its_area():
    cells = _cells(Maldon=3)
    hidden = withheld(cells, SUMS, 5)
    assert hidden == {"Maldon": PRIMARY, "Tendring": SECONDARY}
    assert not _can_be_worked_out(cells, hidden)


def test_a_withheld_area_total_is_protected_against_the_force_total_too():
    cells = _cells(Colchester=2, Tendring=1, Maldon=1)  # the North total, 4, is small itself
    hidden = withheld(cells, SUMS, 5)
    assert hidden["North"] == PRIMARY and {"Colchester", "Tendring", "Maldon"} <= set(hidden)
    assert hidden["South"] == SECONDARY  # else the force total less South gives North
    assert hidden["Rochford"] == SECONDARY  # else South less its two shown districts gives Rochford
    assert not _can_be_worked_out(cells, hidden)


def test_zero_is_a_small_count():
    assert withheld(_cells(Rochford=0), SUMS, 5)["Rochford"] == PRIMARY


def test_no_table_of_small_counts_leaves_a_withheld_cell_to_be_worked_out():
    for small in itertools.product((0, 3, 7, 30), repeat=6):
        cells = _cells(**dict(zip(("Colchester", "Tendring", "Maldon", "Basildon", "Rochford", "Southend"), small)))
        hidden = withheld(cells, SUMS, 5)
        assert all(cells[key] >= 5 for key in cells if key not in hidden)
        assert not _can_be_worked_out(cells, hidden), (cells, hidden)
