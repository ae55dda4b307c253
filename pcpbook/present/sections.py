"""The pieces pages are built of: a measure's block (its name, chart and sentences) and a chart
saved as a PNG beside the notebook, referenced from Markdown so that it carries its own alt text."""

from __future__ import annotations

from pathlib import Path

from pcpbook.core.outputs import slug, write_frame
from pcpbook.core.render import escape_markdown, one_line
from pcpbook.present.figures import Chart

FIGURE_DIR = Path("figures")
DATA_LINK = "Data for this chart (CSV)"


def save_figure(chart: Chart, prefix: str, inline: bool = False) -> str:
    """Write the chart as ``figures/<prefix>-<chart name>.png`` and the values it draws beside it
    as ``.csv``; the Markdown image with its alt text and a link to its data (on one line when
    ``inline``, for a table cell). A chart outside a table is also written laid out for a phone
    (``-phone.png``): the page shows that one on a narrow screen, the other everywhere else and
    in print (``static/pcpbook.css``)."""
    path = FIGURE_DIR / f"{slug(prefix, chart.name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    chart.write_png(path)
    data = write_frame(path.with_suffix(".csv"), chart.data)
    link = f"[{DATA_LINK}]({data.as_posix()})"
    if inline:  # a table cell holds no directive; MyST keeps only the plain characters of this alt text
        return f"![{escape_markdown(chart.alt)}]({path.as_posix()}) {link}"
    phone = path.with_name(f"{path.stem}-phone.png")
    chart.write_phone_png(phone)
    return _image(path, chart.alt, "pcp-wide") + _image(phone, chart.alt, "pcp-phone") + f"{link}\n\n"


def _image(path: Path, alt: str, kind: str) -> str:
    """An image directive: a directive's option is text, not Markdown, so the alt text reaches
    the page as typed, escaped by Sphinx; the hidden one of a pair is not fetched (lazy)."""
    return f"```{{image}} {path.as_posix()}\n:alt: {one_line(alt)}\n:class: {kind}\n:loading: lazy\n```\n\n"


MODELLED_TAGS = {"all": " · *modelled data*", "some": " · *partly modelled data*",
                 "any": " · *modelled data, in whole or in part*", "none": ""}


def measure_block(label: str, figure: str, sentences: list[str], modelled: str = "none") -> str:
    """A measure's part of a page: its name (tagged when ``all``, ``some`` or, not knowing which,
    ``any`` of its figures are modelled, so every sentence under it is labelled, not only the
    chart), its chart and what the data say."""
    return (f"**{escape_markdown(label)}**{MODELLED_TAGS[modelled]}\n\n{figure}"
            + "\n".join(f"- {escape_markdown(s)}" for s in sentences))


def modelled_share(series) -> str:
    """"all", "some" or "none" of a series' figures modelled."""
    modelled = series["status"] == "modelled"
    return "all" if len(series) and modelled.all() else "some" if modelled.any() else "none"
