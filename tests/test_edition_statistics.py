"""What the 2023-24-Q4 edition says, judged as the statistical audit judged it: no noise called
significant, an interval with every percentage change, small numbers without percentages, no
ordinary February flagged, and plurals resolved."""

import re

import pytest

from conftest import DATA, page_text
from pcpbook.present.chapter import open_chapter

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


def _rows(texts):
    """The rows of every "How we know" table: compared, this period, then, change, interval, test, data."""
    return [[cell.strip() for cell in line.strip("|").split("|")] for text in texts.values()
            for line in text.splitlines() if line.startswith(("| The same quarter", "| The 12 months", "| Last quarter"))]


def test_total_recorded_crime_across_the_may_2023_counting_change_is_not_comparable(chapters):
    sentence = next(b for b in _bullets(chapters) if b.startswith("165,193 crimes were recorded in the 12 months to "
                                                                   "March 2024"))
    assert sentence.endswith("The two are not comparable: what the series counts changed on 1 May 2023 (Counting-rule "
                             "change: stalking, harassment and coercive control counted only as the principal crime).")
    assert "%" not in sentence and "usual variation" not in sentence
    row = next(r for r in _rows(chapters) if r[:2] == ["The 12 months before", "165,193"])
    assert row[3:6] == ["not comparable", "–", "not tested"]


def test_no_percentage_change_for_stalking_and_harassment_across_the_counting_change(chapters):
    said = [b for b in _bullets(chapters) if "stalking and harassment offences were recorded" in b]
    assert said and all("not comparable" in b and "%" not in b for b in said)
    rows = [line for text in chapters.values() for line in text.splitlines() if line.startswith("| Stalking and harassment")]
    assert rows and all("| not comparable | not comparable |" in row for row in rows)
    assert not re.search(r"(15\.6|20\.2)% (fewer|more)|down (15\.6|20\.2)%", " ".join(chapters.values()))


def test_every_percentage_change_in_a_comparison_carries_its_interval(chapters):
    with_percent = [row for row in _rows(chapters) if re.search(r"\([+-]\d+\.\d%\)", row[3])]
    assert len(with_percent) > 30
    for row in with_percent:
        assert (row[4] != "–") == (row[5] != "not tested"), row


def test_road_deaths_are_given_as_counts_without_a_percentage(chapters):
    killed = next(b for b in _bullets(chapters) if b.startswith("15 people were killed on Essex roads this quarter"))
    assert killed == ("15 people were killed on Essex roads this quarter, 5 more than in the same quarter last year "
                      "(10): too few to tell apart from chance.")


def test_no_february_is_flagged_for_its_seasonal_low(chapters):
    for text in chapters.values():
        assert not re.search(r"February[^.:]*2024: below the lower limit", text)


def test_plurals_are_resolved_and_the_control_months_are_named(chapters):
    text = "\n".join(chapters.values())
    assert "(s)" not in text
    assert "This chapter reports 7 measures and 5 commitments." in chapters[1]
    flat = " ".join(text.split())
    assert re.search(r"the level of the 24 months from January 2022 to December 2023: [\d,]+ a month", flat)
    assert "the level of the 8 months" not in flat  # stalking's counting-rule change leaves too few: no chart
    assert "No control chart: only 8 comparable months before 2023/24 Q4" in text


def test_the_edition_tests_its_comparisons_together(chapters):
    families = {int(n) for text in chapters.values()
                for n in re.findall(r"allowing for the (\d+) comparisons in this edition", text)}
    assert len(families) == 1 and families.pop() > 40
    significant = [row for row in _rows(chapters) if row[5].startswith("significant (")]
    assert all(row[4] != "–" for row in significant)
    leads = [b for b in _bullets(chapters) if b.endswith("more than usual variation would explain.")]
    assert len(leads) == len([row for row in significant])


def test_a_change_the_data_cannot_resolve_is_not_called_too_small_or_said_to_be_none(chapters):
    # audit W1: "too small to tell apart" was said of intervals as wide as -32.5% to +22.8%
    text = "\n".join(chapters.values())
    assert "too small to tell apart" not in text and ": within usual variation" not in text
    unresolved = [b for b in _bullets(chapters) if b.endswith(": not clearly beyond usual variation.")]
    assert len(unresolved) > 10


def test_the_busiest_month_is_busier_by_the_day_than_the_quietest(chapters):
    # audit W2: online reports, "February (2,963; 102 a day) the quietest" beside March's 101 a day
    said = re.findall(r"By the day, [^(]+\([^;]+; ([\d,]+) a day\) (?:was|were) the busiest months? of the quarter, "
                      r"and [^(]+\([^;]+; ([\d,]+) a day\) the quietest\.", "\n".join(chapters.values()))
    assert len(said) >= 2
    assert all(int(busy.replace(",", "")) >= int(quiet.replace(",", "")) for busy, quiet in said)


def test_a_quarter_with_a_leap_day_is_compared_per_day(chapters):
    # audit W4: January to March 2024 has 91 days against 90, +1.1% from the calendar alone
    burglary = next(b for b in _bullets(chapters) if b.startswith("1,529 burglaries were recorded this quarter"))
    assert burglary == ("1,529 burglaries were recorded this quarter, 4.8% more than in the same quarter last year "
                        "(1,459), 3.6% more per day (91 days against 90): not clearly beyond usual variation.")
    assert f"{100 * (1529 / 91 / (1459 / 90) - 1):.1f}" == "3.6"
    same_quarter = [b for b in _bullets(chapters) if "than in the same quarter last year (" in b and "%" in b
                    and "not comparable" not in b and "percentage points" not in b and "There were" not in b]
    assert same_quarter and all("per day (91 days against 90)" in b for b in same_quarter), same_quarter


def test_control_limits_for_counts_of_twenty_or_more_are_whole_numbers(chapters):
    # audit W12: "limits 61.0 to 133.0" (drug trafficking, centre under 100)
    number = r"([\d,]+(?:\.\d+)?)"
    limits = re.findall(rf"the expectation was {number} and the limits {number} to {number}",
                        " ".join(" ".join(chapters.values()).split()))
    assert len(limits) >= 10 and all("." not in value for found in limits for value in found[1:])
    assert all("." not in found[0] for found in limits if float(found[0].replace(",", "")) >= 20)


def test_the_ksi_trend_says_it_crosses_the_change_in_severity_recording(chapters):
    # audit W8: Mann-Kendall and the regression on KSI as recorded across CRaSH, with no caveat
    text = " ".join(" ".join(chapters.values()).split())
    assert ("The trend tests use people killed or seriously injured on the roads (KSI) as recorded: the data do not "
            "hold the severity-adjusted series for the same years.") in text
    assert "The measure catalogue gives no date for this force's move, so part of a rise may be the new recording." in text


def test_every_sentence_drawn_from_modelled_figures_sits_under_a_modelled_label(chapters, dataset):
    # audit W11: control chart, STL, trend, per-day and running-total sentences had only the chart's badge
    labels = {measure.label for measure in dataset.measures.values()}
    headings = [line for text in chapters.values() for line in text.splitlines()
                if line.startswith("**") and line.split("**")[1] in labels]
    assert len(headings) > 30
    assert all(line.endswith((" · *modelled data*", " · *partly modelled data*")) for line in headings), headings


def test_a_control_chart_signal_says_how_it_differs_from_the_tests(chapters):
    # audit W7: "run of 7 below the centre" beside "too small to tell apart", unreconciled
    notes = [line for text in chapters.values() for line in text.splitlines() if "Control chart" in line]
    signalled = [note for note in notes if "No month of the quarter shows a signal" not in note
                 and "No control chart" not in note]
    assert signalled and all("the tests judge whole periods against earlier ones, so the two can disagree" in note
                             for note in signalled)


def test_a_published_figure_beside_a_modelled_one_is_not_called_modelled_without_saying_which(dataset):
    key_figures = open_chapter("2016-2021", 1, "2020-21-Q4", str(dataset.root)).key_figures().data
    special_constables = next(row for row in key_figures.splitlines() if row.startswith("| Special Constables"))
    # 521 at March 2021 is published (the closure report); March 2020's 511 is modelled
    assert special_constables.startswith("| Special Constables (headcount) | 521 | 511 |")
    assert "| modelled (earlier figure) |" in special_constables
