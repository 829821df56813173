"""The harness that every calendar test relies on: it must pass good files and catch bad ones.

The calendars are built with icalendar's API and tripplan's VTIMEZONEs; the server is a real
Radicale on 127.0.0.1 (``tests/_radicale.py``), shared by the module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from icalendar import Calendar, Event, vCalAddress

from tripplan._vtimezone import vtimezone
from tripplan._zones import get_zone

from ._interop import (
    Disagreement,
    InteropError,
    LibicalComplaint,
    ParsedEvent,
    assert_clients_agree,
)
from ._radicale import CalDAVError, RadicaleServer, resources_of

STAMP = datetime(2026, 1, 1, tzinfo=UTC)
SANTIAGO = get_zone("America/Santiago")
NEW_YORK = get_zone("America/New_York")
DANA = vCalAddress("mailto:dana@northwind.example")
RODRIGO = vCalAddress("mailto:rodrigo@cordillera.example")


def _calendar(*events: Event, method: str | None = None) -> Calendar:
    """The events, with tripplan's VTIMEZONE for each zone they use, covering their times."""
    cal = Calendar.new(prodid="-//tripplan//tests//EN", method=method)
    times = [
        value
        for event in events
        for value in (event.start, event.end)
        if isinstance(value, datetime) and value.tzinfo is not UTC
    ]
    assert all(value.tzinfo in (SANTIAGO, NEW_YORK) for value in times), times
    for zone in (SANTIAGO, NEW_YORK):
        if in_zone := [value for value in times if value.tzinfo is zone]:
            cal.add_component(vtimezone(zone, min(in_zone), max(in_zone)))
    for event in events:
        cal.add_component(event)
    return cal


def _write(tmp_path: Path, cal: Calendar, name: str = "calendar.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(cal.to_ical())
    return path


def _meeting(uid: str = "meeting@tripplan.test", hour: int = 9) -> Event:
    start = datetime(2027, 3, 9, hour, tzinfo=SANTIAGO)
    return Event.new(
        uid=uid,
        summary="Meeting at Cordillera",
        start=start,
        end=start + timedelta(hours=1),
        stamp=STAMP,
    )


def _day_off() -> Event:
    return Event.new(
        uid="day-off@tripplan.test",
        summary="Day off",
        start=date(2027, 3, 10),
        end=date(2027, 3, 11),
        stamp=STAMP,
    )


# --- files that must pass ---------------------------------------------------------------------


def test_timed_and_all_day_events_pass(tmp_path: Path, radicale_server: RadicaleServer) -> None:
    path = _write(tmp_path, _calendar(_meeting(), _day_off()))
    nine = datetime(2027, 3, 9, 9, tzinfo=SANTIAGO)
    expected = [
        ParsedEvent.expect(
            "meeting@tripplan.test", "Meeting at Cordillera", nine, nine + timedelta(hours=1)
        ),
        ParsedEvent.expect(
            "day-off@tripplan.test", "Day off", date(2027, 3, 10), date(2027, 3, 11)
        ),
    ]
    agreed = assert_clients_agree(path, radicale_server, expected=expected)
    assert sorted(agreed, key=lambda e: e.uid) == sorted(expected, key=lambda e: e.uid)
    (meeting,) = [e for e in agreed if not e.all_day]
    assert meeting.start_utc == datetime(2027, 3, 9, 12, tzinfo=UTC)  # -03 in March


def test_an_invitation_passes_and_is_stored_without_method(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    meeting = _meeting()
    meeting.organizer = DANA
    meeting.attendees = [RODRIGO]
    meeting.sequence = 0
    path = _write(tmp_path, _calendar(meeting, method="REQUEST"))
    assert Calendar.from_ical(path.read_bytes())["METHOD"] == "REQUEST"

    (event,) = assert_clients_agree(path, radicale_server)
    assert event.uid == "meeting@tripplan.test"

    collection = radicale_server.make_calendar()
    (stored,) = radicale_server.put_ics(collection, path.read_bytes())
    assert stored.etag
    (served,) = radicale_server.get_all(collection)
    assert "METHOD" not in Calendar.from_ical(served)
    assert "METHOD" not in Calendar.from_ical(stored.ics)


def test_a_file_becomes_one_resource_per_uid_with_the_zones_it_uses(
    radicale_server: RadicaleServer,
) -> None:
    weekly = _meeting("weekly/1@tripplan.test")
    weekly.add("RRULE", {"FREQ": "WEEKLY", "COUNT": 3})
    moved = _meeting("weekly/1@tripplan.test", hour=11)
    moved.start = datetime(2027, 3, 16, 11, tzinfo=SANTIAGO)
    moved.end = moved.start + timedelta(hours=1)
    moved.add("RECURRENCE-ID", datetime(2027, 3, 16, 9, tzinfo=SANTIAGO))
    ics = _calendar(weekly, moved, _day_off(), method="PUBLISH").to_ical()

    resources = {r.uid: r for r in resources_of(ics)}
    assert set(resources) == {"weekly/1@tripplan.test", "day-off@tripplan.test"}
    recurring = Calendar.from_ical(resources["weekly/1@tripplan.test"].ics)
    assert len(recurring.events) == 2 and [str(t["TZID"]) for t in recurring.timezones] == [
        "America/Santiago"
    ]
    assert not Calendar.from_ical(resources["day-off@tripplan.test"].ics).timezones
    assert all("/" not in r.name and r.name.endswith(".ics") for r in resources.values())

    collection = radicale_server.make_calendar()
    stored = radicale_server.put_ics(collection, ics)
    assert [s.url.startswith(collection) for s in stored] == [True, True]
    assert len(radicale_server.get_all(collection)) == 2
    with pytest.raises(CalDAVError, match="412"):  # If-None-Match: * on a resource that exists
        radicale_server.put_ics(collection, ics)


# --- what the server refuses ------------------------------------------------------------------


def test_radicale_refuses_an_event_without_uid(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """Both parsers and libical's check let it through (no METHOD); Radicale does not."""
    event = _meeting()
    del event["UID"]
    path = _write(tmp_path, _calendar(event))
    with pytest.raises(CalDAVError, match="VEVENT component without UID") as refused:
        assert_clients_agree(path, radicale_server)
    assert refused.value.status == 400


def test_wrong_credentials_are_refused(radicale_server: RadicaleServer) -> None:
    with requests.Session() as session:
        for auth in [(radicale_server.username, "not-the-password"), ("mallory", "x"), None]:
            response = session.request(
                "PROPFIND",
                radicale_server.principal_url,
                auth=auth,
                headers={"Depth": "0"},
                timeout=30,
            )
            assert response.status_code == 401, auth
        right = (radicale_server.username, radicale_server.password)
        answer = session.request(
            "PROPFIND",
            radicale_server.principal_url,
            auth=right,
            headers={"Depth": "0"},
            timeout=30,
        )
        assert answer.status_code == 207


def test_a_user_cannot_write_outside_their_home(radicale_server: RadicaleServer) -> None:
    with pytest.raises(CalDAVError, match="403"):
        radicale_server.request(
            "MKCALENDAR", f"{radicale_server.url}someone-else/trip/", what="MKCALENDAR elsewhere"
        )


# --- what the harness itself must catch -------------------------------------------------------


def test_a_time_in_a_fold_makes_the_parsers_disagree(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """01:30 on 7 November 2027 happens twice in New York. RFC 5545 §3.3.5 means the first
    (EDT, 05:30 UTC), as icalendar reads it; ical.js and libical take the second (EST)."""
    start = datetime(2027, 11, 7, 1, 30, tzinfo=NEW_YORK)
    event = Event.new(
        uid="fold@tripplan.test",
        summary="In the fold",
        start=start,
        end=start + timedelta(hours=3),
        stamp=STAMP,
    )
    path = _write(tmp_path, _calendar(event))
    with pytest.raises(Disagreement, match=r"ical\.js, libical, icalendar disagree") as caught:
        assert_clients_agree(path, radicale_server)
    message = str(caught.value)
    assert "'fold@tripplan.test'" in message
    assert "2027-11-07T05:30:00Z" in message and "2027-11-07T06:30:00Z" in message


def test_icalendars_own_vtimezone_is_caught(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """``add_missing_timezones`` lists every change in one RDATE, of which ical.js reads the
    first: New York stays on EST all summer there (see tripplan._vtimezone)."""
    start = datetime(2027, 7, 1, 9, tzinfo=NEW_YORK)
    cal = Calendar.new(prodid="-//tripplan//tests//EN")
    cal.add_component(
        Event.new(
            uid="summer@tripplan.test",
            summary="Summer",
            start=start,
            end=start + timedelta(hours=1),
            stamp=STAMP,
        )
    )
    cal.add_missing_timezones()
    with pytest.raises(InteropError):
        assert_clients_agree(_write(tmp_path, cal), radicale_server)


def test_an_event_that_ends_before_it_starts_is_caught(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    event = _meeting()
    event.DTEND = datetime(2027, 3, 9, 8, tzinfo=SANTIAGO)  # Event.new would refuse it
    with pytest.raises(InteropError, match="end before they start"):
        assert_clients_agree(_write(tmp_path, _calendar(event)), radicale_server)


def test_events_other_than_expected_are_caught(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    path = _write(tmp_path, _calendar(_meeting(), _day_off()))
    nine_utc = datetime(2027, 3, 9, 9, tzinfo=UTC)  # 09:00 in Santiago was meant
    expected = [
        ParsedEvent.expect(
            "meeting@tripplan.test",
            "Meeting at Cordillera",
            nine_utc,
            nine_utc + timedelta(hours=1),
        ),
        ParsedEvent.expect(
            "day-off@tripplan.test", "Day off", date(2027, 3, 10), date(2027, 3, 11)
        ),
    ]
    with pytest.raises(Disagreement, match="file, expected disagree") as caught:
        assert_clients_agree(path, radicale_server, expected=expected)
    assert "day-off" not in str(caught.value)  # only the events that differ are shown


def test_a_changed_copy_on_the_server_is_caught(
    tmp_path: Path, radicale_server: RadicaleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Radicale rewrites what it stores (through vobject); a copy that reads differently fails."""
    path = _write(tmp_path, _calendar(_meeting()))
    served = radicale_server.get_all

    def shifted(collection_url: str) -> list[bytes]:
        copies = []
        for ics in served(collection_url):
            cal = Calendar.from_ical(ics)
            for event in cal.events:
                event.DTSTART = datetime(2027, 3, 9, 10, tzinfo=SANTIAGO)
            copies.append(cal.to_ical())
        return copies

    monkeypatch.setattr(radicale_server, "get_all", shifted)
    with pytest.raises(Disagreement, match="Radicale's copy"):
        assert_clients_agree(path, radicale_server)


def test_libical_restriction_failures_are_caught(
    tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """A REQUEST needs attendees (RFC 5546 §3.2.2); libical's check says so."""
    meeting = _meeting()
    meeting.organizer = DANA
    meeting.sequence = 0
    path = _write(tmp_path, _calendar(meeting, method="REQUEST"))
    with pytest.raises(LibicalComplaint, match="ATTENDEE"):
        assert_clients_agree(path, radicale_server)


def test_expected_events_need_aware_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        ParsedEvent.expect("x", "x", datetime(2027, 1, 1), datetime(2027, 1, 1, 1))
    with pytest.raises(ValueError, match="both dates"):
        ParsedEvent.expect("x", "x", date(2027, 1, 1), datetime(2027, 1, 1, 1, tzinfo=UTC))
