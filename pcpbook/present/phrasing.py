"""Sentence patterns a reader sees, kept as Jinja2 macros in ``pcpbook/templates/sentences/``
where an analyst can change the words without touching code: the code passes numbers already
written in the house style and verdicts as words; every value a pattern prints is escaped for
MyST Markdown on the way out (``finalize``), the pattern's own words are not."""

from __future__ import annotations

import functools

import jinja2

from pcpbook.core.render import Raw, escape_markdown
from pcpbook.core.resources import TEMPLATES

SENTENCES = TEMPLATES / "sentences"


def _escaped(value) -> Raw:
    """A value as a pattern prints it: markup the code made (``Raw``) as it is, anything else escaped."""
    return value if isinstance(value, Raw) else escape_markdown(str(value))


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(SENTENCES), undefined=jinja2.StrictUndefined,
                                     finalize=_escaped, autoescape=False,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    environment.filters["written"] = Raw  # a macro's own output, already escaped: "{{ subject(...) | written }}"
    return environment


def patterns(name: str):
    """The macros of ``templates/sentences/<name>.j2``, each called with keyword arguments."""
    return _environment().get_template(f"{name}.j2").module


def say(name: str, pattern: str, **values) -> Raw:
    """One sentence: the ``pattern`` macro of ``<name>.j2`` filled with ``values``, on one line."""
    return Raw(" ".join(str(getattr(patterns(name), pattern)(**values)).split()))
