"""What changed since the last edition, as a scrutiny panel asks first: measures whose
direction or significance verdict changed, the largest moves between the two editions'
12-month figures, commitments whose status changed, targets whose verdict changed, and the
published figures new in this edition. Everything is computed from the two editions' data
(each edition's comparisons tested across its own edition, as its chapters were)."""

from __future__ import annotations

from dataclasses import dataclass

from IPython.display import Markdown

from pcpbook.analysis.comparisons import ROLLING_12_MONTHS, Comparison, edition_comparisons, recording_change_between
from pcpbook.contracts import commentary
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure, Plan
from pcpbook.core.periods import Quarter, add_months, month_label
from pcpbook.core.render import escape_markdown, markdown_table
from pcpbook.present.citing import linked
from pcpbook.present.targeting import plan_assessments
from pcpbook.present.wording import number, percent_allowed, plural

LARGEST_MOVES = 5
COMPARISON_NAMES = {"same_quarter_last_year": "quarter against the same quarter a year before",
                    "last_quarter": "quarter against the one before",
                    "rolling_12_months": "12 months against the 12 before"}


@dataclass(frozen=True)
class Editions:
    """The edition shown and the one it is compared with: the last published edition of the plan
    (``compared_with``, which the build gives), else the quarter before (None for a plan's first)."""

    dataset: Dataset
    plan: Plan
    quarter: Quarter
    compared_with: str = ""

    @property
    def previous(self) -> Quarter | None:
        return Quarter.parse(self.compared_with) if self.compared_with else self.plan.edition_before(self.quarter)


def introduction(editions: Editions) -> Markdown:
    if editions.previous is None:
        return Markdown(escape_markdown(f"{editions.quarter.label} is the first edition of the {editions.plan.title}: "
                                        "there is no earlier edition of this plan to compare with."))
    which = ("the last edition published" if editions.compared_with
             else "the quarter before, whose edition is not published on this site")
    return Markdown(escape_markdown(
        f"This edition ({editions.quarter.label}, data to {month_label(editions.quarter.end)}) against {which} "
        f"({editions.previous.label}, data to {month_label(editions.previous.end)}), both computed from the data "
        "as they stand now. What changed between versions of this edition is listed on its build page."))


def verdict_words(comparison: Comparison) -> str:
    """A comparison's direction and verdict in a few words: "down, significant"."""
    if not comparison.complete:
        return "no figure"
    if comparison.break_between:
        return "not comparable"
    test = comparison.test
    said = "significant" if test.significant else "not tested" if not test.tested else "not significant"
    return f"{comparison.direction}, {said}"


def verdict_changes(editions: Editions) -> Markdown | None:
    """Every comparison whose direction or significance differs between the two editions."""
    if editions.previous is None:
        return None
    ids = editions.plan.measure_ids
    now = edition_comparisons(editions.dataset, ids, editions.quarter)
    before = edition_comparisons(editions.dataset, ids, editions.previous)
    rows = [["Measure", "Comparison", editions.previous.label, editions.quarter.label]]
    for measure_id in ids:
        for current, earlier in zip(now[measure_id], before[measure_id]):
            if current.kind == earlier.kind and verdict_words(current) != verdict_words(earlier):
                rows.append([editions.dataset.measures[measure_id].label, COMPARISON_NAMES.get(current.kind, current.kind),
                             verdict_words(earlier), verdict_words(current)])
    if len(rows) == 1:
        return Markdown("No measure's direction or significance verdict changed.")
    return Markdown(escape_markdown(f"{plural(len(rows) - 1, 'comparison')} changed direction or verdict. "
                                    "Significance is after each edition's false discovery rate control.")
                    + "\n\n" + markdown_table(rows))


def largest_moves(editions: Editions) -> Markdown | None:
    """The counts whose 12-month total moved most between the two editions (a base of 50 or more)."""
    if editions.previous is None:
        return None
    moves = []
    for measure_id in editions.plan.measure_ids:
        measure = editions.dataset.measures[measure_id]
        if not measure.behaviour.adds_up:
            continue
        current, earlier = (_rolling(editions, measure, q) for q in (editions.quarter, editions.previous))
        windows = [(add_months(q.start, -9), q.end) for q in (editions.previous, editions.quarter)]
        if recording_change_between(measure, *windows):
            continue  # counted differently in the two windows: no move to rank
        if current is not None and earlier is not None and percent_allowed(earlier):
            moves.append((abs(current - earlier) / earlier, measure, earlier, current))
    moves.sort(key=lambda move: (-move[0], move[1].label))
    rows = [["Measure", f"12 months to {month_label(editions.previous.end)}",
             f"12 months to {month_label(editions.quarter.end)}", "Change", "Change (%)"]]
    for _, measure, earlier, current in moves[:LARGEST_MOVES]:
        rows.append([measure.label, number(earlier), number(current), f"{current - earlier:+,.0f}",
                     f"{100 * (current - earlier) / earlier:+.1f}%"])
    if len(rows) == 1:
        return Markdown("No count has 12-month totals for both editions.")
    return Markdown(escape_markdown("The 12-month totals overlap by nine months, so these moves are not tested: the "
                                    "chapters' comparisons carry the verdicts.") + "\n\n" + markdown_table(rows))


def _rolling(editions: Editions, measure: Measure, quarter: Quarter) -> float | None:
    """The measure's 12-month total to the quarter's end, as that edition's comparisons have it."""
    comparisons = edition_comparisons(editions.dataset, editions.plan.measure_ids, quarter)[measure.id]
    return next((c.current.amount for c in comparisons if c.kind == ROLLING_12_MONTHS), None)


def status_changes(editions: Editions) -> Markdown | None:
    """Every commitment whose status in the returns differs from the last edition's, with
    counts of the newly complete, the newly at risk and those with no update this time."""
    if editions.previous is None:
        return None
    folder = editions.dataset.root / "commentary"
    now = commentary.load(folder, editions.plan, editions.quarter).entries
    before = commentary.load(folder, editions.plan, editions.previous).entries
    rows = [["Commitment", "Priority", editions.previous.label, editions.quarter.label]]
    changed = []
    for priority in editions.plan.priorities:
        for item in priority.commitments:
            earlier, current = before[item.id].status, now[item.id].status
            if earlier != current:
                changed.append(current)
                rows.append([f"{item.id} {item.text}", f"{priority.number}. {priority.title}", earlier, current])
    if not changed:
        return Markdown("No commitment's status changed.")
    summary = [f"{changed.count(status)} {words}" for status, words in  # every status, so the counts add up
               (("complete", "newly complete"), ("on track", "now on track"), ("at risk", "newly at risk"),
                ("not started", "not started"), (commentary.NO_UPDATE, "with no update"))
               if changed.count(status)]
    text = f"{plural(len(changed), 'commitment')} changed status" + (f" ({', '.join(summary)})" if summary else "") + "."
    return Markdown(escape_markdown(text) + "\n\n" + markdown_table(rows))


def target_changes(editions: Editions) -> Markdown | None:
    """Targets whose verdict differs between the two editions."""
    if editions.previous is None:
        return None
    now = plan_assessments(editions.dataset, editions.plan, editions.quarter)
    before = plan_assessments(editions.dataset, editions.plan, editions.previous)
    if not now and not before:
        return None
    rows = [["Commitment", "Measure", editions.previous.label, editions.quarter.label]]
    earlier_by_target = {(a.set_by, a.commitment.id): a for a in before}
    for current in now:
        earlier = earlier_by_target.get((current.set_by, current.commitment.id))
        words = [a.judgement.verdict if a is not None and a.judgement else "not judged" for a in (earlier, current)]
        if words[0] != words[1]:
            rows.append([current.commitment_label, current.measure.label, *words])
    return Markdown("No target's verdict changed." if len(rows) == 1 else markdown_table(rows))


def new_published_figures(editions: Editions) -> Markdown | None:
    """Published figures this edition is the first to see (their period starts after the last
    edition's data end), with their sources."""
    if editions.previous is None:
        return None
    frame = editions.dataset.observations
    new = frame[(frame["status"] == "published") & (frame["geography"] == editions.dataset.force.short_name)
                & (frame["period_start"] > editions.previous.end) & (frame["period_start"] <= editions.quarter.end)]
    if new.empty:
        return Markdown("No published figure is new in this edition.")
    rows = [["Measure", "Period", "Starting", "Value", "Source"]]
    for row in new.sort_values(["measure", "period_start"]).itertuples():
        rows.append([editions.dataset.measures[row.measure].label, row.period, f"{row.period_start:%-d %b %Y}",
                     number(row.value), linked(row.source, editions.dataset.sources)])
    return Markdown(markdown_table(rows))


def revised_figures(editions: Editions, revised: list[str], since: str) -> Markdown | None:
    """The measures whose values for periods the last edition covered changed after it was
    published (the build compares its record with the data: ``revised``, ``since``)."""
    if editions.previous is None:
        return None
    if not since:
        return Markdown(escape_markdown(f"{editions.previous.label} had not been published before this edition was "
                                        "made, so nothing it showed can have been revised since."))
    if not revised:
        return Markdown(escape_markdown(f"No value that {since} showed has changed since it was published."))
    labels = [editions.dataset.measure_label(m) for m in revised]
    return Markdown(escape_markdown(
        f"Since {since} was published, values it showed have been revised for {plural(len(labels), 'measure')}: "
        f"{', '.join(labels)}. This edition uses the revised values, and so does {editions.previous.label} "
        "when it is republished (its build page lists the change)."))
