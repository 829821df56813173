"""Reading the traveller's existing calendars: feeds over files and real HTTP, expansion, conflicts.

Feeds are built with icalendar's API; HTTP feeds come from a real server on 127.0.0.1 (the
scripted one in tests/_http_server, and a small validating one below for conditional requests).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import icalendar
import pytest
import requests

import tripplan
import tripplan._feed_expand
from tripplan import (
    BusyEvent,
    FeedError,
    Severity,
    busy_events,
    find_conflicts,
    free_slots,
    read_calendar,
    resolve,
)
from tripplan._feed_expand import MAX_REPETITIONS
from tripplan._feed_scan import events_within
from tripplan._http import make_session
from tripplan._model import Trip
from tripplan._zones import get_zone

from ._http_server import Reply, http_server

ROOT = Path(__file__).resolve().parent.parent
NY = get_zone("America/New_York")
SCL = get_zone("America/Santiago")
CEO_MEETING = "meeting-the-future-of-collaboration-and-productivity"
IT_DAY = "meeting-collaboration-portfolio-day-with-cordillera-it"
DINNER = "meeting-dinner-with-andes-partners"
FLIGHT_HOME = "flight-aa2281-20270313"


# --- feeds -------------------------------------------------------------------------------------


def ny(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NY)


def work_feed() -> icalendar.Calendar:
    """The traveller's office calendar, in New York time, with every recurrence feature."""
    sync = icalendar.Event.new(
        uid="weekly-sync",
        summary="Weekly sync",
        start=ny(2027, 2, 17, 9, 30),
        end=ny(2027, 2, 17, 10),
    )
    sync.add("RRULE", {"FREQ": "WEEKLY", "COUNT": 10})
    sync.add("EXDATE", [ny(2027, 2, 24, 9, 30)])
    sync_moved = icalendar.Event.new(
        uid="weekly-sync",
        summary="Weekly sync (moved)",
        recurrence_id=ny(2027, 3, 3, 9, 30),
        start=ny(2027, 3, 4, 13),
        end=ny(2027, 3, 4, 13, 30),
    )
    # 10:00 New York is 12:00 in Santiago: it would overlap the CEO meeting, but is cancelled.
    staff = icalendar.Event.new(
        uid="staff-meeting",
        summary="Staff meeting",
        start=ny(2027, 3, 3, 10),
        end=ny(2027, 3, 3, 11),
    )
    staff.add("RRULE", {"FREQ": "WEEKLY", "COUNT": 4})
    staff_cancelled = icalendar.Event.new(
        uid="staff-meeting",
        summary="Staff meeting",
        recurrence_id=ny(2027, 3, 10, 10),
        start=ny(2027, 3, 10, 10),
        end=ny(2027, 3, 10, 11),
        status=icalendar.STATUS.CANCELLED,
    )
    # Tuesdays 10:00 New York (12:00 in Santiago, inside the IT day) — moved away on 9 March.
    one_on_one = icalendar.Event.new(
        uid="one-on-one",
        summary="1:1 with Priya",
        start=ny(2027, 3, 2, 10),
        end=ny(2027, 3, 2, 10, 30),
    )
    one_on_one.add("RRULE", {"FREQ": "WEEKLY", "COUNT": 3})
    one_on_one_moved = icalendar.Event.new(
        uid="one-on-one",
        summary="1:1 with Priya",
        recurrence_id=ny(2027, 3, 9, 10),
        start=ny(2027, 3, 9, 16),
        end=ny(2027, 3, 9, 16, 30),
    )
    holiday = icalendar.Event.new(
        uid="holiday",
        summary="Company holiday",
        start=date(2027, 3, 10),
        end=date(2027, 3, 11),
    )
    focus = icalendar.Event.new(
        uid="focus",
        summary="Focus time",
        start=ny(2027, 3, 9, 8),
        end=ny(2027, 3, 9, 9),
        transparency=icalendar.TRANSP.TRANSPARENT,
    )
    review = icalendar.Event.new(
        uid="review",
        summary="Quarterly review",
        start=ny(2027, 3, 13, 9),
        end=ny(2027, 3, 13, 10),
    )
    call = icalendar.Event.new(
        uid="call",
        summary="Customer call",
        start=ny(2027, 3, 11, 9),
        end=ny(2027, 3, 11, 10, 30),
    )
    check_in = icalendar.Event.new(
        uid="check-in",
        summary="Check-in",
        start=datetime(2027, 3, 11, 13, tzinfo=SCL),
        end=datetime(2027, 3, 11, 13, 30, tzinfo=SCL),
    )
    calendar = icalendar.Calendar.new(
        prodid="-//tripplan tests//work//EN",
        name="Work",
        subcomponents=[
            sync,
            sync_moved,
            staff,
            staff_cancelled,
            one_on_one,
            one_on_one_moved,
            holiday,
            focus,
            review,
            call,
            check_in,
        ],
    )
    calendar.add_missing_timezones()
    return calendar


def google_feed() -> icalendar.Calendar:
    """A Google-style export: X-WR-TIMEZONE, floating local times and UTC times."""
    lunch = icalendar.Event.new(
        uid="lunch@google",
        summary="Lunch with Sofía",
        start=datetime(2027, 3, 10, 12),  # floating: meant in X-WR-TIMEZONE
        end=datetime(2027, 3, 10, 13),
    )
    drinks = icalendar.Event.new(
        uid="drinks@google",
        summary="Drinks",
        start=datetime(2027, 3, 10, 23, tzinfo=UTC),  # 20:00 in Santiago
        end=datetime(2027, 3, 11, 0, tzinfo=UTC),
    )
    calendar = icalendar.Calendar.new(
        prodid="-//Google Inc//Google Calendar 70.9054//EN", subcomponents=[lunch, drinks]
    )
    calendar.add("X-WR-TIMEZONE", "America/Santiago")
    return calendar


@pytest.fixture(scope="module")
def trip() -> Trip:
    return tripplan.load_trip(ROOT / "examples" / "santiago-customer-visit.yaml")


@pytest.fixture
def work_ics(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    path.write_bytes(work_feed().to_ical())
    return path


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with make_session(retries=2, backoff=0.01) as made:
        yield made


def trip_events(trip: Trip, calendar: icalendar.Calendar, **options: Any) -> list[BusyEvent]:
    start, end = resolve(trip).start, resolve(trip).end
    assert start is not None and end is not None
    return busy_events(calendar, start, end, default_zone=trip.home_zone, **options)


def summaries(calendar: icalendar.Calendar) -> set[str]:
    return {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


# --- reading -----------------------------------------------------------------------------------


def test_reads_a_path_and_a_file_url(work_ics: Path) -> None:
    expected = summaries(work_feed())
    assert summaries(read_calendar(str(work_ics))) == expected
    assert summaries(read_calendar(work_ics.as_uri())) == expected


def test_missing_file_is_a_feed_error(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.ics"
    with pytest.raises(FeedError, match="no such file") as caught:
        read_calendar(str(missing))
    assert str(missing) in str(caught.value)


def test_a_file_that_is_not_a_calendar(tmp_path: Path) -> None:
    path = tmp_path / "notes.ics"
    path.write_text("just some notes\n")
    with pytest.raises(FeedError, match="not an iCalendar file"):
        read_calendar(str(path))


def test_text_is_read_as_a_file_is(work_ics: Path) -> None:
    """``parse_calendar``: iCalendar text (as an assistant sends it) gives what the file gives,
    repairs X-WR-TIMEZONE, honours a window, and names the text in its errors."""
    data = work_ics.read_bytes()
    assert summaries(tripplan.parse_calendar(data)) == summaries(read_calendar(str(work_ics)))
    assert summaries(tripplan.parse_calendar(data.decode("utf-8"))) == summaries(work_feed())
    google = tripplan.parse_calendar(google_feed().to_ical())
    lunch = next(e for e in google.walk("VEVENT") if e["UID"] == "lunch@google")
    assert lunch.decoded("DTSTART").isoformat() == "2027-03-10T12:00:00-03:00"
    far = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC))
    windowed = summaries(tripplan.parse_calendar(data, window=far))
    assert windowed < summaries(work_feed())  # one-off events left out; series kept to expand
    with pytest.raises(FeedError, match=r"^pasted: not an iCalendar file"):
        tripplan.parse_calendar("hello", source="pasted")
    with pytest.raises(FeedError, match="byte limit"):
        tripplan.parse_calendar(b" " * (tripplan._feeds.FEED_MAX_BYTES + 1))


def test_reads_http_and_webcal(session: requests.Session, tmp_path: Path) -> None:
    body = work_feed().to_ical()
    with http_server() as server:
        server.script("/work.ics", Reply(200, body, {"Content-Type": "text/calendar"}))
        by_http = read_calendar(f"{server.url}/work.ics", session=session, cache_dir=tmp_path)
        webcal = f"webcal://{server.host}:{server.port}/work.ics"
        by_webcal = read_calendar(webcal, session=session, cache_dir=tmp_path, webcal_scheme="http")
        assert server.hits("/work.ics") == 2
        assert "text/calendar" in server.requests[0].headers["Accept"]
    assert summaries(by_http) == summaries(by_webcal) == summaries(work_feed())


def test_webcal_means_https(session: requests.Session, tmp_path: Path) -> None:
    with http_server() as server:
        server.script("/work.ics", Reply(200, work_feed().to_ical()))
        # An https request to a plain HTTP server fails the handshake: webcal was read as https.
        with pytest.raises(FeedError) as caught:
            read_calendar(
                f"webcal://{server.host}:{server.port}/work.ics",
                session=session,
                cache_dir=tmp_path,
            )
    assert str(caught.value).startswith(f"https://{server.host}:{server.port}/work.ics: ")


def test_retries_a_server_error(session: requests.Session, tmp_path: Path) -> None:
    with http_server() as server:
        server.script("/work.ics", Reply(500), Reply(200, work_feed().to_ical()))
        calendar = read_calendar(f"{server.url}/work.ics", session=session, cache_dir=tmp_path)
        assert server.hits("/work.ics") == 2
    assert summaries(calendar) == summaries(work_feed())


def test_server_down_names_the_url_without_credentials(tmp_path: Path) -> None:
    with http_server() as server:
        port = server.port
    url = f"http://ann:s3cret-pw@127.0.0.1:{port}/private/feed.ics?token=t0k3n"
    with make_session(retries=0) as session, pytest.raises(FeedError) as caught:
        read_calendar(url, session=session, cache_dir=tmp_path)
    message = str(caught.value)
    assert message.startswith(f"http://127.0.0.1:{port}/private/feed.ics?…: connection failed")
    assert "s3cret" not in message and "t0k3n" not in message and "ann" not in message
    assert "\n" not in message
    assert not list(tmp_path.iterdir())


class _Validating(ThreadingHTTPServer):
    """A feed server that answers 304 when the request's validators match, as servers do."""

    daemon_threads = False
    block_on_close = True
    etag = '"v1"'
    modified = "Mon, 01 Mar 2027 12:00:00 GMT"

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.seen: list[dict[str, str]] = []
        self.statuses: list[int] = []
        super().__init__(("127.0.0.1", 0), _ValidatingHandler)


class _ValidatingHandler(BaseHTTPRequestHandler):
    server: _Validating

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server
        server.seen.append(dict(self.headers.items()))
        fresh = self.headers.get("If-None-Match") == server.etag
        status = 304 if fresh else 200
        server.statuses.append(status)
        self.send_response(status)
        self.send_header("ETag", server.etag)
        self.send_header("Last-Modified", server.modified)
        self.send_header("Content-Length", "0" if fresh else str(len(server.body)))
        self.end_headers()
        if not fresh:
            self.wfile.write(server.body)


@pytest.fixture
def validating() -> Iterator[_Validating]:
    server = _Validating(work_feed().to_ical())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_unchanged_feed_comes_from_the_cache(
    validating: _Validating, session: requests.Session, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{validating.server_address[1]}/work.ics"
    first = read_calendar(url, session=session, cache_dir=tmp_path)
    second = read_calendar(url, session=session, cache_dir=tmp_path)
    assert validating.statuses == [200, 304]
    assert "If-None-Match" not in validating.seen[0]
    assert validating.seen[1]["If-None-Match"] == _Validating.etag
    assert validating.seen[1]["If-Modified-Since"] == _Validating.modified
    assert first.to_ical() == second.to_ical()
    assert summaries(second) == summaries(work_feed())
    # Another cache folder knows nothing: the full feed is sent again.
    read_calendar(url, session=session, cache_dir=tmp_path / "other")
    assert validating.statuses == [200, 304, 200]


def test_the_cache_entry_holds_no_secret(
    validating: _Validating, session: requests.Session, tmp_path: Path
) -> None:
    """One file per URL in the cache folder's ``feeds/``, named by a hash of the whole URL, its
    header naming the URL without the token; the body as it arrived."""
    url = f"http://127.0.0.1:{validating.server_address[1]}/work.ics?token=t0k3n"
    read_calendar(url, session=session, cache_dir=tmp_path)
    (entry,) = (tmp_path / "feeds").iterdir()
    assert entry.name == f"{hashlib.sha256(url.encode()).hexdigest()}.cache"
    head, _, body = entry.read_bytes().partition(b"\n")
    meta = json.loads(head)
    assert meta["url"] == f"http://127.0.0.1:{validating.server_address[1]}/work.ics?…"
    assert (meta["etag"], meta["last_modified"]) == (_Validating.etag, _Validating.modified)
    assert b"t0k3n" not in head and body == validating.body


def test_feed_errors_are_network_errors(tmp_path: Path) -> None:
    with pytest.raises(tripplan.NetworkError) as caught:
        read_calendar(str(tmp_path / "absent.ics"))
    assert isinstance(caught.value, FeedError)
    assert (caught.value.source, caught.value.reason) == (
        str(tmp_path / "absent.ics"),
        "no such file",
    )


def test_changed_feed_replaces_the_cache(
    validating: _Validating, session: requests.Session, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{validating.server_address[1]}/work.ics"
    read_calendar(url, session=session, cache_dir=tmp_path)
    validating.etag = '"v2"'
    validating.body = google_feed().to_ical()
    changed = read_calendar(url, session=session, cache_dir=tmp_path)
    again = read_calendar(url, session=session, cache_dir=tmp_path)
    assert validating.statuses == [200, 200, 304]
    assert summaries(changed) == summaries(again) == {"Lunch with Sofía", "Drinks"}


# --- expanding ---------------------------------------------------------------------------------


def test_expands_recurrences_with_exceptions() -> None:
    events = busy_events(work_feed(), ny(2027, 2, 15, 0), ny(2027, 3, 25, 0))
    sync = [(e.summary, e.start) for e in events if e.uid == "weekly-sync"]
    assert sync == [
        ("Weekly sync", ny(2027, 2, 17, 9, 30)),
        # 24 February is excluded; 3 March moved to the 4th.
        ("Weekly sync (moved)", ny(2027, 3, 4, 13)),
        ("Weekly sync", ny(2027, 3, 10, 9, 30)),
        ("Weekly sync", ny(2027, 3, 17, 9, 30)),
        ("Weekly sync", ny(2027, 3, 24, 9, 30)),
    ]
    staff = [e.start for e in events if e.uid == "staff-meeting"]
    assert staff == [ny(2027, 3, 3, 10), ny(2027, 3, 17, 10), ny(2027, 3, 24, 10)]
    one = [e.start for e in events if e.uid == "one-on-one"]
    assert one == [ny(2027, 3, 2, 10), ny(2027, 3, 9, 16), ny(2027, 3, 16, 10)]
    assert all(e.end - e.start == timedelta(minutes=30) for e in events if e.uid == "weekly-sync")


def test_window_is_half_open() -> None:
    events = busy_events(work_feed(), ny(2027, 3, 10, 10), ny(2027, 3, 13, 9))
    uids = [e.uid for e in events]
    assert "weekly-sync" not in uids  # ends at 10:00, when the window opens
    assert "review" not in uids  # starts at 09:00 on the 13th, when the window closes
    assert "call" in uids


def test_all_day_and_transparent_only_when_asked() -> None:
    window = (ny(2027, 3, 9, 0), ny(2027, 3, 11, 0))
    plain = {e.uid for e in busy_events(work_feed(), *window, default_zone=NY)}
    assert "holiday" not in plain and "focus" not in plain
    everything = busy_events(
        work_feed(), *window, include_all_day=True, include_transparent=True, default_zone=NY
    )
    holiday = next(e for e in everything if e.uid == "holiday")
    assert holiday.all_day and not holiday.transparent
    assert (holiday.start, holiday.end) == (ny(2027, 3, 10, 0), ny(2027, 3, 11, 0))
    focus = next(e for e in everything if e.uid == "focus")
    assert focus.transparent and not focus.all_day


def test_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        busy_events(work_feed(), datetime(2027, 3, 9), datetime(2027, 3, 10))


def test_google_feed_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "google.ics"
    path.write_bytes(google_feed().to_ical())
    raw = icalendar.Calendar.from_ical(path.read_bytes())
    assert next(iter(raw.walk("VEVENT"))).decoded("DTSTART").tzinfo is None
    repaired = read_calendar(str(path))
    starts = {str(e["UID"]): e.decoded("DTSTART") for e in repaired.walk("VEVENT")}
    assert starts == {
        "lunch@google": datetime(2027, 3, 10, 12, tzinfo=SCL),
        "drinks@google": datetime(2027, 3, 10, 20, tzinfo=SCL),
    }
    assert all(str(start.tzinfo) == "America/Santiago" for start in starts.values())
    window = (ny(2027, 3, 9, 0), ny(2027, 3, 12, 0))
    events = busy_events(repaired, *window, default_zone=NY, source="google")
    lunch, drinks = events
    assert lunch.start == datetime(2027, 3, 10, 12, tzinfo=SCL)
    assert lunch.start.utcoffset() == timedelta(hours=-3)
    assert drinks.start == datetime(2027, 3, 10, 20, tzinfo=SCL)
    assert str(drinks.start.tzinfo) == "America/Santiago"
    assert lunch.source == drinks.source == "google"


def test_unknown_x_wr_timezone(tmp_path: Path) -> None:
    calendar = google_feed()
    calendar["X-WR-TIMEZONE"] = "Mars/Olympus_Mons"
    path = tmp_path / "mars.ics"
    path.write_bytes(calendar.to_ical())
    with pytest.raises(FeedError, match="unknown X-WR-TIMEZONE 'Mars/Olympus_Mons'"):
        read_calendar(str(path))


# --- conflicts ---------------------------------------------------------------------------------


def test_conflicts_on_the_reference_trip(trip: Trip) -> None:
    found = find_conflicts(trip, trip_events(trip, work_feed()))
    assert [(c.item_id, c.event_uid) for c in found] == [
        (CEO_MEETING, "weekly-sync"),
        (FLIGHT_HOME, "review"),
    ]
    ceo = found[0]
    assert ceo.event_start == datetime(2027, 3, 10, 11, 30, tzinfo=SCL)
    assert ceo.event_end == datetime(2027, 3, 10, 12, tzinfo=SCL)
    assert str(ceo.event_start.tzinfo) == str(ceo.item_start.tzinfo) == "America/Santiago"
    assert (ceo.item_start, ceo.item_end) == (
        datetime(2027, 3, 10, 11, tzinfo=SCL),
        datetime(2027, 3, 10, 12, 30, tzinfo=SCL),
    )
    assert ceo.message == (
        "'Weekly sync' on the traveller's calendar (Wed 2027-03-10 11:30–12:00 -03) overlaps "
        "'The future of collaboration and productivity' (Wed 2027-03-10 11:00–12:30 -03); "
        "decline or move one of them"
    )
    finding = ceo.to_finding()
    assert (finding.code, finding.severity) == ("calendar-conflict", Severity.WARNING)
    assert finding.items == (CEO_MEETING,) and finding.paths == ("items[6]",)
    assert finding.at == datetime(2027, 3, 10, 14, 30, tzinfo=UTC)
    assert str(finding).startswith("warning[calendar-conflict] items[6]: 'Weekly sync'")
    flight = found[1].to_finding()
    assert flight.severity == Severity.ERROR
    assert flight.message.endswith("; the traveller is in the air")
    assert found[1].event_start == ny(2027, 3, 13, 9)


def test_all_day_and_transparent_conflicts_only_when_asked(trip: Trip) -> None:
    with_all_day = find_conflicts(trip, trip_events(trip, work_feed(), include_all_day=True))
    assert [(c.item_id, c.event_uid) for c in with_all_day] == [
        (CEO_MEETING, "holiday"),
        (CEO_MEETING, "weekly-sync"),
        (DINNER, "holiday"),
        (FLIGHT_HOME, "review"),
    ]
    holiday = with_all_day[0]
    assert holiday.event_start == datetime(2027, 3, 10, 2, tzinfo=SCL)  # midnight in New York
    with_free = find_conflicts(trip, trip_events(trip, work_feed(), include_transparent=True))
    assert [(c.item_id, c.event_uid) for c in with_free] == [
        (IT_DAY, "focus"),
        (CEO_MEETING, "weekly-sync"),
        (FLIGHT_HOME, "review"),
    ]


def test_google_feed_conflicts(trip: Trip, tmp_path: Path) -> None:
    path = tmp_path / "google.ics"
    path.write_bytes(google_feed().to_ical())
    found = find_conflicts(trip, trip_events(trip, read_calendar(str(path))))
    assert [(c.item_id, c.event_summary) for c in found] == [
        (CEO_MEETING, "Lunch with Sofía"),
        (DINNER, "Drinks"),
    ]
    assert found[1].event_start == datetime(2027, 3, 10, 20, tzinfo=SCL)


def test_stays_and_cancelled_items_do_not_conflict(trip: Trip, tmp_path: Path) -> None:
    # During the hotel stay but outside every other item: conflicts with nothing.
    quiet = BusyEvent(
        "q", "Quiet", datetime(2027, 3, 11, 9, tzinfo=SCL), datetime(2027, 3, 11, 10, tzinfo=SCL)
    )
    assert find_conflicts(trip, [quiet]) == []
    ceo = resolve(trip)[CEO_MEETING]
    clash = BusyEvent("c", "Clash", ceo.start, ceo.end)
    assert [c.item_id for c in find_conflicts(trip, [clash])] == [CEO_MEETING]
    text = (ROOT / "examples" / "santiago-customer-visit.yaml").read_text()
    marker = "    online: https://meet.northwind.example/j/cordillera-vision\n"
    assert marker in text
    path = tmp_path / "cancelled.yaml"
    path.write_text(text.replace(marker, "    status: cancelled\n" + marker))
    cancelled = tripplan.load_trip(path)
    assert resolve(cancelled)[CEO_MEETING].item.status == "cancelled"
    assert find_conflicts(cancelled, [clash]) == []


# --- free slots --------------------------------------------------------------------------------


def test_free_day_without_events(trip: Trip) -> None:
    slots = free_slots(trip, [], date(2027, 3, 11), timedelta(hours=1))
    assert slots == [(datetime(2027, 3, 11, 8, tzinfo=SCL), datetime(2027, 3, 11, 19, tzinfo=SCL))]
    assert str(slots[0][0].tzinfo) == "America/Santiago"


def test_free_day_with_events(trip: Trip) -> None:
    events = trip_events(trip, work_feed())
    slots = free_slots(trip, events, date(2027, 3, 11), timedelta(hours=1))
    # The customer call is 09:00-10:30 in New York (11:00-12:30 here); the half-hour gap before
    # the 13:00 check-in is too short.
    assert slots == [
        (datetime(2027, 3, 11, 8, tzinfo=SCL), datetime(2027, 3, 11, 11, tzinfo=SCL)),
        (datetime(2027, 3, 11, 13, 30, tzinfo=SCL), datetime(2027, 3, 11, 19, tzinfo=SCL)),
    ]
    shorter = free_slots(trip, events, date(2027, 3, 11), timedelta(minutes=30))
    assert (
        datetime(2027, 3, 11, 12, 30, tzinfo=SCL),
        datetime(2027, 3, 11, 13, tzinfo=SCL),
    ) in shorter


def test_free_slots_around_trip_items(trip: Trip) -> None:
    # 10 March: the CEO meeting 11:00-12:30 and dinner at 20:30, after hours.
    slots = free_slots(trip, [], date(2027, 3, 10), timedelta(hours=1))
    assert slots == [
        (datetime(2027, 3, 10, 8, tzinfo=SCL), datetime(2027, 3, 10, 11, tzinfo=SCL)),
        (datetime(2027, 3, 10, 12, 30, tzinfo=SCL), datetime(2027, 3, 10, 19, tzinfo=SCL)),
    ]
    # 8 March: landed in Santiago at 09:05, the transfer 10:15-11:15, the partner meeting at 18:00.
    arrival = free_slots(trip, [], date(2027, 3, 8), timedelta(hours=1), hours=(time(7), time(20)))
    assert arrival == [
        (datetime(2027, 3, 8, 9, 5, tzinfo=SCL), datetime(2027, 3, 8, 10, 15, tzinfo=SCL)),
        (datetime(2027, 3, 8, 11, 15, tzinfo=SCL), datetime(2027, 3, 8, 18, tzinfo=SCL)),
    ]


def test_free_slots_before_the_trip_are_at_home(trip: Trip) -> None:
    slots = free_slots(trip, [], date(2027, 3, 1), timedelta(hours=2))
    assert slots == [(ny(2027, 3, 1, 8), ny(2027, 3, 1, 19))]
    with pytest.raises(ValueError, match="business hours"):
        free_slots(trip, [], date(2027, 3, 1), timedelta(hours=1), hours=(time(19), time(8)))


# --- bounded: the window, the rules, the counts ------------------------------------------------

TRIP_WINDOW = (datetime(2027, 3, 7, tzinfo=UTC), datetime(2027, 3, 14, tzinfo=UTC))


def years_of_history() -> icalendar.Calendar:
    """Five years of one-off events (two a day), a weekly series since 2022 and a moved
    occurrence of it, an all-day event, one given as a DURATION, one with a folded DTSTART
    line: what a real office calendar holds, most of it far from the trip."""
    events = []
    day = date(2023, 1, 1)
    while day < date(2028, 1, 1):
        for hour in (9, 15):
            start = datetime.combine(day, time(hour), tzinfo=NY)
            events.append(
                icalendar.Event.new(
                    uid=f"{day:%Y%m%d}-{hour}@history",
                    summary=f"Meeting {day} {hour}",
                    start=start,
                    end=start + timedelta(minutes=45),
                )
            )
        day += timedelta(days=1)
    weekly = icalendar.Event.new(
        uid="weekly@history", summary="Weekly", start=ny(2022, 1, 5, 11), end=ny(2022, 1, 5, 12)
    )
    weekly.add("RRULE", {"FREQ": "WEEKLY"})
    moved = icalendar.Event.new(
        uid="weekly@history",
        summary="Weekly (moved)",
        recurrence_id=ny(2027, 3, 10, 11),
        start=ny(2027, 3, 11, 16),
        end=ny(2027, 3, 11, 17),
    )
    holiday = icalendar.Event.new(
        uid="holiday@history", summary="Holiday", start=date(2027, 3, 12), end=date(2027, 3, 13)
    )
    offsite = icalendar.Event.new(uid="offsite@history", summary="Offsite", start=ny(2027, 3, 8, 8))
    offsite.add("DURATION", timedelta(days=2))
    calendar = icalendar.Calendar.new(
        prodid="-//tripplan tests//history//EN",
        subcomponents=[*events, weekly, moved, holiday, offsite],
    )
    calendar.add_missing_timezones()
    return calendar


def folded(data: bytes) -> bytes:
    """``data`` with every DTSTART line folded after its name, as some servers fold."""
    return data.replace(b"\r\nDTSTART;", b"\r\nDTSTART\r\n ;").replace(
        b"\r\nDTEND:", b"\r\nDTE\r\n\tND:"
    )


def plain(events: list[BusyEvent]) -> list[tuple[str, str, datetime, datetime]]:
    return [(e.uid, e.summary, e.start_utc, e.end_utc) for e in events]


@pytest.mark.parametrize("fold", [False, True], ids=["plain", "folded"])
def test_a_window_leaves_out_events_before_they_are_parsed(tmp_path: Path, fold: bool) -> None:
    data = years_of_history().to_ical()
    path = tmp_path / "history.ics"
    path.write_bytes(folded(data) if fold else data)

    whole = read_calendar(str(path))
    windowed = read_calendar(str(path), window=TRIP_WINDOW)

    assert len(whole.walk("VEVENT")) == 3656
    # The days of the window and its margin, the series, its moved occurrence, the rest.
    assert 20 <= len(windowed.walk("VEVENT")) <= 40
    options: dict[str, Any] = {"include_all_day": True, "default_zone": NY}
    expected = busy_events(whole, *TRIP_WINDOW, **options)
    assert plain(busy_events(windowed, *TRIP_WINDOW, **options)) == plain(expected)
    summaries_found = {e.summary for e in expected}
    # Wednesday 10 March's weekly meeting was moved to the 11th: only the moved one is there.
    assert {"Weekly (moved)", "Holiday", "Offsite"} <= summaries_found
    assert "Weekly" not in summaries_found
    assert "Meeting 2027-03-07 9" in summaries_found  # 14:00 UTC, inside the window
    assert "Meeting 2027-03-14 9" not in summaries_found


def test_the_window_is_kept_for_a_feed_over_http_and_from_the_cache(
    validating: _Validating, session: requests.Session, tmp_path: Path
) -> None:
    validating.body = years_of_history().to_ical()
    url = f"http://127.0.0.1:{validating.server_address[1]}/history.ics"
    first = read_calendar(url, session=session, cache_dir=tmp_path, window=TRIP_WINDOW)
    again = read_calendar(url, session=session, cache_dir=tmp_path, window=TRIP_WINDOW)
    everything = read_calendar(url, session=session, cache_dir=tmp_path)
    assert validating.statuses == [200, 304, 304]
    assert len(first.walk("VEVENT")) == len(again.walk("VEVENT")) < 40
    assert len(everything.walk("VEVENT")) == 3656  # the cache holds the feed whole


def test_a_naive_window_is_refused(work_ics: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        read_calendar(str(work_ics), window=(datetime(2027, 3, 7), datetime(2027, 3, 14)))


SCANNED = {
    # What the first pass keeps of one event, for a window of 7-14 March 2027.
    "far before": (b"DTSTART:20200101T090000Z\r\nDTEND:20200101T100000Z\r\n", False),
    "far after": (b"DTSTART;VALUE=DATE:20300101\r\n", False),
    "inside": (
        b"DTSTART;TZID=America/New_York:20270310T090000\r\nDTEND;TZID=X:20270310T1000\r\n",
        True,
    ),
    "long before, lasting into it": (b"DTSTART:20270101T000000Z\r\nDURATION:P70D\r\n", True),
    "recurring": (b"DTSTART:20000101T000000Z\r\nRRULE:FREQ=SECONDLY\r\n", True),
    "an occurrence": (b"RECURRENCE-ID:20200101T090000Z\r\nDTSTART:20200101T090000Z\r\n", True),
    "unreadable start": (b"DTSTART:yesterday\r\n", True),
    "no start": (b"SUMMARY:what\r\n", True),
    "negative duration": (b"DTSTART:20200101T000000Z\r\nDURATION:-P1D\r\n", True),
    "just within the margin": (b"DTSTART:20270305T000000Z\r\nDTEND:20270305T010000Z\r\n", True),
}


@pytest.mark.parametrize(("lines", "kept"), SCANNED.values(), ids=SCANNED.keys())
def test_the_first_pass_keeps_what_it_cannot_judge(lines: bytes, kept: bool) -> None:
    event = b"BEGIN:VEVENT\r\nUID:x\r\n" + lines + b"BEGIN:VALARM\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + event + b"END:VCALENDAR\r\n"
    result = events_within(data, date(2027, 3, 7), date(2027, 3, 14))
    assert (event in result) is kept
    assert result.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert result.endswith(b"END:VCALENDAR\r\n")


def test_the_first_pass_is_linear_over_unbalanced_events() -> None:
    """BEGIN:VEVENT after BEGIN:VEVENT without an END: the scan neither stalls nor drops the
    unbalanced text (the parser says what is wrong with it)."""
    broken = b"BEGIN:VEVENT\r\nDTSTART:20200101T000000Z\r\n" * 50_000
    closed = b"BEGIN:VEVENT\r\nDTSTART:20200101T000000Z\r\nEND:VEVENT\r\n"
    data = b"BEGIN:VCALENDAR\r\n" + broken + closed + b"END:VCALENDAR\r\n"
    result = events_within(data, date(2027, 3, 7), date(2027, 3, 14))
    assert result == b"BEGIN:VCALENDAR\r\n" + broken + b"END:VCALENDAR\r\n"


EVERY_SECOND = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tripplan tests//runaway//EN\r
BEGIN:VEVENT\r
UID:every-second@runaway\r
DTSTAMP:20000101T000000Z\r
DTSTART:20000101T000000Z\r
DTEND:20000101T000001Z\r
RRULE:FREQ=SECONDLY\r
SUMMARY:Every second\r
END:VEVENT\r
END:VCALENDAR\r
"""

_READ_THE_TRIP_WINDOW = """
import sys
from datetime import UTC, datetime
from tripplan import FeedError, busy_events, read_calendar
window = (datetime(2027, 3, 7, tzinfo=UTC), datetime(2027, 3, 14, tzinfo=UTC))
try:
    busy_events(read_calendar(sys.argv[1], window=window), *window, source=sys.argv[1])
except FeedError as error:
    print(error)
"""


def test_an_event_every_second_since_2000_is_a_feed_error_not_a_hang(tmp_path: Path) -> None:
    """A 300-byte feed whose one event recurs every second with no end: expanding it up to a
    trip in 2027 would take 858 million steps. It is refused from its rule, at once. (Run in a
    child process, so that were it to hang again the test fails instead of the suite hanging.)
    """
    path = tmp_path / "runaway.ics"
    path.write_bytes(EVERY_SECOND)
    assert len(EVERY_SECOND) < 320
    run = subprocess.run(
        [sys.executable, "-c", _READ_THE_TRIP_WINDOW, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        f"{path}: event 'Every second' (UID every-second@runaway) recurs SECONDLY from "
        "2000-01-01 00:00 UTC: expanding it up to 2027-03-15 takes about 858,384,001 steps, "
        f"over the {MAX_REPETITIONS:,} tripplan takes for one event"
    )


def every(freq: str, start: datetime, **rule: Any) -> icalendar.Calendar:
    event = icalendar.Event.new(
        uid=f"{freq.lower()}@bounds", summary=freq.title(), start=start, end=start
    )
    event.add("RRULE", {"FREQ": freq, **rule})
    return icalendar.Calendar.new(prodid="-//tripplan tests//bounds//EN", subcomponents=[event])


def test_more_occurrences_than_the_cap_is_a_feed_error() -> None:
    # Every minute of the week of the trip: 10,080 occurrences, over the 10,000 read per feed.
    minutely = every("MINUTELY", TRIP_WINDOW[0])
    with pytest.raises(FeedError, match="more than 10,000 occurrences") as caught:
        busy_events(minutely, *TRIP_WINDOW, source="https://cal.example/f.ics?token=t0k3n")
    assert str(caught.value).startswith("https://cal.example/f.ics?…: ")
    # Ten a day since January, and a count that stops it: well within bounds.
    capped = every("MINUTELY", datetime(2027, 1, 1, 9, tzinfo=UTC), COUNT=10)
    assert busy_events(capped, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ({"FREQ": "DAILY"}, datetime(1900, 1, 1, 9, tzinfo=UTC)),
        ({"FREQ": "WEEKLY", "BYDAY": ["MO", "TU", "WE", "TH", "FR"]}, datetime(1990, 1, 1, 9)),
        ({"FREQ": "MONTHLY", "BYDAY": ["-1FR"]}, datetime(1970, 1, 30, 9, tzinfo=UTC)),
        ({"FREQ": "YEARLY", "BYMONTH": [3], "BYDAY": ["2MO"]}, datetime(1950, 3, 13, 9)),
        ({"FREQ": "HOURLY", "INTERVAL": 8}, datetime(2010, 1, 1, tzinfo=UTC)),
    ],
    ids=["daily-since-1900", "weekdays-since-1990", "monthly", "yearly", "every-8-hours"],
)
def test_ordinary_rules_are_within_bounds(rule: dict[str, Any], start: datetime) -> None:
    freq = rule.pop("FREQ")
    events = busy_events(every(freq, start, **rule), *TRIP_WINDOW, default_zone=NY)
    assert events or freq in ("MONTHLY", "YEARLY")


def test_the_time_spent_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock is checked after each recurring event; a budget already spent stops there."""
    monkeypatch.setattr(tripplan._feed_expand, "EXPAND_SECONDS", -1.0)
    with pytest.raises(FeedError, match=r"took more than -1 s; stopped"):
        busy_events(work_feed(), ny(2027, 2, 15, 0), ny(2027, 3, 25, 0), source="work")


def test_an_event_that_cannot_be_read_is_a_feed_error_that_names_it() -> None:
    data = EVERY_SECOND.replace(b"DTSTART:20000101T000000Z", b"DTSTART:someday").replace(
        b"RRULE:FREQ=SECONDLY\r\n", b""
    )
    calendar = icalendar.Calendar.from_ical(data)
    with pytest.raises(FeedError) as caught:
        busy_events(calendar, *TRIP_WINDOW, source="f.ics")
    assert str(caught.value) == (
        "f.ics: event 'Every second' (UID every-second@runaway) has no usable DTSTART ('someday')"
    )
    bad_rule = icalendar.Calendar.from_ical(
        EVERY_SECOND.replace(b"FREQ=SECONDLY", b"FREQ=FORTNIGHTLY")
    )
    with pytest.raises(FeedError, match=r"has an RRULE that cannot be read \(FREQ=FORTNIGHTLY\)"):
        busy_events(bad_rule, *TRIP_WINDOW, source="f.ics")
    # A rule icalendar reads but dateutil refuses (BYSETPOS=0 is not a position).
    refused = icalendar.Calendar.from_ical(
        EVERY_SECOND.replace(b"FREQ=SECONDLY", b"FREQ=DAILY;BYSETPOS=0")
    )
    with pytest.raises(FeedError, match=r"'Every second' .* cannot be expanded: "):
        busy_events(refused, *TRIP_WINDOW, source="f.ics")
