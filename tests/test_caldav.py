"""Publishing the traveller's calendar to real CalDAV servers on 127.0.0.1: Radicale, and
Xandikos where two servers' ways differ (how they store, what their ETags are)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import requests
from filelock import FileLock
from icalendar import Calendar, Event, vDDDTypes

import tripplan._caldav_state
from tripplan import (
    CalDAVError,
    NetworkError,
    PublishReport,
    Trip,
    build_calendar,
    load_trip,
    publish_calendar,
    resolve,
)
from tripplan._caldav import PASSWORD_ENV, USERNAME_ENV
from tripplan._caldav_resources import resource_name
from tripplan._http import make_session

from ._http_server import forwarding_server
from ._radicale import RadicaleServer
from ._xandikos import XandikosServer, xandikos_fixture
from .support import EXAMPLES, build_trip

xandikos_server = xandikos_fixture()

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


Requester = RadicaleServer | XandikosServer


def listing(server: Requester, url: str) -> dict[str, tuple[str, bytes]]:
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
    (state,) = tmp_path.glob("*.json")
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
    assert list(tmp_path.glob("*.json")) == []  # no state recorded (the lock file may stay)


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


# --- two servers, and publishes that meet ------------------------------------------------------


@dataclass(frozen=True)
class Dav:
    """A real CalDAV server the same tests run against: how to make a calendar, the login
    tripplan must send (Xandikos has none), and raw requests for what another client does."""

    name: str
    server: Requester
    make_calendar: Callable[[], str]
    auth: tuple[str, str] | None


@pytest.fixture(params=["radicale", "xandikos"])
def dav(request: pytest.FixtureRequest) -> Dav:
    if request.param == "radicale":
        radicale: RadicaleServer = request.getfixturevalue("radicale_server")
        login = (radicale.username, radicale.password)
        return Dav("radicale", radicale, radicale.make_calendar, login)
    xandikos: XandikosServer = request.getfixturevalue("xandikos_server")
    return Dav("xandikos", xandikos, xandikos.make_calendar, None)


def uids_of(trip: Trip) -> set[str]:
    return {str(e["UID"]) for e in build_calendar(trip, now=NOW).walk("VEVENT")}


_PUBLISH_WHEN_TOLD = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from tripplan import Trip, publish_calendar
from tripplan._http import make_session
trip_file, url, state, now, ready, go = sys.argv[1:]
trip = Trip.model_validate(json.loads(Path(trip_file).read_text("utf-8")))
Path(ready).touch()
deadline = time.monotonic() + 60
while not Path(go).exists() and time.monotonic() < deadline:
    time.sleep(0.002)
with make_session(retries=0) as session:
    report = publish_calendar(trip, url, session=session, state_dir=state,
                              now=datetime.fromisoformat(now))
fields = ("created", "updated", "deleted", "unchanged", "conflicts")
print(json.dumps({name: list(getattr(report, name)) for name in fields}))
"""


def _in_processes(
    n: int, trip: Trip, url: str, state: Path, now: datetime, auth: tuple[str, str] | None
) -> list[dict[str, list[str]]]:
    """``n`` processes publish ``trip`` at once: each starts, signals it is ready, and all are
    let go together; what each one's report said."""
    folder = state.parent / f"run-{time.monotonic_ns()}"
    folder.mkdir()
    trip_file = folder / "trip.json"
    trip_file.write_text(trip.model_dump_json(by_alias=True, exclude_unset=True), "utf-8")
    env = dict(os.environ)
    if auth is not None:
        env[USERNAME_ENV], env[PASSWORD_ENV] = auth
    go = folder / "go"
    ready = [folder / f"ready-{i}" for i in range(n)]
    children = [
        subprocess.Popen(
            [
                *(sys.executable, "-c", _PUBLISH_WHEN_TOLD),
                *(str(trip_file), url, str(state), now.isoformat(), str(mark), str(go)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for mark in ready
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(mark.exists() for mark in ready) and time.monotonic() < deadline:
            time.sleep(0.005)
        go.touch()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    return [json.loads(out) for out, _ in outputs]


def _in_threads(
    n: int, trip: Trip, url: str, state: Path, now: datetime, auth: tuple[str, str] | None
) -> list[dict[str, list[str]]]:
    """``n`` threads of this process publish ``trip`` at once, each with its own session."""
    barrier = threading.Barrier(n)
    results: list[PublishReport | BaseException] = [RuntimeError("did not finish")] * n

    def publish(i: int) -> None:
        try:
            with make_session(retries=0) as session:
                barrier.wait(timeout=60)
                results[i] = publish_calendar(
                    trip, url, session=session, auth=auth, state_dir=state, now=now
                )
        except BaseException as error:
            results[i] = error

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    reports = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        reports.append(
            {
                name: list(getattr(result, name))
                for name in ("created", "updated", "deleted", "unchanged", "conflicts")
            }
        )
    return reports


@pytest.mark.parametrize("how", [_in_threads, _in_processes], ids=["threads", "processes"])
def test_concurrent_publishes_take_turns_and_leave_no_conflict(
    dav: Dav, session: requests.Session, tmp_path: Path, how: Callable[..., Any]
) -> None:
    """Three publishes of one trip to one collection at once, three times over (the trip, a
    revision of it, the trip again): every report is free of conflicts, each change is made
    once, and a publish afterwards finds everything unchanged."""
    collection = dav.make_calendar()
    state = tmp_path / "state"
    trip = build_trip()
    revision = revised(trip, move_meeting_and_drop_transfer)
    for version, stamp in ((trip, NOW), (revision, LATER), (trip, LATER + timedelta(days=1))):
        reports = how(3, version, collection, state, stamp, dav.auth)
        assert [r["conflicts"] for r in reports] == [[], [], []]
        written = [uid for r in reports for uid in r["created"] + r["updated"] + r["deleted"]]
        assert len(written) == len(set(written))  # each change made by one publish only
        after = publish_calendar(
            version, collection, session=session, auth=dav.auth, state_dir=state, now=stamp
        )
        assert after.conflicts == () and not after.changed
        assert set(after.unchanged) == uids_of(version)
        assert set(events(listing(dav.server, collection))) == uids_of(version)


def test_a_lost_state_file_adopts_what_is_the_same_and_says_so(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    collection = dav.make_calendar()
    trip = build_trip()
    first = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=NOW
    )
    (state,) = tmp_path.glob("*.json")
    recorded = state.read_text("utf-8")
    state.unlink()

    again = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )

    assert sorted(again.unchanged) == sorted(first.created)
    assert again.conflicts == () and not again.changed
    assert again.notes == (
        f"no record of an earlier publish (no state file {state}): 5 resources already on the "
        "server compared by content, 5 the same (adopted), 0 different",
    )
    assert again.lines()[1] == again.notes[0]
    assert "changed on the server" not in "\n".join(again.lines())
    assert json.loads(state.read_text("utf-8")) == json.loads(recorded)  # repaired whole
    third = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )
    assert sorted(third.unchanged) == sorted(first.created) and third.notes == ()


def test_without_a_record_other_content_is_a_conflict_that_says_why(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    collection = dav.make_calendar()
    trip = build_trip()
    publish_calendar(trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=NOW)
    for state in tmp_path.glob("*.json"):
        state.unlink()
    revision = revised(trip, move_meeting_and_drop_transfer)
    meeting = by_summary(listing(dav.server, collection), "CEO meeting")

    report = publish_calendar(
        revision, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )

    assert report.conflicts == (meeting,)
    assert len(report.unchanged) == 3  # the transfer is not the trip's any more: not touched
    assert report.notes[0].endswith(
        "4 resources already on the server compared by content, 3 the same (adopted), 1 different"
    )
    (line,) = [line for line in report.lines() if line.startswith("conflict:")]
    assert "there is no record of tripplan publishing it" in line and "force" in line
    assert "changed on the server since the last publish" not in line


def test_a_resource_deleted_on_the_server_is_created_again_and_reported(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    collection = dav.make_calendar()
    trip = build_trip()
    publish_calendar(trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=NOW)
    meeting = by_summary(listing(dav.server, collection), "CEO meeting")
    href = urlsplit(urljoin(collection, resource_name(meeting))).path
    dav.server.request("DELETE", urljoin(collection, href))

    report = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )

    assert report.recreated == (meeting,)
    assert (report.created, report.updated, report.conflicts) == ((), (), ())
    assert len(report.unchanged) == 4 and report.changed
    assert report.lines()[0].endswith("0 conflicts, 1 re-created")
    assert f"deleted on the server: {href} (UID {meeting})" in "\n".join(report.lines())
    assert meeting in events(listing(dav.server, collection))
    again = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )
    assert len(again.unchanged) == 5 and not again.changed


def test_a_resource_deleted_on_the_server_may_be_left_deleted(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    collection = dav.make_calendar()
    trip = build_trip()
    publish_calendar(trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=NOW)
    meeting = by_summary(listing(dav.server, collection), "CEO meeting")
    dav.server.request("DELETE", urljoin(collection, resource_name(meeting)))

    for _ in range(2):  # and again: the choice is remembered with the record, not forgotten
        report = publish_calendar(
            trip,
            collection,
            session=session,
            auth=dav.auth,
            state_dir=tmp_path,
            now=LATER,
            recreate_deleted=False,
        )
        assert report.deleted_on_server == (meeting,)
        assert (report.recreated, report.conflicts) == ((), ())
        assert not report.changed
        assert any(line.endswith("left deleted") for line in report.lines())
        assert meeting not in events(listing(dav.server, collection))


def test_a_new_etag_on_the_same_content_is_not_a_conflict(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    """Another client writes the event back with a new DTSTAMP and LAST-MODIFIED, and its own
    property order: the ETag changes, the content does not."""
    collection = dav.make_calendar()
    trip = build_trip()
    publish_calendar(trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=NOW)
    meeting = by_summary(listing(dav.server, collection), "CEO meeting")
    url = urljoin(collection, resource_name(meeting))
    answer = dav.server.request("GET", url)
    theirs = Calendar.from_ical(answer.content)
    (event,) = theirs.walk("VEVENT")
    event["DTSTAMP"] = vDDDTypes(datetime(2027, 2, 5, 7, 0, tzinfo=UTC))
    event.add("LAST-MODIFIED", datetime(2027, 2, 5, 7, 0, tzinfo=UTC))
    summary = event.pop("SUMMARY")
    event.add("SUMMARY", summary)  # now the last property
    dav.server.request(
        "PUT",
        url,
        sent=theirs.to_ical(),
        headers={"Content-Type": "text/calendar", "If-Match": answer.headers["ETag"]},
    )
    new_etag = listing(dav.server, collection)[urlsplit(url).path][0]
    assert new_etag != answer.headers["ETag"]

    report = publish_calendar(
        trip, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )
    assert meeting in report.unchanged and report.conflicts == () and not report.changed
    (state,) = tmp_path.glob("*.json")
    assert json.loads(state.read_text("utf-8"))["resources"][meeting]["etag"] == new_etag

    # And a revision of the meeting now goes through, over the other client's copy.
    revision = revised(trip, move_meeting_and_drop_transfer)
    moved = publish_calendar(
        revision, collection, session=session, auth=dav.auth, state_dir=tmp_path, now=LATER
    )
    assert moved.updated == (meeting,) and moved.conflicts == ()


def test_a_weak_etag_from_put_is_the_same_tag_as_the_strong_one_listed(
    radicale_server: RadicaleServer, session: requests.Session, tmp_path: Path
) -> None:
    """A server (or a proxy before it) that answers PUT with ``W/"x"`` and lists ``"x"``:
    weak comparison (RFC 9110 §8.8.3.2) says they are one tag, so nothing is a conflict and
    nothing is fetched or sent again."""
    collection = radicale_server.make_calendar()
    auth = (radicale_server.username, radicale_server.password)

    def weaken(method: str, status: int, headers: dict[str, str]) -> dict[str, str]:
        if method == "PUT" and "ETag" in headers:
            headers["ETag"] = "W/" + headers["ETag"]
        return headers

    with forwarding_server(radicale_server.url, weaken) as proxy:
        url = proxy.url + urlsplit(collection).path
        trip = build_trip()
        first = publish_calendar(trip, url, session=session, auth=auth, state_dir=tmp_path, now=NOW)
        (state,) = tmp_path.glob("*.json")
        etags = {r["etag"] for r in json.loads(state.read_text("utf-8"))["resources"].values()}
        assert all(etag.startswith('W/"') for etag in etags)  # as the PUT answered
        sent_before = len(proxy.methods())
        again = publish_calendar(
            trip, url, session=session, auth=auth, state_dir=tmp_path, now=LATER
        )
        assert sorted(again.unchanged) == sorted(first.created)
        assert again.conflicts == () and not again.changed
        assert proxy.methods()[sent_before:] == ["PROPFIND"]  # no GET, no PUT

        revision = revised(trip, move_meeting_and_drop_transfer)
        moved = publish_calendar(
            revision, url, session=session, auth=auth, state_dir=tmp_path, now=LATER
        )
        assert len(moved.updated) == 1 and len(moved.deleted) == 1 and moved.conflicts == ()


def test_a_publish_waits_for_the_lock_and_says_so_when_it_cannot_have_it(
    radicale_server: RadicaleServer,
    collection: str,
    session: requests.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another publish of the same trip to the same collection holds the lock (here: this test):
    the publish waits its turn, and past the limit stops before sending anything."""
    trip = build_trip()
    auth = (radicale_server.username, radicale_server.password)
    publish_calendar(trip, collection, session=session, auth=auth, state_dir=tmp_path, now=NOW)
    (lock_path,) = tmp_path.glob("*.lock")
    monkeypatch.setattr(tripplan._caldav_state, "LOCK_TIMEOUT", 0.05)
    held = FileLock(lock_path)
    with held, pytest.raises(CalDAVError, match="another publish of this trip to this collection"):
        publish_calendar(
            trip, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
        )
    again = publish_calendar(
        trip, collection, session=session, auth=auth, state_dir=tmp_path, now=LATER
    )
    assert len(again.unchanged) == 5 and not again.changed


def test_publishes_that_share_no_state_meet_at_the_server_without_conflicts(
    dav: Dav, session: requests.Session, tmp_path: Path
) -> None:
    """Three publishes at once from three state folders (three machines): they cannot take
    turns, so they meet at the server, where each finds what the others wrote identical to what
    it meant to write. No conflict, now or on the next publish from any of them."""
    collection = dav.make_calendar()
    trip = build_trip()
    revision = revised(trip, move_meeting_and_drop_transfer)
    folders = [tmp_path / f"machine-{i}" for i in range(3)]
    for version, stamp in ((trip, NOW), (revision, LATER)):
        barrier = threading.Barrier(len(folders))
        reports: list[PublishReport | BaseException] = []

        def publish(
            folder: Path,
            version: Trip = version,
            stamp: datetime = stamp,
            barrier: threading.Barrier = barrier,
            reports: list[PublishReport | BaseException] = reports,
        ) -> None:
            try:
                with make_session(retries=0) as own:
                    barrier.wait(timeout=60)
                    reports.append(
                        publish_calendar(
                            version,
                            collection,
                            session=own,
                            auth=dav.auth,
                            state_dir=folder,
                            now=stamp,
                        )
                    )
            except BaseException as error:
                reports.append(error)

        threads = [threading.Thread(target=publish, args=(folder,)) for folder in folders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(reports) == 3
        for report in reports:
            assert isinstance(report, PublishReport), report
            assert report.conflicts == (), report.lines()
        for folder in folders:
            after = publish_calendar(
                version, collection, session=session, auth=dav.auth, state_dir=folder, now=stamp
            )
            assert after.conflicts == () and not after.changed, after.lines()
            assert set(after.unchanged) == uids_of(version)
        assert set(events(listing(dav.server, collection))) == uids_of(version)
