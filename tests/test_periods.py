import datetime as dt

import pytest

from pcpbook.core.periods import PeriodError, Quarter, quarters_between


def test_quarter_two_is_july_to_september():
    quarter = Quarter.parse("2023-24-Q2")
    assert quarter.start == dt.date(2023, 7, 1)
    assert quarter.end == dt.date(2023, 9, 30)
    assert quarter.months == [dt.date(2023, 7, 1), dt.date(2023, 8, 1), dt.date(2023, 9, 1)]
    assert quarter.month_span == "July to September 2023"


def test_quarter_four_is_january_to_march_of_the_next_calendar_year():
    quarter = Quarter.parse("2020-21-Q4")
    assert (quarter.start, quarter.end) == (dt.date(2021, 1, 1), dt.date(2021, 3, 31))
    assert quarter.days == 90


def test_published_form_is_accepted_and_canonical_id_is_kept():
    assert Quarter.parse("2020/21 Q1") == Quarter.parse("2020-21-Q1")
    assert Quarter.parse("2020/21 Q1").id == "2020-21-Q1"
    assert Quarter.parse("2020-21-Q1").label == "2020/21 Q1"


@pytest.mark.parametrize("text", ["2020-Q1", "2020-21-Q5", "2020-22-Q1", "Q1 2020/21", "2020 21 Q1", "", "2024"])
def test_anything_else_is_a_clear_error(text):
    with pytest.raises(PeriodError, match="expected a financial-year quarter|must be followed by"):
        Quarter.parse(text)


def test_century_boundary_is_handled():
    assert Quarter.parse("2099-00-Q1").fy_start == 2099


def test_neighbouring_quarters():
    quarter = Quarter.parse("2021-22-Q1")
    assert quarter.previous().id == "2020-21-Q4"
    assert quarter.same_quarter_last_year().id == "2020-21-Q1"
    assert quarter.shift(5).id == "2022-23-Q2"


def test_quarter_containing_a_date():
    assert Quarter.containing(dt.date(2024, 3, 31)).id == "2023-24-Q4"
    assert Quarter.containing(dt.date(2024, 4, 1)).id == "2024-25-Q1"


def test_quarters_between_counts_both_ends():
    span = quarters_between(Quarter.parse("2016-17-Q1"), Quarter.parse("2023-24-Q4"))
    assert len(span) == 32 and span[0].id == "2016-17-Q1" and span[-1].id == "2023-24-Q4"
