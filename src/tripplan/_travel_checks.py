"""Plan checks about getting there: overlaps, buffers after landing, flights,
connections, nights without a bed, jet lag and hotel stays booked twice."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ._checking import Plan, finding_codes, is_meeting_of, km, located
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


def _international(flight: Scheduled) -> bool:
    return flight.origin.country != flight.destination.country


def _connection_kind(arrival: Scheduled, departure: Scheduled, plan: Plan) -> tuple[str, timedelta]:
    """What kind of connection two flights at one airport make, and the least time it needs."""
    options = plan.options
    if _international(arrival) and not _international(departure):
        kind, need = (
            "an international-to-domestic connection (immigration, customs, bags checked again)",
            options.international_to_domestic_connection,
        )
    elif _international(departure) or _international(arrival):
        kind, need = "an international connection", options.international_connection
    else:
        kind, need = "a domestic connection", options.domestic_connection
    return kind, max(need, options.min_connection)


def _flight_pairs(plan: Plan) -> Iterator[tuple[Scheduled, Scheduled, bool]]:
    """Each flight of the traveller and the next one they take with nothing but ground travel
    between (stays aside), and whether there is ground travel between."""
    landed: Scheduled | None = None
    ground = False
    for entry in plan.present:
        if isinstance(entry.item, Flight):
            if landed is not None:
                yield landed, entry, ground
            landed, ground = entry, False
        elif entry.item.moves:
            ground = True
        else:
            landed = None  # a meeting or activity between: a stopover, not a connection


@finding_codes(
    "connection-too-short",
    "too little time to change planes at one airport, for the kind of connection",
    (
        "connection-airport-change",
        "the next flight leaves from another airport: too little time, or no transfer planned",
    ),
)
def connections(plan: Plan) -> Iterator[Finding]:
    for previous, entry, ground in _flight_pairs(plan):
        arrival, departure = previous.item, entry.item
        assert isinstance(arrival, Flight) and isinstance(departure, Flight)
        gap = entry.start_utc - previous.end_utc
        if gap < timedelta(0):
            continue  # an overlap, reported as such
        if arrival.to != departure.from_:
            need = max(plan.options.airport_change_connection, plan.options.min_connection)
            if gap >= need and ground:
                continue
            here, there = previous.destination.geo, entry.origin.geo
            far = f", {km(here, there):,.0f} km away" if here and there else ""
            if gap < need:
                without = ", with no transfer planned" if not ground else ""
                message = (
                    f"only {_span(gap)} between {previous.label} landing at {arrival.to} and "
                    f"{entry.label} leaving from {departure.from_}{far}{without}; changing "
                    f"airports needs at least {_span(need)} (the ride, then check-in and security "
                    "again)"
                )
            else:
                message = (
                    f"{previous.label} lands at {arrival.to} but {entry.label} departs from "
                    f"{departure.from_}{far}, {_span(gap)} later, with no transfer planned "
                    "between the airports"
                )
            yield plan.finding(
                "connection-airport-change", Severity.WARNING, message, previous, entry
            )
            continue
        kind, need = _connection_kind(previous, entry, plan)
        if gap < need:
            yield plan.finding(
                "connection-too-short",
                Severity.WARNING,
                f"only {_span(gap)} at {departure.from_} between {previous.label} and "
                f"{entry.label}; {kind} needs at least {_span(need)}",
                previous,
                entry,
            )


_ONE_DAY = timedelta(days=1)
_TWO_AM = time(2, 0)


def _bare_nights(plan: Plan) -> Iterator[tuple[date, ZoneInfo, Scheduled, datetime]]:
    """Each night (the evening's date, where the traveller is, the latest item started before
    it, its instant) that neither a stay nor a journey under way covers, in time order."""
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
        yield day - _ONE_DAY, zone, entries[index], instant


def _days(first: date, last: date) -> str:
    """``Tue 9 - Thu 11 March 2027`` (an en dash), across months or years, or one day."""
    if first == last:
        return f"{first:%a} {first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        head = f"{first:%a} {first.day}"
    elif first.year == last.year:
        head = f"{first:%a} {first.day} {first:%B}"
    else:
        head = f"{first:%a} {first.day} {first:%B %Y}"
    return f"{head} – {last:%a} {last.day} {last:%B %Y}"


def _where(entry: Scheduled) -> str | None:
    """Where the traveller last was: ``in`` a city, or ``at`` a place (None: online only)."""
    place = entry.destination
    if place.city:
        return f"in {place.city}"
    return f"at {place.name}" if place.key is not None else None


@finding_codes(
    "night-without-stay", "nights of the trip with neither a stay nor an overnight journey"
)
def nights(plan: Plan) -> Iterator[Finding]:
    run: list[tuple[date, ZoneInfo, Scheduled, datetime]] = []
    for night in [*_bare_nights(plan), None]:
        if night is not None and run:
            last_day, last_zone = run[-1][0], run[-1][1]
            if night[0] == last_day + _ONE_DAY and night[1].key == last_zone.key:
                run.append(night)
                continue
        if run:
            first, last = run[0], run[-1]
            places = ", ".join(dict.fromkeys(w for n in run if (w := _where(n[2]))))
            where = f"{places} ({first[1].key})" if places else f"({first[1].key})"
            count = len(run)
            what = (
                f"no hotel or overnight journey for the night of {_days(first[0], first[0])}"
                if count == 1
                else f"{count} nights without a hotel or an overnight journey: the nights of "
                f"{_days(first[0], last[0])}"
            )
            yield plan.finding(
                "night-without-stay", Severity.WARNING, f"{what}, {where}", first[2], at=first[3]
            )
        run = [night] if night is not None else []


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
