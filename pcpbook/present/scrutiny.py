"""What a strategy's scrutiny paper shows, as Markdown built from the data and the quarter's
strand returns, in the shape of the force's papers to the commissioner's scrutiny programme:
a cover table, then numbered sections (purpose, recommendations, executive summary, background,
current work and performance with the delivery-plan table and a part per strand, implications,
risks and mitigation, consultation, future work). Every text from the strategy or the returns
passes the rendering gate; every number is computed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from IPython.display import Markdown

from pcpbook.analysis.comparisons import ROLLING_12_MONTHS, compare, with_false_discovery_control
from pcpbook.contracts import settings, strand_returns
from pcpbook.contracts.dataset import Dataset, load
from pcpbook.contracts.strategy import Strand, Strategy, find_strategy
from pcpbook.core.outputs import slug
from pcpbook.core.periods import Quarter, add_months
from pcpbook.core.render import escape_inline, escape_markdown, facts_table, markdown_table
from pcpbook.present.citing import BookSources, documents_in, linked
from pcpbook.present.figures import monthly_bars
from pcpbook.present.narrative import interval_cell, sentence, test_cell
from pcpbook.present.sections import measure_block, modelled_share, save_figure
from pcpbook.present.wording import number, plural

STATUS_WORDS = {"complete": "Complete", "ongoing": "Ongoing", "at risk": "At risk"}


@dataclass
class Paper:
    dataset: Dataset
    strategy: Strategy
    quarter: Quarter
    returns: strand_returns.PaperReturns
    version: str
    produced: dt.date

    # ------------------------------------------------------------------ cover and opening sections

    def cover(self) -> Markdown:
        c = self.returns.cover
        rows = [("Title of report", f"{self.strategy.title}: report for {self.quarter.label}"),
                ("Classification of paper", c.get("classification", "")), ("Agenda number", c.get("agenda number", "")),
                ("Chief officer", self.strategy.chief_officer), ("Date paper was written", _date(c.get("written"))),
                ("Version number", c.get("version", self.version)), ("Report from", self.strategy.report_from),
                ("Date of meeting", _date(c.get("meeting"))), ("Author on behalf of chief officer", c.get("author", "")),
                ("Date of approval", _date(c.get("approved")))]
        note = ""
        if self.returns.modelled or self.strategy.delivery_plan_modelled:
            note = ("\n\n*Demonstration paper (modelled):* the delivery plan and the strand returns are written "
                    "for this example and are not the force's own.")
        return Markdown(facts_table(rows) + note)

    def purpose(self) -> Markdown:
        return Markdown(escape_markdown(
            f"This paper reports progress on the {self.strategy.title} for {self.quarter.label} "
            f"({self.quarter.month_span}): the insight figures of each thematic strand, what each strand delivered "
            "this quarter and plans for the next, and where the delivery plan stands."))

    def recommendations(self) -> Markdown:
        return Markdown("No recommendations: the paper is for information and scrutiny.")

    def executive_summary(self) -> Markdown:
        counts, strands = self.returns.counts(), self.strategy.strands
        total = sum(counts.values())
        lines = [f"The strategy works through {plural(len(strands), 'thematic strand')}, each with a lead responsible "
                 f"for its delivery plan. Of its {number(total)} actions, {number(counts.get('complete', 0))} are "
                 f"complete, {number(counts.get('ongoing', 0))} ongoing and {number(counts.get('at risk', 0))} at risk."]
        at_risk = self.returns.at_risk()
        if at_risk:
            named = "; ".join(f"{self.strategy.strand(s).name} ({action}): {risk['risk']}" for s, action, risk in at_risk)
            lines.append(f"{plural(len(at_risk), 'action is', 'actions are')} at risk: {named} Section 6.2 gives the "
                         "mitigation.")
        else:
            lines.append("No action is at risk.")
        moves = [i for i in self.insights if i.test.significant]
        lines.append(f"Of the {plural(len(self.insights), 'insight figure')}, {len(moves)} changed by more than "
                     "usual variation over the last 12 months." if self.insights else "")
        return Markdown("\n\n".join(escape_markdown(line) for line in lines if line))

    def background(self) -> Markdown:
        return Markdown(
            escape_markdown(f"The strategy runs from {self.strategy.first_quarter.label} to "
                            f"{self.strategy.last_quarter.label} (")
            + linked(self.strategy.source, self.dataset.sources)
            + escape_inline("). Each strand reports its insights (the 12 months to the end of the quarter, or to the "
                            "month the strand names, against the 12 months before), the delivery achieved this "
                            "quarter and the delivery scheduled for the next."))

    def sources(self) -> BookSources:
        """What the paper draws on: the strategy's document and the figures to the quarter's end."""
        uses = {key: ["the strategy and its delivery plan"]
                for key in documents_in(self.strategy.source, self.dataset.sources)}
        measures = tuple(m for strand in self.strategy.strands for m in strand.insights)
        return BookSources(self.dataset, self.quarter.end, "paper", measures, uses)

    # ------------------------------------------------------------------ current work and performance

    def delivery_table(self) -> Markdown:
        """Strand | total | complete | ongoing | at risk, with the total row."""
        rows = [["Strand", "Total", "Complete", "Ongoing", "At risk"]]
        for strand in self.strategy.strands:
            counts = self.returns.strands[strand.id].counts()
            rows.append([strand.name, number(sum(counts.values())),
                         *[number(counts.get(status, 0)) for status in strand_returns.STATUSES]])
        total = self.returns.counts()
        rows.append(["All strands", number(sum(total.values())),
                     *[number(total.get(status, 0)) for status in strand_returns.STATUSES]])
        return Markdown(markdown_table(rows))

    def strands(self) -> list[Strand]:
        return list(self.strategy.strands)

    def strand_section(self, number_: int, strand: Strand) -> Markdown:
        """A strand's part: its lead and aim, its insights (table, chart, sentences) and its
        delivery lists."""
        given = self.returns.strands[strand.id]
        parts = [f"### 5.{number_} {escape_markdown(strand.name)}",
                 escape_markdown(f"Thematic lead: {strand.lead}. Aim: {strand.aim}")]
        insights = [i for i in self.insights if i.strand == strand.id]
        if insights:
            parts.append("**Insights**")
            parts.append(_insight_table(insights))
            for insight in insights:
                series = self.dataset.monthly(insight.measure.id, insight.comparison.current.end)
                chart = monthly_bars(insight.measure, series, insight.comparison.current.end)
                parts.append(measure_block(insight.measure.label, save_figure(chart, slug(self.strategy.id, strand.id)),
                                           [sentence(insight.measure, insight.comparison, book="paper")],
                                           modelled_share(series)))
        parts += ["**Delivery achieved this quarter**", _bullets(given.achieved),
                  "**Delivery scheduled for next quarter**", _bullets(given.scheduled)]
        return Markdown("\n\n".join(parts))

    @cached_property
    def insights(self) -> list["Insight"]:
        """Every insight of the paper, its tests controlled together (false discovery rate)."""
        found = []
        for strand in self.strategy.strands:
            start = add_months(_window_end(self.quarter, strand.months_to), -11)
            for measure_id in strand.insights:
                found.append((strand.id, measure_id, compare(self.dataset, measure_id, start, add_months(start, -12),
                                                             12, ROLLING_12_MONTHS)))
        controlled = with_false_discovery_control({f"{s}/{m}": [c] for s, m, c in found})
        return [Insight(s, self.dataset.measures[m], controlled[f"{s}/{m}"][0]) for s, m, _ in found]

    # ------------------------------------------------------------------ closing sections

    def implications(self) -> Markdown:
        lines = []
        for strand in self.strategy.strands:
            served = [f"{self.dataset.plans[p].title}, priority {n}: {self.dataset.plans[p].priority(n).title}"
                      for p, n in strand.priorities]
            lines.append(f"- {escape_markdown(strand.name)}: {escape_markdown('; '.join(served) or 'no plan priority')}")
        return Markdown("The strands serve these priorities of the Police and Crime Plan:\n\n" + "\n".join(lines))

    def risks(self) -> Markdown:
        at_risk = self.returns.at_risk()
        if not at_risk:
            return Markdown("No action of the delivery plan is at risk this quarter.")
        blocks = []
        for strand_id, action_id, risk in at_risk:
            action = next(a for a in self.strategy.actions if a.id == action_id)
            blocks.append(escape_markdown(f"{self.strategy.strand(strand_id).name}, action {action_id} "
                                          f"({action.text} Owner: {action.owner}).")
                          + "\n\n- " + escape_markdown(f"Risk: {risk['risk']}")
                          + "\n- " + escape_markdown(f"Mitigation: {risk['mitigation']}"))
        return Markdown("\n\n".join(blocks))

    def consultation(self) -> Markdown:
        lines = [f"- {escape_markdown(s.name)}: {escape_markdown(s.lead)}" for s in self.strategy.strands]
        return Markdown("Every strand's lead contributed its return:\n\n" + "\n".join(lines))

    def future_work(self) -> Markdown:
        ends = self.strategy.last_quarter
        tail = ("This is the strategy's last quarter." if self.quarter == ends else
                f"The strategy runs to {ends.label}; each strand's scheduled delivery is in section 5.")
        return Markdown(escape_markdown(tail))


@dataclass(frozen=True)
class Insight:
    strand: str
    measure: object
    comparison: object

    @property
    def test(self):
        return self.comparison.test


def open_paper(strategy_id: str, quarter: str | None = None, data_dir: str | None = None, version: str = "1.0",
               produced: str | None = None) -> Paper:
    """The paper for ``quarter`` (None: the latest quarter with returns): the strategy,
    checked, and its returns, checked."""
    dataset = load(settings.notebook_data_folder(data_dir))
    strategy = find_strategy(dataset, strategy_id)
    resolved = Quarter.parse(quarter) if quarter else strand_returns.latest_quarter(dataset.root, strategy)
    returns = strand_returns.load(dataset.root, strategy, resolved)
    produced_on = dt.date.fromisoformat(produced) if produced else dt.date.today()
    return Paper(dataset, strategy, resolved, returns, version, produced_on)


def _window_end(quarter: Quarter, month: int | None) -> dt.date:
    """The first day of the last month of the 12 compared: the quarter's last, or the latest
    ``month`` (a calendar month number) up to it."""
    last = add_months(quarter.start, 2)
    if month is None:
        return last
    while last.month != month:
        last = add_months(last, -1)
    return last


def _insight_table(insights: list[Insight]) -> str:
    first = insights[0].comparison
    rows = [["Measure", f"12 months ending {first.baseline.end:%b %y}", f"12 months ending {first.current.end:%b %y}",
             "Diff.", "% Diff.", "95% interval", "Test", "Data"]]
    for insight in insights:
        c = insight.comparison
        if not c.complete:
            rows.append([insight.measure.label, *["–"] * 6, "no data"])
            continue
        diff = c.current.amount - c.baseline.amount
        rows.append([insight.measure.label, number(c.baseline.amount), number(c.current.amount), f"{diff:+,.0f}",
                     f"{100 * diff / c.baseline.amount:+.1f}%", interval_cell(c), test_cell(c.test), c.status])
    return markdown_table(rows)


def _bullets(items: list[str]) -> str:
    if not items:
        return escape_markdown("None given this quarter.")
    return "\n".join(f"- {escape_markdown(item)}" for item in items)


def _date(text: str | None) -> str:
    return dt.date.fromisoformat(text).strftime("%d %B %Y") if text else ""
