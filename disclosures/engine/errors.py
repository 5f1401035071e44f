"""Errors that point staff at the exact place in `data/` that needs fixing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: file, line (1-based, when known), field and what."""

    path: Path | str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line else "")
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class DataError(Exception):
    """Raised with every problem found, so one run shows staff the whole list."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self._summary())

    def __reduce__(self):  # crosses from a reader's child process whole (pickle would pass the summary)
        return DataError, (self.problems,)

    def _summary(self) -> str:
        shown = self.problems[:50]
        lines = [str(p) for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"... and {len(self.problems) - len(shown)} more problems")
        return "invalid data:\n  " + "\n  ".join(lines)
