"""The Jupyter Book step: a staged book's config, contents and "how it was made" page, the HTML
build with warnings as errors (and its reasons when it fails), the print edition, and the record
of what was built."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import Executor
from importlib import metadata
from pathlib import Path

import yaml

from pcpbook.build.book_kinds import BOOK_KINDS
from pcpbook import __version__

from pcpbook.present import book

from pcpbook.build import print_page, printing, sphinxrun

from pcpbook.contracts import settings
from pcpbook.build.buildspec import RECORDED_PACKAGES, BuildError, EditionPlan
from pcpbook.core.periods import fy_label, month_label
from pcpbook.core.render import Raw, code, escape_html, markdown_table, one_line, plain_text
from pcpbook.core.resources import STATIC, THEME

PRINT_PAGE = "print-edition.html"  # the page printed, for the time of the print only


def write_book_files(project: settings.Project, planned: EditionPlan, base_url: str) -> None:
    """The staged book's config (title, version, theme) and table of contents. Quarterly
    editions carry the version switcher; a closure review stands on its own."""
    stage = planned.stage
    shutil.copytree(STATIC, stage / "_static", dirs_exist_ok=True)
    config = copy.deepcopy(project.config)  # the project's settings, read once for the build
    config["title"] = one_line(planned.title)  # escaped in every page by the book's Sphinx extension
    config["execute"]["execute_notebooks"] = "off"
    config.pop("pcpbook", None)  # the project's own settings, not the book's
    # readers get the book and its PDF, not the notebooks (analysts have the repository and the chart data)
    theme = {"check_switcher": False, "use_download_button": False, "home_page_in_toc": True}
    sidebar = ["pcp-home.html", "sbt-sidebar-nav.html"]  # the title and the way home; search: the header's
    if BOOK_KINDS[planned.kind].in_switcher:  # an older edition says a newer one exists (static/pcpbook.js)
        theme |= {"switcher": {"json_url": f"{base_url}switcher.json", "version_match": planned.name}}
        sidebar.insert(1, "version-switcher")
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx.update({"version": planned.version, "release": f"{planned.name} v{planned.version}",
                   "html_theme_options": theme, "html_sidebars": {"**": sidebar},
                   "html_context": {"default_mode": "auto",  # light or dark as the reader's system asks
                                    "pcp_home": base_url},
                   "templates_path": [str(THEME)],
                   "html_favicon": "_static/favicon.svg",
                   "myst_heading_anchors": 2})  # "#progress-on-commitments": the main points link their sections
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    short = (f"Closure review {planned.plan.id}" if planned.is_review else
             f"Scrutiny paper {planned.quarter.label}" if planned.is_paper else f"{planned.quarter.label} update")
    footer = f"{short}, version {planned.version}"
    (stage / "_static" / printing.PRINT_CSS).write_text(printing.page_css(project.own.marking, footer),
                                                        encoding="utf-8")
    contents = (book.paper_toc(planned.strategy_id) if planned.is_paper
                else book.closure_toc(planned.plan) if planned.is_review
                else book.toc(planned.plan, planned.quarter, build_page=True))
    book.write_toc(planned.plan, stage / "_toc.yml", contents)


def write_build_page(root: Path, planned: EditionPlan, timings: dict) -> None:
    """The book's "How this ... was made" page: versions, inputs, packages, timings. Notes and
    titles pass through the rendering gate like every other text."""
    quarter, noun = planned.quarter, planned.kind
    what = (("Review", f"{fy_label(planned.plan.baseline_year)} against {fy_label(planned.plan.end_year)}")
            if planned.is_review else (noun.capitalize(), f"{quarter.label} ({quarter.month_span})"))
    facts = [["Item", "Detail"], list(what), ["Plan", planned.plan.title],
             ["Version", planned.version], ["Produced", dt.date.today().strftime("%d %B %Y")],
             ["Data to", month_label(planned.data_to)], ["Code version", code_version(root)],
             ["pcpbook", __version__], ["Python", sys.version.split()[0]],
             [f"Data seen by this {noun} (sha256)", code(planned.inputs["data"])],
             ["Commentary returns (sha256)", code(planned.inputs["commentary"])],
             ["Chapters and library (sha256)", code(planned.inputs["code"])],
             ["Data behind the charts", Raw(f'<a href="../{escape_html(book.chart_data_file(planned.name))}">'
                                            f'{escape_html(book.chart_data_file(planned.name))}</a> (the CSV of every '
                                            'chart; each chart also links its own)')],
             ["Pages from a local fork", ", ".join(planned.forks) + " (an analyst's own notebook, not the template)"
              if planned.forks else "none: every page is made from its template"]]
    history = [["Version", "Date", "Change", "In detail"]] + [[h["version"], h["date"], h["change"], h.get("detail", "")]
                                                           for h in planned.history]
    packages = [["Package", "Version"]] + [[name, metadata.version(name)] for name in RECORDED_PACKAGES]
    steps = [["Step", "Seconds"]] + [[step, f"{seconds:.1f}"] for step, seconds in timings.items()
                                     if step != "jupyter-book"]
    parts = [f"# How this {noun} was made",
             f"Every number in this {noun} is computed from the data by the code identified below. "
             f"Rebuilding with the same inputs gives the same {noun}.",
             markdown_table(facts), f"## Versions of this {noun}", markdown_table(history),
             "## Packages", markdown_table(packages), "## Timings", markdown_table(steps)]
    (planned.stage / book.BUILD_PAGE).write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def print_edition(project: settings.Project, planned: EditionPlan, single: Path, html_dir: Path,
                  printer: printing.Printer) -> float:
    """Print the book's single-page build to ``<book>/<name>.pdf``; seconds taken. The page is
    printed from the HTML build's top folder, whose static files and images its links name (the
    single-page build copies none: sphinxext.PrintPageBuilder), and removed after."""
    started = time.perf_counter()
    page = html_dir / PRINT_PAGE
    html = (single / f"{_root_page(planned.stage)}.html").read_text(encoding="utf-8")
    page.write_text(print_page.print_page(html, cover(project, planned)), encoding="utf-8")
    try:
        printed = printer.print(page, html_dir / planned.print_file,
                                lambda outline: print_page.with_page_numbers(page.read_text(encoding="utf-8"), outline))
        printing.retitle_bookmarks(printed, print_page.bookmark_titles(page.read_text(encoding="utf-8")))
    except printing.PrintError as exc:
        raise BuildError(f"print edition of {planned.name}: {exc}") from None
    finally:
        page.unlink()
    return time.perf_counter() - started


def cover(project: settings.Project, planned: EditionPlan) -> print_page.Cover:
    """The print edition's cover: the force, the plan (or strategy), what the book is, and the
    facts a filed copy needs."""
    facts = (("Data to", month_label(planned.data_to)), ("Version", planned.version),
             ("Produced", dt.date.today().strftime("%d %B %Y")),
             ("Published by", str(project.config.get("author") or planned.force)),
             ("Marking", project.own.marking))
    notice = "Includes modelled demonstration data: these are not official statistics." if planned.modelled else ""
    return print_page.Cover(planned.force, planned.strategy or planned.plan.title,
                            BOOK_KINDS[planned.kind].subtitle(planned), facts, notice, planned.kind)


def write_chart_data(planned: EditionPlan, html_dir: Path) -> dict:
    """One zip of every chart's data (the CSV beside each chart's PNG), in the book's folder;
    what it holds, for the book's record."""
    files = sorted((planned.stage / book.CHAPTERS).rglob("figures/*.csv"))
    target = html_dir / book.chart_data_file(planned.name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:  # a fixed date: the same data give the same zip
            info = zipfile.ZipInfo(path.relative_to(planned.stage / book.CHAPTERS).as_posix(), (2000, 1, 1, 0, 0, 0))
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return {"file": target.name, "charts": len(files), "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}


MAIN_POINTS_TAG = "main-points"  # the template cell whose first point the landing page and feed give


def main_point(stage: Path) -> str:
    """The first main point of the book's executed root page, as plain text ("" when its
    template has no cell tagged ``main-points``)."""
    notebook = json.loads((stage / f"{_root_page(stage)}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if MAIN_POINTS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            first = next((line[2:] for line in markdown.splitlines() if line.startswith("- ")), "")
            return plain_text(first)
    return ""


def write_index_redirect(html_dir: Path, stage: Path) -> None:
    """The book's ``index.html``: the redirect to its first page that Jupyter Book writes, as a
    whole page with the book's icon, so a browser arriving there does not ask the server for
    ``/favicon.ico`` (a 404 every reader's console shows)."""
    target = escape_html(f"{_root_page(stage)}.html")
    (html_dir / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}"><link rel="icon" href="_static/favicon.svg">'
        f'<title>Redirecting</title></head><body><p><a href="{target}">Continue to the book</a></p></body></html>\n',
        encoding="utf-8")


def _root_page(stage: Path) -> str:
    """The staged book's first page, as its table of contents names it."""
    return yaml.safe_load((stage / "_toc.yml").read_text(encoding="utf-8"))["root"]


def run_jupyter_book(pool: Executor, stage: Path, verbose: bool, builders: tuple[str, ...] = ("html",)) -> Path:
    """Build the staged book with each of ``builders`` (warnings are errors) in one of
    ``pool``'s processes (sphinxrun.builder_pool); the build folder."""
    failed, said = pool.submit(sphinxrun.build_book, str(stage), builders).result()
    if verbose:
        print(said[-4000:])
    if failed:
        log = stage.parent.parent / "failed" / f"{stage.name}-jupyter-book-{failed}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(said, encoding="utf-8")
        raise BuildError(f"Jupyter Book build of {stage.name} failed (warnings are errors); log in "
                         f"{log}:\n" + "\n".join(reasons(said)))
    return stage / "_build"


def reasons(output: str, most: int = 20) -> list[str]:
    """What went wrong in a Jupyter Book run: its warnings and errors, and for a CRITICAL
    failure the lines that follow it (Jupyter Book puts the reason there), or the last lines."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip() for line in output.splitlines() if line.strip()]
    found = [line for line in lines if "WARNING" in line or "ERROR" in line]
    for index, line in enumerate(lines):
        if "CRITICAL" in line or "Traceback" in line:
            found += lines[index:index + 8]
    return (found or lines[-8:] or ["(no output)"])[:most]


def code_version(root: Path) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=10)
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_record(html_dir: Path, project: settings.Project, planned: EditionPlan, timings: dict,
                 chart_data: dict) -> None:
    """``edition.json`` (or ``review.json``): what was built, from what, with what, and its main
    point for the landing page and the feed."""
    plan, root = planned.plan, project.root
    record = {
        **BOOK_KINDS[planned.kind].identity(planned), "plan": plan.id, "plan_title": plan.title,
        "force": planned.force, "publisher": str(project.config.get("author") or planned.force),
        "main_point": main_point(planned.stage),
        "version": planned.version, "produced": dt.date.today().isoformat(), "data_to": month_label(planned.data_to),
        "inputs": planned.inputs, "inputs_sha256": planned.inputs_sha256, "history": planned.history,
        "modelled_data": planned.modelled, "print_edition": planned.print_file or None, "chart_data": chart_data,
        "contents": planned.contents,
        "pcpbook": __version__, "code_version": code_version(root), "python": sys.version.split()[0],
        "packages": {name: metadata.version(name) for name in RECORDED_PACKAGES},
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    (html_dir / planned.record_file).write_text(json.dumps(record, indent=2), encoding="utf-8")
