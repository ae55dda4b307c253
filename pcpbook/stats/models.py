"""The model of a measure's usual variation that every test here shares.

Monthly counts of recorded crime vary far more than a Poisson count would (DESIGN §5), so
each count measure's own dispersion is estimated from its monthly history: a quasi-Poisson
GLM (statsmodels, Pearson chi-square scale) with the calendar month, a smooth trend (natural
cubic spline), the share of each month's days under COVID-19 lockdown, a step at each lasting
recording change, and the month's length as exposure. What is left over is the "usual variation" a change is judged against.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import optimize

from pcpbook.core.periods import Quarter, add_months, month_label
from pcpbook.stats.policy import MIN_HISTORY_MONTHS

MAX_HISTORY_MONTHS = 60   # the most recent five years: older months say little about today
MONTHS_PER_TREND_DF = 24  # the trend may bend about once every two years
MAX_AUTOCORRELATION = 0.9  # beyond this a month's history says too little about the next to test changes


class NotEnoughHistory(ValueError):
    """Too few months for the method to be trusted; ``short_by``: how many more months of
    history it needs (None when more months would not do, such as a series with no months)."""

    def __init__(self, message: str, short_by: int | None = None):
        super().__init__(message)
        self.short_by = short_by


def ready_after(last: dt.date, short_by: int) -> str:
    """When a series whose last month is ``last`` will have ``short_by`` more months, said as
    the quarter of the edition that will (editions are for whole quarters)."""
    month = add_months(last.replace(day=1), short_by)
    return f"the edition for {Quarter.containing(month).label} will have enough, if monthly figures continue"


def month_days(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def lockdown_share(month: dt.date, periods) -> float:
    """The share of the month's days inside any of ``periods`` (catalogue discontinuities
    with an end date, such as the COVID-19 national lockdowns)."""
    first, last = month, add_months(month, 1) - dt.timedelta(days=1)
    covered = sum(max(0, (min(last, p.end) - max(first, p.date)).days + 1) for p in periods)
    return min(covered / month_days(month), 1.0)


def share_from(month: dt.date, day: dt.date) -> float:
    """The share of the month's days on or after ``day``."""
    last = add_months(month, 1) - dt.timedelta(days=1)
    return max(0, (last - max(month, day)).days + 1) / month_days(month)


def monthly_frame(values: pd.Series, periods) -> pd.DataFrame:
    """The model's columns for a monthly series indexed by month starts."""
    months = [d.date() if isinstance(d, pd.Timestamp) else d for d in values.index]
    frame = pd.DataFrame({"y": values.to_numpy(dtype=float), "period_start": pd.to_datetime(months)})
    frame["years"] = [(m - months[0]).days / 365.25 for m in months]
    frame["month"] = [m.month for m in months]
    frame["days"] = [month_days(m) for m in months]
    frame["lockdown"] = [lockdown_share(m, periods) for m in months]
    return frame


def trend_df(months: int) -> int:
    return max(2, months // MONTHS_PER_TREND_DF)


@dataclass
class UsualVariation:
    """A measure's fitted season, trend and dispersion over the months of its history."""

    fit: object                # statsmodels GLM results (quasi-Poisson)
    design: pd.DataFrame       # the model's columns, one row per month
    frame: pd.DataFrame        # monthly_frame() of the history
    dispersion: float          # Pearson chi-square / residual df, never below 1
    set_aside: int = 0         # months within its span left out (lockdowns, periods counted differently)

    @property
    def months(self) -> int:
        return len(self.frame)

    @property
    def df_resid(self) -> float:
        return float(self.fit.df_resid)

    @property
    def effective_df(self) -> float:
        """The residual degrees of freedom, fewer when neighbouring months are alike: they tell
        less about the dispersion than independent months would (Bartlett, 1946)."""
        return self.df_resid * (1 - self.autocorrelation) / (1 + self.autocorrelation)

    @property
    def span(self) -> str:
        """"48 months, April 2016 to March 2020"."""
        first, last = self.frame["period_start"].iloc[[0, -1]]
        aside = f", less {self.set_aside} of lockdown or counted differently" if self.set_aside else ""
        return f"{self.months} months, {month_label(first.date())} to {month_label(last.date())}{aside}"

    @functools.cached_property
    def autocorrelation(self) -> float:
        return fitted_autocorrelation(self.fit, self.design)

    def seasonal_factor(self, month: int) -> float:
        """exp(calendar-month effect), January = 1."""
        name = f"C(month)[T.{month}]"
        return float(np.exp(self.fit.params[name])) if name in self.fit.params.index else 1.0

    def seasonal_gradient(self, month: int) -> np.ndarray:
        """d(log seasonal factor)/d(parameters): the indicator of the month's coefficient."""
        names = list(self.fit.params.index)
        gradient = np.zeros(len(names))
        name = f"C(month)[T.{month}]"
        if name in names:
            gradient[names.index(name)] = 1.0
        return gradient


def fitted_autocorrelation(fit, design: pd.DataFrame) -> float:
    """How alike neighbouring periods are once the model's terms are allowed for: the AR(1)
    coefficient whose expected lag-1 autocorrelation of the GLM's Pearson residuals equals the
    one observed (residuals of a fitted model are less alike than the periods were, by an amount
    the design and the fit's working weights fix), between 0 and MAX_AUTOCORRELATION; a value
    below what independent periods would give is taken as 0."""
    residuals = np.asarray(fit.resid_pearson, dtype=float)
    observed = float(residuals[1:] @ residuals[:-1] / (residuals @ residuals)) if residuals.any() else 0.0
    weighted = design.to_numpy() * np.sqrt(np.asarray(fit.model.weights, dtype=float))[:, None]
    residual_maker = np.eye(len(weighted)) - weighted @ np.linalg.pinv(weighted)
    if observed <= _expected_lag_one(residual_maker, 0.0):
        return 0.0
    if observed >= _expected_lag_one(residual_maker, MAX_AUTOCORRELATION):
        return MAX_AUTOCORRELATION
    return float(optimize.brentq(lambda ar: _expected_lag_one(residual_maker, ar) - observed,
                                 0.0, MAX_AUTOCORRELATION, xtol=1e-4))


def _expected_lag_one(residual_maker: np.ndarray, ar: float) -> float:
    """The lag-1 autocorrelation a model's residuals would show on average if the months were
    AR(1) with coefficient ``ar`` (ratio of expectations)."""
    months = np.arange(len(residual_maker))
    covariance = residual_maker @ (ar ** np.abs(months[:, None] - months[None, :])) @ residual_maker.T
    return float(np.trace(covariance, offset=1) / np.trace(covariance))


def design_matrix(frame: pd.DataFrame, trend_columns: str, steps: tuple = ()) -> pd.DataFrame:
    """Calendar month, the trend columns given (a patsy term) and, when the months include
    any, the lockdown share and a step at each day of ``steps`` (the share of each month's days
    from it on). The columns depend only on the months, so measures over the same months share
    one (read-only) matrix: patsy takes longer to build it than the GLM to fit."""
    return _design(tuple(frame["period_start"]), tuple(frame["lockdown"]), trend_columns, tuple(steps))


@functools.lru_cache(maxsize=512)
def _design(months: tuple, lockdown: tuple, trend_columns: str, steps: tuple = ()) -> pd.DataFrame:
    frame = pd.DataFrame({"month": [m.month for m in months], "lockdown": lockdown,
                          "years": [(m - months[0]).days / 365.25 for m in months]})
    terms = ["C(month, levels=range(1, 13))" if frame["month"].nunique() == 12 else "C(month)", trend_columns]
    if frame["lockdown"].gt(0).any() and frame["lockdown"].lt(1).any():
        terms.append("lockdown")
    for k, day in enumerate(steps):
        frame[f"step{k}"] = [share_from(m.date(), day) for m in months]
        if frame[f"step{k}"].gt(0).any() and frame[f"step{k}"].lt(1).any():
            terms.append(f"step{k}")
    design = patsy.dmatrix(" + ".join(terms), frame, return_type="dataframe")
    design.columns = [c.replace("C(month, levels=range(1, 13))", "C(month)") for c in design.columns]
    return design


def fit_quasi_poisson(frame: pd.DataFrame, design: pd.DataFrame, **fit_options):
    """A Poisson GLM with the month's days as exposure and the Pearson chi-square scale."""
    model = sm.GLM(frame["y"].to_numpy(), design, family=sm.families.Poisson(),
                   offset=np.log(frame["days"].to_numpy(dtype=float)))
    return model.fit(scale="X2", **fit_options)


def usual_variation(values: pd.Series, periods, set_aside: int = 0, steps: tuple = ()) -> UsualVariation:
    """Fit the model to a monthly history (the caller decides which months it may see, and says
    how many within its span it ``set_aside``), with a step in the level at each day of ``steps``."""
    if len(values) < MIN_HISTORY_MONTHS:
        raise NotEnoughHistory(f"{len(values)} months of history; at least {MIN_HISTORY_MONTHS} are needed to "
                               "separate the seasonal pattern from the usual variation")
    frame = monthly_frame(values, periods)
    design = design_matrix(frame, f"cr(years, df={trend_df(len(frame))}, constraints='center')", steps)
    fit = fit_quasi_poisson(frame, design)
    return UsualVariation(fit, design, frame, max(float(fit.scale), 1.0), set_aside)
