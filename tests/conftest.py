import ast
import contextlib
import shutil
from pathlib import Path

import jupytext
import pytest

from pcpbook import contracts
from pcpbook.build import edition
from pcpbook.present import book, pages

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def dataset():
    return contracts.load(DATA)


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the bundled data folder, for bad-input cases."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
PHONE_CONTENT_PX = 350  # the width a 390 px phone shows a chart at, less the theme's margins (test_browser)


def copy_project(target: Path) -> Path:
    """The files a build needs, copied so a test can change them and build in isolation; an
    analyst's forks in the working tree stay behind, so every test starts from the templates."""
    return book.copy_project(ROOT, target, forks=False)


def change_observation(data_folder: Path, measure: str, month: str, change) -> int:
    """Set an Essex monthly observation (``month`` as YYYY-MM-DD) to ``change(its value)``, as a
    correction would; the line of the row changed."""
    path = data_folder / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{measure},Essex,{month},month,"))
    parts = lines[index].split(",")
    parts[4] = str(change(int(float(parts[4]))))
    lines[index] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def fork_page(project: Path, plan_id: str, priority: int | None = None, name: str | None = None,
              closure: bool = False) -> Path:
    """Fork one page of ``project`` as an analyst would; the fork's path."""
    plan = contracts.load(project / "data").plans[plan_id]
    return pages.fork(project, pages.find_page(plan, priority, name, closure))


def page_text(kind: str, parameters: dict, folder: Path) -> str:
    """What a page template shows for ``parameters``, its code run here in ``folder`` (where
    its charts are written) rather than in a kernel: the text of everything it displays."""
    return "\n".join(item.data for item in page_items(kind, parameters, folder) if item is not None)


def page_items(kind: str, parameters: dict, folder: Path) -> list:
    """Every object a page template displays for ``parameters`` (None where a cell shows nothing)."""
    shown = []
    namespace = {"display": shown.append}
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(folder):
        for cell in jupytext.read(ROOT / pages.TEMPLATES / f"{kind}.md").cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, kind, "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(parameters)
            if last is not None:
                shown.append(eval(compile(ast.Expression(last.value), kind, "eval"), namespace))
    return shown


HOSTILE = ("Before <script>alert(1)</script> after.\n\n```{eval-rst}\n.. raw:: html\n\n   <b>rst</b>\n```\n\n"
           '<div class="injected" onclick="steal()">raw html block</div>\n\n{raw}`html <i>role</i>`')


def _inject(project, quarter, commitment, text):
    """Replace one entry's commentary with ``text`` (as a unit might send it)."""
    path = project / "data" / "commentary" / f"{quarter}.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {commitment} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    path.write_text("\n".join(lines[:start + 4] + [text, ""] + lines[end:]) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def site(project):
    """Three editions built once for the end-to-end, print and browser tests: two of the
    2016-2021 plan (for the version switcher) and 2023-24-Q2 of the 2021-2024 plan; and the
    2016-2021 plan's closure review. One return carries hostile commentary (see
    test_commentary_is_shown_inert)."""
    _inject(project, "2020-21-Q1", "2.2", HOSTILE)
    for quarter in ("2020-21-Q1", "2020-21-Q4", "2023-24-Q2"):
        edition.build(project, quarter=quarter, workers=2)
    edition.build_closure(project, "2016-2021", workers=2)
    return project / "_build" / "site"


class FakeChart:
    """A chart with the given alt text, whose PNG is a few bytes: for tests of how a chart is
    referred to, not drawn."""

    name = "burglary-bars"

    def __init__(self, alt: str):
        import pandas as pd
        self.alt, self.data = alt, pd.DataFrame({"value": [1]})

    def write_png(self, path) -> None:
        path.write_bytes(b"png")

    write_phone_png = write_png
