"""Statistics readers can rely on (DESIGN §5), one concern a module:

- ``models``: the quasi-Poisson model of a measure's usual variation that the tests share;
- ``comparisons``: changes with 95% intervals, tested against that variation, and false
  discovery rate control across an edition;
- ``seasonal``: STL decomposition; ``control``: seasonal control charts; ``trends``: trend tests;
- ``policy``: the significance level, small-number thresholds and minimum histories all use;
- ``benchmark``: comparing forces (positions, the group average and quartile, changes required,
  funnel limits allowing for over-dispersion); ``peers``: a group's figures from the data.

Each function sees only the data it is given, so a chapter passes data up to its quarter's end.
Well-kept implementations do the mathematics: statsmodels, scipy and pymannkendall.
"""

from pcpbook.stats.comparisons import (BASELINE_YEAR, LAST_QUARTER, ROLLING_12_MONTHS, SAME_QUARTER_LAST_YEAR, ChangeTest, Comparison, count_change_test, edition_comparisons,
                          proportion_test, quarter_comparisons, review_comparisons, year_comparison)
from pcpbook.stats.control import ControlChart, control_chart
from pcpbook.stats.models import NotEnoughHistory, UsualVariation, usual_variation
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL, SMALL_COUNT
from pcpbook.stats.seasonal import Decomposition, decompose, monthly_series
from pcpbook.stats.trends import TrendModel, TrendResult, trend_tests, with_trend_control

__all__ = ["BASELINE_YEAR", "LAST_QUARTER", "ROLLING_12_MONTHS", "SAME_QUARTER_LAST_YEAR", "SIGNIFICANCE_LEVEL",
           "SMALL_COUNT", "ChangeTest", "Comparison", "ControlChart", "Decomposition", "NotEnoughHistory",
           "TrendModel", "TrendResult", "UsualVariation", "control_chart", "count_change_test", "decompose",
           "edition_comparisons", "monthly_series", "proportion_test", "quarter_comparisons", "review_comparisons",
           "trend_tests", "usual_variation", "with_trend_control", "year_comparison"]
