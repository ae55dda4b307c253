"""What the 2023-24-Q4 edition says, judged as the statistical audit judged it: no noise called
significant, an interval with every percentage change, small numbers without percentages, no
ordinary February flagged, and plurals resolved."""

import re

import pytest

from conftest import DATA, page_text

QUARTER = "2023-24-Q4"


@pytest.fixture(scope="module")
def chapters(tmp_path_factory):
    """Every chapter's text as its template shows it, with Markdown escapes removed."""
    folder = tmp_path_factory.mktemp("chapters")
    return {number: page_text("priority", {"plan": "2021-2024", "priority": number, "quarter": QUARTER,
                                           "data_dir": str(DATA)}, folder).replace("\\", "")
            for number in range(1, 13)}


def _bullets(texts):
    return [line[2:] for text in texts.values() for line in text.splitlines() if line.startswith("- ")]


def test_total_recorded_crime_over_12_months_is_not_called_significant(chapters):
    sentence = next(b for b in _bullets(chapters) if b.startswith("In the 12 months to March 2024, 165,193 crimes"))
    assert "statistically significant" not in sentence
    assert re.search(r"down 0\.8%; 95% interval -\d\.\d% to \+\d\.\d%\)\. This change is too small to tell apart "
                     r"from usual variation \(p = 0\.\d{3}\)", sentence)


def test_every_percentage_change_in_a_comparison_carries_its_interval(chapters):
    comparisons = [b for b in _bullets(chapters) if " compared to " in b]
    with_percent = [b for b in comparisons if re.search(r"\((an increase|a decrease) of [\d,.]+ [^)]*, (up|down) "
                                                        r"\d+\.\d%", b)]
    assert len(with_percent) > 30
    for sentence in with_percent:
        tested = "No significance test applies" not in sentence
        assert ("95% interval" in sentence) == tested, sentence


def test_road_deaths_are_given_as_counts_without_a_percentage(chapters):
    killed = next(b for b in _bullets(chapters) if b.startswith("15 people were killed on Essex roads this quarter"))
    assert "compared to 10 in the same quarter last year (an increase of 5 fatalities)" in killed
    assert "%" not in killed and "too few to tell apart" in killed


def test_no_february_is_flagged_for_its_seasonal_low(chapters):
    for text in chapters.values():
        assert not re.search(r"February 2024 \([\d,]+, adjusted [\d,.]+: below the lower limit", text)


def test_plurals_are_resolved_and_the_control_months_are_named(chapters):
    text = "\n".join(chapters.values())
    assert "(s)" not in text
    assert "This chapter reports 7 measures and 5 commitments." in chapters[1]
    assert re.search(r"limits from the 24 months from January 2022 to December 2023: centre [\d,]+ a month", text)
    assert "limits from the 8 months" not in text  # stalking's counting-rule change leaves too few: no chart
    assert "No control chart: only 8 comparable months before 2023/24 Q4" in text


def test_the_edition_tests_its_comparisons_together(chapters):
    significant = [b for b in _bullets(chapters) if "is statistically significant, allowing for" in b]
    families = {int(n) for b in significant for n in re.findall(r"for the (\d+) comparisons in this edition", b)}
    assert len(families) == 1 and families.pop() > 40
    assert all("95% interval" in b for b in significant)
