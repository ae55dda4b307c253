"""Citations a reader can follow, and the page they lead to.

A document key from ``sources.yaml`` in a source ("seed-004 para 2.7") is shown as the
document's citation, linked to its entry on the book's *Sources* page; the rest of the source
(the section) follows as text. The Sources page lists every document of ``sources.yaml``, each
with a link target, so no citation can point nowhere: first those the book draws on, with what it
takes from each, then the others. The public data extracts and the modelled series follow.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from IPython.display import Markdown

from pcpbook.contracts.citations import key_pattern
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Plan
from pcpbook.core.render import Raw, escape_inline, escape_markdown
from pcpbook.present.wording import number, plural

SOURCES_TARGET = "pcp-sources"  # the Sources page's link target (its first section)


def anchors(sources: dict[str, str]) -> dict[str, str]:
    """Each document key's link target on the Sources page: lower case, letters, digits and
    hyphens (as Sphinx makes ids), unique in the order of ``sources.yaml``."""
    made: dict[str, str] = {}
    for key in sources:
        base = "source-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
        anchor, more = base, 2
        while anchor in made.values():
            anchor, more = f"{base}-{more}", more + 1
        made[key] = anchor
    return made


def linked(text: str, sources: dict[str, str]) -> Raw:
    """``text`` as Markdown, each document key in it shown as its citation linked to the Sources
    page; everything else escaped."""
    if not sources:
        return escape_markdown(text)
    targets = anchors(sources)
    pieces, at = [], 0
    for match in key_pattern(tuple(sources)).finditer(text):
        key = match.group(1)
        pieces += [text[at:match.start()], Raw(f"[{escape_inline(sources[key])}](#{targets[key]})")]
        at = match.end()
    first, *rest = pieces + [text[at:]]
    return Raw(escape_markdown(first) + "".join(escape_inline(piece) for piece in rest))


def documents_in(text: str, sources: dict[str, str]) -> list[str]:
    """The document keys a source names, in order."""
    return list(dict.fromkeys(key_pattern(tuple(sources)).findall(text))) if sources else []


@dataclass(frozen=True)
class BookSources:
    """What a book (an edition, a review, a paper: ``noun``) draws on: the values it can show
    (the force's, of ``measures`` with their bases, up to ``until``) and the documents its words
    cite (``uses``: document key -> what the book takes from it)."""

    dataset: Dataset
    until: dt.date
    noun: str
    measures: tuple[str, ...]
    uses: dict[str, list[str]] = field(default_factory=dict)

    @functools.cached_property
    def _shown(self):
        frame = self.dataset.observations
        return frame[(frame["period_start"] <= self.until) & (frame["geography"] == self.dataset.force.short_name)
                     & frame["measure"].isin(self.dataset.with_bases(self.measures))]

    def _figures(self) -> dict[str, list[str]]:
        """Document key -> the measures whose published figures the book can show from it."""
        drawn: dict[str, list[str]] = defaultdict(list)
        published = self._shown[self._shown["status"] == "published"]
        for source, rows in published.groupby("source", sort=False):
            for key in documents_in(source, self.dataset.sources):
                drawn[key] += [self.dataset.measures[m].label for m in dict.fromkeys(rows["measure"])]
        return drawn

    def _cited(self, frame):
        return frame["source"].map(lambda source: bool(documents_in(source, self.dataset.sources)))

    def _extracts(self):
        """The values from public data extracts: real, and not cited to a document."""
        shown = self._shown
        return shown[(shown["status"] != "modelled") & ~self._cited(shown)]

    def notice(self) -> Markdown:
        """Where the values the book shows come from, in one paragraph, with how many of each:
        figures cited to documents, each extract with its measures, and modelled values."""
        shown = self._shown
        parts = []
        documents = shown[(shown["status"] == "published") & self._cited(shown)]
        if len(documents):
            parts.append(f"{number(len(documents))} published figures, each cited to the document it comes from")
        for source, rows in self._extracts().groupby("source", sort=True):
            labels = [self.dataset.measures[m].label for m in dict.fromkeys(rows["measure"])]
            parts.append(f"{number(len(rows))} values from {source} ({', '.join(labels)})")
        modelled = shown[shown["status"] == "modelled"]
        if len(modelled):
            parts.append(f"{number(len(modelled))} modelled values: demonstration series calibrated so that they add "
                         "up to every published figure. Modelled values are not official statistics; charts and "
                         "tables say which is which")
        listed = "; ".join(parts) if parts else "no values"
        return Markdown("**About the data.** " + escape_markdown(f"This {self.noun} uses {listed}.")
                        + f" Each source is listed under [Sources](#{SOURCES_TARGET}).")

    def documents(self) -> Markdown:
        """Every document of sources.yaml with its link target: those the book draws on first."""
        sources, targets, figures = self.dataset.sources, anchors(self.dataset.sources), self._figures()
        if not sources:
            return Markdown(escape_markdown(f"This {self.noun} cites no published document."))
        used = [key for key in sources if key in figures or key in self.uses]
        others = [key for key in sources if key not in used]

        def entry(key: str, takes: list[str]) -> str:
            said = f" {escape_markdown(_sentence(takes))}" if takes else ""
            return f"({targets[key]})=\n**{escape_markdown(sources[key])}.**{said}"

        parts = [entry(key, _figure_words(figures.get(key, [])) + self.uses.get(key, [])) for key in used]
        if others:
            parts.append(escape_markdown(f"Other documents the project's data cite, not drawn on in this {self.noun}:"))
            parts += [entry(key, []) for key in others]
        return Markdown("\n\n".join(parts))

    def public_data(self) -> Markdown:
        """The public data extracts the values come from, each with its measures and months."""
        extracts = self._extracts()
        if extracts.empty:
            return Markdown(escape_markdown(f"No values in this {self.noun} come from a public data extract."))
        lines = []
        for source, rows in extracts.groupby("source", sort=True):
            labels = ", ".join(self.dataset.measures[m].label for m in dict.fromkeys(rows["measure"]))
            span = f"{rows['period_start'].min():%B %Y} to {rows['period_start'].max():%B %Y}"
            lines.append(f"- **{escape_markdown(source)}**: {escape_inline(number(len(rows)))} values, "
                         f"{escape_inline(span)} ({escape_inline(labels)}).")
        return Markdown("\n".join(lines))

    def modelled_values(self) -> int:
        return int((self._shown["status"] == "modelled").sum())

    def modelled(self) -> Markdown:
        """How many values are modelled, and what that means."""
        modelled = self._shown[self._shown["status"] == "modelled"]
        if modelled.empty:
            return Markdown(escape_markdown(f"None: every value in this {self.noun} is a real figure."))
        measures = modelled["measure"].nunique()
        return Markdown(escape_markdown(
            f"{number(len(modelled))} values of {plural(measures, 'measure')} are modelled: demonstration series, "
            "calibrated so that they add up to every published figure, standing in where no figure is published. "
            "They are not official statistics. Every chart and table marks them."))


def plan_uses(plan: Plan, sources: dict[str, str]) -> dict[str, list[str]]:
    """What a book of ``plan`` takes from each document its plan cites: the plan's commitments
    (paraphrased) and the targets written into them."""
    uses: dict[str, list[str]] = defaultdict(list)
    paraphrased = [plan.source] + [p.source for p in plan.priorities]
    for key in dict.fromkeys(k for text in paraphrased for k in documents_in(text, sources)):
        uses[key].append("the plan's commitments, paraphrased in our own words")
    targets: dict[str, list[str]] = defaultdict(list)
    for priority in plan.priorities:
        for commitment in priority.commitments:
            if commitment.target is not None:
                for key in documents_in(commitment.target.source, sources):
                    targets[key].append(commitment.id)
    for key, ids in targets.items():
        uses[key].append(f"the {'target' if len(ids) == 1 else 'targets'} of commitment"
                         f"{'' if len(ids) == 1 else 's'} {', '.join(ids)}")
    return uses


def _figure_words(labels: list[str]) -> list[str]:
    labels = list(dict.fromkeys(labels))
    return [f"published figures for {', '.join(labels)}"] if labels else []


def _sentence(takes: list[str]) -> str:
    """"This book takes from it: a; b." with the first letter of the list capitalised."""
    text = "; ".join(takes)
    return text[:1].upper() + text[1:] + "."
