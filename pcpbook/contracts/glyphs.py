"""Text that charts draw must be drawable by the chart font: a character the font lacks (an
emoji, CJK with no CJK font) would make matplotlib warn on the chart's stderr, which fails the
whole edition at the Jupyter Book step with no word of which field. It is refused at loading
instead, naming the field and the character."""

from __future__ import annotations

import functools
import unicodedata

from pcpbook.contracts.schema import unclosed_bidi

CHART_FONT = "DejaVu Sans"  # matplotlib's own font, which the charts use


@functools.cache
def _drawable() -> frozenset[int]:
    from matplotlib import font_manager, ft2font
    return frozenset(ft2font.FT2Font(font_manager.findfont(CHART_FONT)).get_charmap())


def undrawable(text: str) -> str | None:
    """Why ``text`` cannot be drawn on a chart (its first character the chart font lacks), or None."""
    for character in str(text):
        if not character.isspace() and ord(character) not in _drawable():
            name = unicodedata.name(character, f"U+{ord(character):04X}")
            return (f"the character {character!r} ({name}) cannot be drawn on charts by their font ({CHART_FONT}): "
                    "write it in words or leave it out of this field")
    return None


def chart_text_problem(text: str) -> str | None:
    """Why a text drawn on charts and set in sentences (a label, a place, a source) cannot be
    used, or None: a character the chart font lacks, or a bidi control it leaves open."""
    return undrawable(text) or unclosed_bidi(text)


def check_drawable(text: str) -> str:
    """A pydantic after-validator: ``text`` unchanged, or the reason it cannot be drawn."""
    reason = undrawable(text)
    if reason:
        raise ValueError(reason)
    return text
