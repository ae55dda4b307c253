"""The print edition: a book's single-page HTML build printed to one PDF by headless Chromium,
with the sensitivity marking at the top and foot of every page and numbered pages (CSS
``@page`` margin boxes), so a scrutiny panel can print and page-reference it.
Made offline: Chromium reads the local files and nothing else."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_HINT = "install Debian's chromium package (apt-get install chromium) or set PCPBOOK_CHROMIUM"
PRINT_CSS = "print-edition.css"
PRINT_TIMEOUT_SECONDS = 180
NOT_A_LOCAL_FILE = re.compile(r"^(?!file:)")  # every request but the book's own files is refused
# besides, no host name resolves, so nothing the page links (the theme's MathJax on a CDN) can be fetched
CHROMIUM_ARGUMENTS = ["--disable-gpu", "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--disable-extensions",
                      "--host-resolver-rules=MAP * ~NOTFOUND"]


Repaginate = Callable[[list[tuple[str, int]]], str]  # a printed outline -> the page to print again


class PrintError(Exception):
    """Chromium failed to print the book."""


def find_chromium() -> str | None:
    """``PCPBOOK_CHROMIUM`` if set, else the first Chromium or Chrome on the PATH."""
    chosen = os.environ.get("PCPBOOK_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def page_css(marking: str, footer: str) -> str:
    """A4 pages with ``marking`` centred at top and foot, ``footer`` (a short name of the
    book and its version) at the foot left and "Page n of N" at the foot right. Links to the print edition are not
    printed in it."""
    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    small = "font-family: sans-serif; font-size: 8pt; color: #333;"
    return f"""/* Print edition page furniture (written by pcpbook). */
@page {{
  size: A4;
  margin: 20mm 16mm 20mm 16mm;
  @top-center {{ content: {text(marking)}; font-family: sans-serif; font-size: 10pt; font-weight: bold; }}
  @bottom-center {{ content: {text(marking)}; font-family: sans-serif; font-size: 10pt; font-weight: bold; }}
  @bottom-left {{ content: {text(footer)}; {small} }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {small} }}
}}
@media print {{
  .pcp-print-link, .pcp-chart-data {{ display: none; }}
  #jb-print-docs-body, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer, .bd-footer-content {{
    display: none !important; }}
  .bd-main, .bd-main .bd-content, .bd-main .bd-content .bd-article-container, .bd-page-width, .bd-article {{
    max-width: none !important; }}
  p:has(> strong:only-child) {{ break-after: avoid; }}  /* a measure's name stays with its chart */
  .pcp-cover {{ break-after: page; padding-top: 45mm; }}
  .pcp-cover-force {{ font-size: 14pt; font-weight: bold; margin: 0 0 6mm; }}
  .pcp-cover-title {{ font-size: 26pt; font-weight: bold; line-height: 1.15; margin: 0 0 4mm; }}
  .pcp-cover-subtitle {{ font-size: 16pt; margin: 0 0 14mm; }}
  .bd-article table.pcp-cover-facts {{ width: auto; margin: 0; font-size: 11pt; }}
  .bd-article .pcp-cover-facts th, .bd-article .pcp-cover-facts td {{ border: none; background: none; padding: 1mm 8mm 1mm 0; }}
  .bd-article .pcp-cover-facts th {{ text-align: left; font-weight: normal; color: #444; }}
  .pcp-cover-notice {{ margin-top: 10mm; font-weight: bold; }}
  .pcp-print-contents {{ break-after: page; }}
  .pcp-contents-title {{ font-size: 20pt; font-weight: bold; }}
  .pcp-print-contents ol {{ list-style: none; padding: 0; }}
  .pcp-print-contents li {{ display: flex; gap: 2mm; margin: 0 0 2.5mm; font-size: 11pt; }}
  .pcp-print-contents li a {{ color: inherit; text-decoration: none; }}
  .pcp-print-contents li::after {{ content: ""; order: 1; flex: 1; border-bottom: 1px dotted #888; margin-bottom: 1mm; }}
  .pcp-contents-page {{ order: 2; }}
  span[id^="document-"] + section {{ break-before: page; }}  /* each chapter on a new page */
  .pst-scrollable-table-container, .table-wrapper {{ overflow: visible !important; }}
  table {{ font-size: 8.5pt; width: 100%; }}
  img {{ max-width: 100%; break-inside: avoid; }}
  .bd-main .bd-content table {{ break-inside: auto !important; }}  /* the theme keeps a table whole: pages left empty */
  .bd-main .bd-content .bd-article h1:first-of-type {{ display: block !important; }}  /* the theme hides it */
  tr, figure {{ break-inside: avoid; }}
  h1, h2, h3, h4 {{ break-after: avoid; break-inside: avoid; }}
  details.pcp-long > summary {{ display: none; }}  /* on paper a long return is printed whole, once */
}}
"""


class Printer:
    """One headless Chromium for a whole build, started at the first print and driven by
    Playwright from an event loop in a thread of its own: each book is printed in a new page,
    so Chromium starts once per build rather than once per book (about 1 CPU-second each).
    Every request that is not for a local file is refused, and a print that takes longer
    than ``timeout`` seconds fails with a PrintError."""

    def __init__(self, chromium: str, timeout: int = PRINT_TIMEOUT_SECONDS):
        self.chromium, self.timeout = chromium, timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pcpbook-printer", daemon=True)
        self._thread.start()
        self._started = None  # the browser's start, once asked for

    def __enter__(self) -> "Printer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def print(self, html_file: Path, pdf: Path, repaginate: Repaginate | None = None) -> Path:
        """Print ``html_file`` to ``pdf``, tagged and with bookmarks; safe to call from any thread.
        With ``repaginate``, the page is printed twice: after the first printing ``repaginate``
        is given its outline (each bookmark's title and page) and returns the page to print
        again (a contents with page numbers, which Chromium cannot number itself)."""
        job = self._print(Path(html_file), Path(pdf), repaginate)
        return asyncio.run_coroutine_threadsafe(job, self._loop).result()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _print(self, html_file: Path, pdf: Path, repaginate: Repaginate | None) -> Path:
        from playwright.async_api import Error as PlaywrightError
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.unlink(missing_ok=True)
        browser = await self._browser()
        page = await browser.new_page(java_script_enabled=False)  # a print needs no script: about 0.3 s less
        try:
            await page.route(NOT_A_LOCAL_FILE, lambda route: route.abort())
            await asyncio.wait_for(self._render(page, html_file, pdf, repaginate), self.timeout)
        except asyncio.TimeoutError:
            raise PrintError(f"Chromium did not finish printing {html_file} within {self.timeout} s") from None
        except PlaywrightError as exc:
            raise PrintError(f"Chromium could not print {html_file}: {_first_line(exc)}") from None
        finally:
            await page.close()
        if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
            raise PrintError(f"Chromium printed no PDF from {html_file}")
        return pdf

    @staticmethod
    async def _render(page, html_file: Path, pdf: Path, repaginate: Repaginate | None) -> None:
        async def printed() -> bytes:
            await page.goto(html_file.resolve().as_uri(), wait_until="load", timeout=0)
            return await page.pdf(prefer_css_page_size=True, print_background=True, outline=True, tagged=True)

        document = await printed()
        if repaginate is not None:
            html_file.write_text(repaginate(outline(document)), encoding="utf-8")
            document = await printed()
        pdf.write_bytes(document)

    async def _browser(self):
        if self._started is None:
            self._started = asyncio.ensure_future(self._launch())
        return (await asyncio.shield(self._started))[1]

    async def _launch(self):
        from playwright.async_api import Error as PlaywrightError, async_playwright
        playwright = await async_playwright().start()
        try:
            browser = await playwright.chromium.launch(executable_path=self.chromium, args=CHROMIUM_ARGUMENTS,
                                                       timeout=self.timeout * 1000)
        except PlaywrightError as exc:
            await playwright.stop()
            raise PrintError(f"Chromium ({self.chromium}) did not start: {_first_line(exc)}") from None
        return playwright, browser

    async def _stop(self) -> None:
        if self._started is None:
            return
        try:
            playwright, browser = await self._started
        except PrintError:
            return
        await browser.close()
        await playwright.stop()


def print_to_pdf(html_file: Path, pdf: Path, chromium: str, timeout: int = PRINT_TIMEOUT_SECONDS) -> Path:
    """Print one page with a Chromium of its own (see Printer)."""
    with Printer(chromium, timeout) as printer:
        return printer.print(html_file, pdf)


def outline(document: bytes) -> list[tuple[str, int]]:
    """A PDF's bookmarks, every level in reading order: (title, page number from 1)."""
    reader = PdfReader(io.BytesIO(document))

    def entries(items) -> list[tuple[str, int]]:
        found = []
        for item in items:
            if isinstance(item, list):
                found += entries(item)
            else:
                found.append((str(item.title), reader.get_destination_page_number(item) + 1))
        return found
    return entries(reader.outline)


def retitle_bookmarks(pdf: Path, title_of: Callable[[str], str]) -> None:
    """Each bookmark's title put through ``title_of``, the PDF otherwise as it was (Chromium
    titles a bookmark from the heading's lines and fragments: the space where it wrapped is lost,
    and a heading split by a page break can be named twice)."""
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # Chromium's trailer undercounts its objects: harmless, and not the reader's
    try:
        writer = PdfWriter(pdf, incremental=True)  # only the bookmarks are written again, after the original bytes
    finally:
        pypdf_log.setLevel(level)
    outlines = writer.root_object.get("/Outlines")
    pending = [outlines.get_object().get("/First")] if outlines is not None else []
    while pending:
        node = pending.pop()
        if node is None:
            continue
        item = node.get_object()
        item[NameObject("/Title")] = TextStringObject(title_of(str(item.get("/Title", ""))))
        pending += [item.get("/Next"), item.get("/First")]
    writer.write(pdf)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
