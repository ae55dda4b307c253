"""Targets written into a plan's commitments, as the book shows them: each judged against the
data at the quarter's end, in a sentence and a table row that show the arithmetic, and the
path to the target drawn on the measure's chart. ``stats.targets`` judges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from pcpbook.analysis import peers
from pcpbook.analysis.comparisons import ROLLING_12_MONTHS, edition_comparisons
from pcpbook.analysis.once import once
from pcpbook.contracts.citations import cite
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Commitment, Measure, Plan, Priority, Target, weakest
from pcpbook.core.periods import Quarter, add_months, fy_label, month_end, month_label
from pcpbook.core.render import Raw, escape_markdown, markdown_table
from pcpbook.present.citing import linked
from pcpbook.present.figures import DERIVED, chart_data
from pcpbook.present.wording import number, ordinal
from pcpbook.stats.change_tests import alike_months_factor
from pcpbook.stats.targets import MET, MISSED, OFF_COURSE, Judgement, count_interval, judge, path_value, target_level

PATH_LABEL = "Path to target"
PATH_SOURCE = "pcpbook target path"


@dataclass(frozen=True)
class Assessment:
    """A commitment's target judged at a quarter's end, or the reason it cannot be."""

    commitment: Commitment
    target: Target
    measure: Measure
    judgement: Judgement | None = None
    reason: str = ""
    status: str | None = None  # the weakest status of the values judged (modelled when either is)
    position: tuple[int, int, str] | None = None  # a rank target's position, group size and window
    set_by: str = ""  # the earlier plan whose commitment set it, when it runs on past that plan

    @property
    def commitment_label(self) -> str:
        """"7.1", or "7.1 of the Police and Crime Plan 2016-2021" for a target an earlier plan set."""
        return f"{self.commitment.id} of the {self.set_by}" if self.set_by else self.commitment.id

    @property
    def since(self) -> dt.date | None:
        """The path's start: the baseline's date, or the end of its financial year."""
        if self.target.baseline is None:
            return None
        return add_months(self.target.baseline, 12) - dt.timedelta(days=1) if self.target.baseline_fy \
            else self.target.baseline

    @property
    def baseline_label(self) -> str:
        baseline = self.target.baseline
        if baseline is None:
            return ""
        return fy_label(baseline.year) if self.target.baseline_fy else f"{baseline:%-d %B %Y}"


def plan_assessments(dataset: Dataset, plan: Plan, quarter: Quarter) -> list[Assessment]:
    """Every target of the plan judged at the quarter's end, then those earlier plans set that
    run past the quarter's start on a measure this plan reports (Vision Zero, set in 2020/21 for
    2040, is judged in every later edition); computed once per dataset."""
    def judged() -> list[Assessment]:
        own = [assess(dataset, plan, commitment, target, quarter) for commitment, target in plan.targets]
        carried = [replace(assess(dataset, plan, commitment, target, quarter), set_by=earlier.title)
                   for earlier in dataset.plans.values() if earlier.last_quarter.end < plan.first_quarter.start
                   for commitment, target in earlier.targets
                   if target.by >= quarter.start and target.measure in plan.measure_ids]
        return own + carried
    return once(dataset, ("targets", plan.id, quarter), judged)


def priority_assessments(dataset: Dataset, plan: Plan, priority: Priority, quarter: Quarter) -> list[Assessment]:
    """The targets of a priority's commitments, and those carried from earlier plans on a measure
    it is the first to report, judged at the quarter's end."""
    return [a for a in plan_assessments(dataset, plan, quarter) if priority_of(plan, a) == priority]


def priority_of(plan: Plan, assessment: Assessment) -> Priority:
    """The priority a target belongs to: its commitment's, or for a target an earlier plan set,
    the first priority that reports its measure."""
    if assessment.set_by:
        return next(p for p in plan.priorities if assessment.measure.id in p.measures)
    return next(p for p in plan.priorities if assessment.commitment in p.commitments)


def targets_section(assessments: list[Assessment], sources: dict[str, str]) -> str:
    """The targets table and each target's sentences, as Markdown (empty when there are none)."""
    if not assessments:
        return ""
    said = [f"- {escape_markdown(line)}" for a in assessments for line in target_sentences(a, sources)]
    return targets_table(assessments) + "\n\n" + "\n".join(said)


def assess(dataset: Dataset, plan: Plan, commitment: Commitment, target: Target, quarter: Quarter) -> Assessment:
    measure = dataset.measures[target.measure]
    lower_is_better = measure.polarity == "down_is_good" or target.kind == "rank"
    if target.kind == "rank":
        return _assess_rank(dataset, commitment, target, measure, quarter)
    start = Assessment(commitment, target, measure)
    if quarter.end < start.since:
        return Assessment(commitment, target, measure, reason=f"its baseline ({start.baseline_label}) is after "
                                                              f"{month_label(quarter.end)}")
    baseline = _figure(dataset, measure, target.baseline, 12 if target.baseline_fy else 1)
    current = _figure(dataset, measure, add_months(quarter.start, -9 if measure.kind != "snapshot" else 0),
                      12 if measure.kind != "snapshot" else 3)
    if baseline.amount is None:
        return Assessment(commitment, target, measure, reason=f"the data have no figure for its baseline "
                                                              f"({start.baseline_label})")
    if current.amount is None:
        return Assessment(commitment, target, measure, reason=f"the data have no figure for {_as_at(measure, quarter)}")
    interval = _interval(dataset, plan, measure, quarter, current.amount)
    level = target_level(target.kind, target.amount, baseline.amount)
    judgement = judge(level, baseline.amount, start.since, target.by, current.amount, quarter.end, interval,
                      lower_is_better)
    return Assessment(commitment, target, measure, judgement, status=weakest([baseline.status, current.status]))


def _figure(dataset: Dataset, measure: Measure, start: dt.date, months: int):
    return dataset.value(measure.id, start.replace(day=1), months)


def _interval(dataset: Dataset, plan: Plan, measure: Measure, quarter: Quarter, total: float):
    """A count's 95% interval from its usual variation, as its 12-month comparison estimated it
    (None for headcounts and percentages, or when there is too little history)."""
    if not measure.behaviour.adds_up:
        return None
    comparisons = edition_comparisons(dataset, plan.measure_ids, quarter)[measure.id]
    test = next((c.test for c in comparisons if c.kind == ROLLING_12_MONTHS), None)
    if test is None or test.dispersion is None or test.df is None:
        return None
    return count_interval(total, test.dispersion * alike_months_factor(test.autocorrelation or 0.0, 12), test.df)


def _assess_rank(dataset: Dataset, commitment: Commitment, target: Target, measure: Measure,
                 quarter: Quarter) -> Assessment:
    comparison = peers.comparisons_for(dataset, measure, quarter)[0]
    if isinstance(comparison, str):
        return Assessment(commitment, target, measure, reason=f"the force is not compared: {comparison}")
    standing = comparison.benchmark.standing(dataset.force.short_name)
    judgement = judge(target.amount, None, None, target.by, standing.position, quarter.end, None, True)
    return Assessment(commitment, target, measure, judgement, status="modelled" if comparison.modelled else "published",
                      position=(standing.position, comparison.benchmark.group_size, comparison.window.label))


# ----------------------------------------------------------------------------- what the page says


def target_sentences(assessment: Assessment, sources: dict[str, str]) -> list[str]:
    """What the target asks, where the measure stands, and the verdict with its arithmetic."""
    said = [f"Target (commitment {assessment.commitment_label}): {_asks(assessment)} by "
            f"{assessment.target.by:%-d %B %Y}.", Raw(f"The target is set in {linked(assessment.target.source, sources)}.")]
    if assessment.target.unlike:
        said.append(f"The comparison is not like for like: {assessment.target.unlike}.")
    if assessment.judgement is None:
        return said + [f"It cannot be judged yet: {assessment.reason}."]
    return said + [_verdict_sentence(assessment)]


def _asks(a: Assessment) -> str:
    target, judgement = a.target, a.judgement
    if target.kind == "rank":
        return f"be {ordinal(int(target.amount))} or better of the group of similar forces"
    if judgement is None:
        return f"{target.kind} {number(target.amount)} from {a.baseline_label}"
    level, baseline = _shown(a, judgement.target), _shown(a, judgement.baseline)
    noun = a.measure.noun
    if target.kind == "level":
        return f"{level} {noun} {a.measure.verb}{_per(a)}, from {baseline} in {a.baseline_label},"
    if target.kind == "change":
        verb = "add" if target.amount > 0 else "take away"
        return f"{verb} {_shown(a, abs(target.amount))} {noun} to the {baseline} of {a.baseline_label}, reaching {level},"
    if target.amount == 100:
        return f"double the {baseline} {noun} of {a.baseline_label} to {level}"
    verb = "raise" if target.amount > 0 else "cut"
    return f"{verb} the {baseline} {noun} of {a.baseline_label} by {abs(target.amount):g}% to {level}"


def _verdict_sentence(a: Assessment) -> str:
    j, measure = a.judgement, a.measure
    if a.position is not None:
        position, size, window = a.position
        return f"It is {ordinal(position)} of {size} for the {window}: {j.verdict}."
    now = f"For {_as_at(measure, Quarter.containing(j.as_at))} the figure is {_shown(a, j.value)}"
    if j.lower != j.upper:
        now += f" (95% interval {_shown(a, j.lower)} to {_shown(a, j.upper)}, allowing for its usual variation)"
    if j.verdict == MET:
        return now + f", which has reached the target of {_shown(a, j.target)}: met."
    if j.verdict == MISSED:
        return now + (f": the target date has passed with the figure {_shown(a, j.still_needed)} short of "
                      f"{_shown(a, j.target)}: missed.")
    gap = abs(j.value - j.path)
    ahead = (j.path - j.value if j.lower_is_better else j.value - j.path) >= 0
    side = "ahead of it" if ahead else ("behind it" if j.verdict == OFF_COURSE
                                        else "behind it, within its usual variation")
    return (now + f". The straight path from {_shown(a, j.baseline)} ({a.baseline_label}) to {_shown(a, j.target)} "
            f"({j.by:%-d %B %Y}) is at {_shown(a, j.path)} on {j.as_at:%-d %B %Y}, {j.elapsed * 100:.1f}% of the way "
            f"in time, and the figure is {_shown(a, gap)} {side}: {j.verdict}. " + _still_needed(a))


def _still_needed(a: Assessment) -> str:
    needed = a.judgement.still_needed
    unit = a.measure.unit_for(round(needed)) if not a.measure.behaviour.in_points else "points"
    if a.judgement.lower_is_better:
        return f"A further fall of {_shown(a, needed)} {unit} is needed to reach it."
    return f"A further {_shown(a, needed)} {unit} {'is' if round(needed) == 1 else 'are'} needed to reach it."


def _per(a: Assessment) -> str:
    return " a year" if a.measure.behaviour.adds_up else ""


def _shown(a: Assessment, amount: float) -> str:
    """An amount in the measure's own terms: whole numbers for counts and headcounts, one
    decimal point for percentages."""
    if a.measure.behaviour.in_points:
        return f"{amount:.1f}%"
    return number(round(amount))


def _as_at(measure: Measure, quarter: Quarter) -> str:
    if measure.kind == "snapshot":
        return f"the end of {month_label(quarter.end)}"
    return f"the 12 months to {month_label(quarter.end)}"


def targets_table(assessments: list[Assessment]) -> str:
    """One row per target: what it asks, the baseline, the figure now, the path's value now
    and the verdict, as Markdown (empty when there are none)."""
    if not assessments:
        return ""
    rows = [["Commitment", "Measure", "Target", "By", "Baseline", "Now", "Path now", "Verdict", "Data"]]
    for a in assessments:
        j = a.judgement
        if j is None:
            rows.append([a.commitment_label, a.measure.label, _shown_level(a), f"{a.target.by:%-d %b %Y}",
                         a.baseline_label, "–", "–", f"not judged: {a.reason}", "–"])
            continue
        now = (f"{ordinal(a.position[0])} of {a.position[1]}" if a.position else _shown(a, j.value))
        rows.append([a.commitment_label, a.measure.label, _shown_level(a), f"{a.target.by:%-d %b %Y}",
                     f"{_shown(a, j.baseline)} ({a.baseline_label})" if j.baseline is not None else "–", now,
                     _shown(a, j.path) if j.path is not None else "–",
                     f"{j.verdict} (not like for like)" if a.target.unlike else j.verdict, a.status or "–"])
    return markdown_table(rows)


def _shown_level(a: Assessment) -> str:
    if a.target.kind == "rank":
        return f"{ordinal(int(a.target.amount))} or better"
    return _shown(a, a.judgement.target) if a.judgement else f"{a.target.kind} {number(a.target.amount)}"


def verdict_cell(assessments: list[Assessment], measure: Measure) -> str:
    """The key-figures table's Target cell for a measure: its targets' verdicts, or a dash."""
    verdicts = [a.judgement.verdict if a.judgement else "not judged" for a in assessments if a.measure == measure]
    return "; ".join(verdicts) or "–"


def chart_path(assessment: Assessment, start: dt.date, quarter: Quarter, sources: dict[str, str]) -> pd.DataFrame | None:
    """The straight path to the target, month by month from the later of the baseline and
    ``start`` to the quarter's end, in the chart's units (a count's path is a 12-month total:
    drawn as a month's share of it); None when there is no path to draw."""
    j = assessment.judgement
    if j is None or j.baseline is None:
        return None
    months, day = [], max(start, assessment.since.replace(day=1))
    while day <= quarter.end:
        months.append(month_end(day))
        day = add_months(day, 1)
    share = 12 if assessment.measure.behaviour.adds_up else 1
    values = [path_value(j.baseline, assessment.since, j.target, j.by, m)[0] / share for m in months]
    label = PATH_LABEL + (" (monthly share)" if share == 12 else "")
    return chart_data(assessment.measure, label, [m.replace(day=1) for m in months], values, DERIVED,
                      f"{PATH_SOURCE} ({cite(assessment.target.source, sources)})")
