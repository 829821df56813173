"""``CheckOptions.disabled`` (``--disable CODE``): every code can be turned off, alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripplan import (
    FINDING_CODES,
    BusyEvent,
    CheckOptions,
    OptionError,
    Trip,
    check,
    load_trip,
    resolve,
)
from tripplan._cli import main

from .support import BASE, DATA, EXAMPLES, build_trip

CONNECTIONS = [
    {  # lands in MIA at 05:35, then leaves from FLL: another airport
        "type": "flight",
        "carrier": "AA",
        "number": "100",
        "from": "FLL",
        "to": "BOS",
        "depart": "2027-03-11 07:00",
        "arrive": "2027-03-11 10:00",
    },
    {  # lands in BOS at 10:00, leaves again at 10:30: too short
        "type": "flight",
        "carrier": "AA",
        "number": "200",
        "from": "BOS",
        "to": "JFK",
        "depart": "2027-03-11 10:30",
        "arrive": "2027-03-11 11:45",
    },
]


def connecting() -> Trip:
    return build_trip(items=[*BASE["items"], *CONNECTIONS])


def busy_during_ceo_meeting(trip: Trip) -> list[BusyEvent]:
    ceo = next(e for e in resolve(trip) if e.item.title == "CEO meeting")
    return [BusyEvent("board", "Board call", ceo.start_utc, ceo.end_utc)]


def cases() -> list[tuple[Trip, list[BusyEvent]]]:
    trip = connecting()
    return [
        (load_trip(DATA / "findings.yaml"), []),
        (trip, busy_during_ceo_meeting(trip)),
        *((load_trip(path), []) for path in sorted(EXAMPLES.glob("*.yaml"))),
    ]


def test_the_cases_raise_the_codes_that_used_to_hide_each_other() -> None:
    codes = {f.code for trip, busy in cases() for f in check(trip, busy=busy)}
    assert {"connection-too-short", "connection-airport-change", "calendar-conflict"} <= codes


@pytest.mark.parametrize("code", list(FINDING_CODES))
def test_disabling_a_code_removes_that_code_and_nothing_else(code: str) -> None:
    for trip, busy in cases():
        everything = check(trip, busy=busy)
        without = check(trip, CheckOptions(disabled=frozenset({code})), busy=busy)
        assert without == [f for f in everything if f.code != code]


def test_an_unknown_code_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="unknown check code 'overlapp'"):
        check(build_trip(), CheckOptions(disabled=frozenset({"overlapp"})))


@pytest.mark.parametrize("code", ["connection-airport-change", "calendar-conflict"])
def test_the_command_disables_them_too(
    code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip = connecting()
    path = tmp_path / "trip.json"
    path.write_text(trip.model_dump_json(by_alias=True, exclude_unset=True), encoding="utf-8")
    ceo = busy_during_ceo_meeting(trip)[0]
    feed = tmp_path / "mine.ics"
    feed.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:board\r\n"
        f"DTSTAMP:20270101T000000Z\r\nDTSTART:{ceo.start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{ceo.end:%Y%m%dT%H%M%SZ}\r\nSUMMARY:Board call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    main(["check", str(path), "--calendar", str(feed)])
    assert f"[{code}]" in capsys.readouterr().out
    main(["check", str(path), "--calendar", str(feed), "--disable", code])
    out = capsys.readouterr().out
    assert f"[{code}]" not in out
    assert "[connection-too-short]" in out
