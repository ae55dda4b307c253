"""The front of an edition, as a statistical release opens: one line saying what it is, the main
points, and the things a reader needs to know about the figures (what they are, how they are
revised, which breaks in the series the quarter's comparisons cross). Versions, fingerprints and
software are on the edition's "How this edition was made" page."""

from __future__ import annotations

from collections import defaultdict

from IPython.display import Markdown

from pcpbook.contracts.dataset import Dataset
from pcpbook.core.periods import Quarter, add_months
from pcpbook.present.chapter import Edition
from pcpbook.present.commitments import load_returns
from pcpbook.present.main_points import main_points
from pcpbook.present.phrasing import say

COMPARED_MONTHS = 24  # the oldest month an edition's comparisons reach: the 12 months before the rolling 12
MOST_NAMED = 5  # a break touching more measures than this gives their number, not their names


def edition_line(edition: Edition) -> Markdown:
    """Whose edition this is, of what, and when it was made, in one line."""
    quarter = edition.quarter
    return Markdown(say("release", "edition_line", force=edition.dataset.force.name, plan=edition.plan.title,
                        quarter=quarter.label, months=quarter.month_span, data_to=edition.data_to,
                        version=edition.version, produced=f"{edition.produced:%-d %B %Y}"))


def main_points_list(edition: Edition) -> Markdown:
    """The main points as a list (see ``main_points``)."""
    returns = load_returns(edition.dataset, edition.plan, edition.quarter)
    points = main_points(edition.dataset, edition.plan, edition.quarter, returns)
    return Markdown("\n".join(f"- {point}" for point in points))


def breaks_crossed(edition: Edition) -> Markdown:
    """Each break in a series (a recording change or a period such as a lockdown) that falls in
    the months the edition's comparisons use, once, with the measures it touches."""
    crossed = series_breaks(edition.dataset, edition.plan.measure_ids, edition.quarter)
    if not crossed:
        return Markdown(say("release", "no_breaks"))
    lines = [say("release", "breaks_intro"), ""]
    total = len(edition.plan.measure_ids)
    for (start, end, note), labels in crossed.items():
        when = f"{start:%-d %B %Y}" + (f" to {end:%-d %B %Y}" if end else "")
        named = labels if len(labels) <= MOST_NAMED else []
        lines.append("- " + say("release", "break", note=note, when=when, named=named, count=len(labels), total=total))
    return Markdown("\n".join(lines))


def series_breaks(dataset: Dataset, measure_ids, quarter: Quarter) -> dict[tuple, list[str]]:
    """(start, end, what changed) -> the labels of the measures it touches, for every break
    between the first month the quarter's comparisons use and the quarter's end."""
    since = add_months(quarter.start, -(COMPARED_MONTHS - 3))
    crossed: dict[tuple, list[str]] = defaultdict(list)
    for measure_id in measure_ids:
        measure = dataset.measures[measure_id]
        for item in measure.discontinuities:
            if item.date <= quarter.end and (item.end or item.date) >= since:
                crossed[(item.date, item.end, item.note)].append(measure.label)
    return dict(sorted(crossed.items(), key=lambda entry: entry[0][0]))

