import shutil
from pathlib import Path

import pytest

from pcpbook import book, data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def dataset():
    return data.load(DATA)


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the bundled data folder, for bad-input cases."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def copy_project(target: Path) -> Path:
    """The files a build needs, copied so a test can change them and build in isolation."""
    return book.copy_project(ROOT, target)
