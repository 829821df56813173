"""Constrained value types of the trip format, each validated once, where it is declared.

>>> WallTime.parse("2027-04-03 23:30-04:00")
WallTime('2027-04-03 23:30-04:00')
>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> format_duration(parse_duration("90m"))
'1h30m'
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from . import _airports, _zones

__all__ = [
    "AgendaTime",
    "CountryCode",
    "Duration",
    "Email",
    "Geo",
    "IataCode",
    "LocaleTag",
    "Phone",
    "Slug",
    "TimezoneName",
    "Url",
    "WallTime",
    "check_locale",
    "day_stamp",
    "did_you_mean",
    "format_duration",
    "format_offset",
    "parse_duration",
    "slugify",
]

_WALL = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2}))?(?:[ \t]*(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?))?"
)
_WALL_HELP = "a local date and time like 2027-03-09 09:00, or with the offset that picks one of a repeated hour, 2027-04-03 23:30-04:00"


_new_object = object.__new__
_set_slot = object.__setattr__


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'tomas'?"`` when one of ``choices`` is close to ``value``, else ``""``:
    the nearest valid value, so a message can be acted on in one round."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def format_offset(offset: timedelta) -> str:
    """``-03:00``, ``+05:45``, ``+00:00``: how ISO 8601 and the trip format write an offset."""
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_offset(text: str) -> timedelta:
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 18 or minutes > 59:
        raise ValueError(f"UTC offset {text!r} is out of range")
    return sign * timedelta(hours=hours, minutes=minutes)


@dataclass(frozen=True, slots=True)
class WallTime:
    """A wall-clock time as the trip file writes it: local to the place where the item happens.

    ``offset`` is set only when the file wrote one (to pick one of a repeated hour, or an instant in a
    skipped one); the zone comes from the place, so a WallTime alone is not an instant.
    """

    local: datetime  # naive by design: the zone is the place's
    offset: timedelta | None = None
    # The instant this wall time was last resolved to (``_time.resolve``), whose tzinfo is the
    # zone it was resolved in: validation resolves every time of a trip to check it, and the
    # timeline needs the same instants, so each is computed once. Not part of the value.
    _resolved: datetime | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.local.tzinfo is not None:
            raise ValueError("WallTime.local must be a naive wall-clock time")

    @classmethod
    def parse(cls, value: object) -> WallTime:
        """Read a trip-file time: text, or the datetime a TOML or Python caller gives."""
        # The plain shape (2027-03-09 09:00, seconds optional, no offset) is read by
        # datetime.fromisoformat; anything else, or anything it rejects, by the pattern, whose
        # messages say what is wrong.
        if (
            type(value) is str
            and len(value) in (16, 19)
            and value.isascii()
            and value[4] == value[7] == "-"
            and value[10] in " T"
            and value[13] == ":"
            and (len(value) == 16 or value[16] == ":")
        ):
            try:
                local = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:  # naive, as the shape has no offset: no need to check it again
                wall = _new_object(cls)
                _set_slot(wall, "local", local)
                _set_slot(wall, "offset", None)
                _set_slot(wall, "_resolved", None)
                return wall
        if isinstance(value, WallTime):
            return value
        if isinstance(value, datetime):
            offset = value.utcoffset()
            return cls(value.replace(tzinfo=None), offset)
        if isinstance(value, date) or not isinstance(value, str):
            raise ValueError(f"expected {_WALL_HELP}")
        match = _WALL.fullmatch(value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not {_WALL_HELP}")
        try:
            day = date.fromisoformat(match["date"])
            clock = time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid date and time ({exc})") from None
        offset = _parse_offset(match["offset"]) if match["offset"] else None
        return cls(datetime.combine(day, clock), offset)

    def __reduce__(self) -> tuple[type[WallTime], tuple[datetime, timedelta | None]]:
        return WallTime, (self.local, self.offset)  # without the memo (its zone may not pickle)

    def __str__(self) -> str:
        text = self.local.strftime("%Y-%m-%d %H:%M" + (":%S" if self.local.second else ""))
        return text + (format_offset(self.offset) if self.offset is not None else "")

    def __repr__(self) -> str:
        return f"WallTime({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": r"^[1-8][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
            r"(:[0-5][0-9])?(Z|[+-](0[0-9]|1[0-8])(:?[0-5][0-9])?)?$",
            "description": "Local wall-clock time at the place of the item, on a date of the "
            "calendar (no 30 February); an offset may pick one of a repeated hour.",
            "examples": ["2027-03-09 09:00", "2027-04-03 23:30-04:00"],
        }


def day_stamp(wall: WallTime) -> str:
    """``20270309``: the local date of a wall time, as item ids carry it."""
    local = wall.local
    return f"{local.year}{local.month:02d}{local.day:02d}"  # as strftime("%Y%m%d") writes it


_DURATION = re.compile(r"(?:(?P<d>[0-9]+)d)?(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?")


def parse_duration(value: object) -> timedelta:
    """``90m``, ``3h``, ``1d``, ``1h30m`` -> timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not value or not any(match.groupdict().values()):
        raise ValueError(f"{value!r} is not a duration; write it like 90m, 3h, 1d or 1h30m")
    d, h, m = (int(match[k] or 0) for k in "dhm")
    try:
        return timedelta(days=d, hours=h, minutes=m)
    except OverflowError:
        raise ValueError(f"{value!r} is longer than any duration can be") from None


def format_duration(value: timedelta) -> str:
    """The trip-format spelling of a duration (the inverse of ``parse_duration``)."""
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "")
    return text + (f"{minutes}m" if minutes or not text else "")


def _parse_agenda_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", value.strip()):
        hour, minute = value.strip().split(":")
        try:
            return time(int(hour), int(minute))
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time of day; write it like 09:30")


def _check_zone(name: str) -> str:
    _zones.get_zone(name)  # ZoneError is a ValueError: pydantic reports it at the field
    return name


def _check_country(code: str) -> str:
    if code not in _zones.country_codes():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _check_iata(code: str) -> str:
    _airports.airport(code)
    return code


def check_locale(tag: str) -> str:
    """A locale tag Babel knows, normalized (``es-CL`` -> ``es_CL``); ValueError otherwise."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(tag.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise ValueError(
            f"{tag!r} is not a locale Babel knows; write it like en, es or es_CL"
        ) from None


Duration = Annotated[
    timedelta,
    PlainValidator(parse_duration),
    PlainSerializer(format_duration),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([0-9]{1,5}d([0-9]{1,6}h)?([0-9]{1,8}m)?|[0-9]{1,6}h([0-9]{1,8}m)?|[0-9]{1,8}m)$",
            "examples": ["90m", "1h30m"],
        }
    ),
]
AgendaTime = Annotated[
    time,
    PlainValidator(_parse_agenda_time),
    PlainSerializer(lambda t: t.strftime("%H:%M")),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", "examples": ["09:30"]}
    ),
]


class _LazyJsonSchema:
    """Annotated metadata: a JSON Schema made when a schema is asked for, not at import (the
    lists of zones, countries and locales)."""

    def __init__(self, make: Callable[[], JsonSchemaValue]) -> None:
        self.make = make

    def __get_pydantic_json_schema__(
        self, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.make()


def _locale_identifiers() -> list[str]:
    from babel.localedata import locale_identifiers

    names = set(locale_identifiers())
    return sorted(names | {name.replace("_", "-") for name in names})


TimezoneName = Annotated[
    str,
    Strict(),
    AfterValidator(_check_zone),
    _LazyJsonSchema(
        lambda: {
            "type": "string",
            "description": "IANA time zone",
            "examples": ["America/Santiago"],
            "enum": sorted(_zones.zone_names()),
        }
    ),
]
CountryCode = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_check_country),
    _LazyJsonSchema(
        lambda: {
            "type": "string",
            "description": "ISO 3166-1 alpha-2 country code",
            "enum": sorted(_zones.country_codes()),
        }
    ),
]
IataCode = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_check_iata),
    Field(description="IATA airport code; one the bundled airport data knows"),
]
LocaleTag = Annotated[
    str,
    Strict(),
    AfterValidator(check_locale),
    _LazyJsonSchema(
        lambda: {
            "type": "string",
            "examples": ["en", "es", "es_CL", "pt_BR"],
            "enum": _locale_identifiers(),
        }
    ),
]
Slug = Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
Email = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[A-Za-z]{2,}$"),
]
Phone = Annotated[str, Strict(), StringConstraints(pattern=r"^\+[1-9][0-9 ().-]{3,23}[0-9().-]$")]
Url = Annotated[str, Strict(), StringConstraints(pattern=r"^https?://[^\s<>\"]+$")]
#: Latitude and longitude as numbers (text is refused, as the schema says).
Geo = tuple[
    Annotated[float, Strict(), Field(ge=-90, le=90, description="latitude")],
    Annotated[float, Strict(), Field(ge=-180, le=180, description="longitude")],
]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """ASCII, lower case, dashes: ``Cena con Sofía`` -> ``cena-con-sofia``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:60] or "item"
