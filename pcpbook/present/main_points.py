"""An edition's main points: at most six plain sentences, each with its figure and a link to
where the book shows it, ranked by what matters most this quarter:

1. changes on the same quarter last year that are larger than the measure's usual variation
   (after the edition's false discovery rate control), strongest evidence first, one per
   priority, at most three; or, when there is none, a sentence saying so;
2. targets missed or off course (missed first), at most two;
3. where the plan's commitments stand.

The words are ``templates/sentences/main-points.j2``; this module chooses and orders.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from pcpbook.analysis.comparisons import BASELINE_YEAR, SAME_QUARTER_LAST_YEAR, Comparison, edition_comparisons
from pcpbook.contracts import commentary
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Measure, Plan, Priority
from pcpbook.core.periods import Quarter, fy_label
from pcpbook.core.render import Raw
from pcpbook.present.phrasing import say
from pcpbook.present.plain import lockdown_share
from pcpbook.present.targeting import Assessment, plan_assessments, priority_of
from pcpbook.present.wording import in_units, number, percent, points, variation_name
from pcpbook.stats.targets import MISSED, OFF_COURSE

MOST_POINTS = 6
MOST_CHANGES = 3
MOST_TARGETS = 2
HEADLINES = Raw("#headline-figures")  # links are made here from safe ids, so printed as they are
COMMITMENTS = Raw("#progress-on-commitments")
REVIEW_MEASURES = Raw("#every-measure-baseline-year-against-end-year")
REVIEW_DELIVERY = Raw("#what-was-committed-and-what-was-delivered")


@dataclass(frozen=True)
class Change:
    """A change larger than usual variation, and the priority whose chapter shows it."""

    priority: Priority
    measure: Measure
    comparison: Comparison

    @property
    def strength(self) -> tuple[float, float]:
        """Smaller q-value first; between equals, the larger change."""
        test = self.comparison.test
        size = abs(math.log(test.estimate)) if test.scale == "ratio" else abs(test.estimate)
        return (test.q_value if test.q_value is not None else test.p_value, -size)


def main_points(dataset: Dataset, plan: Plan, quarter: Quarter, returns: commentary.Returns) -> list[Raw]:
    """The edition's main points, in order (see the module's docstring)."""
    changes = significant_changes(dataset, plan, quarter)
    said = [_change(change, plan) for change in changes[:MOST_CHANGES]]
    if not changes:
        said.append(say("main-points", "no_change", count=tested_on_last_year(dataset, plan, quarter), link=HEADLINES))
    said += [_target(a, plan) for a in targets_at_risk(dataset, plan, quarter)[:MOST_TARGETS]]
    said.append(_commitments(returns))
    return said[:MOST_POINTS]


def review_main_points(dataset: Dataset, plan: Plan, comparisons: dict[str, Comparison],
                       outcomes: Counter) -> list[Raw]:
    """A closure review's main points: its strongest changes from the baseline year to the end
    year (as an edition's, one per priority, at most three), the targets missed or off course
    at the end of the plan, and what became of the commitments (``outcomes``: final statuses)."""
    changes = strongest_per_priority(dataset, plan, {m: [c] for m, c in comparisons.items()}, BASELINE_YEAR)
    said = [_change(change, plan, review_link, over_years=True) for change in changes[:MOST_CHANGES]]
    if not changes:
        tested = sum(1 for comparison in comparisons.values() if comparison.test.tested)
        said.append(say("main-points", "review_no_change", count=tested, link=REVIEW_MEASURES))
    end = Quarter(plan.end_year, 4)
    said += [_target(a, plan, review_link) for a in targets_at_risk(dataset, plan, end)[:MOST_TARGETS]]
    said.append(say("main-points", "review_commitments", total=number(sum(outcomes.values())),
                    **_statuses(outcomes), link=REVIEW_DELIVERY))
    return said[:MOST_POINTS]


def significant_changes(dataset: Dataset, plan: Plan, quarter: Quarter) -> list[Change]:
    """Each priority's strongest change on the same quarter last year that its test calls
    significant, strongest first."""
    return strongest_per_priority(dataset, plan, edition_comparisons(dataset, plan.measure_ids, quarter),
                                  SAME_QUARTER_LAST_YEAR)


def strongest_per_priority(dataset: Dataset, plan: Plan, comparisons: dict[str, list[Comparison]],
                           kind: str) -> list[Change]:
    """Each priority's strongest comparison of ``kind`` that its test calls significant,
    strongest first."""
    best: dict[int, Change] = {}
    for priority in plan.priorities:
        for measure_id in priority.measures:
            for comparison in comparisons.get(measure_id, []):
                if comparison.kind == kind and comparison.test.significant:
                    change = Change(priority, dataset.measures[measure_id], comparison)
                    if priority.number not in best or change.strength < best[priority.number].strength:
                        best[priority.number] = change
    return sorted(best.values(), key=lambda change: change.strength)


def tested_on_last_year(dataset: Dataset, plan: Plan, quarter: Quarter) -> int:
    """How many of the plan's measures have a tested comparison with the same quarter last year."""
    comparisons = edition_comparisons(dataset, plan.measure_ids, quarter)
    return sum(1 for each in comparisons.values() for comparison in each
               if comparison.kind == SAME_QUARTER_LAST_YEAR and comparison.test.tested)


def targets_at_risk(dataset: Dataset, plan: Plan, quarter: Quarter) -> list[Assessment]:
    """The plan's targets judged missed, then those off course, in the plan's order."""
    judged = [a for a in plan_assessments(dataset, plan, quarter) if a.judgement is not None]
    return ([a for a in judged if a.judgement.verdict == MISSED]
            + [a for a in judged if a.judgement.verdict == OFF_COURSE])


def _change(change: Change, plan: Plan, link=None, over_years: bool = False) -> Raw:
    """The change in one sentence; ``over_years``: named by its financial years (a review's)."""
    measure, comparison = change.measure, change.comparison
    size = points(comparison.difference) if measure.behaviour.in_points else percent(abs(comparison.percent))
    years = dict(first=fy_label(comparison.baseline.start.year), last=fy_label(comparison.current.start.year))
    return say("main-points", "change", label=measure.label, moved="rose" if comparison.difference > 0 else "fell",
               size=size, now=in_units(measure, comparison.current.amount),
               then=in_units(measure, comparison.baseline.amount), period=f"Priority {change.priority.number}",
               link=(link or _chapter)(plan, change.priority),
               variation=variation_name(measure),
               lockdown=lockdown_share(measure, comparison), **(years if over_years else {}))


def _target(assessment: Assessment, plan: Plan, link=None) -> Raw:
    judgement, measure = assessment.judgement, assessment.measure
    priority = priority_of(plan, assessment)
    return say("main-points", "target", label=measure.label, verdict=judgement.verdict,
               now=in_units(measure, judgement.value), aim=in_units(measure, judgement.target),
               by=f"{judgement.by:%-d %B %Y}", period=f"Priority {priority.number}",
               link=(link or _chapter)(plan, priority))


def _commitments(returns: commentary.Returns) -> Raw:
    counts = returns.counts()
    return say("main-points", "commitments", total=number(sum(counts.values())), **_statuses(counts),
               link=COMMITMENTS)


def _statuses(counts: Counter) -> dict:
    """How many commitments have each status, written; "not started" as a number (said only when some are)."""
    return dict(complete=number(counts.get("complete", 0)), on_track=number(counts.get("on track", 0)),
                at_risk=number(counts.get("at risk", 0)), not_started=counts.get("not started", 0),
                no_update=number(counts.get(commentary.NO_UPDATE, 0)))



def _chapter(plan: Plan, priority: Priority) -> Raw:
    """The priority's chapter, from the intro (pages.edition_pages: chapters/<plan>/<slug>)."""
    return Raw(f"{plan.id}/{priority.slug}.ipynb")


def review_link(plan: Plan, priority: Priority) -> Raw:
    """The priority's chapter of a closure review, from its summary page, which sits beside it."""
    return Raw(f"{priority.slug}.ipynb")
