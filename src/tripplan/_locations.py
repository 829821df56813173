"""Where things happen: a place of the trip or an airport, with the zone its times are read in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from . import _airports, _zones
from ._types import did_you_mean

__all__ = ["Location", "locate", "online_location", "unknown_place"]


class Place(Protocol):
    """What a place of the trip says about where it is (the model's ``Place``)."""

    @property
    def name(self) -> str: ...
    @property
    def zone_name(self) -> str: ...
    @property
    def country(self) -> str | None: ...
    @property
    def subdivision(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def geo(self) -> tuple[float, float] | None: ...
    @property
    def phone(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Location:
    """A resolved place: a key of ``places``, an IATA airport, or only a zone (online meetings)."""

    key: str | None
    name: str
    zone: ZoneInfo
    country: str | None = None
    subdivision: str | None = None
    city: str | None = None
    address: str | None = None
    geo: tuple[float, float] | None = None
    phone: str | None = None
    iata: str | None = None

    @property
    def is_airport(self) -> bool:
        return self.iata is not None

    @property
    def line(self) -> str:
        """``Name, address, city``: the place on one line, as outputs show it."""
        return ", ".join(p for p in (self.name, self.address, self.city) if p)


def locate(ref: str, places: Mapping[str, Place]) -> Location:
    """Resolve a place reference: a key of ``places`` first, else an IATA airport code.

    Raises ``ValueError`` naming the reference when it is neither.
    """
    place = places.get(ref)
    if place is not None:
        return Location(
            key=ref,
            name=place.name,
            zone=_zones.get_zone(place.zone_name),
            country=place.country,
            subdivision=place.subdivision,
            city=place.city,
            address=place.address,
            geo=place.geo,
            phone=place.phone,
        )
    if _airports.looks_like_airport(ref):
        airport = _airports.airport(ref)
        return Location(
            key=ref,
            name=airport.name,
            zone=_zones.get_zone(airport.timezone),
            country=airport.country,
            city=airport.city,
            geo=(airport.latitude, airport.longitude),
            iata=ref,
        )
    raise unknown_place(ref, places)


def unknown_place(ref: str, keys: Iterable[str]) -> ValueError:
    known = ", ".join(sorted(keys)) or "none"
    return ValueError(
        f"unknown place {ref!r}: not a key of places ({known}) and not an IATA airport code"
        + did_you_mean(ref, keys)
    )


def online_location(zone: str) -> Location:
    """Where an item with no place happens: only its zone (an online meeting)."""
    return Location(key=None, name=zone, zone=_zones.get_zone(zone))
