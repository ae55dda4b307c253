"""The priority chapters read as plain words: short sentences on average (measured the same way
on every chapter, folded detail included), no doubled brackets, a caveat said once a page."""

import html
import re

import pytest

pytestmark = pytest.mark.slow

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def prose(page) -> list[str]:
    """The text of every paragraph and list item of the page's article, tables left out."""
    article = page.read_text(encoding="utf-8").split("<article", 1)[1].split("</article>", 1)[0]
    article = re.sub(r"<table\b.*?</table>", " ", article, flags=re.S)
    blocks = re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", article, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", inside)).split()) for _, inside in blocks]


def sentence_lengths(page) -> list[int]:
    return [len(sentence.split()) for block in prose(page) for sentence in SENTENCE_END.split(block)
            if len(sentence.split()) > 1]


@pytest.mark.parametrize("edition, plan", [("2020-21-Q4", "2016-2021"), ("2023-24-Q2", "2021-2024")])
def test_priority_chapters_average_twenty_words_a_sentence_or_fewer(site, edition, plan):
    chapters = sorted((site / edition / "chapters" / plan).glob("p*.html"))
    lengths = {page.name: sentence_lengths(page) for page in chapters}
    averages = {name: sum(each) / len(each) for name, each in lengths.items()}
    everything = [length for each in lengths.values() for length in each]
    assert sum(everything) / len(everything) <= 20, averages
    assert max(averages.values()) <= 22, averages


@pytest.mark.parametrize("edition, plan", [("2020-21-Q4", "2016-2021"), ("2023-24-Q2", "2021-2024")])
def test_no_doubled_brackets_and_the_modelled_caveat_once_a_page(site, edition, plan):
    for page in sorted((site / edition / "chapters" / plan).glob("p*.html")):
        text = " ".join(prose(page))
        assert "))" not in text and ") (" not in text, page.name
        assert "(Modelled data.)" not in text, page.name
        assert text.count('Values marked "modelled" are demonstration data') <= 1, page.name
