"""schema.org reservations -> bookings: the item, the places and the people a trip file would write.

A time with an offset is an exact instant, written as the local wall time where it happens (with
the offset kept only where that wall time happens twice); a time without one is already local to
its place (the departure airport for a departure, the hotel for a check-in) and is kept as it is,
so the trip resolves it by the same zone rules as any time in the file — a hotel with an address
only gets its zone from its city. Airports come from the bundled data; any other place is
validated as a trip ``Place`` here, so a place no zone can be told for is reported against the
source, not found later in the trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import _airports
from ._items import flight_id
from ._places import Place
from ._schema_org import Reader, local_wall, one_line, schema_type, value_at
from ._types import slugify

__all__ = ["Booking", "reservation_booking"]

_CANCELLED = "ReservationCancelled"
_CABINS = (("first", "first"), ("premium", "premium_economy"), ("business", "business"))


@dataclass
class Booking:
    """What one reservation or invitation adds to a trip, as a trip file writes it.

    ``item`` refers to places by keys of ``places`` (or IATA codes) and to people by keys of
    ``people``; the merge maps those onto the trip's own keys. ``keys`` match it to an item
    already imported (``booking:`` reservation number with flight and date, ``uid:``);
    ``notes`` are what the report should tell (a guess, a value left out). ``revision`` orders
    versions of one invitation (SEQUENCE, then DTSTAMP as UTC ISO text, RFC 5546 §2.1.5): an
    older one never overwrites a newer one."""

    origin: str
    item: dict[str, Any]
    places: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)
    revision: tuple[int, str] | None = None
    #: What a booking that only completes an item the trip has names (a boarding pass: the
    #: flight and its day, a seat, but no times), for the report; the item is found by
    #: ``natural``, the id it would have been made with. None for a whole booking.
    completes: str | None = None
    natural: str | None = None


def _airport_zone(reader: Reader, path: str) -> tuple[str, str]:
    code = one_line(value_at(reader.data, *path.split("."), "iataCode"))
    if code is None or not _airports.looks_like_airport(code.upper()):
        raise reader.fail(path, "expected an airport with an IATA code (iataCode)")
    try:
        return code.upper(), _airports.airport(code.upper()).timezone
    except ValueError as error:
        raise reader.fail(path, str(error)) from None


def _reservation_number(data: dict[str, Any]) -> str | None:
    return one_line(data.get("reservationNumber")) or one_line(data.get("reservationId"))


def _flight(reader: Reader) -> Booking:
    data = reader.data
    origin_code, origin_zone = _airport_zone(reader, "reservationFor.departureAirport")
    to_code, to_zone = _airport_zone(reader, "reservationFor.arrivalAirport")
    airline = one_line(value_at(data, "reservationFor", "airline", "iataCode")) or ""
    number = one_line(value_at(data, "reservationFor", "flightNumber")) or ""
    found = re.fullmatch(r"()([0-9]{1,4}[A-Z]?)", number.upper()) or re.fullmatch(
        r"([A-Z0-9]{2})\s*([0-9]{1,4}[A-Z]?)", number.upper()
    )
    carrier = (found.group(1) if found else None) or airline.upper()
    if found is None or not re.fullmatch(r"[A-Z0-9]{2}", carrier):
        raise reader.fail("reservationFor.flightNumber", "expected a flight number and airline")
    item: dict[str, Any] = {
        "type": "flight",
        "carrier": carrier,
        "number": found.group(2),
        "from": origin_code,
        "to": to_code,
    }
    departure_day = _departure_day(reader)
    if departure_day is None:
        depart = reader.moment("reservationFor.departureTime")
        arrive = reader.moment("reservationFor.arrivalTime")
        item["depart"] = local_wall(depart, origin_zone)
        item["arrive"] = local_wall(arrive, to_zone)
    seat_class = one_line(value_at(data, "airplaneSeatClass")) or one_line(
        value_at(data, "reservedTicket", "ticketedSeat", "seatingType")
    )
    if seat_class:
        folded = seat_class.casefold()
        item["cabin"] = next((cabin for word, cabin in _CABINS if word in folded), "economy")
    seat = one_line(data.get("airplaneSeat")) or one_line(
        value_at(data, "reservedTicket", "ticketedSeat", "seatNumber")
    )
    extras = {
        "seat": seat,
        "confirmation": _reservation_number(data),
        "departure_terminal": one_line(value_at(data, "reservationFor", "departureTerminal")),
        "arrival_terminal": one_line(value_at(data, "reservationFor", "arrivalTerminal")),
    }
    item.update({k: v for k, v in extras.items() if v})
    day = departure_day or date.fromisoformat(item["depart"][:10])
    flight = f"{carrier}{found.group(2)}:{day.isoformat()}"
    keys = (f"booking:{item.get('confirmation', '')}:{flight}",)
    if departure_day is None:
        return Booking(reader.origin, item, keys=keys)
    natural = flight_id(carrier, found.group(2), f"{day:%Y%m%d}")
    named = f"{carrier} {found.group(2)} {origin_code}→{to_code} on {day.isoformat()}"
    return Booking(reader.origin, item, keys=keys, completes=named, natural=natural)


def _departure_day(reader: Reader) -> date | None:
    """The day of a flight that has no departure time, as a boarding pass gives it (its barcode
    carries the day only); None when the booking has the time."""
    if reader.optional_moment("reservationFor.departureTime") is not None:
        return None
    value = value_at(reader.data, "reservationFor", "departureDay")
    if isinstance(value, dict):  # KDE's extractor may write {"@type": "QDate", "@value": ...}
        value = value.get("@value")
    try:
        day = date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        raise reader.fail(
            "reservationFor.departureTime",
            "missing; expected a date and time like 2027-03-07T22:40",
        )
    return day


def _place_key(place: dict[str, Any]) -> str:
    return slugify(str(place["name"]))[:40].strip("-") or "place"


def _span(
    reader: Reader,
    start_path: str,
    end_path: str,
    zone: str,
    default: timedelta,
    end_zone: str | None = None,
) -> tuple[str, str, list[str]]:
    """Start and end as the trip writes them (the end in ``end_zone`` when it is elsewhere); a
    missing end is ``default`` after the start, and the report says so."""
    start = reader.moment(start_path)
    end = reader.optional_moment(end_path)
    notes = []
    if end is None:
        end = start + default
        minutes = default.total_seconds() / 60
        length = f"{minutes:g} min" if minutes < 60 else f"{minutes / 60:g} h"
        notes.append(f"no end time given; assumed {length} after the start")
    return local_wall(start, zone), local_wall(end, end_zone or zone), notes


def _zone(place: dict[str, Any]) -> str:
    return Place.model_validate(place).zone_name


def _stay(reader: Reader) -> Booking:
    place = reader.place("reservationFor")
    key = _place_key(place)
    zone = _zone(place)
    check_in, check_out, notes = _span(
        reader, "checkinTime", "checkoutTime", zone, timedelta(days=1)
    )
    item: dict[str, Any] = {"type": "stay", "place": key, "check_in": check_in}
    item["check_out"] = check_out
    number = _reservation_number(reader.data)
    if number:
        item["confirmation"] = number
    keys = (f"booking:{number}:stay",) if number else ()
    return Booking(reader.origin, item, places={key: place}, keys=keys, notes=notes)


def _located(reader: Reader, kind: str) -> Booking:
    """A restaurant table (a meal meeting) or an event ticket (an activity)."""
    data = reader.data
    if kind == "meal":
        place = reader.place("reservationFor")
        start_path, end_path, title = "startTime", "endTime", place["name"]
        length = timedelta(hours=2)
    else:
        place = reader.place("reservationFor.location")
        start_path, end_path = "reservationFor.startDate", "reservationFor.endDate"
        title = one_line(value_at(data, "reservationFor", "name")) or place["name"]
        length = timedelta(hours=1)
    key = _place_key(place)
    start, end, notes = _span(reader, start_path, end_path, _zone(place), length)
    # An event with an organizer is a meeting (tripplan's own export writes one); else a ticket.
    meeting = kind == "meal" or value_at(data, "reservationFor", "organizer") is not None
    item: dict[str, Any] = {"type": "meeting" if meeting else "activity", "title": title}
    if kind == "meal":
        item["kind"] = "meal"
    online = one_line(value_at(data, "reservationFor", "url"))
    if meeting and online and re.fullmatch(r"https?://[^\s<>\"]+", online):
        item["online"] = online
    item.update({"place": key, "start": start, "end": end})
    number = _reservation_number(data)
    party = one_line(data.get("partySize"))
    if party:
        notes.append(f"a table for {party}")
    keys = (f"booking:{number}:{item['type']}",) if number else ()
    return Booking(reader.origin, item, places={key: place}, keys=keys, notes=notes)


def _stop(
    reader: Reader, path: str, places: dict[str, dict[str, Any]]
) -> tuple[str, str, dict[str, dict[str, Any]]]:
    """Where ground travel starts or ends: an airport by its IATA code, else a place (its key,
    its zone, and the places with it added)."""
    code = one_line(value_at(reader.data, *path.split("."), "iataCode"))
    if code and _airports.looks_like_airport(code.upper()):
        try:
            return code.upper(), _airports.airport(code.upper()).timezone, places
        except ValueError:
            pass  # not an airport the data knows: read it as a place
    place = reader.place(path)
    key = _place_key(place)
    return key, _zone(place), {**places, key: place}


def _ground(reader: Reader, kind: str) -> Booking:
    """A train, a bus, a rental car or a taxi: ground travel between two places."""
    data = reader.data
    if kind in ("train", "bus"):
        stop = "Station" if kind == "train" else "BusStop"
        from_path, to_path = f"reservationFor.departure{stop}", f"reservationFor.arrival{stop}"
        start_path, end_path = "reservationFor.departureTime", "reservationFor.arrivalTime"
        number = one_line(value_at(data, "reservationFor", f"{kind}Number"))
        provider = one_line(value_at(data, "reservationFor", "provider"))
    else:
        from_path, to_path = "pickupLocation", "dropoffLocation"
        start_path, end_path = "pickupTime", "dropoffTime"
        number = None
        provider = one_line(value_at(data, "reservationFor", "rentalCompany")) or one_line(
            value_at(data, "reservationFor", "provider") or data.get("provider")
        )
    from_ref, from_zone, places = _stop(reader, from_path, {})
    has_end = value_at(data, *to_path.split(".")) is not None
    to_ref, to_zone, places = (
        _stop(reader, to_path, places) if has_end else (from_ref, from_zone, places)
    )
    start, end, notes = _span(
        reader, start_path, end_path, from_zone, timedelta(minutes=30), end_zone=to_zone
    )
    item: dict[str, Any] = {
        "type": {"train": "train", "rental": "drive"}.get(kind, "transfer"),
        "from": from_ref,
        "to": to_ref,
        "start": start,
        "end": end,
    }
    confirmation = _reservation_number(data)
    seat = one_line(value_at(data, "reservedTicket", "ticketedSeat", "seatNumber"))
    extras = {"provider": provider, "number": number, "seat": seat, "confirmation": confirmation}
    item.update({k: v for k, v in extras.items() if v})
    keys = (f"booking:{confirmation}:{item['type']}:{item['start'][:10]}",) if confirmation else ()
    return Booking(reader.origin, item, places=places, keys=keys, notes=notes)


_KINDS: dict[str, Callable[[Reader], Booking]] = {
    "FlightReservation": _flight,
    "LodgingReservation": _stay,
    "FoodEstablishmentReservation": lambda r: _located(r, "meal"),
    "EventReservation": lambda r: _located(r, "event"),
    "TrainReservation": lambda r: _ground(r, "train"),
    "BusReservation": lambda r: _ground(r, "bus"),
    "RentalCarReservation": lambda r: _ground(r, "rental"),
    "TaxiReservation": lambda r: _ground(r, "taxi"),
}


def reservation_booking(origin: str, data: dict[str, Any], traveller: str) -> Booking | None:
    """The booking a schema.org reservation makes; None for an object that is not one of the
    reservations read (an Organization, a ParcelDelivery) or that is for someone else."""
    kind = schema_type(data)
    make = _KINDS.get(kind)
    if make is None:
        return None
    booking = make(Reader(origin, data))
    status = one_line(data.get("reservationStatus")) or ""
    booking.cancelled = status.endswith(_CANCELLED)
    passenger = one_line(data.get("underName"))
    if passenger and not _same_person(passenger, traveller):
        return None
    return booking


def _same_person(name: str, other: str) -> bool:
    """Whether a booking's name (``WHITFIELD/DANA MS``) is the traveller's: a shared word."""
    words = {w for w in re.split(r"[\W_]+", name.casefold()) if len(w) > 2}
    return bool(words & {w for w in re.split(r"[\W_]+", other.casefold()) if len(w) > 2})
