"""The one exception tree of tripplan.

    TripplanError                  catch this to catch anything tripplan raises on purpose
    ├── TripFileError              a trip cannot be read or is invalid; carries every Problem found
    └── ZoneError                  an IANA zone name or IATA code that no data knows (API callers)

Bad input is always a ``TripFileError`` listing all its problems at once, each located by file,
path in the document (``items[5].attendees[2]``) and, where the format gives one, line; the
command prints one line per problem and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "TripFileError", "TripplanError", "ZoneError"]


class TripplanError(Exception):
    """Base class of every error tripplan raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a trip, located in its source."""

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "<trip>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class TripFileError(TripplanError):
    """A trip file that cannot be loaded: every problem in it, in document order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ZoneError(TripplanError, ValueError):
    """A time zone name or airport code that the bundled data does not know."""
