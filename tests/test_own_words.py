"""Our text is our own: no run of eight words in the plans' objectives and commitments or in the
demonstration commentary appears in the seed documents (priority titles, being names, are
exempt). Reads ../shared/seeds in place; skipped where absent."""

import re

import pytest
import yaml

from conftest import DATA, ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
RUN = 8


def _words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.fixture(scope="module")
def seed_runs():
    runs = set()
    for path in SEEDS.glob("*.txt"):
        words = _words(path.read_text(encoding="utf-8"))
        runs |= {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}
    return runs


def _copied(text, runs):
    words = _words(text)
    return any(tuple(words[i:i + RUN]) in runs for i in range(len(words) - RUN + 1))


def test_plan_objectives_and_commitments_are_paraphrased(seed_runs):
    texts = []
    for path in (DATA / "plans").glob("*.yaml"):
        for priority in yaml.safe_load(path.read_text())["priorities"]:
            texts.append(priority["objective"])
            texts += [c["text"] for c in priority["commitments"]]
    assert len(texts) == 19 + 175
    assert [t for t in texts if _copied(t, seed_runs)] == []


def test_demo_commentary_is_our_own_words(seed_runs):
    bodies = [line for path in (DATA / "commentary").glob("*.md")
              for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert len(bodies) > 1000
    assert sorted({b for b in bodies if _copied(b, seed_runs)}) == []


def test_the_library_pages_and_the_catalogue_definitions_are_our_own_words(seed_runs):
    """The page templates, the comparison caveats and the catalogue's definitions (labels are
    names, exempt like priority titles)."""
    texts = [path.read_text(encoding="utf-8") for path in (ROOT / "pcpbook" / "templates").glob("*.md")]
    texts.append((ROOT / "pcpbook" / "present" / "comparing.py").read_text(encoding="utf-8"))
    texts += [entry["definition"] for entry in yaml.safe_load((DATA / "measures.yaml").read_text(encoding="utf-8"))]
    assert len(texts) > 50
    assert [text[:60] for text in texts if _copied(text, seed_runs)] == []


def test_the_strategy_its_delivery_plan_and_returns_are_our_own_words(seed_runs):
    """Strand names are names (exempt); their aims, the actions and the returns are paraphrase."""
    strategy = yaml.safe_load((DATA / "strategies" / "crime-prevention-2018-2021.yaml").read_text(encoding="utf-8"))
    texts = [strand["aim"] for strand in strategy["strands"]]
    texts += (DATA / "strategies" / "crime-prevention-2018-2021-actions.csv").read_text(encoding="utf-8").splitlines()
    texts += [line for path in (DATA / "strategy-returns").rglob("*.md")
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) > 600
    assert [text for text in texts if _copied(text, seed_runs)] == []
