"""Rates per day and the busiest month, for contacts and reports (the catalogue's per_day)."""

import datetime as dt

from conftest import DATA, page_text
from pcpbook.present.narrative import busiest_month_sentence, per_day_sentence


def test_a_quarters_calls_are_also_given_per_day(dataset):
    measure = dataset.measures["emergency_calls_999"]
    # the seed: 66,497 calls in the 90 days of 2020/21 Q4 "738 a day"; 66,497 / 90 = 738.9, so 739
    assert per_day_sentence(measure, 66_497, 90, "the quarter") == \
        "That is 739 emergency calls (999) a day over the quarter's 90 days (66,497 in all)."


def test_the_busiest_and_quietest_months_are_chosen_by_the_day_not_by_the_count(dataset):
    measure = dataset.measures["emergency_calls_999"]
    # audit W2: February, the shortest month, was called quietest on its count at 754 a day beside January's 681
    months = [(dt.date(2021, 1, 1), 21_099), (dt.date(2021, 2, 1), 21_099), (dt.date(2021, 3, 1), 24_299)]
    assert busiest_month_sentence(measure, months) == (
        "By the day, March (24,299; 784 a day) was the busiest month of the quarter, and January (21,099; 681 a day) "
        "the quietest.")
    tied = [(dt.date(2021, 1, 1), 3_100), (dt.date(2021, 2, 1), 2_900), (dt.date(2021, 3, 1), 3_100)]
    assert busiest_month_sentence(measure, tied) == (
        "By the day, February (2,900; 104 a day) was the busiest month of the quarter, and January and March "
        "(3,100 in January, 3,100 in March; 100 a day) the quietest.")
    assert busiest_month_sentence(measure, [(dt.date(2021, 1, 1), 31), (dt.date(2021, 3, 1), 31)]) is None


def test_the_2020_21_q4_edition_states_calls_per_day_and_the_busiest_month(tmp_path):
    text = page_text("priority", {"plan": "2016-2021", "priority": 1, "quarter": "2020-21-Q4", "data_dir": str(DATA)},
                     tmp_path)
    assert "That is 739 emergency calls (999) a day over the quarter's 90 days (66,497 in all)." in text
    assert "By the day, March (24,299; 784 a day) was the busiest month of the quarter" in text
    # a measure not marked per_day gets neither
    assert "Total recorded crime" in text and "crimes a day" not in text


def test_a_count_with_a_start_gets_its_running_total_to_the_quarters_end(dataset, tmp_path):
    series = dataset.monthly("online_crime_reports", dt.date(2021, 3, 31))
    total = int(series.loc[series["period_start"] >= dt.date(2016, 9, 1), "value"].sum())
    text = page_text("priority", {"plan": "2016-2021", "priority": 1, "quarter": "2020-21-Q4", "data_dir": str(DATA)},
                     tmp_path)
    assert f"Since September 2016, when it began, {total:,} online crime reports have been received (to March 2021)." \
        in text


def test_a_start_that_is_not_the_first_of_a_month_is_refused(data_copy):
    import pytest

    from pcpbook import contracts
    path = data_copy / "measures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("since: 2016-09-01", "since: 2016-09-15"), encoding="utf-8")
    with pytest.raises(contracts.DataError, match="field 'since': got '2016-09-15': expected the first day of the month"):
        contracts.load(data_copy)
