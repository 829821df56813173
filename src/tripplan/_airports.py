"""IATA airport codes -> name, city, country, coordinates and zone, from the airportsdata package.

Only the codes a trip names are read: the package's table (``airports.csv``, some 28,000 rows) is
kept as text and each code is looked up in it once, so a trip with three airports does not parse
the whole table. A code's row is the last one the table has for it, as ``airportsdata.load``
would give it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Airport", "airport", "is_airport", "looks_like_airport"]


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
def _table() -> tuple[bytes, list[str]]:
    """The package's airports.csv as it is stored (UTF-8), and the names of its columns."""
    data = resources.files("airportsdata").joinpath("airports.csv").read_bytes()
    header = next(csv.reader([data[: data.index(b"\n")].decode("utf-8")]))
    return data, header


@functools.cache
def _row(code: str) -> dict[str, Any] | None:
    """The table's row for IATA code ``code``, read as ``airportsdata.load`` reads it."""
    if not code.isascii() or not code.isalnum():
        return None
    data, header = _table()
    column = header.index("iata")
    needle = f'"{code}"'.encode("ascii")
    end = len(data)
    while True:
        at = data.rfind(needle, 0, end)
        if at < 0:
            return None
        start = data.rfind(b"\n", 0, at) + 1
        stop = data.find(b"\n", at)
        if start > 0:  # not the header
            line = data[start : stop if stop >= 0 else len(data)].decode("utf-8").rstrip("\r")
            fields = next(csv.reader([line], quoting=csv.QUOTE_NONNUMERIC))
            if len(fields) == len(header) and fields[column] == code:
                return dict(zip(header, fields, strict=True))
        end = at


def is_airport(code: str) -> bool:
    return _row(code) is not None


@functools.cache
def airport(code: str) -> Airport:
    """The airport with IATA code ``code``; ``ValueError`` naming the code when none has it."""
    row = _row(code)
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
