"""A published edition can be withdrawn: every page opens with the notice (the reason as text),
the record keeps it, the landing page, feed and switcher say so, and no build republishes it."""

import json

import pytest

from conftest import copy_project
from pcpbook.build import edition
from pcpbook.build.withdrawal import WithdrawalError, withdraw
from pcpbook.cli import commands
from pcpbook.contracts.records import read_record


def _published(site, quarter="2023-24-Q4", label="2023/24 Q4"):
    """A published edition as a build leaves it: its record and pages."""
    folder = site / quarter
    (folder / "chapters").mkdir(parents=True)
    record = {"edition": quarter, "label": label, "plan_title": "Police and Crime Plan 2021-2024",
              "version": "1.0", "produced": "2024-05-01", "data_to": "March 2024", "main_point": "Burglary fell.",
              "inputs": {"data": "ab" * 32, "print": ""}, "inputs_sha256": "cd" * 32}
    (folder / "edition.json").write_text(json.dumps(record), encoding="utf-8")
    for page in (folder / "index.html", folder / "chapters" / "p01.html"):
        page.write_text('<html><body class="bd"><main>Figures</main></body></html>', encoding="utf-8")
    return folder


def test_a_withdrawn_edition_says_so_on_every_page_and_in_its_record(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    site = project / "_build" / "site"
    folder = _published(site)
    _published(site, "2023-24-Q3", "2023/24 Q3")
    reason = "Burglary counts were double-counted for <March> & must be corrected"
    assert commands.main(["--project", str(project), "withdraw", "--quarter", "2023-24-Q4", "--reason", reason]) == 0
    for page in (folder / "index.html", folder / "chapters" / "p01.html"):
        text = page.read_text(encoding="utf-8")
        assert text.startswith('<html><body class="bd"><div class="pcp-withdrawn" role="alert"><p><strong>Withdrawn on ')
        assert "double-counted for &lt;March&gt; &amp; must be corrected" in text and "<March>" not in text
    record = read_record(folder / "edition.json")
    assert record["withdrawn"]["reason"] == reason and record["version"] == "1.0"
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert "Latest edition: <a href=\"2023-24-Q3/index.html\">" in landing  # the latest that stands
    assert "Withdrawn on" in landing and "&lt;March&gt;" in landing
    assert "Withdrawn on" in (site / "feed.xml").read_text(encoding="utf-8")
    switcher = json.loads((site / "switcher.json").read_text(encoding="utf-8"))
    assert switcher[0]["name"].endswith("(withdrawn)") and switcher[1].get("preferred")
    # twice is refused, naming when; so is an edition never published, or no reason
    assert commands.main(["--project", str(project), "withdraw", "--quarter", "2023-24-Q4", "--reason", "again"]) == 2
    assert "was withdrawn on" in capsys.readouterr().err
    assert commands.main(["--project", str(project), "withdraw", "--quarter", "2022-23-Q1", "--reason", "x"]) == 2
    assert "nothing to withdraw" in capsys.readouterr().err
    with pytest.raises(WithdrawalError, match="say why"):
        withdraw(project, "2023-24-Q3", "   ")


def test_a_build_does_not_republish_a_withdrawn_edition(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = _published(project / "_build" / "site")
    withdraw(project, "2023-24-Q4", "wrong figures")
    before = (folder / "index.html").read_text(encoding="utf-8")
    result = edition.build(project, "2023-24-Q4", workers=1)
    assert result.status.startswith("withdrawn on ") and (folder / "index.html").read_text(encoding="utf-8") == before
    assert edition.unpublished(project) and "2023-24-Q4" not in [q.id for q in edition.unpublished(project)]
