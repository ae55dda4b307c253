"""Shares of a whole, for a count whose parts the catalogue names (KSI: killed, seriously
injured): stated with their shares, and refused when the parts do not add up."""

import pytest

from conftest import DATA, change_observation, page_text
from pcpbook import contracts
from pcpbook.present.narrative import shares_sentence


def test_the_2020_21_q4_roads_chapter_splits_ksi_into_killed_and_seriously_injured(tmp_path):
    text = page_text("priority", {"plan": "2016-2021", "priority": 7, "quarter": "2020-21-Q4", "data_dir": str(DATA)},
                     tmp_path)
    # seed-003: 138 KSI casualties in 2020/21 Q4, five of them killed
    assert ("Of the 138 people killed or seriously injured on Essex roads this quarter, 133 (96.4\\%) were seriously "
            "injured on the roads and 5 (3.6\\%) killed on Essex roads.") in text


def test_no_shares_are_given_on_a_base_under_50(dataset):
    ksi, killed, injured = (dataset.measures[m] for m in ("ksi_casualties", "ksi_fatal", "ksi_serious"))
    assert shares_sentence(ksi, 12, [(killed, 2), (injured, 10)], "this month") == (
        "Of the 12 people killed or seriously injured on Essex roads this month, 10 were seriously injured on the "
        "roads and 2 killed on Essex roads.")


def test_parts_that_do_not_add_up_to_the_whole_are_refused_naming_the_row(data_copy):
    change_observation(data_copy, "ksi_serious", "2019-05-01", lambda value: value + 3)
    lines = (data_copy / "observations.csv").read_text(encoding="utf-8").splitlines()
    with pytest.raises(contracts.DataError) as raised:
        contracts.load(data_copy)
    problem = next(p for p in raised.value.problems if "add up" in p.message)
    assert problem.file.endswith("observations.csv") and problem.field == "value"
    assert "ksi_casualties month from 2019-05-01" in problem.message and "ksi_fatal, ksi_serious" in problem.message
    assert lines[problem.line - 1].startswith("ksi_casualties,Essex,2019-05-01,month,")


@pytest.mark.parametrize("parts", ["[ksi_fatal]", "[ksi_fatal, ksi_severe]", "[ksi_fatal, special_constables]",
                                   "[ksi_fatal, ksi_casualties]"])
def test_a_bad_parts_field_is_refused(data_copy, parts):
    path = data_copy / "measures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("parts: [ksi_fatal, ksi_serious]", f"parts: {parts}"),
                    encoding="utf-8")
    with pytest.raises(contracts.DataError) as raised:
        contracts.load(data_copy)
    assert any(p.field == "parts" and "ksi_casualties" in p.message for p in raised.value.problems)
