"""Loading trip files: every problem at once, each located by file, document path and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tripplan import Problem, TripFileError, check, load_trip, parse_trip, resolve

from .support import BASE, DATA


def problems(text: str, format: str = "yaml") -> list[Problem]:
    with pytest.raises(TripFileError) as caught:
        parse_trip(textwrap.dedent(text), format=format, source="trip.yaml")  # type: ignore[arg-type]
    return list(caught.value.problems)


def lines(text: str, format: str = "yaml") -> list[str]:
    return [str(p) for p in problems(text, format)]


HEAD = """\
id: t
traveller: dana
home: America/New_York
people:
  dana: {name: Dana}
  rodrigo: {name: Rodrigo, side: customer}
places:
  office: {name: Office, country: CL, timezone: America/Santiago}
items:
"""


def test_reference_trip_loads() -> None:
    trip = load_trip(DATA / "santiago-customer-visit.yaml")
    assert trip.id == "scl-2027-03" and len(trip.items) == 11


def test_all_problems_at_once_with_paths_and_lines() -> None:
    found = lines(
        HEAD
        + """\
  - type: meeting
    place: office
    start: 2027-03-09 09:00
    end: 2027-03-09 10:00
    attendees: [dana, rodrigo, carl]
    colour: blue
  - type: flight
    carrier: LA
    number: "501"
    from: MIA
    to: XQX
    depart: 2027-03-07 22:40
    arrive: 2027-03-08 09:05
"""
    )
    assert found == [
        "trip.yaml:14: items[0].attendees[2]: unknown person 'carl'; expected a key of people (dana, rodrigo)",
        "trip.yaml:15: items[0]: unknown field 'colour'; expected one of: id, title, notes, optional, "
        "status, reminder, place, timezone, start, end, type, kind, organizer, attendees, agenda, "
        "online, language",
        "trip.yaml:20: items[1].to: unknown IATA airport code 'XQX'",
    ]


def test_wrong_types_and_missing_fields_say_what_is_expected() -> None:
    found = lines(
        HEAD
        + """\
  - type: stay
    place: office
    check_in: 2027-03-08 11:30
    optional: maybe
  - type: meeting
    kind: lunch
    place: office
    start: 2027-03-09 13:00
    end: 2027-03-09 14:00
    attendees: dana
"""
    )
    assert found == [
        "trip.yaml:10: items[0]: missing required field 'check_out'",
        "trip.yaml:13: items[0].optional: expected true or false, got the text 'maybe'",
        "trip.yaml:15: items[1].kind: got the text 'lunch'; expected 'internal', 'it_staff_day', "
        "'executive_meeting', 'demo', 'meal' or 'other'",
        "trip.yaml:19: items[1].attendees: expected a list, got the text 'dana'",
    ]


def test_unknown_item_type_and_misspelt_field() -> None:
    found = lines(
        HEAD
        + """\
  - type: flite
  - {type: stay, place: office, checkin: 2027-03-08 11:30, check_out: 2027-03-09 11:00}
"""
    )
    assert found[0].startswith(
        "trip.yaml:10: items[0]: unknown item type 'flite'; expected one of:"
    )
    assert "trip.yaml:11: items[1]: unknown field 'checkin'; did you mean 'check_in'?" in found


def test_end_before_start_compares_instants() -> None:
    found = lines(
        HEAD
        + """\
  - {type: meeting, place: office, start: 2027-03-09 10:00, end: 2027-03-09 09:30}
"""
    )
    assert found == [
        "trip.yaml:10: items[0].end: ends at 2027-03-09 09:30, not after its start at 2027-03-09 10:00"
    ]


def test_transfer_across_zones_ends_after_it_starts_in_absolute_time() -> None:
    # 10:00 in Santiago (-03:00) is 13:00 UTC; 09:30 in New York (-04:00 after 14 March) 13:30 UTC.
    ok = (
        HEAD
        + """\
  - {type: drive, from: office, to: JFK, start: 2027-03-20 10:00, end: 2027-03-20 09:30}
"""
    )
    trip = parse_trip(ok)
    assert resolve(trip).entries[0].duration.total_seconds() == 30 * 60


def test_dst_gap_and_fold_name_the_item_time_and_offsets() -> None:
    found = lines(
        HEAD
        + """\
  - {type: meeting, place: office, start: 2027-09-05 00:30, end: 2027-09-05 02:00}
  - {type: meeting, place: office, start: 2027-04-03 23:30, end: 2027-04-04 01:00}
"""
    )
    assert found == [
        "trip.yaml:10: items[0].start: 2027-09-05 00:30 does not exist in America/Santiago: the "
        "clocks skip that hour as the offset changes from UTC-04:00 to UTC-03:00; write the offset "
        "you mean: 2027-09-05 00:30-04:00 or 2027-09-05 00:30-03:00",
        "trip.yaml:11: items[1].start: 2027-04-03 23:30 happens twice in America/Santiago, first at "
        "UTC-03:00 and then at UTC-04:00; write the offset you mean: 2027-04-03 23:30-03:00 or "
        "2027-04-03 23:30-04:00",
    ]


def test_explicit_offset_picks_one_of_a_repeated_hour() -> None:
    trip = parse_trip(
        HEAD
        + """\
  - {type: meeting, place: office, start: 2027-04-03 23:30-03:00, end: 2027-04-03 23:30-04:00}
"""
    )
    [entry] = resolve(trip)
    assert entry.duration.total_seconds() == 3600
    assert entry.start.isoformat() == "2027-04-03T23:30:00-03:00"
    assert entry.end.isoformat() == "2027-04-03T23:30:00-04:00"


def test_offset_that_does_not_match_the_zone() -> None:
    found = lines(
        HEAD
        + """\
  - {type: meeting, place: office, start: 2027-03-09 09:00-05:00, end: 2027-03-09 10:00}
"""
    )
    assert found == [
        "trip.yaml:10: items[0].start: offset -05:00 does not match America/Santiago at "
        "2027-03-09 09:00, which is UTC-03:00"
    ]


def test_flight_across_the_date_line_lands_two_calendar_days_later() -> None:
    trip = parse_trip(
        HEAD
        + """\
  - {type: flight, carrier: NZ, number: "5", from: LAX, to: AKL,
     depart: 2027-06-01 21:30, arrive: 2027-06-03 05:45}
"""
    )
    [flight] = resolve(trip)
    assert (flight.end.date() - flight.start.date()).days == 2
    assert flight.duration.total_seconds() == (13 * 60 + 15) * 60  # 04:30Z to 17:45Z
    assert check(trip) == []


def test_places_take_their_countrys_only_zone_and_multi_zone_countries_need_one() -> None:
    found = lines("""\
id: t
traveller: dana
people: {dana: {name: Dana}}
places:
  paris: {name: Paris office, country: FR}
  santiago: {name: Santiago office, country: CL}
  nowhere: {name: Somewhere}
""")
    assert found[0].startswith("trip.yaml:6: places.santiago: country CL has ")
    assert found[0].endswith(
        "time zones (America/Santiago, America/Coyhaique, "
        "America/Punta_Arenas, Pacific/Easter); give the place a timezone"
    )
    assert found[1] == (
        "trip.yaml:7: places.nowhere: give the place a timezone (or a country with a single zone)"
    )
    paris = parse_trip(
        "id: t\ntraveller: d\npeople: {d: {name: D}}\nplaces: {paris: {name: P, country: FR}}\n"
    ).places["paris"]
    assert paris.zone_name == "Europe/Paris"


def test_home_may_be_an_airport_and_defaults_to_the_travellers_zone() -> None:
    trip = parse_trip("id: t\ntraveller: d\nhome: SCL\npeople: {d: {name: D}}\n")
    assert trip.home_zone.key == "America/Santiago"
    trip = parse_trip("id: t\ntraveller: d\npeople: {d: {name: D, timezone: Asia/Tokyo}}\n")
    assert trip.home_zone.key == "Asia/Tokyo"
    assert lines("id: t\ntraveller: d\nhome: Mars/Olympus\npeople: {d: {name: D}}\n") == [
        "trip.yaml:3: home: unknown time zone 'Mars/Olympus'; expected an IANA name like Europe/Madrid"
    ]


def test_traveller_and_references_must_be_keys() -> None:
    found = lines(
        HEAD.replace("traveller: dana", "traveller: dan")
        + """\
  - {type: meeting, place: offfice, start: 2027-03-09 09:00, end: 2027-03-09 10:00, organizer: zed}
"""
    )
    assert found == [
        "trip.yaml:2: traveller: unknown person 'dan'; expected a key of people (dana, rodrigo)",
        "trip.yaml:10: items[0].place: unknown place 'offfice': not a key of places (office) and "
        "not an IATA airport code",
        "trip.yaml:10: items[0].organizer: unknown person 'zed'; expected a key of people (dana, rodrigo)",
    ]


def test_references_are_checked_even_when_people_fail_to_validate() -> None:
    found = lines(
        HEAD.replace("dana: {name: Dana}", "dana: {name: Dana, email: nope}")
        + """\
  - {type: meeting, place: office, start: 2027-03-09 09:00, end: 2027-03-09 10:00, attendees: [carl]}
"""
    )
    assert len(found) == 2 and "unknown person 'carl'" in found[1]


def test_duplicate_item_ids() -> None:
    found = lines(
        HEAD
        + """\
  - {id: dinner, type: meeting, place: office, start: 2027-03-09 20:00, end: 2027-03-09 21:00}
  - {id: dinner, type: meeting, place: office, start: 2027-03-10 20:00, end: 2027-03-10 21:00}
"""
    )
    assert found == [
        "trip.yaml:9: items: items[0] and items[1] have the same id 'dinner'; "
        "item ids must be unique"
    ]


def test_derived_ids_are_stable_and_unique() -> None:
    text = (
        HEAD
        + """\
  - {type: meeting, title: Dinner, place: office, start: 2027-03-09 20:00, end: 2027-03-09 21:00}
  - {type: meeting, title: Dinner, place: office, start: 2027-03-10 20:00, end: 2027-03-10 21:00}
"""
    )
    ids = [e.id for e in resolve(parse_trip(text))]
    assert ids == ["meeting-dinner", "meeting-dinner-20270310"]
    assert [e.id for e in resolve(parse_trip(text))] == ids


# --- YAML specifics ----------------------------------------------------------------------------


def test_yaml_core_schema_keeps_norway_and_clock_times_as_text() -> None:
    trip = parse_trip(
        HEAD.replace("places:\n", "places:\n  oslo: {name: Oslo, country: NO}\n")
        + """\
  - type: meeting
    place: oslo
    start: 2027-03-09 10:00
    end: 2027-03-09 12:00
    agenda: [{at: 10:30, title: Review}, {at: 11:45, title: Wrap-up}]
"""
    )
    assert trip.places["oslo"].country == "NO"
    assert [a.at.strftime("%H:%M") for a in trip.items[0].agenda] == ["10:30", "11:45"]  # type: ignore[union-attr]


def test_yaml_seconds_stay_wall_time_not_utc() -> None:
    trip = parse_trip(
        HEAD + "  - {type: meeting, place: office, start: 2027-03-09 09:00:00, "
        "end: 2027-03-09T10:00:00}\n"
    )
    assert resolve(trip).entries[0].start.isoformat() == "2027-03-09T09:00:00-03:00"


def test_yaml_syntax_error_has_a_line() -> None:
    [problem] = problems("id: t\npeople:\n  dana: {name: Dana\n")
    assert problem.line == 4 and problem.message.startswith("YAML syntax error:")


def test_yaml_duplicate_keys_are_errors() -> None:
    assert lines("id: t\nid: u\ntraveller: d\npeople: {d: {name: D}}\n") == [
        "trip.yaml:2: id: duplicate key 'id' (first at line 1)"
    ]


def test_empty_and_non_mapping_documents() -> None:
    assert lines("") == [
        "trip.yaml: the document is empty; expected a trip: a mapping "
        "with id, traveller, people, places and items"
    ]
    assert "the document is a list" in lines("- a\n- b\n")[0]


def test_recursive_alias_is_an_error_not_a_hang() -> None:
    found = lines("id: t\ntraveller: d\npeople: &p {d: {name: D}, again: *p}\n")
    assert any("alias" in line for line in found)


def test_yaml_anchors_and_merge_keys_work() -> None:
    trip = parse_trip(
        HEAD.replace(
            "places:\n",
            "places:\n  base: &cl {name: Base, country: CL, "
            "timezone: America/Santiago}\n  hq: {<<: *cl, name: HQ}\n",
        ).replace("items:\n", "items: []\n")
    )
    assert trip.places["hq"].name == "HQ" and trip.places["hq"].timezone == "America/Santiago"


def test_unknown_top_level_field() -> None:
    text = HEAD.replace("places:\n", "colour: blue\nplaces:\n").replace("items:\n", "items: []\n")
    assert lines(text) == [
        "trip.yaml:7: unknown field 'colour'; expected one of: id, title, home, languages, "
        "reminders, rates, people, places, traveller, items"
    ]


# --- JSON and TOML -----------------------------------------------------------------------------


def test_json_and_toml_syntax_errors_have_lines() -> None:
    [problem] = problems('{\n  "id": "t",\n  "traveller": \n}\n', format="json")
    assert problem.line == 4 and problem.message.startswith("JSON syntax error:")
    [problem] = problems('id = "t"\ntraveller = \n', format="toml")
    assert problem.line == 2 and problem.message.startswith("TOML syntax error:")


def test_json_duplicate_keys_and_toml_datetimes() -> None:
    assert "duplicate key 'id'" in lines('{"id": "t", "id": "u"}', format="json")[0]
    doc = json.loads(json.dumps(BASE))
    toml = (
        'id = "t"\ntraveller = "dana"\n[people.dana]\nname = "Dana"\n'
        '[places.office]\nname = "O"\ntimezone = "America/Santiago"\n'
        '[[items]]\ntype = "meeting"\nplace = "office"\nstart = 2027-03-09T09:00:00\n'
        "end = 2027-03-09T10:00:00-03:00\n"
    )
    trip = parse_trip(toml, format="toml")
    assert resolve(trip).entries[0].duration.total_seconds() == 3600
    assert doc["id"] == "test-trip"


# --- files -------------------------------------------------------------------------------------


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(TripFileError, match="cannot tell the format"):
        load_trip(tmp_path / "trip.txt")
    with pytest.raises(TripFileError, match="cannot read the file"):
        load_trip(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Se\xf1or\n".encode("latin-1"))
    with pytest.raises(
        TripFileError, match=r"latin.yaml: not UTF-8 text \(invalid byte at offset 9\)"
    ):
        load_trip(latin)
