"""Commentary returns: the template and check round trip, every bad-input case named by file,
line and field, missing updates kept as "No update received", and untrusted text made inert."""

import pytest

from pcpbook.cli import commands
from pcpbook.contracts import commentary
from pcpbook.core.periods import Quarter
from pcpbook.present.commitments import commentary_cell, status_summary

Q3 = Quarter.parse("2023-24-Q3")


@pytest.fixture
def plan(dataset):
    return dataset.plans["2021-2024"]


def _write(tmp_path, text):
    path = tmp_path / f"{Q3.id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _fill(template_text, commitment_id, status, text):
    """Fill one entry of a template the way a unit would."""
    lines = template_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {commitment_id} "))
    lines[start + 2] = f"Status: {status}"
    lines.insert(start + 4, text)
    return "\n".join(lines) + "\n"


def test_template_then_check_round_trip(plan, dataset, tmp_path):
    previous = commentary.load(dataset.root / "commentary", plan, Q3.previous())
    text = commentary.template(plan, Q3, previous)
    assert text.count("\n## ") == 60
    # last quarter's statuses are carried forward
    assert previous.entries["1.2"].status == "complete" and "## 1.2 " in text
    assert "Status: complete" in text.split("## 1.2 ")[1].split("## 1.3")[0]
    text = _fill(text, "3.2", "at risk", "Two posts are vacant.\n\n- **Recruiting** now\n- Cover from West LPA")
    returns = commentary.check(_write(tmp_path, text), plan, Q3)
    entry = returns.entries["3.2"]
    assert (entry.status, entry.who) == ("at risk", ("West Local Policing Area", "Crime and Public Protection Command"))
    assert entry.text.startswith("Two posts are vacant.")
    # everything left empty is a missing update, never dropped, unless it was already complete
    complete = [cid for cid, entry in previous.entries.items() if entry.status == "complete"]
    assert len(returns.entries) == 60 and "3.2" not in returns.missing and complete
    assert sorted(returns.missing) == sorted(set(returns.entries) - {"3.2"} - set(complete))
    assert returns.entries["1.1"].status == commentary.NO_UPDATE


def test_a_commitment_marked_complete_without_commentary_stays_complete(plan, tmp_path):
    # issue 30: it dropped to "no update" when the unit wrote no text
    text = commentary.template(plan, Q3, None)
    returns = commentary.check(_write(tmp_path, _fill(_fill(text, "2.1", "complete", ""), "2.2", "on track", "")),
                               plan, Q3)
    assert returns.entries["2.1"].status == "complete" and "2.1" not in returns.missing
    assert commentary_cell(returns.entries["2.1"]) == '<p class="pcp-no-update">Complete; nothing further to report.</p>'
    assert returns.entries["2.2"].status == commentary.NO_UPDATE and "2.2" in returns.missing


def test_cli_template_and_check(dataset, tmp_path, capsys):
    data_dir = tmp_path / "data"
    import shutil
    shutil.copytree(dataset.root, data_dir)
    (data_dir / "commentary" / f"{Q3.id}.md").unlink(missing_ok=True)
    assert commands.main(["commentary", "template", "--quarter", Q3.id, "--data", str(data_dir)]) == 0
    assert "60 commitments" in capsys.readouterr().out
    assert commands.main(["commentary", "template", "--quarter", Q3.id, "--data", str(data_dir)]) == 2
    assert "not overwritten" in capsys.readouterr().err
    assert commands.main(["commentary", "check", "--quarter", Q3.id, "--data", str(data_dir)]) == 0
    # a fresh template's commitments are all missing but those last quarter left complete
    complete = sum(e.status == "complete" for e in commentary.load(data_dir / "commentary", dataset.plans["2021-2024"],
                                                                    Q3.previous()).entries.values())
    assert f"no update received for {60 - complete} commitment(s)" in capsys.readouterr().out
    assert commands.main(["commentary", "template", "--quarter", "2024-25-Q1", "--data", str(data_dir)]) == 2
    assert "no plan covers quarter 2024-25-Q1" in capsys.readouterr().err


@pytest.mark.parametrize("text, line, field, words", [
    ("## 99.1 Nothing\nWho: Nobody\nStatus: on track\n\nText\n", 1, "commitment", "unknown commitment '99.1'"),
    ("## 3.2\nWho: A\nStatus: on track\n\nOne\n\n## 3.2\nWho: A\nStatus: complete\n\nTwo\n", 7, "commitment",
     "has two entries (first at line 1)"),
    ("## 3.2\nWho: A\nStatus: nearly there\n\nText\n", 3, "Status", "expected one of complete, on track"),
    ("## 3.2\nWho: A\nOwner: B\nStatus: on track\n\nText\n", 3, "Owner", "unknown field"),
    ("Quarter: 2023-24-Q2\n\n## 3.2\nWho: A\nStatus: on track\n\nText\n", 1, "Quarter", "the file says 2023-24-Q2"),
    # nothing a unit wrote is dropped: a '# ' line inside an entry would end it, so it is refused
    ("## 3.2\nWho: A\nStatus: on track\n\nDone.\n# Next steps\nMore work.\n", 6, None,
     "would end entry 3.2 and be dropped with what follows it"),
    ("## 3.2\nWho: A\nStatus: on track\nStatus: complete\n\nText\n", 4, "Status",
     "'Status:' is given twice in this entry (first at line 3)"),
    ("Quarter: 2023-24-Q3\nQuarter: 2023-24-Q3\n\n## 3.2\nWho: A\nStatus: on track\n\nText\n", 2, "Quarter",
     "given twice (first at line 1)"),
    ("Returns: real\n\n## 3.2\nWho: A\nStatus: on track\n\nText\n", 1, "Returns", "expected published or modelled"),
    ("## 3.2\nWho: A\nStatus: on track\n\n" + "x" * 20_001 + "\n", 1, "commentary", "at most 20,000"),
])
def test_bad_returns_are_refused_with_line_and_field(plan, tmp_path, text, line, field, words):
    path = _write(tmp_path, text)
    with pytest.raises(commentary.CommentaryError) as caught:
        commentary.check(path, plan, Q3)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), line, field)
    assert words in problem.message


def test_statuses_are_read_leniently_but_only_from_the_list(plan, tmp_path):
    path = _write(tmp_path, "## 3.2\nWho: A / B\nStatus: On-Track\n\nDone.\n")
    entry = commentary.check(path, plan, Q3).entries["3.2"]
    assert entry.status == "on track" and entry.who == ("A", "B")


def test_no_file_means_no_update_for_everything(plan, tmp_path):
    returns = commentary.load(tmp_path, plan, Q3)
    assert set(returns.counts()) == {commentary.NO_UPDATE} and len(returns.missing) == 60


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "```{eval-rst}\n.. raw:: html\n\n   <script>alert(2)</script>\n```",
    "<div onclick=\"steal()\">click</div>",
    "{raw}`html <b>x</b>`",
])
def test_untrusted_text_is_escaped(hostile):
    rendered = commentary.to_html(hostile)
    assert "<script" not in rendered and "<div" not in rendered and "<b>" not in rendered
    assert "&lt;" in rendered or "{raw}" in rendered


def test_paragraphs_bullets_and_bold_are_kept():
    rendered = commentary.to_html("First **bold** line.\n\n- one\n- two\n  continued\n\nLast.")
    assert rendered == ("<p>First <strong>bold</strong> line.</p><ul><li>one</li><li>two continued</li></ul>"
                        "<p>Last.</p>")


def test_long_entries_are_folded_with_their_opening_visible():
    long_text = "Word " * 600
    cell = commentary_cell(commentary.Entry("1.1", ("A",), "on track", long_text))
    assert cell.startswith('<details class="pcp-long"><summary>Word Word') and "show all 3,000 characters" in cell
    assert commentary_cell(commentary.Entry("1.1", ("A",), "on track", "")) == (
        '<p class="pcp-no-update">No update received.</p>')


def test_status_summary_reads_like_the_seed():
    from collections import Counter
    assert status_summary(Counter({"complete": 150, "on track": 175, "at risk": 1})) == (
        "150 complete, 175 on track, 1 at risk")
    assert status_summary(Counter({"no update": 2})) == "2 no update received"


def test_demo_returns_cover_every_quarter_with_some_at_risk_and_missing(dataset):
    at_risk = missing = 0
    for plan in dataset.plans.values():
        from pcpbook.core.periods import quarters_between
        for quarter in quarters_between(plan.first_quarter, plan.last_quarter):
            returns = commentary.check(commentary.path_for(dataset.root / "commentary", quarter), plan, quarter)
            assert returns.modelled
            at_risk += returns.counts()["at risk"]
            missing += len(returns.missing)
    assert at_risk > 20 and missing > 20


def test_demo_returns_are_reproduced_by_their_generator(dataset, tmp_path):
    import importlib.util

    from conftest import ROOT
    spec = importlib.util.spec_from_file_location("make_demo_commentary", ROOT / "scripts" / "make_demo_commentary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for plan in dataset.plans.values():
        module.write_plan(plan, tmp_path)
    for path in sorted(tmp_path.glob("*.md")):
        assert path.read_text() == (dataset.root / "commentary" / path.name).read_text(), path.name
    assert len(list(tmp_path.glob("*.md"))) == 32


@pytest.mark.parametrize("data, line, words", [
    ("## 3.2\nWho: A\nStatus: on track\n\nCaf\xe9\n".encode("latin-1"), 5, "not UTF-8"),
    ("## 3.2\nWho: A\n".encode("utf-16"), 1, "UTF-16"),
    (b"## 3.2\nWho: A\x00\n", 2, "NUL byte"),
])
def test_a_return_that_is_not_utf8_text_is_refused_with_its_line(plan, tmp_path, data, line, words):
    path = tmp_path / f"{Q3.id}.md"
    path.write_bytes(data)
    with pytest.raises(commentary.CommentaryError) as caught:
        commentary.check(path, plan, Q3)
    [problem] = caught.value.problems
    assert problem.line == line and words in problem.message
