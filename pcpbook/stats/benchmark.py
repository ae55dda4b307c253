"""Comparing a force with similar forces: the Most Similar Group (MSG) framework of the seed's
performance appendix, and funnel limits that allow for over-dispersion (Spiegelhalter 2005).

The framework, as the seed defines it:

- a force's *value* is its rate per unit of comparison (offences per 1,000 population; a
  percentage for a rate such as the share of crimes solved);
- *position* 1 is the best by the measure's polarity (for crime, the lowest rate); tied forces
  share the better position;
- the *group average* is the mean of the forces' values, each force counting once whatever its
  size;
- the *upper quartile* is the value a quarter of the way from the best force to the worst,
  interpolated linearly between the ordered values (numpy's default quantile);
- the *change required* to reach the average or the quartile is the difference in offences
  (the rate difference times the force's population) or in percentage points; there is none
  when the force is already there.

Funnel limits (Spiegelhalter 2005) are drawn around the pooled group value (every offence
over every person), for each size of force. Poisson (or binomial) variation alone makes them
so narrow for populations in the millions that every force would lie outside them, while the
forces' rates really do differ for reasons the police do not control (recording practice,
demography). So the limits add the spread between forces as an additive random effect, with
the DerSimonian-Laird estimate of its variance (tau squared, from the dispersion phi of the
forces' z-scores). As Spiegelhalter recommends, the z-scores are winsorised at their 10th and
90th percentiles before phi is estimated, so that one outlying force does not widen the
limits enough to hide itself. A force outside the 99.8% limits differs from the group by more
than that spread allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pcpbook.core.units import COMPARISON_UNITS as UNITS
from pcpbook.stats.policy import MIN_FUNNEL_FORCES

FUNNEL_LEVELS = {"95%": 0.975, "99.8%": 0.999}  # two-sided limits: the normal quantiles 1.96 and 3.09
WINSOR = 0.1  # z-scores beyond their 10th and 90th percentiles are pulled in before phi is estimated
INSIDE, ABOVE, BELOW = "inside", "above", "below"


class BenchmarkError(ValueError):
    """A comparison that cannot be made, saying why."""


@dataclass(frozen=True)
class Figure:
    """One force's figure over a period: the count (offences; for a percentage, the cases
    counted, such as crimes solved) and the base it is a rate of (people, households or
    vehicle km; for a percentage, all the cases, such as crimes recorded or people surveyed)."""

    force: str
    count: float
    base: float

    def value(self, unit: str) -> float:
        """The figure in the unit of comparison: a rate per 1,000 people, a percentage ..."""
        return UNITS[unit][0] * self.count / self.base


@dataclass(frozen=True)
class Standing:
    force: str
    value: float
    base: float
    position: int
    funnel: str | None  # inside, above or below the 99.8% limits; None when there are no limits


@dataclass(frozen=True)
class Benchmark:
    """A group of forces compared on one measure over one period."""

    unit: str
    polarity: str
    standings: tuple[Standing, ...]   # best first
    average: float
    upper_quartile: float
    pooled: float                     # the funnel's centre: the group's value taken as one
    phi: float | None                 # dispersion of the forces' z-scores (1 = no more than chance)
    tau2: float | None                # between-force variance added to the limits (0: none needed)

    @property
    def group_size(self) -> int:
        return len(self.standings)

    def standing(self, force: str) -> Standing:
        for standing in self.standings:
            if standing.force == force:
                return standing
        raise BenchmarkError(f"{force} is not in the group ({', '.join(s.force for s in self.standings)})")

    def change_to_average(self, force: str) -> float | None:
        return change_required(self.standing(force), self.average, self.polarity, self.unit)

    def change_to_upper_quartile(self, force: str) -> float | None:
        return change_required(self.standing(force), self.upper_quartile, self.polarity, self.unit)

    def limits(self, base: float, level: str = "99.8%") -> tuple[float, float] | None:
        """The funnel's lower and upper limits for a force of this base (None without a funnel)."""
        if self.tau2 is None:
            return None
        spread = _normal_quantile(FUNNEL_LEVELS[level]) * math.sqrt(_variance(self.pooled, base, self.unit) + self.tau2)
        return self.pooled - spread, self.pooled + spread

    def outside(self) -> list[Standing]:
        return [s for s in self.standings if s.funnel not in (INSIDE, None)]


def compare(figures: list[Figure], unit: str, polarity: str, funnel: bool = True) -> Benchmark:
    """The group's positions, average, upper quartile and funnel verdicts (DESIGN §5); no
    funnel when ``funnel`` is False (the forces' bases are not known, only assumed)."""
    if len(figures) < 2:
        raise BenchmarkError("a comparison needs at least two forces with figures")
    if unit not in UNITS:
        raise BenchmarkError(f"unknown unit of comparison {unit!r}: expected one of {', '.join(UNITS)}")
    values = {f.force: f.value(unit) for f in figures}
    ranks = positions(values, polarity)
    pooled = pooled_value(figures, unit)
    phi, tau2 = dispersion(figures, pooled, unit) if funnel and len(figures) >= MIN_FUNNEL_FORCES else (None, None)
    draft = Benchmark(unit, polarity, (), group_average(values.values()), upper_quartile(values.values(), polarity),
                      pooled, phi, tau2)
    standings = sorted((Standing(f.force, values[f.force], f.base, ranks[f.force], _verdict(draft, values[f.force], f.base))
                        for f in figures), key=lambda s: (s.position, s.force))
    return Benchmark(unit, polarity, tuple(standings), draft.average, draft.upper_quartile, pooled, phi, tau2)


def positions(values: dict[str, float], polarity: str) -> dict[str, int]:
    """1 = best: the lowest value when down is good, the highest when up is good."""
    sign = -1 if polarity == "up_is_good" else 1
    ordered = sorted(values.values(), key=lambda v: sign * v)
    return {force: 1 + next(i for i, v in enumerate(ordered) if v == value) for force, value in values.items()}


def group_average(values) -> float:
    """The mean of the forces' values: each force counts once."""
    values = list(values)
    return sum(values) / len(values)


def upper_quartile(values, polarity: str) -> float:
    """The value a quarter of the way from the best force to the worst."""
    return float(np.quantile(list(values), 0.75 if polarity == "up_is_good" else 0.25))


def change_required(standing: Standing, target: float, polarity: str, unit: str) -> float | None:
    """What would bring the force to ``target``: offences (the rate difference times its base),
    or percentage points for a percentage; None when it is already there."""
    already = standing.value >= target if polarity == "up_is_good" else standing.value <= target
    if already:
        return None
    difference = target - standing.value
    return difference if unit == "percent" else difference * standing.base / UNITS[unit][0]


def aspiration_met(benchmark: Benchmark, force: str, aspiration) -> bool | None:
    """Whether the force meets its aspiration: ``msg_average``, ``upper_quartile`` or
    ``{"rank": N}``; None when there is none."""
    if aspiration is None:
        return None
    standing = benchmark.standing(force)
    if isinstance(aspiration, dict):
        return standing.position <= aspiration["rank"]
    target = benchmark.average if aspiration == "msg_average" else benchmark.upper_quartile
    return change_required(standing, target, benchmark.polarity, benchmark.unit) is None


def pooled_value(figures: list[Figure], unit: str) -> float:
    """The group taken as one force: every offence over every person (for a percentage, every
    counted case over every case)."""
    return UNITS[unit][0] * sum(f.count for f in figures) / sum(f.base for f in figures)


def dispersion(figures: list[Figure], pooled: float, unit: str) -> tuple[float, float]:
    """phi, the mean squared (winsorised) z-score of the forces around ``pooled``, and the
    DerSimonian-Laird between-force variance tau squared (0 when phi shows no more spread than
    chance)."""
    variances = [_variance(pooled, f.base, unit) for f in figures]
    z = np.array([(f.value(unit) - pooled) / math.sqrt(v) for f, v in zip(figures, variances)])
    z = np.clip(z, *np.quantile(z, [WINSOR, 1 - WINSOR]))
    n = len(figures)
    phi = float(np.mean(z * z))
    weights = [1 / v for v in variances]
    denominator = sum(weights) - sum(w * w for w in weights) / sum(weights)
    tau2 = max(0.0, (n * phi - (n - 1)) / denominator)
    return phi, tau2


def _variance(pooled: float, base: float, unit: str) -> float:
    """The chance variance of a force's value around ``pooled`` for its base: Poisson for a
    rate per unit, binomial for a percentage."""
    per = UNITS[unit][0]
    if unit == "percent":
        return pooled * (per - pooled) / base
    return per * pooled / base


def _verdict(benchmark: Benchmark, value: float, base: float) -> str | None:
    limits = benchmark.limits(base)
    if limits is None:
        return None
    lower, upper = limits
    return ABOVE if value > upper else BELOW if value < lower else INSIDE


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm
    return float(norm.ppf(p))
