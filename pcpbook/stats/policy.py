"""The statistical policy every page follows, in one place: when a change or a trend is called
significant, how small a count is too small for a percentage or a verdict, and how much history a
method needs. Methods (``comparisons``, ``trends``, ``seasonal``, ``control``, ``benchmark``) and
the words (``narrative``, ``wording``) read these; no other module writes a level or threshold."""

SIGNIFICANCE_LEVEL = 0.05   # the false discovery rate across an edition's tests; a single test's level
SMALL_COUNT = 50            # below this a count has too little power for a percentage or a verdict
MIN_HISTORY_MONTHS = 36     # three of each calendar month: fewer cannot separate season from noise
MIN_CONTROL_BASELINE_MONTHS = 12  # a control chart's limits need a year of months
SMALL_MONTHLY_COUNT = 20    # below this, Poisson probability limits instead of an XmR chart
MIN_FUNNEL_FORCES = 3       # fewer forces give no estimate of the spread between them
