"""The pages of a book and the notebook each is made from.

Every page of a kind (a priority chapter, the intro, a closure review's summary ...) is made
from one template, ``pcpbook/templates/<kind>.md`` (a MyST Markdown notebook, read with
jupytext; a project's own ``chapters/templates/<kind>.md`` replaces it for every page of that
kind), so a change to a plan or to the measure catalogue shows at the next build with nothing
to regenerate. An analyst who wants a page of their own forks it: ``chapters/forks/
<book>/<page>.ipynb`` is then used for that page in every edition of the plan (or its review),
and nothing the build or the tests do writes to it.

A template's cell tagged ``title`` is replaced by the page's heading (from the plan, escaped);
a fork keeps the heading written into it when it was made.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pcpbook.contracts.model import Plan
from pcpbook.core.outputs import slug
from pcpbook.core.periods import Quarter
from pcpbook.core.render import escape_markdown
from pcpbook.core.resources import TEMPLATES
from pcpbook.present.page_kinds import EDITION, KINDS, PAPER, REVIEW, PageKind, kinds_of

if TYPE_CHECKING:  # nbformat and jupytext are loaded only to read or write notebooks
    import nbformat

CHAPTERS = Path("chapters")
PROJECT_TEMPLATES = CHAPTERS / "templates"        # a project's own, replacing the library's kind by kind
FORKS = CHAPTERS / "forks"
TITLE_TAG = "title"


class PageError(ValueError):
    """A page that does not exist, or a fork that cannot be made or dropped."""


@dataclass(frozen=True)
class Page:
    """One page of a book: its kind (the template), the book it belongs to, where it sits in the
    built book (which is its address on the site) and its own parameter values."""

    kind: str
    book: str           # the plan's id for a quarterly edition's pages, closure-<plan id> for the review's
    name: str           # p03, intro, summary ...
    staged: Path        # its place in the staged book, e.g. chapters/2021-2024/p03.ipynb
    title: str = ""     # the heading written into the template's title cell
    defaults: dict = field(default_factory=dict, hash=False)  # plan and priority: what makes this page this page

    def template(self, root: Path) -> Path:
        """The project's own template of this kind if it has one, else the library's."""
        own = root / PROJECT_TEMPLATES / f"{self.kind}.md"
        return own if own.exists() else TEMPLATES / f"{self.kind}.md"

    @property
    def fork(self) -> Path:
        return FORKS / self.book / f"{self.name}.ipynb"

    def source(self, root: Path) -> Path:
        """The fork when there is one (relative to the project), else the template."""
        return self.fork if (root / self.fork).exists() else self.template(root)

    def is_forked(self, root: Path) -> bool:
        return (root / self.fork).exists()

    @property
    def declared(self) -> PageKind:
        return KINDS[self.kind]


def shown(path: Path, root: Path) -> str:
    """A template or fork as messages name it: the library's templates as ``pcpbook/templates/...``,
    a project's files relative to the project."""
    path = Path(path)
    if path.is_relative_to(TEMPLATES):
        return f"pcpbook/templates/{path.relative_to(TEMPLATES).as_posix()}"
    return path.relative_to(root).as_posix() if path.is_absolute() and path.is_relative_to(root) else str(path)


def edition_pages(plan: Plan, quarter: Quarter | None = None) -> list[Page]:
    """A quarterly edition's pages in reading order (page_kinds): intro, what changed since the
    last edition (every edition of the plan but its first; every edition's pages when
    ``quarter`` is None), the priorities, how we compare, methods."""
    first = quarter is not None and plan.edition_before(quarter) is None
    return [page for kind in kinds_of(EDITION) if not (kind.after_first_edition and first)
            for page in _pages(kind, plan, plan.id, CHAPTERS, CHAPTERS / plan.id)]


def review_pages(plan: Plan) -> list[Page]:
    """A closure review's pages in reading order: summary, finance, priorities, register, methods."""
    folder = CHAPTERS / "closure" / plan.id
    return [page for kind in kinds_of(REVIEW) for page in _pages(kind, plan, slug("closure", plan.id), folder, folder)]


def _pages(kind: PageKind, plan: Plan, book: str, folder: Path, priorities: Path) -> list[Page]:
    """The pages of ``kind`` in a book of ``plan``. A kind in more than one kind of book is one
    notebook, ``chapters/<page>.ipynb``; a page over a whole period (a review's) is told its plan."""
    if kind.each_priority:
        return [Page(kind.name, book, p.slug, priorities / f"{p.slug}.ipynb", f"Priority {p.number}: {p.title}",
                     {"plan": plan.id, "priority": p.number}) for p in plan.priorities]
    place = CHAPTERS if len(kind.books) > 1 else folder
    defaults = {"plan": plan.id} if kind.sees == "period" else {}
    return [Page(kind.name, book, kind.page_name, place / f"{kind.page_name}.ipynb",
                 kind.heading.format(plan=plan.title), defaults)]


def paper_page(strategy_id: str, title: str) -> Page:
    """A strategy's scrutiny paper: one page, made from the scrutiny template for every quarter."""
    kind = kinds_of(PAPER)[0]
    return Page(kind.name, slug("scrutiny", strategy_id), kind.page_name,
                CHAPTERS / "scrutiny" / strategy_id / f"{kind.page_name}.ipynb", title, {"strategy": strategy_id})


def find_page(plan: Plan, priority: int | None = None, name: str | None = None, closure: bool = False) -> Page:
    """A page by what an analyst calls it: a priority's chapter, or a named page (intro,
    methods; a review's summary, finance, register, methods), of the edition or the review."""
    book_pages = review_pages(plan) if closure else edition_pages(plan)
    where = f"the closure review of {plan.id}" if closure else f"the editions of {plan.id}"
    if priority is not None:
        numbers = [p.number for p in plan.priorities]
        if priority not in numbers:
            raise PageError(f"plan {plan.id} has no priority {priority}: its priorities are "
                            f"{', '.join(map(str, numbers))}")
        return next(page for page in book_pages if page.defaults.get("priority") == priority)
    names = [kind.page_name for kind in kinds_of(REVIEW if closure else EDITION) if not kind.each_priority]
    if name not in names:
        raise PageError(f"{where} have no page {name!r}: name a priority, or one of {', '.join(names)}"
                        + ("" if closure else " (add --closure for the review's pages)"))
    return next(page for page in book_pages if page.name == name)


def notebook_text(root: Path, page: Page) -> str:
    """The notebook the build runs for ``page`` (its fork, or its template with the page's
    heading), as the text of an .ipynb file with stable cell ids: what the content key hashes."""
    import nbformat
    if page.is_forked(root):
        return nbformat.writes(read_fork(root / page.fork))
    return nbformat.writes(_from_template(page.template(root), page))


def read_fork(path: Path) -> nbformat.NotebookNode:
    """An analyst's fork, or PageError naming it when it is not a notebook (a folder, not JSON,
    not a valid notebook)."""
    import nbformat
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, UnicodeDecodeError, ValueError, nbformat.reader.NotJSONError) as exc:
        raise PageError(f"{path}: this fork cannot be read as a notebook ({str(exc)[:160]}): restore it from git, "
                        "or drop it (python -m pcpbook fork ... --drop) to use the template again") from None


def with_defaults(root: Path, page: Page, values: dict) -> nbformat.NotebookNode:
    """The page's template with its heading, its parameters cell giving ``values`` as defaults
    and no title tag: a notebook that runs as this page on its own."""
    notebook = _from_template(page.template(root), page)
    title = _title_cell(notebook)
    if title is not None:
        title.metadata["tags"].remove(TITLE_TAG)
    _set_defaults(notebook, values)
    return notebook


def fork(root: Path, page: Page) -> Path:
    """Write ``page`` as the analyst's own notebook: the template with the page's heading and
    its own parameter defaults, so it opens in Jupyter as this page. Refuses to replace a fork."""
    import nbformat
    target = root / page.fork
    if target.exists():
        raise PageError(f"{page.fork} already exists: it is the fork of this page (drop it first to start again)")
    _check_folders(root, target)
    notebook = with_defaults(root, page, page.defaults)  # the heading is the analyst's from now on
    template = page.template(root)
    notebook.metadata["pcpbook"] = {"fork_of": template.as_posix(), "page": page.staged.as_posix(),
                                    "template_sha256": hashlib.sha256(template.read_bytes()).hexdigest(),
                                    "forked": dt.date.today().isoformat()}
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def drop_fork(root: Path, page: Page) -> Path:
    """Remove the fork of ``page``: the page is made from its template again."""
    target = root / page.fork
    if not target.exists() and not target.is_symlink():
        raise PageError(f"{page.fork} does not exist: that page is not forked")
    if target.is_dir() and not target.is_symlink():
        raise PageError(f"{page.fork} is a folder, not a fork: move it away (nothing was removed)")
    target.unlink()
    for folder in (target.parent, target.parent.parent):  # the plan's and the forks' folders, once empty
        if folder != root / CHAPTERS and not any(folder.iterdir()):
            folder.rmdir()
    return target


def _check_folders(root: Path, target: Path) -> None:
    """Every folder on the way to a new fork is a folder (or not there yet)."""
    for folder in reversed(target.relative_to(root).parents):
        if (root / folder).exists() and not (root / folder).is_dir():
            raise PageError(f"{folder} is a file where the forks' folder belongs: move it away")


def forks(root: Path, plans: dict[str, Plan]) -> list[tuple[Path, Page | None]]:
    """Every fork in the project, with the page it replaces (None: it matches no page of any
    plan, so no build uses it)."""
    pages = {page.fork: page for plan in plans.values() for page in edition_pages(plan) + review_pages(plan)}
    found = sorted(path.relative_to(root) for path in (root / FORKS).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in path.parts)
    return [(path, pages.get(path)) for path in found]


def template_changed(root: Path, page: Page) -> bool:
    """Whether the template the page would now be made from differs from the one its fork was
    made from (the fork may want the change)."""
    made = read_fork(root / page.fork).metadata.get("pcpbook", {})
    current = hashlib.sha256(page.template(root).read_bytes()).hexdigest()
    return bool(made) and current != made.get("template_sha256")


def _from_template(path: Path, page: Page) -> nbformat.NotebookNode:
    import nbformat
    notebook = nbformat.reads(_template_notebook(path.read_text(encoding="utf-8")), as_version=4)
    title = _title_cell(notebook)
    if title is not None:
        title.source = f"# {escape_markdown(page.title)}"
    return notebook


@functools.lru_cache(maxsize=32)
def _template_notebook(text: str) -> str:
    """A template's text as .ipynb text, parsed once per build (every edition has a page of
    each kind: 480 pages in the back-catalogue, 7 templates)."""
    import jupytext
    import nbformat
    notebook = jupytext.reads(text, fmt="md:myst")
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # stable: the same template gives the same notebook, and the same key
    notebook.metadata.pop("jupytext", None)
    return nbformat.writes(notebook)


def _title_cell(notebook):
    return next((cell for cell in notebook.cells if TITLE_TAG in cell.metadata.get("tags", [])), None)


def _set_defaults(notebook, values: dict) -> None:
    """Give the parameters cell's assignments of ``values`` those values."""
    cell = next(cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", []))
    for name, value in values.items():
        cell.source = re.sub(rf"^{name} = [^#\n]*?(\s*(#.*)?)$", lambda m: f"{name} = {json.dumps(value)}{m.group(1)}",
                             cell.source, count=1, flags=re.M)
