"""Where the library's own files sit: page templates, the site's static files, reference tables."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATES = PACKAGE / "templates"  # one per kind of page
STATIC = PACKAGE / "static"
SITE = PACKAGE / "site"  # the site's own pages and stylesheet (landing page, accessibility statement)
THEME = PACKAGE / "theme"  # the theme templates the books add (the sidebar's link home)
REFERENCE = PACKAGE / "reference"
