"""Charts on a phone: each chart outside a table is also drawn for a narrow screen, where every
word is at least the size of the page's body text (16 px) and nothing is cut off at an edge."""

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from conftest import DATA, PHONE_CONTENT_PX
from pcpbook.contracts.dataset import load
from pcpbook.core.periods import Quarter
from pcpbook.present import figures, phone, sections
from pcpbook.stats import decompose

matplotlib.use("Agg")
BODY_TEXT_PX = 16


@pytest.fixture(scope="module")
def dataset():
    return load(DATA)


def charts(dataset):
    quarter = Quarter(2020, 4)
    for measure_id in ("total_recorded_crime", "public_confidence", "ksi_casualties"):
        measure, series = dataset.measures[measure_id], dataset.monthly(measure_id, quarter.end)
        yield figures.trend_chart(measure, series, quarter)
    burglary = dataset.monthly("residential_burglary", quarter.end)
    yield figures.decomposition_chart(dataset.measures["residential_burglary"], decompose(burglary, quarter), burglary)


def words(figure):
    """Every piece of text the chart draws: a tick's label only where the tick is within the
    axis's range (matplotlib keeps, but does not draw, the others)."""
    ticks = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            ticks |= {id(tick.label1) for tick in axis.get_major_ticks() if not low <= tick.get_loc() <= high}
    return [text for text in figure.findobj(Text)
            if text.get_visible() and text.get_text().strip() and id(text) not in ticks]


def test_every_word_of_a_phone_chart_is_at_least_body_text_size_and_inside_the_image(dataset):
    for chart in charts(dataset):
        phone.phone_layout(chart.figure)
        renderer = FigureCanvasAgg(chart.figure).get_renderer()
        chart.figure.draw(renderer)
        width, height = chart.figure.bbox.width, chart.figure.bbox.height
        shown_at = min(1, PHONE_CONTENT_PX / width)  # the share of its size the image is shown at
        for text in words(chart.figure):
            assert text.get_fontsize() * phone.DPI / 72 * shown_at >= BODY_TEXT_PX, (chart.name, text.get_text())
            box = text.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, (
                chart.name, text.get_text())


def test_a_note_written_on_the_plot_moves_to_the_legend(dataset):
    quarter = Quarter(2021, 4)  # the KSI chart marks the date COVID-19 legal restrictions ended
    chart = figures.trend_chart(dataset.measures["ksi_casualties"], dataset.monthly("ksi_casualties", quarter.end),
                                quarter)
    notes = [text.get_text() for text in chart.figure.axes[0].texts if text.get_rotation() == 90]
    assert notes
    phone.phone_layout(chart.figure)
    legend = " ".join(" ".join(t.get_text().split()) for t in chart.figure.legends[0].get_texts())
    assert all(note in legend for note in notes)
    assert not [text for text in chart.figure.axes[0].texts if text.get_rotation() == 90]


def test_a_page_names_both_layouts_of_a_chart_and_they_share_one_alt_text_and_csv(dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quarter = Quarter(2020, 4)
    chart = figures.trend_chart(dataset.measures["total_recorded_crime"],
                                dataset.monthly("total_recorded_crime", quarter.end), quarter)
    markdown = sections.save_figure(chart, "p01")
    assert markdown.count("```{image}") == 2 and markdown.count(f":alt: {chart.alt}") == 2
    assert ":class: pcp-wide" in markdown and ":class: pcp-phone" in markdown
    assert markdown.count("(CSV)") == 1
    wide, narrow = tmp_path / "figures/p01-total_recorded_crime.png", tmp_path / "figures/p01-total_recorded_crime-phone.png"
    assert wide.stat().st_size > 10_000 and narrow.stat().st_size > 10_000
