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

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from ._checking import Plan, finding_codes, km
from ._findings import Finding, Severity
from ._findings import local_time as _local
from ._findings import span as _span
from ._gazetteer import cities_named
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
    # At one instant, arriving comes first and leaving last: a journey ends before the next
    # begins, and a meeting that ends as a transfer leaves is still where the transfer starts.
    ARRIVING, STAYING, LEAVING = 0, 1, 2
    found: list[tuple[datetime, int, int, Stop]] = []
    for entry in plan.present:  # what the traveller attends, hotels aside
        if entry.item.moves:
            found.append(
                (
                    entry.start_utc,
                    LEAVING,
                    entry.index,
                    Stop(entry.start_utc, entry.origin, entry, leaving=True),
                )
            )
            found.append(
                (
                    entry.end_utc,
                    ARRIVING,
                    entry.index,
                    Stop(entry.end_utc, entry.destination, entry, arriving=True),
                )
            )
        elif entry.origin.key is not None:
            found.append(
                (entry.start_utc, STAYING, entry.index, Stop(entry.start_utc, entry.origin, entry))
            )
    for stay in plan.stays:
        for at in (stay.start_utc, *_nights(stay), stay.end_utc):
            found.append((at, STAYING, stay.index, Stop(at, stay.origin, stay)))
    found.sort(key=lambda row: row[:3])
    return [row[3] for row in found]


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
        found = cities_named(where.city, where.country)
        if found:
            return found[0].latitude, found[0].longitude
    return None


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
    stops = whereabouts(plan)
    reported: set[tuple[str, str]] = set()
    jump: tuple[Location, Location] | None = None  # the last one reported: from, to
    for previous, stop in itertools.pairwise(stops):
        if previous.leaving and stop.arriving and previous.entry is stop.entry:
            continue  # the journey itself
        pair = (previous.entry.id, stop.entry.id)
        if previous.entry is stop.entry or pair in reported:
            continue
        apart = distance(previous.where, stop.where)
        far = apart > limit if apart is not None else _different_cities(previous.where, stop.where)
        if not far:
            continue
        if jump is not None and _near(jump[1], previous.where) and _near(jump[0], stop.where):
            jump = None  # the way back from a jump already reported: one mistake, one error
            continue
        jump = (previous.where, stop.where)
        reported.add(pair)
        how_far = f"{apart:,.0f} km apart" if apart is not None else "in different cities"
        what = (
            f"{stop.entry.label} leaves from {_name(stop.where)}"
            if stop.leaving
            else f"{stop.entry.label!r} is at {_name(stop.where)}"
        )
        yield plan.finding(
            "no-travel",
            Severity.ERROR,
            f"{what} ({_local(stop.at.astimezone(stop.entry.start.tzinfo))}), but the traveller "
            f"is at {_name(previous.where)} ({_local(previous.at.astimezone(previous.entry.start.tzinfo))}, "
            f"{previous.entry.label!r}), {how_far}, with no travel planned between them",
            previous.entry,
            stop.entry,
            at=stop.at,
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
    for entry in plan.entries:
        meeting = entry.item
        if not isinstance(meeting, Meeting):
            continue
        people = dict.fromkeys([meeting.organizer or plan.trip.traveller, *meeting.attendees])
        for key in people:
            person = plan.trip.people[key]
            if key == plan.trip.traveller or person.timezone is None:
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
