"""Zones come from the tzdata package, and ``transitions`` finds every change of a zone's offset."""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
import tzdata
from hypothesis import given, settings
from hypothesis import strategies as st

from tripplan import _zones
from tripplan._exceptions import TripplanError, ZoneError
from tripplan._zones import (
    Transition,
    country_zones,
    get_zone,
    is_zone,
    transitions,
    tzdata_version,
    zone_names,
)

# Zones with odd offsets and odd daylight-saving rules.
ZONES = (
    "America/Santiago",  # changes at local midnight
    "America/St_Johns",  # -03:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Europe/Dublin",  # negative DST in tzdata
    "Africa/Casablanca",  # DST suspended for Ramadan
    "Pacific/Apia",  # skipped 2011-12-30
    "America/New_York",
    "Europe/Madrid",
    "Asia/Tehran",
    "Australia/Sydney",
    "Pacific/Kiritimati",  # +14, skipped 1994-12-31
)

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)


def utc(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, second, tzinfo=UTC)


def offset(hours: int, minutes: int = 0) -> timedelta:
    sign = -1 if hours < 0 else 1
    return sign * timedelta(hours=abs(hours), minutes=minutes)


# --- get_zone and the zone data --------------------------------------------------------------


@pytest.mark.parametrize("name", [*ZONES, "UTC", "Etc/UTC", "Asia/Tokyo", "US/Eastern"])
def test_get_zone_keys_the_zone_by_its_name(name: str) -> None:
    zone = get_zone(name)
    assert isinstance(zone, zoneinfo.ZoneInfo)
    assert zone.key == name
    assert str(zone) == name
    assert get_zone(name) is zone  # cached
    assert is_zone(name)
    assert name in zone_names()


@pytest.mark.parametrize("name", ZONES)
def test_get_zone_matches_the_tzdata_file(name: str) -> None:
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as f:
        reference = zoneinfo.ZoneInfo.from_file(f, key=name)
    zone = get_zone(name)
    instant = utc(1970, 1, 1)
    while instant < utc(2038, 1, 1):
        assert instant.astimezone(zone).utcoffset() == instant.astimezone(reference).utcoffset()
        assert instant.astimezone(zone).tzname() == instant.astimezone(reference).tzname()
        instant += timedelta(days=29, hours=7)


def test_get_zone_ignores_the_system_zone_files(tmp_path: Path) -> None:
    """Put a fake America/New_York (really Asia/Tokyo) first on the system search path: the
    standard library picks it up, tripplan must not."""
    fake = tmp_path / "America" / "New_York"
    fake.parent.mkdir()
    fake.write_bytes(resources.files("tzdata.zoneinfo").joinpath("Asia", "Tokyo").read_bytes())
    script = (
        "import zoneinfo\n"
        "from datetime import datetime, timezone\n"
        "from tripplan._zones import get_zone\n"
        "jan = datetime(2027, 1, 15, 12, tzinfo=timezone.utc)\n"
        "before = zoneinfo.TZPATH\n"
        "print(jan.astimezone(zoneinfo.ZoneInfo('America/New_York')).utcoffset())\n"
        "print(jan.astimezone(get_zone('America/New_York')).utcoffset())\n"
        f"print(zoneinfo.TZPATH == before == ({str(tmp_path)!r},))\n"
    )
    env = {**os.environ, "PYTHONTZPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    system, ours, tzpath_kept = done.stdout.split("\n")[:3]
    assert system == "9:00:00"  # the fake is really what the system lookup finds
    assert ours == "-1 day, 19:00:00"  # -05:00, from the tzdata package
    assert tzpath_kept == "True"


def test_loading_zones_leaves_zoneinfo_tzpath_alone() -> None:
    before = zoneinfo.TZPATH
    for name in [*ZONES, "Antarctica/Troll", "America/Argentina/Ushuaia", "Etc/GMT+12"]:
        get_zone(name)
    assert before == zoneinfo.TZPATH


def test_tzdata_version_is_the_package_release() -> None:
    assert tzdata_version() == tzdata.IANA_VERSION
    assert len(tzdata_version()) == 5
    assert tzdata_version()[:4].isdigit()


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("america/new_york", "America/New_York"),
        ("America/Nueva_York", "America/New_York"),
        ("AMERICA/SANTIAGO", "America/Santiago"),
        ("Europe/Madird", "Europe/Madrid"),
    ],
)
def test_unknown_zone_suggests_the_spelling(name: str, suggestion: str) -> None:
    with pytest.raises(ZoneError) as caught:
        get_zone(name)
    message = str(caught.value)
    assert repr(name) in message
    assert f"did you mean {suggestion}?" in message
    assert not is_zone(name)


@pytest.mark.parametrize("name", ["Nowhere/Special", "", "America", "../etc/passwd", "zoneinfo"])
def test_unknown_zone_without_a_close_name(name: str) -> None:
    with pytest.raises(ZoneError, match="unknown time zone") as caught:
        get_zone(name)
    assert "did you mean" not in str(caught.value)
    assert "expected an IANA name like Europe/Madrid" in str(caught.value)


def test_zone_error_is_a_value_error_and_a_tripplan_error() -> None:
    with pytest.raises(ValueError):
        get_zone("Mars/Olympus_Mons")
    with pytest.raises(TripplanError):
        get_zone("Mars/Olympus_Mons")


def test_country_zones() -> None:
    chile = country_zones("CL")
    assert len(chile) > 1
    assert "America/Santiago" in chile
    assert "Pacific/Easter" in chile
    assert country_zones("FR") == ("Europe/Paris",)
    assert country_zones("XX") == ()
    for zones in (chile, country_zones("US"), country_zones("AU")):
        assert all(is_zone(z) for z in zones)


# --- transitions: fixed cases ----------------------------------------------------------------


def year(name: str, y: int) -> list[Transition]:
    return transitions(get_zone(name), utc(y, 1, 1), utc(y + 1, 1, 1))


def test_new_york_2027() -> None:
    spring, autumn = year("America/New_York", 2027)
    assert spring.zone == autumn.zone == "America/New_York"

    assert spring.instant == utc(2027, 3, 14, 7)
    assert spring.offset_before == offset(-5)
    assert spring.offset_after == offset(-4)
    assert (spring.name_before, spring.name_after, spring.dst_after) == ("EST", "EDT", True)
    assert spring.local_before == datetime(2027, 3, 14, 2, 0)
    assert spring.local_after == datetime(2027, 3, 14, 3, 0)

    assert autumn.instant == utc(2027, 11, 7, 6)
    assert autumn.offset_before == offset(-4)
    assert autumn.offset_after == offset(-5)
    assert (autumn.name_before, autumn.name_after, autumn.dst_after) == ("EDT", "EST", False)
    assert autumn.local_before == datetime(2027, 11, 7, 2, 0)
    assert autumn.local_after == datetime(2027, 11, 7, 1, 0)


def test_new_york_2027_exactly_two() -> None:
    assert len(year("America/New_York", 2027)) == 2


def test_santiago_2027_changes_at_local_midnight() -> None:
    autumn, spring = year("America/Santiago", 2027)
    assert autumn.instant == utc(2027, 4, 4, 3)
    assert (autumn.offset_before, autumn.offset_after) == (offset(-3), offset(-4))
    assert autumn.local_before == datetime(2027, 4, 4, 0, 0)
    assert autumn.local_after == datetime(2027, 4, 3, 23, 0)

    assert spring.instant == utc(2027, 9, 5, 4)
    assert (spring.offset_before, spring.offset_after) == (offset(-4), offset(-3))
    assert spring.local_before == datetime(2027, 9, 5, 0, 0)
    assert spring.local_after == datetime(2027, 9, 5, 1, 0)


def test_lord_howe_shifts_by_half_an_hour() -> None:
    autumn, spring = year("Australia/Lord_Howe", 2027)
    assert autumn.instant == utc(2027, 4, 3, 15)
    assert (autumn.offset_before, autumn.offset_after) == (offset(11), offset(10, 30))
    assert autumn.local_before == datetime(2027, 4, 4, 2, 0)
    assert autumn.local_after == datetime(2027, 4, 4, 1, 30)

    assert spring.instant == utc(2027, 10, 2, 15, 30)
    assert (spring.offset_before, spring.offset_after) == (offset(10, 30), offset(11))
    assert spring.local_before == datetime(2027, 10, 3, 2, 0)
    assert spring.local_after == datetime(2027, 10, 3, 2, 30)


def test_apia_skips_2011_12_30() -> None:
    skip = year("Pacific/Apia", 2011)[-1]
    assert skip.instant == utc(2011, 12, 30, 10)
    assert (skip.offset_before, skip.offset_after) == (offset(-10), offset(14))
    assert skip.local_before == datetime(2011, 12, 30, 0, 0)
    assert skip.local_after == datetime(2011, 12, 31, 0, 0)


@pytest.mark.parametrize("name", ["Asia/Tokyo", "Asia/Kathmandu", "Pacific/Kiritimati", "UTC"])
def test_zones_without_dst_have_no_transitions(name: str) -> None:
    assert transitions(get_zone(name), utc(2027, 1, 1), utc(2028, 1, 1)) == []


def test_tokyo_has_none_since_1970() -> None:
    assert transitions(get_zone("Asia/Tokyo"), utc(1970, 1, 1), utc(2038, 1, 1)) == []


def test_tehran_stopped_dst_in_2022() -> None:
    assert len(year("Asia/Tehran", 2022)) == 2
    assert year("Asia/Tehran", 2027) == []


def test_bounds_may_be_in_any_zone() -> None:
    ny = get_zone("America/New_York")
    local_bounds = transitions(ny, datetime(2027, 1, 1, tzinfo=ny), datetime(2028, 1, 1, tzinfo=ny))
    utc_bounds = transitions(ny, utc(2027, 1, 1, 5), utc(2028, 1, 1, 5))
    assert local_bounds == utc_bounds
    assert len(local_bounds) == 2


def test_end_is_exclusive() -> None:
    ny = get_zone("America/New_York")
    assert transitions(ny, utc(2027, 3, 14), utc(2027, 3, 14, 7)) == []
    found = transitions(ny, utc(2027, 3, 14), utc(2027, 3, 14, 7) + SECOND)
    assert [t.instant for t in found] == [utc(2027, 3, 14, 7)]


def test_empty_and_short_ranges() -> None:
    ny = get_zone("America/New_York")
    assert transitions(ny, utc(2027, 3, 14, 7), utc(2027, 3, 14, 7)) == []
    assert transitions(ny, utc(2027, 6, 1), utc(2027, 6, 1, 0, 0, 1)) == []


def test_start_is_inclusive() -> None:
    ny = get_zone("America/New_York")
    found = transitions(ny, utc(2027, 3, 14, 7), utc(2027, 3, 15))
    assert [t.instant for t in found] == [utc(2027, 3, 14, 7)]


def test_ranges_split_at_a_transition_concatenate() -> None:
    ny = get_zone("America/New_York")
    whole = transitions(ny, utc(2027, 1, 1), utc(2028, 1, 1))
    split = utc(2027, 11, 7, 6)
    parts = transitions(ny, utc(2027, 1, 1), split) + transitions(ny, split, utc(2028, 1, 1))
    assert parts == whole


@pytest.mark.parametrize("name", ["America/New_York", "Australia/Lord_Howe", "Africa/Casablanca"])
def test_ranges_split_between_transitions_concatenate(name: str) -> None:
    zone = get_zone(name)
    whole = transitions(zone, utc(2025, 1, 1), utc(2029, 1, 1))
    cuts = [utc(2025, 1, 1), utc(2026, 5, 17, 3, 33, 20), utc(2027, 1, 1), utc(2029, 1, 1)]
    parts = [t for a, b in itertools.pairwise(cuts) for t in transitions(zone, a, b)]
    assert parts == whole
    assert len(whole) >= 5


@functools.cache
def around(name: str, y: int) -> tuple[Transition, ...]:
    """The transitions of three years, y - 1 to y + 1: a superset of what any range drawn
    within years y and y + 1 can hold."""
    return tuple(transitions(get_zone(name), utc(y - 1, 1, 1), utc(y + 2, 1, 1)))


NEAR = [-2, -1, 0, 1, 2]  # seconds around a transition


@st.composite
def zone_and_range(draw: st.DrawFn) -> tuple[str, int, datetime, datetime]:
    name = draw(st.sampled_from(ZONES))
    y = draw(st.integers(1971, 2036))
    known = around(name, y)

    def bound() -> datetime:
        if len(known) > 0 and draw(st.booleans()):
            instant = draw(st.sampled_from(known)).instant
            return instant + timedelta(seconds=draw(st.sampled_from(NEAR)))
        return utc(y, 1, 1) + timedelta(seconds=draw(st.integers(0, 730 * 86400)))

    start, end = sorted((bound(), bound()))
    if draw(st.booleans()):  # the bounds may be given in any zone
        start, end = start.astimezone(get_zone(name)), end.astimezone(get_zone("Asia/Tokyo"))
    return name, y, start, end


@settings(max_examples=200, deadline=None)
@given(zone_and_range())
def test_transitions_in_a_range_are_those_of_a_wider_range_within_it(
    case: tuple[str, int, datetime, datetime],
) -> None:
    name, y, start, end = case
    found = transitions(get_zone(name), start, end)
    assert found == [t for t in around(name, y) if start <= t.instant < end]


def test_bounds_with_fractions_of_a_second() -> None:
    ny = get_zone("America/New_York")
    change = utc(2027, 3, 14, 7)
    just_after = transitions(ny, utc(2027, 3, 14), change + timedelta(microseconds=1))
    assert [t.instant for t in just_after] == [change]
    sampled_late = transitions(
        ny, utc(2027, 3, 13, 19, 0, 1) + timedelta(seconds=0.5), utc(2027, 3, 15)
    )
    assert [t.instant for t in sampled_late] == [change]


# --- transitions against a brute-force scan --------------------------------------------------


def hourly_changes(
    name: str, start: datetime, end: datetime
) -> list[tuple[datetime, timedelta, timedelta]]:
    """(hour after which the offset differs, offset before, offset after), by sampling every hour."""
    zone = get_zone(name)
    found = []
    hour = start
    previous = start.astimezone(zone).utcoffset()
    while hour < end:
        current = (hour + HOUR).astimezone(zone).utcoffset()
        assert previous is not None and current is not None
        if current != previous:
            found.append((hour, previous, current))
        hour, previous = hour + HOUR, current
    return found


SCANS = [(name, 2027) for name in ZONES] + [
    ("Pacific/Apia", 2011),
    ("Pacific/Kiritimati", 1994),
    ("Africa/Casablanca", 2019),
    ("Europe/Dublin", 1971),
    ("Asia/Tehran", 2022),
    ("America/Santiago", 2016),
    ("Pacific/Chatham", 1990),
    ("Australia/Lord_Howe", 1985),
    ("America/St_Johns", 1988),
]


@pytest.mark.parametrize(("name", "y"), SCANS)
def test_transitions_agree_with_an_hourly_scan(name: str, y: int) -> None:
    zone = get_zone(name)
    start, end = utc(y, 1, 1), utc(y + 1, 1, 1)
    expected = hourly_changes(name, start, end)
    found = transitions(zone, start, end)
    changes = [t for t in found if t.offset_before != t.offset_after]
    assert len(changes) == len(expected)
    for t, (hour, before, after) in zip(changes, expected, strict=True):
        assert hour < t.instant <= hour + HOUR
        assert (t.offset_before, t.offset_after) == (before, after)
    for t in found:
        assert t.zone == name
        assert t.instant.utcoffset() == timedelta(0)
        assert t.instant.microsecond == 0
        assert start <= t.instant < end
        # To the second: the old state one second before, the new one at the instant.
        old, new = (t.instant - SECOND).astimezone(zone), t.instant.astimezone(zone)
        assert (old.utcoffset(), old.tzname()) == (t.offset_before, t.name_before)
        assert (new.utcoffset(), new.tzname(), bool(new.dst())) == (
            t.offset_after,
            t.name_after,
            t.dst_after,
        )
        assert t.local_before == (t.instant + t.offset_before).replace(tzinfo=None)
        assert t.local_after == (t.instant + t.offset_after).replace(tzinfo=None)
    instants = [t.instant for t in found]
    assert instants == sorted(set(instants))


def test_the_scanned_years_do_change() -> None:
    """The scans above must have something to compare in the years picked for their events."""
    assert hourly_changes("Pacific/Apia", utc(2011, 1, 1), utc(2012, 1, 1))[-1][1:] == (
        offset(-10),
        offset(14),
    )
    kiritimati = hourly_changes("Pacific/Kiritimati", utc(1994, 1, 1), utc(1995, 1, 1))
    assert [c[1:] for c in kiritimati] == [(offset(-10), offset(14))]
    assert len(hourly_changes("Africa/Casablanca", utc(2019, 1, 1), utc(2020, 1, 1))) == 2


# --- transitions read from the zone files --------------------------------------------------------


@pytest.mark.parametrize("name", ZONES)
def test_transitions_from_the_zone_file_are_those_a_scan_finds(name: str) -> None:
    """The instants listed in the TZif file and given by its POSIX rule are every change a scan
    of the zone every 12 hours (with each change bisected to the second) finds."""
    zone = get_zone(name)
    start, end = utc(1990, 1, 1), utc(2045, 1, 1)
    assert _zones._transitions(zone, start, end) == _zones._sampled(zone, start, end)


def test_a_zone_not_from_tzdata_is_scanned() -> None:
    with resources.files("tzdata.zoneinfo").joinpath("America", "New_York").open("rb") as f:
        other = zoneinfo.ZoneInfo.from_file(f, key="America/New_York")
    assert other is not get_zone("America/New_York")
    assert transitions(other, utc(2027, 1, 1), utc(2028, 1, 1)) == year("America/New_York", 2027)


@pytest.mark.parametrize(
    ("rule", "year", "start", "end"),
    [
        ("EST5EDT,M3.2.0,M11.1.0", 2027, utc(2027, 3, 14, 7), utc(2027, 11, 7, 6)),
        # Santiago: 24:00 on the first Saturday on or after the 2nd, in standard and daylight time.
        ("<-04>4<-03>,M9.1.6/24,M4.1.6/24", 2027, utc(2027, 9, 5, 4), utc(2027, 4, 4, 3)),
        # Jerusalem: 26:00 on the Thursday before the last Sunday of March.
        ("IST-2IDT,M3.4.4/26,M10.5.0", 2027, utc(2027, 3, 26, 0), utc(2027, 10, 30, 23)),
        # Julian days never count 29 February; zero-based days do.
        ("AAA3BBB,J60/0,J300/0", 2028, utc(2028, 3, 1, 3), utc(2028, 10, 27, 2)),
        ("AAA3BBB,59/0,300/0", 2028, utc(2028, 2, 29, 3), utc(2028, 10, 27, 2)),
        (
            "AAA-10BBB-11:30,M10.5.0/2:30,M4.1.0/-1",
            2027,
            utc(2027, 10, 30, 16, 30),
            utc(2027, 4, 3, 11, 30),
        ),
    ],
)
def test_posix_rules(rule: str, year: int, start: datetime, end: datetime) -> None:
    parsed = _zones._PosixRule.parse(rule)
    assert parsed is not None
    epoch = utc(1970, 1, 1)
    assert parsed.instants(year) == (
        int((start - epoch).total_seconds()),
        int((end - epoch).total_seconds()),
    )


def test_posix_rules_without_daylight_time_and_bad_ones() -> None:
    assert _zones._PosixRule.parse("<+09>-9") is None
    for bad in ("EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,J0,J365", "EST5EDT,M3.2.0"):
        with pytest.raises(ValueError):
            _zones._PosixRule.parse(bad)


@pytest.mark.parametrize("name", ZONES)
def test_no_zone_changes_twice_within_days(name: str) -> None:
    """What lets ``_time.resolve`` decide most wall times from the offsets two days around."""
    assert _zones.steady_since(get_zone(name)) == datetime.min
