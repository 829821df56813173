"""Bookings merged into a trip document in a way a person can trust.

- An item is matched by what the import record says a booking made (its reservation number with
  flight and date, or an invitation's UID), else by its content: the same reservation number, or
  the same flight on the same day, the same hotel from the same date (the item's made id).
- Importing the same source twice changes nothing.
- A changed booking updates the item, and every changed field is told.
- A field the booking contradicts and that is no longer what the booking last said (edited by
  hand, or typed by hand before any import) is kept, and the contradiction is told.

Places and people a booking names are matched to the trip's by name and email, or added.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._items import Item
from ._model import Trip
from ._reservations import Booking
from ._types import WallTime

__all__ = ["Change", "Merger", "changes_anything"]

_ITEM = TypeAdapter(Item)
_REFERENCES = ("place", "from", "to")


@dataclass(frozen=True, slots=True)
class Change:
    """What an import did to one item: ``added``, ``updated``, ``cancelled``, ``unchanged`` or
    ``kept`` (the booking contradicts a field edited by hand), with each field's story."""

    action: str
    item_id: str
    origin: str
    details: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        head = f"{self.action} {self.item_id} (from {self.origin})"
        return [head, *(f"  {detail}" for detail in self.details)]


def changes_anything(changes: Iterable[Change]) -> bool:
    """Whether any of ``changes`` changes the trip (not ``unchanged`` nor ``kept``)."""
    return any(c.action in ("added", "updated", "cancelled") for c in changes)


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    """A booking's fields, nested ones (``notes.team``) by their dotted path."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        elif key != "type":
            flat[key] = value
    return flat


def _read(mapping: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(mapping, MutableMapping) or part not in mapping:
            return None
        mapping = mapping[part]
    return mapping


def _write(mapping: MutableMapping[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(mapping.get(part), MutableMapping):
            mapping[part] = {}
        mapping = mapping[part]
    mapping[last] = value


def _plain(value: Any) -> Any:
    """A value compared as the trip reads it: times as wall times, lists element by element."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    try:
        return WallTime.parse(value)
    except ValueError:
        return str(value) if value is not None else None


def _free(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ...: the first that ``taken`` does not hold."""
    new, n = base, 2
    while new in taken:
        new, n = f"{base}-{n}", n + 1
    return new


def _same(one: Any, other: Any) -> bool:
    return bool(_plain(one) == _plain(other))


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Merger:
    """Merges bookings into one trip document (its plain data, changed in place)."""

    def __init__(self, document: MutableMapping[str, Any], trip: Trip, record: dict[str, Any]):
        self.document, self.trip, self.record = document, trip, record
        self.ids: list[str] = list(trip.item_ids)
        self.natural = [item.natural_id() for item in trip.items]
        self.changes: list[Change] = []
        self.notes: list[str] = []

    @property
    def changed(self) -> bool:
        return changes_anything(self.changes)

    def merge(self, bookings: Iterable[Booking]) -> None:
        for booking in bookings:
            self._merge(booking)

    def _merge(self, booking: Booking) -> None:
        self._references(booking)
        index = self._match(booking)
        if index is None:
            if booking.completes is not None:
                self.notes.append(
                    f"{booking.origin}: {booking.completes} matches no flight of the trip, and "
                    "tells no times to add one with; add the flight, then import this again"
                )
                return
            if booking.cancelled:
                self.notes.append(
                    f"{booking.origin}: a cancellation of something the trip does not have; "
                    "nothing to do"
                )
                return
            self._add(booking)
            return
        self._update(index, booking)

    # --- places and people ---------------------------------------------------------------------

    def _references(self, booking: Booking) -> None:
        """Map the booking's places and people onto the trip's keys, adding those it lacks."""
        places = self._section("places")
        mapped = {key: self._place(places, key, place) for key, place in booking.places.items()}
        for field in _REFERENCES:
            if booking.item.get(field) in mapped:
                booking.item[field] = mapped[booking.item[field]]
        self.notes.extend(f"{booking.origin}: {note}" for note in booking.notes)
        people = self._section("people")
        known = {str(p.get("email", "")).lower(): k for k, p in people.items() if p.get("email")}
        keys: dict[str, str] = {}
        for key, person in booking.people.items():
            if person["email"] in known:
                keys[key] = known[person["email"]]
                continue
            new = _free(key, people)
            people[new] = person
            known[person["email"]] = keys[key] = new
        if "organizer" in booking.item:
            booking.item["organizer"] = keys.get(
                booking.item["organizer"], booking.item["organizer"]
            )
        if "attendees" in booking.item:
            booking.item["attendees"] = [keys.get(k, k) for k in booking.item["attendees"]]

    def _section(self, name: str) -> MutableMapping[str, Any]:
        section = self.document.get(name)
        if not isinstance(section, MutableMapping):
            self.document[name] = section = {}
        return section

    def _place(self, places: MutableMapping[str, Any], key: str, place: dict[str, Any]) -> str:
        name = str(place["name"]).casefold()
        for existing, other in places.items():
            if isinstance(other, MutableMapping) and str(other.get("name", "")).casefold() == name:
                return str(existing)
        new = _free(key, places)
        places[new] = place
        self.notes.append(f"added place {new}: {place['name']}")
        return new

    # --- items ---------------------------------------------------------------------------------

    def _natural_id(self, item: dict[str, Any]) -> str | None:
        try:
            return _ITEM.validate_python(item).natural_id()
        except ValidationError:
            return None

    def _match(self, booking: Booking) -> int | None:
        for key in booking.keys:
            item_id = self.record["keys"].get(key)
            if item_id in self.ids:
                return self.ids.index(item_id)
        items = self._items()
        item = booking.item
        confirmation = item.get("confirmation")
        natural = booking.natural or (self._natural_id(item) if not booking.cancelled else None)
        for index, existing in enumerate(items):
            if not isinstance(existing, MutableMapping) or existing.get("type") != item["type"]:
                continue
            if natural is not None and natural in (self.natural[index], self.ids[index]):
                return index
            if (
                confirmation
                and existing.get("confirmation") == confirmation
                and item["type"] != "flight"
            ):
                return index
        return None

    def _items(self) -> list[Any]:
        items = self.document.get("items")
        if not isinstance(items, list):
            self.document["items"] = items = []
        return items

    def _add(self, booking: Booking) -> None:
        natural = self._natural_id(booking.item) or f"{booking.item['type']}-imported"
        item_id = _free(natural[:72].rstrip("-._"), self.ids)  # an id is at most 80 characters
        item = {"type": booking.item["type"], "id": item_id}
        item.update((k, v) for k, v in booking.item.items() if k != "type")
        if booking.cancelled:
            item["status"] = "cancelled"
        self._items().append(item)
        self.ids.append(item_id)
        self.natural.append(natural)
        self._remember(booking, item_id)
        self.changes.append(Change("added", item_id, booking.origin))

    def _remember(self, booking: Booking, item_id: str) -> None:
        fields = _flat(booking.item)
        if booking.cancelled:
            fields["status"] = "cancelled"
        self.record["items"][item_id] = {k: _plain_json(v) for k, v in fields.items()}
        for key in booking.keys:
            self.record["keys"][key] = item_id
        if booking.revision is not None:
            self.record.setdefault("revisions", {})[item_id] = list(booking.revision)

    def _stale(self, item_id: str, booking: Booking) -> str | None:
        """Why ``booking`` is older than the version of this invitation the trip already has
        (None when it is not)."""
        known = self.record.get("revisions", {}).get(item_id)
        if booking.revision is None or known is None or tuple(known) <= booking.revision:
            return None
        sequence, stamp = known
        return (
            f"an older version of the invitation (SEQUENCE {booking.revision[0]}); "
            f"the trip has SEQUENCE {sequence} of {stamp or 'an unknown time'}"
        )

    def _update(self, index: int, booking: Booking) -> None:
        item_id = self.ids[index]
        stale = self._stale(item_id, booking)
        if stale is not None:
            self.changes.append(Change("unchanged", item_id, booking.origin, (stale,)))
            return
        current = self._items()[index]
        recorded = self.record["items"].get(item_id, {})
        fields = _flat(booking.item)
        if booking.cancelled:
            fields = {"status": "cancelled"}
        updated, kept = [], []
        for path, value in fields.items():
            now = _read(current, path)
            if now is not None and _same(now, value):
                continue
            if now is None or (path in recorded and _same(now, recorded[path])):
                updated.append(
                    f"{path}: {_shown(value)}"
                    if now is None
                    else f"{path}: {_shown(now)} → {_shown(value)}"
                )
                _write(current, path, value)
            else:
                kept.append(
                    f"{path}: kept {_shown(now)} (edited by hand); the booking says {_shown(value)}"
                )
        self._remember(booking, item_id)
        if booking.cancelled and updated:
            self.changes.append(Change("cancelled", item_id, booking.origin))
        elif updated:
            self.changes.append(Change("updated", item_id, booking.origin, tuple(updated)))
        else:
            self.changes.append(Change("unchanged", item_id, booking.origin))
        if kept:
            self.changes.append(Change("kept", item_id, booking.origin, tuple(kept)))


def _plain_json(value: Any) -> Any:
    """A value as the record keeps it (JSON)."""
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)
