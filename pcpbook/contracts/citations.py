"""Citations as people write them: a document key from ``sources.yaml`` (``seed-004``) in a
value's source ("seed-004 para 2.7") becomes the document's citation, so no reader sees an id."""

from __future__ import annotations

import functools
import re


@functools.cache
def key_pattern(keys: tuple[str, ...]) -> re.Pattern:
    """Finds any of ``keys`` standing alone (not inside a longer token), longest first."""
    alternatives = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")


def cite(text: str, sources: dict[str, str]) -> str:
    """``text`` with every document key expanded into its citation."""
    if not sources:
        return text
    return key_pattern(tuple(sources)).sub(lambda m: sources[m.group(1)], text)
