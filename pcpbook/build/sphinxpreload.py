"""Imported once, by the process the Sphinx builds are forked from (``sphinxrun``): every module
a book's build would otherwise import afresh in each of its processes. That is Sphinx's built-in
extensions (every Sphinx application loads them all), Jupyter Book's default extensions and the
two it adds, the parts of them imported only when a build sets them up (myst-nb's Sphinx
extension brings jupyter-cache, SQLAlchemy and IPython: about 0.7 s an edition), and ours.
It also ends with the build (``lifetime``). Nothing here runs a build; the list follows the installed packages instead of being copied by hand.
The imports are then frozen out of the garbage collector, and the book processes forked from
here collect rarely (``collector``)."""

import importlib
import os

from jupyter_book.config import get_default_sphinx_config
from sphinx.application import builtin_extensions

from pcpbook.build import collector

from pcpbook.core import lifetime

# The forkserver ends with the build that started it, and the Sphinx processes with it (their
# pool's initializer): a build killed with SIGKILL leaves none of them waiting for ever.
if lifetime.die_with_parent() and lifetime.orphaned():
    os._exit(1)

ADDED_BY_JUPYTER_BOOK = ("sphinx_jupyterbook_latex", "sphinx_multitoc_numbering")
SET_UP_LATER = ("myst_nb.sphinx_ext", "jupyter_book.sphinx", "sphinx_book_theme", "pcpbook.sphinxext")

for name in (*builtin_extensions, *get_default_sphinx_config()["extensions"], *ADDED_BY_JUPYTER_BOOK, *SET_UP_LATER):
    importlib.import_module(name)

collector.freeze_imports()
collector.collect_rarely()  # a process forked from here inherits it, and builds one book
