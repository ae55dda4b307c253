"""The book's Sphinx extension: two fixes to the theme, tables a phone can read, and three
savings for every build.

- The themes put four texts into every page without escaping them: the print header's page
  title (``pagetitle``) and the sidebar's book title (``root_title``), both a heading's
  ``astext()``, the book's title in the logo and search page (``docstitle``) and the author in
  the footer (``author``). Each is made escaped markup after the theme sets it: shown as typed
  where a template prints it raw, and not escaped twice where a template escapes it (``|e``
  leaves markup as it is).
- The print edition's single page needs no search index (building it stems every word again),
  and it is printed beside the HTML build's pages, whose static files, images and downloads
  are the same files: the single-page builder writes the page alone instead of copying them
  all again (about 0.3 s of its 0.7 s a book).
- Every book is built in a fresh process, which compiled the theme's Jinja templates afresh each
  time: Jinja's own bytecode cache (a folder of the user's own, checked against each template's
  source) lets the next process load them compiled.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from markupsafe import Markup
from sphinx.builders.singlehtml import SingleFileHTMLBuilder

from pcpbook.core.render import escape_html
from pcpbook.core.stacking import stacked_tables

THEME_TEXTS = ("pagetitle", "root_title", "docstitle", "author")


def escape_theme_texts(app, pagename, templatename, context, doctree) -> None:
    for key in THEME_TEXTS:
        if isinstance(context.get(key), str):
            context[key] = Markup(escape_html(context[key]))


class PrintPageBuilder(SingleFileHTMLBuilder):
    """Sphinx's single-page builder (in its place, under its name) without what it writes after
    the page: copies of the static files, images and downloads, the build info, the inventory
    and the additional pages (the books configure none)."""

    def finish(self) -> None:
        """Only the static folder, which extensions write their own files into at the end
        (myst-nb its stylesheet)."""
        (Path(self.outdir) / "_static").mkdir(exist_ok=True)


def stack_tables(app, pagename, templatename, context, doctree) -> None:
    """Every table of the page readable on a phone (core.stacking)."""
    if isinstance(context.get("body"), str):
        context["body"] = stacked_tables(context["body"])


def build_settings(app) -> None:
    if app.builder.name == "singlehtml":
        app.builder.search = False
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.bytecode_cache = FileSystemBytecodeCache()


def setup(app) -> dict:
    app.add_builder(PrintPageBuilder, override=True)
    app.connect("builder-inited", build_settings)
    app.connect("html-page-context", escape_theme_texts, priority=900)  # after the theme's own (500)
    app.connect("html-page-context", stack_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
