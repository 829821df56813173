"""Hostile booking sources through ``tripplan import``: exit 0 or 2, never a traceback, and the
trip file unchanged on exit 2.

Hypothesis mutates a JSON-LD reservation (values replaced by odd text, numbers, lists and
nesting; keys deleted) and an invitation (lines dropped, values replaced, bytes truncated).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripplan._cli import main

from .support import DATA

SAMPLES = DATA / "import"
RESERVATION: dict[str, Any] = {
    "@context": "http://schema.org",
    "@type": "FlightReservation",
    "reservationNumber": "KJ7M2P",
    "underName": {"@type": "Person", "name": "Dana Whitfield"},
    "reservationFor": {
        "@type": "Flight",
        "flightNumber": "3270",
        "airline": {"@type": "Airline", "iataCode": "LA"},
        "departureAirport": {"@type": "Airport", "iataCode": "GRU"},
        "departureTime": "2027-05-11T11:20:00",
        "arrivalAirport": {"@type": "Airport", "iataCode": "MAO"},
        "arrivalTime": "2027-05-11T14:25:00-04:00",
    },
}
ODD: list[Any] = [
    "",
    "\x00",
    "Line\nBreak",
    "\u202eevil",
    "9" * 400,
    "2027-02-30T10:00",
    "0001-01-01T00:00",
    "2027-03-14T02:30:00",
    "2027-05-11T11:20:00+99:00",
    "XXX",
    "LodgingReservation",
    None,
    True,
    -1,
    1e308,
    [],
    {},
    [[[[[]]]]],
    {"@type": "Airport", "iataCode": "ZZZ"},
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.extend(_paths(inner, (*prefix, key)))
    return found


PATHS = _paths(RESERVATION)


@st.composite
def reservations(draw: st.DrawFn) -> bytes:
    data = copy.deepcopy(RESERVATION)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = data
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        if draw(st.booleans()):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(st.sampled_from(ODD))
    return json.dumps(data).encode()


ICS_LINES = (SAMPLES / "google-request.ics").read_bytes().split(b"\r\n")


@st.composite
def invitations(draw: st.DrawFn) -> bytes:
    lines = list(ICS_LINES)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        choice = draw(st.sampled_from(["drop", "value", "tzid"]))
        if choice == "drop":
            del lines[index]
        elif b":" in lines[index]:
            name = lines[index].split(b":", 1)[0]
            odd = draw(
                st.sampled_from(["", "x", "20270230T250000", "Not A Zone", "\x00", "9" * 50])
            )
            lines[index] = name + b":" + odd.encode()
        else:
            lines[index] = b"DTSTART;TZID=Nowhere Standard Time:20270513T140000"
    data = b"\r\n".join(lines)
    return data[: draw(st.integers(len(data) // 2, len(data)))]


def _import(source_name: str, data: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        trip = Path(folder) / "trip.yaml"
        shutil.copy(SAMPLES / "trip.yaml", trip)
        before = trip.read_bytes()
        source = Path(folder) / source_name
        source.write_bytes(data)
        code = main(["import", str(source), "--into", str(trip)])
        err = capsys.readouterr().err
        assert code in (0, 2), err
        assert "Traceback" not in err and "internal error" not in err
        if code == 2:
            assert trip.read_bytes() == before
            assert err and all(line.strip() for line in err.splitlines())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=reservations())
def test_mutated_reservations(data: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    _import("booking.jsonld", data, capsys)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=invitations())
def test_mutated_invitations(data: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    _import("invite.ics", data, capsys)


PAGES = [(SAMPLES / name).read_bytes() for name in ("restaurant.html", "hotel.html")]
MAIL = (SAMPLES / "flight-offsets.eml").read_bytes()


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    """A page or mail cut short, or with bytes put in or taken out anywhere."""
    data = draw(st.sampled_from([*PAGES, MAIL]))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
    return data[: draw(st.integers(0, len(data)))]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=pages(), suffix=st.sampled_from([".html", ".eml"]))
def test_mutated_pages_and_mails(
    data: bytes, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(f"booking{suffix}", data, capsys)
