"""The resolved trip: every item at exact instants in its places' zones, in time order.

Resolving happens once, when a Trip validates; checks and renderers read the timeline and never
resolve a zone themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._locations import Location, locate
from ._model import Flight, Stay, Transfer
from ._time import resolve, to_utc
from ._zones import get_zone

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ._model import Instants, Item, Trip
    from ._types import WallTime

__all__ = ["Scheduled", "Timeline", "build_timeline", "slugify"]


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One item of the trip at exact instants.

    ``start`` is aware in the zone where the item starts and ``end`` in the zone where it ends (a
    flight's departure and arrival airports). Compare and subtract through ``start_utc`` and
    ``end_utc``.
    """

    index: int
    id: str
    item: Item
    start: datetime
    end: datetime
    origin: Location
    destination: Location

    @property
    def path(self) -> str:
        """Where the item stands in the trip file, e.g. ``items[5]``."""
        return f"items[{self.index}]"

    @property
    def start_utc(self) -> datetime:
        return to_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        return to_utc(self.end)

    @property
    def duration(self) -> timedelta:
        return self.end_utc - self.start_utc

    @property
    def type(self) -> str:
        return self.item.type

    @property
    def category(self) -> str:
        """What the item is: its type, or a meeting's kind (a key of ``_i18n.CATEGORIES``)."""
        item = self.item
        return item.kind if item.type == "meeting" else item.type

    def name(self, untitled: str) -> str:
        """The item's name: ``LA 501 MIA→SCL`` for a flight, else its title, else the hotel or
        the route, else ``untitled`` (a meeting or activity with no title: say what it is)."""
        item = self.item
        if item.type == "flight":
            return f"{item.carrier} {item.number} {item.from_}→{item.to}"
        if item.title:
            return item.title
        if item.type == "stay":
            return self.origin.name
        if item.type in ("transfer", "train", "drive"):
            return f"{self.origin.name} → {self.destination.name}"
        return untitled

    @property
    def label(self) -> str:
        """A short English name, for findings and the timeline listing."""
        from ._i18n import CATEGORIES

        return self.name(CATEGORIES[self.category])


class Timeline:
    """The trip's items in time order (by start instant, then by position in the file)."""

    __slots__ = ("_by_id", "entries")

    def __init__(self, entries: list[Scheduled]) -> None:
        entries.sort(key=lambda e: (e.start_utc, e.index))
        self.entries: tuple[Scheduled, ...] = tuple(entries)
        self._by_id = {e.id: e for e in entries}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeline) and self.entries == other.entries

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[Scheduled]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, item_id: str) -> Scheduled:
        return self._by_id[item_id]

    @property
    def start(self) -> datetime | None:
        """The instant the trip begins (UTC)."""
        return self.entries[0].start_utc if self.entries else None

    @property
    def end(self) -> datetime | None:
        """The instant the trip ends (UTC)."""
        return max(e.end_utc for e in self.entries) if self.entries else None

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


def slugify(text: str) -> str:
    """ASCII, lower case, dashes: ``Cena con Sofía`` -> ``cena-con-sofia``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "item"


def _natural_id(item: Item, start: datetime) -> str:
    """An id that survives most revisions: flights by flight number and date, the rest by name."""
    day = start.strftime("%Y%m%d")
    if item.type == "flight":
        return f"flight-{item.carrier}{item.number}-{day}".lower()
    if item.type in ("transfer", "train", "drive"):
        return f"{item.type}-{slugify(item.from_)}-{slugify(item.to)}-{day}"
    if item.type == "stay":
        return f"stay-{slugify(item.place)}-{day}"
    name = item.title or (item.kind if item.type == "meeting" else item.type)
    return f"{item.type}-{slugify(name)}"


def _locate_item(item: Item, locate: Callable[[str], Location]) -> tuple[Location, Location]:
    if isinstance(item, Flight | Transfer):
        return locate(item.from_), locate(item.to)
    place = item.place
    if place is not None:
        where = locate(place)
    else:
        assert not isinstance(item, Stay) and item.timezone is not None
        where = Location(key=None, name=item.timezone, zone=get_zone(item.timezone))
    return where, where


def build_timeline(trip: Trip, instants: Instants | None = None) -> Timeline:
    """Resolve every item of a validated trip (its times were checked while it validated).

    ``instants`` holds the wall times validation already resolved, by (wall time, zone name).
    """
    instants = {} if instants is None else instants
    located: dict[str, Location] = {}

    def where(ref: str) -> Location:
        if ref not in located:
            located[ref] = locate(ref, trip.places)
        return located[ref]

    def when(wall: WallTime, zone: ZoneInfo) -> datetime:
        moment = instants.get((wall, zone.key))
        return moment if moment is not None else resolve(wall, zone)

    entries: list[Scheduled] = []
    taken: set[str] = {item.id for item in trip.items if item.id}
    for index, item in enumerate(trip.items):
        origin, destination = _locate_item(item, where)
        if item.type == "flight":
            start_wall, end_wall = item.depart, item.arrive
        elif item.type == "stay":
            start_wall, end_wall = item.check_in, item.check_out
        else:
            start_wall, end_wall = item.start, item.end
        start = when(start_wall, origin.zone)
        end = when(end_wall, destination.zone)
        item_id = item.id
        if item_id is None:
            base = _natural_id(item, start)
            item_id, n = base, 1
            if item_id in taken and not base.endswith(start.strftime("%Y%m%d")):
                base = item_id = f"{base}-{start:%Y%m%d}"
            while item_id in taken:
                n += 1
                item_id = f"{base}-{n}"
            taken.add(item_id)
        entries.append(Scheduled(index, item_id, item, start, end, origin, destination))
    return Timeline(entries)
