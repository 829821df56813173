"""The trip format as pydantic models: what a trip file may say, validated where it is said.

Every model forbids unknown fields. Cross-references (person keys, place keys, airports) and local
times are checked while the trip validates, so each problem carries its own location
(``items[5].attendees[2]``) and pydantic reports them all in one pass. A valid ``Trip`` carries its
resolved ``timeline``: every item at exact instants.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from . import _airports, _zones
from ._locations import Location, locate, unknown_place
from ._time import resolve, to_utc
from ._types import (
    AgendaTime,
    CountryCode,
    Duration,
    Email,
    Geo,
    IataCode,
    LocaleTag,
    Phone,
    Slug,
    TimezoneName,
    Url,
    WallTime,
)

if TYPE_CHECKING:
    from ._checks import CheckOptions, Finding
    from ._rates import Rate
    from ._timeline import Timeline

__all__ = [
    "Activity",
    "AgendaEntry",
    "Flight",
    "Item",
    "Meeting",
    "MeetingKind",
    "Notes",
    "Person",
    "Place",
    "Reminders",
    "Stay",
    "Transfer",
    "Trip",
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )


Text = Annotated[str, Field(min_length=1)]


# --- cross-references --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scope:
    """What the items of the trip being validated may refer to (None: unknown, do not check).

    ``places`` holds the validated places (their zones resolve times); when the places did not
    validate, the keys written in the file still let references be checked.
    """

    people: frozenset[str] | None
    place_keys: frozenset[str] | None
    places: Mapping[str, Place] | None = None
    # Memos for large trips: each place is located, and each wall time resolved, once per load.
    located: dict[str, Location | None] = field(default_factory=dict)
    instants: Instants = field(default_factory=dict)


Instants = dict[tuple[WallTime, str], datetime]


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "tripplan_scope", default=None
)


def _keys(data: Any, field: str) -> frozenset[str] | None:
    value = data.get(field) if isinstance(data, dict) else None
    return frozenset(value) if isinstance(value, dict) else None


@contextmanager
def _scoped(scope: _Scope) -> Iterator[None]:
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _known_person(key: str) -> str:
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
        and not (len(ref) == 3 and ref.isupper() and _airports.is_airport(ref))
    ):
        raise unknown_place(ref, scope.place_keys)
    return ref


PersonKey = Annotated[str, AfterValidator(_known_person)]
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


def _resolve_once(wall: WallTime, zone: ZoneInfo) -> datetime:
    scope = _SCOPE.get()
    if scope is None:
        return resolve(wall, zone)
    key = (wall, zone.key)
    moment = scope.instants.get(key)
    if moment is None:
        moment = scope.instants[key] = resolve(wall, zone)
    return moment


def _zone_of(info: ValidationInfo, ref_field: str) -> ZoneInfo | None:
    """The zone of the place named by an earlier field, or of an item's own ``timezone``."""
    location = _location(info.data.get(ref_field))
    if location is not None:
        return location.zone
    zone = info.data.get("timezone")
    return _zones.get_zone(zone) if isinstance(zone, str) else None


def _check_at(value: WallTime, info: ValidationInfo, ref_field: str) -> WallTime:
    zone = _zone_of(info, ref_field)
    if zone is not None:
        _resolve_once(value, zone)
    return value


def _check_after(
    value: WallTime, info: ValidationInfo, ref_field: str, start_field: str, start_ref: str
) -> WallTime:
    """Resolve an end time and require it after the start, comparing instants."""
    zone = _zone_of(info, ref_field)
    start = info.data.get(start_field)
    start_zone = _zone_of(info, start_ref)
    if zone is None:
        return value
    end = _resolve_once(value, zone)
    if isinstance(start, WallTime) and start_zone is not None:
        begin = _resolve_once(start, start_zone)
        if to_utc(end) <= to_utc(begin):
            raise ValueError(f"ends at {value}, not after its {start_field} at {start}")
    return value


# --- people and places -------------------------------------------------------------------------


class Person(_Model):
    """Someone on the trip: our side (``team``, the default) or the customer's."""

    name: Text
    email: Email | None = None
    organization: str | None = None
    title: str | None = Field(default=None, description="job title")
    phone: Phone | None = None
    language: LocaleTag | None = None
    timezone: TimezoneName | None = None
    side: Literal["team", "customer"] = "team"

    @property
    def described(self) -> str:
        """``Name (title, organization)``, as invitations and sheets list people."""
        details = ", ".join(p for p in (self.title, self.organization) if p)
        return f"{self.name} ({details})" if details else self.name


class Place(_Model):
    """A venue, hotel or address; its times are read in ``timezone``."""

    name: Text
    address: str | None = None
    city: str | None = None
    country: CountryCode | None = None
    timezone: TimezoneName | None = Field(
        default=None, description="IANA zone; may be left out where the country has a single zone"
    )
    subdivision: str | None = Field(
        default=None,
        description="ISO 3166-2 subdivision of the country without its prefix (NSW, HE, RM), "
        "for regional public holidays",
    )
    geo: Geo | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _known_subdivision(self) -> Place:
        if self.subdivision is not None:
            import holidays

            if self.country is None:
                raise ValueError("a subdivision needs the place's country")
            known = holidays.list_supported_countries().get(self.country, [])
            if self.subdivision not in known:
                expected = ", ".join(known) if known else "none are known for this country"
                raise ValueError(
                    f"unknown subdivision {self.subdivision!r} of {self.country}; expected one of: {expected}"
                )
        return self

    @model_validator(mode="after")
    def _needs_zone(self) -> Place:
        if self.timezone is None:
            if self.country is None:
                raise ValueError("give the place a timezone (or a country with a single zone)")
            zones = _zones.country_zones(self.country)
            if len(zones) != 1:
                raise ValueError(
                    f"country {self.country} has {len(zones)} time zones ({', '.join(zones)}); "
                    "give the place a timezone"
                )
        return self

    @property
    def zone_name(self) -> str:
        """The place's zone: its own, or its country's only one."""
        if self.timezone is not None:
            return self.timezone
        assert self.country is not None
        return _zones.country_zones(self.country)[0]


# --- items -------------------------------------------------------------------------------------


class Notes(_Model):
    """``public`` may go to anyone, ``team`` to our side, ``private`` to the traveller alone."""

    public: str | None = None
    team: str | None = None
    private: str | None = None


class AgendaEntry(_Model):
    at: AgendaTime
    title: Text
    by: PersonKey | None = None


class _Item(_Model):
    id: Slug | None = Field(
        default=None, description="stable identifier of the item; calendar UIDs derive from it"
    )
    title: str | None = None
    notes: Notes = Notes()
    optional: bool = False
    status: Literal["confirmed", "tentative", "cancelled"] = "confirmed"
    reminder: Duration | None = Field(
        default=None, description="alarm lead time for this item, overriding the trip's default"
    )


class Flight(_Item):
    type: Literal["flight"] = "flight"
    carrier: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$", description="IATA airline code")]
    number: Annotated[str, Field(pattern=r"^[0-9]{1,4}[A-Z]?$")]
    from_: IataCode = Field(alias="from")
    to: IataCode
    depart: WallTime
    arrive: WallTime
    cabin: Literal["economy", "premium_economy", "business", "first"] | None = None
    seat: str | None = None
    confirmation: str | None = None
    departure_terminal: str | None = None
    arrival_terminal: str | None = None

    @field_validator("depart")
    @classmethod
    def _depart(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_at(value, info, "from_")

    @field_validator("arrive")
    @classmethod
    def _arrive(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        # An arrival before the departure is a plan finding with advice, not a load error.
        return _check_at(value, info, "to")

    @property
    def flight_number(self) -> str:
        return f"{self.carrier} {self.number}"


class Transfer(_Item):
    """Ground travel between two places: a car ``transfer``, a ``train`` or a ``drive``."""

    type: Literal["transfer", "train", "drive"]
    from_: PlaceRef = Field(alias="from")
    to: PlaceRef
    start: WallTime
    end: WallTime
    provider: str | None = None
    number: str | None = Field(default=None, description="train or service number")
    seat: str | None = None
    confirmation: str | None = None

    @field_validator("start")
    @classmethod
    def _start(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_at(value, info, "from_")

    @field_validator("end")
    @classmethod
    def _end(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_after(value, info, "to", "start", "from_")


class Stay(_Item):
    type: Literal["stay"] = "stay"
    place: PlaceRef
    check_in: WallTime
    check_out: WallTime
    confirmation: str | None = None

    @field_validator("check_in")
    @classmethod
    def _check_in(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_at(value, info, "place")

    @field_validator("check_out")
    @classmethod
    def _check_out(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_after(value, info, "place", "check_in", "place")


MeetingKind = Literal["internal", "it_staff_day", "executive_meeting", "demo", "meal", "other"]


class _Located(_Item):
    """An item at one place (or, online, in one zone) from ``start`` to ``end``."""

    place: PlaceRef | None = None
    timezone: TimezoneName | None = Field(
        default=None, description="zone of an item without a place (an online meeting)"
    )
    start: WallTime
    end: WallTime

    @field_validator("start")
    @classmethod
    def _start(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_at(value, info, "place")

    @field_validator("end")
    @classmethod
    def _end(cls, value: WallTime, info: ValidationInfo) -> WallTime:
        return _check_after(value, info, "place", "start", "place")

    @model_validator(mode="after")
    def _needs_zone(self) -> _Located:
        if self.place is None and self.timezone is None:
            raise ValueError("give a place, or a timezone for an item with no place")
        return self


class Meeting(_Located):
    type: Literal["meeting"] = "meeting"
    kind: MeetingKind = "other"
    organizer: PersonKey | None = Field(
        default=None, description="person key; default the traveller"
    )
    attendees: list[PersonKey] = Field(default_factory=list)
    agenda: list[AgendaEntry] = Field(default_factory=list)
    online: Url | None = Field(default=None, description="URL of the online meeting")
    language: LocaleTag | None = Field(
        default=None, description="language of the invitation; default the organizer's"
    )


class Activity(_Located):
    type: Literal["activity"] = "activity"


Item = Annotated[Flight | Transfer | Stay | Meeting | Activity, Field(discriminator="type")]


class StatedRate(_Model):
    """An exchange rate the trip states (a bank's, a card's): it wins over any fetched one.
    ``rate`` is how many ``currency`` one ``per`` buys."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. CLP")]
    per: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. USD")]
    rate: Annotated[Decimal, Field(gt=0)]
    date: dt.date
    source: Text

    def as_rate(self) -> Rate:
        from ._rates import Rate

        return Rate(self.per, self.currency, self.rate, self.date, self.source)


class Reminders(_Model):
    """Default alarm lead time per item type (``train`` and ``drive`` fall back to ``transfer``)."""

    flight: Duration | None = None
    meeting: Duration | None = None
    transfer: Duration | None = None
    train: Duration | None = None
    drive: Duration | None = None
    activity: Duration | None = None
    stay: Duration | None = None


# --- the trip ----------------------------------------------------------------------------------


class Trip(_Model):
    """A trip plan: people, places and items, every item resolved to exact instants."""

    id: Slug = Field(description="stable across revisions: calendar UIDs derive from it")
    title: str | None = None
    home: str | None = Field(
        default=None,
        description="the traveller's home time zone (IANA name) or an IATA airport code; "
        "default the traveller's timezone",
    )
    languages: list[LocaleTag] = Field(default=["en"], min_length=1)
    reminders: Reminders = Reminders()
    rates: list[StatedRate] = Field(
        default_factory=list, description="exchange rates to use instead of fetched ones"
    )
    people: dict[Key, Person]
    places: dict[Key, Place] = {}
    traveller: Key = Field(description="key of the person travelling")
    items: list[Item] = Field(default_factory=list)

    _timeline: Timeline | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _with_scope(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Trip:
        # Cross-references are checked against the keys the document writes, even where the
        # people or places themselves fail to validate, so one pass reports every problem.
        from ._timeline import build_timeline

        scope = _Scope(_keys(data, "people"), _keys(data, "places"))
        with _scoped(scope):
            trip: Trip = handler(data)
        if trip._timeline is None:
            trip._timeline = build_timeline(trip, scope.instants)
        return trip

    @field_validator("home")
    @classmethod
    def _home(cls, value: str) -> str:
        home_zone(value)
        return value

    @field_validator("traveller")
    @classmethod
    def _traveller(cls, value: str) -> str:
        return _known_person(value)

    @field_validator("items", mode="wrap")
    @classmethod
    def _items(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        outer = _SCOPE.get()
        scope = _Scope(
            outer.people if outer else None,
            outer.place_keys if outer else None,
            info.data.get("places"),
            instants=outer.instants if outer else {},
        )
        with _scoped(scope):
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

    @property
    def timeline(self) -> Timeline:
        """Every item at exact instants, in time order."""
        assert self._timeline is not None
        return self._timeline

    @property
    def home_zone(self) -> ZoneInfo:
        """The traveller's home zone: ``home``, else the traveller's own, else where the trip starts."""
        if self.home is not None:
            return home_zone(self.home)
        person = self.people[self.traveller]
        if person.timezone is not None:
            return _zones.get_zone(person.timezone)
        entries = self.timeline.entries
        return entries[0].origin.zone if entries else _zones.get_zone("UTC")

    def check(self, options: CheckOptions | None = None) -> list[Finding]:
        """The plan's findings (mistakes and advice), most severe first, then in time order."""
        from ._checks import check

        return check(self, options)

    def attends(self, person: str, meeting: Meeting) -> bool:
        """Whether ``person`` takes part in ``meeting`` (organizer, attendee, or the traveller of a
        meeting that lists no one)."""
        organizer = meeting.organizer or self.traveller
        if person == organizer or person in meeting.attendees:
            return True
        return person == self.traveller and not meeting.attendees


def home_zone(home: str) -> ZoneInfo:
    """``home`` as a zone: three capitals are an IATA airport code first, else an IANA name."""
    if len(home) == 3 and home.isupper() and _airports.is_airport(home):
        return _zones.get_zone(_airports.airport(home).timezone)
    return _zones.get_zone(home)
