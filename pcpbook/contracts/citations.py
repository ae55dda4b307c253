"""Citations as people write them: a document key from ``sources.yaml`` (``seed-004``) in a
value's source ("seed-004 para 2.7") becomes the document's citation, so no reader sees an id."""

from __future__ import annotations

import re


def cite(text: str, sources: dict[str, str]) -> str:
    """``text`` with every document key expanded into its citation."""
    if not sources:
        return text
    keys = "|".join(re.escape(key) for key in sorted(sources, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])({keys})(?![\w-])", lambda m: sources[m.group(1)], text)
