"""Properties of the output layer over arbitrary text (Hypothesis): whatever a text field holds,
it reaches a page as text and a CSV cell as a value, never as markup or a formula. The examples
are drawn the same way on every run (derandomize), so a run in CI is a run here; the @example
cases are ones a random search found."""

import csv
import html
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from pcpbook.core import outputs, render

# Any text a field can hold: every Unicode character but surrogates and NUL (the readers refuse
# NUL), weighted towards the characters of Markdown, HTML, MyST and spreadsheets.
SPECIAL = list("\\`*_{}[]<>()#+-.!|$%&~^=@:;'\"\t\r\n\u2028\u202e\u2066\u2069") + [
    "{include}", "```", ":::", "<script>", "<!--", "](javascript:x)", "{{ x }}", "$x^2$", "1. ", "- ", "=SUM(A1)",
    "---", "+++", "(x)=", "> ", "    ", "|", "<http://x>", "[^1]", "% c"]
TEXT = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
                          st.sampled_from(SPECIAL)), max_size=12).map("".join)
INLINE_TEXT = {"text", "text_special", "softbreak"}  # what plain text parses into; nothing else may appear
MYST = create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "dollarmath", "substitution", "tasklist"}),
                        RendererHTML)


def _shown(text: str) -> str:
    """What a reader should see: the text on one line, bidi runs isolated; white space at either
    end of a one-line field is not content (Markdown trims it, a no-break space included)."""
    return render.one_line(text).strip()


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
@example("0\xa0")
@example("----")
@example("+++ {x}")
@example("(0)=")
@example("A&E <50% * [x] `b` $y$ {include} /etc/passwd")
@example("# heading\n- item\n1. one\n:::{note}\nx\n:::")
@example("burglaries \u202e compared")
def test_any_text_reaches_a_markdown_page_as_that_text_and_nothing_else(text):
    tokens = MYST.parse(render.escape_markdown(text))
    if not _shown(text).strip():
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], tokens
    children = tokens[1].children
    assert {c.type for c in children} <= INLINE_TEXT, [c.type for c in children]
    seen = "".join(" " if c.type == "softbreak" else c.content for c in children)
    assert seen.strip() == _shown(text)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(TEXT)
def test_any_text_reaches_html_as_text(text):
    escaped = render.escape_html(text)
    assert not re.search(r"[<>\"']", escaped)
    assert html.unescape(escaped) == render.isolate_bidi(text)


FORMULA = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def runnable(cell: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula (OWASP's list of first characters),
    a plain number apart."""
    return cell.startswith(FORMULA) and not PLAIN_NUMBER.fullmatch(cell)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(TEXT, min_size=2, max_size=2), min_size=1, max_size=5))
def test_any_text_reaches_a_csv_cell_as_a_value_never_a_formula(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "chart.csv"
    outputs.write_csv(path, ["series", "source"], rows)
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["series", "source"] and len(read) == len(rows) + 1
    for written, cells in zip(rows, read[1:]):
        for original, cell in zip(written, cells):
            assert not runnable(cell)
            expected = original.replace("\r\n", "\n").replace("\r", "\n")
            assert cell in (expected, "'" + expected)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(TEXT, min_size=1, max_size=6), st.lists(st.floats(allow_nan=False, allow_infinity=False,
                                                                  width=32), min_size=6, max_size=6))
def test_a_frames_text_cells_are_made_safe_and_its_numbers_stay_numbers(tmp_path_factory, texts, numbers):
    import pandas as pd
    frame = pd.DataFrame({"series": texts, "value": numbers[:len(texts)]})
    path = outputs.write_frame(tmp_path_factory.mktemp("frame") / "chart.csv", frame)
    read = pd.read_csv(path, dtype={"series": str}, keep_default_na=False)
    assert read["value"].tolist() == pytest_approx(frame["value"].tolist())
    for cell in read["series"]:
        assert not runnable(cell)


def pytest_approx(values):
    import pytest
    return pytest.approx(values, rel=1e-6)
