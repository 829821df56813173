"""Every finding code: one plan that triggers it and one close to it that must not."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripplan import CheckOptions, Finding, Trip, check, load_trip, resolve
from tripplan._checks import CODES

from .support import BASE, EXAMPLES, build_trip


def items(
    *extra: dict[str, Any], replace: dict[int, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """BASE's items with some changed (by index) and some added."""
    result: list[dict[str, Any]] = copy.deepcopy(BASE["items"])
    for index, changes in (replace or {}).items():
        result[index].update(changes)
    return result + list(extra)


def found(trip: Trip, code: str, options: CheckOptions | None = None) -> list[Finding]:
    return [f for f in check(trip, options) if f.code == code]


def meeting(start: str, end: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "meeting",
        "kind": "demo",
        "title": "Demo",
        "place": "office",
        "start": start,
        "end": end,
        **fields,
    }


def test_base_trip_is_clean() -> None:
    assert check(build_trip()) == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_have_no_errors_or_warnings(path: Any) -> None:
    findings = check(load_trip(path))
    assert [f for f in findings if f.severity != "note"] == []


def test_findings_carry_code_severity_items_and_message() -> None:
    trip = build_trip(items=items(meeting("2027-03-09 12:00", "2027-03-09 13:00")))
    [finding] = found(trip, "overlap")
    assert finding.severity == "error"
    assert finding.paths == ("items[3]", "items[5]")
    assert finding.items == ("meeting-ceo-meeting", "meeting-demo")
    assert "'Demo'" in finding.message and "'CEO meeting'" in finding.message
    assert finding.to_dict()["severity"] == "error"
    assert str(finding).startswith("error[overlap] items[3], items[5]: ")


def test_every_code_is_documented() -> None:
    text = (EXAMPLES.parent / "docs" / "checks.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in text]
    assert missing == []


# --- overlap -----------------------------------------------------------------------------------


def test_overlap_of_optional_item_is_a_warning() -> None:
    activity = {
        "type": "activity",
        "title": "Museum",
        "place": "office",
        "optional": True,
        "start": "2027-03-09 12:00",
        "end": "2027-03-09 14:00",
    }
    [finding] = found(build_trip(items=items(activity)), "overlap")
    assert finding.severity == "warning"


def test_back_to_back_items_and_meetings_without_the_traveller_do_not_overlap() -> None:
    adjacent = meeting("2027-03-09 12:30", "2027-03-09 13:30")
    without = meeting(
        "2027-03-09 11:30",
        "2027-03-09 12:00",
        organizer="rodrigo",
        attendees=["rodrigo"],
        title="Their own meeting",
    )
    cancelled = meeting("2027-03-09 11:30", "2027-03-09 12:00", status="cancelled", title="Off")
    assert found(build_trip(items=items(adjacent, without, cancelled)), "overlap") == []


# --- arrival-buffer ----------------------------------------------------------------------------


def test_meeting_too_soon_after_international_arrival() -> None:
    early = meeting("2027-03-08 10:30", "2027-03-08 11:00")
    trip = build_trip(items=items(early)[:1] + items(early)[2:])  # without the transfer
    [finding] = found(trip, "arrival-buffer")
    assert "1 h 25 min after LA 501 MIA→SCL lands (Mon 2027-03-08 09:05 -03)" in finding.message
    assert "2 h" in finding.message
    relaxed = CheckOptions(international_arrival_buffer=timedelta(hours=1))
    assert found(trip, "arrival-buffer", relaxed) == []


def test_domestic_arrival_uses_the_domestic_buffer() -> None:
    hop = {
        "type": "flight",
        "carrier": "LA",
        "number": "60",
        "from": "SCL",
        "to": "CCP",
        "depart": "2027-03-09 14:00",
        "arrive": "2027-03-09 15:05",
    }
    after = {
        **meeting("2027-03-09 15:50", "2027-03-09 16:30"),
        "place": None,
        "timezone": "America/Santiago",
    }
    trip = build_trip(items=items(hop, after))
    [finding] = found(trip, "arrival-buffer")
    assert "domestic" in finding.message
    later = {**after, "start": "2027-03-09 16:10", "end": "2027-03-09 16:40"}
    assert found(build_trip(items=items(hop, later)), "arrival-buffer") == []


# --- venue-change ------------------------------------------------------------------------------


def test_far_venue_without_transfer() -> None:
    winery = {
        "type": "activity",
        "title": "Winery",
        "place": "winery",
        "start": "2027-03-09 13:00",
        "end": "2027-03-09 16:00",
    }
    [finding] = found(build_trip(items=items(winery)), "venue-change")
    assert "Viña Los Aromos" in finding.message and "no transfer" in finding.message


def test_near_venue_with_enough_gap_or_a_transfer_is_fine() -> None:
    lunch = {**meeting("2027-03-09 13:15", "2027-03-09 14:00"), "place": "hotel", "kind": "meal"}
    assert found(build_trip(items=items(lunch)), "venue-change") == []
    winery = {
        "type": "activity",
        "title": "Winery",
        "place": "winery",
        "start": "2027-03-09 14:00",
        "end": "2027-03-09 16:00",
    }
    drive = {
        "type": "drive",
        "from": "office",
        "to": "winery",
        "start": "2027-03-09 12:40",
        "end": "2027-03-09 13:55",
    }
    assert found(build_trip(items=items(winery, drive)), "venue-change") == []


# --- flights -----------------------------------------------------------------------------------


def test_flight_arriving_before_departure() -> None:
    trip = build_trip(items=items(replace={0: {"arrive": "2027-03-07 09:05"}}))
    [finding] = found(trip, "flight-arrives-before-departure")
    assert finding.severity == "error" and "check the arrival date" in finding.message
    assert found(build_trip(), "flight-arrives-before-departure") == []


def test_flight_too_fast_for_its_distance() -> None:
    trip = build_trip(items=items(replace={0: {"arrive": "2027-03-08 03:05"}}))
    [finding] = found(trip, "flight-too-fast")
    assert finding.severity == "error" and "km/h" in finding.message
    assert found(build_trip(), "flight-too-fast") == []


def test_flight_too_slow_for_its_distance() -> None:
    trip = build_trip(items=items(replace={0: {"arrive": "2027-03-09 09:05"}}))
    assert [f.severity for f in found(trip, "flight-too-slow")] == ["warning"]
    assert found(build_trip(), "flight-too-slow") == []


def feeder(arrive: str, to: str = "MIA") -> dict[str, Any]:
    return {
        "type": "flight",
        "carrier": "AA",
        "number": "1320",
        "from": "BOS",
        "to": to,
        "depart": "2027-03-07 16:10",
        "arrive": arrive,
    }


def test_short_connection() -> None:
    [finding] = found(build_trip(items=items(feeder("2027-03-07 22:00"))), "connection-too-short")
    assert "only 40 min at MIA" in finding.message
    assert found(build_trip(items=items(feeder("2027-03-07 21:00"))), "connection-too-short") == []


def test_connection_from_another_airport() -> None:
    trip = build_trip(items=items(feeder("2027-03-07 19:45", to="FLL")))
    assert len(found(trip, "connection-airport-change")) == 1
    assert (
        found(build_trip(items=items(feeder("2027-03-07 19:45"))), "connection-airport-change")
        == []
    )


# --- nights ------------------------------------------------------------------------------------


def test_night_without_a_stay() -> None:
    trip = build_trip(items=items(replace={2: {"check_out": "2027-03-09 12:00"}}))
    [finding] = found(trip, "night-without-stay")
    assert "night of Tue 2027-03-09" in finding.message
    assert found(build_trip(), "night-without-stay") == []


def test_nights_at_home_before_the_first_flight_need_no_stay() -> None:
    prep = {
        **meeting("2027-03-06 10:00", "2027-03-06 11:00"),
        "place": None,
        "timezone": "America/New_York",
        "kind": "internal",
    }
    assert found(build_trip(items=items(prep)), "night-without-stay") == []


# --- local calendar ----------------------------------------------------------------------------


def test_meeting_outside_business_hours() -> None:
    trip = build_trip(
        items=items(replace={3: {"start": "2027-03-09 07:00", "end": "2027-03-09 08:00"}})
    )
    [finding] = found(trip, "outside-business-hours")
    assert "07:00–08:00" in finding.message
    dinner = {**meeting("2027-03-09 20:30", "2027-03-09 22:30"), "kind": "meal"}
    assert found(build_trip(items=items(dinner)), "outside-business-hours") == []
    late = CheckOptions(business_hours=(BASE_HOURS[0], BASE_HOURS[1]))
    assert found(trip, "outside-business-hours", late) == []


BASE_HOURS = (__import__("datetime").time(7, 0), __import__("datetime").time(18, 0))


def test_weekend_follows_the_country() -> None:
    saturday = meeting("2027-03-13 10:00", "2027-03-13 11:00")
    [finding] = found(build_trip(items=items(saturday)), "weekend-meeting")
    assert "Saturday 2027-03-13, a weekend day in CL" in finding.message
    places = {
        **BASE["places"],
        "tlv": {"name": "Tel Aviv office", "country": "IL", "timezone": "Asia/Jerusalem"},
    }
    friday = {**meeting("2027-03-12 10:00", "2027-03-12 11:00"), "place": "tlv"}
    sunday = {**meeting("2027-03-14 10:00", "2027-03-14 11:00"), "place": "tlv"}
    assert len(found(build_trip(places=places, items=items(friday)), "weekend-meeting")) == 1
    assert found(build_trip(places=places, items=items(sunday)), "weekend-meeting") == []


def test_meeting_on_a_public_holiday() -> None:
    navy_day = meeting("2027-05-21 10:00", "2027-05-21 11:00")
    [finding] = found(build_trip(items=items(navy_day)), "public-holiday")
    assert "public holiday in CL: Navy Day" in finding.message
    assert found(build_trip(), "public-holiday") == []


def test_regional_holidays_need_the_subdivision() -> None:
    places = {
        **BASE["places"],
        "syd": {"name": "Sydney office", "country": "AU", "timezone": "Australia/Sydney"},
    }
    labour_day = {**meeting("2027-10-04 10:00", "2027-10-04 11:00"), "place": "syd"}
    assert found(build_trip(places=places, items=items(labour_day)), "public-holiday") == []
    places["syd"]["subdivision"] = "NSW"
    [finding] = found(build_trip(places=places, items=items(labour_day)), "public-holiday")
    assert "public holiday in AU-NSW: Labor Day" in finding.message


def test_jet_lag_after_a_large_shift() -> None:
    sydney = {
        "type": "flight",
        "carrier": "QF",
        "number": "27",
        "from": "SYD",
        "to": "SCL",
        "depart": "2027-03-08 11:45",
        "arrive": "2027-03-08 10:25",
    }
    ceo = {
        "type": "meeting",
        "kind": "executive_meeting",
        "title": "CEO",
        "place": "office",
        "start": "2027-03-08 16:00",
        "end": "2027-03-08 17:00",
    }
    trip = build_trip(items=[sydney, ceo])
    [finding] = found(trip, "jet-lag")
    assert "10 h time zone shift (Australia/Sydney → America/Santiago)" in finding.message
    assert found(build_trip(), "jet-lag") == []  # Miami to Santiago: 2 h
    # Los Angeles (-07:00) to Sydney (+11:00) is 18 h east, which the body takes as 6 h west.
    lax = {
        "type": "flight",
        "carrier": "UA",
        "number": "863",
        "from": "LAX",
        "to": "SYD",
        "depart": "2027-10-02 22:55",
        "arrive": "2027-10-04 07:50",
    }
    demo = {**ceo, "place": "SYD", "start": "2027-10-04 16:00", "end": "2027-10-04 17:00"}
    [finding] = found(build_trip(items=[lax, demo]), "jet-lag")
    assert "6 h time zone shift" in finding.message


def test_dst_change_during_the_trip_is_a_note() -> None:
    trip = build_trip(items=items(replace={2: {"check_out": "2027-04-05 12:00"}}))
    new_york, santiago = found(trip, "dst-change")  # the home zone counts too
    assert {new_york.severity, santiago.severity} == {"note"}
    assert "America/New_York changes from UTC-05:00 to UTC-04:00 at Sun 2027-03-14 02:00" in (
        new_york.message
    )
    assert "America/Santiago changes from UTC-03:00 to UTC-04:00" in santiago.message
    assert "Sun 2027-04-04 00:00 local time (the clocks then show 23:00)" in santiago.message
    assert found(build_trip(), "dst-change") == []


def test_agenda_outside_its_meeting() -> None:
    agenda = [{"at": "10:00", "title": "Coffee"}, {"at": "11:30", "title": "Vision"}]
    trip = build_trip(items=items(replace={3: {"agenda": agenda}}))
    [finding] = found(trip, "agenda-outside-meeting")
    assert finding.paths == ("items[3].agenda[0]",)


def test_overlapping_stays() -> None:
    second = {
        "type": "stay",
        "place": "office",
        "check_in": "2027-03-09 15:00",
        "check_out": "2027-03-10 11:00",
    }
    assert len(found(build_trip(items=items(second)), "stays-overlap")) == 1
    next_one = {**second, "check_in": "2027-03-10 15:00", "check_out": "2027-03-11 11:00"}
    assert found(build_trip(items=items(next_one)), "stays-overlap") == []


def test_disabled_checks_do_not_run() -> None:
    trip = build_trip(items=items(replace={0: {"arrive": "2027-03-07 09:05"}}))
    options = CheckOptions(disabled=frozenset({"flight-arrives-before-departure"}))
    assert found(trip, "flight-arrives-before-departure", options) == []


def test_findings_are_ordered_by_severity_then_time() -> None:
    trip = build_trip(
        items=items(
            meeting("2027-03-13 10:00", "2027-03-13 11:00"),
            replace={0: {"arrive": "2027-03-07 09:05"}, 2: {"check_out": "2027-04-05 12:00"}},
        )
    )
    ranks = [f.severity.rank for f in check(trip)]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2


# --- the registry, and checks that skip work on large trips ---------------------------------------


def test_the_registry_keeps_its_order() -> None:
    assert list(CODES) == [
        "calendar-conflict",
        "overlap",
        "arrival-buffer",
        "venue-change",
        "flight-arrives-before-departure",
        "flight-too-fast",
        "flight-too-slow",
        "connection-too-short",
        "connection-airport-change",
        "night-without-stay",
        "outside-business-hours",
        "weekend-meeting",
        "public-holiday",
        "jet-lag",
        "dst-change",
        "agenda-outside-meeting",
        "stays-overlap",
    ]


def nights_one_by_one(trip: Trip) -> list[tuple[str, str]]:
    """The night check as it was first written: every night of the trip looked at in turn."""
    entries = [e for e in resolve(trip) if e.item.status != "cancelled"]
    covers = sorted(
        (e.start_utc, e.end_utc) for e in entries if e.item.kind_name == "stay" or e.item.moves
    )
    flights = [e for e in entries if e.item.kind_name == "flight"]
    home = trip.home_zone.key
    begin, finish = entries[0].start_utc, max(e.end_utc for e in entries)
    day, found = entries[0].start.date(), list[tuple[str, str]]()
    while True:
        guess = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=UTC)
        before = [e for e in entries if e.start_utc <= guess]
        where = (before[-1] if before else entries[0]).destination.zone
        instant = datetime.combine(day + timedelta(days=1), time(2, 0), tzinfo=where)
        instant = instant.astimezone(UTC)
        if instant >= finish:
            return found
        day += timedelta(days=1)
        at_home = where.key == home and (
            (flights and instant < flights[0].start_utc)
            or (flights and instant >= flights[-1].end_utc)
        )
        if instant < begin or at_home or any(s <= instant < e for s, e in covers):
            continue
        found.append((f"{day - timedelta(days=1):%Y-%m-%d}", where.key))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),  # the day a stay (or a two-hour walk) starts, from the first
            st.integers(0, 9),  # its nights: none for a walk
            st.sampled_from(["office", "winery", "SYD", "NRT", "HNL", "CXI"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_nights_as_one_by_one(stays: list[tuple[int, int, str]]) -> None:
    """The night check skips nights a stay is known to cover; it finds what looking at every
    night finds, wherever the traveller is (UTC-10 to UTC+14) and however they move."""
    start = datetime(2027, 3, 1, 15, 0)
    extra = [
        {
            "type": "stay",
            "place": place,
            "check_in": f"{start + timedelta(days=first):%Y-%m-%d %H:%M}",
            "check_out": f"{start + timedelta(days=first + nights, hours=-4):%Y-%m-%d %H:%M}",
        }
        if nights
        else {
            "type": "activity",
            "title": "Walk",
            "place": place,
            "start": f"{start + timedelta(days=first):%Y-%m-%d %H:%M}",
            "end": f"{start + timedelta(days=first, hours=2):%Y-%m-%d %H:%M}",
        }
        for first, nights, place in stays
    ]
    trip = build_trip(items=[*BASE["items"], *extra])
    assert sorted(
        (f.message.split("night of ")[1][4:14], f.message.rsplit("(", 1)[1][:-1])
        for f in found(trip, "night-without-stay")
    ) == sorted(nights_one_by_one(trip))


def test_holidays_of_one_country_without_loading_every_country() -> None:
    """The ``holidays`` package's ``countries`` imports every country; tripplan loads the one
    asked for on its own, and its holidays are the package's (checked in a fresh process)."""
    script = (
        "import sys\n"
        "from tripplan import _holidays\n"
        "found = {c: _holidays._holiday_year(c, s, 2027, 'es') for c, s in "
        "[('CL', None), ('US', 'NY'), ('IL', None), ('AU', 'NSW'), ('DE', 'BY')]}\n"
        "print('holidays.countries' in sys.modules)\n"
        "import holidays\n"
        "for (c, s), names in zip([('CL', None), ('US', 'NY'), ('IL', None), ('AU', 'NSW'), "
        "('DE', 'BY')], found.values()):\n"
        "    language, translate = _holidays._naming(c, 'es')\n"
        "    expected = holidays.country_holidays(c, subdiv=s, years=2027, language=language)\n"
        "    assert names == {d: translate(n) for d, n in expected.items()}, c\n"
        "    assert tuple(holidays.list_supported_countries()[c]) == _holidays.subdivisions(c)\n"
        "print('same')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "same"]
