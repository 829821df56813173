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

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from . import _airports, _zones
from ._locations import Location, locate, unknown_place
from ._time import resolve, to_utc
from ._types import WallTime, did_you_mean

__all__ = [
    "At",
    "Key",
    "PersonKey",
    "PlaceRef",
    "Scope",
    "current",
    "known_person",
    "scoped",
]


@dataclass(slots=True)
class Scope:
    """What the items of the trip being validated may refer to (None: unknown, do not check).

    ``places`` holds the validated places (their zones resolve times); when the places did not
    validate, the keys written in the file still let references be checked. ``located`` keeps
    each place reference resolved once per trip.
    """

    people: frozenset[str] | None
    place_keys: frozenset[str] | None
    places: Mapping[str, Any] | None = None
    located: dict[str, Location | None] = field(default_factory=dict)
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
        raise ValueError(
            f"unknown person {key!r}; expected a key of people ({known})"
            + did_you_mean(key, scope.people)
        )
    return key


def _known_place(ref: str) -> str:
    scope = _SCOPE.get()
    if scope is None:
        return ref
    if scope.places is not None:
        if scope.located.get(ref) is None:
            scope.located[ref] = locate(ref, scope.places)  # ValueError for an unknown one
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


def zone_of(info: ValidationInfo, ref_field: str) -> ZoneInfo | None:
    """The zone of the place named by an earlier field, or of an item's own ``timezone``."""
    data = info.data
    ref = data.get(ref_field)
    scope = _SCOPE.get()
    if isinstance(ref, str) and scope is not None and scope.places is not None:
        location = scope.located.get(ref)
        if location is None and ref not in scope.located:
            try:
                location = scope.located[ref] = locate(ref, scope.places)
            except ValueError:
                location = scope.located[ref] = None
        if location is not None:
            return location.zone
    zone = data.get("timezone")
    return _zones.get_zone(zone) if isinstance(zone, str) else None


_WALL_SERIALIZER = core_schema.plain_serializer_function_ser_schema(str)


@dataclass(frozen=True, slots=True)
class At:
    """A ``WallTime`` field read in the zone of the place an earlier field names (``ref``), or
    of the item's own ``timezone``: ``Annotated[WallTime, At("place")]``. Validation parses it
    and resolves it (``ValueError`` for a gap or a repeated hour) in one step; with ``after``, it
    must also come after that earlier time field (read in the zone of ``after_ref``), compared as
    instants."""

    ref: str
    after: str | None = None
    after_ref: str | None = None

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(
            self.validate, serialization=_WALL_SERIALIZER
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return WallTime.__get_pydantic_json_schema__(schema, handler)

    def validate(self, value: object, info: ValidationInfo) -> WallTime:
        wall = WallTime.parse(value)
        data = info.data
        scope = _SCOPE.get()
        # The zone of the place the item names (as zone_of finds it, here inline: every time of
        # a large trip comes through here).
        zone: ZoneInfo | None = None
        ref = data.get(self.ref)
        if isinstance(ref, str) and scope is not None and scope.places is not None:
            location = scope.located.get(ref)
            if location is not None:
                zone = location.zone
        if zone is None:
            zone = zone_of(info, self.ref)
            if zone is None:
                return wall
        moment = resolve(wall, zone)
        if self.after is None:
            return wall
        start = data.get(self.after)
        if isinstance(start, WallTime):
            start_zone = zone if self.after_ref == self.ref else zone_of(info, self.after_ref or "")
            if start_zone is not None:
                begin = resolve(start, start_zone)  # kept with start when it was validated
                if to_utc(moment) <= to_utc(begin):  # not by wall time: folds
                    raise ValueError(f"ends at {wall}, not after its {self.after} at {start}")
        return wall


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
        begin = resolve(start, zone)
    except ValueError:
        yield  # the start itself is reported; its agenda cannot be placed
        return
    outer, scope.meeting = scope.meeting, (begin, zone)
    try:
        yield
    finally:
        scope.meeting = outer
