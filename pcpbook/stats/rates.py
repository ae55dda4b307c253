"""The usual variation of a rate that is a share of a count (crimes solved out of crimes
recorded), and the test of a change in it.

Every offence's outcome is counted, so there is no sampling error in the usual sense; yet the
share solved moves from quarter to quarter far more than if each offence were solved on its own
with the same chance: outcomes cluster (one investigation clears a series of offences, a
quarter's casework moves together). A binomial test on the offences would take each offence
for an independent trial and call a change of a fraction of a point significant. So the usual
variation is measured from the rate's own quarterly history: a quasi-binomial GLM (logit link,
each quarter weighted by its offences, Pearson chi-square scale; Wedderburn, 1974) with a smooth
trend, the share of the quarter's days under COVID-19 lockdown and a step at each lasting
recording change. Its dispersion, never below 1, multiplies the binomial variance, and
neighbouring quarters' likeness is allowed for as for counts (``models.fitted_autocorrelation``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import stats

from pcpbook.core.periods import Quarter, add_months
from pcpbook.stats.change_tests import ChangeTest, correlated_variance
from pcpbook.stats.models import (NotEnoughHistory, UsualVariation, lockdown_share, month_days, monthly_frame,
                                  share_from, trend_df)
from pcpbook.stats.policy import interval_quantile

MIN_HISTORY_QUARTERS = 12   # three years: a trend and a dispersion from fewer quarters are too rough
MAX_HISTORY_QUARTERS = 20   # five years, as for counts
QUASI_BINOMIAL_TEST = "quasi-binomial test"


@dataclass
class RateVariation(UsualVariation):
    """A rate's fitted trend and dispersion over the quarters of its history."""

    @property
    def span(self) -> str:
        """"16 quarters, 2016/17 Q1 to 2019/20 Q4"."""
        first, last = (Quarter.containing(d.date()).label for d in self.frame["period_start"].iloc[[0, -1]])
        return f"{len(self.frame)} quarters, {first} to {last}"  # never fewer than MIN_HISTORY_QUARTERS


def rate_variation(rates: pd.Series, offences: pd.Series, periods, steps: tuple = ()) -> RateVariation:
    """Fit the model to quarterly ``rates`` (percentages, indexed by quarter start) with each
    quarter's ``offences`` (the count the rate is a share of)."""
    if len(rates) < MIN_HISTORY_QUARTERS:
        raise NotEnoughHistory(f"{len(rates)} quarters of history; at least {MIN_HISTORY_QUARTERS} are "
                               "needed to measure a rate's usual variation", 3 * (MIN_HISTORY_QUARTERS - len(rates)))
    frame = monthly_frame(rates / 100, periods)
    frame["lockdown"] = [_quarter_share(start, lambda m: lockdown_share(m, periods)) for start in frame["period_start"]]
    terms = [f"cr(years, df={trend_df(3 * len(frame))}, constraints='center')"]
    for name, shares in [("lockdown", frame["lockdown"])] + [
            (f"step{k}", [_quarter_share(start, lambda m, day=day: share_from(m, day)) for start in frame["period_start"]])
            for k, day in enumerate(steps)]:
        frame[name] = shares
        if frame[name].gt(0).any() and frame[name].lt(1).any():
            terms.append(name)
    design = patsy.dmatrix(" + ".join(terms), frame, return_type="dataframe")
    fit = sm.GLM(frame["y"].to_numpy(), design, family=sm.families.Binomial(),
                 var_weights=offences.to_numpy(dtype=float)).fit(scale="X2")
    return RateVariation(fit, design, frame, max(float(fit.scale), 1.0))


def _quarter_share(start: pd.Timestamp, share) -> float:
    """A month's ``share`` (of its days) over the quarter from ``start``, weighted by the months' days."""
    months = [add_months(start.date(), k) for k in range(3)]
    return sum(share(m) * month_days(m) for m in months) / sum(month_days(m) for m in months)


def rate_change_test(rate: float, baseline_rate: float, offences: float, baseline_offences: float,
                     history: RateVariation, quarters: int, apart: int) -> ChangeTest:
    """The difference of two rates (percentages), each over ``quarters`` quarters of
    ``offences`` and ``apart`` quarters between their starts, against the rate's usual
    variation: binomial variance times the dispersion, widened for alike quarters; t on the
    history's effective degrees of freedom. Any seasonal pattern is left in the dispersion
    (the model has no season), which makes the test cautious, not bold."""
    shares = [min(max(r / 100, 0.5 / n), 1 - 0.5 / n) for r, n in ((rate, offences), (baseline_rate, baseline_offences))]
    variances = [p * (1 - p) / n for p, n in zip(shares, (offences, baseline_offences))]
    variance = correlated_variance(history.autocorrelation, quarters, apart, 1 / variances[0], 1 / variances[1])
    se = 100 * math.sqrt(history.dispersion * variance)
    difference = rate - baseline_rate
    df = history.effective_df
    margin = interval_quantile(df) * se
    return ChangeTest(QUASI_BINOMIAL_TEST, float(2 * stats.t.sf(abs(difference) / se, df)), difference,
                      difference - margin, difference + margin, scale="points", dispersion=history.dispersion,
                      df=df, history=history.span, autocorrelation=history.autocorrelation)


def quarterly_offences(monthly: pd.DataFrame) -> pd.Series:
    """Each whole quarter's count from monthly rows (``period_start``, ``value``), indexed by
    the quarter's start; a quarter missing a month is left out."""
    months = pd.to_datetime(monthly["period_start"])
    starts = months.dt.to_period("Q").dt.start_time
    grouped = monthly.assign(start=starts.to_numpy()).groupby("start")["value"].agg(["sum", "count"])
    return grouped.loc[grouped["count"] == 3, "sum"].astype(float).rename_axis(None)
