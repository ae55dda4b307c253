"""The district page's small multiples of each district's monthly series (its funnel is in
``funnels``). A sensitive measure with a withheld month is not drawn at all."""

from __future__ import annotations

import math
import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from pcpbook.analysis.districts import DistrictTable
from pcpbook.contracts.dataset import Dataset
from pcpbook.core.periods import add_months, month_label
from pcpbook.present.figures import COLOURS, Chart, chart_data, house_style, label_provenance
from pcpbook.present.wording import number

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
