"""Bookings in: confirmation mails, pages and invitations imported into a trip file.

The samples in tests/data/import are written for the project (invented names and numbers): a
flight mail with offsets and one without, a hotel in Manaus given by its address only (Brazil has
several zones; the city decides), a restaurant in microdata, an Outlook invitation with a Windows
zone name and a Teams link, a Google invitation and its cancellation.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
import tomli_w
from pypdf import PdfWriter

import tripplan
from tripplan import (
    Flight,
    Meeting,
    Stay,
    Trip,
    build_calendar,
    import_bookings,
    load_trip,
    resolve,
)
from tripplan._cli import main
from tripplan._ics import event_uid
from tripplan._import_sources import INSTALL_EXTRACTOR, extractor

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer
from .support import DATA

SAMPLES = DATA / "import"
SOURCES = [
    "flight-offsets.eml",
    "flight-local.eml",
    "hotel.html",
    "restaurant.html",
    "outlook-invitation.eml",
    "google-request.ics",
]


T = TypeVar("T")


def item_of(trip: Trip, ref: str, kind: type[T]) -> T:
    found = trip.item(ref)
    assert isinstance(found, kind), found
    return found


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


#: Every imported item at the instant its booking means, in UTC.
EXPECTED = {
    "flight-aa1904-20270510": (utc("2027-05-10 11:15"), utc("2027-05-10 14:40")),
    "flight-la8181-20270510": (utc("2027-05-11 01:30"), utc("2027-05-11 11:05")),
    # No offsets: local at GRU (UTC-3) and at MAO (UTC-4).
    "flight-la3270-20270511": (utc("2027-05-11 14:20"), utc("2027-05-11 18:25")),
    # Manaus keeps UTC-4 (São Paulo's UTC-3 would put check-in an hour early).
    "stay-hotel-rio-negro-palace-20270511": (utc("2027-05-11 19:00"), utc("2027-05-14 16:00")),
    "meeting-restaurante-tacaca-da-praca": (utc("2027-05-13 00:00"), utc("2027-05-13 02:00")),
    # Pacific SA Standard Time is Santiago: UTC-4 in May.
    "meeting-revision-del-piloto-con-pacifico-seguros": (
        utc("2027-05-12 13:00"),
        utc("2027-05-12 14:00"),
    ),
    "meeting-demonstracao-para-a-equipe-de-ti": (utc("2027-05-13 18:00"), utc("2027-05-13 19:30")),
}


@pytest.fixture
def trip_file(tmp_path: Path) -> Path:
    target = tmp_path / "trip.yaml"
    shutil.copy(SAMPLES / "trip.yaml", target)
    return target


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def import_all(trip_file: Path, *names: str) -> int:
    return run("import", *(SAMPLES / n for n in names or SOURCES), "--into", trip_file)


def test_every_event_lands_at_its_instant(
    trip_file: Path, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    assert import_all(trip_file) == 0
    trip = load_trip(trip_file)
    timeline = resolve(trip)
    found = {e.id: (e.start_utc, e.end_utc) for e in timeline}
    assert found == EXPECTED
    # ... and the traveller's calendar says so, as independent parsers read it.
    ics = tmp_path / "trip.ics"
    ics.write_bytes(build_calendar(trip, now=datetime(2027, 4, 1, tzinfo=UTC)).to_ical())
    parsed = {e.uid: e for e in assert_clients_agree(ics, radicale_server)}
    for entry in timeline:
        event = parsed[event_uid(trip, entry)]
        if entry.type == "stay":
            assert event.all_day and event.start_utc.date() == entry.start.date()
        else:
            assert (event.start_utc, event.end_utc) == EXPECTED[entry.id]


def test_what_the_bookings_say(trip_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_all(trip_file) == 0
    out = capsys.readouterr().out
    trip = load_trip(trip_file)
    outbound = item_of(trip, "flight-la8181-20270510", Flight)
    assert (outbound.cabin, outbound.seat, outbound.confirmation) == ("business", "3C", "BQX4TR")
    assert outbound.arrival_terminal == "3"
    hotel = trip.places["hotel-rio-negro-palace"]
    assert (hotel.city, hotel.country, hotel.timezone, hotel.zone_name) == (
        "Manaus",
        "BR",
        None,
        "America/Manaus",
    )
    teams = item_of(trip, "meeting-revision-del-piloto-con-pacifico-seguros", Meeting)
    assert teams.online is not None and teams.online.startswith("https://teams.microsoft.com/")
    assert teams.timezone == "America/Santiago" and teams.language == "es_CL"
    assert teams.organizer == "valentina" and teams.attendees == ("dana", "lucas", "ignacio")
    assert "Resultados del piloto" in (teams.notes.team or "")
    assert trip.people["valentina"].side == "customer"
    assert "added Valentina Rojas <vrojas@pacificoseguros.example> on the customer side" in out
    google = item_of(trip, "meeting-demonstracao-para-a-equipe-de-ti", Meeting)
    assert google.online == "https://meet.google.com/xqp-rvtd-kwe"
    assert item_of(trip, "meeting-restaurante-tacaca-da-praca", Meeting).kind == "meal"
    assert "7 added; wrote" in out


def test_reimport_changes_nothing(trip_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_all(trip_file) == 0
    record = trip_file.with_name(".trip.yaml.bookings.json")
    before = trip_file.read_bytes(), record.read_bytes()
    capsys.readouterr()
    assert import_all(trip_file) == 0
    assert (trip_file.read_bytes(), record.read_bytes()) == before
    assert capsys.readouterr().out.endswith("7 unchanged; nothing to change\n")


def test_comments_order_and_formatting_survive(trip_file: Path) -> None:
    original = trip_file.read_text(encoding="utf-8")
    assert import_all(trip_file, "hotel.html") == 0
    text = trip_file.read_text(encoding="utf-8")
    for line in original.splitlines()[:18]:
        assert line in text  # the header comments, the people and the comment among them
    assert text.index("people:") < text.index("places:") < text.index("items:")


def test_hand_edit_is_kept_and_reported(
    trip_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_all(trip_file, "hotel.html") == 0
    edited = trip_file.read_text(encoding="utf-8").replace(
        "check_out: 2027-05-14 12:00", "check_out: 2027-05-14 18:00  # late check-out agreed"
    )
    trip_file.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert import_all(trip_file, "hotel.html") == 0
    assert trip_file.read_text(encoding="utf-8") == edited
    out = capsys.readouterr().out
    assert (
        "check_out: kept 2027-05-14 18:00 (edited by hand); the booking says 2027-05-14 12:00"
        in out
    )


def test_changed_booking_updates_the_item(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_all(trip_file, "flight-local.eml") == 0
    changed = tmp_path / "flight-changed.eml"
    text = (SAMPLES / "flight-local.eml").read_text(encoding="utf-8")
    changed.write_text(text.replace("T11:20:00", "T12:05:00").replace("T14:25:00", "T15:10:00"))
    capsys.readouterr()
    assert run("import", changed, "--dry-run", "--into", trip_file) == 0
    assert "depart: 2027-05-11 11:20 → 2027-05-11 12:05" in capsys.readouterr().out
    assert item_of(load_trip(trip_file), "flight-la3270-20270511", Flight).depart.local.hour == 11
    assert run("import", changed, "--into", trip_file) == 0
    flight = resolve(load_trip(trip_file))["flight-la3270-20270511"]
    assert flight.start_utc == utc("2027-05-11 15:05")


def test_cancellation_marks_the_meeting(trip_file: Path) -> None:
    assert import_all(trip_file, "google-request.ics") == 0
    assert import_all(trip_file, "google-cancel.ics") == 0
    trip = load_trip(trip_file)
    assert item_of(trip, "meeting-demonstracao-para-a-equipe-de-ti", Meeting).status == "cancelled"


def test_an_older_invitation_never_undoes_a_newer_one(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """RFC 5546 orders versions by SEQUENCE, then DTSTAMP: the organizer moved the meeting
    (SEQUENCE 1); the first request, read again later (an old mail), changes nothing."""
    text = (SAMPLES / "google-request.ics").read_text(encoding="utf-8")
    moved = tmp_path / "moved.ics"
    moved.write_text(
        text.replace("T140000", "T160000")
        .replace("T153000", "T173000")
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("DTSTAMP:20270320T120000Z", "DTSTAMP:20270322T090000Z"),
        encoding="utf-8",
    )
    assert import_all(trip_file, "google-request.ics") == 0
    assert run("import", moved, "--into", trip_file) == 0
    meeting = "meeting-demonstracao-para-a-equipe-de-ti"
    assert resolve(load_trip(trip_file))[meeting].start_utc == utc("2027-05-13 20:00")
    before = trip_file.read_bytes()
    capsys.readouterr()
    assert run("import", SAMPLES / "google-request.ics", "--into", trip_file) == 0
    out = capsys.readouterr().out
    assert "an older version of the invitation (SEQUENCE 0); the trip has SEQUENCE 1" in out
    assert trip_file.read_bytes() == before
    # The same SEQUENCE with a later DTSTAMP is a later version: it applies.
    later = tmp_path / "later.ics"
    later.write_text(
        moved.read_text(encoding="utf-8")
        .replace("T160000", "T150000")
        .replace("T173000", "T163000")
        .replace("DTSTAMP:20270322T090000Z", "DTSTAMP:20270323T090000Z"),
        encoding="utf-8",
    )
    assert run("import", later, "--into", trip_file) == 0
    assert resolve(load_trip(trip_file))[meeting].start_utc == utc("2027-05-13 19:00")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_json_and_toml_are_rewritten_whole(tmp_path: Path, suffix: str) -> None:
    trip = load_trip(SAMPLES / "trip.yaml")
    data = trip.model_dump(mode="json", by_alias=True, exclude_unset=True)
    target = tmp_path / f"trip{suffix}"
    if suffix == ".json":
        target.write_text(json.dumps(data), encoding="utf-8")
    else:
        target.write_text(tomli_w.dumps(data), encoding="utf-8")
    assert import_all(target) == 0
    assert {e.id: (e.start_utc, e.end_utc) for e in resolve(load_trip(target))} == EXPECTED


def test_a_trip_in_code() -> None:
    trip = load_trip(SAMPLES / "trip.yaml")
    report = import_bookings(trip, [SAMPLES / "hotel.html"])
    assert report.written is None and report.changed
    assert [c.action for c in report.changes] == ["added"]
    assert (
        item_of(report.trip, "stay-hotel-rio-negro-palace-20270511", Stay).confirmation
        == "4471-0923"
    )
    assert trip.items == ()  # the trip given is left as it was


def test_a_place_with_no_zone_to_tell_writes_nothing(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = tmp_path / "hotel.html"
    text = (SAMPLES / "hotel.html").read_text(encoding="utf-8")
    nowhere.write_text(text.replace('"Manaus"', '"Vila Inventada"'), encoding="utf-8")
    before = trip_file.read_bytes()
    assert run("import", nowhere, "--into", trip_file) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{nowhere}: LodgingReservation.reservationFor: ")
    assert "no city called 'Vila Inventada' in BR" in err and len(err.splitlines()) == 1
    assert trip_file.read_bytes() == before
    assert not trip_file.with_name(".trip.yaml.bookings.json").exists()


def test_an_unknown_source_says_what_is_read(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "booking.docx"
    odd.write_bytes(b"PK")
    assert run("import", odd, "--into", trip_file) == 2
    assert (
        "expected .eml, .html, .json, .jsonld, .ics, .pdf, .pkpass, .png, .jpg or .jpeg"
        in capsys.readouterr().err
    )


def test_the_public_names() -> None:
    assert tripplan.import_bookings is import_bookings
    assert issubclass(tripplan.BookingError, tripplan.TripplanError)


def test_a_pdf_goes_through_kdes_extractor(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PDF is handed to kitinerary-extractor (installed by tools/install-test-deps); one
    without a booking in it changes nothing."""
    if extractor() is None:
        pytest.fail(f"kitinerary-extractor is not installed: {INSTALL_EXTRACTOR}")
    pdf = tmp_path / "boarding-pass.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with pdf.open("wb") as f:
        writer.write(f)
    before = trip_file.read_bytes()
    assert run("import", pdf, "--into", trip_file) == 0
    assert capsys.readouterr().out == "nothing found; nothing to change\n"
    assert trip_file.read_bytes() == before


def test_without_kdes_extractor_one_line_says_what_to_install(
    trip_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TRIPPLAN_KITINERARY_EXTRACTOR names the program; one that is not there is the machine
    without it: one line, exit 2, the trip untouched."""
    monkeypatch.setenv("TRIPPLAN_KITINERARY_EXTRACTOR", str(tmp_path / "no-such-extractor"))
    assert extractor() is None
    pass_file = tmp_path / "boarding.pkpass"
    pass_file.write_bytes(b"PK\x03\x04")
    before = trip_file.read_bytes()
    assert run("import", pass_file, "--into", trip_file) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"{pass_file}: reading this needs KDE's kitinerary-extractor; install it: "
        f"{INSTALL_EXTRACTOR}"
    )
    assert trip_file.read_bytes() == before


def test_the_report_as_json(trip_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("import", SAMPLES / "hotel.html", "--into", trip_file, "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["file"] == str(trip_file) and report["wrote"] == [str(trip_file.resolve())]
    assert [(c["action"], c["item"]) for c in report["changes"]] == [
        ("added", "stay-hotel-rio-negro-palace-20270511")
    ]
    assert run("import", SAMPLES / "nothing.html", "--into", trip_file, "--format", "json") == 2
    assert json.loads(capsys.readouterr().out)["error"]["kind"] == "booking"


def test_imports_at_once_into_one_trip_lose_nothing(trip_file: Path) -> None:
    """Four imports started together, each with other bookings: they take turns on the trip's
    lock, so the trip ends with every booking of every one of them (no write lost)."""
    groups = [
        ["flight-offsets.eml"],
        ["flight-local.eml", "hotel.html"],
        ["restaurant.html"],
        ["outlook-invitation.eml", "google-request.ics"],
    ]
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tripplan",
                "import",
                *(str(SAMPLES / n) for n in group),
                "--into",
                str(trip_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for group in groups
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors
    trip = load_trip(trip_file)
    assert set(trip.item_ids) == set(EXPECTED)
    before = trip_file.read_bytes()
    assert import_all(trip_file) == 0  # and the record knows them all: nothing to change
    assert trip_file.read_bytes() == before
