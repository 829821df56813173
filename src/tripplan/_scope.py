"""What the trip being validated lets its parts refer to: people, places, and their zones.

Pydantic validates a trip's people, places and items separately; references between them (an
attendee's key, a meeting's place) and local times (read in the zone of a place) need the rest of
the trip. The Trip's wrap validator puts a ``Scope`` in a context variable for the duration of its
own validation, and the field validators here read it, so every problem keeps its own location
(``items[5].attendees[2]``) and one pass reports them all.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, ValidationInfo

from . import _airports, _zones
from ._locations import Location, locate, unknown_place
from ._time import resolve, to_utc
from ._types import WallTime

__all__ = [
    "Instants",
    "Key",
    "PersonKey",
    "PlaceRef",
    "Scope",
    "check_after",
    "check_at",
    "current",
    "instant",
    "known_person",
    "scoped",
]

Instants = dict[tuple[WallTime, str], datetime]


@dataclass(slots=True)
class Scope:
    """What the items of the trip being validated may refer to (None: unknown, do not check).

    ``places`` holds the validated places (their zones resolve times); when the places did not
    validate, the keys written in the file still let references be checked. ``instants`` keeps
    every wall time resolved while validating, so the timeline does not resolve it again.
    """

    people: frozenset[str] | None
    place_keys: frozenset[str] | None
    places: Mapping[str, Any] | None = None
    located: dict[str, Location | None] = field(default_factory=dict)
    instants: Instants = field(default_factory=dict)
    # The start and zone of the meeting whose agenda is being validated.
    meeting: tuple[datetime, ZoneInfo] | None = None


_SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "tripplan_scope", default=None
)


def current() -> Scope | None:
    return _SCOPE.get()


@contextmanager
def scoped(scope: Scope) -> Iterator[Scope]:
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def keys_of(data: Any, name: str) -> frozenset[str] | None:
    """The keys of the mapping ``data[name]``, whatever their values (None if not a mapping)."""
    value = data.get(name) if isinstance(data, dict) else getattr(data, name, None)
    return frozenset(value) if isinstance(value, dict) else None


def known_person(key: str) -> str:
    scope = _SCOPE.get()
    if scope is not None and scope.people is not None and key not in scope.people:
        known = ", ".join(sorted(scope.people)) or "none"
        raise ValueError(f"unknown person {key!r}; expected a key of people ({known})")
    return key


def _known_place(ref: str) -> str:
    scope = _SCOPE.get()
    if scope is None:
        return ref
    if scope.places is not None:
        locate(ref, scope.places)
    elif (
        scope.place_keys is not None
        and ref not in scope.place_keys
        and not _airports.looks_like_airport(ref)
    ):
        raise unknown_place(ref, scope.place_keys)
    return ref


PersonKey = Annotated[str, AfterValidator(known_person)]
PlaceRef = Annotated[
    str,
    Field(description="a key of places, or an IATA airport code"),
    AfterValidator(_known_place),
]
Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


def _location(ref: object) -> Location | None:
    scope = _SCOPE.get()
    if not isinstance(ref, str) or scope is None or scope.places is None:
        return None
    if ref not in scope.located:
        try:
            scope.located[ref] = locate(ref, scope.places)
        except ValueError:
            scope.located[ref] = None
    return scope.located[ref]


def instant(wall: WallTime, zone: ZoneInfo) -> datetime:
    """``wall`` resolved in ``zone`` (the one gap/fold policy of ``_time``), once per trip."""
    scope = _SCOPE.get()
    if scope is None:
        return resolve(wall, zone)
    key = (wall, zone.key)
    moment = scope.instants.get(key)
    if moment is None:
        moment = scope.instants[key] = resolve(wall, zone)
    return moment


def zone_of(info: ValidationInfo, ref_field: str) -> ZoneInfo | None:
    """The zone of the place named by an earlier field, or of an item's own ``timezone``."""
    location = _location(info.data.get(ref_field))
    if location is not None:
        return location.zone
    zone = info.data.get("timezone")
    return _zones.get_zone(zone) if isinstance(zone, str) else None


def check_at(value: WallTime, info: ValidationInfo, ref_field: str) -> WallTime:
    zone = zone_of(info, ref_field)
    if zone is not None:
        instant(value, zone)
    return value


def check_after(
    value: WallTime, info: ValidationInfo, ref_field: str, start_field: str, start_ref: str
) -> WallTime:
    """Resolve an end time and require it after the start, comparing instants."""
    zone = zone_of(info, ref_field)
    start = info.data.get(start_field)
    start_zone = zone_of(info, start_ref)
    if zone is None:
        return value
    end = instant(value, zone)
    if isinstance(start, WallTime) and start_zone is not None:
        begin = instant(start, start_zone)
        if to_utc(end) <= to_utc(begin):
            raise ValueError(f"ends at {value}, not after its {start_field} at {start}")
    return value


@contextmanager
def meeting(info: ValidationInfo, ref_field: str) -> Iterator[None]:
    """While a meeting's agenda validates: the meeting's start and zone, to resolve its times."""
    scope = _SCOPE.get()
    zone = zone_of(info, ref_field)
    start = info.data.get("start")
    if scope is None or zone is None or not isinstance(start, WallTime):
        yield
        return
    try:
        begin = instant(start, zone)
    except ValueError:
        yield  # the start itself is reported; its agenda cannot be placed
        return
    outer, scope.meeting = scope.meeting, (begin, zone)
    try:
        yield
    finally:
        scope.meeting = outer
