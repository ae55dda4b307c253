"""Charts in one house style: seaborn with a colour-blind-safe palette, the edition's quarter
shaded, discontinuities from the catalogue marked, a source line, a visible badge when any
value shown is modelled, and alt text computed from the data for screen readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .data import Measure
from .narrative import number
from .periods import Quarter, add_months, month_label

PALETTE = sns.color_palette("colorblind")
HISTORY_YEARS = 5


@dataclass
class Chart:
    figure: plt.Figure
    alt: str


def trend_chart(measure: Measure, series: pd.DataFrame, quarter: Quarter) -> Chart:
    """Line chart of the last five years up to the end of ``quarter`` (no later data)."""
    window_start = add_months(quarter.start, -12 * HISTORY_YEARS + 3)
    shown = series[(series["period_start"] >= _floor(window_start)) &
                   (series["period_start"] <= quarter.end)].copy()
    shown["date"] = pd.to_datetime(shown["period_start"])
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.85):
        figure, axes = plt.subplots(figsize=(7.5, 3.4), dpi=110)
        _shade(axes, quarter.start, quarter.end, PALETTE[0], 0.18, "This quarter")
        last_year = quarter.same_quarter_last_year()
        _shade(axes, last_year.start, last_year.end, PALETTE[7], 0.25, "Same quarter last year")
        sns.lineplot(data=shown, x="date", y="value", ax=axes, color=PALETTE[0], marker="o",
                     markersize=3, linewidth=1.4, label=_series_label(measure))
        _mark_discontinuities(axes, measure, shown)
        axes.set_title(measure.label, loc="left", fontweight="bold")
        axes.set_xlabel("")
        axes.set_ylabel(_axis_label(measure))
        axes.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize="small", frameon=False)
        axes.set_ylim(bottom=0)
        modelled = bool((shown["status"] == "modelled").any())
        if modelled:
            axes.text(0.995, 0.97, "MODELLED DATA", transform=axes.transAxes, ha="right", va="top",
                      fontsize="small", fontweight="bold", color="#8a3b00",
                      bbox={"boxstyle": "round", "facecolor": "#fff4e5", "edgecolor": "#8a3b00"})
        figure.text(0.01, -0.1, _source_line(measure, modelled), fontsize="x-small", color="#444444",
                    ha="left", va="top", wrap=True)
    plt.close(figure)
    return Chart(figure, _alt_text(measure, shown, quarter, modelled))


def _floor(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _shade(axes, start: dt.date, end: dt.date, colour, alpha: float, label: str) -> None:
    axes.axvspan(pd.Timestamp(start), pd.Timestamp(end), color=colour, alpha=alpha, label=label, linewidth=0)


def _mark_discontinuities(axes, measure: Measure, shown: pd.DataFrame) -> None:
    if shown.empty:
        return
    first, last = shown["date"].min(), shown["date"].max()
    for item in measure.discontinuities:
        when = pd.Timestamp(item.date)
        if first <= when <= last:
            axes.axvline(when, color="#555555", linestyle="--", linewidth=0.8)
            axes.annotate(item.note, (when, 0.02), xycoords=("data", "axes fraction"), rotation=90,
                          fontsize="x-small", color="#333333", ha="right", va="bottom")


def _series_label(measure: Measure) -> str:
    return {"count": "Monthly count", "snapshot": "Headcount at month end",
            "percent": "Quarterly survey result (%)"}[measure.kind]


def _axis_label(measure: Measure) -> str:
    return "%" if measure.kind == "percent" else measure.unit.capitalize()


def _source_line(measure: Measure, modelled: bool) -> str:
    status = ("Modelled data: a demonstration series calibrated to published figures, not official "
              "statistics." if modelled else "Published figures.")
    return f"Source: {measure.source}. {status}"


def _alt_text(measure: Measure, shown: pd.DataFrame, quarter: Quarter, modelled: bool) -> str:
    if shown.empty:
        return f"Empty chart: no {measure.label} data up to {month_label(quarter.end)}."
    cadence = "quarter" if measure.kind == "percent" else "month"
    low, high = shown.loc[shown["value"].idxmin()], shown.loc[shown["value"].idxmax()]
    text = (f"Line chart of {measure.label} in Essex each {cadence} from "
            f"{month_label(shown['period_start'].iloc[0])} to {month_label(shown['period_start'].iloc[-1])}. "
            f"Lowest {number(low['value'])} in {month_label(low['period_start'])}, highest "
            f"{number(high['value'])} in {month_label(high['period_start'])}; "
            f"latest {number(shown['value'].iloc[-1])}.")
    if modelled:
        text += " Values are modelled."
    return text
