"""What a chapter notebook shows, as Markdown built from the data.

Notebooks call these functions and display what they return; all logic lives here so it is
tested once and every chapter reads the same way. Charts are written as PNG files next to the
notebook and referenced from Markdown, which lets each carry its own alt text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from IPython.display import HTML, Markdown

from pcpbook.analysis.comparisons import edition_comparisons, history_before
from pcpbook.analysis.trends import plan_trends, trend_series
from pcpbook.contracts import settings
from pcpbook.contracts.dataset import Dataset, load
from pcpbook.contracts.model import Measure, Plan, Priority
from pcpbook.core.periods import Quarter, month_label
from pcpbook.core.render import escape_html, escape_markdown, markdown_table
from pcpbook.present import book, comparing
from pcpbook.present.citing import BookSources, documents_in, linked, plan_uses
from pcpbook.present.commitments import (commentary_cell, commitments_table, load_returns, paraphrase_note,
                                         status_badge, status_summary, status_table)
from pcpbook.present.districts import stand_out_sentence
from pcpbook.present.figures import Chart, trend_window_start
from pcpbook.present.narrative import (busiest_month_sentence, in_sentence, interval_cell, per_day_sentence,
                                       shares_sentence, since_sentence, test_cell)
from pcpbook.present.phrasing import say
from pcpbook.present.plain import NOT_COMPARABLE
from pcpbook.present.sections import measure_block, modelled_share, save_figure
from pcpbook.present.targeting import (Assessment, chart_path, priority_assessments, target_sentences, targets_table,
                                       verdict_cell)
from pcpbook.present.wording import number, percent_allowed, plural, signed_number
from pcpbook.stats import NotEnoughHistory, control_chart, decompose


@dataclass
class Edition:
    """The dataset, quarter and plan a notebook reports on."""

    dataset: Dataset
    quarter: Quarter
    plan: Plan
    version: str
    produced: dt.date

    @property
    def data_to(self) -> str:
        return month_label(self.quarter.end)


def open_edition(quarter: str | None, data_dir: str | None = None, version: str = "1.0",
                 produced: str | None = None) -> Edition:
    """Load and validate the data; ``quarter=None`` means the latest quarter in the data and
    ``data_dir=None`` the data folder the project's ``_config.yml`` names."""
    dataset = load(settings.notebook_data_folder(data_dir))
    resolved = Quarter.parse(quarter) if quarter else dataset.latest_quarter()
    plan = dataset.check_quarter(resolved)
    produced_on = dt.date.fromisoformat(produced) if produced else dt.date.today()
    return Edition(dataset, resolved, plan, version, produced_on)


def open_chapter(plan_id: str, priority: int, quarter: str | None = None, data_dir: str | None = None) -> "Chapter":
    """The chapter for ``priority`` of ``plan_id``; with ``quarter=None`` the latest quarter
    of that plan for which there are data."""
    dataset = load(settings.notebook_data_folder(data_dir))
    if plan_id not in dataset.plans:
        raise ValueError(f"no plan {plan_id!r} in {dataset.root / 'plans'}; plans: {', '.join(dataset.plans)}")
    plan = dataset.plans[plan_id]
    resolved = Quarter.parse(quarter) if quarter else min(plan.last_quarter, dataset.latest_quarter())
    in_force = dataset.check_quarter(resolved)
    if in_force.id != plan_id:
        raise ValueError(f"quarter {resolved} belongs to plan {in_force.id}, not {plan_id}: "
                         f"open the {in_force.id} chapter instead")
    return Chapter(dataset, plan, plan.priority(priority), resolved)


@dataclass
class Trend:
    """What a trend test of a measure used: the measure and series tested (the catalogue's
    ``trend_series`` where it has one), the result (or why there is none) and a note saying
    which series was used."""

    measure: Measure
    series: object
    result: object
    note: str


class MeasureSections:
    """What every chapter, quarterly or closure, does with its priority's measures: list them
    and show each as a section with its chart and sentences."""

    dataset: Dataset
    priority: Priority

    @property
    def measures(self) -> list[Measure]:
        """The priority's measures, in the plan's order."""
        return [self.dataset.measures[m] for m in self.priority.measures]

    def measures_marked(self, flag: str) -> list[Measure]:
        """The priority's measures with a catalogue flag set: ``decompose`` or ``trend_test``."""
        if flag not in MEASURE_FLAGS:
            raise ValueError(f"no catalogue flag {flag!r}; flags: {', '.join(MEASURE_FLAGS)}")
        return [m for m in self.measures if getattr(m, flag)]

    def decomposition(self, series):
        """STL of ``series`` up to the end of the chapter's last quarter, or the reason there
        is none (NotEnoughHistory: under three years of data, or no monthly figures)."""
        if is_quarterly(series):
            return NotEnoughHistory(QUARTERLY_ONLY.format(method="a seasonal decomposition needs"))
        try:
            return decompose(series, self.last_quarter)
        except NotEnoughHistory as exc:
            return exc

    def without_figures(self) -> Markdown | None:
        """One paragraph for the measures with no figures yet, by where their figures come from
        (nothing when every measure has some): each is then left out of the sections below."""
        missing = [m for m in self.measures if self.series(m).empty]
        if not missing:
            return None
        by_source: dict[str, list[str]] = {}
        for measure in missing:
            by_source.setdefault(measure.source, []).append(measure.label)
        needs = " ".join(f"From {source}: {', '.join(labels)}." for source, labels in by_source.items())
        return Markdown(escape_markdown(
            f"Not shown: no figures up to {month_label(self.last_quarter.end)} are in the data for "
            f"{plural(len(missing), 'measure')}. {needs} Add them as an extract (python -m pcpbook ingest ...) and "
            "they appear in the next build."))

    def figure(self, chart: Chart) -> str:
        """Save the chart as a PNG in the page's figures folder; the Markdown image, alt text and all."""
        return save_figure(chart, self.figure_prefix)

    def section(self, measure: Measure, chart: Chart | None, sentences: list[str], detail: str = "",
                definition: bool = False) -> Markdown:
        """A measure's part of the page: its name, the chart (saved as a PNG beside the
        notebook, with its alt text), the sentences, the folded detail (``plain.how_we_know``)
        and the catalogue's definition if asked."""
        text = measure_block(measure.label, "" if chart is None else self.figure(chart), sentences,
                             modelled_share(self.series(measure)))
        if detail:
            text += "\n\n" + detail
        if definition:
            text += f"\n\n*Definition:* {escape_markdown(measure.definition)}"
        return Markdown(text)


MEASURE_FLAGS = ("decompose", "trend_test")
QUARTERLY_ONLY = ("{method} monthly figures, and the data hold this measure quarter by quarter only (as the "
                  "Home Office tables give it): add monthly figures, from police.uk or the force's own extract")


def is_quarterly(series) -> bool:
    """Whether a series is quarter by quarter (a count from the Home Office tables)."""
    return not series.empty and (series["period"] == "quarter").all()


@dataclass
class Chapter(MeasureSections):
    dataset: Dataset
    plan: Plan
    priority: Priority
    quarter: Quarter

    @property
    def last_quarter(self) -> Quarter:
        return self.quarter

    @property
    def figure_prefix(self) -> str:
        return f"{self.plan.id}-{self.priority.slug}"

    def introduction(self) -> Markdown:
        """The edition line, the objective, what the chapter holds, and what is said once for the
        page rather than under every measure (how changes are tested, which data are modelled)."""
        comparisons = [c for m in self.priority.measures for c in self.comparisons(m)]
        family = max((c.test.family for c in comparisons), default=0)
        modelled = any(c.status == "modelled" for c in comparisons)
        return Markdown(
            f"*{escape_markdown(self.plan.title)}, {escape_markdown(self.dataset.force.name)}: quarterly update for "
            f"{self.quarter.label} "
            f"({self.quarter.month_span}); data to {month_label(self.quarter.end)}.*\n\n"
            f"**Objective.** {escape_markdown(self.priority.objective)}\n\n"
            f"This chapter reports {plural(len(self.priority.measures), 'measure')} and "
            f"{plural(len(self.priority.commitments), 'commitment')}. "
            + say("measure", "page_note", family=family, modelled=modelled,
                  tested=any(c.test.tested for c in comparisons)))

    def series(self, measure: Measure | str):
        """The measure's monthly series up to the end of the quarter (its quarters, where the data
        hold it only quarter by quarter): nothing later is ever read."""
        return self.dataset.series(_measure_id(measure), self.quarter.end)

    def comparisons(self, measure: Measure | str) -> list:
        """This quarter's comparisons for a measure, tested together with every other
        comparison in the edition (false discovery rate control)."""
        return edition_comparisons(self.dataset, self.plan.measure_ids, self.quarter)[_measure_id(measure)]

    def daily_sentences(self, measure: Measure, series) -> list[str]:
        """For contacts and reports (the catalogue's ``per_day``): the quarter's total as a rate
        per day over the quarter's days, and its busiest and quietest month."""
        if not measure.per_day:
            return []
        months = [(row.period_start, row.value) for row in series.itertuples() if row.period_start >= self.quarter.start]
        total = self.dataset.value(measure.id, self.quarter.start, 3).amount
        if total is None or len(months) != 3:
            return []
        said = [per_day_sentence(measure, total, self.quarter.days, "the quarter")]
        busiest = busiest_month_sentence(measure, months)
        return said + ([busiest] if busiest else [])

    def share_sentences(self, measure: Measure) -> list[str]:
        """For a count with parts in the catalogue: the quarter's parts and their shares of it."""
        whole = self.dataset.value(measure.id, self.quarter.start, 3).amount
        parts = [(self.dataset.measures[p], self.dataset.value(p, self.quarter.start, 3).amount) for p in measure.parts]
        if not parts or whole is None or any(amount is None for _, amount in parts):
            return []
        return [shares_sentence(measure, whole, parts, "this quarter")]

    def since_sentences(self, measure: Measure) -> list[str]:
        """For a count with a start in the catalogue (``since``): its running total to the quarter's end."""
        if measure.since is None or measure.since > self.quarter.start:
            return []
        months = (self.quarter.end.year - measure.since.year) * 12 + self.quarter.end.month - measure.since.month + 1
        total = self.dataset.value(measure.id, measure.since, months).amount
        return [] if total is None else [since_sentence(measure, total, measure.since, self.quarter.end)]

    def district_sentences(self, measure: Measure) -> list[str]:
        """The districts that stand out for the measure this quarter, only where a test says so."""
        said = stand_out_sentence(self.dataset, measure.id, self.quarter)
        return [said] if said else []

    def control_chart(self, measure: Measure, series):
        """Seasonal control limits for a count of events (ControlChart), the reason there are
        none (NotEnoughHistory), or None for measures that are not counts of events."""
        if not measure.has_usual_variation:
            return None
        if is_quarterly(series):
            return NotEnoughHistory(QUARTERLY_ONLY.format(method="control limits need"))
        history = history_before(self.dataset, measure, self.quarter.start)
        if isinstance(history, NotEnoughHistory):
            return history
        try:
            return control_chart(series, self.quarter, measure, history)
        except NotEnoughHistory as exc:
            return exc

    def trend(self, measure: Measure) -> Trend:
        """The measure's trend tests up to the quarter's end, controlled together with the
        edition's other trend tests."""
        tested, series, note = trend_inputs(self.dataset, measure, self.quarter.end)
        return Trend(tested, series, plan_trends(self.dataset, self.plan, self.quarter)[measure.id], note)

    @property
    def targets(self) -> list[Assessment]:
        """The targets of the priority's commitments, judged at the quarter's end."""
        return priority_assessments(self.dataset, self.plan, self.priority, self.quarter)

    def target_paths(self, measure: Measure) -> tuple:
        """The path to each of the measure's targets, for its chart."""
        start = trend_window_start(self.quarter)
        paths = (chart_path(a, start, self.quarter, self.dataset.sources) for a in self.targets if a.measure == measure)
        return tuple(path for path in paths if path is not None)

    def target_sentences(self, measure: Measure) -> list[str]:
        """Each of the measure's targets: what it asks and the verdict, with the arithmetic."""
        return [said for a in self.targets if a.measure == measure for said in target_sentences(a, self.dataset.sources)]

    def peer_table(self) -> Markdown | None:
        """The priority's measures compared with similar forces, as the seed's MSG table
        (nothing when the catalogue compares none of them)."""
        measures = comparing.compared_measures(self.dataset, self.priority.measures)
        return comparing.peer_table(self.dataset, measures, self.quarter, self.figure_prefix)

    def key_figures(self) -> Markdown:
        """This quarter against the same quarter last year, one row per measure."""
        targets = self.targets
        rows = [["Measure", f"{self.quarter.label}", f"{self.quarter.same_quarter_last_year().label}",
                 "Change", "Change (%)", "95% interval", "Test", "Data"] + (["Target"] if targets else [])]
        cited: set[str] = set()
        modelled = False
        shown = [m for m in self.measures if not self.series(m).empty]
        for measure in shown:
            comparison = self.comparisons(measure)[0]
            rows.append([measure.label, *comparison_cells(measure, comparison)]
                        + ([verdict_cell(targets, measure)] if targets else []))
            cited |= {key for c in self.comparisons(measure) for value in (c.current, c.baseline)
                      if value.status == "published" for source in value.sources
                      for key in documents_in(source, self.dataset.sources)}
            modelled |= any(value.status == "modelled" for c in self.comparisons(measure)
                            for value in (c.current, c.baseline))
        note = ("\n\nFigures for headcounts are at the end of the quarter. No percentage is given on a base "
                "under 50. *Test* is the verdict after allowing for the measure's usual variation and for every "
                "comparison in the edition (see *Methods and caveats*). *Data* says whether the figures are "
                + ("published or modelled (a demonstration series); where only one is modelled, it says which."
                   if modelled else "published or provisional."))
        if len(shown) < len(self.measures):
            missing = len(self.measures) - len(shown)
            note += f" {plural(missing, 'measure')} with no figures yet {'is' if missing == 1 else 'are'} named under *Measures*."
        if cited:
            note += " Published figures are from: " + "; ".join(linked(key, self.dataset.sources) for key in sorted(cited)) + "."
        if targets:
            note += ("\n\n**Targets.** Each target written into a commitment, judged at the quarter's end against the "
                     "straight path from its baseline to the target (see *Methods and caveats*); the measure's section "
                     "shows the arithmetic.\n\n" + targets_table(targets))
        return Markdown(markdown_table(rows) + note)

    def commitments(self) -> HTML:
        """We will | Commentary | Who | Status, with a summary of the statuses."""
        returns = load_returns(self.dataset, self.plan, self.quarter)
        ids = [c.id for c in self.priority.commitments]
        rows = []
        for item in self.priority.commitments:
            entry = returns.entries[item.id]
            rows.append(f'<tr><th scope="row">{escape_html(item.id)}</th><td>{escape_html(item.text)}</td>'
                        f'<td class="pcp-commentary">{commentary_cell(entry)}</td>'
                        f'<td>{escape_html(", ".join(entry.who))}</td><td>{status_badge(entry.status)}</td></tr>')
        caption = f"Commitments and this quarter's returns from the owning units ({self.quarter.label})."
        if returns.modelled:
            caption += " Demonstration commentary (modelled), written for this example: not real returns."
        table = commitments_table(caption, ["No.", "We will", "Commentary", "Who", "Status"], rows)
        summary = f"<p><strong>Status of the {len(ids)} commitments:</strong> {escape_html(status_summary(returns.counts(ids)))}.</p>"
        return HTML(summary + table)

    def commitments_source(self) -> Markdown:
        return paraphrase_note(self.priority.source, self.dataset.sources)


def _measure_id(measure: Measure | str) -> str:
    return measure if isinstance(measure, str) else measure.id


def status_rollup(edition: "Edition") -> Markdown:
    """Counts of each status across the plan's commitments, per priority and in total."""
    returns = load_returns(edition.dataset, edition.plan, edition.quarter)
    total = returns.counts()
    text = (f"{sum(total.values())} commitments: {status_summary(total)}."
            + (" The commentary in this edition is demonstration text (modelled), not real returns."
               if returns.modelled else ""))
    return Markdown(escape_markdown(text) + "\n\n" + status_table(edition.plan, returns.counts))


def trend_inputs(dataset: Dataset, measure, until):
    """The measure and series a trend test uses, with a note saying so when it is not the
    measure's own (the DfT's severity-adjusted KSI)."""
    tested, series = trend_series(dataset, measure, until)
    return tested, series, trend_series_note(measure, tested)


def trend_series_note(measure, tested) -> str:
    """What the trend tests' series allows for, when the catalogue names a series for them
    (the DfT's severity-adjusted KSI): the one used, or that the data do not hold it (audit W8)."""
    if measure.trend_series is None:
        return ""
    if tested is not measure:
        return f"The trend tests use {in_sentence(tested.label)}, which allows for the change in how injury severity is recorded."
    return say("measure", "unadjusted_trend", label=in_sentence(measure.label))


def headline_table(edition: Edition) -> Markdown:
    """The first measure of each priority: this quarter against the same quarter last year."""
    rows = [["Priority", "Measure", edition.quarter.label, "Same quarter last year", "Change", "Change (%)",
             "95% interval", "Test", "Data"]]
    comparisons = edition_comparisons(edition.dataset, edition.plan.measure_ids, edition.quarter)
    for priority in edition.plan.priorities:
        measure = edition.dataset.measures[priority.measures[0]]
        rows.append([f"{priority.number}. {priority.title}", measure.label,
                     *comparison_cells(measure, comparisons[measure.id][0])])
    return Markdown(markdown_table(rows))


def comparison_cells(measure, comparison) -> list[str]:
    """Now, then, change, change (%), 95% interval, test, status: percentage points (one
    decimal) for survey rates; no percentage on a base under 50."""
    points = measure.behaviour.in_points
    now, then = _cell(comparison.current.amount, measure), _cell(comparison.baseline.amount, measure)
    if comparison.break_between:  # counted differently: the figures, and no change between them
        return [now, then, NOT_COMPARABLE, "" if points else NOT_COMPARABLE, "–", "not tested", data_cell(comparison)]
    shown_percent = "" if points else (_signed(comparison.percent, "%") if percent_allowed(comparison.baseline.amount)
                                       else "base under 50" if comparison.complete else "–")
    return [now, then, _signed(comparison.difference, " pts" if points else ""), shown_percent,
            interval_cell(comparison), test_cell(comparison.test), data_cell(comparison)]


def data_cell(comparison) -> str:
    """The figures' status: one word when both share it, else the weaker and which figure has it
    ("modelled (earlier figure)"), so a published figure beside a modelled one is not hidden."""
    if comparison.status is None:
        return "no data"
    current, baseline = comparison.current.status, comparison.baseline.status
    if not current or not baseline or current == baseline:
        return comparison.status
    return f"{comparison.status} ({'earlier' if baseline == comparison.status else 'latest'} figure)"


def discontinuities_table(edition: Edition) -> Markdown:
    """Every break in a series listed in the catalogue, up to the edition's quarter."""
    rows = [["Measure", "From", "To", "What changed"]]
    for measure in edition.dataset.measures.values():
        for item in measure.discontinuities:
            if item.date <= edition.quarter.end:
                rows.append([measure.label, f"{item.date:%d %b %Y}", f"{item.end:%d %b %Y}" if item.end else "",
                             item.note])
    return Markdown(markdown_table(rows))


def dispersion_table(edition: Edition) -> Markdown:
    """Each tested measure's dispersion and autocorrelation and the months (quarters, for a
    share of a count) they were estimated from, as its last comparison in the edition used them;
    and, where months of lockdown or counted differently were set aside, the dispersion had they
    been kept."""
    rows = [["Measure", "History used", "Dispersion", "Neighbouring months or quarters alike (AR)",
             "Dispersion had lockdown months been kept"]]
    for measure_id, comparisons in edition_comparisons(edition.dataset, edition.plan.measure_ids, edition.quarter).items():
        test = comparisons[-1].test
        if test.dispersion is not None:
            measure = edition.dataset.measures[measure_id]
            kept = "–"
            if "less" in test.history:
                kept = f"{history_before(edition.dataset, measure, comparisons[-1].baseline.start, set_aside=False).dispersion:.1f}"
            rows.append([measure.label, test.history, f"{test.dispersion:.1f}", f"{test.autocorrelation:.2f}", kept])
    if len(rows) == 1:
        return Markdown("No count in this edition has enough history to estimate its usual variation.")
    return Markdown(escape_markdown(f"For the comparisons of the 12 months to {edition.data_to} (of the quarter, "
                                    "for a share of a count):") + "\n\n"
                    + markdown_table(rows))


def print_link(print_file: str) -> HTML | None:
    """A link from the intro page (one folder down) to the print edition in the book's folder;
    nothing (None: an empty HTML object would show as its Python name) when no print edition
    was made. The print edition itself leaves it out."""
    if not print_file:
        return None
    href = escape_html("../" + print_file)
    return HTML(f'<p class="pcp-print-link"><strong>Print edition:</strong> <a href="{href}">the whole '
                f'edition as one PDF</a> ({escape_html(print_file)}), with numbered pages, for printing '
                'and for scrutiny meetings.</p>')


def chart_data_link(edition: Edition) -> HTML:
    """A link from the intro page (one folder down) to the zip of every chart's data in the edition."""
    name = escape_html(book.chart_data_file(edition.quarter.id))
    return HTML(f'<p class="pcp-chart-data"><strong>Data behind the charts:</strong> <a href="../{name}">every '
                f"chart's values as CSV, in one zip</a> ({name}); each chart also links its own.</p>")


def data_notice(edition: Edition) -> Markdown:
    return edition_sources(edition).notice()


def edition_sources(edition: Edition) -> BookSources:
    """What an edition draws on, for its Sources page."""
    return BookSources(edition.dataset, edition.quarter.end, "edition", edition.plan.measure_ids,
                       plan_uses(edition.plan, edition.dataset.sources))


# ----------------------------------------------------------------------------- helpers


def _cell(amount: float | None, measure: Measure) -> str:
    return "–" if amount is None else measure.behaviour.text(amount, number)


def _signed(value: float | None, suffix: str = "") -> str:
    """``+1,206`` for a whole change; one decimal (``-13.4%``, ``+2.2 pts``) with a suffix."""
    if value is None:
        return "–"
    if suffix:
        return f"{value:+.1f}{suffix}"
    return signed_number(value)
