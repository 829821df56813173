"""Findings: what the plan checks (and the traveller's own calendars) say about a plan.

Every finding has a stable ``code`` (documented in ``docs/checks.md``; a code never changes
meaning), a severity, a plain message and the items it concerns. ``order`` is how findings are
always listed: most severe first, then in time order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Severity", "local_time", "order", "span"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return ("error", "warning", "note").index(self.value)


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: a stable ``code``, a severity, a plain message and the items concerned."""

    code: str
    severity: Severity
    message: str
    items: tuple[str, ...] = ()  # item ids, as the timeline knows them
    paths: tuple[str, ...] = ()  # where those items stand in the file: items[5]
    at: datetime | None = None  # the instant the finding is about (UTC), for ordering

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "items": list(self.items),
            "paths": list(self.paths),
            "at": self.at.isoformat() if self.at else None,
        }

    def __str__(self) -> str:
        where = f" {', '.join(self.paths)}" if self.paths else ""
        return f"{self.severity.value}[{self.code}]{where}: {self.message}"


def order(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then in time order: how findings are always listed."""
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(findings, key=lambda f: (f.severity.rank, f.at or never, f.code, f.paths))


def local_time(moment: datetime) -> str:
    """``Mon 2027-03-29 16:00 -03``: an instant as messages show it, in its own zone."""
    return f"{moment:%a %Y-%m-%d %H:%M} {moment.tzname()}"


def span(delta: Any) -> str:
    """``1 h 10 min``, ``45 min``, ``2 d 3 h``: durations in messages."""
    minutes = round(abs(delta.total_seconds()) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{mins} min" if mins else "",
    ]
    return " ".join(p for p in parts if p) or "0 min"
