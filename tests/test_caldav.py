"""Publishing the traveller's calendar to a real CalDAV server (Radicale on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import requests
from icalendar import Calendar, Event

from tripplan import (
    CalDAVError,
    NetworkError,
    PublishReport,
    Trip,
    load_trip,
    publish_calendar,
    resolve,
)
from tripplan._caldav import PASSWORD_ENV, USERNAME_ENV
from tripplan._caldav_resources import resource_name
from tripplan._http import make_session

from ._radicale import RadicaleServer
from .support import EXAMPLES, build_trip

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2027, 2, 2, 8, 30, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with make_session(retries=0) as session:
        yield session


@pytest.fixture
def collection(radicale_server: RadicaleServer) -> str:
    return radicale_server.make_calendar()


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the environment nor the user's netrc may supply credentials to these tests."""
    monkeypatch.delenv(USERNAME_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def listing(server: RadicaleServer, url: str) -> dict[str, tuple[str, bytes]]:
    """Every resource of the collection: its path -> (ETag, body as the server serves it)."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
    )
    response = server.request(
        "PROPFIND",
        url,
        sent=body,
        headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
        expected=lambda status: status == 207,
    )
    found: dict[str, tuple[str, bytes]] = {}
    for answer in ElementTree.fromstring(response.content).iter("{DAV:}response"):
        href = unquote(answer.findtext("{DAV:}href", ""))
        etag = answer.findtext(".//{DAV:}getetag")
        if etag is None or href.rstrip("/") == urlsplit(url).path.rstrip("/"):
            continue
        found[href] = (etag, server.request("GET", urljoin(url, href)).content)
    return found


def events(found: dict[str, tuple[str, bytes]]) -> dict[str, Event]:
    """The VEVENT of each listed resource, by UID."""
    result: dict[str, Event] = {}
    for _, body in found.values():
        (event,) = Calendar.from_ical(body).walk("VEVENT")
        assert isinstance(event, Event)
        result[str(event["UID"])] = event
    return result


def by_summary(found: dict[str, tuple[str, bytes]], summary: str) -> str:
    (uid,) = [uid for uid, e in events(found).items() if str(e["SUMMARY"]) == summary]
    return uid


def revised(trip: Trip, change: Any) -> Trip:
    """``trip`` after ``change`` edited its file's data."""
    data = trip.model_dump(by_alias=True, mode="json", exclude_unset=True)
    change(data)
    return Trip.model_validate(data)


def move_meeting_and_drop_transfer(data: dict[str, Any]) -> None:
    (meeting,) = [i for i in data["items"] if i.get("title") == "CEO meeting"]
    meeting["start"], meeting["end"] = "2027-03-09 15:00", "2027-03-09 16:30"
    data["items"] = [i for i in data["items"] if i["type"] != "transfer"]


def test_first_publish_creates_one_resource_per_event(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    trip = build_trip()
    auth = (radicale_server.username, radicale_server.password)
    report = publish_calendar(
        trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW
    )

    assert len(report.created) == len(resolve(trip)) == 5
    assert (report.updated, report.deleted, report.unchanged, report.conflicts) == ((),) * 4
    found = listing(radicale_server, collection)
    assert sorted(events(found)) == sorted(report.created)
    expected = {urlsplit(urljoin(collection, resource_name(uid))).path for uid in report.created}
    assert set(found) == expected
    for _, body in found.values():
        calendar = Calendar.from_ical(body)
        assert "METHOD" not in calendar
        assert str(calendar["VERSION"]) == "2.0"
        (event,) = calendar.walk("VEVENT")
        used = {str(event[k].params.get("TZID")) for k in ("DTSTART", "DTEND")} - {"None"}
        assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == used
    assert report.lines()[0].endswith("5 created, 0 updated, 0 deleted, 0 unchanged, 0 conflicts")
    assert radicale_server.password not in "\n".join(report.lines())
    (state,) = tmp_path.iterdir()
    recorded = json.loads(state.read_text("utf-8"))["resources"]
    assert sorted(recorded) == sorted(report.created)
    assert {r["href"] for r in recorded.values()} == set(found)
    assert {r["etag"] for r in recorded.values()} == {etag for etag, _ in found.values()}
    assert radicale_server.password not in state.read_text("utf-8")


def test_republishing_unchanged_changes_nothing(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    trip = build_trip()
    auth = (radicale_server.username, radicale_server.password)
    first = publish_calendar(
        trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW
    )
    before = listing(radicale_server, collection)

    # A new DTSTAMP is not a change.
    again = publish_calendar(
        trip, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
    )

    assert sorted(again.unchanged) == sorted(first.created)
    assert (again.created, again.updated, again.deleted, again.conflicts) == ((),) * 4
    assert not again.changed
    assert listing(radicale_server, collection) == before


def test_a_revision_updates_and_deletes(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    trip = build_trip()
    auth = (radicale_server.username, radicale_server.password)
    publish_calendar(trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW)
    before = listing(radicale_server, collection)
    meeting = by_summary(before, "CEO meeting")
    (transfer,) = [uid for uid, e in events(before).items() if "Transfer" in e.categories]

    report = publish_calendar(
        revised(trip, move_meeting_and_drop_transfer),
        collection,
        session=session,
        auth=auth,
        state_dir=tmp_path,
        now=LATER,
    )

    assert report.updated == (meeting,)
    assert report.deleted == (transfer,)
    assert len(report.unchanged) == 3
    assert (report.created, report.conflicts) == ((), ())
    after = listing(radicale_server, collection)
    assert sorted(events(after)) == sorted(set(events(before)) - {transfer})
    start = events(after)[meeting].DTSTART
    assert (start.hour, start.minute, str(start.tzinfo)) == (15, 0, "America/Santiago")
    changed = urlsplit(urljoin(collection, resource_name(meeting))).path
    assert after[changed][0] != before[changed][0]
    assert {h: v for h, v in after.items() if h != changed} == {
        h: v for h, v in before.items() if h in after and h != changed
    }


def test_a_concurrent_edit_is_a_conflict_until_forced(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    trip = build_trip()
    auth = (radicale_server.username, radicale_server.password)
    publish_calendar(trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW)
    meeting = by_summary(listing(radicale_server, collection), "CEO meeting")
    url = urljoin(collection, resource_name(meeting))

    # Another client renames the meeting on the server.
    answer = radicale_server.request("GET", url)
    theirs = Calendar.from_ical(answer.content)
    (event,) = theirs.walk("VEVENT")
    event["SUMMARY"] = "CEO meeting (moved to the boardroom)"
    radicale_server.request(
        "PUT",
        url,
        sent=theirs.to_ical(),
        headers={"Content-Type": "text/calendar", "If-Match": answer.headers["ETag"]},
    )
    their_copy = listing(radicale_server, collection)[urlsplit(url).path]

    revision = revised(trip, move_meeting_and_drop_transfer)
    report = publish_calendar(
        revision, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
    )

    assert report.conflicts == (meeting,)
    assert meeting not in report.updated
    assert len(report.deleted) == 1  # the rest of the revision still went through
    assert listing(radicale_server, collection)[urlsplit(url).path] == their_copy
    assert any(meeting in line and "force" in line for line in report.lines()[1:])

    # Still a conflict next time: the server's copy is not taken as published.
    again = publish_calendar(
        revision, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
    )
    assert again.conflicts == (meeting,)
    assert not again.changed

    forced = publish_calendar(
        revision,
        collection,
        session=session,
        auth=auth,
        state_dir=tmp_path,
        now=LATER,
        force=True,
    )
    assert forced.updated == (meeting,)
    assert forced.conflicts == ()
    ours = events(listing(radicale_server, collection))[meeting]
    assert str(ours["SUMMARY"]) == "CEO meeting"
    assert (ours.DTSTART.hour, ours.DTSTART.minute) == (15, 0)

    after_force = publish_calendar(
        revision, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
    )
    assert meeting in after_force.unchanged
    assert after_force.conflicts == ()


def test_the_reference_example_publishes_and_republishes(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    trip = load_trip(EXAMPLES / "santiago-customer-visit.yaml")
    auth = (radicale_server.username, radicale_server.password)
    first = publish_calendar(
        trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW
    )
    before = listing(radicale_server, collection)
    again = publish_calendar(trip, collection, session=session, auth=auth, state_dir=tmp_path)

    assert len(first.created) == len(before) > 5
    assert sorted(again.unchanged) == sorted(first.created)
    assert not again.changed and again.conflicts == ()
    assert listing(radicale_server, collection) == before


def test_wrong_credentials_are_one_clear_error(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    wrong = "not-the-password-" + radicale_server.password[:4]
    with pytest.raises(CalDAVError) as caught:
        publish_calendar(
            build_trip(),
            collection,
            session=session,
            auth=(radicale_server.username, wrong),
            state_dir=tmp_path,
        )
    message = str(caught.value)
    assert caught.value.status == 401
    assert message.startswith(collection)
    assert "credentials" in message
    assert wrong not in message
    assert radicale_server.password not in message
    assert listing(radicale_server, collection) == {}


def test_credentials_from_the_environment(
    radicale_server: RadicaleServer,
    collection: str,
    session: requests.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(USERNAME_ENV, radicale_server.username)
    monkeypatch.setenv(PASSWORD_ENV, radicale_server.password)
    report = publish_calendar(
        build_trip(), collection, session=session, state_dir=tmp_path, now=NOW
    )
    assert len(report.created) == 5


def test_credentials_from_netrc(
    radicale_server: RadicaleServer,
    collection: str,
    session: requests.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(
        f"machine {urlsplit(collection).hostname} "
        f"login {radicale_server.username} password {radicale_server.password}\n"
    )
    monkeypatch.setenv("NETRC", str(netrc))
    state = tmp_path / "state"
    report = publish_calendar(build_trip(), collection, session=session, state_dir=state, now=NOW)
    assert len(report.created) == 5


def test_half_set_credentials_are_refused_before_any_request(tmp_path: Path) -> None:
    # Were a request made, the unresolvable host would fail it differently.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(USERNAME_ENV, "dana")
        with pytest.raises(CalDAVError) as caught:
            publish_calendar(build_trip(), "https://dav.invalid/cal/", state_dir=tmp_path)
    assert str(caught.value) == (
        f"https://dav.invalid/cal/: {USERNAME_ENV} is set but {PASSWORD_ENV} is not: "
        "set both, or neither"
    )


def test_an_unreachable_server_is_a_caldav_error(session: requests.Session, tmp_path: Path) -> None:
    with socket.socket() as holder:  # bound, not listening: connections are refused
        holder.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{holder.getsockname()[1]}/cal/"
        with pytest.raises(CalDAVError) as caught:
            publish_calendar(
                build_trip(), url, session=session, auth=("dana", "pw"), state_dir=tmp_path
            )
    assert isinstance(caught.value, NetworkError)
    assert caught.value.source == url and caught.value.status is None
    assert caught.value.reason.startswith("connection failed")
    assert list(tmp_path.iterdir()) == []


def test_no_credentials_says_where_to_put_them(
    collection: str, session: requests.Session, tmp_path: Path
) -> None:
    with pytest.raises(CalDAVError, match=USERNAME_ENV) as caught:
        publish_calendar(build_trip(), collection, session=session, state_dir=tmp_path)
    assert caught.value.status == 401


def test_credentials_in_the_url_are_refused(
    radicale_server: RadicaleServer, collection: str, session: requests.Session, tmp_path: Path
) -> None:
    parts = urlsplit(collection)
    secret = radicale_server.password
    with_password = parts._replace(
        netloc=f"{radicale_server.username}:{secret}@{parts.netloc}"
    ).geturl()
    with pytest.raises(CalDAVError, match="credentials in the URL are refused") as caught:
        publish_calendar(build_trip(), with_password, session=session, state_dir=tmp_path)
    assert secret not in str(caught.value)
    assert caught.value.url == collection
    assert list(tmp_path.iterdir()) == []


def test_plain_http_is_refused_beyond_this_machine(tmp_path: Path) -> None:
    with pytest.raises(CalDAVError, match="use https"):
        publish_calendar(build_trip(), "http://calendar.example/dav/trip/", state_dir=tmp_path)


def test_report_lines() -> None:
    report = PublishReport(
        collection="https://dav.example/cal/",
        created=("a",),
        conflicts=("b",),
        hrefs={"b": "/cal/b.ics"},
    )
    assert report.lines() == [
        "https://dav.example/cal/: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 conflict",
        "conflict: /cal/b.ics (UID b) was changed on the server since the last publish; "
        "left as it is there (publish with force to overwrite it)",
    ]
    assert report.changed
