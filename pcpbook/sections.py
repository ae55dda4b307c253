"""The pieces pages are built of: a measure's block (its name, chart and sentences) and a chart
saved as a PNG beside the notebook, referenced from Markdown so that it carries its own alt text."""

from __future__ import annotations

from pathlib import Path

from .figures import Chart
from .render import escape_markdown

FIGURE_DIR = Path("figures")


def save_figure(chart: Chart, prefix: str) -> str:
    """Write the chart as ``figures/<prefix>-<chart name>.png``; the Markdown image with its alt text."""
    path = FIGURE_DIR / f"{prefix}-{chart.name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # margins are set by the chart (one draw, not two); light compression writes much faster
    chart.figure.savefig(path, pil_kwargs={"compress_level": 1})
    return f"![{escape_markdown(chart.alt)}]({path.as_posix()})\n\n"


def measure_block(label: str, figure: str, sentences: list[str]) -> str:
    """A measure's part of a page: its name, its chart and what the data say."""
    return f"**{escape_markdown(label)}**\n\n{figure}" + "\n".join(f"- {escape_markdown(s)}" for s in sentences)
