"""The example trips load, the reference trip reads the same in every format, and the examples'
date-line and daylight-saving shapes resolve to the instants they claim."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import pytest

from tripplan import Flight, Trip, load_trip, resolve

HERE = Path(__file__).parent
DATA = HERE / "data"
EXAMPLES = HERE.parent / "examples"
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"


def instants(trip: Trip) -> list[tuple[str, str, str]]:
    """Each entry's id, start and end; ISO text, so a changed UTC offset shows as well."""
    return [(e.id, e.start.isoformat(), e.end.isoformat()) for e in resolve(trip)]


def test_the_examples_are_there() -> None:
    names = {path.name for path in EXAMPLES.iterdir()}
    assert {
        "santiago-customer-visit.yaml",
        "european-roadshow.yaml",
        "sydney-date-line.yaml",
    } <= names


@pytest.mark.parametrize(
    "path", sorted(p for p in EXAMPLES.iterdir() if p.is_file()), ids=lambda p: p.name
)
def test_every_example_loads(path: Path) -> None:
    trip = load_trip(path)
    assert len(resolve(trip)) == len(trip.items) > 0


def test_yaml_fixture_is_the_reference_byte_for_byte() -> None:
    assert (DATA / "santiago-customer-visit.yaml").read_bytes() == REFERENCE.read_bytes()


@pytest.mark.parametrize("suffix", ["json", "toml"])
def test_json_and_toml_fixtures_hold_the_reference_trip(suffix: str) -> None:
    reference = load_trip(REFERENCE)
    trip = load_trip(DATA / f"santiago-customer-visit.{suffix}")
    assert trip.model_dump() == reference.model_dump()
    assert instants(trip) == instants(reference)


@pytest.mark.parametrize("suffix", ["yaml", "json", "toml"])
def test_trips_with_the_same_content_compare_equal(suffix: str) -> None:
    assert load_trip(DATA / f"santiago-customer-visit.{suffix}") == load_trip(REFERENCE)


def test_sydney_flight_lands_two_calendar_days_after_it_leaves() -> None:
    trip = load_trip(EXAMPLES / "sydney-date-line.yaml")
    outbound = resolve(trip)["outbound"]
    assert isinstance(outbound.item, Flight)
    assert (outbound.item.from_, outbound.item.to) == ("SFO", "SYD")
    assert (outbound.start.date(), outbound.end.date()) == (date(2027, 10, 2), date(2027, 10, 4))
    assert outbound.start.utcoffset() == timedelta(hours=-7)
    # Sydney moved to daylight saving time on the 3rd, before the flight left.
    assert outbound.end.utcoffset() == timedelta(hours=11)
    assert outbound.start_utc.tzinfo is UTC
    assert outbound.end_utc - outbound.start_utc == timedelta(hours=14, minutes=55)


def test_sydney_flight_home_lands_the_same_day_earlier_by_the_clock() -> None:
    homebound = resolve(load_trip(EXAMPLES / "sydney-date-line.yaml"))["homebound"]
    assert isinstance(homebound.item, Flight)
    assert (homebound.item.from_, homebound.item.to) == ("SYD", "SFO")
    assert homebound.end.date() == homebound.start.date() == date(2027, 10, 7)
    assert homebound.end.time() < homebound.start.time()
    assert homebound.end_utc - homebound.start_utc == timedelta(hours=13, minutes=20)


def test_roadshow_crosses_the_european_dst_change() -> None:
    timeline = resolve(load_trip(EXAMPLES / "european-roadshow.yaml"))
    before, after = timedelta(hours=1), timedelta(hours=2)
    assert timeline["vauclair-executive"].start.utcoffset() == before
    assert timeline["homebound"].start.utcoffset() == after
    stay = timeline["paris-hotel"]
    assert (stay.start.utcoffset(), stay.end.utcoffset()) == (before, after)
    # Three nights from 14:00 to 10:30 are an hour short of 2 days 20:30 in elapsed time.
    assert stay.duration == timedelta(days=2, hours=19, minutes=30)
