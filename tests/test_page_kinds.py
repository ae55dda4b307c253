"""A new kind of page is a template and one registration: the book's pages, its table of
contents, the fork command, the content keys and the build all follow the registry."""

import textwrap

import pytest

from conftest import copy_project
from pcpbook import contracts
from pcpbook.build import edition
from pcpbook.build.buildspec import library_digest, plan_edition
from pcpbook.core.periods import Quarter
from pcpbook.present import book, pages
from pcpbook.present.page_kinds import EDITION, KINDS, PageKind, PageKindError, register, unregister

QUARTER = Quarter.parse("2020-21-Q4")
# The page an analyst adds: its words and code, in the project's own templates folder.
TEMPLATE = textwrap.dedent("""\
    ---
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    # Busiest months

    ```{code-cell} ipython3
    :tags: [parameters]

    quarter = None
    data_dir = None
    ```

    ```{code-cell} ipython3
    from IPython.display import Markdown
    from pcpbook.present.chapter import open_edition

    edition = open_edition(quarter, data_dir)
    Markdown(f"Data to the end of {edition.quarter.label}, for {edition.dataset.force.name}.")
    ```
    """)


@pytest.fixture
def busiest_months(tmp_path):
    """A project with a 'busiest-months' page kind: its template, and its registration."""
    project = copy_project(tmp_path / "project")
    (project / "chapters" / "templates").mkdir(parents=True, exist_ok=True)
    (project / "chapters" / "templates" / "busiest-months.md").write_text(TEMPLATE, encoding="utf-8")
    register(PageKind("busiest-months", (EDITION,)), before="methods")
    yield project
    unregister("busiest-months")


def test_a_registered_kind_is_a_page_of_every_edition_in_its_place(busiest_months):
    plan = contracts.load(busiest_months / "data").plan_for(QUARTER)
    names = [page.name for page in pages.edition_pages(plan, QUARTER)]
    assert names[-3:] == ["busiest-months", "methods", "sources"]
    contents = [entry["file"] for entry in book.toc(plan, QUARTER)["chapters"]]
    assert contents[-3:] == ["chapters/busiest-months", "chapters/methods", "chapters/sources"]
    assert pages.find_page(plan, name="busiest-months").staged.as_posix() == "chapters/busiest-months.ipynb"


def test_a_registered_kind_gets_a_job_keyed_by_what_it_sees(busiest_months):
    dataset = contracts.load(busiest_months / "data")
    planned = plan_edition(busiest_months, dataset, QUARTER, dataset.plan_for(QUARTER), busiest_months / "site",
                           library_digest(), None, "")
    job = next(job for job in planned.jobs if job.page == "chapters/busiest-months.ipynb")
    assert job.parameters == {"quarter": "2020-21-Q4", "data_dir": str(dataset.root)}
    assert "Busiest months" in job.notebook


@pytest.mark.slow
def test_a_registered_kind_is_built_and_published(busiest_months):
    result = edition.build(busiest_months, quarter=QUARTER.id, workers=1)
    page = (result.path / "chapters" / "busiest-months.html").read_text(encoding="utf-8")
    assert "Data to the end of 2020/21 Q4, for Essex Police." in page


def test_a_registration_that_cannot_be_is_refused():
    with pytest.raises(PageKindError, match="registered already"):
        register(PageKind("intro", (EDITION,)))
    with pytest.raises(PageKindError, match="book 'booklet' is not one of"):
        register(PageKind("leaflet", ("booklet",)))
    with pytest.raises(PageKindError, match="no kind 'appendix' to sit before"):
        register(PageKind("leaflet", (EDITION,)), before="appendix")
    assert "leaflet" not in KINDS
