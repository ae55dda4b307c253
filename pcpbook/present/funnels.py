"""Funnel plots (Spiegelhalter, 2005): each place's rate against its size, around the places
taken together, with 95% and 99.8% limits that allow for the usual spread between places. Two
kinds: forces (the force among its group, or all forces of England and Wales) and the force's
districts. A withheld district count is never drawn."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pcpbook.analysis.districts import DistrictTable
from pcpbook.analysis.peers import GroupComparison
from pcpbook.contracts.model import Measure
from pcpbook.present.figures import (COLOURS, DERIVED, Chart, chart_data, house_style, label_provenance, title_room,
                                     unit_text, value_text, wrapped_title)
from pcpbook.stats.benchmark import ABOVE, BELOW, Benchmark


@dataclass(frozen=True)
class Point:
    name: str
    base: float
    value: float
    size: int            # marker area
    colour: str          # a key of COLOURS
    label: str = ""      # "", "normal" or "bold": whether and how its name is written


@dataclass(frozen=True)
class Axes:
    title: str
    x: str
    y: str
    scale: float         # the x axis's unit: 1e6 for millions, 1000 for thousands
    spread: str          # what the limits allow for: "forces", "districts"
    centre: str          # the centre line's legend label
    sources: list[str]


def funnel_chart(comparison: GroupComparison, force: str) -> Chart | None:
    """Each force's value against its population (or base), with the value of the forces taken
    together and the 95% and 99.8% limits allowing for the spread between forces: all forces of
    England and Wales when the data hold them, else the group (None without a funnel)."""
    measure, benchmark = comparison.measure, comparison.funnel
    if benchmark is None:
        return None
    group = set(s.force for s in comparison.benchmark.standings)
    rate = benchmark.unit != "percent"
    points = [Point(s.force, s.base, s.value, 70 if s.force == force else 30 if s.force in group else 12,
                    "alert" if s.force == force else "series" if s.force in group else "context",
                    "bold" if s.force == force else "normal" if s.force in group else "")
              for s in benchmark.standings]
    axes = Axes(f"{measure.label}: {comparison.window.label}",
                f"{comparison.base_label} (millions)" if rate else comparison.base_label,
                unit_text(benchmark.unit).capitalize() if rate else "%", 1e6 if rate else 1.0, "forces",
                "All forces taken together" if comparison.national else "Group taken together",
                [f"each force's own figures ({measure.label})",
                 "mid-year population estimates" if rate else comparison.base_label])
    figure, data = _funnel(measure, benchmark, points, axes, comparison.modelled, comparison.window.label,
                           "the forces' figures")
    return Chart(figure, funnel_alt(comparison, force), f"{measure.id}-funnel", data)


def funnel_alt(comparison: GroupComparison, force: str) -> str:
    measure, benchmark, funnel = comparison.measure, comparison.benchmark, comparison.funnel
    own = benchmark.standing(force)
    outside = [f"{s.force} ({s.funnel})" for s in funnel.outside()]
    return (f"Funnel plot of {measure.label} ({unit_text(benchmark.unit)}) in the {comparison.window.label} for "
            f"{comparison.funnel_scope}, against their size. {force}: {value_text(own.value, benchmark.unit)}, "
            f"position {own.position} of the {benchmark.group_size} forces of its group; {comparison.funnel_scope} "
            f"taken together {value_text(funnel.pooled, benchmark.unit)}. The limits allow for the spread between "
            f"forces. Outside the 99.8% limits: {', '.join(outside) if outside else 'no force'}."
            + (" Values are modelled." if comparison.modelled else "")
            + (" Populations are modelled." if comparison.modelled_population else ""))


def district_funnel(table: DistrictTable) -> Chart | None:
    """Each district's rate per 1,000 residents against its population, around the districts
    taken together; None without a funnel or with fewer than two districts to draw."""
    benchmark, measure = table.benchmark, table.measure
    shown = [p for p in table.districts if p.rate is not None]
    if benchmark is None or benchmark.tau2 is None or len(shown) < 2:
        return None
    named = {p.name for p in _labelled(shown)}
    points = [Point(p.name, p.people, p.rate, 45 if p.funnel in (ABOVE, BELOW) else 25,
                    "alert" if p.funnel in (ABOVE, BELOW) else "series",
                    ("bold" if p.funnel in (ABOVE, BELOW) else "normal") if p.name in named else "") for p in shown]
    axes = Axes(f"{measure.label} per 1,000 residents by district: {table.window.label}", "Residents (thousands)",
                "Per 1,000 residents", 1000, "districts", "The districts taken together",
                [f"{measure.label} by district", "mid-year population estimates by district"])
    figure, data = _funnel(measure, benchmark, points, axes, table.modelled, table.window.label,
                           "the districts' figures")
    outside = [p.name for p in shown if p.funnel in (ABOVE, BELOW)]
    alt = (f"Funnel plot of {measure.label} per 1,000 residents in each of {len(shown)} districts, "
           f"{table.window.label}, against their residents; the table beside it names each. "
           + (f"Outside the 99.8% limits: {', '.join(outside)}." if outside
              else "Every district lies inside the 99.8% limits.")
           + (" Values are modelled." if table.modelled else ""))
    return Chart(figure, alt, f"{measure.id}-districts-funnel", data)


def _labelled(places: list) -> list:
    """The districts that get their name on the chart: those outside the limits first, then any
    other whose name would not run into one already written (the table gives every district)."""
    ordered = sorted(places, key=lambda p: p.funnel not in (ABOVE, BELOW))
    spread_x = max(p.people for p in places) - min(p.people for p in places) or 1
    spread_y = max(p.rate for p in places) - min(p.rate for p in places) or 1
    chosen: list = []
    for place in ordered:
        if all(abs(place.people - other.people) > 0.12 * spread_x or abs(place.rate - other.rate) > 0.06 * spread_y
               for other in chosen):
            chosen.append(place)
    return chosen


def _funnel(measure: Measure, benchmark: Benchmark, points: list[Point], axes_text: Axes, modelled: bool,
            period: str, source: str) -> tuple[plt.Figure, pd.DataFrame]:
    """The figure and the values it draws: the points, the centre and the limits."""
    bases = np.array([p.base for p in points])
    grid = np.linspace(bases.min() * 0.6, bases.max() * 1.3, 120)
    limits = {level: list(zip(*(benchmark.limits(b, level) for b in grid))) for level in ("99.8%", "95%")}
    scale = axes_text.scale
    with house_style():
        figure, axes = plt.subplots(figsize=(7.5, 4.6), dpi=100)
        for level, style in (("99.8%", "-"), ("95%", "--")):
            low, high = limits[level]
            axes.plot(grid / scale, high, color=COLOURS["context"], linestyle=style, linewidth=1.1,
                      label=f"{level} limits (allowing for the spread between {axes_text.spread})")
            axes.plot(grid / scale, low, color=COLOURS["context"], linestyle=style, linewidth=1.1)
        axes.axhline(benchmark.pooled, color=COLOURS["baseline"], linewidth=1.2, label=axes_text.centre)
        for point in points:
            axes.scatter(point.base / scale, point.value, s=point.size, zorder=4, color=COLOURS[point.colour])
            if point.label:
                axes.annotate(point.name, (point.base / scale, point.value), xytext=(5, 3), textcoords="offset points",
                              fontsize="x-small", fontweight=point.label)
        axes.set_title(wrapped_title(axes_text.title), loc="left", fontweight="bold")
        axes.set_xlabel(axes_text.x)
        axes.set_ylabel(axes_text.y)
        lift = label_provenance(figure, axes, measure, modelled, 0.035, axes_text.sources)
        figure.subplots_adjust(left=0.11, right=0.98, top=0.91 - title_room(figure), bottom=0.28 + lift)
        figure.legend(*axes.get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 0.06 + lift),
                      ncol=2, fontsize="small", frameon=False)
    plt.close(figure)
    status = "modelled" if modelled else "published"
    data = [chart_data(measure, p.name, [period], [p.value], status, source, [p.base]) for p in points]
    for level, (low, high) in limits.items():
        data += [chart_data(measure, f"{level} {side} limit", [period] * len(grid), values, DERIVED,
                            "pcpbook funnel limits", grid) for side, values in (("lower", low), ("upper", high))]
    return figure, pd.concat(data, ignore_index=True)
