"""The statistics against known answers: hand-worked Mann-Kendall and Sen's slope, exact
Poisson p-values, STL recovering a planted season, the regression recovering a planted trend,
control limits, and no look-ahead."""

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from pcpbook import data
from pcpbook.chapter import open_chapter
from pcpbook.data import Discontinuity
from pcpbook.periods import Quarter
from pcpbook.stats import (NotEnoughHistory, control_limits, decompose, overdispersion_test, poisson_test,
                           proportion_test, trend_tests)


def _monthly(values, start=dt.date(2013, 4, 1)):
    months = pd.date_range(start, periods=len(values), freq="MS").date
    return pd.DataFrame({"period_start": months, "value": values, "status": "modelled", "source": "test"})


def test_poisson_test_matches_exact_binomial_values():
    # 10 against 20 with equal exposure: 2 * P(Bin(30, 1/2) <= 10) = 0.0987371...
    assert poisson_test(10, 91, 20, 91).p_value == pytest.approx(0.0987371467, abs=1e-9)
    # 0 against 5: both tails have probability 1/32, so p = 2/32
    assert poisson_test(0, 30, 5, 30).p_value == pytest.approx(0.0625, abs=1e-12)
    # equal counts over equal days: nothing to see
    assert poisson_test(100, 92, 100, 92).p_value == pytest.approx(1.0)


def test_poisson_test_uses_the_days_as_exposure():
    # the same counts over a 90-day and a 92-day quarter are not the same rate
    equal_days = poisson_test(900, 91, 920, 91).p_value
    assert poisson_test(900, 90, 920, 92).p_value > equal_days


def test_proportion_test_matches_the_hand_worked_value():
    # 50% against 40% of 100 each: pooled 0.45, z = 0.1 / sqrt(0.45 * 0.55 * 0.02) = 1.4213, p = 0.1552
    assert proportion_test(50, 40, 100).p_value == pytest.approx(0.1552, abs=5e-4)


def test_mann_kendall_and_sens_slope_on_a_hand_worked_series(dataset):
    # FY totals 1, 3, 2, 5, 4 (times 12 months of equal counts): S = 8 - 2 = 6, var(S) = 5*4*15/18,
    # z = (6 - 1) / sqrt(16.67) = 1.2247, p = 0.2207, tau = 6/10; Sen's slope = median of the ten
    # pairwise slopes (-1, -1, 1/3, 1/2, 3/4, 1, 1, 4/3, 2, 3) = (3/4 + 1) / 2 = 0.875
    totals = [1, 3, 2, 5, 4]
    series = _monthly(np.repeat([t * 120 for t in totals], 12) / 12)
    result = trend_tests(series, Quarter.parse("2017-18-Q4"), ())
    test = result.mann_kendall
    assert result.years == ["2013/14", "2014/15", "2015/16", "2016/17", "2017/18"]
    assert (test.s, test.Tau, test.trend) == (6, 0.6, "no trend")
    assert test.var_s == pytest.approx(5 * 4 * 15 / 18)
    assert test.z == pytest.approx(5 / math.sqrt(50 / 3))
    assert test.p == pytest.approx(0.2207, abs=1e-4)
    assert test.slope == pytest.approx(0.875 * 120)


def test_stl_recovers_a_planted_seasonal_pattern():
    rng = np.random.default_rng(1)
    months = np.arange(120)
    planted = 40 * np.sin(2 * np.pi * months / 12)
    values = 500 + 2 * months + planted + rng.normal(0, 5, 120)
    quiet = decompose(_monthly(values), Quarter.parse("2022-23-Q4"))
    assert quiet.standouts.empty
    values[110] += 60  # one month that should stand out (about 12 noise standard deviations)
    result = decompose(_monthly(values), Quarter.parse("2022-23-Q4"))
    seasonal = result.frame["seasonal"].to_numpy()
    assert np.corrcoef(seasonal, planted)[0, 1] > 0.98
    assert np.abs(seasonal - planted).max() < 15
    # the trend rises 2 a month: 24 over the year
    assert result.trend_now - result.trend_year_ago == pytest.approx(24, abs=4)
    # sin peaks in month index 3 (July, as the series starts in April) and troughs in index 9 (January)
    assert "July" in result.seasonal_high and "January" in result.seasonal_low
    assert dt.date(2022, 6, 1) in list(result.standouts["period_start"])


def test_stl_needs_three_years():
    with pytest.raises(NotEnoughHistory, match="needs at least 36"):
        decompose(_monthly(np.full(30, 100.0)), Quarter.parse("2015-16-Q3"))


def _planted_counts(rate_ratio, months=120, dispersion=None, seed=2):
    rng = np.random.default_rng(seed)
    years = np.arange(months) / 12
    season = 1 + 0.15 * np.cos(2 * np.pi * np.arange(months) / 12)
    mean = 60 * rate_ratio ** years * season
    if dispersion:
        mean = rng.gamma(dispersion, mean / dispersion)
    return rng.poisson(mean).astype(float)


def test_regression_recovers_a_planted_trend():
    series = _monthly(_planted_counts(0.95))
    result = trend_tests(series, Quarter.parse("2022-23-Q4"), ())
    fit = result.regression
    assert fit.model == "Poisson"
    assert fit.lower < 0.95 < fit.upper
    assert fit.rate_ratio == pytest.approx(0.95, abs=0.015)
    assert fit.p_value < 0.001 and result.mann_kendall.trend == "decreasing"


def test_over_dispersed_counts_get_a_negative_binomial_model():
    result = trend_tests(_monthly(_planted_counts(1.0, dispersion=8)), Quarter.parse("2022-23-Q4"), ())
    assert result.regression.overdispersion_p < 0.05 and result.regression.model == "negative binomial"


def test_covid_months_are_an_indicator_and_the_sensitivity_check_drops_them():
    counts = _planted_counts(1.0)
    counts[84:87] *= 0.4  # April-June 2020 collapse
    lockdown = Discontinuity(dt.date(2020, 3, 23), "lockdown", dt.date(2020, 6, 14))
    result = trend_tests(_monthly(counts), Quarter.parse("2022-23-Q4"), (lockdown,))
    assert result.fitted["covid"].sum() == 4  # March to June 2020
    assert result.sensitivity.months == 120 - 4
    assert result.regression.lower < 1.0 < result.regression.upper


def test_overdispersion_test_accepts_poisson_data():
    import statsmodels.api as sm
    counts = np.random.default_rng(5).poisson(60, 120).astype(float)
    fit = sm.GLM(counts, np.ones((len(counts), 1)), family=sm.families.Poisson()).fit()
    p_value, _ = overdispersion_test(fit)
    assert p_value > 0.05


def test_large_overdispersed_counts_get_a_converged_negative_binomial_fit():
    # counts in the tens of thousands, as for total crime: the default start fails to converge
    rng = np.random.default_rng(11)
    mean = 14000 * np.exp(0.04 * np.arange(84) / 12)
    counts = rng.negative_binomial(1 / 0.004, 1 / (1 + 0.004 * mean)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a convergence warning fails the test
        result = trend_tests(_monthly(counts), Quarter.parse("2019-20-Q4"), ())
    assert result.regression.model == "negative binomial"
    assert result.regression.lower < 1.04 < result.regression.upper


def test_control_limits_on_a_steady_series_flag_the_odd_month():
    values = np.full(40, 100.0)
    values[38] = 140  # June 2016, in the quarter being judged
    chart = control_limits(_monthly(values), Quarter.parse("2016-17-Q1"))
    # no variation in the baseline: plain c-chart limits, 100 +/- 3 * sqrt(100)
    assert (chart.centre, chart.lower, chart.upper) == (100, 70, 130)
    assert list(chart.flagged["side"]) == ["above"]
    assert chart.baseline_start == dt.date(2014, 4, 1)


def _chapter_text(data_dir, plan, priority, quarter, figures):
    chapter = open_chapter(plan, priority, quarter, str(data_dir))
    parts = [chapter.key_figures(), chapter.measures(figures)]
    parts += [chapter.seasonal_patterns(figures), chapter.long_run_trends(figures)]
    return "\n".join(part.data for part in parts)


def test_no_look_ahead(data_copy, tmp_path):
    """Changing every value after the quarter leaves the edition's numbers unchanged."""
    before = {p: _chapter_text(data_copy, "2021-2024", p, "2022-23-Q2", tmp_path / "a") for p in (1, 3, 9)}
    path = data_copy / "observations.csv"
    frame = pd.read_csv(path)
    later = pd.to_datetime(frame["period_start"]) > pd.Timestamp("2022-09-30")
    percent = frame["measure"].isin(["public_confidence", "victim_satisfaction"])
    frame.loc[later & ~percent, "value"] = frame.loc[later & ~percent, "value"] * 3
    frame.loc[later & percent, "value"] = frame.loc[later & percent, "value"] - 20
    frame.to_csv(path, index=False)
    data.load(data_copy)  # still valid
    after = {p: _chapter_text(data_copy, "2021-2024", p, "2022-23-Q2", tmp_path / "b") for p in (1, 3, 9)}
    assert after == {p: text.replace(str(tmp_path / "a"), str(tmp_path / "b")) for p, text in before.items()}
    assert "Mann-Kendall" in after[9] and "underlying trend" in after[3]
