"""Where the traveller is, derived from the resolved plan, and the checks that need to know it.

Travel (flights, trains, drives, transfers) moves the traveller from where it starts to where it
ends; hotel stays, meetings and activities place them (a stay every night it covers, at 02:00
local time). Read in time order, those places are the traveller's whereabouts. Two places in a row
farther apart than a drive, with no travel between, is a plan in which the traveller is in two
cities at once: ``no-travel``. Between two venues within driving distance, the time the move needs
comes from the distance (``venue-change``).

Places are compared by coordinates where they are known — the place's own, its airport's, or its
city's (GeoNames) — and else by city and country.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from ._cache import Memory, cache_dir
from ._checking import Plan, finding_codes, km
from ._findings import Finding, Severity
from ._findings import local_time as _local
from ._findings import span as _span
from ._gazetteer import cities_named, cities_release
from ._items import Meeting
from ._locations import Location
from ._timeline import Scheduled
from ._zones import get_zone

__all__ = [
    "Stop",
    "attendee_hours",
    "coordinates",
    "no_travel",
    "travel_time",
    "venue_change",
    "whereabouts",
]


@dataclass(frozen=True, slots=True)
class Stop:
    """The traveller at a place at an instant (UTC), because of an entry of the plan.

    ``leaving`` marks where a journey starts and ``arriving`` where it ends: between the two the
    traveller moves, and nowhere else."""

    at: datetime
    where: Location
    entry: Scheduled
    leaving: bool = False
    arriving: bool = False


def whereabouts(plan: Plan) -> list[Stop]:
    """The places the traveller is at, in time order: where each journey leaves and arrives,
    each meeting or activity at a place as it starts, and each hotel at check-in, every night
    (02:00 local) and check-out."""
    stops, entries = _stops(plan)
    return [
        Stop(at, _where(entries[index], kind), entries[index], kind == _LEAVING, kind == _ARRIVING)
        for at, kind, index in stops
    ]


# At one instant, arriving comes first and leaving last: a journey ends before the next begins,
# and a meeting that ends as a transfer leaves is still where the transfer starts.
_ARRIVING, _STAYING, _LEAVING = 0, 1, 2


def _stops(plan: Plan) -> tuple[list[tuple[datetime, int, int]], dict[int, Scheduled]]:
    """``whereabouts`` as sorted (instant, kind, the entry's index) tuples, and the entries by
    index. A large trip has a few stops per item: tuples of plain values need no object per stop
    and leave the garbage collector nothing to follow. Stops alike in all three are of one entry
    at one place, so their order among themselves does not matter."""
    by_index: dict[int, Scheduled] = {}
    found: list[tuple[datetime, int, int]] = []
    append = found.append
    for entry in plan.present:  # what the traveller attends, hotels aside
        by_index[entry.index] = entry
        if entry.item.moves:
            append((entry.start_utc, _LEAVING, entry.index))
            append((entry.end_utc, _ARRIVING, entry.index))
        elif entry.origin.key is not None:
            append((entry.start_utc, _STAYING, entry.index))
    for stay in plan.stays:
        by_index[stay.index] = stay
        index = stay.index
        for at in (stay.start_utc, *_nights(stay), stay.end_utc):
            append((at, _STAYING, index))
    found.sort()
    return found, by_index


def _where(entry: Scheduled, kind: int) -> Location:
    """Where a stop of ``entry`` is: a journey arrives at its destination, everything else is
    at its origin (where a journey leaves from, a meeting's or a hotel's place)."""
    return entry.destination if kind == _ARRIVING else entry.origin


def _nights(stay: Scheduled) -> Iterator[datetime]:
    zone = stay.start.tzinfo
    day = stay.start.date() + timedelta(days=1)
    while True:
        night = datetime.combine(day, time(2, 0), tzinfo=zone).astimezone(UTC)
        if night >= stay.end_utc:
            return
        if night > stay.start_utc:
            yield night
        day += timedelta(days=1)


def coordinates(where: Location) -> tuple[float, float] | None:
    """The place's coordinates, its airport's, or its city's (the most populous of that name)."""
    if where.geo is not None:
        return where.geo
    if where.city and where.country:
        return _city_coordinates(where.city, where.country)
    return None


@functools.lru_cache(maxsize=4096)
def _city_coordinates(city: str, country: str) -> tuple[float, float] | None:
    """GeoNames' answer, asked once per process, and remembered in the cache folder
    (``places/cities.json``): reading a country's rows of the table costs a cold command about
    40 ms."""
    memory = _city_memory(cache_dir(), cities_release())
    found = memory.answer(
        f"{country},{city}", functools.partial(_city_point, city, country), _is_point
    )
    memory.save()
    return (found[0], found[1]) if found is not None else None


@functools.lru_cache(maxsize=4)
def _city_memory(folder: Path, release: str) -> Memory:
    """One memory of city coordinates per cache folder, read once per process."""
    return Memory("places/cities.json", release, root=folder)


def _city_point(city: str, country: str) -> list[float] | None:
    found = cities_named(city, country)
    return [found[0].latitude, found[0].longitude] if found else None


def _is_point(value: object) -> bool:
    return value is None or (
        isinstance(value, list)
        and len(value) == 2
        and all(type(v) is float and math.isfinite(v) for v in value)
    )


def distance(a: Location, b: Location) -> float | None:
    """Kilometres between two places; 0 for the same place or city, None when unknown."""
    if a.key is not None and a.key == b.key:
        return 0.0
    if a.geo is not None and b.geo is not None:
        return km(a.geo, b.geo)
    if not _different_cities(a, b) and a.city is not None:
        return 0.0  # the same city: near enough, and no gazetteer to load
    here, there = coordinates(a), coordinates(b)
    if here is not None and there is not None:
        return km(here, there)
    return None


def _near(a: Location, b: Location) -> bool:
    apart = distance(a, b)
    return (apart is not None and apart <= 50) or (apart is None and not _different_cities(a, b))


def _different_cities(a: Location, b: Location) -> bool:
    """Without coordinates: two places in different cities (or countries) are far apart."""
    if not (a.city and b.city and a.country and b.country):
        return False
    return (a.city.casefold(), a.country) != (b.city.casefold(), b.country)


def travel_time(kilometres: float) -> timedelta:
    """How long the road between two venues takes: the great circle with a detour factor, at a
    speed that fits the distance (a city's streets, a ring road, a motorway), and a quarter of an
    hour to leave one building and find the next."""
    road = kilometres * 1.4
    speed = 20.0 if road < 5 else 35.0 if road < 30 else 70.0
    return timedelta(hours=road / speed) + timedelta(minutes=15)


def _name(where: Location) -> str:
    city = f", {where.city}" if where.city and where.city not in where.name else ""
    return f"{where.name}{city}"


@finding_codes("no-travel", "the traveller is in two places with no travel between them")
def no_travel(plan: Plan) -> Iterator[Finding]:
    limit = plan.options.no_travel_km
    stops, entries = _stops(plan)
    reported: set[tuple[str, str]] = set()
    jump: tuple[Location, Location] | None = None  # the last one reported: from, to
    # How far apart two places are, and whether that is too far: once per pair of places (a
    # large trip has many stops and few places; the timeline shares each place's Location).
    apart_by_pair: dict[tuple[int, int], tuple[float | None, bool]] = {}
    for previous, stop in itertools.pairwise(stops):
        if previous[2] == stop[2]:
            continue  # the same entry (a journey itself, a hotel's nights)
        before, entry = entries[previous[2]], entries[stop[2]]
        here, there = _where(before, previous[1]), _where(entry, stop[1])
        if here is there:
            continue  # the same place: never far
        pair = (before.id, entry.id)
        if pair in reported:
            continue
        measured = apart_by_pair.get((id(here), id(there)))
        if measured is None:
            apart = distance(here, there)
            far = apart > limit if apart is not None else _different_cities(here, there)
            measured = apart_by_pair[id(here), id(there)] = (apart, far)
        apart, far = measured
        if not far:
            continue
        if jump is not None and _near(jump[1], here) and _near(jump[0], there):
            jump = None  # the way back from a jump already reported: one mistake, one error
            continue
        jump = (here, there)
        reported.add(pair)
        at, left = stop[0], previous[0]
        how_far = f"{apart:,.0f} km apart" if apart is not None else "in different cities"
        what = (
            f"{entry.label} leaves from {_name(there)}"
            if stop[1] == _LEAVING
            else f"{entry.label!r} is at {_name(there)}"
        )
        yield plan.finding(
            "no-travel",
            Severity.ERROR,
            f"{what} ({_local(at.astimezone(entry.start.tzinfo))}), but the traveller "
            f"is at {_name(here)} ({_local(left.astimezone(before.start.tzinfo))}, "
            f"{before.label!r}), {how_far}, with no travel planned between them",
            before,
            entry,
            at=at,
        )


@finding_codes("venue-change", "not enough time to get from one venue to the next")
def venue_change(plan: Plan) -> Iterator[Finding]:
    limit = plan.options.no_travel_km
    previous: Scheduled | None = None
    for entry in plan.present:
        if entry.item.moves or entry.origin.key is None:
            previous = None if entry.item.moves else previous
            continue
        if previous is not None and previous.destination.key != entry.origin.key:
            apart = distance(previous.destination, entry.origin)
            if apart is not None and apart <= limit:
                need = max(plan.options.venue_change, travel_time(apart))
                gap = entry.start_utc - previous.end_utc
                if timedelta(0) <= gap < need:
                    yield plan.finding(
                        "venue-change",
                        Severity.WARNING,
                        f"{entry.label!r} at {entry.origin.name} starts {_span(gap)} after "
                        f"{previous.label!r} ends at {previous.destination.name}, {apart:,.1f} km "
                        f"away, with no transfer planned; allow about {_span(need)}",
                        previous,
                        entry,
                    )
        previous = entry


@finding_codes(
    "attendee-hours", "a meeting falls outside an attendee's business hours where they are"
)
def attendee_hours(plan: Plan) -> Iterator[Finding]:
    opens, closes = plan.options.attendee_hours
    traveller = plan.trip.traveller
    # Only people whose zone is known can be outside their hours: none, and no meeting is.
    zoned = {
        key: person
        for key, person in plan.trip.people.items()
        if key != traveller and person.timezone is not None
    }
    if not zoned:
        return
    for entry in plan.entries:
        meeting = entry.item
        if not isinstance(meeting, Meeting):
            continue
        people = dict.fromkeys([meeting.organizer or traveller, *meeting.attendees])
        for key in people:
            person = zoned.get(key)
            if person is None or person.timezone is None:
                continue
            zone = get_zone(person.timezone)
            start, end = entry.start_utc.astimezone(zone), entry.end_utc.astimezone(zone)
            late = end.date() > start.date() or end.time() > closes
            if start.time() < opens or late:
                yield plan.finding(
                    "attendee-hours",
                    Severity.WARNING,
                    f"{entry.label!r} is {start:%a %H:%M}–{end:%H:%M} for {person.name} "
                    f"({person.timezone}), outside business hours there "
                    f"({opens:%H:%M}–{closes:%H:%M})",
                    entry,
                )
