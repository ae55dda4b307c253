"""The trend tests an edition runs: on the series each measure names for them (the DfT's
severity-adjusted KSI where it covers the same months), controlled together across the plan."""

from __future__ import annotations

from pcpbook.analysis.once import once
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure, Plan
from pcpbook.core.periods import Quarter
from pcpbook.stats import NotEnoughHistory, trend_tests, with_trend_control


def trend_series(dataset: Dataset, measure: Measure, until) -> tuple[Measure, object]:
    """The measure and monthly series a trend test uses: the catalogue's ``trend_series`` where
    it covers the same months as the measure's own, else the measure's own."""
    series = dataset.monthly(measure.id, until)
    if measure.trend_series is None:
        return measure, series
    preferred = dataset.monthly(measure.trend_series, until)
    if preferred.empty or series.empty or preferred["period_start"].iloc[0] > series["period_start"].iloc[0]:
        return measure, series
    return dataset.measures[measure.trend_series], preferred


def trend_or_reason(series, quarter: Quarter, periods):
    try:
        return trend_tests(series, quarter, periods)
    except NotEnoughHistory as exc:
        return exc


def plan_trends(dataset: Dataset, plan: Plan, quarter: Quarter) -> dict:
    """Trend tests of every measure the edition marks for them, controlled together."""
    def compute():
        results = {}
        for measure_id in plan.measure_ids:
            measure = dataset.measures[measure_id]
            if measure.trend_test:
                results[measure_id] = trend_or_reason(trend_series(dataset, measure, quarter.end)[1], quarter,
                                                      measure.periods)
        return with_trend_control(results)
    return once(dataset, ("trends", plan.id, quarter), compute)
