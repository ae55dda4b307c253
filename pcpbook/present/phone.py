"""A chart laid out again for a phone: narrower, every word at least the size of the page's
body text when the image is shown at a 390 px screen's width, titles and source lines wrapped
to fit, fewer date ticks, the legend in one column under the plot.

The desktop chart is drawn first and written; this module then reshapes the same figure, so
the two images show the same data by construction."""

from __future__ import annotations

import math
import textwrap

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

DPI = 100
WIDTH_INCHES = 3.6  # 360 px: a 390 px screen less the page's margins, so shown at full size
SMALLEST_POINTS = 12  # 16.7 px at 100 dpi: the body text of the page is 16 px
TITLE_CHARACTERS = 26  # a title line at this size, bold, across the plot from its left edge
SOURCE_CHARACTERS = 36  # a source line at this size across the figure
LEGEND_CHARACTERS = 30  # a legend label beside its key
DATE_TICKS = 4
BADGE = "MODELLED DATA"
PANEL_INCHES = 2.4  # a plot's height with its ticks; one of several stacked panels: less
STACKED_PANEL_INCHES = 1.8
TITLE_LINE_INCHES = 1.3 * (SMALLEST_POINTS + 2) / 72  # a line of a title at its size on a phone
TITLE_ROOM_INCHES = 0.45  # above a title's lines: the badge's line and the gap
HEAD_INCHES = 1.1  # the wrapped title and the badge's line above the first plot
GAP_INCHES = 0.1
NOTE_COLOUR = "#555555"  # a dated note's line (figures._mark_discontinuities)


def phone_layout(figure) -> None:
    """Reshape ``figure`` (drawn for a desktop page) for a phone, in place."""
    panels = [axes for axes in figure.axes if axes.get_visible()]
    figure.set_size_inches(WIDTH_INCHES, figure.get_figheight(), forward=False)
    figure.set_dpi(DPI)
    for text in figure.findobj(Text):
        text.set_fontsize(max(text.get_fontsize(), SMALLEST_POINTS))
    for axes in panels:
        _fewer_date_ticks(axes)
        _rewrap_title(axes)
    for text in figure.texts:  # the source line
        text.set_text(_rewrap(text.get_text(), SOURCE_CHARACTERS))
    _badge_above_plot(figure)
    notes = [handle for axes in panels for handle in _notes_to_legend(axes)]
    _lay_out(figure, len(panels), notes)


def _rewrap(text: str, width: int) -> str:
    return textwrap.fill(" ".join(text.split()), width, break_long_words=False)


def _rewrap_title(axes) -> None:
    title = axes.get_title(loc="left")
    if title:
        axes.set_title(_rewrap(title, TITLE_CHARACTERS), loc="left", fontweight="bold",
                       fontsize=max(SMALLEST_POINTS + 1, axes.title.get_fontsize()))


def _fewer_date_ticks(axes) -> None:
    """A date axis keeps a few well-spaced ticks (every year, or every second or third); another
    axis keeps its own, fewer."""
    if not isinstance(axes.xaxis.get_major_locator(), mdates.DateLocator):
        axes.locator_params(axis="x", nbins=DATE_TICKS)
        return
    first, last = axes.get_xlim()
    years = (last - first) / 365.25
    if years >= DATE_TICKS - 1:
        axes.xaxis.set_major_locator(mdates.YearLocator(base=math.ceil(years / DATE_TICKS)))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.MonthLocator(interval=max(1, math.ceil(12 * years / DATE_TICKS)))
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _badge_above_plot(figure) -> None:
    """The modelled-data badge moves from beside the title to its own line above the plot, on
    the left: on a phone the title takes the plot's width."""
    for axes in figure.axes:
        for text in axes.texts:
            if text.get_text() == BADGE:
                text.set_position((0.0, 1.02))
                text.set_horizontalalignment("left")
                axes.set_title(axes.get_title(loc="left"), loc="left", fontweight="bold",
                               fontsize=axes.title.get_fontsize(), pad=3 * SMALLEST_POINTS)


def _notes_to_legend(axes) -> list[Line2D]:
    """Words written on the plot move to the legend: a dated note (drawn upright beside its
    dashed line) becomes a legend entry; the names beside a funnel's points, which crowd one
    another at this size, are left to the table beside the chart, but the force's own (bold)."""
    moved = []
    for text in list(axes.texts):
        if text.get_text() == BADGE or text.get_fontweight() == "bold":
            continue
        if text.get_rotation() == 90:
            moved.append(Line2D([], [], color=NOTE_COLOUR, linestyle="--", linewidth=0.8, label=text.get_text()))
        text.remove()
    return moved


def _lay_out(figure, panels: int, notes: list[Line2D]) -> None:
    """Source line at the foot, the legend in one column above it, the plots above that, each
    ``PANEL_INCHES`` high: the figure's height is what these measure (wrapped texts differ in
    height from chart to chart)."""
    renderer = FigureCanvasAgg(figure).get_renderer()  # a closed figure keeps no canvas of its own
    legends = [_one_column(figure, legend, notes) for legend in list(figure.legends)]
    below = [(text, text.get_window_extent(renderer).height) for text in figure.texts + legends]
    foot = sum(height for _, height in below) / DPI + GAP_INCHES * (len(below) + 1)
    lines = max((axes.get_title(loc="left").count("\n") + 1 for axes in figure.axes if axes.get_title(loc="left")),
                default=0)
    head = max(HEAD_INCHES, lines * TITLE_LINE_INCHES + TITLE_ROOM_INCHES)  # a long label's title gets its room
    figure.set_size_inches(WIDTH_INCHES, foot + panels * (PANEL_INCHES if panels == 1 else STACKED_PANEL_INCHES) + head,
                           forward=False)
    bottom = GAP_INCHES
    for item, height in below:  # the source lines first, from the foot up, then the legends
        if isinstance(item, Legend):
            item.set_bbox_to_anchor((0.01, bottom / figure.get_figheight()), transform=figure.transFigure)
        else:
            item.set_position((0.03, bottom / figure.get_figheight()))
            item.set_verticalalignment("bottom")
        bottom += height / DPI + GAP_INCHES
    for legend in legends:
        legend.set_in_layout(False)
    figure.tight_layout(rect=(0, bottom / figure.get_figheight(), 1, 1), h_pad=0.6)


def _one_column(figure, legend, notes: list[Line2D]) -> Legend:
    """The legend again, in one column with its labels wrapped, and the plot's notes added."""
    handles = list(legend.legend_handles) + notes
    labels = [_rewrap(text.get_text(), LEGEND_CHARACTERS) for text in legend.get_texts()]
    labels += [_rewrap(note.get_label(), LEGEND_CHARACTERS) for note in notes]
    legend.remove()
    return figure.legend(handles, labels, loc="lower left", ncol=1, frameon=False, fontsize=SMALLEST_POINTS)
