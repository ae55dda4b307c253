"""Kinds of page, each declared once: which books it is in and where, what its content key
covers, and which of the build's facts it is told. Its words are its template,
``templates/<name>.md`` (or a project's own ``chapters/templates/<name>.md``).

A new kind of page is a template and one ``register`` call: the book's pages, its table of
contents, the fork command and the content keys all read the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

EDITION, REVIEW, PAPER = "edition", "review", "paper"
BOOKS = (EDITION, REVIEW, PAPER)
# What a page's content key covers, beyond its notebook and the library:
SEES = {
    "quarter": "the data up to the quarter's end (a review's methods page: its end quarter)",
    "plan": "the same, and every measure of the plan with their bases (their tests are controlled together)",
    "period": "a closure review's data to its end year, the finance table and every quarter's returns",
    "strategy": "the data to the quarter's end, the strategy and its delivery plan, the quarter's strand returns",
    "districts": "the data to the quarter's end of the measures the data hold by district",
}
# Facts of the build a page may be told (as parameters): the first two are part of its content
# key; the others (its version, the day it was made, the print edition's file) are not.
FACTS = ("revised", "revised_since", "compared_with", "version", "produced", "print_edition")
KEYED_FACTS = ("revised", "revised_since", "compared_with")


class PageKindError(ValueError):
    """A registration that cannot be: a name taken, a book or a place that does not exist."""


@dataclass(frozen=True)
class PageKind:
    name: str                     # the template's name: templates/<name>.md
    books: tuple[str, ...]        # the kinds of book it is part of
    page: str = ""                # its name in the book and its fork's file name (default: the kind's name)
    each_priority: bool = False   # one page for each of the plan's priorities (p01, p02 ...)
    heading: str = ""             # the title cell's text; "{plan}" is the plan's title
    after_first_edition: bool = False  # only in editions with an edition of the plan before them
    sees: str = "quarter"         # a key of SEES
    told: tuple[str, ...] = ()    # which FACTS it is given

    @property
    def page_name(self) -> str:
        return self.page or self.name

    def check(self) -> None:
        problems = ([f"book {book!r} is not one of {', '.join(BOOKS)}" for book in self.books if book not in BOOKS]
                    + ([] if self.sees in SEES else [f"sees {self.sees!r} is not one of {', '.join(SEES)}"])
                    + [f"fact {fact!r} is not one of {', '.join(FACTS)}" for fact in self.told if fact not in FACTS])
        if problems:
            raise PageKindError(f"page kind {self.name!r}: " + "; ".join(problems))


KINDS: dict[str, PageKind] = {}  # in reading order: a book's pages follow it


def register(kind: PageKind, before: str | None = None) -> PageKind:
    """Add a kind of page, at the end of its books or just before the kind ``before``."""
    kind.check()
    if kind.name in KINDS:
        raise PageKindError(f"page kind {kind.name!r} is registered already")
    if before is not None and before not in KINDS:
        raise PageKindError(f"page kind {kind.name!r}: no kind {before!r} to sit before")
    entries = list(KINDS.items())
    at = next((i for i, (name, _) in enumerate(entries) if name == before), len(entries))
    entries.insert(at, (kind.name, kind))
    KINDS.clear()
    KINDS.update(entries)
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name)


def kinds_of(book: str) -> list[PageKind]:
    return [kind for kind in KINDS.values() if book in kind.books]


register(PageKind("intro", (EDITION,), told=("version", "produced", "print_edition")))
register(PageKind("changes", (EDITION,), after_first_edition=True, told=("revised", "revised_since", "compared_with")))
register(PageKind("priority", (EDITION,), each_priority=True, sees="plan"))
register(PageKind("districts", (EDITION,), sees="districts"))
register(PageKind("compare", (EDITION,)))
register(PageKind("closure-summary", (REVIEW,), page="summary", heading="{plan}: closure review", sees="period",
                  told=("produced",)))
register(PageKind("closure-finance", (REVIEW,), page="finance", sees="period"))
register(PageKind("closure-priority", (REVIEW,), each_priority=True, sees="period"))
register(PageKind("closure-districts", (REVIEW,), page="districts", sees="period"))
register(PageKind("closure-register", (REVIEW,), page="register", sees="period"))
register(PageKind("methods", (EDITION, REVIEW)))
register(PageKind("sources", (EDITION,)))
register(PageKind("closure-sources", (REVIEW,), page="sources", sees="period"))
register(PageKind("scrutiny", (PAPER,), page="paper", sees="strategy", told=("version", "produced")))
