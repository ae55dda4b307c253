"""A Sphinx extension for the book's theme: sphinx-book-theme puts two titles into every page
as plain text without escaping them (the print header's page title, ``pagetitle``, and the
sidebar's book title, ``root_title``, both the heading's ``astext()``). This escapes them
after the theme has set them, so a heading made from a plan's text is shown as typed."""

from __future__ import annotations

from .render import escape_html

THEME_TEXT_TITLES = ("pagetitle", "root_title")


def escape_theme_titles(app, pagename, templatename, context, doctree) -> None:
    for key in THEME_TEXT_TITLES:
        if key in context:
            context[key] = escape_html(context[key])


def setup(app) -> dict:
    app.connect("html-page-context", escape_theme_titles, priority=900)  # after the theme's own (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
