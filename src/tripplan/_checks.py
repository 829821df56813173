"""Plan checks: what is wrong with a plan, or worth a second look, as findings with stable codes.

A MUST of the trip format fails loading; everything a planner may have done on purpose (a
weekend meeting, a tight connection) is a finding here. Each check reads the resolved timeline
only and compares instants in UTC. Codes are documented in ``docs/checks.md`` and never change
meaning; new checks get new codes.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from babel import Locale

from ._exceptions import OptionError
from ._feeds import BusyEvent
from ._findings import Finding, Severity, order
from ._findings import local_time as _local
from ._findings import span as _span
from ._formatting import territory_locale
from ._holidays import holiday_on
from ._items import Activity, Flight, Meeting, Stay
from ._model import Trip
from ._schedule import find_conflicts
from ._time import to_utc
from ._timeline import Scheduled, resolve
from ._types import format_offset
from ._zones import transitions

__all__ = ["CODES", "CheckOptions", "Finding", "Severity", "check", "order"]


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The thresholds the checks use; every one can be changed per run."""

    international_arrival_buffer: timedelta = timedelta(hours=2)
    domestic_arrival_buffer: timedelta = timedelta(hours=1)
    min_connection: timedelta = timedelta(hours=1)
    venue_change: timedelta = timedelta(minutes=30)
    business_hours: tuple[time, time] = (time(8, 0), time(19, 0))
    jet_lag_shift: timedelta = timedelta(hours=5)
    jet_lag_window: timedelta = timedelta(hours=24)
    max_ground_speed_kmh: float = 1000.0
    important_kinds: frozenset[str] = frozenset({"it_staff_day", "executive_meeting"})
    business_kinds: frozenset[str] = frozenset(
        {"it_staff_day", "executive_meeting", "demo", "other"}
    )
    disabled: frozenset[str] = field(default_factory=frozenset)


CODES: dict[str, str] = {}
_CheckFn = Callable[["_Plan"], Iterator[Finding]]
_CHECKS: list[tuple[frozenset[str], _CheckFn]] = []


def _check(code: str, summary: str, *more: tuple[str, str]) -> Callable[[_CheckFn], _CheckFn]:
    """Register a check and the codes its findings carry (``more``: codes beside ``code``)."""

    def register(fn: _CheckFn) -> _CheckFn:
        codes = dict([(code, summary), *more])
        CODES.update(codes)
        _CHECKS.append((frozenset(codes), fn))
        return fn

    return register


CODES["calendar-conflict"] = "an event of the traveller's own calendar overlaps an item they attend"


def check(
    trip: Trip, options: CheckOptions | None = None, *, busy: Iterable[BusyEvent] = ()
) -> list[Finding]:
    """Every finding about ``trip``, most severe first, then in time order.

    ``busy`` are events of the traveller's own calendars (``traveller_busy``): each that overlaps
    an item the traveller attends is a ``calendar-conflict``. A code in ``options.disabled`` is
    never reported, and a check none of whose codes are wanted does not run.
    """
    options = options or CheckOptions()
    unknown = sorted(set(options.disabled) - set(CODES))
    if unknown:
        raise OptionError(f"unknown check code {unknown[0]!r}; expected one of: {', '.join(CODES)}")
    plan = _Plan(trip, options)
    found: list[Finding] = [
        f for codes, fn in _CHECKS if not codes <= options.disabled for f in fn(plan)
    ]
    if "calendar-conflict" not in options.disabled:
        found += [c.to_finding() for c in find_conflicts(trip, busy)]
    return order(f for f in found if f.code not in options.disabled)


class _Plan:
    """The timeline as the checks see it: the traveller's live items, in time order."""

    def __init__(self, trip: Trip, options: CheckOptions) -> None:
        self.trip, self.options = trip, options
        self.timeline = resolve(trip)
        live = [e for e in self.timeline if e.item.status != "cancelled"]
        self.entries = live
        self.present = [
            e for e in live if not isinstance(e.item, Stay) and trip.attends(trip.traveller, e.item)
        ]
        self.stays = [e for e in live if isinstance(e.item, Stay)]
        self.flights = [e for e in live if isinstance(e.item, Flight)]

    def finding(
        self,
        code: str,
        severity: Severity,
        message: str,
        *entries: Scheduled,
        at: datetime | None = None,
    ) -> Finding:
        return Finding(
            code,
            severity,
            message,
            tuple(e.id for e in entries),
            tuple(e.path for e in entries),
            at if at is not None else (entries[0].start_utc if entries else None),
        )


# --- helpers -----------------------------------------------------------------------------------


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (haversine on a 6371 km sphere)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _is_meeting_of(entry: Scheduled, kinds: frozenset[str]) -> bool:
    return isinstance(entry.item, Meeting) and entry.item.kind in kinds


def _located(entry: Scheduled) -> bool:
    return isinstance(entry.item, Meeting | Activity)


def _place(entry: Scheduled) -> str | None:
    """The place key of a meeting or activity (None when it has only a zone)."""
    return entry.origin.key if _located(entry) else None


# --- the checks --------------------------------------------------------------------------------


@_check("overlap", "the traveller is in two places at once")
def _overlap(plan: _Plan) -> Iterator[Finding]:
    latest: Scheduled | None = None
    for entry in plan.present:
        if latest is not None and entry.start_utc < latest.end_utc:
            optional = entry.item.optional or latest.item.optional
            yield plan.finding(
                "overlap",
                Severity.WARNING if optional else Severity.ERROR,
                f"{entry.label!r} ({_local(entry.start)}) starts before {latest.label!r} ends "
                f"({_local(latest.end)}); the traveller cannot be at both",
                latest,
                entry,
                at=entry.start_utc,
            )
        if latest is None or entry.end_utc > latest.end_utc:
            latest = entry


@_check("arrival-buffer", "a meeting starts too soon after the traveller's flight lands")
def _arrival_buffer(plan: _Plan) -> Iterator[Finding]:
    last_flight: Scheduled | None = None
    for entry in plan.present:
        if isinstance(entry.item, Flight):
            last_flight = entry
            continue
        if last_flight is None or not _located(entry):
            continue
        flight, last_flight = last_flight, None  # only the first thing after landing
        international = flight.origin.country != flight.destination.country
        buffer = (
            plan.options.international_arrival_buffer
            if international
            else plan.options.domestic_arrival_buffer
        )
        gap = entry.start_utc - flight.end_utc
        if timedelta(0) <= gap < buffer:
            kind = "an international" if international else "a domestic"
            yield plan.finding(
                "arrival-buffer",
                Severity.WARNING,
                f"{entry.label!r} starts {_span(gap)} after {flight.label} lands "
                f"({_local(flight.end)}); allow {_span(buffer)} after {kind} arrival for "
                "immigration, bags and the transfer",
                flight,
                entry,
                at=entry.start_utc,
            )


@_check("venue-change", "no transfer and too little time between meetings at different places")
def _venue_change(plan: _Plan) -> Iterator[Finding]:
    previous: Scheduled | None = None
    for entry in plan.present:
        if not _located(entry):
            previous = None  # a transfer or flight in between moves the traveller
            continue
        if previous is not None and _place(previous) and _place(entry):
            a, b = previous.destination, entry.origin
            if a.key != b.key:
                need = plan.options.venue_change
                if a.geo and b.geo:
                    need = max(
                        need, timedelta(hours=_km(a.geo, b.geo) / 30) + timedelta(minutes=15)
                    )
                gap = entry.start_utc - previous.end_utc
                if timedelta(0) <= gap < need:
                    yield plan.finding(
                        "venue-change",
                        Severity.WARNING,
                        f"{entry.label!r} at {b.name} starts {_span(gap)} after {previous.label!r} "
                        f"ends at {a.name}, with no transfer planned; allow about {_span(need)}",
                        previous,
                        entry,
                    )
        previous = entry


@_check("flight-arrives-before-departure", "a flight lands before it takes off, in absolute time")
def _flight_order(plan: _Plan) -> Iterator[Finding]:
    for flight in plan.flights:
        if flight.end_utc <= flight.start_utc:
            yield plan.finding(
                "flight-arrives-before-departure",
                Severity.ERROR,
                f"{flight.label} lands at {_local(flight.end)}, which is {_span(flight.duration)} "
                f"before it departs at {_local(flight.start)}; check the arrival date "
                "(a flight across the date line or overnight often lands a day later)",
                flight,
            )


def _flight_km(flight: Scheduled) -> float | None:
    a, b = flight.origin.geo, flight.destination.geo
    return _km(a, b) if a and b else None


@_check("flight-too-fast", "a flight's duration is impossible for the distance it covers")
def _flight_too_fast(plan: _Plan) -> Iterator[Finding]:
    speed = plan.options.max_ground_speed_kmh
    for flight in plan.flights:
        km = _flight_km(flight)
        hours = flight.duration.total_seconds() / 3600
        if km is not None and hours > 0 and km / hours > speed:
            yield plan.finding(
                "flight-too-fast",
                Severity.ERROR,
                f"{flight.label} covers {km:,.0f} km in {_span(flight.duration)} "
                f"({km / hours:,.0f} km/h, over the {speed:,.0f} km/h no airliner exceeds); "
                "check the times and their dates",
                flight,
            )


@_check("flight-too-slow", "a flight takes far longer than its distance needs")
def _flight_too_slow(plan: _Plan) -> Iterator[Finding]:
    for flight in plan.flights:
        km = _flight_km(flight)
        if km is None:
            continue
        most = timedelta(hours=km / 400 + 3)
        if flight.duration > most:
            yield plan.finding(
                "flight-too-slow",
                Severity.WARNING,
                f"{flight.label} takes {_span(flight.duration)} for {km:,.0f} km; a nonstop "
                f"flight needs at most about {_span(most)}; check the dates and times",
                flight,
            )


@_check(
    "connection-too-short",
    "too little time to change planes",
    ("connection-airport-change", "a connecting flight leaves from another airport"),
)
def _connections(plan: _Plan) -> Iterator[Finding]:
    for previous, entry in zip(plan.present, plan.present[1:], strict=False):
        arrival, departure = previous.item, entry.item
        if not (isinstance(arrival, Flight) and isinstance(departure, Flight)):
            continue
        gap = entry.start_utc - previous.end_utc
        if arrival.to != departure.from_:
            yield plan.finding(
                "connection-airport-change",
                Severity.WARNING,
                f"{previous.label} lands at {arrival.to} but {entry.label} departs from "
                f"{departure.from_}, with no transfer planned between the airports",
                previous,
                entry,
            )
        elif timedelta(0) <= gap < plan.options.min_connection:
            yield plan.finding(
                "connection-too-short",
                Severity.WARNING,
                f"only {_span(gap)} at {departure.from_} between {previous.label} and "
                f"{entry.label}; allow at least {_span(plan.options.min_connection)}",
                previous,
                entry,
            )


@_check("night-without-stay", "a night of the trip has neither a stay nor an overnight journey")
def _nights(plan: _Plan) -> Iterator[Finding]:
    entries = plan.entries
    if not entries:
        return
    covers = sorted(
        (e.start_utc, e.end_utc) for e in entries if isinstance(e.item, Stay) or e.item.moves
    )
    starts = [c[0] for c in covers]
    reach = list(itertools.accumulate((c[1] for c in covers), max))  # latest end so far
    first_flight = next((e for e in entries if isinstance(e.item, Flight)), None)
    last_flight = next((e for e in reversed(entries) if isinstance(e.item, Flight)), None)
    home = plan.trip.home_zone.key
    begin = entries[0].start_utc
    finish = max(e.end_utc for e in entries)
    order = [e.start_utc for e in entries]
    day = entries[0].start.date()
    while True:
        # Where the traveller is that night: where the latest item started before it ends.
        guess = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=UTC)
        index = max(bisect.bisect_right(order, guess) - 1, 0)
        zone = entries[index].destination.zone
        night = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=zone)
        instant = to_utc(night)
        if instant >= finish:
            return
        day += timedelta(days=1)
        if instant < begin:
            continue
        at_home = zone.key == home and (
            (first_flight is not None and instant < first_flight.start_utc)
            or (last_flight is not None and instant >= last_flight.end_utc)
        )
        if at_home:
            continue
        i = bisect.bisect_right(starts, instant)  # covers[:i] start at or before the night
        if i and reach[i - 1] > instant:
            continue
        yield plan.finding(
            "night-without-stay",
            Severity.WARNING,
            f"no hotel or overnight journey for the night of {day - timedelta(days=1):%a %Y-%m-%d} "
            f"({zone.key})",
            entries[index],
            at=instant,
        )


@_check("outside-business-hours", "a business meeting outside local business hours")
def _business_hours(plan: _Plan) -> Iterator[Finding]:
    opens, closes = plan.options.business_hours
    for entry in plan.present:
        if not _is_meeting_of(entry, plan.options.business_kinds):
            continue
        start, end = entry.start, entry.end
        late = end.date() > start.date() or end.time() > closes
        if start.time() < opens or late:
            yield plan.finding(
                "outside-business-hours",
                Severity.WARNING,
                f"{entry.label!r} runs {start:%H:%M}–{end:%H:%M} {start.tzname()}, outside "
                f"business hours ({opens:%H:%M}–{closes:%H:%M}) at {entry.origin.name}",
                entry,
            )


@functools.cache
def _weekend(country: str) -> tuple[int, int]:
    """The weekend's first and last weekday (Monday 0) in ``country``, from CLDR via Babel."""
    local = territory_locale(country)
    if local is None:
        return 5, 6
    locale = Locale.parse(local)
    return locale.weekend_start, locale.weekend_end


def _weekend_days(country: str) -> set[int]:
    first, last = _weekend(country)
    return {d % 7 for d in range(first, first + ((last - first) % 7) + 1)}


@_check("weekend-meeting", "a business meeting on the local weekend")
def _weekend_meeting(plan: _Plan) -> Iterator[Finding]:
    for entry in plan.present:
        country = entry.origin.country
        if country is None or not _is_meeting_of(entry, plan.options.business_kinds):
            continue
        if entry.start.weekday() in _weekend_days(country):
            yield plan.finding(
                "weekend-meeting",
                Severity.WARNING,
                f"{entry.label!r} is on {entry.start:%A %Y-%m-%d}, a weekend day in {country}",
                entry,
            )


@_check("public-holiday", "a business meeting on a public holiday of the place's country")
def _public_holiday(plan: _Plan) -> Iterator[Finding]:
    for entry in plan.present:
        country = entry.origin.country
        if country is None or not _is_meeting_of(entry, plan.options.business_kinds):
            continue
        day = entry.start.date()
        region = entry.origin.subdivision
        name = holiday_on(country, region, day)
        if name:
            where = f"{country}-{region}" if region else country
            yield plan.finding(
                "public-holiday",
                Severity.WARNING,
                f"{entry.label!r} is on {day:%a %Y-%m-%d}, a public holiday in {where}: {name}",
                entry,
            )


@_check("jet-lag", "an important meeting soon after a large time zone shift")
def _jet_lag(plan: _Plan) -> Iterator[Finding]:
    journey_start: Scheduled | None = None
    arrivals: list[tuple[Scheduled, Scheduled]] = []  # (first flight, last flight) of each journey
    for previous, entry in zip([None, *plan.flights], plan.flights, strict=False):
        if previous is None or entry.start_utc - previous.end_utc > timedelta(hours=24):
            if previous is not None and journey_start is not None:
                arrivals.append((journey_start, previous))
            journey_start = entry
    if plan.flights and journey_start is not None:
        arrivals.append((journey_start, plan.flights[-1]))
    for first, last in arrivals:
        before = first.start.utcoffset() or timedelta(0)
        after = last.end.utcoffset() or timedelta(0)
        east = (after - before) % timedelta(hours=24)
        shift = min(east, timedelta(hours=24) - east)  # the body clock moves the short way round
        if shift < plan.options.jet_lag_shift:
            continue
        window_end = last.end_utc + plan.options.jet_lag_window
        for entry in plan.present:
            if last.end_utc <= entry.start_utc < window_end and _is_meeting_of(
                entry, plan.options.important_kinds
            ):
                yield plan.finding(
                    "jet-lag",
                    Severity.WARNING,
                    f"{entry.label!r} starts {_span(entry.start_utc - last.end_utc)} after landing "
                    f"from a {_span(shift)} time zone shift ({first.origin.zone.key} → "
                    f"{last.destination.zone.key}); consider arriving a day earlier",
                    last,
                    entry,
                )


@_check("dst-change", "a zone of the trip changes its UTC offset during the trip")
def _dst_change(plan: _Plan) -> Iterator[Finding]:
    timeline = plan.timeline
    if timeline.start is None or timeline.end is None:
        return
    zones = {e.origin.zone.key: e.origin.zone for e in plan.entries}
    zones |= {e.destination.zone.key: e.destination.zone for e in plan.entries}
    zones.setdefault(plan.trip.home_zone.key, plan.trip.home_zone)
    for key in sorted(zones):
        for change in transitions(zones[key], timeline.start, timeline.end):
            yield Finding(
                "dst-change",
                Severity.NOTE,
                f"{key} changes from UTC{format_offset(change.offset_before)} to "
                f"UTC{format_offset(change.offset_after)} at {change.local_before:%a %Y-%m-%d %H:%M} "
                f"local time (the clocks then show {change.local_after:%H:%M})",
                at=change.instant,
            )


@_check("agenda-outside-meeting", "an agenda entry outside its meeting's time")
def _agenda(plan: _Plan) -> Iterator[Finding]:
    for entry in plan.entries:
        meeting = entry.item
        if not isinstance(meeting, Meeting):
            continue
        for n, (step, at) in enumerate(zip(meeting.agenda, entry.agenda, strict=True)):
            if not entry.start_utc <= at < entry.end_utc:
                yield Finding(
                    "agenda-outside-meeting",
                    Severity.WARNING,
                    f"agenda entry {step.at:%H:%M} {step.title!r} is outside {entry.label!r} "
                    f"({entry.start:%H:%M}–{entry.end:%H:%M})",
                    (entry.id,),
                    (f"{entry.path}.agenda[{n}]",),
                    entry.start_utc,
                )


@_check("stays-overlap", "two hotel stays overlap")
def _stays(plan: _Plan) -> Iterator[Finding]:
    latest: Scheduled | None = None
    for entry in plan.stays:
        if latest is not None and entry.start_utc < latest.end_utc:
            yield plan.finding(
                "stays-overlap",
                Severity.WARNING,
                f"the stay at {entry.origin.name} from {_local(entry.start)} overlaps the stay at "
                f"{latest.origin.name} until {_local(latest.end)}; one may be booked twice",
                latest,
                entry,
                at=entry.start_utc,
            )
        if latest is None or entry.end_utc > latest.end_utc:
            latest = entry
