"""The trip as schema.org reservations and events (JSON-LD): what KDE Itinerary, Gmail and other
readers of "email markup" understand.

Every output goes through the audience gate (``_audience.View``): the entries an audience may see,
already redacted (no confirmation codes or seats for a customer). Times are the resolved local
times with their offsets, so a reader puts each at its exact instant without knowing a zone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._audience import Audience, View
from ._items import Flight, Meeting, Stay, Transfer
from ._timeline import resolve

if TYPE_CHECKING:
    from ._locations import Location
    from ._model import Trip
    from ._timeline import Scheduled

__all__ = ["build_jsonld", "entry_reservation", "invitation_markup", "reservations"]

_CONTEXT = "http://schema.org"
_CABINS = {
    "economy": "Economy",
    "premium_economy": "Premium Economy",
    "business": "Business",
    "first": "First",
}


def _place(location: Location, kind: str = "Place") -> dict[str, Any]:
    place: dict[str, Any] = {"@type": kind, "name": location.name}
    if location.iata is not None:
        place["iataCode"] = location.iata
    address = {
        "@type": "PostalAddress",
        **({"streetAddress": location.address} if location.address else {}),
        **({"addressLocality": location.city} if location.city else {}),
        **({"addressCountry": location.country} if location.country else {}),
    }
    if len(address) > 1:
        place["address"] = address
    if location.geo is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.geo[0],
            "longitude": location.geo[1],
        }
    if location.phone:
        place["telephone"] = location.phone
    return place


def _reservation(kind: str, trip: Trip, confirmation: str | None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": _CONTEXT, "@type": kind}
    if confirmation:
        data["reservationNumber"] = confirmation
    data["reservationStatus"] = f"{_CONTEXT}/ReservationConfirmed"
    data["underName"] = {"@type": "Person", "name": trip.people[trip.traveller].name}
    data.update(fields)
    return data


def _flight(trip: Trip, entry: Scheduled, item: Flight) -> dict[str, Any]:
    flight: dict[str, Any] = {
        "@type": "Flight",
        "flightNumber": item.number,
        "airline": {"@type": "Airline", "iataCode": item.carrier},
        "departureAirport": {
            "@type": "Airport",
            "iataCode": item.from_,
            "name": entry.origin.name,
        },
        "departureTime": entry.start.isoformat(),
        "arrivalAirport": {"@type": "Airport", "iataCode": item.to, "name": entry.destination.name},
        "arrivalTime": entry.end.isoformat(),
    }
    if item.departure_terminal:
        flight["departureTerminal"] = item.departure_terminal
    if item.arrival_terminal:
        flight["arrivalTerminal"] = item.arrival_terminal
    extra: dict[str, Any] = {"reservationFor": flight}
    if item.seat:
        extra["airplaneSeat"] = item.seat
    if item.cabin:
        extra["airplaneSeatClass"] = {"@type": "AirplaneSeatClass", "name": _CABINS[item.cabin]}
    return _reservation("FlightReservation", trip, item.confirmation, **extra)


def _transfer(trip: Trip, entry: Scheduled, item: Transfer) -> dict[str, Any]:
    if item.type == "train":
        journey: dict[str, Any] = {
            "@type": "TrainTrip",
            "departureStation": _place(entry.origin, "TrainStation"),
            "departureTime": entry.start.isoformat(),
            "arrivalStation": _place(entry.destination, "TrainStation"),
            "arrivalTime": entry.end.isoformat(),
        }
        if item.number:
            journey["trainNumber"] = item.number
        if item.provider:
            journey["provider"] = {"@type": "Organization", "name": item.provider}
        return _reservation("TrainReservation", trip, item.confirmation, reservationFor=journey)
    kind, vehicle = (
        ("RentalCarReservation", "RentalCar")
        if item.type == "drive"
        else ("TaxiReservation", "Taxi")
    )
    company = {"@type": "Organization", "name": item.provider} if item.provider else None
    vehicle_data: dict[str, Any] = {"@type": vehicle, "name": item.title or item.provider or ""}
    if company is not None:
        vehicle_data["rentalCompany" if item.type == "drive" else "provider"] = company
    return _reservation(
        kind,
        trip,
        item.confirmation,
        reservationFor=vehicle_data,
        pickupLocation=_place(entry.origin),
        pickupTime=entry.start.isoformat(),
        dropoffLocation=_place(entry.destination),
        dropoffTime=entry.end.isoformat(),
    )


def _stay(trip: Trip, entry: Scheduled, item: Stay) -> dict[str, Any]:
    return _reservation(
        "LodgingReservation",
        trip,
        item.confirmation,
        reservationFor=_place(entry.origin, "LodgingBusiness"),
        checkinTime=entry.start.isoformat(),
        checkoutTime=entry.end.isoformat(),
    )


def _event(trip: Trip, entry: Scheduled, item: Any) -> dict[str, Any]:
    if isinstance(item, Meeting) and item.kind == "meal" and entry.origin.key is not None:
        return _reservation(
            "FoodEstablishmentReservation",
            trip,
            None,
            reservationFor=_place(entry.origin, "FoodEstablishment"),
            startTime=entry.start.isoformat(),
            endTime=entry.end.isoformat(),
        )
    event: dict[str, Any] = {
        "@type": "Event",
        "name": entry.name(item.category),
        "startDate": entry.start.isoformat(),
        "endDate": entry.end.isoformat(),
    }
    if entry.origin.key is not None:
        event["location"] = _place(entry.origin)
    elif isinstance(item, Meeting) and item.online:
        event["location"] = {"@type": "VirtualLocation", "url": item.online}
    if isinstance(item, Meeting):
        organizer = trip.people[item.organizer or trip.traveller]
        event["organizer"] = {"@type": "Person", "name": organizer.name}
        if item.online:
            event["url"] = item.online
    return _reservation("EventReservation", trip, None, reservationFor=event)


def entry_reservation(trip: Trip, entry: Scheduled) -> dict[str, Any]:
    """The schema.org object of one entry, as a view shows it (already redacted)."""
    item = entry.item
    if isinstance(item, Flight):
        return _flight(trip, entry, item)
    if isinstance(item, Transfer):
        return _transfer(trip, entry, item)
    if isinstance(item, Stay):
        return _stay(trip, entry, item)
    return _event(trip, entry, item)


def reservations(trip: Trip, view: View) -> list[dict[str, Any]]:
    """The schema.org objects of the entries ``view`` shows, in time order."""
    return [entry_reservation(trip, entry) for entry in view.entries()]


def invitation_markup(
    trip: Trip, item_id: str, recipients: Iterable[str], *, cancelled: bool = False
) -> str:
    """The ``<script type="application/ld+json">`` element an invitation mail's HTML carries for
    its meeting (what mail clients that read email markup expect), with what every recipient may
    see; empty for an item the trip no longer has."""
    try:
        entry = resolve(trip)[item_id]
    except KeyError:
        return ""
    data = entry_reservation(trip, View.for_people(trip, recipients).shown(entry))
    if cancelled:
        data["reservationStatus"] = f"{_CONTEXT}/ReservationCancelled"
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Nothing in a value can end the script element or open a comment: <, > and & as escapes.
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return f'<script type="application/ld+json">{text}</script>'


def build_jsonld(
    trip: Trip, audience: Audience | str = Audience.TRAVELLER, *, organization: str | None = None
) -> str:
    """The trip's items as a JSON-LD list of schema.org reservations, for one audience."""
    view = View(trip, Audience(audience), organization)
    return json.dumps(reservations(trip, view), ensure_ascii=False, indent=2) + "\n"
