"""Loading trip files: every problem at once, each located by file, document path and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tripplan import Problem, TripFileError, _yaml_reader, check, load_trip, parse_trip, resolve

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


def test_a_near_miss_names_the_value_meant() -> None:
    """Item types, kinds, people and places: a misspelling gets the nearest valid value, so the
    writer (a person or an assistant) fixes it in one round; a value near nothing gets none."""
    found = lines(
        HEAD
        + """\
  - type: meetng
  - {type: meeting, kind: it_staf_day, place: ofice, start: 2027-03-09 10:00,
     end: 2027-03-09 11:00, attendees: [danna]}
  - {type: meeting, kind: lunch, place: office, start: 2027-03-09 12:00, end: 2027-03-09 13:00}
"""
    )
    suggested = {line.split(": ", 1)[1].split(":")[0]: line for line in found}
    assert suggested["items[0]"].endswith("; did you mean 'meeting'?")
    assert suggested["items[1].kind"].endswith("; did you mean 'it_staff_day'?")
    assert suggested["items[1].place"].endswith("IATA airport code; did you mean 'office'?")
    assert suggested["items[1].attendees[0]"].endswith("; did you mean 'dana'?")
    assert "did you mean" not in suggested["items[2].kind"]
    assert len(found) == 5


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
        "America/Punta_Arenas, Pacific/Easter); give the place a timezone, or its city"
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
        "trip.yaml:2: traveller: unknown person 'dan'; expected a key of people (dana, rodrigo); "
        "did you mean 'dana'?",
        "trip.yaml:10: items[0].place: unknown place 'offfice': not a key of places (office) and "
        "not an IATA airport code; did you mean 'office'?",
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


# --- YAML read from the parser's events --------------------------------------------------------

BOMB = "a: &a [1,2,3,4,5,6,7,8,9,10]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: t\nx: *nope\n", ["trip.yaml:2: YAML syntax error: found undefined alias"]),
        (
            "id: &a t\nx: &a u\n",
            [
                "trip.yaml:2: YAML syntax error: found duplicate anchor; first occurrence second occurrence"
            ],
        ),
        (
            "id: t\n---\nid: u\n",
            [
                "trip.yaml:2: YAML syntax error: expected a single document in the stream but found another document"
            ],
        ),
        (
            "id: t\nx: {<<: 5}\n",
            [
                "trip.yaml:2: YAML syntax error: while constructing a mapping expected a mapping or list of mappings for merging, but found scalar"
            ],
        ),
        (
            "a: &s 5\nid: t\nx: {<<: [*s]}\n",
            [
                "trip.yaml:1: YAML syntax error: while constructing a mapping expected a mapping for merging, but found scalar"
            ],
        ),
        (
            "id: !foo abc\nx: !!str 5\n",
            [
                "trip.yaml:1: id: unsupported YAML tag '!foo'; write plain text, numbers or true/false"
            ],
        ),
        ("? [a]\n: 1\nid: t\n", ["trip.yaml:1: a key must be plain text, not a list or mapping"]),
        ("k: &k id\n*k : t\nid: u\n", ["trip.yaml:3: id: duplicate key 'id' (first at line 1)"]),
        (
            # A mapping's own duplicate is told again where an alias repeats it, not where it is merged.
            "b: &b {x: 1, x: 2}\nc: *b\nd: {<<: *b}\n",
            [
                "trip.yaml:1: b.x: duplicate key 'x' (first at line 1)",
                "trip.yaml:1: c.x: duplicate key 'x' (first at line 1)",
            ],
        ),
        (
            "b: &b {x: !!foo 1}\nc: {<<: *b}\n",
            [
                "trip.yaml:1: b.x: unsupported YAML tag 'tag:yaml.org,2002:foo'; write plain text, numbers or true/false",
                "trip.yaml:1: c.x: unsupported YAML tag 'tag:yaml.org,2002:foo'; write plain text, numbers or true/false",
            ],
        ),
        (
            "x: &x [1, [2, *x]]\ny: *x\nid: t\n",
            [
                "trip.yaml:1: x[1][1]: an alias refers to a node that contains it",
                "trip.yaml:1: y[1][1]: an alias refers to a node that contains it",
            ],
        ),
        (
            "id: t\nid: u\nx: [1\n",
            [
                "trip.yaml:4: YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'"
            ],
        ),
        (BOMB, ["trip.yaml: the document is too large (alias expansion?)"]),
        (
            "---\n...\n",
            [
                "trip.yaml:1: the document is empty; expected a trip: a mapping with id, traveller, people, places and items"
            ],
        ),
    ],
)
def test_yaml_documents_that_say_something_wrong(text: str, expected: list[str]) -> None:
    assert lines(text) == expected


def test_yaml_merge_lists_and_core_schema_values() -> None:
    """The first of merged mappings wins, the mapping's own keys win over all, and plain
    scalars take the core schema's types (an alias of one too)."""
    text = (
        "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nn: &n 0x1F\n"
        "m: {<<: [*a, *b], w: 0, x: 9}\n"
        "v: [0501, 10:30, NO, 0o17, 1e3, .inf, ~, null, true, False, '1', !!str 2, *n]\n"
    )
    document, found = _yaml_reader.read(text)
    assert found
    assert document["m"] == {"y": 1, "z": 2, "x": 9, "w": 0}
    assert list(document["m"]) == ["y", "z", "x", "w"]
    assert document["v"] == [
        "0501", "10:30", "NO", 15, 1000.0, float("inf"), None, None, True, False, "1", "2", 31
    ]  # fmt: skip


def test_problems_found_in_validation_are_located_by_reading_the_text_again() -> None:
    text = (
        "base: &cl {name: Base, country: CL, timezone: America/Santiagox}\nid: t\ntraveller: d\n"
        "people: {d: {name: D}}\nplaces:\n  base: *cl\n  hq: {<<: *cl, name: HQ}\nitems: []\n"
    )
    assert lines(text)[:2] == [
        "trip.yaml:1: places.base.timezone: unknown time zone 'America/Santiagox'; did you mean America/Santiago?",
        "trip.yaml:1: places.hq.timezone: unknown time zone 'America/Santiagox'; did you mean America/Santiago?",
    ]


@pytest.mark.parametrize(
    ("format", "text"),
    [
        ("yaml", "a: " + "[" * 2000 + "]" * 2000 + "\n"),
        ("yaml", "id: t\nx: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n"),
        ("json", "[" * 5000 + "]" * 5000),
        ("toml", "a = " + "[" * 5000 + "]" * 5000),
    ],
)
def test_a_document_nested_too_deeply_is_a_problem_not_a_crash(format: str, text: str) -> None:
    assert [p.message for p in problems(text, format)] == ["the document is nested too deeply"]


def test_items_share_the_sets_of_the_fields_they_were_given() -> None:
    """A large trip's items share one set per combination of fields given (memory); the set
    refuses changes, and a copy of an item gets a set of its own."""
    trip = load_trip(DATA / "santiago-customer-visit.yaml")
    meetings = [i for i in trip.items if i.kind_name == "meeting"]
    same = [m for m in meetings if m.model_fields_set == meetings[0].model_fields_set]
    assert len({id(m.model_fields_set) for m in same}) == 1
    with pytest.raises(TypeError):
        meetings[0].model_fields_set.add("title")
    copied = meetings[0].model_copy(update={"title": "Other"})
    assert "title" in copied.model_fields_set and type(copied.model_fields_set) is set
    assert meetings[0].model_dump(exclude_unset=True).keys() == meetings[0].model_fields_set
