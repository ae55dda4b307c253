"""What a closure review's notebooks show: a whole plan period, looked back on.

The review compares the plan's baseline financial year with its end year for every measure
(with the test of that change), draws each measure over the whole period with the plan
shaded, tests long-run trends, decomposes the seasonal series, and says what became of each
commitment from the history of quarterly returns. Shaped like the published 2016-2021
closure report (seed-004): executive summary, financial overview, one chapter per priority,
and an appendix register of commitments.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass

from IPython.display import HTML, Markdown

from pcpbook.analysis.comparisons import review_comparisons
from pcpbook.analysis.trends import trend_or_reason, trend_series
from pcpbook.contracts import commentary, settings
from pcpbook.contracts.dataset import Dataset, load
from pcpbook.contracts.model import FINANCE_ITEMS, Measure, Plan, Priority
from pcpbook.core.outputs import slug
from pcpbook.core.periods import Quarter, fy_label, fy_start_date, month_label
from pcpbook.core.render import Raw, escape_html, escape_markdown, facts_table, markdown_table
from pcpbook.present.chapter import MeasureSections, comparison_cells, trend_series_note
from pcpbook.present.citing import BookSources, documents_in, linked, plan_uses
from pcpbook.present.commitments import (commentary_cell, commitments_table, paraphrase_note, status_badge,
                                         status_summary, status_table)
from pcpbook.present.figures import trend_model_chart
from pcpbook.present.main_points import review_main_points
from pcpbook.present.narrative import trend_cell
from pcpbook.present.phrasing import say
from pcpbook.present.plain import NOT_COMPARABLE, trend_detail, trend_lead, verdict
from pcpbook.present.sections import measure_block, modelled_share
from pcpbook.present.targeting import priority_assessments, targets_section
from pcpbook.present.wording import (in_units, number, p_value, percent_allowed, plural, points, signed_percent,
                                     variation_name)
from pcpbook.stats import NotEnoughHistory, with_trend_control


class ReviewError(ValueError):
    """A closure review that the data cannot support."""


def open_review(plan_id: str, data_dir: str | None = None, produced: str | None = None) -> "Review":
    """The closure review of ``plan_id``; refused when the data end before its end year.
    ``data_dir=None`` is the data folder the project's ``_config.yml`` names."""
    dataset = load(settings.notebook_data_folder(data_dir))
    if plan_id not in dataset.plans:
        raise ReviewError(f"no plan {plan_id!r} in {dataset.root / 'plans'}; plans: {', '.join(dataset.plans)}")
    plan = dataset.plans[plan_id]
    end_quarter = Quarter(plan.end_year, 4)
    latest = dataset.latest_quarter()
    if end_quarter > latest:
        raise ReviewError(f"the closure review of {plan_id} compares {fy_label(plan.baseline_year)} with "
                          f"{fy_label(plan.end_year)}, but the data end in {month_label(latest.end)}")
    return Review(dataset, plan, dt.date.fromisoformat(produced) if produced else dt.date.today())


@dataclass
class Review:
    dataset: Dataset
    plan: Plan
    produced: dt.date

    @property
    def end_quarter(self) -> Quarter:
        return Quarter(self.plan.end_year, 4)

    @property
    def years(self) -> str:
        return f"{fy_label(self.plan.baseline_year)} to {fy_label(self.plan.end_year)}"

    @functools.cached_property
    def outcomes(self) -> dict[str, commentary.Outcome]:
        return commentary.outcomes(self.dataset.root / "commentary", self.plan)

    def comparison(self, measure_id: str):
        """Baseline year against end year, tested together with every other measure of the
        review (false discovery rate control)."""
        return review_comparisons(self.dataset, self.measure_ids(), self.plan.baseline_year,
                                  self.plan.end_year)[measure_id]

    def measure_ids(self) -> list[str]:
        return list(self.plan.measure_ids)

    def chapter(self, number: int) -> "ReviewChapter":
        return ReviewChapter(self, self.plan.priority(number))

    def window(self, measure_id: str):
        """The monthly series from the baseline year to the end year, nothing later."""
        series = self.dataset.monthly(measure_id, self.end_quarter.end)
        return series[series["period_start"] >= fy_start_date(self.plan.baseline_year)].reset_index(drop=True)

    def tested(self, measure: Measure) -> Measure:
        """The measure whose series the trend tests use (the DfT's severity-adjusted KSI where
        the data hold it for the same months)."""
        return trend_series(self.dataset, measure, self.end_quarter.end)[0]

    @functools.cached_property
    def trend_results(self) -> dict:
        """Trend tests of every count of events in the review, controlled together."""
        results = {}
        for measure_id in self.measure_ids():
            measure = self.dataset.measures[measure_id]
            if measure.has_usual_variation:
                results[measure_id] = trend_or_reason(self.window(self.tested(measure).id), self.end_quarter,
                                                      measure.periods)
        return with_trend_control(results)

    def count_outcomes(self, ids) -> Counter:
        return Counter(self.outcomes[i].status for i in ids)

    # ------------------------------------------------------------------ executive summary

    def facts(self) -> Markdown:
        plan = self.plan
        facts = [("Force", self.dataset.force.name), ("Plan", plan.title),
                 ("Plan period", f"{plan.first_quarter.label} to {plan.last_quarter.label} "
                                 f"({month_label(plan.first_quarter.start)} to {month_label(plan.last_quarter.end)})"),
                 ("Compared", f"baseline year {fy_label(plan.baseline_year)} against end year {fy_label(plan.end_year)}"),
                 ("Data to", month_label(self.end_quarter.end)),
                 ("Produced", f"{self.produced:%-d %B %Y}")]  # versions and fingerprints: the build page
        return Markdown(facts_table(facts))

    def main_points(self) -> Markdown:
        """At most six plain sentences, ranked as an edition's are (``present/main_points``)."""
        comparisons = {m: self.comparison(m) for m in self.measure_ids()}
        points = review_main_points(self.dataset, self.plan, comparisons, self.count_outcomes(list(self.outcomes)))
        return Markdown("\n".join(f"- {point}" for point in points) + "\n\n" + self.page_note())

    def headlines(self) -> Markdown:
        """Measures whose baseline and end-year figures are both published: the review's
        official headlines."""
        lines = [_headline(self.dataset.measures[m], self.comparison(m)) for m in self.measure_ids()
                 if self.comparison(m).status == "published"]
        if not lines:
            return Markdown(f"No measure has published figures for both {fy_label(self.plan.baseline_year)} and "
                            f"{fy_label(self.plan.end_year)}; the table below uses modelled data.")
        return Markdown("\n".join(f"- {line}" for line in lines))

    def all_measures(self) -> Markdown:
        """Every measure: baseline year against end year, with the test of the change."""
        rows = [YEAR_COLUMNS]
        for measure_id in self.measure_ids():
            rows.append(_year_row(self.dataset.measures[measure_id], self.comparison(measure_id)))
        return Markdown(markdown_table(rows) + "\n\n"
                        + escape_markdown(f"{_years_note(self)} {_untested_note(self, self.measure_ids())}".strip()))

    def delivery(self) -> Markdown:
        """Final status of every commitment, per priority: what was committed against what was delivered."""
        total = self.count_outcomes(list(self.outcomes))
        modelled = any(o.modelled for o in self.outcomes.values())
        text = (f"{sum(total.values())} commitments, by the last status their owning units reported: "
                f"{status_summary(total)}."
                + (" The returns are demonstration text (modelled), not real returns." if modelled else ""))
        return Markdown(escape_markdown(text) + "\n\n" + status_table(self.plan, self.count_outcomes))

    def page_note(self) -> Raw:
        """What a page of the review says once rather than under every measure: how changes
        are tested, and that values marked modelled are demonstration data."""
        comparisons = [self.comparison(m) for m in self.measure_ids()]
        family = max((c.test.family for c in comparisons), default=0)
        return say("measure", "page_note", family=family, book="review",
                   modelled=any(c.status == "modelled" for c in comparisons))

    def data_notice(self) -> Markdown:
        return self.sources().notice()

    def sources(self) -> BookSources:
        """What the review draws on: the plan's documents, the figures to its end year and the
        finance table's documents."""
        uses = plan_uses(self.plan, self.dataset.sources)
        finance = self.dataset.finance
        for source in ([] if finance.empty else finance["source"].unique()):
            for key in documents_in(source, self.dataset.sources):
                if "financial figures" not in uses.setdefault(key, []):
                    uses[key].append("financial figures")
        return BookSources(self.dataset, self.end_quarter.end, "review", self.plan.measure_ids, uses)

    # ------------------------------------------------------------------ finance

    def finance(self) -> Markdown:
        """Funding, spending and surplus by year for the review's years, from the finance table."""
        table = self.dataset.finance
        shown = table[(table["year"] >= self.plan.baseline_year) & (table["year"] <= self.plan.end_year)] \
            if not table.empty else table
        if shown.empty:
            return Markdown(f"No financial figures for {self.years} are in the data (`finance.csv`). "
                            "Add them, each with the document it comes from, to show them here.")
        years = sorted(shown["year"].unique())
        rows = [["Item"] + [fy_label(y) for y in years] + ["Source"]]
        for item, (label, unit) in FINANCE_ITEMS.items():
            values = shown[shown["item"] == item]
            if values.empty:
                continue
            cells = {row.year: _money(row.value, unit) for row in values.itertuples()}
            sources = Raw("; ".join(linked(s, self.dataset.sources) for s in dict.fromkeys(values["source"])))
            rows.append([label] + [cells.get(y, "–") for y in years] + [sources])
        notes = [_finance_check(shown[shown["year"] == year], year) for year in years]
        notes = [n for n in notes if n]
        return Markdown(markdown_table(rows) + "\n\n" + "\n".join(f"- {escape_markdown(n)}" for n in notes)
                        + "\n\nAll figures are published (not modelled); derived amounts say how they were computed.")

    # ------------------------------------------------------------------ appendix

    def register(self) -> HTML:
        """Every commitment with its final status and the evidence of its last return."""
        parts = []
        for priority in self.plan.priorities:
            rows = []
            for item in priority.commitments:
                outcome = self.outcomes[item.id]
                last = (f"{outcome.quarter.label}; updates in {outcome.updates} of {outcome.quarters} quarterly returns"
                        if outcome.received else f"no update in any of {outcome.quarters} quarterly returns")
                rows.append(f'<tr><th scope="row">{escape_html(item.id)}</th><td>{escape_html(item.text)}'
                            f'<br><small>{escape_html(self.plan.stage_label(item.stage))}</small></td>'
                            f'<td>{status_badge(outcome.status)}<br><small>{escape_html(last)}</small></td>'
                            f'<td class="pcp-commentary">{commentary_cell(outcome)}</td>'
                            f'<td>{escape_html(", ".join(outcome.who))}</td></tr>')
            parts.append(commitments_table(f"Priority {priority.number}: {priority.title}",
                                           ["No.", "We will", "Final status", "Evidence (last return)", "Who"], rows))
        modelled = any(o.modelled for o in self.outcomes.values())
        note = ("<p>Demonstration returns (modelled), written for this example: not real returns.</p>"
                if modelled else "")
        return HTML(note + "".join(parts))

    def register_source(self) -> Markdown:
        return paraphrase_note(self.plan.source, self.dataset.sources)


@dataclass
class ReviewChapter(MeasureSections):
    review: Review
    priority: Priority

    @property
    def dataset(self) -> Dataset:
        return self.review.dataset

    @property
    def plan(self) -> Plan:
        return self.review.plan

    @property
    def last_quarter(self) -> Quarter:
        return self.review.end_quarter

    @property
    def figure_prefix(self) -> str:
        return slug("closure", self.plan.id, self.priority.slug)

    def series(self, measure: Measure):
        """Every month of the measure up to the end of the review's end year, nothing later."""
        return self.dataset.monthly(measure.id, self.review.end_quarter.end)

    def window(self, measure: Measure):
        """The monthly series from the baseline year to the end year."""
        return self.review.window(measure.id)

    def comparison(self, measure: Measure):
        """Baseline year against end year, tested together with the review's other measures."""
        return self.review.comparison(measure.id)

    def introduction(self) -> Markdown:
        plan = self.review.plan
        return Markdown(
            f"*{escape_markdown(plan.title)}, {escape_markdown(self.dataset.force.name)}: closure review, "
            f"{self.review.years}; data to "
            f"{month_label(self.review.end_quarter.end)}.*\n\n"
            f"**Objective.** {escape_markdown(self.priority.objective)}\n\n"
            f"This chapter looks back on {plural(len(self.priority.measures), 'measure')} and "
            f"{plural(len(self.priority.commitments), 'commitment')}. " + self.review.page_note())

    def key_figures(self) -> Markdown:
        rows = [YEAR_COLUMNS]
        rows += [_year_row(self.dataset.measures[m], self.review.comparison(m)) for m in self.priority.measures]
        note = f"{_years_note(self.review)} {_untested_note(self.review, self.priority.measures)}".strip()
        targets = targets_section(priority_assessments(self.dataset, self.plan, self.priority, self.review.end_quarter),
                                  self.dataset.sources)
        if targets:
            targets = (f"\n\n**Targets at the end of {escape_markdown(self.review.end_quarter.label)}.** Each judged "
                       "against the straight path from its baseline (see *Methods and caveats*).\n\n" + targets)
        return Markdown(markdown_table(rows) + "\n\n" + escape_markdown(note) + targets)

    def trends(self) -> Markdown:
        """Mann-Kendall with Sen's slope on the years, and the count regression on the months,
        for every count of events; the fitted chart for those the catalogue marks."""
        rows = [["Measure", "Years", "Mann-Kendall", "Sen's slope a year",
                 "Regression: change over the period (95% interval)", "Trend shape", "Data"]]
        blocks = []
        for measure_id, window, result in self._trend_results():
            measure = self.dataset.measures[measure_id]
            if isinstance(result, NotEnoughHistory):
                blocks.append(f"**{escape_markdown(measure.label)}**\n\nNot tested: {escape_markdown(result)}.")
                continue
            test, change = result.mann_kendall, result.model.overall
            modelled = bool((window["status"] == "modelled").any())
            rows.append([measure.label, f"{result.years[0]} to {result.years[-1]}",
                         f"{trend_cell(result)} ({p_value(test.p)})", f"{test.slope:+,.1f}",
                         f"{signed_percent(100 * (change.ratio - 1))} ({signed_percent(100 * (change.lower - 1))} to "
                         f"{signed_percent(100 * (change.upper - 1))}), {p_value(change.p_value)}", result.model.shape,
                         "modelled" if modelled else "published"])
            figure = ""
            if measure.trend_test:
                chart = trend_model_chart(measure, result, window)
                figure = self.figure(chart)
            blocks.append(measure_block(measure.label, figure, [trend_lead(measure, result, "review")],
                                        modelled_share(window))
                          + "\n\n" + trend_detail(measure, result, trend_series_note(measure, self.review.tested(measure)), "review"))
        if len(rows) == 1 and not blocks:
            return Markdown("This priority has no counts of events to test for a trend.")
        table = markdown_table(rows) if len(rows) > 1 else ""
        return Markdown(table + "\n\n" + "\n\n---\n\n".join(blocks))

    def delivery(self) -> HTML:
        """Committed against delivered: final statuses and when each was last reported."""
        ids = [c.id for c in self.priority.commitments]
        counts = self.review.count_outcomes(ids)
        rows = []
        for item in self.priority.commitments:
            outcome = self.review.outcomes[item.id]
            when = outcome.quarter.label if outcome.received else "never"
            rows.append(f'<tr><th scope="row">{escape_html(item.id)}</th><td>{escape_html(item.text)}</td>'
                        f'<td>{escape_html(self.plan.stage_label(item.stage))}</td><td>{status_badge(outcome.status)}</td>'
                        f'<td>{escape_html(when)}</td></tr>')
        table = commitments_table("Final status of each commitment: the last status its owning unit reported. "
                                  "The evidence is in the appendix register.",
                                  ["No.", "We will", "Stage", "Final status", "Last update"], rows)
        summary = (f"<p><strong>{len(ids)} commitments:</strong> "
                   f"{escape_html(status_summary(counts))}.</p>")
        return HTML(summary + table)

    def _trend_results(self):
        for measure_id in self.priority.measures:
            if measure_id in self.review.trend_results:
                measure = self.dataset.measures[measure_id]
                yield measure_id, self.review.window(self.review.tested(measure).id), self.review.trend_results[measure_id]


def _headline(measure: Measure, comparison) -> Raw:
    """A summary line in the style of a closure report, with a whole-number percentage and the
    verdict in a few words: "Anti-social behaviour: 52,732 in 2015/16 to 30,674 in 2021/22, down
    42%: more than usual variation would explain." The interval and test are in the table."""
    current, baseline = comparison.current, comparison.baseline
    if not comparison.complete:
        return say("measure", "headline", label=measure.label, years="", change="", verdict="")
    years = (f"{in_units(measure, baseline.amount)} in {fy_label(baseline.start.year)} to "
             f"{in_units(measure, current.amount)} in {fy_label(current.start.year)}")
    if comparison.break_between:
        change = f"{NOT_COMPARABLE} ({comparison.break_between})"
    elif comparison.difference == 0:
        change = "no change"
    elif measure.behaviour.in_points:
        change = f"{comparison.direction} {points(comparison.difference)}"
    elif not percent_allowed(baseline.amount):
        change = f"{comparison.direction} {number(abs(comparison.difference))}"
    else:
        size = abs(comparison.percent)
        change = f"{comparison.direction} {size:.0f}%" if size >= 1 else f"{comparison.direction} {size:.1f}%"
    return say("measure", "headline", label=measure.label, years=years, change=change, verdict=verdict(comparison),
               variation=variation_name(measure))


YEAR_COLUMNS = ["Measure", "Baseline", "End year", "Change", "Change (%)", "95% interval", "Test", "Data"]


def _year_row(measure, comparison) -> list[str]:
    now, then, *rest = comparison_cells(measure, comparison)
    baseline = f"{then} ({fy_label(comparison.baseline.start.year)})" if comparison.baseline.amount is not None else then
    return [measure.label, baseline, now, *rest]


def _years_note(review: Review) -> str:
    return (f"The end year is {fy_label(review.plan.end_year)}; the baseline is {fy_label(review.plan.baseline_year)}, "
            "or a measure's first complete year where it began later (shown in brackets). Counts are totals for the "
            "financial year, headcounts are at its end (31 March), survey results its average. Changes are recomputed "
            "from the figures, with no percentage on a base under 50. Each count is tested against its own usual "
            "variation, measured on its monthly series, and a change is called significant only when its 95% "
            "interval excludes no change and it survives false discovery rate control across the review's "
            "comparisons.")


def _untested_note(review: Review, measure_ids) -> str:
    """Why no test applies, once per reason, naming the measures."""
    reasons: dict[str, list[str]] = {}
    for measure_id in measure_ids:
        test = review.comparison(measure_id).test
        if not test.tested:
            reasons.setdefault(test.reason, []).append(review.dataset.measures[measure_id].label)
    return " ".join(f"No test applies to {', '.join(labels)}: {reason}." for reason, labels in reasons.items())


def _money(value: float, unit: str) -> str:
    """As published: £330.3m, £327.589m, 4.98%."""
    if unit == "%":
        return f"{value:g}%"
    return f"£{value:,.1f}m" if round(value, 1) == value else f"£{value:,.3f}m"


def _finance_check(year_rows, year: int) -> str:
    """Funding less spending against the stated surplus, and the grant share in pounds."""
    items = dict(zip(year_rows["item"], year_rows["value"]))
    notes = []
    if {"funding", "net_revenue_expenditure"} <= set(items):
        computed = items["funding"] - items["net_revenue_expenditure"]
        notes.append(f"In {fy_label(year)}, funding of £{items['funding']:,.1f}m less net revenue expenditure of "
                     f"£{items['net_revenue_expenditure']:,.3f}m leaves £{computed:,.3f}m"
                     + (f", which agrees with the stated surplus of £{items['surplus']:,.1f}m." if "surplus" in items
                        else "."))
    if {"funding", "home_office_grant_share"} <= set(items):
        grant = items["funding"] * items["home_office_grant_share"] / 100
        notes.append(f"The Home Office core grant, {items['home_office_grant_share']:g}% of funding, was about "
                     f"£{grant:,.1f}m in {fy_label(year)} (derived: share times total funding).")
    return " ".join(notes)
