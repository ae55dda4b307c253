"""A strategy as data, and its quarterly strand returns: every line is accounted for, every
problem names the file and line, and the seed's own miscount is caught."""

import pytest

from conftest import DATA
from pcpbook import contracts
from pcpbook.cli import commands
from pcpbook.contracts import strand_returns
from pcpbook.contracts.problems import DataError
from pcpbook.contracts.strand_returns import StrandReturnsError
from pcpbook.contracts.strategy import find_strategy
from pcpbook.core.periods import Quarter

STRATEGY = "crime-prevention-2018-2021"
Q2 = Quarter.parse("2021-22-Q2")
RETURNS = DATA / "strategy-returns" / STRATEGY / "2021-22-Q2.md"


@pytest.fixture(scope="module")
def strategy(dataset):
    return find_strategy(dataset, STRATEGY)


def _check(tmp_path, strategy, text):
    path = tmp_path / "returns.md"
    path.write_text(text, encoding="utf-8")
    return strand_returns.check(path, strategy, Q2)


def _problems(tmp_path, strategy, text):
    with pytest.raises(StrandReturnsError) as error:
        _check(tmp_path, strategy, text)
    return str(error.value)


def test_the_strategy_has_nine_strands_and_the_seeds_325_actions(strategy):
    assert [s.name for s in strategy.strands][:3] == ["Domestic Abuse", "Gangs and Knife Crime", "Night-Time Economy"]
    assert len(strategy.actions) == 325 and len(strategy.actions_of("domestic-abuse")) == 37
    assert strategy.strand("burglary-robbery").months_to == 7
    assert strategy.strand("domestic-abuse").priorities == (("2016-2021", 3),)


def test_the_bundled_returns_count_the_seeds_delivery_plan(strategy):
    returns = strand_returns.load(DATA, strategy, Q2)
    assert returns.modelled and returns.cover["agenda number"] == "6.0"
    counts = returns.strands["domestic-abuse"].counts()
    assert (counts["complete"], counts["ongoing"], counts["at risk"]) == (13, 24, 0)
    assert sum(returns.counts().values()) == 325 and returns.counts()["at risk"] == 1
    [(strand, action, risk)] = returns.at_risk()
    assert strand == "digital-crime-fraud" and "intelligence review" in risk["mitigation"]


def test_the_seeds_miscounted_strand_is_refused_by_name(tmp_path, strategy):
    """The seed's table: Digital Crime and Fraud, total 43, but 27 complete + 16 ongoing + 1 at risk."""
    text = RETURNS.read_text(encoding="utf-8")
    block = text[text.index("# Strand: digital-crime-fraud"):text.index("# Strand: burglary-robbery")]
    extra = block.replace("## Actions\n", "## Actions\nDF-44: ongoing\n")
    message = _problems(tmp_path, strategy, text.replace(block, extra))
    assert "strand 'digital-crime-fraud': the total says 43 but its actions count 27 complete + 16 ongoing + 1 at " \
           "risk = 44" in message
    assert "unknown action 'DF-44' (it is not in the delivery plan)" in message


@pytest.mark.parametrize("change, expected", [
    (("DA-01: complete", "DA-01: finished"), "field 'DA-01': got status 'finished': expected one of complete"),
    (("DA-01: complete", "GK-01: complete"), "unknown action 'GK-01' (it belongs to strand 'gangs-knife-crime')"),
    (("# Strand: hate-crime", "# Strand: hate"), "unknown strand 'hate'"),
    (("  Risk: ", "  Hazard: "), "field 'Hazard': got status 'Not enough"),
    (("  Mitigation: The gap", "  Note: The gap"), "action DF-43 is at risk: give its Risk: and Mitigation: under it"),
    (("DA-14: ongoing\n", "DA-14: ongoing\nDA-14: complete\n"), "field 'DA-14': status given twice"),
    (("## Delivery scheduled", "## Next steps"), "unknown section 'Next steps'"),
    (("Agenda number: 6.0", "Agenda number: 6.0\nAgenda number: 7.0"), "field 'Agenda number': given twice"),
    (("Meeting: 2021-12-30", "Meeting: 30/12/2021"), "field 'Meeting': got '30/12/2021': expected a date"),
])
def test_a_bad_return_is_named_with_its_line(tmp_path, strategy, change, expected):
    text = RETURNS.read_text(encoding="utf-8")
    assert change[0] in text
    message = _problems(tmp_path, strategy, text.replace(change[0], change[1], 1))
    assert expected in message and "returns.md, line" in message


def test_a_missing_status_a_missing_strand_and_a_stray_line_are_problems(tmp_path, strategy):
    text = RETURNS.read_text(encoding="utf-8")
    message = _problems(tmp_path, strategy, text.replace("SO-24: ongoing\n", "").replace(
        "# Strand: night-time-economy", "stray words\n# Strand: night-time-economy")
        .replace("# Strand: hate-crime", "# Strand: extremism-radicalisation", 1))
    assert "strand 'serious-organised-crime': no status for 1 action(s) of its delivery plan: SO-24" in message
    assert "no return for strand 'hate-crime'" in message
    assert "strand 'extremism-radicalisation' is given twice" in message
    assert "stray words" not in message and "expected '<action id>: <status>'" in message


def test_html_in_a_return_is_kept_as_typed_for_the_rendering_gate(tmp_path, strategy):
    text = RETURNS.read_text(encoding="utf-8").replace("- Refreshed training", "- <script>alert(1)</script> Refreshed training")
    returns = _check(tmp_path, strategy, text)
    assert returns.strands["domestic-abuse"].achieved[0].startswith("<script>alert(1)</script>")


def test_the_template_lists_every_action_and_checks_once_filled(tmp_path, strategy):
    previous = strand_returns.load(DATA, strategy, Q2)
    text = strand_returns.template(strategy, Q2.shift(1), previous,
                                   previous.cover)
    assert text.count("\n# Strand: ") == 9 and "DF-43: at risk" in text and "BR-81: ongoing" in text


def test_strategy_commands_write_a_template_and_check_returns(tmp_path, capsys, data_copy):
    assert commands.main(["strategy", "check", "--strategy", STRATEGY, "--quarter", "2021-22-Q2", "--data",
                     str(data_copy)]) == 0
    assert "325 actions: 150 complete, 174 ongoing, 1 at risk" in capsys.readouterr().out
    assert commands.main(["strategy", "template", "--strategy", STRATEGY, "--quarter", "2021-22-Q3", "--data",
                     str(data_copy)]) == 0
    written = data_copy / "strategy-returns" / STRATEGY / "2021-22-Q3.md"
    assert "Quarter: 2021-22-Q3" in written.read_text()
    assert commands.main(["strategy", "template", "--strategy", STRATEGY, "--quarter", "2021-22-Q3", "--data",
                     str(data_copy)]) == 2  # never overwritten
    assert commands.main(["strategy", "check", "--strategy", "no-such", "--quarter", "2021-22-Q2", "--data",
                     str(data_copy)]) == 2
    assert "no strategy 'no-such'" in capsys.readouterr().err


def test_a_strategy_naming_an_unknown_priority_or_measure_is_refused(data_copy):
    path = data_copy / "strategies" / f"{STRATEGY}.yaml"
    path.write_text(path.read_text().replace('"2016-2021:3"', '"2016-2021:9"').replace("[hate_crime]", "[hate]"))
    with pytest.raises(DataError) as error:
        find_strategy(contracts.load(data_copy), STRATEGY)
    assert "field 'priorities': got '2016-2021:9'" in str(error.value)
    assert "field 'insights': 'hate' is not a count measure" in str(error.value)


def test_an_action_of_an_unknown_strand_is_named_with_its_line(data_copy):
    path = data_copy / "strategies" / f"{STRATEGY}-actions.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("domestic-abuse", "domestic")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="actions.csv, line 4, field 'strand': unknown strand 'domestic'"):
        find_strategy(contracts.load(data_copy), STRATEGY)


def test_the_demonstration_strategy_generator_reproduces_the_committed_files(tmp_path):
    import shutil
    import subprocess
    import sys

    from conftest import ROOT
    copy = tmp_path / "data"
    shutil.copytree(DATA / "strategies", copy / "strategies")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_strategy.py"), "--data", str(copy)], check=True,
                   capture_output=True)
    for relative in (f"strategies/{STRATEGY}-actions.csv", f"strategy-returns/{STRATEGY}/2021-22-Q2.md"):
        assert (copy / relative).read_text(encoding="utf-8") == (DATA / relative).read_text(encoding="utf-8")
