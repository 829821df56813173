"""Reservations out: the trip as schema.org JSON-LD, read by the peer (KDE's kitinerary-extractor)
and by tripplan's own import (the round trip)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tripplan import (
    build_calendar,
    build_invitations,
    build_jsonld,
    import_bookings,
    invitation_mail,
    load_trip,
    resolve,
)
from tripplan._cli import main
from tripplan._import_sources import INSTALL_EXTRACTOR, extractor
from tripplan._jsonld import invitation_markup

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer

REFERENCE = Path("examples/santiago-customer-visit.yaml")
NOW = datetime(2027, 1, 15, tzinfo=UTC)
EMPTY = "id: round-trip\ntraveller: dana\npeople:\n  dana: {name: Dana Whitfield}\n"


def kde_reads(path: Path) -> list[dict[str, Any]]:
    """What KDE Itinerary's extractor finds in a file. A missing extractor fails the test with
    what to install: CI installs it, and a skipped peer test would hide what it exists to catch."""
    program = extractor()
    if program is None:
        pytest.fail(f"kitinerary-extractor is not installed: {INSTALL_EXTRACTOR}")
    result = subprocess.run(
        [program, str(path)],
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def instant(value: Any) -> datetime:
    text = value["@value"] if isinstance(value, dict) else value
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise AssertionError(f"{text} has no offset: a reader cannot place it")
    return moment.astimezone(UTC)


def test_the_peer_finds_every_item_at_its_instant(tmp_path: Path) -> None:
    trip = load_trip(REFERENCE)
    out = tmp_path / "trip.jsonld"
    assert main(["jsonld", str(REFERENCE), "-o", str(out)]) == 0
    found: dict[tuple[str, str], datetime] = {}
    for reservation in kde_reads(out):
        journey = reservation["reservationFor"]
        kind = reservation["@type"]
        if kind == "FlightReservation":
            key = journey["airline"]["iataCode"] + journey["flightNumber"]
            found[("flight", key)] = instant(journey["departureTime"])
        elif kind == "LodgingReservation":
            found[("stay", journey["name"])] = instant(reservation["checkinTime"])
        elif kind == "FoodEstablishmentReservation":
            found[("meeting", journey["name"])] = instant(reservation["startTime"])
        elif kind == "EventReservation":
            found[(journey.get("@type", "").lower(), journey["name"])] = instant(
                journey["startDate"]
            )
    timeline = resolve(trip)
    expected: dict[tuple[str, str], datetime] = {}
    for entry in timeline:
        item = entry.item
        if entry.type == "flight":
            expected[("flight", f"{item.carrier}{item.number}")] = entry.start_utc  # type: ignore[union-attr]
        elif entry.type == "stay":
            expected[("stay", entry.origin.name)] = entry.start_utc
        elif entry.type == "meeting" and getattr(item, "kind", "") == "meal":
            expected[("meeting", entry.origin.name)] = entry.start_utc
        elif entry.type in ("meeting", "activity"):
            expected[("event", entry.name(""))] = entry.start_utc
    assert {k: v for k, v in found.items() if k in expected} == expected


def test_round_trip_export_then_import(tmp_path: Path) -> None:
    """Export, import into a trip with nothing but the traveller: the same items, at the same
    instants."""
    trip = load_trip(REFERENCE)
    exported = tmp_path / "trip.jsonld"
    exported.write_text(build_jsonld(trip), encoding="utf-8")
    empty = tmp_path / "empty.yaml"
    empty.write_text(EMPTY, encoding="utf-8")
    report = import_bookings(empty, [exported])
    assert [c.action for c in report.changes] == ["added"] * len(trip.items)

    def shape(path: Path) -> list[tuple[str, datetime, datetime]]:
        return sorted((e.type, e.start_utc, e.end_utc) for e in resolve(load_trip(path)))

    assert shape(empty) == shape(REFERENCE)
    assert import_bookings(empty, [exported]).changed is False


def test_customers_get_no_booking_details() -> None:
    shown = build_jsonld(load_trip(REFERENCE), "customer")
    assert "QWX7PL" not in shown and "FlightReservation" not in shown
    assert "The future of collaboration and productivity" in shown


def test_the_peer_reads_the_travellers_calendar(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """KDE Itinerary reads a calendar event's X-KDE-KITINERARY-RESERVATION: every item of the
    traveller's calendar, at the instant of its event; and the calendar clients still agree."""
    trip = load_trip(REFERENCE)
    ics = tmp_path / "trip.ics"
    ics.write_bytes(build_calendar(trip, now=NOW).to_ical())
    assert len(assert_clients_agree(ics, radicale_server)) == len(trip.items)
    starts = sorted(instant(start_of(r)) for r in kde_reads(ics))
    assert starts == sorted(e.start_utc for e in resolve(trip))


def test_the_peer_reads_the_invitation_mail(tmp_path: Path) -> None:
    """The HTML part of an invitation mail carries its meeting as markup, as KDE reads it, and
    importing the mail gives the meeting once (the calendar part is the invitation)."""
    trip = load_trip(REFERENCE)
    invitation = build_invitations(trip, now=NOW)[-1]
    mail = tmp_path / "invitation.eml"
    mail.write_bytes(bytes(invitation_mail(trip, invitation, date=NOW)))
    [found] = kde_reads(mail)
    entry = resolve(trip)[invitation.item_id]
    assert instant(start_of(found)) == entry.start_utc
    html = invitation_mail(trip, invitation, date=NOW).get_body(preferencelist=("html",))
    assert html is not None and '<script type="application/ld+json">' in html.get_content()
    empty = tmp_path / "empty.yaml"
    empty.write_text(EMPTY, encoding="utf-8")
    report = import_bookings(empty, [mail])
    assert [c.action for c in report.changes] == ["added"]
    [imported] = resolve(report.trip)
    assert (imported.start_utc, imported.end_utc) == (entry.start_utc, entry.end_utc)


def start_of(reservation: dict[str, Any]) -> Any:
    journey = reservation.get("reservationFor", {})
    for where, key in (
        (journey, "departureTime"),
        (reservation, "checkinTime"),
        (reservation, "startTime"),
        (reservation, "pickupTime"),
        (journey, "startDate"),
    ):
        if key in where:
            return where[key]
    raise AssertionError(f"no start in {reservation}")


def test_markup_cannot_end_its_script_element() -> None:
    trip = load_trip(REFERENCE)
    meeting = "meeting-the-future-of-collaboration-and-productivity"
    hostile = trip.replace_item(meeting, id="vision", title="</script><script>alert(1)</script>")
    markup = invitation_markup(hostile, "vision", ["rodrigo", "carolina"], cancelled=True)
    assert markup.count("<") == 2 and markup.endswith("</script>")
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in markup
    data = json.loads(
        markup.removeprefix('<script type="application/ld+json">')[: -len("</script>")]
    )
    assert data["reservationStatus"] == "http://schema.org/ReservationCancelled"


def test_only_the_travellers_calendar_carries_kde_reservations() -> None:
    trip = load_trip(REFERENCE)
    assert b"X-KDE-KITINERARY-RESERVATION" in build_calendar(trip, now=NOW).to_ical()
    assert b"X-KDE-KITINERARY-RESERVATION" not in build_calendar(trip, "team", now=NOW).to_ical()
