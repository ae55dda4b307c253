"""The notebook cache keeps every figure an executed notebook shows or links, whatever Markdown
form refers to it, so a chapter restored from the cache builds without a missing image."""

import json

import nbformat

from conftest import FakeChart
from pcpbook.build import cache
from pcpbook.present import sections


def test_every_figure_a_notebook_shows_or_links_is_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    chart = FakeChart("Bar chart of burglary: A&E <50%")
    shown = sections.save_figure(chart, "2021-2024-p01") + sections.save_figure(chart, "p02", inline=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": shown})])])
    path = tmp_path / "p01.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert cache._figures_of(path) == ["figures/2021-2024-p01-burglary-bars-phone.png",  # a chart's phone layout too
                                       "figures/2021-2024-p01-burglary-bars.csv", "figures/2021-2024-p01-burglary-bars.png",
                                       "figures/p02-burglary-bars.csv", "figures/p02-burglary-bars.png"]
