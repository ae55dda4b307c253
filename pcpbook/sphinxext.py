"""The book's Sphinx extension: two fixes to the theme and two savings for every build.

- sphinx-book-theme puts two titles into every page as plain text without escaping them (the
  print header's page title, ``pagetitle``, and the sidebar's book title, ``root_title``, both a
  heading's ``astext()``): they are escaped after the theme sets them, so a heading made from a
  plan's text is shown as typed.
- The print edition's single page needs no search index (building it stems every word again).
- Every book is built in a fresh process, which compiled the theme's Jinja templates afresh each
  time: Jinja's own bytecode cache (a folder of the user's own, checked against each template's
  source) lets the next process load them compiled.
"""

from __future__ import annotations

from jinja2 import FileSystemBytecodeCache

from .render import escape_html

THEME_TEXT_TITLES = ("pagetitle", "root_title")


def escape_theme_titles(app, pagename, templatename, context, doctree) -> None:
    for key in THEME_TEXT_TITLES:
        if key in context:
            context[key] = escape_html(context[key])


def build_settings(app) -> None:
    if app.builder.name == "singlehtml":
        app.builder.search = False
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.bytecode_cache = FileSystemBytecodeCache()


def setup(app) -> dict:
    app.connect("builder-inited", build_settings)
    app.connect("html-page-context", escape_theme_titles, priority=900)  # after the theme's own (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
