"""The MSG framework's arithmetic and the funnel limits, against answers worked by hand.

Group of four forces (crimes, population): A 100 / 10,000 (10.0 per 1,000), B 150 / 10,000
(15.0), C 240 / 20,000 (12.0), D 90 / 5,000 (18.0); lower is better.
- positions A 1, C 2, B 3, D 4; average (10 + 15 + 12 + 18) / 4 = 13.75;
- upper quartile: 25% of the way along 10, 12, 15, 18 is index 0.75, so 10 + 0.75 x 2 = 11.5;
- D to the average: (13.75 - 18) x 5,000 / 1,000 = -21.25 crimes; B to the quartile (11.5 - 15) x 10 = -35;
- pooled rate 580 / 45,000 = 12.889 per 1,000; Poisson variance of a rate at population n is
  1,000 x 12.889 / n; z-scores -2.545, 1.860, -1.107, 3.183, winsorised at their 10th and 90th
  percentiles (-2.113 and 2.786), give phi = 4.2284; weights 1/variance sum to 3.4914, their
  squares to 3.7623, so tau^2 = (4 x 4.2284 - 3) / (3.4914 - 3.7623 / 3.4914) = 5.7642; 99.8%
  limits at 10,000 people: 12.889 +- 3.0902 x sqrt(1.2889 + 5.7642) = 4.682 to 21.096.
"""

import pytest

from pcpbook.stats.benchmark import (ABOVE, BELOW, INSIDE, BenchmarkError, Figure, aspiration_met, compare,
                                     upper_quartile)

GROUP = [Figure("A", 100, 10_000), Figure("B", 150, 10_000), Figure("C", 240, 20_000), Figure("D", 90, 5_000)]


@pytest.fixture
def crime():
    return compare(GROUP, "per_1000_population", "down_is_good")


def test_positions_put_the_lowest_crime_rate_first(crime):
    assert [(s.force, s.position) for s in crime.standings] == [("A", 1), ("C", 2), ("B", 3), ("D", 4)]
    assert crime.standing("D").value == pytest.approx(18.0)
    assert crime.group_size == 4


def test_the_group_average_is_the_mean_of_the_forces_rates(crime):
    assert crime.average == pytest.approx(13.75)


def test_the_upper_quartile_lies_a_quarter_of_the_way_from_the_best(crime):
    assert crime.upper_quartile == pytest.approx(11.5)
    assert upper_quartile([10, 12, 15, 18], "up_is_good") == pytest.approx(15.75)


def test_change_required_is_in_crimes_and_none_for_a_force_already_there(crime):
    assert crime.change_to_average("D") == pytest.approx(-21.25)
    assert crime.change_to_upper_quartile("B") == pytest.approx(-35.0)
    assert crime.change_to_upper_quartile("C") == pytest.approx(-10.0)
    assert crime.change_to_average("A") is None and crime.change_to_average("C") is None


def test_over_dispersion_widens_the_funnel_by_the_spread_between_forces(crime):
    assert crime.pooled == pytest.approx(12.8889, abs=1e-4)
    assert crime.phi == pytest.approx(4.22840, abs=1e-4)
    assert crime.tau2 == pytest.approx(5.76421, abs=1e-4)
    lower, upper = crime.limits(10_000)
    assert (lower, upper) == (pytest.approx(4.6820, abs=1e-3), pytest.approx(21.0958, abs=1e-3))
    assert [s.funnel for s in crime.standings] == [INSIDE] * 4


def test_a_group_within_chance_gets_plain_poisson_limits():
    group = compare([Figure("A", 100, 10_000), Figure("B", 102, 10_000), Figure("C", 198, 20_000)],
                    "per_1000_population", "down_is_good")
    # z-scores 0, 0.2, -0.141 winsorised to 0, 0.16, -0.113: phi = (0.0256 + 0.0128) / 3 = 0.0128 < 1
    assert group.tau2 == 0.0 and group.phi == pytest.approx(0.0128)
    # pooled 10 per 1,000, variance 1,000 x 10 / 10,000 = 1: limits 10 +- 3.0902 and 10 +- 1.96
    assert group.limits(10_000) == (pytest.approx(6.9098, abs=1e-3), pytest.approx(13.0902, abs=1e-3))
    assert group.limits(10_000, "95%") == (pytest.approx(8.0400, abs=1e-3), pytest.approx(11.9600, abs=1e-3))


def test_a_force_beyond_the_limits_is_named_above_or_below():
    # nine forces at 10 per 1,000 and one at 20 with small samples: chance cannot explain 20
    figures = [Figure(f"F{i}", 1_000 + (i % 3) * 10, 100_000) for i in range(9)] + [Figure("High", 2_000, 100_000)]
    group = compare(figures, "per_1000_population", "down_is_good")
    assert group.standing("High").funnel == ABOVE
    low = compare([*figures[:9], Figure("Low", 400, 100_000)], "per_1000_population", "down_is_good")
    assert low.standing("Low").funnel == BELOW
    assert [s.force for s in low.outside()] == ["Low"]


def test_a_percentage_is_compared_in_percentage_points_with_higher_better():
    # solved rates: X 30 of 200 (15%), Y 40 of 200 (20%), Z 90 of 300 (30%); average 21.667%;
    # upper quartile 75% of the way along 15, 20, 30: 20 + 0.5 x 10 = 25%
    solved = compare([Figure("X", 30, 200), Figure("Y", 40, 200), Figure("Z", 90, 300)], "percent", "up_is_good")
    assert [s.force for s in solved.standings] == ["Z", "Y", "X"]
    assert solved.average == pytest.approx(21.6667, abs=1e-4)
    assert solved.upper_quartile == pytest.approx(25.0)
    assert solved.change_to_average("X") == pytest.approx(6.6667, abs=1e-4)
    assert solved.change_to_upper_quartile("Y") == pytest.approx(5.0)
    assert solved.change_to_average("Z") is None


def test_tied_forces_share_the_better_position():
    tied = compare([Figure("A", 10, 1_000), Figure("B", 10, 1_000), Figure("C", 20, 1_000)], "per_1000_population",
                   "down_is_good")
    assert {s.force: s.position for s in tied.standings} == {"A": 1, "B": 1, "C": 3}


def test_aspirations_are_judged_as_the_seed_words_them(crime):
    assert aspiration_met(crime, "C", "msg_average") is True
    assert aspiration_met(crime, "B", "msg_average") is False
    assert aspiration_met(crime, "C", "upper_quartile") is False
    assert aspiration_met(crime, "C", {"rank": 2}) is True and aspiration_met(crime, "B", {"rank": 2}) is False
    assert aspiration_met(crime, "B", None) is None


def test_too_small_a_group_or_an_unknown_unit_is_refused():
    with pytest.raises(BenchmarkError, match="at least two forces"):
        compare(GROUP[:1], "per_1000_population", "down_is_good")
    with pytest.raises(BenchmarkError, match="unknown unit of comparison 'per_head'"):
        compare(GROUP, "per_head", "down_is_good")
    two = compare(GROUP[:2], "per_1000_population", "down_is_good")
    assert two.limits(10_000) is None and two.standings[0].funnel is None
