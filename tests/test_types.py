"""The value types of the trip format: wall times, offsets and durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tripplan import _airports
from tripplan._types import (
    Duration,
    TimezoneName,
    WallTime,
    format_duration,
    format_offset,
    parse_duration,
)
from tripplan._zones import get_zone

# What a wall-time error must tell the reader: the shape of a valid value.
EXPECTED_SHAPE = "like 2027-03-09 09:00"
DURATION_SHAPE = "write it like 90m, 3h, 1d or 1h30m"


# --- WallTime.parse: accepted spellings -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "local", "offset"),
    [
        ("2027-03-09 09:00", datetime(2027, 3, 9, 9, 0), None),
        ("2027-03-09T09:00", datetime(2027, 3, 9, 9, 0), None),
        ("2027-03-09 09:00:45", datetime(2027, 3, 9, 9, 0, 45), None),
        ("2027-03-09T09:00:45", datetime(2027, 3, 9, 9, 0, 45), None),
        ("2027-04-03 23:30-04:00", datetime(2027, 4, 3, 23, 30), timedelta(hours=-4)),
        ("2027-04-03 23:30-0400", datetime(2027, 4, 3, 23, 30), timedelta(hours=-4)),
        ("2027-04-03T23:30:15-03:00", datetime(2027, 4, 3, 23, 30, 15), timedelta(hours=-3)),
        ("2027-03-09 09:00+05:45", datetime(2027, 3, 9, 9, 0), timedelta(hours=5, minutes=45)),
        ("2027-03-09 09:00-03:30", datetime(2027, 3, 9, 9, 0), -timedelta(hours=3, minutes=30)),
        ("2027-03-09 09:00Z", datetime(2027, 3, 9, 9, 0), timedelta(0)),
        ("2027-03-09T09:00:00Z", datetime(2027, 3, 9, 9, 0), timedelta(0)),
        ("2027-03-09 09:00+00:00", datetime(2027, 3, 9, 9, 0), timedelta(0)),
        ("  2027-03-09 09:00  ", datetime(2027, 3, 9, 9, 0), None),
    ],
)
def test_parse_accepts(text: str, local: datetime, offset: timedelta | None) -> None:
    wall = WallTime.parse(text)
    assert wall.local == local
    assert wall.local.tzinfo is None
    assert wall.offset == offset


def test_parse_naive_datetime_keeps_it_without_offset() -> None:
    wall = WallTime.parse(datetime(2027, 3, 9, 9, 0, 30))
    assert wall == WallTime(datetime(2027, 3, 9, 9, 0, 30), None)


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        (datetime(2027, 3, 9, 9, 0, tzinfo=UTC), timedelta(0)),
        (datetime(2027, 3, 9, 9, 0, tzinfo=timezone(timedelta(hours=-4))), timedelta(hours=-4)),
        # A zone-aware datetime gives the zone's offset at that wall time (Santiago is on -03 in March).
        (datetime(2027, 3, 9, 9, 0, tzinfo=get_zone("America/Santiago")), timedelta(hours=-3)),
        (
            datetime(2027, 3, 9, 9, 0, tzinfo=get_zone("Asia/Kathmandu")),
            timedelta(hours=5, minutes=45),
        ),
    ],
)
def test_parse_aware_datetime_keeps_wall_time_and_offset(
    value: datetime, offset: timedelta
) -> None:
    wall = WallTime.parse(value)
    assert wall.local == datetime(2027, 3, 9, 9, 0)
    assert wall.local.tzinfo is None
    assert wall.offset == offset


def test_parse_aware_datetime_in_a_fold_keeps_the_offset_fold_picks() -> None:
    santiago = get_zone("America/Santiago")
    first = WallTime.parse(datetime(2027, 4, 3, 23, 30, tzinfo=santiago, fold=0))
    second = WallTime.parse(datetime(2027, 4, 3, 23, 30, tzinfo=santiago, fold=1))
    assert first.offset == timedelta(hours=-3)
    assert second.offset == timedelta(hours=-4)


def test_parse_returns_a_walltime_unchanged() -> None:
    wall = WallTime(datetime(2027, 3, 9, 9, 0), timedelta(hours=1))
    assert WallTime.parse(wall) is wall


def test_walltime_rejects_an_aware_local() -> None:
    with pytest.raises(ValueError, match="naive"):
        WallTime(datetime(2027, 3, 9, 9, 0, tzinfo=UTC))


# --- WallTime.parse: rejected values, and what the message says -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-09",  # a date alone
        "25:00",  # a time alone
        "09:00",
        "junk",
        "",
        "   ",
        "2027-03-09 9:00",  # one-digit hour
        "2027-3-9 09:00",
        "2027/03/09 09:00",
        "09/03/2027 09:00",
        "2027-03-09 09",
        "2027-03-09 09:00 EST",
        "2027-03-09 09:00-4",
        "2027-03-09 09:00+04:0",
        "2027-03-09 09:00z",
        "2027-03-09 09:00:00.5",
        "2027-03-09 09:00 and more",
    ],
)
def test_parse_rejects_text_that_is_not_a_wall_time(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        WallTime.parse(text)
    message = str(caught.value)
    assert repr(text) in message
    assert EXPECTED_SHAPE in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2027-02-30 10:00", "day is out of range for month"),
        ("2027-13-01 10:00", "month must be in 1..12"),
        ("2027-03-09 25:00", "hour must be in 0..23"),
        ("2027-03-09 24:00", "hour must be in 0..23"),
        ("2027-03-09 09:60", "minute must be in 0..59"),
        ("2027-03-09 09:00:61", "second must be in 0..59"),
    ],
)
def test_parse_rejects_impossible_dates_and_times(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        WallTime.parse(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "not a valid date and time" in message
    assert reason in message


@pytest.mark.parametrize("text", ["2027-03-09 09:00+19:00", "2027-03-09 09:00-05:60"])
def test_parse_rejects_offsets_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        WallTime.parse(text)


@pytest.mark.parametrize(
    "value",
    [date(2027, 3, 9), time(9, 0), 20270309, 1.5, None, True, b"2027-03-09 09:00", ["2027-03-09"]],
)
def test_parse_rejects_values_that_are_not_text_or_datetimes(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        WallTime.parse(value)
    assert str(caught.value).startswith("expected a local date and time")
    assert EXPECTED_SHAPE in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-09 \u0660\u0669:00",
        "\uff12\uff10\uff12\uff17-03-09 09:00",
        "2027-03-09 09:00+\u0660\u0664:00",
    ],
)
def test_parse_rejects_non_ascii_digits(text: str) -> None:
    """Only 0-9, as the JSON-schema pattern says (Python's \\d would take any Unicode digit)."""
    with pytest.raises(ValueError, match=EXPECTED_SHAPE):
        WallTime.parse(text)


# --- str() and its round trip ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wall", "text"),
    [
        (WallTime(datetime(2027, 3, 9, 9, 0)), "2027-03-09 09:00"),
        (WallTime(datetime(2027, 3, 9, 9, 0, 5)), "2027-03-09 09:00:05"),
        (WallTime(datetime(2027, 4, 3, 23, 30), timedelta(hours=-4)), "2027-04-03 23:30-04:00"),
        (WallTime(datetime(2027, 3, 9, 9, 0), timedelta(0)), "2027-03-09 09:00+00:00"),
        (
            WallTime(datetime(2027, 3, 9, 9, 0), timedelta(hours=12, minutes=45)),
            "2027-03-09 09:00+12:45",
        ),
    ],
)
def test_str(wall: WallTime, text: str) -> None:
    assert str(wall) == text
    assert repr(wall) == f"WallTime({text!r})"


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-09 09:00",
        "2027-03-09T09:00",
        "2027-03-09 09:00:30",
        "2027-04-03 23:30-04:00",
        "2027-04-03 23:30-0400",
        "2027-03-09 09:00Z",
        "2027-03-09 09:00+05:45",
    ],
)
def test_str_round_trips_examples(text: str) -> None:
    wall = WallTime.parse(text)
    assert WallTime.parse(str(wall)) == wall
    assert str(WallTime.parse(str(wall))) == str(wall)


offsets = st.integers(-18 * 60 - 59, 18 * 60 + 59).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(
    local=st.datetimes(
        min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
    ),
    offset=st.none() | offsets,
)
def test_str_round_trips(local: datetime, offset: timedelta | None) -> None:
    wall = WallTime(local.replace(microsecond=0), offset)
    assert WallTime.parse(str(wall)) == wall


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(0), "+00:00"),
        (timedelta(hours=-3), "-03:00"),
        (-timedelta(hours=3, minutes=30), "-03:30"),
        (-timedelta(minutes=30), "-00:30"),
        (timedelta(hours=5, minutes=45), "+05:45"),
        (timedelta(hours=12, minutes=45), "+12:45"),
        (timedelta(hours=14), "+14:00"),
    ],
)
def test_format_offset(offset: timedelta, text: str) -> None:
    assert format_offset(offset) == text


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("90m", timedelta(minutes=90)),
        ("3h", timedelta(hours=3)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d3h", timedelta(days=2, hours=3)),
        ("1d2h3m", timedelta(days=1, hours=2, minutes=3)),
        ("0m", timedelta(0)),
    ],
)
def test_parse_duration(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("90m", "1h30m"), ("3h", "3h"), ("1d", "1d"), ("1h30m", "1h30m"), ("2d3h", "2d3h")],
)
def test_format_duration_round_trips(text: str, canonical: str) -> None:
    assert format_duration(parse_duration(text)) == canonical
    assert format_duration(parse_duration(canonical)) == canonical


def test_parse_duration_passes_timedelta_through() -> None:
    assert parse_duration(timedelta(minutes=7)) == timedelta(minutes=7)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "h",
        "m",
        "d",
        "90",
        "1.5h",
        "1h 30m",
        "30m1h",
        "-1h",
        "1H",
        "1 h",
        "1w",
        "\u0661h",  # Arabic-Indic one
        90,
        None,
    ],
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    message = str(caught.value)
    assert repr(value) in message
    assert DURATION_SHAPE in message


@settings(max_examples=300, deadline=None)
@given(days=st.integers(0, 400), hours=st.integers(0, 23), minutes=st.integers(0, 59))
def test_durations_round_trip(days: int, hours: int, minutes: int) -> None:
    value = timedelta(days=days, hours=hours, minutes=minutes)
    text = format_duration(value)
    assert parse_duration(text) == value
    expected = (
        (f"{days}d" if days else "")
        + (f"{hours}h" if hours else "")
        + (f"{minutes}m" if minutes else "")
    )
    assert text == (expected or "0m")


# --- the pydantic side of the types ----------------------------------------------------------


def test_walltime_validates_and_serializes_in_pydantic() -> None:
    adapter = TypeAdapter(WallTime)
    wall = adapter.validate_python("2027-04-03 23:30-0400")
    assert wall == WallTime(datetime(2027, 4, 3, 23, 30), timedelta(hours=-4))
    assert adapter.dump_python(wall) == "2027-04-03 23:30-04:00"
    assert adapter.dump_json(wall) == b'"2027-04-03 23:30-04:00"'
    with pytest.raises(ValueError, match=EXPECTED_SHAPE):
        adapter.validate_python("junk")


def test_duration_validates_and_serializes_in_pydantic() -> None:
    adapter = TypeAdapter(Duration)
    assert adapter.validate_python("90m") == timedelta(minutes=90)
    assert adapter.dump_python(timedelta(minutes=90)) == "1h30m"
    with pytest.raises(ValueError, match="write it like 90m"):
        adapter.validate_python("1.5h")


def test_timezone_name_checks_the_zone_data() -> None:
    adapter = TypeAdapter(TimezoneName)
    assert adapter.validate_python("America/Santiago") == "America/Santiago"
    with pytest.raises(ValueError, match="did you mean America/New_York"):
        adapter.validate_python("america/new_york")


# --- the plain shape's fast path, and the airport table -------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.sampled_from(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]),
)
def test_the_plain_shape_reads_as_the_pattern_reads_it(local: datetime, shape: str) -> None:
    """``2027-03-09 09:00`` is read by ``datetime.fromisoformat``; the same text padded with
    blanks goes through the pattern, and both give the same wall time."""
    text = f"{local.year:04d}" + local.strftime(shape)[len(str(local.year)) :]
    fast, by_pattern = WallTime.parse(text), WallTime.parse(f" {text} ")
    assert fast == by_pattern
    assert fast.local.tzinfo is None and fast.offset is None


@pytest.mark.parametrize(
    "text",
    [
        "2027-02-30 10:00",
        "2027-03-09 24:00",
        "2027-03-09 09:60",
        "2027-03-09 09:00:60",
        "0000-03-09 09:00",
        "2027-W10-2 09:00",
        "2027-03-09 0a:00",
        "+027-03-09 09:00",
        "2027-03-09 09:00.5",
    ],
)
def test_the_plain_shape_rejects_as_the_pattern_does(text: str) -> None:
    with pytest.raises(ValueError) as fast:
        WallTime.parse(text)
    with pytest.raises(ValueError) as by_pattern:
        WallTime.parse(f" {text} ")
    assert str(fast.value) == str(by_pattern.value).replace(repr(f" {text} "), repr(text))


def test_every_iata_code_reads_as_airportsdata_loads_it() -> None:
    """The airport table is searched per code, not loaded whole: the row found for each code is
    the one ``airportsdata.load("IATA")`` gives (the table's last for that code)."""
    import airportsdata

    table = airportsdata.load("IATA")
    sample = [*sorted(table)[::40], "SCL", "GRU", "MIA", "JFK", "CXI", "ZZV"]
    assert all(_airports._row(code) == dict(table[code]) for code in sample if code in table)
    assert not any(_airports.is_airport(code) for code in ("XQX", "scl", "SC", "", 'S"L', "ABCD"))
    assert _airports.airport("SCL").timezone == "America/Santiago"


def test_a_duration_longer_than_any_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="longer than any duration can be"):
        parse_duration("99999999999999999999d")
