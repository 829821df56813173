"""The traveller's schedule against their own calendars: conflicts, and free time.

``conflicts`` compares the events of the traveller's calendars (``_feeds.BusyEvent``) with the
items the traveller attends; ``free_slots`` finds the gaps in a day's business hours;
``traveller_busy`` reads the calendars over the span of the trip.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ._feeds import BusyEvent, busy_events, parse_calendar, read_calendar
from ._findings import Finding, Severity, local_time
from ._items import Stay
from ._model import Trip
from ._time import to_utc
from ._timeline import Scheduled, resolve

__all__ = ["Conflict", "find_conflicts", "free_slots", "traveller_busy"]


def traveller_busy(
    trip: Trip,
    sources: Sequence[str],
    *,
    texts: Sequence[str | bytes] = (),
    day: date | None = None,
    include_all_day: bool = False,
    include_transparent: bool = False,
) -> list[BusyEvent]:
    """Every event of the traveller's calendars during the trip, and on ``day`` when one is
    given (it may lie outside the items' span), recurrences expanded. ``sources`` are paths or
    URLs; ``texts`` calendars given as iCalendar text (an assistant's), named ``calendars[N]``."""
    timeline = resolve(trip)
    start, end = timeline.start, timeline.end
    if day is not None:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        start = min(start, midnight - timedelta(days=1)) if start else midnight - timedelta(days=1)
        end = max(end, midnight + timedelta(days=2)) if end else midnight + timedelta(days=2)
    if start is None or end is None:
        return []
    window = (start, end)
    calendars = itertools.chain(  # read one at a time, each expanded before the next is read
        ((source, read_calendar(source, window=window)) for source in sources),
        (
            (f"calendars[{n}]", parse_calendar(text, source=f"calendars[{n}]", window=window))
            for n, text in enumerate(texts)
        ),
    )
    found: list[BusyEvent] = []
    for source, calendar in calendars:
        found += busy_events(
            calendar,
            start,
            end,
            include_all_day=include_all_day,
            include_transparent=include_transparent,
            default_zone=trip.home_zone,
            source=source,
        )
    return found


# --- conflicts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conflict:
    """An existing event overlapping a trip item the traveller attends, in the item's zone.

    A conflict with a flight is an error (the traveller is in the air; the flight will not
    move); any other is a warning (the existing event may be moved or declined).
    """

    item_id: str
    item_path: str
    item_label: str
    item_type: str
    item_start: datetime
    item_end: datetime
    event_uid: str
    event_summary: str
    event_start: datetime
    event_end: datetime

    @property
    def severity(self) -> Severity:
        return Severity.ERROR if self.item_type == "flight" else Severity.WARNING

    @property
    def message(self) -> str:
        why = (
            "the traveller is in the air"
            if self.item_type == "flight"
            else "decline or move one of them"
        )
        return (
            f"{self.event_summary or 'an event'!r} on the traveller's calendar "
            f"({_range(self.event_start, self.event_end)}) overlaps {self.item_label!r} "
            f"({_range(self.item_start, self.item_end)}); {why}"
        )

    def to_finding(self) -> Finding:
        """The conflict as a plan finding: code ``calendar-conflict``."""
        return Finding(
            "calendar-conflict",
            self.severity,
            self.message,
            (self.item_id,),
            (self.item_path,),
            to_utc(max(self.item_start, self.event_start, key=to_utc)),
        )


def _range(start: datetime, end: datetime) -> str:
    """``Wed 2027-03-10 11:00`` to ``12:30 -03`` joined by a dash, with the end's date when it is another day."""
    if end.date() == start.date() and end.tzname() == start.tzname():
        return f"{start:%a %Y-%m-%d %H:%M}–{end:%H:%M} {start.tzname()}"
    return f"{local_time(start)} – {local_time(end)}"


def _attended(trip: Trip) -> list[Scheduled]:
    """The traveller's live items, stays included (callers decide whether a stay counts)."""
    return [
        e
        for e in resolve(trip)
        if e.item.status != "cancelled" and trip.attends(trip.traveller, e.item)
    ]


def find_conflicts(trip: Trip, events: Iterable[BusyEvent]) -> list[Conflict]:
    """Every event overlapping an item the traveller attends, in trip then event order.

    Stays and cancelled items do not count. Every event given counts: choose all-day and
    transparent ones with ``busy_events``.
    """
    events = sorted(events, key=lambda b: (b.start_utc, b.end_utc, b.uid))
    found: list[Conflict] = []
    if not events:
        return found  # nothing to overlap: the trip's items need not be walked
    for entry in _attended(trip):
        if isinstance(entry.item, Stay):
            continue
        zone = entry.start.tzinfo
        for event in events:
            if event.start_utc < entry.end_utc and entry.start_utc < event.end_utc:
                found.append(
                    Conflict(
                        item_id=entry.id,
                        item_path=entry.path,
                        item_label=entry.label,
                        item_type=entry.type,
                        item_start=entry.start,
                        item_end=entry.end_utc.astimezone(zone),
                        event_uid=event.uid,
                        event_summary=event.summary,
                        event_start=event.start_utc.astimezone(zone),
                        event_end=event.end_utc.astimezone(zone),
                    )
                )
    return found


# --- free time ---------------------------------------------------------------------------------


def _zone_on(trip: Trip, day: date, entries: list[Scheduled]) -> ZoneInfo:
    """Where the traveller is on ``day``: the first item starting that day (local date), else
    where the last earlier item left them while the trip goes on, else home."""
    starting = [e for e in entries if e.start.date() == day]
    if starting:
        return starting[0].origin.zone
    before = [e for e in entries if e.start.date() < day]
    if before and any(e.end.date() >= day for e in entries):
        return max(before, key=lambda e: e.start_utc).destination.zone
    return trip.home_zone


def free_slots(
    trip: Trip,
    events: Iterable[BusyEvent],
    day: date,
    duration: timedelta,
    *,
    hours: tuple[time, time] = (time(8), time(19)),
) -> list[tuple[datetime, datetime]]:
    """The traveller's free slots on ``day`` within ``hours``, each at least ``duration`` long.

    The day and hours are in the zone where the traveller is that day (the zone of the first trip
    item starting that day, else of the place the previous item left them, else the home zone).
    Items the traveller attends (flights and transfers included, stays not) and ``events`` are
    busy time. Slots are aware datetimes in that zone.
    """
    if hours[0] >= hours[1]:
        raise ValueError(f"business hours must start before they end, not {hours}")
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, not {duration}")
    entries = _attended(trip)
    zone = _zone_on(trip, day, entries)
    opens = to_utc(datetime.combine(day, hours[0], tzinfo=zone))
    closes = to_utc(datetime.combine(day, hours[1], tzinfo=zone))
    busy = sorted(
        [(e.start_utc, e.end_utc) for e in entries if not isinstance(e.item, Stay)]
        + [(b.start_utc, b.end_utc) for b in events]
    )
    slots: list[tuple[datetime, datetime]] = []
    cursor = opens
    for begin, finish in busy:
        if finish <= cursor or begin >= closes:
            continue
        if begin - cursor >= duration:
            slots.append((cursor, begin))
        cursor = max(cursor, finish)
    if closes - cursor >= duration:
        slots.append((cursor, closes))
    return [(a.astimezone(zone), b.astimezone(zone)) for a, b in slots]
