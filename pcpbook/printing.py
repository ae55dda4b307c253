"""The print edition: a book's single-page HTML build printed to one PDF by headless Chromium,
with the sensitivity marking at the top and foot of every page and numbered pages (CSS
``@page`` margin boxes), so a scrutiny panel can print and page-reference it.
Made offline: Chromium reads the local files and nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_HINT = "install Debian's chromium package (apt-get install chromium) or set PCPBOOK_CHROMIUM"
PRINT_CSS = "print-edition.css"
PRINT_TIMEOUT_SECONDS = 180


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
  .pcp-print-link {{ display: none; }}
  .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article {{ display: none !important; }}
  .bd-main, .bd-main .bd-content, .bd-main .bd-content .bd-article-container, .bd-page-width, .bd-article {{
    max-width: none !important; }}
  p:has(> strong:only-child) {{ break-after: avoid; }}  /* a measure's name stays with its chart */
  .pst-scrollable-table-container, .table-wrapper {{ overflow: visible !important; }}
  table {{ font-size: 8.5pt; width: 100%; }}
  img {{ max-width: 100%; break-inside: avoid; }}
  table {{ break-inside: auto; }}
  tr, figure {{ break-inside: avoid; }}
  h1, h2, h3 {{ break-after: avoid; }}
}}
"""


def print_to_pdf(html_file: Path, pdf: Path, chromium: str, timeout: int = PRINT_TIMEOUT_SECONDS) -> Path:
    """Print ``html_file`` to ``pdf`` with headless Chromium (no network, no browser profile
    left behind). Raises PrintError with Chromium's own words if no PDF comes out."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="pcpbook-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   # no host name resolves, so nothing the page links (the theme's MathJax on a CDN) is fetched
                   "--host-resolver-rules=MAP * ~NOTFOUND",
                   "--run-all-compositor-stages-before-draw", f"--print-to-pdf={pdf}", html_file.resolve().as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PrintError(f"Chromium did not finish printing {html_file} within {timeout} s") from None
    if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
        said = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise PrintError(f"Chromium printed no PDF from {html_file} (exit {result.returncode}): {said}")
    return pdf
