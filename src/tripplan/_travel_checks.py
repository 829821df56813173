"""Plan checks about getting there: overlaps, buffers after landing, changes of venue, flights,
connections, nights without a bed, jet lag and hotel stays booked twice."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from ._checking import Plan, finding_codes, is_meeting_of, km, located, place_key
from ._findings import Finding, Severity
from ._findings import local_time as _local
from ._findings import span as _span
from ._items import Flight, Stay
from ._timeline import Scheduled

__all__ = [
    "arrival_buffer",
    "connections",
    "flight_order",
    "flight_too_fast",
    "flight_too_slow",
    "jet_lag",
    "nights",
    "overlap",
    "stays",
    "venue_change",
]


@finding_codes("overlap", "the traveller is in two places at once")
def overlap(plan: Plan) -> Iterator[Finding]:
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


@finding_codes("arrival-buffer", "a meeting starts too soon after the traveller's flight lands")
def arrival_buffer(plan: Plan) -> Iterator[Finding]:
    last_flight: Scheduled | None = None
    for entry in plan.present:
        if isinstance(entry.item, Flight):
            last_flight = entry
            continue
        if last_flight is None or not located(entry):
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


@finding_codes(
    "venue-change", "no transfer and too little time between meetings at different places"
)
def venue_change(plan: Plan) -> Iterator[Finding]:
    previous: Scheduled | None = None
    for entry in plan.present:
        if not located(entry):
            previous = None  # a transfer or flight in between moves the traveller
            continue
        if previous is not None and place_key(previous) and place_key(entry):
            a, b = previous.destination, entry.origin
            if a.key != b.key:
                need = plan.options.venue_change
                if a.geo and b.geo:
                    need = max(need, timedelta(hours=km(a.geo, b.geo) / 30) + timedelta(minutes=15))
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


@finding_codes(
    "flight-arrives-before-departure", "a flight lands before it takes off, in absolute time"
)
def flight_order(plan: Plan) -> Iterator[Finding]:
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
    return km(a, b) if a and b else None


@finding_codes("flight-too-fast", "a flight's duration is impossible for the distance it covers")
def flight_too_fast(plan: Plan) -> Iterator[Finding]:
    speed = plan.options.max_ground_speed_kmh
    for flight in plan.flights:
        distance = _flight_km(flight)
        hours = flight.duration.total_seconds() / 3600
        if distance is not None and hours > 0 and distance / hours > speed:
            yield plan.finding(
                "flight-too-fast",
                Severity.ERROR,
                f"{flight.label} covers {distance:,.0f} km in {_span(flight.duration)} "
                f"({distance / hours:,.0f} km/h, over the {speed:,.0f} km/h no airliner exceeds); "
                "check the times and their dates",
                flight,
            )


@finding_codes("flight-too-slow", "a flight takes far longer than its distance needs")
def flight_too_slow(plan: Plan) -> Iterator[Finding]:
    for flight in plan.flights:
        distance = _flight_km(flight)
        if distance is None:
            continue
        most = timedelta(hours=distance / 400 + 3)
        if flight.duration > most:
            yield plan.finding(
                "flight-too-slow",
                Severity.WARNING,
                f"{flight.label} takes {_span(flight.duration)} for {distance:,.0f} km; a nonstop "
                f"flight needs at most about {_span(most)}; check the dates and times",
                flight,
            )


@finding_codes(
    "connection-too-short",
    "too little time to change planes",
    ("connection-airport-change", "a connecting flight leaves from another airport"),
)
def connections(plan: Plan) -> Iterator[Finding]:
    for previous, entry in itertools.pairwise(plan.present):
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


_ONE_DAY = timedelta(days=1)
_TWO_AM = time(2, 0)


@finding_codes(
    "night-without-stay", "a night of the trip has neither a stay nor an overnight journey"
)
def nights(plan: Plan) -> Iterator[Finding]:
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
    day = entries[0].start.date()  # the evening before the night
    skip_from = skip_to = day
    while True:
        if skip_from <= day < skip_to:
            day = skip_to  # nights known to be covered (below)
        # Where the traveller is that night: where the latest item started before it ends.
        guess = datetime.combine(day + _ONE_DAY, _TWO_AM, tzinfo=UTC)
        index = max(bisect.bisect_right(order, guess) - 1, 0)
        zone = entries[index].destination.zone
        instant = datetime.combine(day + _ONE_DAY, _TWO_AM, tzinfo=zone).astimezone(UTC)
        if instant >= finish:
            return
        day += _ONE_DAY
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
            # 2 a.m. anywhere (UTC-12 to UTC+14) after the evening of e is between e, 12:00 UTC
            # and e + 1, 14:00 UTC: so the nights of the evenings from two days on start later
            # than this one, and those before reach[i - 1] - 38 h are covered as well.
            start, end = day + _ONE_DAY, (reach[i - 1] - timedelta(hours=38)).date()
            if skip_from <= start <= skip_to:
                skip_to = max(skip_to, end)  # one window with the one before
            else:
                skip_from, skip_to = start, end
            continue
        yield plan.finding(
            "night-without-stay",
            Severity.WARNING,
            f"no hotel or overnight journey for the night of {day - _ONE_DAY:%a %Y-%m-%d} "
            f"({zone.key})",
            entries[index],
            at=instant,
        )


@finding_codes("jet-lag", "an important meeting soon after a large time zone shift")
def jet_lag(plan: Plan) -> Iterator[Finding]:
    journey_start: Scheduled | None = None
    arrivals: list[tuple[Scheduled, Scheduled]] = []  # (first flight, last flight) of each journey
    for previous, entry in zip([None, *plan.flights], plan.flights, strict=False):
        if previous is None or entry.start_utc - previous.end_utc > timedelta(hours=24):
            if previous is not None and journey_start is not None:
                arrivals.append((journey_start, previous))
            journey_start = entry
    if plan.flights and journey_start is not None:
        arrivals.append((journey_start, plan.flights[-1]))
    important = plan.options.important_kinds
    present = plan.present
    starts = [e.start_utc for e in present]
    for first, last in arrivals:
        before = first.start.utcoffset() or timedelta(0)
        after = last.end.utcoffset() or timedelta(0)
        east = (after - before) % timedelta(hours=24)
        shift = min(east, timedelta(hours=24) - east)  # the body clock moves the short way round
        if shift < plan.options.jet_lag_shift:
            continue
        window_end = last.end_utc + plan.options.jet_lag_window
        lo = bisect.bisect_left(starts, last.end_utc)
        hi = bisect.bisect_left(starts, window_end)
        for entry in present[lo:hi]:
            if is_meeting_of(entry, important):
                yield plan.finding(
                    "jet-lag",
                    Severity.WARNING,
                    f"{entry.label!r} starts {_span(entry.start_utc - last.end_utc)} after landing "
                    f"from a {_span(shift)} time zone shift ({first.origin.zone.key} → "
                    f"{last.destination.zone.key}); consider arriving a day earlier",
                    last,
                    entry,
                )


@finding_codes("stays-overlap", "two hotel stays overlap")
def stays(plan: Plan) -> Iterator[Finding]:
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
