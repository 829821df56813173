"""The resolved trip: every item at exact instants in its places' zones, in time order.

``resolve(trip)`` is the one way from a validated ``Trip`` to instants: it reads each item through
the items' common interface (wall times, where, what) and the trip's gap and fold policy, and is
computed once per trip. Checks and renderers read the timeline and never resolve a zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ._i18n import CATEGORIES
from ._items import Item
from ._locations import Location
from ._model import Trip
from ._time import agenda_instant
from ._time import resolve as resolve_wall

__all__ = ["Scheduled", "Timeline", "resolve"]


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One item of the trip at exact instants.

    ``start`` is aware in the zone where the item starts and ``end`` in the zone where it ends (a
    flight's departure and arrival airports); ``start_utc`` and ``end_utc`` are the same
    instants in UTC: compare and subtract through them. ``agenda`` holds the instant of each
    agenda entry of a meeting.
    """

    index: int
    id: str
    item: Item
    start: datetime
    end: datetime
    origin: Location
    destination: Location
    start_utc: datetime
    end_utc: datetime
    agenda: tuple[datetime, ...] = ()

    @property
    def path(self) -> str:
        """Where the item stands in the trip file, e.g. ``items[5]``."""
        return f"items[{self.index}]"

    @property
    def duration(self) -> timedelta:
        return self.end_utc - self.start_utc

    @property
    def type(self) -> str:
        return self.item.kind_name

    @property
    def category(self) -> str:
        """What the item is: its type, or a meeting's kind (a key of ``_i18n.CATEGORIES``)."""
        return self.item.category

    def name(self, untitled: str) -> str:
        """The item's name: ``LA 501 MIA→SCL`` for a flight, else its title, else the hotel or
        the route, else ``untitled`` (a meeting or activity with no title: say what it is)."""
        return self.item.name(self.origin.name, self.destination.name, untitled)

    @property
    def label(self) -> str:
        """A short English name, for findings and the timeline listing."""
        return self.name(CATEGORIES[self.category])


def _order(entry: Scheduled) -> tuple[datetime, int]:
    return entry.start_utc, entry.index


class Timeline:
    """The trip's items in time order (by start instant, then by position in the file)."""

    __slots__ = ("_by_id", "end", "entries", "start", "trip")

    def __init__(self, trip: Trip, entries: list[Scheduled]) -> None:
        entries.sort(key=_order)
        self.trip = trip
        self.entries: tuple[Scheduled, ...] = tuple(entries)
        self._by_id = {e.id: e for e in entries}
        #: The instants the trip begins and ends (UTC), None for a trip with no items: computed
        #: once here, read by every check and renderer.
        self.start: datetime | None = entries[0].start_utc if entries else None
        self.end: datetime | None = max(e.end_utc for e in entries) if entries else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeline) and self.entries == other.entries

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[Scheduled]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, item_id: str) -> Scheduled:
        try:
            return self._by_id[item_id]
        except KeyError:
            raise KeyError(f"no item with id {item_id!r}") from None

    def to_dict(self) -> list[dict[str, object]]:
        """The resolved itinerary as JSON-ready data: local times with offsets and zones, and UTC."""
        return [
            {
                "id": e.id,
                "path": e.path,
                "type": e.type,
                "label": e.label,
                "start": e.start.isoformat(),
                "start_zone": e.origin.zone.key,
                "end": e.end.isoformat(),
                "end_zone": e.destination.zone.key,
                "start_utc": e.start_utc.isoformat().replace("+00:00", "Z"),
                "end_utc": e.end_utc.isoformat().replace("+00:00", "Z"),
                "optional": e.item.optional,
                "status": e.item.status,
            }
            for e in self.entries
        ]

    @property
    def zones(self) -> tuple[str, ...]:
        """Every zone an item of the trip starts or ends in, sorted."""
        return tuple(
            sorted({e.origin.zone.key for e in self} | {e.destination.zone.key for e in self})
        )


def resolve(trip: Trip) -> Timeline:
    """Every item of ``trip`` at exact instants, in time order (computed once per trip)."""
    return trip.derived("timeline", _build)


def _build(trip: Trip) -> Timeline:
    places: dict[str, Location] = {}  # each place reference located once
    online: dict[str | None, Location] = {}  # and each zone of an item without a place
    entries: list[Scheduled] = []
    append = entries.append
    for index, (item, item_id) in enumerate(zip(trip.items, trip.item_ids, strict=True)):
        ref, to = item.origin_ref, item.destination_ref
        if ref is None:
            zone_name = item.zone_name
            origin = online.get(zone_name)
            if origin is None:
                origin = online[zone_name] = trip.locate(None, zone_name)
        else:
            found = places.get(ref)
            if found is None:
                found = places[ref] = trip.locate(ref)
            origin = found
        if to == ref or to is None:  # only an item with no place has no destination
            destination = origin
        else:
            found = places.get(to)
            if found is None:
                found = places[to] = trip.locate(to)
            destination = found
        start = resolve_wall(item.wall_start, origin.zone)
        end = resolve_wall(item.wall_end, destination.zone)
        times = item.agenda_times
        agenda = tuple(agenda_instant(start, at) for at in times) if times else ()
        append(
            Scheduled(
                index,
                item_id,
                item,
                start,
                end,
                origin,
                destination,
                start.astimezone(UTC),
                end.astimezone(UTC),
                agenda,
            )
        )
    return Timeline(trip, entries)
