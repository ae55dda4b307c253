"""The statistical policy every page follows, in one place: when a change or a trend is called
significant, how small a count is too small for a percentage or a verdict, and how much history a
method needs. Methods (``comparisons``, ``trends``, ``seasonal``, ``control``, ``benchmark``) and
the words (``narrative``, ``wording``) read these; no other module writes a level or threshold.
How a family of tests is controlled and how wide an interval is are decided here too."""

from scipy import stats
from statsmodels.stats.multitest import multipletests

SIGNIFICANCE_LEVEL = 0.05   # the false discovery rate across an edition's tests; a single test's level
INTERVAL_LEVEL = 0.95      # every interval a page prints
SMALL_COUNT = 50            # below this a count has too little power for a percentage or a verdict
MIN_HISTORY_MONTHS = 36     # three of each calendar month: fewer cannot separate season from noise
MIN_CONTROL_BASELINE_MONTHS = 12  # a control chart's limits need a year of months
SMALL_MONTHLY_COUNT = 20    # below this a month is small: control-chart levels are given to a tenth, not whole
MIN_FUNNEL_FORCES = 3       # fewer forces give no estimate of the spread between them


def false_discovery_q_values(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg q-values of a family of tests, in the order given: a test is called
    significant when its q-value is below SIGNIFICANCE_LEVEL, the family's false discovery rate."""
    return [float(q) for q in multipletests(p_values, alpha=SIGNIFICANCE_LEVEL, method="fdr_bh")[1]]


def interval_quantile(df: float) -> float:
    """The t quantile that makes an INTERVAL_LEVEL interval with ``df`` degrees of freedom."""
    return float(stats.t.ppf(0.5 + INTERVAL_LEVEL / 2, df))
