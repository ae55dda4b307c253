"""Charts: the source line stays inside the chart however long the source's name."""

import dataclasses
import datetime as dt

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from pcpbook.core.periods import Quarter, add_months
from pcpbook.present import figures


def _series(months: int) -> pd.DataFrame:
    starts = [add_months(dt.date(2019, 4, 1), n) for n in range(months)]
    return pd.DataFrame({"period_start": starts, "value": [100 + n % 12 for n in range(months)],
                         "status": "published", "source": "police.uk street-level crime", "geography": "Testshire"})


def test_a_long_source_line_wraps_inside_the_chart(dataset):
    burglary = dataset.measures["burglary"]
    long_source = "; ".join(f"Police force data extract number {n} with a long descriptive name" for n in range(6))
    measure = dataclasses.replace(burglary, source=long_source)
    series = _series(60).assign(source=long_source)
    chart = figures.trend_chart(measure, series, Quarter.parse("2023-24-Q4"))
    renderer = FigureCanvasAgg(chart.figure).get_renderer()
    source = next(t for t in chart.figure.texts if t.get_text().startswith("Source:"))
    assert source.get_text().count("\n") >= 2
    assert source.get_window_extent(renderer).x1 <= chart.figure.bbox.x1


def test_the_modelled_badge_and_a_two_line_source_keep_clear_of_the_data_and_the_legend(dataset):
    quarter = Quarter.parse("2023-24-Q4")
    online = dataset.measures["online_crime_reports"]  # modelled, and a source name long enough for two lines
    chart = figures.trend_chart(online, dataset.monthly("online_crime_reports", quarter.end), quarter)
    renderer = FigureCanvasAgg(chart.figure).get_renderer()
    axes = chart.figure.axes[0]
    badge = next(t for t in axes.texts if t.get_text() == "MODELLED DATA")
    source = next(t for t in chart.figure.texts if t.get_text().startswith("Source:"))
    legend = chart.figure.legends[0]
    assert source.get_text().count("\n") == 1
    assert badge.get_window_extent(renderer).y0 >= axes.get_window_extent(renderer).y1
    assert legend.get_window_extent(renderer).y0 > source.get_window_extent(renderer).y1
    assert legend.get_window_extent(renderer).y1 <= axes.get_tightbbox(renderer).y0  # below the tick labels


def test_axis_labels_keep_the_decimal_of_a_half_step():
    assert [figures._tick(v) for v in (0, 2.5, 5.0, 7.5, 12000)] == ["0", "2.5", "5", "7.5", "12,000"]


def test_a_percentage_that_is_not_from_a_survey_is_drawn_as_a_rate(dataset):
    rates = [m for m in dataset.measures.values() if m.behaviour.in_points]
    labels = {m.id: figures._series_label(m, pd.DataFrame()) for m in rates}
    assert labels["crime_solved_rate"] == "Quarterly rate (%)"
    assert {labels[m.id] for m in rates if m.sample_size} == {"Quarterly survey result (%)"}
    # a count the data hold only quarter by quarter (the Home Office tables) is a quarterly count
    quarters = pd.DataFrame({"period_start": [dt.date(2017, 4, 1)], "period": ["quarter"]})
    assert figures._series_label(dataset.measures["burglary"], quarters) == "Quarterly count"
