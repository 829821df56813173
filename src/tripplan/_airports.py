"""IATA airport codes -> name, city, country, coordinates and zone, from the airportsdata package."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

__all__ = ["Airport", "airport", "is_airport"]


@dataclass(frozen=True, slots=True)
class Airport:
    iata: str
    name: str
    city: str
    country: str
    timezone: str
    latitude: float
    longitude: float


@functools.cache
def _table() -> dict[str, dict[str, Any]]:
    import airportsdata

    table: Any = airportsdata.load("IATA")
    return dict(table)


def is_airport(code: str) -> bool:
    return code in _table()


@functools.cache
def airport(code: str) -> Airport:
    """The airport with IATA code ``code``; ``ValueError`` naming the code when none has it."""
    row = _table().get(code)
    if row is None:
        raise ValueError(f"unknown IATA airport code {code!r}")
    return Airport(
        iata=code,
        name=row["name"],
        city=row["city"],
        country=row["country"],
        timezone=row["tz"],
        latitude=float(row["lat"]),
        longitude=float(row["lon"]),
    )


def looks_like_airport(ref: str) -> bool:
    """Whether a place reference is an IATA airport code: three capitals that name an airport."""
    return len(ref) == 3 and ref.isupper() and is_airport(ref)
