"""A share of a count (crimes solved out of crimes recorded) is tested against its own quarterly
usual variation (quasi-binomial), not as if every offence were an independent trial."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit
from statsmodels.stats import proportion

from pcpbook.analysis.comparisons import SAME_QUARTER_LAST_YEAR, quarter_comparisons
from pcpbook.core.periods import Quarter
from pcpbook.stats.models import NotEnoughHistory
from pcpbook.stats.rates import QUASI_BINOMIAL_TEST, rate_change_test, rate_variation

OFFENCES = 40_000  # a quarter's recorded crimes in a force of Essex's size


def solved_rates(rng, quarters=25, share=0.2, dispersion=10.0, autocorrelation=0.3):
    """Quarterly solved rates (%) whose quarter-to-quarter spread is ``dispersion`` times the
    binomial one: the chance of an offence being solved moves from quarter to quarter (AR(1))."""
    spread = np.sqrt((dispersion - 1) / (OFFENCES * share * (1 - share)))  # on the logit scale
    moves = np.zeros(quarters)
    for k in range(quarters):
        moves[k] = autocorrelation * (moves[k - 1] if k else 0) + rng.normal(0, spread * np.sqrt(1 - autocorrelation ** 2))
    solved = rng.binomial(OFFENCES, expit(logit(share) + moves))
    index = pd.date_range("2014-04-01", periods=quarters, freq="QS-JAN")
    return pd.Series(100 * solved / OFFENCES, index=index), pd.Series(float(OFFENCES), index=index)


def _test_last_against_a_year_before(rates, offences):
    history = rate_variation(rates.iloc[:20], offences.iloc[:20], ())
    return rate_change_test(rates.iloc[24], rates.iloc[20], OFFENCES, OFFENCES, history, 1, 4)


def test_the_dispersion_of_clustered_outcomes_is_measured_from_the_quarters():
    estimates = [rate_variation(*(s.iloc[:20] for s in solved_rates(np.random.default_rng(seed), autocorrelation=0)),
                                ()).dispersion for seed in range(40)]
    assert 7 < np.median(estimates) < 13  # planted: 10


def test_a_change_a_binomial_test_calls_significant_is_judged_against_the_usual_variation():
    rates, offences = solved_rates(np.random.default_rng(3))
    rates.iloc[24] = rates.iloc[20] - 1.0  # a fall of one point: 400 fewer of 40,000 solved
    binomial = proportion.test_proportions_2indep(rates.iloc[24] / 100 * OFFENCES, OFFENCES,
                                                  rates.iloc[20] / 100 * OFFENCES, OFFENCES, method="wald").pvalue
    test = _test_last_against_a_year_before(rates, offences)
    assert binomial < 0.001
    assert test.method == QUASI_BINOMIAL_TEST and test.scale == "points"
    assert test.p_value > 0.05 and test.lower < 0 < test.upper
    assert test.estimate == pytest.approx(-1.0)


def test_false_alarms_are_about_one_in_twenty_when_nothing_changed():
    alarms = [_test_last_against_a_year_before(*solved_rates(np.random.default_rng(seed))).p_value < 0.05
              for seed in range(300)]
    assert 0.02 <= np.mean(alarms) <= 0.09


def test_a_real_change_of_four_times_the_usual_spread_is_found():
    found = []
    for seed in range(100):
        rates, offences = solved_rates(np.random.default_rng(1000 + seed))
        rates.iloc[24] += 3.5  # about four standard deviations of two quarters' difference at dispersion 10
        found.append(_test_last_against_a_year_before(rates, offences).p_value < 0.05)
    assert np.mean(found) > 0.8


def test_fewer_than_twelve_quarters_are_not_enough_and_say_how_many_months_more():
    rates, offences = solved_rates(np.random.default_rng(0), quarters=10)
    with pytest.raises(NotEnoughHistory, match="10 quarters of history; at least 12") as short:
        rate_variation(rates, offences, ())
    assert short.value.short_by == 6


def test_the_solved_rates_of_the_demonstration_editions_are_tested_as_shares_of_their_offences(dataset):
    comparison = next(c for c in quarter_comparisons(dataset, "vwi_solved_rate", Quarter.parse("2020-21-Q4"))
                      if c.kind == SAME_QUARTER_LAST_YEAR)
    assert comparison.test.method == QUASI_BINOMIAL_TEST
    assert comparison.test.history == "20 quarters, 2014/15 Q4 to 2019/20 Q3"
    assert comparison.test.lower < comparison.difference < comparison.test.upper
