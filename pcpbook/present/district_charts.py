"""The district page's pictures besides its funnel (``funnels``): a map of the districts' rates
where the project has their boundaries, small multiples of each district's monthly series
otherwise. A withheld count is never drawn: a sensitive measure with a withheld month gets no
monthly chart, and a withheld district is hatched on the map, without a colour."""

from __future__ import annotations

import math
import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Polygon

from pcpbook.analysis.districts import DistrictTable
from pcpbook.contracts.dataset import Dataset
from pcpbook.core.periods import add_months, month_label
from pcpbook.present.figures import COLOURS, Chart, chart_data, house_style, label_provenance, wrapped_title
from pcpbook.present.wording import number
from pcpbook.stats.benchmark import ABOVE, BELOW

MULTIPLE_MONTHS = 36  # three years of each district: enough to see its season and its level
MULTIPLE_COLUMNS = 3
PHONE_COLUMNS = 2
PHONE_WIDTH_INCHES = 3.6  # as phone.WIDTH_INCHES: a 390 px screen less the page's margins


def monthly_by_district(dataset: Dataset, table: DistrictTable) -> tuple[pd.DataFrame, str]:
    """Each district's months over the three years to the window's end (columns district,
    period_start, value, status, source), or why they are not drawn (a sensitive measure with a
    month below the threshold: a month's small count would show through)."""
    measure, end = table.measure, table.window.end
    first = add_months(table.window.start, table.window.months - MULTIPLE_MONTHS)
    frames = []
    for place in table.districts:
        series = dataset.monthly(measure.id, end, place.district.code)
        frames.append(series[series["period_start"] >= first].assign(district=place.name))
    months = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if months.empty:
        return months, "the data hold no monthly figures by district"
    if table.threshold is not None and (months["value"] < table.threshold).any():
        return months.iloc[0:0], (f"some districts have months of fewer than {table.threshold}, which a monthly "
                                  "chart would show")
    if any(p.hidden or p.hidden_before for p in table.districts):
        return months.iloc[0:0], "a district's count is withheld, and its months would add up to it"
    return months, ""


def district_multiples(table: DistrictTable, months: pd.DataFrame) -> Chart:
    """One small panel per district (in areas.yaml order, named with its group), each month of
    the last three years, the window's months darker; each panel on its own scale from zero. On a
    phone the panels are two to a row."""
    measure = table.measure
    modelled = bool((months["status"] == "modelled").any())
    figure = _multiples(table, months, modelled, MULTIPLE_COLUMNS, 7.5, 0.75)
    data = pd.concat([chart_data(measure, name, group["period_start"], group["value"], group["status"], group["source"])
                      for name, group in months.groupby("district", sort=False)], ignore_index=True)
    highest = months.loc[months["value"].idxmax()]
    alt = (f"Small multiples: {measure.label} each month in each of {len(table.districts)} districts from "
           f"{month_label(months['period_start'].min())} to {month_label(months['period_start'].max())}, each on its "
           f"own scale. Highest month: {number(highest['value'])} in {highest['district']}, "
           f"{month_label(highest['period_start'])}." + (" Values are modelled." if modelled else ""))
    return Chart(figure, alt, f"{measure.id}-districts-monthly", data,
                 phone=lambda: _multiples(table, months, modelled, PHONE_COLUMNS, PHONE_WIDTH_INCHES, 1.1))


def _multiples(table: DistrictTable, months: pd.DataFrame, modelled: bool, columns: int, width: float,
               scale: float) -> plt.Figure:
    measure = table.measure
    rows = math.ceil(len(table.districts) / columns)
    with house_style(scale):
        figure, grid = plt.subplots(rows, columns, figsize=(width, 1.45 * rows + 1.6), dpi=100, sharex=True,
                                    squeeze=False)
        for axes, place in zip(grid.flat, table.districts):
            series = months[months["district"] == place.name]
            dates = pd.to_datetime(series["period_start"])
            recent = dates >= pd.Timestamp(table.window.start)
            axes.plot(dates, series["value"], color=COLOURS["context"], linewidth=1)
            axes.plot(dates[recent], series["value"][recent], color=COLOURS["series"], linewidth=2)
            axes.set_ylim(bottom=0)
            axes.locator_params(axis="y", nbins=3)
            group = f" ({place.district.group})" if place.district.group and columns > PHONE_COLUMNS else ""
            axes.set_title(f"{place.name}{group}", loc="left", fontsize="small")
            axes.xaxis.set_major_locator(mdates.YearLocator(base=1 if columns > PHONE_COLUMNS else 2))
            axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        for axes in list(grid.flat)[len(table.districts):]:
            axes.set_visible(False)
        phone = columns == PHONE_COLUMNS
        title = textwrap.fill(f"{measure.label} each month by district, to {month_label(table.window.end)}",
                              int(width * (6 if phone else 10)))
        height = figure.get_figheight()
        figure.suptitle(title, x=0.02, y=1 - 0.1 / height, ha="left", va="top", fontweight="bold")
        head = 0.25 + 0.3 * (title.count("\n") + 1) * scale  # the title's lines, then the badge's
        lift = label_provenance(figure, grid.flat[0], measure, modelled, 0.01, [f"{measure.label} by district"],
                                width=int(width * (12 if phone else 18)), badge_at=(0.98, 1 - head / height))
        figure.subplots_adjust(left=0.2 if phone else 0.09, right=0.97, top=1 - (head + 0.45) / height, hspace=0.6,
                               wspace=0.5 if phone else 0.3, bottom=((0.95 if phone else 0.6) + lift * height) / height)
    plt.close(figure)
    return figure


def district_map(table: DistrictTable, outlines: dict) -> Chart:
    """Each district shaded by its rate per 1,000 residents (withheld ones hatched, those outside
    the funnel's limits outlined), from ``outlines`` (code: outer rings): longitude and latitude
    drawn with the east-west distances of their mean latitude, or eastings and northings as they
    are. On a phone, the scale runs under the map."""
    measure = table.measure
    shown = [p for p in table.districts if p.rate is not None]
    period = table.window.label
    status = "modelled" if table.modelled else "published"
    data = pd.concat([chart_data(measure, p.name, [period], [p.rate], status, "the districts' figures", [p.people])
                      for p in shown], ignore_index=True)
    ordered = sorted(shown, key=lambda p: p.rate)
    withheld = [p.name for p in table.districts if p.hidden]
    unknown = [p.name for p in table.districts if p.rate is None and not p.hidden]
    alt = (f"Map of the {len(table.districts)} districts shaded by {measure.label} per 1,000 residents, {period}: "
           f"highest {ordered[-1].name} ({ordered[-1].rate:.2f}), lowest {ordered[0].name} ({ordered[0].rate:.2f})."
           + (f" Withheld (small numbers): {', '.join(withheld)}." if withheld else "")
           + (f" No rate (no figure or population): {', '.join(unknown)}." if unknown else "")
           + (" Values are modelled." if table.modelled else ""))
    return Chart(_map(table, outlines, 7.5, phone=False), alt, f"{measure.id}-districts-map", data,
                 phone=lambda: _map(table, outlines, PHONE_WIDTH_INCHES, phone=True))


def _map(table: DistrictTable, outlines: dict, width: float, phone: bool) -> plt.Figure:
    measure = table.measure
    shown = [p for p in table.districts if p.rate is not None]
    colours = plt.get_cmap("Blues")
    low, high = min(p.rate for p in shown), max(p.rate for p in shown)
    def shade(rate):
        return 0.15 + 0.8 * (rate - low) / ((high - low) or 1)
    with house_style(1.1 if phone else 0.85):
        figure, axes = plt.subplots(figsize=(width, 6.0 if phone else 6.2), dpi=100)
        for place in table.districts:
            for ring in outlines[place.district.code]:
                outside = place.funnel in (ABOVE, BELOW)
                axes.add_patch(Polygon(ring, facecolor="white" if place.hidden else "#dddddd", edgecolor="#555555",
                                       hatch="///" if place.hidden else None, linewidth=0.6)
                               if place.rate is None else
                               Polygon(ring, facecolor=colours(shade(place.rate)), linewidth=2.2 if outside else 0.8,
                                       edgecolor=COLOURS["alert"] if outside else "white"))
            if not phone or place.funnel in (ABOVE, BELOW):
                dark = place.rate is not None and shade(place.rate) > 0.6
                axes.annotate(place.name, _middle(outlines[place.district.code]), ha="center", va="center",
                              fontsize="x-small", color="white" if dark else "#222222",
                              fontweight="bold" if place.funnel in (ABOVE, BELOW) else "normal")
        points = [point for rings in outlines.values() for ring in rings for point in ring]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        axes.set_xlim(min(xs), max(xs))
        axes.set_ylim(min(ys), max(ys))
        geographic = max(map(abs, xs + ys)) <= 180
        axes.set_aspect(1 / math.cos(math.radians(sum(ys) / len(ys))) if geographic else 1)
        axes.set_axis_off()
        scale = plt.cm.ScalarMappable(cmap=colours, norm=plt.Normalize(low - 0.15 / 0.8 * (high - low), high))
        figure.colorbar(scale, ax=axes, shrink=0.6, label="Per 1,000 residents",
                        orientation="horizontal" if phone else "vertical", pad=0.02 if phone else 0.05)
        title = f"{measure.label} per 1,000 residents by district: {table.window.label}"
        figure.suptitle(textwrap.fill(title, 24) if phone else wrapped_title(title), x=0.02, ha="left", fontweight="bold")
        lift = label_provenance(figure, axes, measure, table.modelled, 0.01,
                                [f"{measure.label} by district", "mid-year population estimates by district",
                                 "district boundaries"], width=40 if phone else 140,
                                badge_at=(0.98, 1 - (1.1 if phone else 0.55) / figure.get_figheight()))
        figure.subplots_adjust(left=0.02, right=0.98, top=1 - (1.3 if phone else 0.7) / figure.get_figheight(),
                               bottom=(0.9 if phone else 0.35) / figure.get_figheight() + lift)
    plt.close(figure)
    return figure


def _middle(rings) -> tuple[float, float]:
    """Where a district's name goes: the middle of its largest ring's extent."""
    ring = max(rings, key=len)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
