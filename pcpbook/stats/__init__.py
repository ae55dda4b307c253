"""Statistics readers can rely on (DESIGN §5), one concern a module:

- ``models``: the quasi-Poisson model of a measure's usual variation that the tests share;
- ``change_tests``: changes with 95% intervals, tested against that variation, and the false
  discovery rate q-values of a family of tests;
- ``seasonal``: STL decomposition; ``control``: seasonal control charts; ``trends``: trend tests;
- ``policy``: the significance level, small-number thresholds and minimum histories all use;
- ``benchmark``: comparing forces (positions, the group average and quartile, changes required,
  funnel limits allowing for over-dispersion); ``targets``: paths to a target and judgements.

Each function sees only the series and numbers it is given (never a whole dataset: what an
edition computes from its data is ``pcpbook.analysis``), so a chapter passes data up to its
quarter's end. Well-kept implementations do the mathematics: statsmodels, scipy and pymannkendall.
"""

from pcpbook.stats.change_tests import ChangeTest, count_change_test, proportion_test, untested
from pcpbook.stats.control import ControlChart, control_chart
from pcpbook.stats.models import NotEnoughHistory, UsualVariation, usual_variation
from pcpbook.stats.policy import SIGNIFICANCE_LEVEL, SMALL_COUNT
from pcpbook.stats.seasonal import Decomposition, decompose, monthly_series
from pcpbook.stats.trends import TrendModel, TrendResult, trend_tests, with_trend_control

__all__ = ["ChangeTest", "ControlChart", "Decomposition", "NotEnoughHistory", "SIGNIFICANCE_LEVEL", "SMALL_COUNT", "TrendModel", "TrendResult", "UsualVariation", "control_chart", "count_change_test", "decompose", "monthly_series", "proportion_test", "trend_tests", "untested", "usual_variation", "with_trend_control"]
