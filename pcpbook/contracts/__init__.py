"""The contract layer: every input file kind declared once, as a schema, with its loader's errors.

``problems`` holds the error types every loader reports through (file, line, field, what was
expected); ``schema`` turns a declared model and a YAML mapping into a checked value or problems
(unknown keys refused with the closest known key, ids held to a safe pattern, impossible values
refused); ``kinds`` declares the file kinds themselves.

Reading a data folder: ``catalogue`` reads its YAML kinds, ``tables`` its CSV kinds, ``model``
holds the objects they make, ``dataset`` puts them together (``load``). ``settings``,
``strategy``, ``strand_returns``, ``commentary`` and ``records`` read the project's other files.
"""

from pcpbook.contracts.dataset import Dataset, load, load_force
from pcpbook.contracts.problems import DataError, Problem

__all__ = ["DataError", "Dataset", "Problem", "load", "load_force"]
