"""What every plan check shares: the thresholds, the plan as the checks see it, and the helpers.

A check is a function from a ``Plan`` to findings, marked with the codes its findings carry
(``finding_codes``); ``_checks`` lists them in order (the registry) and runs them. Checks read the
resolved timeline only and compare instants in UTC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from ._findings import Finding, Severity
from ._items import Activity, Flight, Meeting, Stay
from ._model import Trip
from ._timeline import Scheduled, Timeline, resolve

__all__ = [
    "CheckFn",
    "CheckOptions",
    "Plan",
    "codes_of",
    "finding_codes",
    "is_meeting_of",
    "km",
    "located",
]


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The thresholds the checks use; every one can be changed per run."""

    international_arrival_buffer: timedelta = timedelta(hours=2)
    domestic_arrival_buffer: timedelta = timedelta(hours=1)
    #: The shortest connection between two flights at one airport, by kind: both flights
    #: domestic; the next flight international (from a domestic or an international one); an
    #: international flight then a domestic one (immigration, customs, bags checked again).
    domestic_connection: timedelta = timedelta(minutes=45)
    international_connection: timedelta = timedelta(hours=1)
    international_to_domestic_connection: timedelta = timedelta(minutes=90)
    #: The shortest connection when the next flight leaves from another airport (JFK -> LGA).
    airport_change_connection: timedelta = timedelta(hours=3)
    #: A floor under every connection minimum above (none by default): ``--min-connection``.
    min_connection: timedelta = timedelta(0)
    venue_change: timedelta = timedelta(minutes=30)
    #: Farther apart than this (great circle) is not a drive: it takes a flight or a train.
    no_travel_km: float = 150.0
    #: An attendee's business hours in their own zone.
    attendee_hours: tuple[time, time] = (time(8, 0), time(19, 0))
    business_hours: tuple[time, time] = (time(8, 0), time(19, 0))
    jet_lag_shift: timedelta = timedelta(hours=5)
    jet_lag_window: timedelta = timedelta(hours=24)
    max_ground_speed_kmh: float = 1000.0
    important_kinds: frozenset[str] = frozenset({"it_staff_day", "executive_meeting"})
    business_kinds: frozenset[str] = frozenset(
        {"it_staff_day", "executive_meeting", "demo", "other"}
    )
    #: The machine's zone data that ``zone-data-skew`` compares with tripplan's: a zoneinfo
    #: folder; None for the first folder of ``zoneinfo.TZPATH`` that exists. A folder that does
    #: not exist (or ``""``) turns the comparison off.
    system_zoneinfo: str | None = None
    disabled: frozenset[str] = field(default_factory=frozenset)


class Plan:
    """The timeline as the checks see it: the traveller's live items, in time order."""

    def __init__(self, trip: Trip, options: CheckOptions) -> None:
        self.trip, self.options = trip, options
        self.timeline: Timeline = resolve(trip)
        # One pass over the timeline (a large trip has many entries): the live ones, those the
        # traveller attends (hotels aside), the hotels and the flights, each in time order.
        self.entries: list[Scheduled] = []
        self.present: list[Scheduled] = []
        self.stays: list[Scheduled] = []
        self.flights: list[Scheduled] = []
        traveller, attends = trip.traveller, trip.attends
        for e in self.timeline:
            item = e.item
            if item.status == "cancelled":
                continue
            self.entries.append(e)
            if isinstance(item, Stay):
                self.stays.append(e)
                continue
            if isinstance(item, Flight):
                self.flights.append(e)
            if attends(traveller, item):
                self.present.append(e)

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


CheckFn = Callable[[Plan], Iterator[Finding]]


def finding_codes(code: str, summary: str, *more: tuple[str, str]) -> Callable[[CheckFn], CheckFn]:
    """Mark a check with the codes its findings carry (``more``: codes beside ``code``) and
    what each means; ``_checks`` registers it."""

    def mark(fn: CheckFn) -> CheckFn:
        fn.codes = dict([(code, summary), *more])  # type: ignore[attr-defined]
        return fn

    return mark


def codes_of(fn: CheckFn) -> dict[str, str]:
    """The codes a check was marked with (``finding_codes``)."""
    codes: dict[str, str] = getattr(fn, "codes")  # noqa: B009 - set by finding_codes
    return codes


# --- helpers -----------------------------------------------------------------------------------


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (haversine on a 6371 km sphere)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def is_meeting_of(entry: Scheduled, kinds: frozenset[str]) -> bool:
    item = entry.item
    return isinstance(item, Meeting) and item.kind in kinds


def located(entry: Scheduled) -> bool:
    """A meeting or an activity: an item at one place (or online in one zone)."""
    return isinstance(entry.item, Meeting | Activity)
