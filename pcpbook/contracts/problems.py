"""What every loader reports: a problem names the file, the line and the field, and says what
was expected. A file kind with any problem raises one error listing them all."""

from __future__ import annotations

from dataclasses import dataclass

SHOWN = 50  # problems listed in one message; the rest are counted


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ProblemsError(Exception):
    """One or more problems in what was read (``what``); ``problems`` lists each with file, line
    and field, the first 50 in the message."""

    what = "the input"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:SHOWN])
        more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        super().__init__(f"{len(problems)} problem(s) in {self.what}:\n{shown}{more}")


class DataError(ProblemsError):
    """One or more problems in the data."""

    what = "the data"
