"""Every finding code: one plan that triggers it and one close to it that must not."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripplan import (
    CheckOptions,
    Finding,
    Trip,
    check,
    get_zone,
    load_trip,
    resolve,
    tzdata_version,
)
from tripplan._checks import CODES
from tripplan._zone_checks import skewed_spans

from .support import BASE, EXAMPLES, LIMA_IN_SANTIAGOS_ZONE, build_trip


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
    assert "an international connection needs at least 1 h" in finding.message
    assert found(build_trip(items=items(feeder("2027-03-07 21:00"))), "connection-too-short") == []


def flight(number: str, origin: str, to: str, depart: str, arrive: str) -> dict[str, Any]:
    return {
        "type": "flight",
        "carrier": "AA",
        "number": number,
        "from": origin,
        "to": to,
        "depart": depart,
        "arrive": arrive,
    }


def onward(depart: str, origin: str = "MIA", arrive: str = "") -> dict[str, Any]:
    """A flight on from Miami to Boston after LA 500 lands at MIA (Thu 2027-03-11 05:35)."""
    day = depart[:10]
    return flight("2", origin, "BOS", depart, arrive or f"{day} 12:00")


def test_domestic_connection_needs_45_minutes() -> None:
    def trip(arrive: str) -> Trip:
        legs = [
            flight("1", "BOS", "MIA", "2027-03-02 08:00", arrive),
            flight("2", "MIA", "MCO", "2027-03-02 12:40", "2027-03-02 13:45"),
        ]
        return build_trip(items=legs)

    [finding] = found(trip("2027-03-02 12:00"), "connection-too-short")
    assert "only 40 min at MIA" in finding.message
    assert "a domestic connection needs at least 45 min" in finding.message
    assert found(trip("2027-03-02 11:50"), "connection-too-short") == []  # 50 min
    # min_connection is a floor under every kind's minimum (the command's --min-connection).
    [floor] = found(
        trip("2027-03-02 11:50"),
        "connection-too-short",
        CheckOptions(min_connection=timedelta(hours=1)),
    )
    assert "needs at least 1 h" in floor.message
    shorter = CheckOptions(domestic_connection=timedelta(minutes=30))
    assert found(trip("2027-03-02 12:00"), "connection-too-short", shorter) == []


def test_international_to_domestic_connection_needs_90_minutes() -> None:
    # LA 500 SCL→MIA lands at 05:35: immigration, customs and the bags before a domestic flight.
    [finding] = found(build_trip(items=items(onward("2027-03-11 06:50"))), "connection-too-short")
    assert "only 1 h 15 min at MIA" in finding.message
    assert "an international-to-domestic connection" in finding.message
    assert "needs at least 1 h 30 min" in finding.message
    assert found(build_trip(items=items(onward("2027-03-11 07:10"))), "connection-too-short") == []


def test_international_connection_needs_an_hour() -> None:
    # From an international flight to another one: LA 500 lands at MIA, then on to Madrid.
    madrid = flight("3", "MIA", "MAD", "2027-03-11 06:25", "2027-03-11 20:00")
    [finding] = found(build_trip(items=items(madrid)), "connection-too-short")
    assert (
        "only 50 min at MIA" in finding.message and "an international connection" in finding.message
    )
    later = {**madrid, "depart": "2027-03-11 06:40"}
    assert found(build_trip(items=items(later)), "connection-too-short") == []


def test_connection_from_another_airport() -> None:
    trip = build_trip(items=items(feeder("2027-03-07 19:45", to="FLL")))
    [finding] = found(trip, "connection-airport-change")
    assert "only 2 h 55 min between AA 1320 BOS→FLL landing at FLL" in finding.message
    assert (
        "leaving from MIA" in finding.message
        and "km away, with no transfer planned" in finding.message
    )
    assert "changing airports needs at least 3 h" in finding.message
    assert (
        found(build_trip(items=items(feeder("2027-03-07 19:45"))), "connection-airport-change")
        == []
    )
    quicker = CheckOptions(airport_change_connection=timedelta(hours=2))
    [unplanned] = found(trip, "connection-airport-change", quicker)
    assert "2 h 55 min later, with no transfer planned" in unplanned.message


def test_airport_change_with_a_transfer_and_enough_time_is_fine() -> None:
    ride = {
        "type": "transfer",
        "from": "MIA",
        "to": "FLL",
        "start": "2027-03-11 06:15",
        "end": "2027-03-11 07:00",
    }
    enough = build_trip(items=items(ride, onward("2027-03-11 09:00", origin="FLL")))
    assert found(enough, "connection-airport-change") == []
    assert found(enough, "connection-too-short") == []
    tight = build_trip(items=items(ride, onward("2027-03-11 08:00", origin="FLL")))
    [finding] = found(tight, "connection-airport-change")
    assert "only 2 h 25 min" in finding.message and "no transfer" not in finding.message
    far = build_trip(items=items(onward("2027-03-11 09:00", origin="FLL")))  # no ride
    [finding] = found(far, "connection-airport-change")
    assert "3 h 25 min later, with no transfer planned" in finding.message


# --- nights ------------------------------------------------------------------------------------


def test_night_without_a_stay() -> None:
    trip = build_trip(items=items(replace={2: {"check_out": "2027-03-09 12:00"}}))
    [finding] = found(trip, "night-without-stay")
    assert finding.message == (
        "no hotel or overnight journey for the night of Tue 9 March 2027, at Cordillera Seguros "
        "(America/Santiago)"
    )
    assert found(build_trip(), "night-without-stay") == []


def test_nights_in_a_row_are_one_finding() -> None:
    trip = build_trip(
        items=items(
            replace={
                2: {"check_out": "2027-03-09 12:00"},
                4: {"depart": "2027-03-12 22:55", "arrive": "2027-03-13 05:35"},
            }
        )
    )
    [finding] = found(trip, "night-without-stay")
    assert finding.message == (
        "3 nights without a hotel or an overnight journey: the nights of Tue 9 – Thu 11 March "
        "2027, at Cordillera Seguros (America/Santiago)"
    )
    assert finding.at == datetime(2027, 3, 10, 5, 0, tzinfo=UTC)  # 02:00 -03, the first night


def test_months_without_a_hotel_are_one_finding_not_one_a_night() -> None:
    home = {"depart": "2027-06-29 22:55", "arrive": "2027-06-30 05:35"}
    without_hotel = [i for i in items(replace={4: home}) if i["type"] != "stay"]
    [finding] = found(build_trip(items=without_hotel), "night-without-stay")
    assert finding.message == (
        "113 nights without a hotel or an overnight journey: the nights of Mon 8 March – Mon 28 "
        "June 2027, at Hotel Andino, at Cordillera Seguros (America/Santiago)"
    )


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


# --- zone data --------------------------------------------------------------------------------

# Debian's libc-bin ships zic (tools/install-test-deps makes sure of it).
ZIC = shutil.which("zic") or "/usr/sbin/zic"


def zoneinfo_folder(folder: Path, source: str, version: str | None = "2025b") -> str:
    """A zoneinfo folder as a machine has one: ``source`` (zic's input) compiled, and a
    tzdata.zi whose first line gives the release."""
    (folder.parent / f"{folder.name}.zi").write_text(source, encoding="ascii")
    assert ZIC is not None
    subprocess.run([ZIC, "-d", str(folder), str(folder.parent / f"{folder.name}.zi")], check=True)
    if version is not None:
        (folder / "tzdata.zi").write_text(f"# version {version}\n{source}", encoding="ascii")
    return str(folder)


def skew(folder: str) -> CheckOptions:
    return CheckOptions(system_zoneinfo=folder)


def test_zone_data_skew_names_what_older_clients_show(tmp_path: Path) -> None:
    # A machine whose Santiago keeps UTC-04:00 all year; tripplan's keeps -03 until 4 April 2027.
    folder = zoneinfo_folder(tmp_path / "old", "Zone America/Santiago -4:00 - -04\n")
    [note] = found(build_trip(), "zone-data-skew", skew(folder))
    assert note.severity == "note"
    assert note.message == (
        "LA 501 MIA→SCL lands in Santiago on 2027-03-08 at 09:05 (America/Santiago): that is "
        f"12:05Z with tzdata {tzdata_version()} and 13:05Z with the system's 2025b; calendar "
        "clients that use their own zone database will show it at 13:05Z, 1 h late (so do 4 "
        "more items of the trip in America/Santiago, up to 2027-03-10)"
    )
    assert note.items[0] == "flight-la501-20270307" and len(note.items) == 5
    # Miami and New York are not in that folder: nothing to compare them with.
    assert all(
        "America/New_York" not in f.message
        for f in found(build_trip(), "zone-data-skew", skew(folder))
    )


def test_zone_data_skew_only_at_the_instants_of_the_trip(tmp_path: Path) -> None:
    # Daylight saving time that ends a week later than tripplan's data says (11 April 2027, not
    # the 4th): the same offsets for the trip in March, another one for a stay into April.
    rules = (
        "Rule Late 2020 max - Apr Sun>=8 3:00u 0 -\n"
        "Rule Late 2020 max - Sep Sun>=2 4:00u 1:00 -\n"
        "Zone America/Santiago -4:00 Late -04/-03\n"
    )
    folder = zoneinfo_folder(tmp_path / "late", rules, version=None)
    assert found(build_trip(), "zone-data-skew", skew(folder)) == []
    april = build_trip(items=items(replace={2: {"check_out": "2027-04-05 12:00"}}))
    [note] = found(april, "zone-data-skew", skew(folder))
    assert note.message.startswith(
        "'Hotel Andino' ends at Hotel Andino on 2027-04-05 at 12:00 (America/Santiago): that is "
        "16:00Z with tzdata"
    )
    assert f"15:00Z with the system's zone data ({folder})" in note.message
    assert "show it at 15:00Z, 1 h early" in note.message
    assert note.paths == ("items[2]",)


def test_zone_data_that_agrees_is_silent(tmp_path: Path) -> None:
    # The same zone as tripplan's (its file, byte for byte) and a folder without the zone.
    folder = tmp_path / "same"
    (folder / "America").mkdir(parents=True)
    (folder / "America" / "Santiago").write_bytes(
        resources.files("tzdata.zoneinfo").joinpath("America", "Santiago").read_bytes()
    )
    (folder / "tzdata.zi").write_text(f"# version {tzdata_version()}\n", encoding="ascii")
    april = build_trip(items=items(replace={2: {"check_out": "2027-04-05 12:00"}}))
    assert found(april, "zone-data-skew", skew(str(folder))) == []
    assert found(april, "zone-data-skew", skew(str(tmp_path / "nowhere"))) == []
    assert found(april, "zone-data-skew", skew("")) == []


def test_zone_data_skew_reads_the_first_zoneinfo_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = zoneinfo_folder(tmp_path / "old", "Zone America/Santiago -4:00 - -04\n")
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path / "missing"), folder))
    assert len(found(build_trip(), "zone-data-skew")) == 1
    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    assert found(build_trip(), "zone-data-skew") == []


def test_zone_data_skew_on_a_long_trip_is_grouped(tmp_path: Path) -> None:
    """Two years of weekly meetings: one note per span in which the data disagree."""
    rules = (
        "Rule Late 2020 max - Apr Sun>=8 3:00u 0 -\n"
        "Rule Late 2020 max - Sep Sun>=2 4:00u 1:00 -\n"
        "Zone America/Santiago -4:00 Late -04/-03\n"
    )
    folder = zoneinfo_folder(tmp_path / "late", rules)
    weekly = [
        meeting(f"{day:%Y-%m-%d} 10:00", f"{day:%Y-%m-%d} 11:00", title=f"Weekly {n}")
        for n, day in enumerate(datetime(2027, 3, 15) + timedelta(weeks=w) for w in range(104))
    ]
    trip = build_trip(items=items(*weekly, replace={2: {"check_out": "2029-03-15 12:00"}}))
    notes = found(trip, "zone-data-skew", skew(folder))
    # The week after each first Sunday of April, 2027 and 2028.
    assert [(n.items, n.message[:60]) for n in notes] == [
        (("meeting-weekly-3",), "'Weekly 3' starts at Cordillera Seguros on 2027-04-05 at 10:"),
        (("meeting-weekly-55",), "'Weekly 55' starts at Cordillera Seguros on 2028-04-03 at 10"),
    ]


def test_skewed_spans_are_where_the_offsets_differ(tmp_path: Path) -> None:
    """The comparison reads each zone's changes, not every instant of the trip: it finds what
    comparing every hour finds, for a fixed offset, other rules, and the same zone."""
    source = (
        "Rule Late 2020 max - Apr Sun>=8 3:00u 0 -\n"
        "Rule Late 2020 max - Sep Sun>=2 4:00u 1:00 -\n"
        "Zone America/Santiago -4:00 Late -04/-03\n"
        "Zone Africa/Casablanca 1:00 - +01\n"
        "Zone America/New_York -5:00 US E%sT\n"
        "Rule US 2007 max - Mar Sun>=8 2:00 1:00 D\n"
        "Rule US 2007 max - Nov Sun>=1 2:00 0 S\n"
    )
    folder = zoneinfo_folder(tmp_path / "mixed", source)
    start, end = datetime(2026, 11, 1, 3, 30, tzinfo=UTC), datetime(2028, 12, 1, tzinfo=UTC)
    for key in ("America/Santiago", "Africa/Casablanca", "America/New_York"):
        spans = skewed_spans(key, folder, start, end)
        theirs = ZoneInfo.from_file(io.BytesIO((Path(folder) / key).read_bytes()), key=key)
        at = start
        while at <= end:
            differ = at.astimezone(get_zone(key)).utcoffset() != at.astimezone(theirs).utcoffset()
            assert differ == any(a <= at < b for a, b in spans), (key, at)
            at += timedelta(hours=1)
        assert (spans == []) == (key == "America/New_York")


# --- zone-mismatch -----------------------------------------------------------------------------


def test_place_whose_coordinates_are_in_another_zone() -> None:
    # Lima keeps UTC-05:00; Santiago's zone is -03:00 in March.
    places = {
        **BASE["places"],
        "lima": LIMA_IN_SANTIAGOS_ZONE,
    }
    lima = {**meeting("2027-03-09 15:00", "2027-03-09 16:00"), "place": "lima"}
    [finding] = found(build_trip(places=places, items=items(lima)), "zone-mismatch")
    assert finding.severity == "warning" and finding.paths == ("items[5]",)
    assert finding.message == (
        "place 'lima' (Oficina Lima) gives the timezone America/Santiago, but its coordinates "
        "(-12.0464, -77.0428) are in America/Lima: at Tue 2027-03-09 15:00 -03 it is UTC-05:00 "
        "there, not UTC-03:00; check the place's timezone and geo"
    )


def test_zones_that_keep_the_same_time_during_the_trip_do_not_mismatch() -> None:
    # Buenos Aires keeps -03:00, as Santiago does in March (not in May); a link's name is its zone.
    places = {
        **BASE["places"],
        "baires": {
            "name": "Oficina BA",
            "timezone": "America/Santiago",
            "geo": [-34.6037, -58.3816],
        },
        "alias": {
            "name": "Oficina",
            "timezone": "America/Buenos_Aires",
            "geo": [-34.6037, -58.3816],
        },
        "nogeo": {"name": "Sin coordenadas", "timezone": "Asia/Tokyo"},
    }
    march = [
        {**meeting(f"2027-03-09 {h}:00", f"2027-03-09 {h}:30"), "place": p}
        for h, p in ((15, "baires"), (16, "alias"), (17, "nogeo"))
    ]
    assert found(build_trip(places=places, items=items(*march)), "zone-mismatch") == []
    may = {**meeting("2027-05-10 15:00", "2027-05-10 16:00"), "place": "baires"}
    [finding] = found(build_trip(places=places, items=items(may)), "zone-mismatch")
    assert "are in America/Argentina/Buenos_Aires" in finding.message


# --- the registry, and checks that skip work on large trips ---------------------------------------


def test_the_registry_keeps_its_order() -> None:
    assert list(CODES) == [
        "calendar-conflict",
        "overlap",
        "arrival-buffer",
        "no-travel",
        "venue-change",
        "flight-arrives-before-departure",
        "flight-too-fast",
        "flight-too-slow",
        "connection-too-short",
        "connection-airport-change",
        "night-without-stay",
        "outside-business-hours",
        "attendee-hours",
        "weekend-meeting",
        "public-holiday",
        "jet-lag",
        "dst-change",
        "zone-mismatch",
        "zone-data-skew",
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
    # Nights in a row in one zone are one finding, from the first (its instant) for a count.
    runs: list[tuple[str, int, str]] = []
    for day, zone in nights_one_by_one(trip):
        evening = datetime.strptime(day, "%Y-%m-%d").date()
        if runs and runs[-1][2] == zone:
            first, count, _ = runs[-1]
            if datetime.strptime(first, "%Y-%m-%d").date() + timedelta(days=count) == evening:
                runs[-1] = (first, count + 1, zone)
                continue
        runs.append((day, 1, zone))
    reported = []
    for f in found(trip, "night-without-stay"):
        zone = f.message.rsplit("(", 1)[1][:-1]
        assert f.at is not None
        evening = f.at.astimezone(get_zone(zone)).date() - timedelta(days=1)
        count = 1 if f.message.startswith("no hotel") else int(f.message.split()[0])
        reported.append((f"{evening:%Y-%m-%d}", count, zone))
    assert sorted(reported) == sorted(runs)


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
