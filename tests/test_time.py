"""Local wall time -> instant: every answer round-trips, and gaps and folds are errors."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tripplan import _time
from tripplan._time import is_repeated, resolve, to_utc, wall_of
from tripplan._types import WallTime
from tripplan._zones import Transition, get_zone, transitions

ZONES = (
    "America/Santiago",  # changes at local midnight
    "America/St_Johns",  # -03:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Europe/Dublin",  # negative DST in tzdata
    "Africa/Casablanca",
    "Pacific/Apia",  # skipped a whole day, 2011-12-30
    "America/New_York",
    "Europe/Madrid",
    "Asia/Tehran",
    "Australia/Sydney",
    "Pacific/Kiritimati",  # +14
)

FIRST = datetime(1970, 1, 1)
LAST = datetime(2037, 12, 31, 23, 59, 59, 999999)
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def fmt(offset: timedelta) -> str:
    """Written here rather than imported, so the messages are checked against an independent spelling."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def wall(text: str) -> WallTime:
    return WallTime.parse(text)


def fold_offsets(local: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    first = local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local.replace(tzinfo=zone, fold=1).utcoffset()
    assert first is not None and second is not None
    return first, second


def instants_showing(local: datetime, zone: ZoneInfo) -> dict[timedelta, datetime]:
    """Every instant (by its offset) at which the clocks of ``zone`` show ``local``: an offset
    the zone could have there is real if the instant it names converts back to the same wall
    time on the same offset."""
    found = {}
    for off in fold_offsets(local, zone):
        instant = (local - off).replace(tzinfo=UTC)
        back = instant.astimezone(zone)
        if back.replace(tzinfo=None) == local and back.utcoffset() == off:
            found[off] = instant
    return found


@functools.cache
def offset_changes(name: str) -> tuple[Transition, ...]:
    found = transitions(
        get_zone(name), datetime(1970, 1, 1, tzinfo=UTC), datetime(2038, 1, 1, tzinfo=UTC)
    )
    return tuple(t for t in found if t.offset_before != t.offset_after)


# --- strategies ------------------------------------------------------------------------------

zone_names = st.sampled_from(ZONES)
any_local = st.datetimes(min_value=FIRST, max_value=LAST)


@st.composite
def zone_and_local(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a naive wall time, half the time within two hours of one of its clock changes."""
    name = draw(zone_names)
    changes = offset_changes(name)
    if len(changes) > 0 and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        anchor = draw(st.sampled_from([change.local_before, change.local_after]))
        shift = draw(st.integers(-2 * 3600, 2 * 3600).map(lambda s: timedelta(seconds=s)))
        return name, anchor + shift
    return name, draw(any_local)


@st.composite
def zone_and_instant(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and an aware UTC instant, half the time within two hours of one of its clock changes."""
    name = draw(zone_names)
    changes = offset_changes(name)
    if len(changes) > 0 and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        shift = draw(st.integers(-2 * 3600, 2 * 3600).map(lambda s: timedelta(seconds=s)))
        return name, change.instant + shift
    local = draw(any_local)
    return name, local.replace(tzinfo=UTC)


# --- properties ------------------------------------------------------------------------------


def by_both_folds(wall: WallTime, zone: ZoneInfo) -> datetime | str:
    """What ``resolve`` decides from the offsets of both folds alone (its path near a change of
    offset), or the message of its error."""
    try:
        return _time._at_a_change(wall, zone)
    except ValueError as exc:
        return str(exc)


@settings(max_examples=500, deadline=None)
@given(zone_and_local(), st.sampled_from([None, -4, -3, 0, 1, 5.75, 13.75, 14]))
def test_the_fast_path_decides_as_both_folds_do(
    case: tuple[str, datetime], hours: float | None
) -> None:
    """Far from a change, ``resolve`` takes one offset; whatever it takes, it is what comparing
    both folds gives, errors included (the same instant, fold and message)."""
    name, local = case
    zone = get_zone(name)
    written = None if hours is None else timedelta(hours=hours)
    wall = WallTime(local, written)
    try:
        found: datetime | str = resolve(wall, zone)
    except ValueError as exc:
        found = str(exc)
    expected = by_both_folds(wall, zone)
    assert found == expected
    if isinstance(found, datetime) and isinstance(expected, datetime):
        assert (found.fold, found.tzinfo) == (expected.fold, expected.tzinfo)


@settings(max_examples=300, deadline=None)
@given(zone_and_local())
def test_resolve_round_trips_or_names_the_gap_or_fold(case: tuple[str, datetime]) -> None:
    name, local = case
    zone = get_zone(name)
    real = instants_showing(local, zone)
    event({0: "gap", 1: "ordinary", 2: "fold"}[len(real)])
    try:
        got = resolve(WallTime(local), zone)
    except ValueError as exc:
        # Only a wall time that does not exist, or exists twice, is refused ...
        assert len(real) != 1
        first, second = fold_offsets(local, zone)
        assert first != second
        message = str(exc)
        assert name in message
        assert f"UTC{fmt(first)}" in message
        assert f"UTC{fmt(second)}" in message
        assert ("happens twice" if len(real) == 2 else "does not exist") in message
    else:
        # ... and anything else comes back on the same wall time and offset.
        assert len(real) == 1
        [(off, instant)] = real.items()
        assert got.tzinfo is zone
        assert got.replace(tzinfo=None) == local
        assert got.utcoffset() == off
        assert to_utc(got) == instant
        back = got.astimezone(UTC).astimezone(zone)
        assert back.replace(tzinfo=None) == local
        assert back.utcoffset() == got.utcoffset()


@settings(max_examples=300, deadline=None)
@given(zone_and_local())
def test_an_explicit_offset_picks_that_instant(case: tuple[str, datetime]) -> None:
    name, local = case
    zone = get_zone(name)
    real = instants_showing(local, zone)
    for off, instant in real.items():
        got = resolve(WallTime(local, off), zone)
        assert to_utc(got) == instant
        assert got.replace(tzinfo=None) == local
        assert got.utcoffset() == off
        back = got.astimezone(UTC).astimezone(zone)
        assert (back.replace(tzinfo=None), back.utcoffset()) == (local, off)
    if len(real) == 2:
        # A fold: the two readings are the two instants, one clock change apart.
        early, late = (
            to_utc(resolve(WallTime(local, off), zone)) for off in fold_offsets(local, zone)
        )
        first, second = fold_offsets(local, zone)
        assert late - early == first - second > timedelta(0)
    if not real:
        # A gap: an offset the zone has on either side names one instant, shown as the clocks do.
        for off in fold_offsets(local, zone):
            got = resolve(WallTime(local, off), zone)
            assert to_utc(got) == (local - off).replace(tzinfo=UTC)
            shown = to_utc(got).astimezone(zone)
            assert (got.replace(tzinfo=None), got.utcoffset()) == (
                shown.replace(tzinfo=None),
                shown.utcoffset(),
            )
            assert got.replace(tzinfo=None) != local


@settings(max_examples=300, deadline=None)
@given(zone_and_local(), st.integers(-14 * 60, 14 * 60))
def test_an_offset_the_zone_does_not_have_there_is_an_error(
    case: tuple[str, datetime], minutes: int
) -> None:
    name, local = case
    zone = get_zone(name)
    off = timedelta(minutes=minutes)
    if off in fold_offsets(local, zone):
        off += timedelta(minutes=7)
    with pytest.raises(ValueError) as caught:
        resolve(WallTime(local, off), zone)
    message = str(caught.value)
    assert f"offset {fmt(off)} does not match {name}" in message
    for possible in set(fold_offsets(local, zone)):
        assert f"UTC{fmt(possible)}" in message


@settings(max_examples=300, deadline=None)
@given(zone_and_instant())
def test_every_instant_resolves_from_its_wall_time_and_offset(case: tuple[str, datetime]) -> None:
    name, instant = case
    zone = get_zone(name)
    local = instant.astimezone(zone)
    off = local.utcoffset()
    assert off is not None
    written = WallTime(local.replace(tzinfo=None), off)
    got = resolve(written, zone)
    assert to_utc(got) == instant
    assert got.replace(tzinfo=None) == local.replace(tzinfo=None)
    assert got.utcoffset() == off
    # The same through the text a trip file would hold (which keeps whole seconds).
    whole = instant.replace(microsecond=0)
    text = str(WallTime(whole.astimezone(zone).replace(tzinfo=None), off))
    assert to_utc(resolve(WallTime.parse(text), zone)) == whole


@pytest.mark.parametrize("name", ZONES)
def test_every_clock_change_since_1970(name: str) -> None:
    """Inside every gap and fold 1970-2037 of each zone, resolving without an offset is an
    error, and the wall times just outside it resolve to the instants around the change."""
    zone = get_zone(name)
    for change in offset_changes(name):
        jump = change.offset_after - change.offset_before
        start, stop = sorted((change.local_before, change.local_after))
        inside = [start, start + (stop - start) / 2, stop - SECOND]
        for local in inside:
            with pytest.raises(
                ValueError, match="does not exist" if jump > timedelta(0) else "twice"
            ):
                resolve(WallTime(local), zone)
            for off in (change.offset_before, change.offset_after):
                assert to_utc(resolve(WallTime(local, off), zone)) == (local - off).replace(
                    tzinfo=UTC
                )
        # Just before the gap or fold, and at its end, the wall time is there once.
        before = resolve(WallTime(start - SECOND), zone)
        after = resolve(WallTime(stop), zone)
        if jump > timedelta(0):
            assert to_utc(before) == change.instant - SECOND
            assert to_utc(after) == change.instant
        else:
            assert to_utc(before) == change.instant + jump - SECOND
            assert to_utc(after) == change.instant - jump
        assert before.replace(tzinfo=None) == start - SECOND
        assert after.replace(tzinfo=None) == stop


def test_the_zones_have_gaps_and_folds_to_test() -> None:
    """The near-a-change strategies draw from these lists; they must not be empty or trivial."""
    assert len(offset_changes("America/New_York")) == 2 * 68
    assert len(offset_changes("Australia/Lord_Howe")) > 60
    assert offset_changes("Asia/Kathmandu")  # +05:30 -> +05:45 in 1986
    assert any(
        abs(c.offset_after - c.offset_before) == timedelta(days=1)
        for c in offset_changes("Pacific/Apia")
    )


# --- explicit edges --------------------------------------------------------------------------

SANTIAGO = "America/Santiago"
NEW_YORK = "America/New_York"


@pytest.mark.parametrize("clock", ["00:00", "00:01", "00:30", "00:59", "00:59:59"])
def test_santiago_2027_09_05_skips_the_hour_after_midnight(clock: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve(wall(f"2027-09-05 {clock}"), get_zone(SANTIAGO))
    message = str(caught.value)
    assert f"2027-09-05 {clock} does not exist in America/Santiago" in message
    assert "UTC-04:00" in message
    assert "UTC-03:00" in message
    assert f"2027-09-05 {clock}-04:00 or 2027-09-05 {clock}-03:00" in message


def test_santiago_around_the_gap() -> None:
    zone = get_zone(SANTIAGO)
    assert resolve(wall("2027-09-04 23:59"), zone).isoformat() == "2027-09-04T23:59:00-04:00"
    assert resolve(wall("2027-09-05 01:00"), zone).isoformat() == "2027-09-05T01:00:00-03:00"
    assert to_utc(resolve(wall("2027-09-05 01:00"), zone)) == datetime(2027, 9, 5, 4, tzinfo=UTC)
    # An offset names one instant inside the gap; it is shown as the clocks show it.
    assert resolve(wall("2027-09-05 00:30-04:00"), zone).isoformat() == "2027-09-05T01:30:00-03:00"
    assert resolve(wall("2027-09-05 00:30-03:00"), zone).isoformat() == "2027-09-04T23:30:00-04:00"


@pytest.mark.parametrize("clock", ["23:00", "23:30", "23:59", "23:59:59"])
def test_santiago_2027_04_03_repeats_the_last_hour(clock: str) -> None:
    zone = get_zone(SANTIAGO)
    with pytest.raises(ValueError) as caught:
        resolve(wall(f"2027-04-03 {clock}"), zone)
    message = str(caught.value)
    assert f"2027-04-03 {clock} happens twice in America/Santiago" in message
    assert "first at UTC-03:00 and then at UTC-04:00" in message
    assert f"2027-04-03 {clock}-03:00 or 2027-04-03 {clock}-04:00" in message

    early = resolve(wall(f"2027-04-03 {clock}-03:00"), zone)
    late = resolve(wall(f"2027-04-03 {clock}-04:00"), zone)
    assert to_utc(late) - to_utc(early) == timedelta(hours=1)
    assert early.utcoffset() == timedelta(hours=-3)
    assert late.utcoffset() == timedelta(hours=-4)
    assert (
        early.replace(tzinfo=None) == late.replace(tzinfo=None) == wall(f"2027-04-03 {clock}").local
    )


def test_santiago_fold_instants() -> None:
    zone = get_zone(SANTIAGO)
    assert to_utc(resolve(wall("2027-04-03 23:30-03:00"), zone)) == datetime(
        2027, 4, 4, 2, 30, tzinfo=UTC
    )
    assert to_utc(resolve(wall("2027-04-03 23:30-04:00"), zone)) == datetime(
        2027, 4, 4, 3, 30, tzinfo=UTC
    )
    assert resolve(wall("2027-04-03 23:30-04:00"), zone).isoformat() == "2027-04-03T23:30:00-04:00"
    assert resolve(wall("2027-04-03 23:30-0300"), zone).isoformat() == "2027-04-03T23:30:00-03:00"
    # Just outside the fold there is one reading.
    assert resolve(wall("2027-04-03 22:59"), zone).isoformat() == "2027-04-03T22:59:00-03:00"
    assert resolve(wall("2027-04-04 00:00"), zone).isoformat() == "2027-04-04T00:00:00-04:00"


@pytest.mark.parametrize(
    "text", ["2027-04-03 23:30-05:00", "2027-04-03 23:30+03:00", "2027-04-03 23:30Z"]
)
def test_santiago_fold_with_an_offset_that_matches_neither(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve(wall(text), get_zone(SANTIAGO))
    message = str(caught.value)
    assert "does not match America/Santiago at 2027-04-03 23:30" in message
    assert "UTC-03:00 or UTC-04:00" in message


def test_santiago_gap_with_an_offset_that_matches_neither() -> None:
    with pytest.raises(ValueError, match="offset -05:00 does not match America/Santiago"):
        resolve(wall("2027-09-05 00:30-05:00"), get_zone(SANTIAGO))


@pytest.mark.parametrize(
    ("text", "zone", "actual"),
    [
        ("2027-03-09 09:00-04:00", SANTIAGO, "-03:00"),
        ("2027-07-09 09:00-03:00", SANTIAGO, "-04:00"),
        ("2027-03-09 09:00-04:00", NEW_YORK, "-05:00"),
        ("2027-03-09 09:00+05:30", "Asia/Kathmandu", "+05:45"),
        ("2027-03-09 09:00Z", "Europe/Madrid", "+01:00"),
    ],
)
def test_a_mismatched_offset_on_an_ordinary_time(text: str, zone: str, actual: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve(wall(text), get_zone(zone))
    message = str(caught.value)
    assert f"does not match {zone}" in message
    assert f"which is UTC{actual}" in message


def test_a_matching_offset_on_an_ordinary_time() -> None:
    got = resolve(wall("2027-03-09 09:00-03:00"), get_zone(SANTIAGO))
    assert got.isoformat() == "2027-03-09T09:00:00-03:00"
    assert got == resolve(wall("2027-03-09 09:00"), get_zone(SANTIAGO))


def test_new_york_spring_gap() -> None:
    zone = get_zone(NEW_YORK)
    with pytest.raises(ValueError) as caught:
        resolve(wall("2027-03-14 02:30"), zone)
    assert str(caught.value) == (
        "2027-03-14 02:30 does not exist in America/New_York: the clocks skip that hour as the "
        "offset changes from UTC-05:00 to UTC-04:00; write the offset you mean: "
        "2027-03-14 02:30-05:00 or 2027-03-14 02:30-04:00"
    )
    assert resolve(wall("2027-03-14 01:59"), zone).isoformat() == "2027-03-14T01:59:00-05:00"
    assert resolve(wall("2027-03-14 03:00"), zone).isoformat() == "2027-03-14T03:00:00-04:00"
    assert to_utc(resolve(wall("2027-03-14 02:30-05:00"), zone)) == datetime(
        2027, 3, 14, 7, 30, tzinfo=UTC
    )


def test_new_york_autumn_fold() -> None:
    zone = get_zone(NEW_YORK)
    with pytest.raises(ValueError) as caught:
        resolve(wall("2027-11-07 01:30"), zone)
    assert str(caught.value) == (
        "2027-11-07 01:30 happens twice in America/New_York, first at UTC-04:00 and then at "
        "UTC-05:00; write the offset you mean: 2027-11-07 01:30-04:00 or 2027-11-07 01:30-05:00"
    )
    early = resolve(wall("2027-11-07 01:30-04:00"), zone)
    late = resolve(wall("2027-11-07 01:30-05:00"), zone)
    assert to_utc(early) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert to_utc(late) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert (early.fold, late.fold) == (0, 1)


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Europe/Dublin", "Africa/Abidjan"])
def test_z_is_accepted_where_the_offset_is_zero(name: str) -> None:
    got = resolve(wall("2027-01-09 09:00Z"), get_zone(name))
    assert to_utc(got) == datetime(2027, 1, 9, 9, tzinfo=UTC)
    assert got.tzinfo is get_zone(name)


def test_to_utc() -> None:
    got = to_utc(resolve(wall("2027-03-09 09:00"), get_zone("Asia/Kathmandu")))
    assert got == datetime(2027, 3, 9, 3, 15, tzinfo=UTC)
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "name"),
    [("9999-12-31 20:00", "America/New_York"), ("0001-01-01 05:00", "Asia/Tokyo")],
)
def test_a_wall_time_whose_instant_is_beyond_the_dates_python_has(text: str, name: str) -> None:
    with pytest.raises(ValueError, match="is beyond the dates this supports"):
        resolve(wall(text), get_zone(name))


@pytest.mark.parametrize(
    "instant",
    [
        "2027-04-04T02:30:00+00:00",  # 23:30 in Santiago, the first time (-03:00)
        "2027-04-04T03:30:00+00:00",  # 23:30 again (-04:00)
        "2027-09-05T05:00:00+00:00",  # 02:00, just after the skipped hour
        "2027-03-09T12:00:00+00:00",  # far from any change
    ],
)
def test_wall_of_writes_an_instant_so_it_resolves_back(instant: str) -> None:
    """``wall_of`` is how an instant from elsewhere (a booking) is written into a trip: the
    offset only where the wall time happens twice, and ``resolve`` gives the instant back."""
    zone = get_zone("America/Santiago")
    moment = datetime.fromisoformat(instant)
    wall = wall_of(moment, zone)
    assert (wall.offset is not None) == is_repeated(moment.astimezone(zone))
    assert to_utc(resolve(wall, zone)) == moment
