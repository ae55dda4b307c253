"""The book's structure: chapter notebooks made from the plans, and the table of contents.

Chapter notebooks are committed (analysts open and fork them) but written from the plan files
by ``scripts/make_chapters.py``, so a new priority or a renamed one needs no hand editing.
Each has a ``parameters`` cell (papermill) whose defaults let it run on its own in Jupyter.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .data import Measure, Plan, Priority
from .render import escape_markdown

if TYPE_CHECKING:  # nbformat is loaded only to write notebooks, not to plan a build
    import nbformat

CHAPTERS = Path("chapters")
INTRO = CHAPTERS / "intro.ipynb"
METHODS = CHAPTERS / "methods.ipynb"
BUILD_PAGE = CHAPTERS / "build.md"  # written by the edition build, not committed
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
PRIORITY_PARAMETERS = ("quarter", "data_dir")
INTRO_PARAMETERS = ("quarter", "data_dir", "version", "produced", "print_edition")
CLOSURE = CHAPTERS / "closure"


def chapter_path(plan: Plan, priority: Priority) -> Path:
    return CHAPTERS / plan.id / f"{priority.slug}.ipynb"


def _notebook(cells: list) -> nbformat.NotebookNode:
    import nbformat
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC,
                                                  "language_info": {"name": "python"}})
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    notebook.cells = cells
    return notebook


def _markdown(text: str):
    import nbformat
    return nbformat.v4.new_markdown_cell(text)


def _code(source: str, tags: tuple[str, ...] = ()):
    import nbformat
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})


def priority_notebook(plan: Plan, priority: Priority, measures: dict[str, Measure]) -> nbformat.NotebookNode:
    """A chapter: objective, key figures, measures, then (where the catalogue asks for them)
    seasonal decomposition and trend tests, then the commitments."""
    analyses = []
    if any(measures[m].decompose for m in priority.measures):
        analyses += [_markdown("## Seasonal patterns\n\nA seasonal decomposition (STL) splits the monthly "
                               "series, up to the end of the quarter, into trend, seasonal pattern and remainder."),
                     _code("chapter.seasonal_patterns()")]
    if any(measures[m].trend_test for m in priority.measures):
        analyses += [_markdown("## Long-run trend\n\nTrend tests on complete financial years and on the "
                               "monthly series up to the end of the quarter; see *Methods and caveats*."),
                     _code("chapter.long_run_trends()")]
    return _notebook([
        _markdown(f"# Priority {priority.number}: {escape_markdown(priority.title)}"),
        _code("# Parameters: the edition's quarter (None = the latest with data) and the data folder.\n"
              "quarter = None\n"
              'data_dir = "../../data"', tags=("parameters",)),
        _code("from pcpbook.chapter import open_chapter\n\n"
              f'chapter = open_chapter("{plan.id}", {priority.number}, quarter, data_dir)\n'
              "chapter.introduction()"),
        _markdown("## Key figures"),
        _code("chapter.key_figures()"),
        _markdown("## Measures\n\nEach chart shows five years up to the end of the quarter, with this "
                  "quarter and the same quarter last year shaded. Every change is recomputed from the data."),
        _code("chapter.measures()"),
        *analyses,
        _markdown("## Commitments"),
        _code("chapter.commitments()"),
    ])


def intro_notebook() -> nbformat.NotebookNode:
    return _notebook([
        _markdown("# About this edition"),
        _code("# Parameters: quarter (None = latest with data), data folder, edition version and date,\n"
              "# and the print edition's file name (\"\" when none was made).\n"
              "quarter = None\n"
              'data_dir = "../data"\n'
              'version = "1.0"\n'
              "produced = None\n"
              'print_edition = ""', tags=("parameters",)),
        _code("from pcpbook.chapter import (data_notice, edition_facts, headline_table, open_edition, print_link,\n"
              "                             status_rollup)\n\n"
              "edition = open_edition(quarter, data_dir, version, produced)\n"
              "edition_facts(edition)"),
        _code("print_link(print_edition)"),
        _markdown("## Headline figures\n\nThe first measure of each priority, this quarter against the "
                  "same quarter last year."),
        _code("headline_table(edition)"),
        _markdown("## Progress on commitments\n\nThe status each owning unit gave its commitments this quarter."),
        _code("status_rollup(edition)"),
        _code("data_notice(edition)"),
        _markdown("## Contents\n\n```{tableofcontents}\n```"),
    ])


METHODS_TEXT = """# Methods and caveats

Each method is described here once, with what it assumes. Every figure in this edition uses only
data up to the end of its quarter.

## Comparisons and their intervals

Changes are recomputed from the data, never copied. A count this quarter is compared with the same
quarter last year (and, for calls and hours, with last quarter), and the last 12 months with the 12
before. Every percentage change comes with its 95% interval, and the verdict follows from the test:

- **Counts of events** (crimes, incidents, calls, casualties, arrests) mostly vary far more from month
  to month than a Poisson count would (over-dispersion: Spiegelhalter, 2005); the table at the end of
  this page gives each measure's dispersion in this edition. Each measure's own *dispersion* is
  therefore estimated from its
  monthly history before the periods compared (at most the last five years, at least three): a
  quasi-Poisson regression (Wedderburn, 1974; McCullagh and Nelder, 1989) with the calendar month, a
  smooth trend (a natural cubic spline with about one degree of freedom per two years), the share of
  each month's days under COVID-19 lockdown, and the month's length as exposure, fitted with
  statsmodels; the dispersion is the Pearson chi-square over its residual degrees of freedom, never
  taken below 1. The change tested is the ratio of the two counts as stated in the sentence; the log
  of that ratio has variance dispersion x (1/current + 1/baseline), and the t distribution with the
  history's residual degrees of freedom allows for the dispersion being estimated (half a count is
  added to both when one is zero). The closure review's baseline year against end year uses the same
  test, with the dispersion from every month up to the end year.
- **Last quarter** is a different season. The comparison divides out the movement that the fitted
  calendar-month pattern and the months' lengths alone would give, with that estimate's own
  uncertainty, and the sentence says how large the seasonal movement is. A raw season-to-season
  change is never called significant.
- **Survey percentages**: a two-sample Wald test of proportions with the survey's quarterly sample
  size from the measure catalogue; the change and its interval are in percentage points.
- **Headcounts** are complete counts, not samples, and **hours** are not counts of independent events:
  no test applies, and the sentence says so. Nor is a change tested across a *recording* break in the
  catalogue (a counting-rule change, a new reporting platform): part of it would be the new rule.

**Many comparisons at once.** An edition makes about fifty comparisons, so some would pass a 5% test
by chance alone. The false discovery rate is controlled across all the edition's comparisons
(Benjamini and Hochberg, 1995; statsmodels `multipletests`), and across a closure review's. A change
is called *statistically significant* only when its 95% interval excludes no change **and** it
survives that control; a change whose interval excludes no change but does not survive is said to be
significant only on its own. Otherwise the change is *too small to tell apart from usual variation*.
When a count is under 50 the test has little power: the sentence says the numbers are *too few to
tell apart* and gives the two counts and the difference, not a percentage.

**What the tests assume.** Months are independent once season, trend and lockdowns are allowed for,
and the variance is proportional to the mean with the dispersion of the recent past. Police recorded
crime is a full count of what was recorded, not a sample: the test asks whether the underlying rate
that produced the counts has changed, not whether the counts differ (they plainly do).

The test suite checks these properties by simulation (`tests/test_statistics.py`): with no change,
at most 6% of comparisons may be called significant at dispersions 1, 5 and 40; a 10% change at
dispersion 5 and 1,000 a month must be found in most 12-month comparisons. A single quarter has much
less power than 12 months: a real change of that size is often not detectable in one quarter.

## Control charts

Monthly counts are judged on a control chart in the NHS *Making Data Count* style (Wheeler, 2000;
NHS England, 2019). Each month is first adjusted for the usual seasonal pattern and its length (the
calendar-month effects of the measure's quasi-Poisson model, fitted to up to five years before the
quarter), so an ordinary short February is not a signal. The limits come from a baseline of up to 24
months before the quarter, starting after any break in the series and leaving out lockdown months; the
sentence names the months used. The chart is an XmR chart on the adjusted values: the centre is their
mean and the limits are three sigma either side, sigma being the mean moving range over 1.128,
widened slightly because the seasonal pattern is itself estimated. Below about 20 a month the limits
are instead Poisson probability limits around each month's seasonal expectation (whole numbers). A
month shows a signal when it breaks any of four rules, and each is named: outside the limits; in a run
of 7 or more months on one side of the centre; in a run of 7 or more months each higher (or lower)
than the last; 2 of 3 months beyond two sigma on the same side. Limits are printed at the precision
the rules use. Even a stable seasonal series shows some signal in a few quarters in a hundred by
chance, mostly from the run rule (the test suite bounds it): a signal is a prompt to look, not a
finding.

## Seasonal decomposition

Monthly residential burglary and domestic abuse-related offences are decomposed by STL,
seasonal-trend decomposition using Loess (Cleveland, Cleveland, McRae and Terpenning, 1990),
with period 12 and robust fitting (statsmodels `STL`). The text gives the trend now against 12
months earlier, the quarter's seasonally adjusted total against last quarter's, the months that
are seasonally high and low (average of the last three years), and months in the last two years
that stand out. The latest trend estimate is the least certain, because later months have not yet
arrived: the text says how far the trend at the previous quarter's end has moved since the last
edition. A month is said to stand out only when two fits agree: its remainder in a plain STL fit
is more than three robust standard deviations (1.4826 times the median absolute deviation) from
zero, and the robust fit gives it less than half weight. On simulated series of pure noise this
flags about one month in 400. With fewer than three years of data the decomposition is not shown.

## Trend tests on people killed or seriously injured

- **Mann-Kendall test** (Mann, 1945; Kendall, 1975) with **Sen's slope** (Sen, 1968) on the totals of
  complete financial years, and the **seasonal Mann-Kendall test** (Hirsch, Slack and Smith, 1982) on
  the monthly series, each month compared with the same month in other years; both with pymannkendall
  (Hussain and Mahmud, 2019). They assume no trend other than a monotonic one and, for the annual test,
  independent years. A trend is called significant only when it survives false discovery rate control
  across all the Mann-Kendall tests of the edition (or review), as the comparisons do.
- **Quasi-Poisson regression** of the monthly counts on calendar month, the share of each month's days
  under COVID-19 lockdown (dates from the measure catalogue: a lockdown that began on 23 March counts
  as 9/31 of March) and a trend. The trend is a straight line unless a quasi-likelihood F test of a
  natural cubic spline against the line finds it bends at the 5% level; then the text gives the change
  from the first 12 months to the last 12 and, when the curve peaks inside the period, the change
  since the peak. When the residuals stay correlated from month to month (Ljung and Box, 1978, 12
  lags, 5% level), the intervals use Newey-West standard errors (Newey and West, 1987). As a
  sensitivity check the model is refitted with every month touched by a lockdown left out. The
  chart's band is the fitted value plus or minus 1.96 times the square root of dispersion times fitted
  value.
- Where the data hold the DfT's severity-adjusted KSI series (named by `trend_series` in the catalogue),
  the trend tests use it and say so, because the change to injury-based severity reporting raised the
  recorded share of serious injuries.

## Caveats

- Police recorded crime reflects recording practice as well as crime (ONS, *User guide to crime
  statistics for England and Wales*). Improvements in recording since 2014 raised some counts, notably
  violence, domestic abuse and stalking and harassment. The UK Statistics Authority removed police
  recorded crime's National Statistics designation in 2014.
- The discontinuities below are marked on the charts; comparisons across them need care, and changes
  across a recording break are not tested.
- The bundled data are **modelled**, except the figures cited to published documents. They
  show how the book works and are not official statistics.

## Assumptions and caveats log

| Area | Assumption | Effect if wrong | Rating |
|---|---|---|---|
| Change tests | Months independent given season, trend and lockdowns | Correlated months make intervals too narrow | Amber |
| Change tests | Dispersion of the recent past holds for the periods compared | A noisier current year makes claims too bold | Amber |
| Change tests | No recording change between the periods (catalogue complete) | A missed break is read as a real change | Amber |
| Many comparisons | Benjamini-Hochberg with positively dependent tests | Overlapping periods are positively dependent, as required | Green |
| Control charts | Seasonal pattern of the last five years still holds | A changed pattern raises false signals | Amber |
| Control charts | Four rules together | A few stable quarters in a hundred show a signal | Green (stated) |
| KSI trend | Spline with few degrees of freedom captures the long-run shape | Short-lived changes are smoothed away | Green |
| Modelled data | Demonstration series only | Not to be read as Essex's real figures | Red until real extracts replace them |

## References

- Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful
  approach to multiple testing. *Journal of the Royal Statistical Society B* 57, 289-300.
- Cleveland, R. B., Cleveland, W. S., McRae, J. E. and Terpenning, I. (1990). STL: a
  seasonal-trend decomposition procedure based on Loess. *Journal of Official Statistics* 6, 3-73.
- Hirsch, R. M., Slack, J. R. and Smith, R. A. (1982). Techniques of trend analysis for monthly water
  quality data. *Water Resources Research* 18, 107-121.
- Hussain, M. M. and Mahmud, I. (2019). pyMannKendall: a python package for non parametric
  Mann Kendall family of trend tests. *Journal of Open Source Software* 4(39), 1556.
- Kendall, M. G. (1975). *Rank Correlation Methods*, 4th edition. Charles Griffin, London.
- Ljung, G. M. and Box, G. E. P. (1978). On a measure of lack of fit in time series models.
  *Biometrika* 65, 297-303.
- Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13, 245-259.
- McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd edition. Chapman and Hall.
- Newey, W. K. and West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
  autocorrelation consistent covariance matrix. *Econometrica* 55, 703-708.
- NHS England and NHS Improvement (2019). *Making Data Count: getting started*.
- Office for National Statistics. *User guide to crime statistics for England and Wales*.
- Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. *Journal of
  the American Statistical Association* 63, 1379-1389.
- Spiegelhalter, D. J. (2005). Handling over-dispersion of performance indicators. *Quality and Safety
  in Health Care* 14, 347-351.
- Wedderburn, R. W. M. (1974). Quasi-likelihood functions, generalized linear models, and the
  Gauss-Newton method. *Biometrika* 61, 439-447.
- Wheeler, D. J. (2000). *Understanding Variation: the Key to Managing Chaos*, 2nd edition. SPC Press.
"""


def methods_notebook() -> nbformat.NotebookNode:
    return _notebook([
        _markdown(METHODS_TEXT),
        _code("# Parameters: quarter (None = latest with data) and the data folder.\n"
              "quarter = None\n"
              'data_dir = "../data"', tags=("parameters",)),
        _markdown("## Discontinuities in the series"),
        _code("from pcpbook.chapter import discontinuities_table, dispersion_table, open_edition\n\n"
              "edition = open_edition(quarter, data_dir)\n"
              "discontinuities_table(edition)"),
        _markdown("## The usual variation of each measure in this edition\n\nThe dispersion is how many times "
                  "more variable the monthly counts are than a Poisson count, once season, trend and lockdowns "
                  "are allowed for; 1 means Poisson variation. It is estimated from the months named, before "
                  "the 12-month periods compared."),
        _code("dispersion_table(edition)"),
    ])


# ----------------------------------------------------------------------------- closure review


def closure_folder(plan: Plan) -> Path:
    return CLOSURE / plan.id


def closure_paths(plan: Plan) -> dict[str, Path]:
    """The review's notebooks in reading order: summary, finance, priorities, register."""
    folder = closure_folder(plan)
    paths = {"summary": folder / "summary.ipynb", "finance": folder / "finance.ipynb"}
    paths |= {p.slug: folder / f"{p.slug}.ipynb" for p in plan.priorities}
    return paths | {"register": folder / "register.ipynb"}


def _closure_parameters(produced: bool = False) -> object:
    if produced:
        return _code('# Parameters: the data folder and the date produced (None = today).\n'
                     'data_dir = "../../../data"\nproduced = None', tags=("parameters",))
    return _code('# Parameters: the data folder.\ndata_dir = "../../../data"', tags=("parameters",))


def _open_review(plan: Plan, produced: bool = False) -> str:
    return (f'review = open_review("{plan.id}", data_dir' + (", produced" if produced else "") + ")")


def closure_summary_notebook(plan: Plan) -> nbformat.NotebookNode:
    return _notebook([
        _markdown(f"# {escape_markdown(plan.title)}: closure review"),
        _closure_parameters(produced=True),
        _code("from pcpbook.review import open_review\n\n" + _open_review(plan, produced=True) + "\nreview.facts()"),
        _markdown("## Executive summary\n\nThe figures below compare the year before the plan began with its "
                  "end year. These are the measures with published figures for both years:"),
        _code("review.headlines()"),
        _markdown("## Every measure, baseline year against end year"),
        _code("review.all_measures()"),
        _markdown("## What was committed and what was delivered\n\nEach commitment's final status is the last "
                  "status its owning unit reported in the quarterly returns; the appendix gives the evidence."),
        _code("review.delivery()"),
        _code("review.data_notice()"),
        _markdown("## Contents\n\n```{tableofcontents}\n```"),
    ])


def _closure_page(plan: Plan, text: str, call: str) -> nbformat.NotebookNode:
    """A one-call page of the review: its heading and text, then ``review.<call>``."""
    return _notebook([_markdown(text), _closure_parameters(),
                      _code("from pcpbook.review import open_review\n\n" + _open_review(plan) + f"\nreview.{call}")])


def closure_finance_notebook(plan: Plan) -> nbformat.NotebookNode:
    return _closure_page(plan, "# Financial overview\n\nFunding, spending and surplus in the review's years, as "
                               "published. The arithmetic that links them is checked when the data are loaded.",
                         "finance()")


def closure_priority_notebook(plan: Plan, priority: Priority, measures: dict[str, Measure]) -> nbformat.NotebookNode:
    """A review chapter: baseline against end year, the period charts, trend tests,
    seasonal patterns where the catalogue asks, and what became of the commitments."""
    seasonal = ([_markdown("## Seasonal patterns\n\nA seasonal decomposition (STL) of the monthly series from the "
                           "baseline year to the end year."), _code("chapter.seasonal_patterns()")]
                if any(measures[m].decompose for m in priority.measures) else [])
    return _notebook([
        _markdown(f"# Priority {priority.number}: {escape_markdown(priority.title)}"),
        _closure_parameters(),
        _code("from pcpbook.review import open_review\n\n" + _open_review(plan) + "\n"
              f"chapter = review.chapter({priority.number})\nchapter.introduction()"),
        _markdown("## Baseline year against end year"),
        _code("chapter.key_figures()"),
        _markdown("## The whole period\n\nEach chart shows every month up to the end year, with the plan "
                  "period shaded and the baseline and end years marked."),
        _code("chapter.measures()"),
        _markdown("## Long-run trends\n\nFor each count of events: the Mann-Kendall test with Sen's slope on "
                  "the financial years, the seasonal Mann-Kendall test on the months, and a quasi-Poisson "
                  "regression whose trend may bend, with the share of each month's days under COVID-19 "
                  "lockdown; see *Methods and caveats*."),
        _code("chapter.trends()"),
        *seasonal,
        _markdown("## Committed and delivered"),
        _code("chapter.delivery()"),
    ])


def closure_register_notebook(plan: Plan) -> nbformat.NotebookNode:
    return _closure_page(plan, "# Appendix: register of commitments\n\nEvery commitment of the plan with its "
                               "final status, the return that last reported on it, and that return's account of "
                               "the work.", "register()")


def closure_notebooks(plan: Plan, measures: dict[str, Measure]) -> dict[Path, nbformat.NotebookNode]:
    """The review's notebooks by path, in reading order."""
    paths = closure_paths(plan)
    notebooks = {paths["summary"]: closure_summary_notebook(plan), paths["finance"]: closure_finance_notebook(plan)}
    notebooks |= {paths[p.slug]: closure_priority_notebook(plan, p, measures) for p in plan.priorities}
    return notebooks | {paths["register"]: closure_register_notebook(plan)}


def closure_toc(plan: Plan) -> dict:
    """Summary first, then finance, priorities, register, methods and how it was made."""
    paths = list(closure_paths(plan).values())
    chapters = paths[1:] + [METHODS, BUILD_PAGE]
    return {"format": "jb-book", "root": paths[0].with_suffix("").as_posix(),
            "chapters": [{"file": path.with_suffix("").as_posix()} for path in chapters]}


# ----------------------------------------------------------------------------- contents


def toc(plan: Plan, build_page: bool = False) -> dict:
    """Jupyter Book table of contents for an edition of ``plan`` (with the edition's own
    "How this edition was made" page when the build writes one)."""
    chapters = [chapter_path(plan, p) for p in plan.priorities] + [METHODS] + ([BUILD_PAGE] if build_page else [])
    return {"format": "jb-book", "root": INTRO.with_suffix("").as_posix(),
            "chapters": [{"file": path.with_suffix("").as_posix()} for path in chapters]}


def write_toc(plan: Plan, path: Path, build_page: bool = False, contents: dict | None = None) -> None:
    what = "the closure review" if contents else "an edition"
    header = f"# Table of contents for {what} of plan {plan.id} (written by pcpbook).\n"
    path.write_text(header + yaml.safe_dump(contents or toc(plan, build_page), sort_keys=False), encoding="utf-8")


def write_notebooks(plans: dict[str, Plan], measures: dict[str, Measure], root: Path) -> list[Path]:
    """Write the intro, methods and every priority notebook under ``root``; return their paths."""
    import nbformat
    (root / CHAPTERS).mkdir(parents=True, exist_ok=True)
    nbformat.write(intro_notebook(), root / INTRO)
    nbformat.write(methods_notebook(), root / METHODS)
    written = [root / INTRO, root / METHODS]
    for plan in plans.values():
        (root / CHAPTERS / plan.id).mkdir(parents=True, exist_ok=True)
        for priority in plan.priorities:
            path = root / chapter_path(plan, priority)
            nbformat.write(priority_notebook(plan, priority, measures), path)
            written.append(path)
        for path, notebook in closure_notebooks(plan, measures).items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, root / path)
            written.append(root / path)
    return written


PROJECT_FILES = ("_config.yml", "_toc.yml")
PROJECT_FOLDERS = ("chapters", "data")


def copy_project(source: Path, target: Path) -> Path:
    """Copy what a build needs (config, contents, chapters, data) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy(source / name, target / name)
    for folder in PROJECT_FOLDERS:
        shutil.copytree(source / folder, target / folder,
                        ignore=shutil.ignore_patterns("figures", ".ipynb_checkpoints", "_build"))
    return target
