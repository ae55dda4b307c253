"""The book's structure: chapter notebooks made from the plans, and the table of contents.

Chapter notebooks are committed (analysts open and fork them) but written from the plan files
by ``scripts/make_chapters.py``, so a new priority or a renamed one needs no hand editing.
Each has a ``parameters`` cell (papermill) whose defaults let it run on its own in Jupyter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import yaml

from .data import Measure, Plan, Priority

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
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC,
                                                  "language_info": {"name": "python"}})
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    notebook.cells = cells
    return notebook


def _markdown(text: str):
    return nbformat.v4.new_markdown_cell(text)


def _code(source: str, tags: tuple[str, ...] = ()):
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
        _markdown(f"# Priority {priority.number}: {priority.title}"),
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

Each method is described here once. Every figure in this edition uses only data up to the end
of its quarter.

## Comparisons and significance

Changes are recomputed from the counts, never copied. A count of events this quarter is
compared with the same quarter last year (and, for calls and hours, with last quarter), and the
last 12 months with the 12 before. Behind every *up* or *down* is a test:

- **Counts of events** (crimes, incidents, calls, casualties, arrests): the exact conditional
  test for two Poisson rates, with the number of days in each period as exposure. Given the
  total of the two counts, the current count is binomial with probability equal to its share of
  the days (Przyborowski and Wilenski, 1940; Krishnamoorthy and Thomson, 2004), computed with
  statsmodels `test_poisson_2indep(method="exact-cond")`.
- **Survey percentages**: a two-sample z-test of proportions with the survey's quarterly sample
  size from the measure catalogue.
- **Headcounts** are complete counts, not samples, and **hours** are not counts of independent
  events: no test applies, and the sentence says so.

A change is called *statistically significant* only when p < 0.05; otherwise it is *within
normal variation*. Recorded crime is often more variable than a Poisson count (over-dispersed),
so some changes called significant may still be ordinary fluctuation: read them with the
control limits and the long-run charts.

## Control limits

Monthly counts are judged against a Laney c'-chart (Laney, 2002): the centre is the mean of the
24 months before the quarter, and the c-chart limits (three standard deviations) are widened by
the variation actually seen between consecutive months. A month outside the limits is flagged.

## Seasonal decomposition

Monthly residential burglary and domestic abuse-related offences are decomposed by STL,
seasonal-trend decomposition using Loess (Cleveland, Cleveland, McRae and Terpenning, 1990),
with period 12 and robust fitting (statsmodels `STL`). The text gives the trend now against 12
months earlier, the quarter's seasonally adjusted total against last quarter's, the months that
are seasonally high and low (average of the last three years), and months in the last two years
that stand out. The robust fit deliberately leaves outliers large and squeezes other months,
and a plain fit smears a large outlier into the same month of other years, so a month is said
to stand out only when both agree: its remainder in a plain STL fit is more than three robust
standard deviations (1.4826 times the median absolute deviation) from zero, and the robust fit
gives it less than half weight. On simulated series of pure noise this flags about one month
in 400. With fewer than three years of data the decomposition is not shown.

## Trend tests on people killed or seriously injured

- **Mann-Kendall test** (Mann, 1945; Kendall, 1975) with **Sen's slope** (Sen, 1968) on the totals
  of complete financial years up to the quarter, computed with pymannkendall (Hussain and
  Mahmud, 2019).
- **Count regression** of monthly casualties on time, calendar month and an indicator for the
  COVID-19 lockdown months listed in the measure catalogue. It is a Poisson regression unless
  the Cameron and Trivedi (1990) regression test finds over-dispersion at the 5% level, when a
  negative binomial regression is used. The result is the rate ratio per year with its 95%
  confidence interval. As a sensitivity check the model is refitted with the lockdown months left
  out. The chart's band is the 95% Poisson range around the fitted values.

## Caveats

- Police recorded crime reflects recording practice as well as crime. Improvements in recording
  since 2014 raised some counts, notably violence, domestic abuse and stalking and harassment.
  The UK Statistics Authority removed police recorded crime's National Statistics designation
  in 2014.
- The discontinuities below are marked on the charts; comparisons across them need care.
- The bundled data are **modelled**, except the figures cited to published documents. They
  show how the book works and are not official statistics.

## References

- Cameron, A. C. and Trivedi, P. K. (1990). Regression-based tests for overdispersion in the
  Poisson model. *Journal of Econometrics* 46, 347-364.
- Cleveland, R. B., Cleveland, W. S., McRae, J. E. and Terpenning, I. (1990). STL: a
  seasonal-trend decomposition procedure based on Loess. *Journal of Official Statistics* 6, 3-73.
- Hussain, M. M. and Mahmud, I. (2019). pyMannKendall: a python package for non parametric
  Mann Kendall family of trend tests. *Journal of Open Source Software* 4(39), 1556.
- Kendall, M. G. (1975). *Rank Correlation Methods*, 4th edition. Charles Griffin, London.
- Krishnamoorthy, K. and Thomson, J. (2004). A more powerful test for comparing two Poisson
  means. *Journal of Statistical Planning and Inference* 119, 23-35.
- Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering* 14, 531-537.
- Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13, 245-259.
- Przyborowski, J. and Wilenski, H. (1940). Homogeneity of results in testing samples from
  Poisson series. *Biometrika* 31, 313-323.
- Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau. *Journal of
  the American Statistical Association* 63, 1379-1389.
"""


def methods_notebook() -> nbformat.NotebookNode:
    return _notebook([
        _markdown(METHODS_TEXT),
        _code("# Parameters: quarter (None = latest with data) and the data folder.\n"
              "quarter = None\n"
              'data_dir = "../data"', tags=("parameters",)),
        _markdown("## Discontinuities in the series"),
        _code("from pcpbook.chapter import discontinuities_table, open_edition\n\n"
              "discontinuities_table(open_edition(quarter, data_dir))"),
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
        _markdown(f"# {plan.title}: closure review"),
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
        _markdown(f"# Priority {priority.number}: {priority.title}"),
        _closure_parameters(),
        _code("from pcpbook.review import open_review\n\n" + _open_review(plan) + "\n"
              f"chapter = review.chapter({priority.number})\nchapter.introduction()"),
        _markdown("## Baseline year against end year"),
        _code("chapter.key_figures()"),
        _markdown("## The whole period\n\nEach chart shows every month up to the end year, with the plan "
                  "period shaded and the baseline and end years marked."),
        _code("chapter.measures()"),
        _markdown("## Long-run trends\n\nFor each count of events: the Mann-Kendall test with Sen's slope on "
                  "the financial years, and a count regression on the months with the COVID-19 lockdown "
                  "months as an indicator; see *Methods and caveats*."),
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
    header = f"# Table of contents for {what} of {plan.title} (written by pcpbook).\n"
    path.write_text(header + yaml.safe_dump(contents or toc(plan, build_page), sort_keys=False), encoding="utf-8")


def write_notebooks(plans: dict[str, Plan], measures: dict[str, Measure], root: Path) -> list[Path]:
    """Write the intro, methods and every priority notebook under ``root``; return their paths."""
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
