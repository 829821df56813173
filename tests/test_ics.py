"""The traveller's calendar (METHOD:PUBLISH): what each event says, and that clients read it right."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tripplan import Trip, load_trip, resolve
from tripplan._ics import build_calendar, event_uid

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer
from .support import BASE, EXAMPLES, build_trip
from .test_checks import items

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"


@pytest.fixture(scope="module")
def reference() -> Trip:
    return load_trip(REFERENCE)


def events(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def written(calendar: icalendar.Calendar, path: Path) -> Path:
    path.write_bytes(calendar.to_ical())
    return path


def test_calendar_properties(reference: Trip) -> None:
    calendar: Any = build_calendar(reference, now=NOW)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["NAME"] == calendar["X-WR-CALNAME"] == "Cordillera Seguros customer visit"
    assert calendar["PRODID"].startswith("-//tripplan//tripplan ")
    assert calendar["X-TRIPPLAN-TZDATA"]
    text = calendar.to_ical().decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in text
    assert "X-WR-TIMEZONE" not in text
    assert len(calendar.walk("VEVENT")) == len(reference.items)


def test_every_tzid_has_its_vtimezone_and_no_time_floats(reference: Trip) -> None:
    calendar = build_calendar(reference, now=NOW)
    used = set()
    for event in calendar.walk("VEVENT"):
        for key in ("DTSTART", "DTEND"):
            value: Any = event[key]
            if isinstance(value.dt, datetime):
                assert value.dt.tzinfo is not None, f"{event['SUMMARY']} {key} floats"
                used.add(value.params.get("TZID"))
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert used == defined == {"America/New_York", "America/Santiago"}


def test_flight_spans_two_zones_and_says_everything(reference: Trip) -> None:
    flight = events(build_calendar(reference, now=NOW))["✈ LA 501 MIA→SCL"]
    assert flight["DTSTART"].params["TZID"] == "America/New_York"
    assert flight["DTEND"].params["TZID"] == "America/Santiago"
    assert flight.decoded("DTSTART") == datetime(2027, 3, 8, 3, 40, tzinfo=UTC)
    assert flight.decoded("DTEND") == datetime(2027, 3, 8, 12, 5, tzinfo=UTC)
    description = str(flight["DESCRIPTION"])
    for part in (
        "10:40\u202fPM (America/New_York)",
        "9:05\u202fAM (America/Santiago)",
        "8 hr 25 min",
        "Seat: 34C",
        "Confirmation: QWX7PL",
        "Cabin: economy",
    ):
        assert part in description
    assert "(MIA) → " in str(flight["LOCATION"]) and "Seat 34C" in str(flight["LOCATION"])


def test_stays_are_all_day_nights_and_free(reference: Trip) -> None:
    stay = events(build_calendar(reference, now=NOW))["🏨 Hotel Andino Las Condes"]
    assert stay.decoded("DTSTART") == date(2027, 3, 8)
    assert stay.decoded("DTEND") == date(2027, 3, 12)  # exclusive: the last night is the 11th
    assert stay["DTSTART"].params["VALUE"] == "DATE"
    assert "Check-in: Mon, Mar 8, 2027, 11:30\u202fAM" in str(stay["DESCRIPTION"])
    assert (stay["TRANSP"], stay["X-MICROSOFT-CDO-BUSYSTATUS"]) == ("TRANSPARENT", "FREE")


def test_busy_status_always_agrees_with_transparency(reference: Trip) -> None:
    found = {}
    for event in build_calendar(reference, now=NOW).walk("VEVENT"):
        busy = str(event["X-MICROSOFT-CDO-BUSYSTATUS"])
        assert (event["TRANSP"] == "TRANSPARENT") == (busy == "FREE")
        found[str(event["SUMMARY"])] = str(event["TRANSP"])
    assert found["Winery visit, Casablanca Valley"] == "TRANSPARENT"  # optional
    assert found["The future of collaboration and productivity"] == "OPAQUE"
    assert found["✈ AA 1320 BOS→MIA"] == "OPAQUE"


def test_places_geo_and_online_meetings(reference: Trip) -> None:
    calendar = events(build_calendar(reference, now=NOW))
    ceo = calendar["The future of collaboration and productivity"]
    assert ceo.decoded("GEO") == (-33.415, -70.601) or ceo["GEO"].to_ical() == b"-33.415;-70.601"
    apple = ceo["X-APPLE-STRUCTURED-LOCATION"]
    assert apple.params["X-TITLE"] == str(ceo["LOCATION"])  # Apple shows the map when they match
    assert str(apple).startswith("geo:-33.415,-70.601")
    link = "https://meet.northwind.example/j/cordillera-vision"
    assert (
        str(ceo["URL"]) == link and link in str(ceo["LOCATION"]) and link in str(ceo["DESCRIPTION"])
    )
    assert str(ceo["CONFERENCE"]) == link and ceo["CONFERENCE"].params["FEATURE"] == "VIDEO"
    assert "GEO" not in calendar["Dinner with Andes Partners"]  # the restaurant has no coordinates
    agenda = str(calendar["Collaboration portfolio day with Cordillera IT"]["DESCRIPTION"])
    assert "11:00 Live demonstration: web meetings and chat (Tomás Reyes)" in agenda


def alarms(event: Any) -> list[timedelta]:
    return [a.decoded("TRIGGER") for a in event.walk("VALARM")]


def test_reminders_from_defaults_and_overrides() -> None:
    trip = build_trip(
        reminders={"flight": "3h", "meeting": "30m"},
        items=items(replace={3: {"reminder": "1h15m"}}),
    )
    calendar = events(build_calendar(trip, now=NOW))
    assert alarms(calendar["✈ LA 501 MIA→SCL"]) == [timedelta(hours=-3)]
    assert alarms(calendar["CEO meeting"]) == [timedelta(hours=-1, minutes=-15)]
    assert alarms(calendar["🏨 Hotel Andino"]) == []


def test_travel_time_before_a_meeting() -> None:
    ride = {
        "type": "transfer",
        "from": "hotel",
        "to": "office",
        "start": "2027-03-09 10:20",
        "end": "2027-03-09 10:50",
    }
    calendar = events(build_calendar(build_trip(items=items(ride)), now=NOW))
    travel = calendar["CEO meeting"]["X-APPLE-TRAVEL-DURATION"]
    assert (travel.to_ical(), travel.params["VALUE"]) == (b"PT30M", "DURATION")
    assert (
        "X-APPLE-TRAVEL-DURATION"
        not in events(build_calendar(build_trip(), now=NOW))["CEO meeting"]
    )


def test_a_time_in_a_repeated_hour_is_written_in_utc() -> None:
    late = {
        "type": "meeting",
        "title": "Late call",
        "place": "office",
        "kind": "internal",
        "start": "2027-04-03 23:30-04:00",
        "end": "2027-04-04 00:15",
    }
    event = events(build_calendar(build_trip(items=[late]), now=NOW))["Late call"]
    assert "TZID" not in event["DTSTART"].params
    assert event["DTSTART"].to_ical() == b"20270404T033000Z"
    assert event["DTEND"].params["TZID"] == "America/Santiago"


def test_reproducible_and_stable_uids(reference: Trip) -> None:
    first = build_calendar(reference, now=NOW).to_ical()
    assert first == build_calendar(load_trip(REFERENCE), now=NOW).to_ical()
    shuffled = copy.deepcopy(BASE)
    shuffled["items"].reverse()

    def uids(trip: Trip) -> list[str]:
        return sorted(str(e["UID"]) for e in build_calendar(trip, now=NOW).walk("VEVENT"))

    assert uids(build_trip()) == uids(Trip.model_validate(shuffled))
    assert build_calendar(reference, now=NOW + timedelta(days=1)).to_ical() != first


AWKWARD = (
    'Déjà vu, "quoted"; back\\slash, a literal \\n, 🚀 ñandú'  # one line: titles refuse line breaks
)


def test_awkward_text_round_trips_exactly_and_cannot_inject(tmp_path: Path) -> None:
    evil = "Lunch\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:x"
    trip = build_trip(items=items(replace={3: {"title": AWKWARD, "notes": {"public": evil}}}))
    data = build_calendar(trip, now=NOW).to_ical()
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folding never splits a character
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) == len(trip.items)
    [meeting] = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == AWKWARD]
    assert evil.replace("\r\n", "\n") in str(meeting["DESCRIPTION"])
    assert "ATTENDEE" not in meeting and "evil@example.com" not in str(meeting.get("ORGANIZER"))
    from ._interop import read_icaljs, read_libical

    path = written(calendar, tmp_path / "awkward.ics")
    parsed = {e.summary for e in read_icaljs(path)}
    assert AWKWARD in parsed and len(parsed) == len(trip.items)
    assert {e.summary for e in read_libical(path).events} == parsed


def test_audiences(reference: Trip) -> None:
    team = build_calendar(reference, "team", now=NOW).to_ical().decode()
    assert "Early check-in requested" not in team.replace("\r\n ", "")  # a private note
    assert "HA-88412" in team  # bookings are the team's business
    customer = events(build_calendar(reference, "customer", now=NOW))
    assert sorted(customer) == [
        "Collaboration portfolio day with Cordillera IT",
        "The future of collaboration and productivity",
    ]
    text = build_calendar(reference, "customer", now=NOW).to_ical().decode().replace("\r\n ", "")
    for hidden in ("QWX7PL", "Goal: agreement", "Thank Sofía", "Matías worries"):
        assert hidden not in text
    assert "An executive conversation" in text


def test_labels_follow_the_language(reference: Trip) -> None:
    spanish = events(build_calendar(reference, language="es", now=NOW))
    description = str(spanish["✈ LA 501 MIA→SCL"]["DESCRIPTION"])
    assert "Sale: dom, 7 mar 2027, 22:40 (America/New_York)" in description
    assert "Duración: 8 h 25 min" in description and "Cabina: turista" in description


# --- clients agree -----------------------------------------------------------------------------


def agree_with_timeline(trip: Trip, path: Path, server: RadicaleServer) -> None:
    """ical.js, libical, icalendar and Radicale's stored copy agree, and with the timeline."""
    parsed = {e.uid: e for e in assert_clients_agree(path, server)}
    assert len(parsed) == len(trip.items)
    for entry in resolve(trip):
        event = parsed[event_uid(trip, entry)]
        if entry.type == "stay":
            assert event.all_day and event.start_utc.date() == entry.start.date()
        else:
            assert (event.start_utc, event.end_utc) == (entry.start_utc, entry.end_utc), entry.id


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("audience", ["traveller", "team", "customer"])
def test_clients_read_every_example_at_the_right_instants(
    path: Path, audience: str, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    trip = load_trip(path)
    if audience == "traveller":
        ics = written(build_calendar(trip, now=NOW), tmp_path / f"{path.stem}.ics")
        agree_with_timeline(trip, ics, radicale_server)
        return
    customers = sorted(
        {p.organization or k for k, p in trip.people.items() if p.side == "customer"}
    )
    for organization in customers if audience == "customer" else [None]:
        calendar = build_calendar(trip, audience, organization=organization, now=NOW)
        ics = written(calendar, tmp_path / f"{path.stem}-{audience}-{organization}.ics")
        assert len(assert_clients_agree(ics, radicale_server)) == len(calendar.walk("VEVENT"))
        if organization is not None:  # nothing about the other customers
            text = ics.read_text(encoding="utf-8").replace("\r\n ", "")
            assert calendar.walk("VEVENT") and all(
                o not in text for o in customers if o != organization
            )


def test_dst_edges_land_at_the_same_instants_everywhere(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    def meeting(title: str, start: str, end: str) -> dict[str, Any]:
        return {
            "type": "meeting",
            "kind": "internal",
            "title": title,
            "place": "office",
            "start": start,
            "end": end,
        }

    edges = [
        meeting("Evening before the September change", "2027-09-04 20:00", "2027-09-04 21:00"),
        meeting("Right after the skipped hour", "2027-09-05 01:00", "2027-09-05 01:45"),
        meeting("Across the skipped hour", "2027-09-04 23:30", "2027-09-05 01:30"),
        meeting("Before the repeated hour", "2027-04-03 22:30", "2027-04-03 23:15-03:00"),
        meeting("First 23:30", "2027-04-03 23:30-03:00", "2027-04-03 23:50-03:00"),
        meeting("Second 23:30", "2027-04-03 23:30-04:00", "2027-04-04 00:30"),
        {
            "type": "flight",
            "carrier": "NZ",
            "number": "5",
            "from": "LAX",
            "to": "AKL",
            "depart": "2027-06-01 21:30",
            "arrive": "2027-06-03 05:45",
        },
        {
            "type": "flight",
            "carrier": "AA",
            "number": "100",
            "from": "JFK",
            "to": "LHR",
            "depart": "2027-03-14 03:15",
            "arrive": "2027-03-14 15:00",
        },
    ]
    trip = build_trip(items=edges)
    path = written(build_calendar(trip, now=NOW), tmp_path / "edges.ics")
    agree_with_timeline(trip, path, radicale_server)
