"""The items of a trip: flights, ground travel, stays, meetings and activities.

Every item answers the same questions, so that nothing downstream switches on its ``type``: when
it starts and ends (``wall_start``/``wall_end``, local wall times), where (``origin_ref`` and
``destination_ref``: a place key or an airport code, or None for an item that has only a zone),
what it is (``category``), whether it moves the traveller (``moves``) or leaves them free
(``free_time``), its details as typed facts (``details``: a terminal, a seat, a confirmation
code, each marked as a booking or not), and an id that survives most revisions (``natural_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Annotated, ClassVar, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from . import _scope
from ._base import Line, Model, Paragraphs, Text, share_fields_set
from ._scope import At, PersonKey, PlaceRef
from ._time import agenda_instant
from ._types import (
    AgendaTime,
    Duration,
    IataCode,
    LocaleTag,
    Slug,
    TimezoneName,
    Url,
    WallTime,
    day_stamp,
    slugify,
)

__all__ = [
    "ITEM_TYPES",
    "Activity",
    "AgendaEntry",
    "Detail",
    "DetailKind",
    "Flight",
    "Item",
    "ItemType",
    "Meeting",
    "MeetingKind",
    "Notes",
    "Stay",
    "Transfer",
    "flight_id",
    "item_ids",
]

ItemType = Literal["flight", "transfer", "train", "drive", "stay", "meeting", "activity"]
ITEM_TYPES: tuple[str, ...] = get_args(ItemType)
MeetingKind = Literal["internal", "it_staff_day", "executive_meeting", "demo", "meal", "other"]
DetailKind = Literal[
    "departure_terminal", "arrival_terminal", "cabin", "seat", "confirmation", "provider", "service"
]


@dataclass(frozen=True, slots=True)
class Detail:
    """One fact of an item. ``booking`` marks seats and confirmation codes: what the traveller
    and the team may see and a customer may not (the audience view decides, from this flag)."""

    kind: DetailKind
    value: str
    booking: bool = False


class Notes(Model):
    """``public`` may go to anyone, ``team`` to our side, ``private`` to the traveller alone."""

    public: Paragraphs | None = None
    team: Paragraphs | None = None
    private: Paragraphs | None = None


def _agenda_time(value: object) -> object:
    """An agenda time must exist on the meeting's day: the same gap and fold rules as the start."""
    scope = _scope.current()
    if scope is not None and scope.meeting is not None and hasattr(value, "hour"):
        start, _zone = scope.meeting
        try:
            agenda_instant(start, value)  # type: ignore[arg-type]
        except ValueError as error:
            reason = str(error).split("; write the offset")[0]
            raise ValueError(
                f"{reason}; an agenda time cannot name an offset: move the entry out of that hour"
            ) from None
    return value


class AgendaEntry(Model):
    at: Annotated[AgendaTime, AfterValidator(_agenda_time)]
    title: Text
    by: PersonKey | None = None


class _Item(Model):
    id: Slug | None = Field(
        default=None, description="stable identifier of the item; calendar UIDs derive from it"
    )
    title: Line | None = None
    notes: Notes = Notes()
    optional: Annotated[bool, Strict()] = False
    status: Literal["confirmed", "tentative", "cancelled"] = "confirmed"
    reminder: Duration | None = Field(
        default=None, description="alarm lead time for this item, overriding the trip's default"
    )

    #: Whether the item takes the traveller from one place to another.
    moves: ClassVar[bool] = False

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """``type`` is required in a file (it picks the kind of item): each branch of the items'
        ``oneOf`` says so, so any validator names the field that is wrong."""
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        tags = get_args(cls.model_fields["type"].annotation)
        kind = {"const": tags[0]} if len(tags) == 1 else {"enum": list(tags)}
        target["properties"]["type"] = {"type": "string", **kind}
        target["required"] = ["type", *(r for r in target.get("required", []) if r != "type")]
        return json_schema

    @model_validator(mode="after")
    def _validated(self) -> Self:
        share_fields_set(self)  # a large trip's items share their fields sets (memory)
        return self

    #: Which fields hold the item's wall times, and its places (from, to; to None: one place).
    time_fields: ClassVar[tuple[str, str]] = ("start", "end")
    place_fields: ClassVar[tuple[str, str | None]] = ("place", None)

    @property
    def wall_start(self) -> WallTime:
        """When the item starts, local to where it starts."""
        start: WallTime = getattr(self, self.time_fields[0])
        return start

    @property
    def wall_end(self) -> WallTime:
        """When the item ends, local to where it ends."""
        end: WallTime = getattr(self, self.time_fields[1])
        return end

    @property
    def origin_ref(self) -> str | None:
        """Where the item starts: a key of places or an airport code (None: only a zone)."""
        origin: str | None = getattr(self, self.place_fields[0])
        return origin

    @property
    def destination_ref(self) -> str | None:
        """Where the item ends (for most items, where it starts)."""
        field = self.place_fields[1]
        destination: str | None = getattr(self, field) if field else self.origin_ref
        return destination

    @property
    def zone_name(self) -> str | None:
        """The zone of an item without a place (an online meeting)."""
        return None

    @property
    def kind_name(self) -> str:
        """The item's type tag (``flight``, ``train``, ``meeting`` ...)."""
        return str(getattr(self, "type"))  # noqa: B009 - every item class declares its tag

    @property
    def category(self) -> str:
        """What the item is: its type, or a meeting's kind (a key of ``_i18n.CATEGORIES``)."""
        return self.kind_name

    @property
    def free_time(self) -> bool:
        """Whether the traveller stays free for other things (a hotel night)."""
        return False

    def details(self) -> tuple[Detail, ...]:
        """The item's facts beyond its times and places, in the order outputs list them."""
        return ()

    @property
    def agenda_times(self) -> tuple[time, ...]:
        """The times of day of the item's agenda (a meeting's), in order."""
        return ()

    def name(self, origin: str, destination: str, untitled: str) -> str:
        """The item's name: its title, else what says it best (``untitled`` when nothing does)."""
        return self.title or untitled

    def natural_id(self) -> str:
        """An id that survives most revisions: by name, travel by route and date."""
        return f"{self.kind_name}-{slugify(self.title or self.category)}"

    def shifted(self, delta: timedelta) -> Self:
        """The item moved by ``delta`` (wall times; a written offset is dropped, so the new time
        resolves by the place's zone). Validate it in a Trip to resolve it."""
        moved = {name: WallTime(getattr(self, name).local + delta) for name in self.time_fields}
        return self.model_copy(update=moved)

    def _day(self) -> str:
        return day_stamp(self.wall_start)


def _whole_number_as_text(value: object) -> object:
    """A flight number written as a number (``number: 501``; ``501.0`` from some JSON writers)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return str(int(value))
    return value


def _fact(kind: DetailKind, value: str | None, *, booking: bool = False) -> tuple[Detail, ...]:
    return (Detail(kind, value, booking),) if value else ()


class Flight(_Item):
    type: Literal["flight"] = "flight"
    carrier: Annotated[
        str, Strict(), Field(pattern=r"^[A-Z0-9]{2}$", description="IATA airline code")
    ]
    number: Annotated[
        str,
        BeforeValidator(_whole_number_as_text),
        Field(pattern=r"^[0-9]{1,4}[A-Z]?$"),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": r"^[0-9]{1,4}[A-Z]?$"},
                    {"type": "integer", "minimum": 0, "maximum": 9999},
                ],
                "description": "flight number, as text (0501, 501A) or a whole number (501)",
            }
        ),
    ]
    from_: IataCode = Field(alias="from")
    to: IataCode
    depart: Annotated[WallTime, At("from_")]
    # An arrival before the departure is a plan finding with advice, not a load error.
    arrive: Annotated[WallTime, At("to")]
    cabin: Literal["economy", "premium_economy", "business", "first"] | None = None
    seat: Line | None = None
    confirmation: Line | None = None
    departure_terminal: Line | None = None
    arrival_terminal: Line | None = None

    moves: ClassVar[bool] = True
    time_fields: ClassVar[tuple[str, str]] = ("depart", "arrive")
    place_fields: ClassVar[tuple[str, str | None]] = ("from_", "to")

    @property
    def flight_number(self) -> str:
        return f"{self.carrier} {self.number}"

    def details(self) -> tuple[Detail, ...]:
        return (
            *_fact("departure_terminal", self.departure_terminal),
            *_fact("arrival_terminal", self.arrival_terminal),
            *_fact("cabin", self.cabin),
            *_fact("seat", self.seat, booking=True),
            *_fact("confirmation", self.confirmation, booking=True),
        )

    def name(self, origin: str, destination: str, untitled: str) -> str:
        return f"{self.carrier} {self.number} {self.from_}→{self.to}"

    def natural_id(self) -> str:
        return flight_id(self.carrier, self.number, self._day())


def flight_id(carrier: str, number: str, stamp: str) -> str:
    """A flight's natural id, ``flight-la501-20270309``: its carrier and number, and ``stamp``,
    the local date it leaves as ``day_stamp`` writes it (a boarding pass knows no more)."""
    return f"flight-{carrier}{number}-{stamp}".lower()


class Transfer(_Item):
    """Ground travel between two places: a car ``transfer``, a ``train`` or a ``drive``."""

    type: Literal["transfer", "train", "drive"]
    from_: PlaceRef = Field(alias="from")
    to: PlaceRef
    start: Annotated[WallTime, At("from_")]
    end: Annotated[WallTime, At("to", "start", "from_")]
    provider: Line | None = None
    number: Line | None = Field(default=None, description="train or service number")
    seat: Line | None = None
    confirmation: Line | None = None

    moves: ClassVar[bool] = True
    place_fields: ClassVar[tuple[str, str | None]] = ("from_", "to")

    def details(self) -> tuple[Detail, ...]:
        return (
            *_fact("provider", self.provider),
            *_fact("service", self.number),
            *_fact("seat", self.seat, booking=True),
            *_fact("confirmation", self.confirmation, booking=True),
        )

    def name(self, origin: str, destination: str, untitled: str) -> str:
        return self.title or f"{origin} → {destination}"

    def natural_id(self) -> str:
        return f"{self.type}-{slugify(self.from_)}-{slugify(self.to)}-{self._day()}"


class Stay(_Item):
    type: Literal["stay"] = "stay"
    place: PlaceRef
    check_in: Annotated[WallTime, At("place")]
    check_out: Annotated[WallTime, At("place", "check_in", "place")]
    confirmation: Line | None = None

    time_fields: ClassVar[tuple[str, str]] = ("check_in", "check_out")

    @property
    def free_time(self) -> bool:
        return True

    def details(self) -> tuple[Detail, ...]:
        return _fact("confirmation", self.confirmation, booking=True)

    def name(self, origin: str, destination: str, untitled: str) -> str:
        return self.title or origin

    def natural_id(self) -> str:
        return f"stay-{slugify(self.place)}-{self._day()}"


class _Located(_Item):
    """An item at one place (or, online, in one zone) from ``start`` to ``end``."""

    place: PlaceRef | None = None
    timezone: TimezoneName | None = Field(
        default=None, description="zone of an item without a place (an online meeting)"
    )
    start: Annotated[WallTime, At("place")]
    end: Annotated[WallTime, At("place", "start", "place")]

    @model_validator(mode="after")
    def _validated(self) -> Self:
        if self.place is None and self.timezone is None:
            raise ValueError("give a place, or a timezone for an item with no place")
        share_fields_set(self)
        return self

    @property
    def zone_name(self) -> str | None:
        return self.timezone


class Meeting(_Located):
    type: Literal["meeting"] = "meeting"
    kind: MeetingKind = "other"
    organizer: PersonKey | None = Field(
        default=None, description="person key; default the traveller"
    )
    attendees: tuple[PersonKey, ...] = ()
    agenda: tuple[AgendaEntry, ...] = ()
    online: Url | None = Field(default=None, description="URL of the online meeting")
    language: LocaleTag | None = Field(
        default=None, description="language of the invitation; default the organizer's"
    )

    @field_validator("agenda", mode="wrap")
    @classmethod
    def _agenda(cls, value: object, handler: object, info: ValidationInfo) -> object:
        with _scope.meeting(info, "place"):
            return handler(value)  # type: ignore[operator]

    @property
    def category(self) -> str:
        return self.kind

    @property
    def agenda_times(self) -> tuple[time, ...]:
        agenda = self.agenda
        return tuple(step.at for step in agenda) if agenda else ()


class Activity(_Located):
    type: Literal["activity"] = "activity"

    @property
    def free_time(self) -> bool:
        return self.optional  # an optional activity does not make the traveller busy


Item = Annotated[Flight | Transfer | Stay | Meeting | Activity, Field(discriminator="type")]


def item_ids(items: Iterable[Item]) -> tuple[str, ...]:
    """Each item's id: its own, else its natural id, made unique by the date and then a count."""
    items = list(items)
    taken: set[str] = {item.id for item in items if item.id}
    ids: list[str] = []
    for item in items:
        if item.id is not None:
            ids.append(item.id)
            continue
        base = item_id = item.natural_id()
        if item_id in taken:
            day = day_stamp(item.wall_start)
            if not base.endswith(day):
                base = item_id = f"{base}-{day}"
            n = 1
            while item_id in taken:
                n += 1
                item_id = f"{base}-{n}"
        taken.add(item_id)
        ids.append(item_id)
    return tuple(ids)
