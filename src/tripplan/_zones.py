"""IANA time zones from the ``tzdata`` package, and what the trip needs to know about them.

``zoneinfo.ZoneInfo(name)`` prefers the operating system's copy of the zone data, which is older on
many machines and differs between them. tripplan reads every zone from the ``tzdata`` package
instead, through ``ZoneInfo.from_file``, so the same data resolves times and writes calendars on
every machine, and the process's global zoneinfo settings are left alone.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo

from ._exceptions import ZoneError

__all__ = [
    "Transition",
    "country_zones",
    "get_zone",
    "is_zone",
    "transitions",
    "tzdata_version",
    "zone_country",
    "zone_names",
]


def tzdata_version() -> str:
    """The IANA release of the zone data in use (e.g. ``2026a``), recorded in what tripplan writes."""
    import tzdata

    return str(tzdata.IANA_VERSION)


@functools.cache
def zone_names() -> frozenset[str]:
    """Every zone name the bundled data knows, links included."""
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_zone(name: str) -> bool:
    return name in zone_names()


_cache: dict[str, ZoneInfo] = {}


def get_zone(name: str) -> ZoneInfo:
    """The zone ``name`` read from the tzdata package (cached), or ``ZoneError`` with a suggestion."""
    zone = _cache.get(name)
    if zone is not None:
        return zone
    if name not in zone_names():
        raise ZoneError(f"unknown time zone {name!r}{_suggest(name)}")
    source = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    with source.open("rb") as f:
        zone = ZoneInfo.from_file(f, key=name)
    _cache[name] = zone
    return zone


def _suggest(name: str) -> str:
    folded = {n.casefold(): n for n in zone_names()}
    if name.casefold() in folded:
        return f"; did you mean {folded[name.casefold()]}?"
    close = difflib.get_close_matches(name, zone_names(), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else "; expected an IANA name like Europe/Madrid"


@functools.cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coords, zone, *_ = line.split("\t")
            table.setdefault(country, []).append(zone)
    return {country: tuple(zones) for country, zones in table.items()}


def country_zones(country: str) -> tuple[str, ...]:
    """The zones of an ISO 3166-1 alpha-2 country, as the IANA ``zone.tab`` lists them."""
    return _zone_table().get(country, ())


@functools.cache
def _zone_countries() -> dict[str, str]:
    return {zone: country for country, zones in _zone_table().items() for zone in zones}


def zone_country(zone: str) -> str | None:
    """The country a zone belongs to, as ``zone.tab`` says (None for UTC and the like)."""
    return _zone_countries().get(zone)


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes that the zone data names (``iso3166.tab``)."""
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in text.splitlines() if line and not line.startswith("#")
    )


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's UTC offset or name, e.g. the start or end of daylight saving time."""

    zone: str
    instant: datetime  # aware, UTC
    offset_before: timedelta
    offset_after: timedelta
    name_before: str
    name_after: str
    dst_after: bool

    @property
    def local_before(self) -> datetime:
        """The wall time at which the clocks change, read on the old offset (e.g. 02:00)."""
        return (self.instant + self.offset_before).replace(tzinfo=None)

    @property
    def local_after(self) -> datetime:
        """The wall time the clocks show right after the change (e.g. 03:00)."""
        return (self.instant + self.offset_after).replace(tzinfo=None)


def _state(
    zone: tzinfo, instant: datetime
) -> tuple[timedelta | None, timedelta | None, str | None]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname()


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every transition of ``zone`` in ``[start, end)`` (aware datetimes), to the second.

    The zone is sampled every 12 hours and each change is bisected; no zone has changed its
    offset twice within 12 hours. Results are cached: calendars ask for the same spans often.
    """
    return list(_transitions(zone, start.astimezone(UTC), end.astimezone(UTC)))


@functools.lru_cache(maxsize=512)
def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Transition, ...]:
    step = timedelta(hours=12)
    found: list[Transition] = []
    # Whole seconds, so each change is found at its exact second; and one second before
    # `start`, so a change at `start` itself counts.
    lo = start.replace(microsecond=0) - timedelta(seconds=1)
    limit = end if not end.microsecond else end.replace(microsecond=0) + timedelta(seconds=1)
    before = _state(zone, lo)
    while lo < limit:
        hi = min(lo + step, limit)
        after = _state(zone, hi)
        if after != before:
            a, b = lo, hi
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if mid <= a:
                    break
                if _state(zone, mid) == before:
                    a = mid
                else:
                    b = mid
            found_state = _state(zone, b)
            found.append(
                Transition(
                    zone=str(zone),
                    instant=b,
                    offset_before=before[0] or timedelta(0),
                    offset_after=found_state[0] or timedelta(0),
                    name_before=before[2] or "",
                    name_after=found_state[2] or "",
                    dst_after=bool(found_state[1]),
                )
            )
            before = found_state
            lo = b
            continue
        lo, before = hi, after
    return tuple(t for t in found if start <= t.instant < end)
