"""The bundled modelled data: reproducible, and honouring every published figure (back-tests
against the seed documents)."""

import datetime as dt
import importlib.util
import sys

import pandas as pd
import pytest

from conftest import DATA, ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts" / "make_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_data"] = module
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_the_committed_observations():
    generator = _generator()
    rows = generator.generate(pd.read_csv(DATA / "published_figures.csv", dtype=str))
    regenerated = pd.DataFrame(rows)
    committed = pd.read_csv(DATA / "observations.csv")
    regenerated["value"] = regenerated["value"].astype(float)
    committed["value"] = committed["value"].astype(float)
    pd.testing.assert_frame_equal(regenerated.reset_index(drop=True), committed, check_dtype=False)


def test_every_modelled_row_is_labelled_modelled():
    observations = pd.read_csv(DATA / "observations.csv")
    assert set(observations["status"]) == {"modelled"}
    assert observations["source"].str.contains("demo generator").all()


def test_monthly_series_cover_april_2013_to_march_2024(dataset):
    months = dataset.monthly("total_recorded_crime", dt.date(2030, 1, 1))["period_start"]
    assert months.iloc[0] == dt.date(2013, 4, 1) and months.iloc[-1] == dt.date(2024, 3, 1)
    assert len(months) == 132


@pytest.mark.parametrize("measure, start, months, expected", [
    ("emergency_calls_999", dt.date(2020, 4, 1), 3, 74630),
    ("emergency_calls_999", dt.date(2019, 4, 1), 3, 86134),
    ("ksi_casualties", dt.date(2020, 4, 1), 3, 142),
    ("ksi_casualties", dt.date(2019, 4, 1), 3, 218),
    ("burglary", dt.date(2015, 4, 1), 12, 13032),
    ("burglary", dt.date(2021, 4, 1), 12, 6535),
    ("domestic_abuse_incidents", dt.date(2015, 4, 1), 12, 30719),
    ("domestic_abuse_incidents", dt.date(2021, 4, 1), 12, 42802),
    ("anti_social_behaviour", dt.date(2015, 4, 1), 12, 52732),
    ("anti_social_behaviour", dt.date(2021, 4, 1), 12, 30674),
])
def test_monthly_values_sum_to_the_published_totals(dataset, measure, start, months, expected):
    series = dataset.monthly(measure, dt.date(2030, 1, 1)).set_index("period_start")["value"]
    window = [dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
              for k in range(months)]
    assert series.loc[window].sum() == expected
    assert (series.loc[window] == series.loc[window].round()).all()


def test_every_published_figure_is_met_by_the_modelled_months(dataset):
    """The loader refuses a published total its months do not add up to; check it ran on all."""
    observations = dataset.observations
    published = observations[observations["status"] == "published"]
    checked = 0
    for row in published[published["period"] != "snapshot"].itertuples():
        months = {"month": 1, "quarter": 3, "fy": 12, "year": 12}[row.period]
        modelled = observations[(observations["measure"] == row.measure) & (observations["status"] == "modelled")
                                & (observations["geography"] == row.geography)]
        modelled = modelled.set_index("period_start")["value"]
        if dataset.measures[row.measure].kind == "percent":
            quarters = [row.period_start.replace(month=m, year=row.period_start.year + (m < 4))
                        for m in (4, 7, 10, 1)]
            assert round(modelled.loc[quarters].mean(), 1) == row.value
        else:
            window = [dt.date(row.period_start.year + (row.period_start.month - 1 + k) // 12,
                              (row.period_start.month - 1 + k) % 12 + 1, 1) for k in range(months)]
            assert modelled.loc[window].sum() == row.value, row
        checked += 1
    assert checked == 78  # every published figure but the headcount snapshots


def test_published_headcounts_are_the_modelled_month_end_values(dataset):
    for day, expected in [(dt.date(2020, 6, 30), 511), (dt.date(2021, 1, 31), 530), (dt.date(2016, 4, 30), 353)]:
        series = dataset.monthly("special_constables", day)
        assert series.iloc[-1]["value"] == expected


def test_calibration_targets_from_the_seeds_hold(dataset):
    def total(measure, start, months):
        return dataset.value(measure, start, months).amount
    assert total("online_crime_reports", dt.date(2016, 9, 1), 7) / 7 == pytest.approx(1118, abs=0.5)
    q1, q2 = total("residential_burglary", dt.date(2021, 4, 1), 3), total("residential_burglary", dt.date(2021, 7, 1), 3)
    assert q2 - q1 == 189
    july, september = total("residential_burglary", dt.date(2021, 7, 1), 1), total("residential_burglary", dt.date(2021, 9, 1), 1)
    assert round(100 * (september - july) / july) == -13
    year_2020, year_2019 = total("hate_crime", dt.date(2020, 1, 1), 12), total("hate_crime", dt.date(2019, 1, 1), 12)
    assert year_2020 > 3600 and round(100 * (year_2020 / year_2019 - 1), 1) == 14.4
    asb = [total("anti_social_behaviour", dt.date(y, 4, 1), 12) for y in (2015, 2019, 2020, 2021)]
    assert round(100 * (asb[1] / asb[0] - 1)) == -21 and 45 < 100 * (asb[2] / asb[1] - 1) < 50
    assert round(100 * (asb[3] / asb[0] - 1)) == -42


def test_parts_never_exceed_their_whole(dataset):
    end = dt.date(2030, 1, 1)
    for part, whole in [("residential_burglary", "burglary"), ("ksi_fatal", "ksi_casualties"),
                        ("domestic_abuse", "domestic_abuse_incidents"), ("burglary", "total_recorded_crime")]:
        a = dataset.monthly(part, end).set_index("period_start")["value"]
        b = dataset.monthly(whole, end).set_index("period_start")["value"]
        assert (a <= b.loc[a.index]).all(), part


def test_counts_are_whole_and_never_negative():
    observations = pd.read_csv(DATA / "observations.csv")
    counts = observations[observations["period"] == "month"]["value"]
    assert (counts >= 0).all() and (counts == counts.round()).all()


@pytest.mark.parametrize("measure", ["public_confidence", "victim_satisfaction"])
def test_survey_percentages_move_smoothly(dataset, measure):
    series = dataset.monthly(measure, dt.date(2030, 1, 1))["value"]
    assert series.between(50, 95).all()
    assert series.diff().abs().max() < 5
