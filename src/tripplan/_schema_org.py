"""Reading schema.org values: an object's type, texts, dates and times, places, countries.

What a mail or page writes is read as it means it, each problem located in the object
(``LodgingReservation.reservationFor: ...``): a time with an offset is aware, one without is
naive (local to its place); a place is validated as a trip ``Place`` here, its unusable details
left out, and a place no zone can be told for is an error against the source. ``local_wall``
writes a booking's time as the trip file does.
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from . import _gazetteer, _zones
from ._exceptions import BookingError
from ._places import Place
from ._time import wall_of
from ._types import WallTime

__all__ = [
    "Reader",
    "clean_text",
    "country_code",
    "local_wall",
    "one_line",
    "schema_type",
    "value_at",
]


def schema_type(data: dict[str, Any]) -> str:
    """The object's type without its vocabulary (``http://schema.org/FlightReservation`` and
    ``FlightReservation`` alike)."""
    kind = data.get("@type")
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), "")
    return str(kind or "").rsplit("/", 1)[-1]


def value_at(data: Any, *path: str) -> Any:
    for name in path:
        if isinstance(data, list):
            data = data[0] if data else None
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data[0] if isinstance(data, list) and data else data


def clean_text(text: str, *, one_line: bool) -> str:
    """Text as the trip takes it: no control or direction characters; one line for a title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        c
        for c in text
        if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    if one_line:
        return " ".join(kept.split())
    return "\n".join(line.rstrip() for line in kept.strip().splitlines())


def one_line(value: Any) -> str | None:
    """A one-line text: a string, or an object's ``name`` (an airline, a brand)."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return clean_text(value, one_line=True) or None


class Reader:
    """Reads one schema.org object, raising ``BookingError`` located in it."""

    def __init__(self, origin: str, data: dict[str, Any]) -> None:
        self.origin, self.data = origin, data

    def fail(self, path: str, reason: str) -> BookingError:
        return BookingError(self.origin, reason, path=f"{schema_type(self.data)}.{path}")

    def moment(self, path: str) -> datetime:
        """A schema.org DateTime that must be there: aware with an offset, else naive (local)."""
        found = self.optional_moment(path, required=True)
        if found is None:  # pragma: no cover - required=True raises instead
            raise self.fail(path, "missing")
        return found

    def optional_moment(self, path: str, *, required: bool = False) -> datetime | None:
        """A schema.org DateTime, or None where there is none."""
        value = value_at(self.data, *path.split("."))
        if isinstance(value, dict):  # KDE's extractor writes {"@type": "QDateTime", "@value": ...}
            value = value.get("@value")
        if value is None or value == "":
            if required:
                raise self.fail(path, "missing; expected a date and time like 2027-03-07T22:40")
            return None
        if not isinstance(value, str):
            raise self.fail(path, f"expected a date and time like 2027-03-07T22:40, got {value!r}")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(
                path, f"{value[:60]!r} is not a date and time like 2027-03-07T22:40"
            ) from None
        if not 1900 <= moment.year <= 2200:
            raise self.fail(path, f"{value[:60]!r} is out of range; expected a year 1900 to 2200")
        return moment.replace(microsecond=0)

    def place(self, path: str) -> dict[str, Any]:
        """A schema.org Place (a hotel, a restaurant, a station) as a trip ``Place``."""
        value = value_at(self.data, *path.split("."))
        name = one_line(value)
        if not isinstance(value, dict) or name is None:
            raise self.fail(path, "expected a place with a name")
        address = value.get("address")
        place: dict[str, Any] = {"name": name}
        if isinstance(address, str):
            place["address"] = one_line(address)
        elif isinstance(address, dict):
            for field_name, key in (("address", "streetAddress"), ("city", "addressLocality")):
                if one_line(address.get(key)):
                    place[field_name] = one_line(address.get(key))
            country = country_code(address.get("addressCountry"))
            if country:
                place["country"] = country
        latitude, longitude = (
            value_at(value, "geo", "latitude"),
            value_at(value, "geo", "longitude"),
        )
        with contextlib.suppress(TypeError, ValueError):
            place["geo"] = [float(latitude), float(longitude)]
        if one_line(value.get("telephone")):
            place["phone"] = one_line(value.get("telephone"))
        return self._valid_place(path, place)

    def _valid_place(self, path: str, place: dict[str, Any]) -> dict[str, Any]:
        """The place as the trip will take it: details that do not validate are left out; a
        place whose zone cannot be told gets the zone at its coordinates, else is an error."""
        for _attempt in range(len(place) + 1):
            try:
                Place.model_validate(place)
                return place
            except ValidationError as error:
                first = error.errors()[0]
                where = str(first["loc"][0]) if first["loc"] else ""
                if where in ("phone", "geo", "address", "city", "country") and where in place:
                    del place[where]
                    continue
                geo = place.get("geo")
                zone = _gazetteer.zone_at(*geo) if geo else None
                if zone is not None and "timezone" not in place:
                    place["timezone"] = zone
                    continue
                raise self.fail(path, first["msg"].removeprefix("Value error, ")) from None
        raise self.fail(path, "cannot be read as a place")  # pragma: no cover


@functools.cache
def _country_names() -> dict[str, str]:
    from babel import Locale  # third-party: only when a booking names its country in words

    names: dict[str, str] = {}
    for language in ("en", "es", "pt", "fr", "de", "it"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.casefold(), code)
    return names


def country_code(value: Any) -> str | None:
    """An ISO country code from ``BR``, ``Brazil``, ``Brasil`` or ``{"name": "BR"}``."""
    text = one_line(value)
    if text is None:
        return None
    if len(text) == 2 and text.upper() in _zones.country_codes():
        return text.upper()
    return _country_names().get(text.casefold())


def local_wall(moment: datetime, zone_name: str) -> str:
    """A booking's time as the trip writes it: a naive time as it is (local to its place); an
    exact one as the local wall time in ``zone_name``, with its offset only where that wall time
    happens twice."""
    if moment.tzinfo is None:
        return str(WallTime(moment))
    return str(wall_of(moment, _zones.get_zone(zone_name)))
