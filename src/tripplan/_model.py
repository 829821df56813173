"""The trip format as pydantic models: what a trip may say, validated where it is said.

Every model forbids unknown fields. Cross-references (person keys, place keys, airports) and local
times are checked while the trip validates (``_scope``), so each problem carries its own location
(``items[5].attendees[2]``) and all of them are reported in one pass, as a ``TripFileError`` —
whether the trip comes from a file, from ``Trip(...)`` or from ``Trip.model_validate``. A trip is
immutable; its editing methods return a new trip that went through the same validation.

The model knows nothing of what is built from it: the resolved timeline (``_timeline``), checks,
calendars and sheets read a ``Trip``; it never calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel as _PydanticModel
from pydantic import (
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    Strict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from . import _airports, _scope, _zones
from ._base import Line, Model, Paragraphs, Text
from ._exceptions import Problem, TripFileError
from ._items import (
    ITEM_TYPES,
    Activity,
    AgendaEntry,
    Flight,
    Item,
    Meeting,
    Notes,
    Stay,
    Transfer,
    item_ids,
)
from ._locations import Location, locate, online_location
from ._places import Place
from ._problems import problems
from ._scope import Key, Scope
from ._time import resolve, to_utc
from ._types import (
    Duration,
    Email,
    LocaleTag,
    Phone,
    Slug,
    TimezoneName,
    WallTime,
)

__all__ = [
    "Activity",
    "AgendaEntry",
    "Flight",
    "Item",
    "Meeting",
    "Notes",
    "Person",
    "Place",
    "Reminders",
    "StatedRate",
    "Stay",
    "Transfer",
    "Trip",
    "home_zone",
]


_T = TypeVar("_T")


# --- people and places -------------------------------------------------------------------------


class Person(Model):
    """Someone on the trip: our side (``team``, the default) or the customer's."""

    name: Text
    email: Email | None = None
    organization: Line | None = None
    title: Line | None = Field(default=None, description="job title")
    phone: Phone | None = None
    language: LocaleTag | None = None
    timezone: TimezoneName | None = None
    side: Literal["team", "customer"] = "team"
    bio: Paragraphs | None = Field(
        default=None, description="a short introduction, for the who's who; anyone may read it"
    )
    notes: Notes = Field(
        default_factory=Notes,
        description="notes on the person: public for anyone, team for our side, private for the "
        "traveller alone",
    )

    @property
    def described(self) -> str:
        """``Name (title, organization)``, as invitations and sheets list people."""
        details = ", ".join(p for p in (self.title, self.organization) if p)
        return f"{self.name} ({details})" if details else self.name


class StatedRate(Model):
    """An exchange rate the trip states (a bank's, a card's): it wins over any fetched one.
    ``rate`` is how many ``currency`` one ``per`` buys."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CLP")]
    per: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. USD")]
    rate: Annotated[
        Decimal,
        Field(gt=0),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {
                        "type": "string",
                        "pattern": r"^\+?(0*[1-9][0-9]*(\.[0-9]+)?|0*\.[0-9]*[1-9][0-9]*)$",
                    },
                ]
            }
        ),
    ]
    date: dt.date
    source: Text


class Reminders(Model):
    """Default alarm lead time per item type (``train`` and ``drive`` fall back to ``transfer``)."""

    flight: Duration | None = None
    meeting: Duration | None = None
    transfer: Duration | None = None
    train: Duration | None = None
    drive: Duration | None = None
    activity: Duration | None = None
    stay: Duration | None = None

    def lead(self, item: Item) -> timedelta | None:
        """How long before ``item`` its alarm rings: its own reminder, else its type's default."""
        if item.reminder is not None:
            return item.reminder
        lead: timedelta | None = getattr(self, item.kind_name)
        if lead is None and item.kind_name in ("train", "drive"):
            lead = self.transfer
        return lead


# --- the trip ----------------------------------------------------------------------------------

ItemRef = str | int


_KEY = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
#: What the JSON Schema cannot check, told in its description (and checked on load).
_RULES = (
    "A trip plan: people, places and items, validated as a whole. Rules a JSON Schema cannot "
    "express, checked when the trip loads: traveller, organizer, attendees and agenda 'by' are "
    "keys of people; an item's place, from and to are keys of places or IATA airport codes the "
    "bundled data knows; a place's timezone keeps the clocks of its country (a place needs a "
    "timezone, or a country with one zone, or a city that names one); a subdivision is one of its "
    "country's; a local time that the clocks skip (DST gap) or repeat (DST fold) must carry the "
    "offset meant; an end is after its start; item ids are unique."
)


class Trip(Model):
    """A trip plan: people, places and items, validated as a whole."""

    id: Slug = Field(description="stable across revisions: calendar UIDs derive from it")
    title: Line | None = None
    home: Annotated[str, Strict()] | None = Field(
        default=None,
        description="the traveller's home time zone (IANA name) or an IATA airport code; "
        "default the traveller's timezone",
        json_schema_extra=lambda schema: schema.update(anyOf=[*_home_schemas(), {"type": "null"}]),
    )
    languages: tuple[LocaleTag, ...] = Field(default=("en",), min_length=1)
    reminders: Reminders = Reminders()
    rates: tuple[StatedRate, ...] = Field(
        default=(), description="exchange rates to use instead of fetched ones"
    )
    people: dict[Key, Person] = Field(json_schema_extra={"propertyNames": {"pattern": _KEY}})
    places: dict[Key, Place] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"pattern": _KEY}}
    )
    traveller: Annotated[Key, Strict()] = Field(description="key of the person travelling")
    items: tuple[Item, ...] = ()

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The rules no JSON Schema can check, in the description; ``$schema`` allowed (editors
        write it; loading ignores it)."""
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        target["description"] = _RULES
        target["properties"] = {
            "$schema": {
                "type": "string",
                "description": "the JSON Schema the file follows, for editors; ignored",
            },
            **target["properties"],
        }
        return json_schema

    _ids: tuple[str, ...] = PrivateAttr(default=())
    # What other layers derive from this trip, kept with it (the timeline): the model only
    # holds it and never looks inside.
    _derived: dict[str, object] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Trip:
        # Cross-references are checked against the keys the document writes, even where the
        # people or places themselves fail to validate, so one pass reports every problem.
        if isinstance(data, dict) and isinstance(data.get("$schema"), str):
            data = {key: value for key, value in data.items() if key != "$schema"}  # editors'
        scope = Scope(_scope.keys_of(data, "people"), _scope.keys_of(data, "places"))
        try:
            with _scope.scoped(scope):
                trip: Trip = handler(data)
        except ValidationError as error:
            raise TripFileError(problems(error, data, _MODELS)) from None
        trip._ids = item_ids(trip.items)
        return trip

    @field_validator("home")
    @classmethod
    def _home(cls, value: str | None) -> str | None:
        if value is not None:
            home_zone(value)
        return value

    @field_validator("traveller")
    @classmethod
    def _traveller(cls, value: str) -> str:
        return _scope.known_person(value)

    @field_validator("items", mode="wrap")
    @classmethod
    def _items(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        outer = _scope.current()
        scope = Scope(
            outer.people if outer else None,
            outer.place_keys if outer else None,
            info.data.get("places"),
        )
        with _scope.scoped(scope):
            items = handler(value)
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id is not None:
                if item.id in first:
                    raise ValueError(
                        f"items[{first[item.id]}] and items[{index}] have the same id {item.id!r}; "
                        "item ids must be unique"
                    )
                first[item.id] = index
        return items

    # --- reading -------------------------------------------------------------------------------

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Each item's id, in file order: its own ``id``, else one made from what it is."""
        return self._ids

    def index(self, ref: ItemRef) -> int:
        """The position of an item given by id (its own or the made one) or by position."""
        if isinstance(ref, int):
            if not -len(self.items) <= ref < len(self.items):
                raise KeyError(f"no item at position {ref} (the trip has {len(self.items)})")
            return ref % len(self.items)
        try:
            return self._ids.index(ref)
        except ValueError:
            raise KeyError(f"no item with id {ref!r}") from None

    def item(self, ref: ItemRef) -> Item:
        """An item by id or position; ``KeyError`` when there is none."""
        return self.items[self.index(ref)]

    def locate(self, ref: str | None, zone_name: str | None = None) -> Location:
        """Where ``ref`` is (a key of places or an airport code), or, without one, the zone
        ``zone_name`` alone (an online meeting)."""
        if ref is not None:
            return locate(ref, self.places)
        return online_location(zone_name or "UTC")

    def instant(self, wall: WallTime, zone_name: str) -> datetime:
        """The aware datetime a wall time of this trip names in a zone, by the one gap and fold
        policy validation checked it with (``_time.resolve``)."""
        return resolve(wall, _zones.get_zone(zone_name))

    @property
    def home_zone(self) -> ZoneInfo:
        """The traveller's home zone: ``home``, else the traveller's own, else where the trip
        starts."""
        if self.home is not None:
            return home_zone(self.home)
        person = self.people[self.traveller]
        if person.timezone is not None:
            return _zones.get_zone(person.timezone)
        return self.derived("first zone", _first_zone)

    def __eq__(self, other: object) -> bool:
        """Equal fields: what is derived and kept with a trip (its timeline) is only a cache."""
        if not isinstance(other, _PydanticModel):
            return NotImplemented
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def derived(self, name: str, make: Callable[[Trip], _T]) -> _T:
        """A value computed from this trip once and kept with it (trips are immutable)."""
        if name not in self._derived:
            self._derived[name] = make(self)
        return self._derived[name]  # type: ignore[return-value]

    def attends(self, person: str, item: Item) -> bool:
        """Whether ``person`` takes part in ``item``: a meeting's organizer or attendee (or the
        traveller, at a meeting that lists no one); the traveller at every other item."""
        if not isinstance(item, Meeting):
            return person == self.traveller
        organizer = item.organizer or self.traveller
        if person == organizer or person in item.attendees:
            return True
        return person == self.traveller and not item.attendees

    # --- editing: each returns a new trip, validated like a file -------------------------------

    def replace(self, **fields: Any) -> Trip:
        """This trip with some top-level fields replaced (``title=``, ``people=``, ``items=``)."""
        unknown = set(fields) - set(type(self).model_fields)
        if unknown:
            raise TripFileError(
                [Problem(f"unknown field {name!r}", location=(name,)) for name in sorted(unknown)]
            )
        current = {name: getattr(self, name) for name in type(self).model_fields}
        return Trip.model_validate({**current, **fields})

    def replace_item(self, ref: ItemRef, **changes: Any) -> Trip:
        """This trip with fields of one item replaced, e.g. ``replace_item("dinner", title=...)``."""
        index = self.index(ref)
        item = self.items[index]
        names = {field.alias or name: name for name, field in type(item).model_fields.items()}
        update = {names.get(key, key): value for key, value in changes.items()}
        return self._with_item(index, item.model_copy(update=update))

    def move_item(self, ref: ItemRef, by: timedelta) -> Trip:
        """This trip with one item moved by ``by`` (both its times, as wall times)."""
        index = self.index(ref)
        return self._with_item(index, self.items[index].shifted(by))

    def add_attendee(self, ref: ItemRef, person: str) -> Trip:
        """This trip with ``person`` (a key of people) added to a meeting's attendees."""
        index = self.index(ref)
        meeting = self.items[index]
        if not isinstance(meeting, Meeting):
            raise TripFileError(
                [
                    Problem(
                        f"{self._ids[index]!r} is a {meeting.kind_name}, not a meeting; only "
                        "meetings have attendees",
                        path=f"items[{index}]",
                        location=("items", index),
                    )
                ]
            )
        if person in meeting.attendees:
            return self
        attendees = (*meeting.attendees, person)
        return self._with_item(index, meeting.model_copy(update={"attendees": attendees}))

    def add_items(self, *items: Item | dict[str, Any]) -> Trip:
        """This trip with items added at the end (models or mappings as in a file)."""
        return self.replace(items=[*self.items, *items])

    def remove_item(self, ref: ItemRef) -> Trip:
        """This trip without one item."""
        index = self.index(ref)
        return self.replace(items=[*self.items[:index], *self.items[index + 1 :]])

    def _with_item(self, index: int, item: Item) -> Trip:
        items: list[Any] = list(self.items)
        items[index] = item
        return self.replace(items=items)


def _first_zone(trip: Trip) -> ZoneInfo:
    """The zone of the item that starts first (UTC where there is none)."""
    zones: dict[tuple[str | None, str | None], ZoneInfo] = {}  # each place located once
    first: tuple[datetime, ZoneInfo] | None = None
    for item in trip.items:
        where = (item.origin_ref, item.zone_name)
        zone = zones.get(where) or zones.setdefault(where, trip.locate(*where).zone)
        start = to_utc(resolve(item.wall_start, zone))
        if first is None or start < first[0]:
            first = (start, zone)
    return first[1] if first is not None else _zones.get_zone("UTC")


def _home_schemas() -> list[dict[str, Any]]:
    """``home`` in the JSON Schema: a zone name, or three capitals (read as an airport code)."""
    zones = sorted(z for z in _zones.zone_names() if not _airports.looks_like_airport(z))
    return [
        {"type": "string", "enum": zones},
        {"type": "string", "pattern": r"^[A-Z]{3}$", "description": "IATA airport code"},
    ]


def home_zone(home: str) -> ZoneInfo:
    """``home`` as a zone: three capitals are an IATA airport code first, else an IANA name."""
    if _airports.looks_like_airport(home):
        return _zones.get_zone(_airports.airport(home).timezone)
    return _zones.get_zone(home)


# Which model describes the mapping at each shape of path: to suggest field names in problems.
_MODELS: dict[tuple[str, ...], type[_PydanticModel]] = {
    (): Trip,
    ("people", "*"): Person,
    ("places", "*"): Place,
    ("reminders",): Reminders,
    ("rates", "#"): StatedRate,
    ("items", "#", "notes"): Notes,
    ("items", "#", "agenda", "#"): AgendaEntry,
    **{
        ("item", tag): model
        for model in (Flight, Transfer, Stay, Meeting, Activity)
        for tag in ITEM_TYPES
        if tag in model.model_fields["type"].annotation.__args__  # type: ignore[union-attr]
    },
}
