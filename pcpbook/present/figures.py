"""Charts in one house style: seaborn with a colour-blind-safe palette, the edition's quarter
shaded, discontinuities from the catalogue marked, a source line, a visible badge when any
value shown is modelled, and alt text computed from the data for screen readers."""

from __future__ import annotations

import contextlib
import datetime as dt
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from pcpbook.analysis.comparisons import Comparison
from pcpbook.contracts.model import Measure, Plan
from pcpbook.core.periods import Quarter, add_months, fy_label, month_label
from pcpbook.core.units import COMPARISON_UNITS
from pcpbook.present.phone import phone_layout
from pcpbook.present.wording import number
from pcpbook.stats import ControlChart, Decomposition, NotEnoughHistory, TrendResult

PALETTE = sns.color_palette("colorblind")
# Colours by role, from the palette. Every pair stays apart (CIELAB distance of 12 or more) for
# readers with protanopia, deuteranopia or tritanopia: see tests/test_accessibility.py.
COLOURS = {"series": PALETTE[0], "observed": PALETTE[1], "baseline": PALETTE[5], "alert": PALETTE[3],
           "context": PALETTE[7]}
HISTORY_YEARS = 5
SOURCE_LINE_CHARACTERS = 140  # what fits across a 7.5-inch chart in the source line's small type
SOURCE_LINE_INCHES = 0.13      # the height of one more line of it
CHART_SETTINGS = {
    "text.parse_math": False,  # labels come from data: a "$" is a dollar sign, not mathematics
    "axes.titley": 1.0,  # titles sit on the frame (no top axis): placing them by measuring the ticks is slow
}
TITLE_WIDTH = 60  # characters of a title line: the width of a chart, less its MODELLED DATA badge
TITLE_LINE_INCHES = 0.22  # the height of a title line
# how a chart is rasterised: text unhinted draws about a tenth faster and looks the same at this size
RENDER_SETTINGS = {"text.hinting": "no_hinting"}


@contextlib.contextmanager
def house_style(font_scale: float = 0.85):
    """Every chart is drawn in this style: seaborn's white grid, its notebook sizes, our settings."""
    with plt.rc_context(CHART_SETTINGS), sns.axes_style("whitegrid"), sns.plotting_context("notebook",
                                                                                           font_scale=font_scale):
        yield


DATA_COLUMNS = ["measure", "series", "period", "base", "value", "status", "source"]  # base: a funnel's x
DERIVED = "derived"  # a value the chart computes (a limit, a fitted trend), not an observation


@dataclass
class Chart:
    figure: plt.Figure
    alt: str
    name: str  # the PNG's name in the page's figures: the measure and the kind of chart
    data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DATA_COLUMNS))  # what is drawn
    phone: Callable[[], plt.Figure] | None = None  # draws its own phone layout (a grid of small multiples)

    def write_png(self, path) -> None:
        """The chart as a PNG; light compression writes much faster (margins are set by the
        chart: one draw, not two)."""
        with plt.rc_context(RENDER_SETTINGS):
            self.figure.savefig(path, pil_kwargs={"compress_level": 1})

    def write_phone_png(self, path) -> None:
        """The chart laid out again for a phone (``phone.phone_layout``, or its own ``phone``
        drawing), after ``write_png``."""
        if self.phone is not None:
            Chart(self.phone(), self.alt, self.name).write_png(path)
            return
        phone_layout(self.figure)
        self.write_png(path)


def chart_data(measure: Measure, series: str, periods, values, status, source, bases=None) -> pd.DataFrame:
    """Rows of a chart's data: one per value drawn, with its period, status and source (scalars
    are repeated on every row); ``bases`` for a chart drawn against size, not time."""
    def column(value):  # a column by position: a filtered frame's column keeps its own index
        return value if isinstance(value, str) else list(value)

    days = [p.date() if isinstance(p, pd.Timestamp) else p for p in periods]  # the model frames' timestamps
    frame = pd.DataFrame({"period": days, "value": list(values), "status": column(status),
                          "source": column(source), "base": "" if bases is None else column(bases)})
    return frame.assign(measure=measure.id, series=series)[DATA_COLUMNS]


def trend_window_start(quarter: Quarter) -> dt.date:
    """The first month a quarter's trend chart shows: five years up to the quarter's end."""
    return add_months(quarter.start, -12 * HISTORY_YEARS + 3)


def trend_chart(measure: Measure, series: pd.DataFrame, quarter: Quarter, control=None,
                paths: tuple[pd.DataFrame, ...] = ()) -> Chart:
    """Line chart of the last five years up to the end of ``quarter`` (no later data), with
    control limits over their baseline and the quarter when ``control`` is a ControlChart
    (anything else, such as the reason there is none, draws no limits), and the path to each
    of the measure's targets (chart data rows, in the chart's units)."""
    last_year = quarter.same_quarter_last_year()
    spans = [(quarter.start, quarter.end, COLOURS["series"], 0.18, "This quarter"),
             (last_year.start, last_year.end, COLOURS["context"], 0.25, "Same quarter last year")]
    drawn = control if isinstance(control, ControlChart) else None
    return _line_chart(measure, series, _floor(trend_window_start(quarter)), quarter.end, spans, measure.id, drawn,
                       paths)


def period_chart(measure: Measure, series: pd.DataFrame, plan: Plan, comparison: Comparison) -> Chart:
    """A closure review's long-run chart: every month up to the plan's end year, the plan
    period shaded and the years compared (the measure's own baseline year) marked."""
    baseline_year, end_year = comparison.baseline.start.year, plan.end_year
    baseline_start, end_start = dt.date(baseline_year, 4, 1), dt.date(end_year, 4, 1)
    spans = [(plan.first_quarter.start, plan.last_quarter.end, COLOURS["context"], 0.16, "Plan period"),
             (baseline_start, add_months(baseline_start, 12) - dt.timedelta(days=1), COLOURS["baseline"], 0.22,
              f"Baseline year {fy_label(baseline_year)}"),
             (end_start, add_months(end_start, 12) - dt.timedelta(days=1), COLOURS["series"], 0.22,
              f"End year {fy_label(end_year)}")]
    first = series["period_start"].min() if not series.empty else baseline_start
    return _line_chart(measure, series, first, add_months(end_start, 12) - dt.timedelta(days=1), spans, measure.id)


def _line_chart(measure: Measure, series: pd.DataFrame, start: dt.date, end: dt.date, spans, name: str,
                control: ControlChart | None = None, paths: tuple[pd.DataFrame, ...] = ()) -> Chart:
    shown = series[(series["period_start"] >= start) & (series["period_start"] <= end)].copy()
    shown["date"] = pd.to_datetime(shown["period_start"])
    with house_style():
        figure, axes = plt.subplots(figsize=(7.5, 4.0), dpi=100)
        for span_start, span_end, colour, alpha, label in spans:
            _shade(axes, span_start, span_end, colour, alpha, label)
        # a plain line in seaborn's style: lineplot's aggregation machinery costs more than the drawing
        axes.plot(shown["date"], shown["value"], color=COLOURS["series"], marker="o", markersize=3, linewidth=1.4,
                  label=_series_label(measure, shown))
        if control is not None:
            _draw_control_limits(axes, control)
        for path in paths:
            axes.plot(pd.to_datetime(path["period"]), path["value"], color=COLOURS["baseline"], linestyle="--",
                      linewidth=1.4, label=path["series"].iloc[0])
        _mark_discontinuities(axes, measure, shown)
        axes.set_title(wrapped_title(measure.label), loc="left", fontweight="bold")
        axes.set_xlabel("")
        axes.set_ylabel(_axis_label(measure))
        axes.yaxis.set_major_formatter(plt.FuncFormatter(_tick))
        modelled = bool((shown["status"] == "modelled").any())
        real = shown.loc[shown["status"] != "modelled", "source"].unique().tolist()
        lift = label_provenance(figure, axes, measure, modelled, 0.035, real)
        handles, labels = axes.get_legend_handles_labels()
        rows = 1 if len(handles) <= 4 else 2  # a second legend row needs a deeper margin
        figure.subplots_adjust(left=0.11, right=0.98, top=0.91 - title_room(figure), bottom=0.24 + 0.08 * (rows - 1) + lift)
        figure.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.06 + 0.03 * (rows - 1) + lift),
                      ncol=4 if rows == 1 else 3,
                      fontsize="small", frameon=False)
        if axes.get_legend() is not None:  # seaborn's own legend: the figure's legend replaces it
            axes.get_legend().remove()
        axes.set_ylim(bottom=0)
    plt.close(figure)
    data = [chart_data(measure, _series_label(measure, shown), shown["period_start"], shown["value"], shown["status"],
                       shown["source"])]
    if control is not None:
        limits = control.frame
        data += [chart_data(measure, f"{side} control limit", limits["period_start"], limits[side], DERIVED,
                            "pcpbook seasonal control chart") for side in ("upper", "lower")]
    alt = _alt_text(measure, shown, end, modelled) + "".join(
        f" A dashed line shows the straight path to a target, at {number(round(p['value'].iloc[-1]))} at the end."
        for p in paths)
    return Chart(figure, alt, name, pd.concat(data + list(paths), ignore_index=True))


def _draw_control_limits(axes, control: ControlChart) -> None:
    """The limits month by month in the measure's own units: they follow the seasonal
    pattern, and signals are ringed."""
    frame = control.frame.assign(date=lambda f: pd.to_datetime(f["period_start"]))
    for column, label in (("upper", "Control limits (seasonal)"), ("lower", None)):
        axes.step(frame["date"], frame[column], where="mid", color=COLOURS["alert"], linestyle=":", linewidth=1.2,
                  label=label)
    signals = frame[frame["rules"].map(bool) & ~frame["baseline"]]
    if not signals.empty:
        axes.scatter(signals["date"], signals["observed"], s=60, facecolors="none", edgecolors=COLOURS["alert"],
                     linewidths=1.5, zorder=4, label="Signal")


def label_provenance(figure, axes, measure: Measure, modelled: bool, source_y: float,
                      sources: list[str] | None = None, width: int = SOURCE_LINE_CHARACTERS,
                      badge_at: tuple[float, float] | None = None) -> float:
    """The "MODELLED DATA" badge (above the plot's top right corner, clear of the data, or at
    ``badge_at`` in the figure's coordinates: a grid of panels) and the source line every chart
    carries, ``width`` characters a line. Returns the height, as a share of the figure, that the
    source line takes beyond its first line, for the margin above it."""
    if modelled:
        target, (x, y) = (figure, badge_at) if badge_at else (axes, (1.0, 1.015))
        target.text(x, y, "MODELLED DATA", transform=target.transFigure if badge_at else axes.transAxes,
                    ha="right", va="bottom", fontsize="x-small", fontweight="bold", color="#8a3b00",
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff4e5", "edgecolor": "#8a3b00"})
    # wrapped here, not by matplotlib (wrap=True lays the text out again at every draw)
    source = textwrap.fill(_source_line(measure, modelled, sources), width)
    figure.text(0.01, source_y, source, fontsize="x-small", color="#444444", ha="left", va="bottom")
    return source.count("\n") * SOURCE_LINE_INCHES / figure.get_figheight()


def decomposition_chart(measure: Measure, result: Decomposition | NotEnoughHistory, series: pd.DataFrame) -> Chart | None:
    """Observed, trend, seasonal and remainder panels of an STL decomposition of ``series``
    (None when there is no decomposition, only the reason)."""
    if isinstance(result, NotEnoughHistory):
        return None
    modelled = bool((series["status"] == "modelled").any())
    frame = result.frame.assign(date=lambda f: pd.to_datetime(f["period_start"]))
    panels = [("observed", "Observed"), ("trend", "Trend"), ("seasonal", "Seasonal"), ("remainder", "Remainder")]
    with house_style(font_scale=0.8):
        figure, axes = plt.subplots(4, 1, figsize=(7.5, 6.6), dpi=100, sharex=True)
        for ax, (column, title) in zip(axes, panels):
            if column == "remainder":
                ax.bar(frame["date"], frame[column], width=20, color=COLOURS["series"])
                ax.axhline(0, color="#333333", linewidth=0.8)
            else:
                ax.plot(frame["date"], frame[column], color=COLOURS["series"], linewidth=1.3)
            ax.set_ylabel(title)
            ax.yaxis.set_major_formatter(plt.FuncFormatter(_tick))
            ax.axvspan(pd.Timestamp(result.quarter.start), pd.Timestamp(result.quarter.end),
                       color=COLOURS["series"], alpha=0.18, linewidth=0)
        if not result.standouts.empty:
            stand = frame[frame["period_start"].isin(result.standouts["period_start"])]
            axes[3].scatter(stand["date"], stand["remainder"], color=COLOURS["alert"], zorder=3, label="Stands out")
            axes[3].legend(loc="upper left", fontsize="small")
        axes[-1].set_xlabel("")
        axes[0].set_title(wrapped_title(f"{measure.label}: seasonal decomposition (STL)"), loc="left", fontweight="bold")
        lift = label_provenance(figure, axes[0], measure, modelled, 0.01)
        figure.subplots_adjust(left=0.12, right=0.98, top=0.95 - title_room(figure), bottom=0.1 + lift, hspace=0.15)
    plt.close(figure)
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    alt = (f"Four stacked charts decomposing monthly {measure.label} from {month_label(first)} to "
           f"{month_label(last)} into trend, seasonal pattern and remainder. The trend is "
           f"{number(round(result.trend_now))} a month at the end against {number(round(result.trend_year_ago))} "
           f"a year earlier; seasonal highs in {' and '.join(result.seasonal_high)}."
           + (" Values are modelled." if modelled else ""))
    data = pd.concat([_observed_data(measure, frame, series)] + [
        chart_data(measure, column, frame["period_start"], frame[column], DERIVED, "pcpbook STL decomposition")
        for column, _ in panels[1:]], ignore_index=True)
    return Chart(figure, alt, f"{measure.id}-decompose", data)


def trend_model_chart(measure: Measure, result: TrendResult | NotEnoughHistory, series: pd.DataFrame) -> Chart | None:
    """Observed monthly counts of ``series``, the regression's fitted values and a 95% band
    allowing for the measure's dispersion (None when there are no trend tests, only the reason)."""
    if isinstance(result, NotEnoughHistory):
        return None
    modelled = bool((series["status"] == "modelled").any())
    frame = result.fitted.assign(date=lambda f: pd.to_datetime(f["period_start"]))
    with house_style():
        figure, axes = plt.subplots(figsize=(7.5, 4.1), dpi=100)
        axes.fill_between(frame["date"], frame["lower"], frame["upper"], color=COLOURS["series"], alpha=0.18,
                          linewidth=0, label="95% band (usual variation)")
        axes.plot(frame["date"], frame["fitted"], color=COLOURS["series"], linewidth=1.4,
                  label="Fitted (trend, season, lockdowns)")
        axes.scatter(frame["date"], frame["observed"], s=8, color=COLOURS["observed"], zorder=3, label="Observed")
        covid = frame[frame["lockdown"] > 0]
        for first, (day, share) in enumerate(zip(covid["date"], covid["lockdown"])):
            axes.axvspan(day, day + pd.DateOffset(months=1), color=COLOURS["context"], alpha=0.3 * share, linewidth=0,
                         label=None if first else "Lockdown months (darker: more days)")
        axes.set_title(wrapped_title(f"{measure.label}: fitted trend"), loc="left", fontweight="bold", fontsize="medium")
        axes.set_ylabel(measure.unit.capitalize())
        axes.set_ylim(bottom=0)
        lift = label_provenance(figure, axes, measure, modelled, 0.035)
        figure.subplots_adjust(left=0.1, right=0.98, top=0.91 - title_room(figure), bottom=0.32 + lift)
        figure.legend(*axes.get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 0.09 + lift),
                      ncol=2, fontsize="small", frameon=False)
    plt.close(figure)
    model = result.model
    change = model.per_year if model.per_year is not None else model.overall
    shape = (f"a straight-line trend of {100 * (change.ratio - 1):+.1f}% a year" if model.per_year is not None
             else f"a bending trend that changed {100 * (change.ratio - 1):+.1f}% from the first 12 months to the last")
    alt = (f"Chart of monthly {measure.label} from {month_label(frame['period_start'].iloc[0])} to "
           f"{month_label(frame['period_start'].iloc[-1])} with a fitted quasi-Poisson model showing {shape}, "
           "and a 95% band; grey months are COVID-19 lockdowns, darker for more days under restrictions."
           + (" Values are modelled." if modelled else ""))
    data = pd.concat([_observed_data(measure, frame, series)] + [
        chart_data(measure, column, frame["period_start"], frame[column], DERIVED, "pcpbook quasi-Poisson trend model")
        for column in ("fitted", "lower", "upper")], ignore_index=True)
    return Chart(figure, alt, f"{measure.id}-trend", data)


def monthly_bars(measure: Measure, series: pd.DataFrame, end: dt.date, months: int = 24,
                 name_suffix: str = "bars") -> Chart:
    """The last ``months`` months up to ``end`` as bars, the latest 12 in the series colour and
    the 12 before them lighter: the two periods a strand's insight table compares."""
    first = add_months(end.replace(day=1), 1 - months)
    shown = series[(series["period_start"] >= first) & (series["period_start"] <= end)]
    dates = pd.to_datetime(shown["period_start"])
    recent = shown["period_start"] > add_months(end.replace(day=1), -12)
    modelled = bool((shown["status"] == "modelled").any())
    with house_style():
        figure, axes = plt.subplots(figsize=(7.5, 3.6), dpi=100)
        axes.bar(dates[~recent], shown.loc[~recent, "value"], width=20, color=COLOURS["context"],
                 label="The 12 months before")
        axes.bar(dates[recent], shown.loc[recent, "value"], width=20, color=COLOURS["series"],
                 label=f"12 months to {month_label(end)}")
        axes.set_title(wrapped_title(f"{measure.label}: each month"), loc="left", fontweight="bold")
        axes.set_ylabel(measure.unit.capitalize())
        axes.yaxis.set_major_formatter(plt.FuncFormatter(_tick))
        real = shown.loc[shown["status"] != "modelled", "source"].unique().tolist()
        lift = label_provenance(figure, axes, measure, modelled, 0.035, real)
        figure.subplots_adjust(left=0.1, right=0.98, top=0.9 - title_room(figure), bottom=0.25 + lift)
        figure.legend(*axes.get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 0.06 + lift),
                      ncol=2, fontsize="small", frameon=False)
    plt.close(figure)
    low, high = shown.loc[shown["value"].idxmin()], shown.loc[shown["value"].idxmax()]
    alt = (f"Bar chart of {measure.label} each month from {month_label(first)} to {month_label(end)}, the last 12 "
           f"months darker. Lowest {number(low['value'])} in {month_label(low['period_start'])}, highest "
           f"{number(high['value'])} in {month_label(high['period_start'])}."
           + (" Values are modelled." if modelled else ""))
    data = chart_data(measure, "monthly count", shown["period_start"], shown["value"], shown["status"], shown["source"])
    return Chart(figure, alt, f"{measure.id}-{name_suffix}", data)


def sparkline(measure: Measure, points: list[tuple[dt.date, float]], force: str, unit: str, modelled: bool) -> Chart:
    """The force's last 12 values (each over the 12 months to that month or quarter), small."""
    with plt.rc_context(CHART_SETTINGS):
        figure = plt.figure(figsize=(1.8, 0.5), dpi=100)
        axes = figure.add_axes((0.02, 0.1, 0.96, 0.65))
        axes.plot([d for d, _ in points], [v for _, v in points], color=COLOURS["series"], linewidth=1.2)
        axes.scatter([points[-1][0]], [points[-1][1]], s=10, color=COLOURS["alert"], zorder=3)
        axes.axis("off")
        if modelled:
            figure.text(0.98, 0.8, "modelled", fontsize=6, style="italic", color="#8a3b00", ha="right")
    plt.close(figure)
    values = [v for _, v in points]
    alt = (f"Sparkline of {force}'s {measure.label} ({unit_text(unit)}) over the 12 months to each of "
           f"{len(points)} points from {month_label(points[0][0])} to {month_label(points[-1][0])}: from "
           f"{value_text(values[0], unit)} to {value_text(values[-1], unit)} (lowest {value_text(min(values), unit)}, "
           f"highest {value_text(max(values), unit)})." + (" Values are modelled." if modelled else ""))
    data = chart_data(measure, f"{force}, 12 months to each point", [d for d, _ in points], values,
                      "modelled" if modelled else "published", "pcpbook comparison with similar forces")
    return Chart(figure, alt, f"{measure.id}-sparkline", data)


def unit_text(unit: str) -> str:
    return "percentage" if unit == "percent" else COMPARISON_UNITS[unit][1]


def value_text(value: float, unit: str) -> str:
    return f"{value:.1f}%" if unit == "percent" else f"{value:,.2f} {COMPARISON_UNITS[unit][1]}"


def _observed_data(measure: Measure, frame: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """The observed values a model's chart draws, each with the status and source of its row."""
    rows = dict(zip(map(pd.Timestamp, series["period_start"]), zip(series["status"], series["source"])))
    found = [rows.get(pd.Timestamp(day), ("modelled", measure.source)) for day in frame["period_start"]]
    return chart_data(measure, "observed", frame["period_start"], frame["observed"], [f[0] for f in found],
                      [f[1] for f in found])


def _floor(day: dt.date) -> dt.date:
    return day.replace(day=1)


def wrapped_title(text: str) -> str:
    """A chart's title on as many lines as it needs: a long label is wrapped, never cut at the
    chart's edge or run under its badge."""
    return textwrap.fill(text, TITLE_WIDTH, break_long_words=False)


def title_room(figure) -> float:
    """The share of the figure's height a wrapped title needs above the plot beyond one line."""
    lines = max(axes.get_title(loc="left").count("\n") for axes in figure.axes)
    return lines * TITLE_LINE_INCHES / figure.get_figheight()


def _shade(axes, start: dt.date, end: dt.date, colour, alpha: float, label: str) -> None:
    axes.axvspan(pd.Timestamp(start), pd.Timestamp(end), color=colour, alpha=alpha, label=label, linewidth=0)


def _mark_discontinuities(axes, measure: Measure, shown: pd.DataFrame) -> None:
    """Periods (such as lockdowns) hatched with one legend entry; single dates as labelled lines."""
    if shown.empty:
        return
    first, last = shown["date"].min(), shown["date"].max()
    labelled = set()
    for item in measure.discontinuities:
        when = pd.Timestamp(item.date)
        if item.end is not None:
            if when <= last and pd.Timestamp(item.end) >= first:
                label = "COVID-19 lockdowns" if "lockdown" in item.note.lower() else item.note
                axes.axvspan(when, pd.Timestamp(item.end), facecolor="none", edgecolor="#777777", hatch="///",
                             linewidth=0, label=None if label in labelled else label)
                labelled.add(label)
        elif first <= when <= last:
            axes.axvline(when, color="#555555", linestyle="--", linewidth=0.8)
            axes.annotate(item.note, (when, 0.02), xycoords=("data", "axes fraction"), rotation=90,
                          fontsize="x-small", color="#333333", ha="right", va="bottom")


def _series_label(measure: Measure, shown: pd.DataFrame) -> str:
    """What one point of the chart is; a percentage that is not from a survey is a rate, and a
    count the data hold quarter by quarter (the Home Office tables) a quarterly count."""
    if measure.behaviour.in_points and measure.sample_size is None:
        return "Quarterly rate (%)"
    if measure.behaviour.adds_up and _cadence(measure, shown) == "quarter":
        return "Quarterly count"
    return measure.behaviour.series_label


def _cadence(measure: Measure, shown: pd.DataFrame) -> str:
    """"month" or "quarter": the series' own period where it says (a count may come quarterly)."""
    periods = set(shown["period"]) if "period" in shown else set()
    return "quarter" if periods == {"quarter"} else measure.behaviour.cadence


def _tick(value: float, _position=None) -> str:
    """An axis label: whole numbers with separators, a step such as 2.5 with its decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _axis_label(measure: Measure) -> str:
    return "%" if measure.behaviour.in_points else measure.unit.capitalize()


def _source_line(measure: Measure, modelled: bool, sources: list[str] | None = None) -> str:
    """The sources of the values drawn: those the rows name (a real extract says where it came
    from), else the catalogue's; and whether any value is modelled."""
    status = ("Modelled data: a demonstration series calibrated to published figures, not official "
              "statistics." if modelled else "Published figures.")
    named = "; ".join(sources) if sources else measure.source
    return f"Source: {named}. {status}"


def _alt_text(measure: Measure, shown: pd.DataFrame, end: dt.date, modelled: bool) -> str:
    if shown.empty:
        return f"Empty chart: no {measure.label} data up to {month_label(end)}."
    cadence = _cadence(measure, shown)
    low, high = shown.loc[shown["value"].idxmin()], shown.loc[shown["value"].idxmax()]
    text = (f"Line chart of {measure.label} in {shown['geography'].iloc[0]} each {cadence} from "
            f"{month_label(shown['period_start'].iloc[0])} to {month_label(shown['period_start'].iloc[-1])}. "
            f"Lowest {number(low['value'])} in {month_label(low['period_start'])}, highest "
            f"{number(high['value'])} in {month_label(high['period_start'])}; "
            f"latest {number(shown['value'].iloc[-1])}.")
    if modelled:
        text += " Values are modelled."
    return text
