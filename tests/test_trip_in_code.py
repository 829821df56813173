"""A trip built in code is validated exactly like a trip file: same problems, same paths, same
messages, always as a TripFileError; and every editing method returns a trip validated again."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pydantic
import pytest
import yaml

import tripplan
from tripplan import (
    Activity,
    AgendaEntry,
    Flight,
    Meeting,
    Person,
    Place,
    Stay,
    Transfer,
    Trip,
    TripFileError,
    WallTime,
)

from .support import BASE, EXAMPLES, build_trip

CEO = "meeting-ceo-meeting"

# --- one invalid trip, three ways --------------------------------------------------------------

# Mistakes only the whole trip can see (references, local times, an end before its start): an
# item object made on its own carries them into Trip(...) unnoticed.
IN_CONTEXT: dict[str, Any] = {
    "id": "broken-trip",
    "title": "Broken trip",
    "home": "America/New_York",
    "people": copy.deepcopy(BASE["people"]),
    "places": copy.deepcopy(BASE["places"]),
    "traveller": "carl",
    "items": [
        copy.deepcopy(BASE["items"][0]),
        {
            "type": "transfer",
            "from": "SCL",
            "to": "hotell",
            "start": "2027-03-08 10:15",
            "end": "2027-03-08 11:15",
        },
        {
            "type": "stay",
            "place": "hotel",
            "check_in": "2027-03-08 11:30",
            "check_out": "2027-03-08 10:00",
        },
        {
            "type": "meeting",
            "title": "CEO meeting",
            "place": "office",
            "start": "2027-09-05 00:30",
            "end": "2027-09-05 02:00",
            "kind": "executive_meeting",
            "organizer": "zed",
            "attendees": ["dana", "carl"],
            "agenda": [{"at": "01:00", "title": "Welcome", "by": "carl"}],
        },
        copy.deepcopy(BASE["items"][4]),
    ],
}

EXPECTED_IN_CONTEXT = [
    ("traveller", "unknown person 'carl'; expected a key of people (dana, rodrigo)"),
    (
        "items[1].to",
        "unknown place 'hotell': not a key of places (hotel, office, winery) and not an IATA "
        "airport code; did you mean 'hotel'?",
    ),
    ("items[2].check_out", "ends at 2027-03-08 10:00, not after its check_in at 2027-03-08 11:30"),
    (
        "items[3].start",
        "2027-09-05 00:30 does not exist in America/Santiago: the clocks skip that hour as the "
        "offset changes from UTC-04:00 to UTC-03:00; write the offset you mean: "
        "2027-09-05 00:30-04:00 or 2027-09-05 00:30-03:00",
    ),
    ("items[3].organizer", "unknown person 'zed'; expected a key of people (dana, rodrigo)"),
    ("items[3].attendees[1]", "unknown person 'carl'; expected a key of people (dana, rodrigo)"),
    ("items[3].agenda[0].by", "unknown person 'carl'; expected a key of people (dana, rodrigo)"),
]

_ITEM_MODELS: dict[str, type[pydantic.BaseModel]] = {
    "flight": Flight,
    "transfer": Transfer,
    "train": Transfer,
    "drive": Transfer,
    "stay": Stay,
    "meeting": Meeting,
    "activity": Activity,
}


def as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def as_objects(data: dict[str, Any]) -> dict[str, Any]:
    """The trip's fields with its people, places and items as model objects, each valid alone."""
    fields = dict(data)
    fields["people"] = {k: Person.model_validate(v) for k, v in data["people"].items()}
    fields["places"] = {k: Place.model_validate(v) for k, v in data["places"].items()}
    fields["items"] = [_ITEM_MODELS[item["type"]].model_validate(item) for item in data["items"]]
    return fields


def located(error: TripFileError) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in error.problems]


def file_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(TripFileError) as caught:
        tripplan.parse_trip(as_yaml(data), source="trip.yaml")
    assert all(p.file == "trip.yaml" and p.line is not None for p in caught.value.problems)
    return located(caught.value)


def meeting(trip: Trip, ref: str) -> Meeting:
    item = trip.item(ref)
    assert isinstance(item, Meeting)
    return item


def code_problems(make: Callable[[], object]) -> list[tuple[str, str]]:
    """The problems of ``make()``: a TripFileError, never pydantic's own ValidationError."""
    with pytest.raises(TripFileError) as caught:
        make()
    assert not isinstance(caught.value, pydantic.ValidationError)
    assert all(p.file is None and p.line is None for p in caught.value.problems)
    return located(caught.value)


def test_the_file_reports_every_problem_in_context() -> None:
    assert file_problems(IN_CONTEXT) == EXPECTED_IN_CONTEXT


def test_model_objects_are_validated_like_the_file() -> None:
    fields = as_objects(IN_CONTEXT)
    assert code_problems(lambda: Trip(**fields)) == file_problems(IN_CONTEXT)
    assert code_problems(lambda: Trip.model_validate(fields)) == file_problems(IN_CONTEXT)


def test_dicts_are_validated_like_the_file() -> None:
    data = copy.deepcopy(IN_CONTEXT)
    data["people"]["rodrigo"]["side"] = "us"
    data["items"][0]["carrier"] = "LAN"
    data["items"][0]["cabbin"] = "business"
    expected = file_problems(data)
    assert expected == [
        ("people.rodrigo.side", "got the text 'us'; expected 'team' or 'customer'"),
        EXPECTED_IN_CONTEXT[0],
        ("items[0].carrier", "'LAN' is not a two-character IATA airline code like LA"),
        ("items[0]", "unknown field 'cabbin'; did you mean 'cabin'?"),
        *EXPECTED_IN_CONTEXT[1:],
    ]
    assert code_problems(lambda: Trip(**copy.deepcopy(data))) == expected
    assert code_problems(lambda: Trip.model_validate(copy.deepcopy(data))) == expected


def test_json_is_validated_like_yaml() -> None:
    with pytest.raises(TripFileError) as caught:
        tripplan.parse_trip(json.dumps(IN_CONTEXT, indent=2), format="json")
    assert sorted(located(caught.value)) == sorted(EXPECTED_IN_CONTEXT)


def test_a_place_of_an_item_object_is_located_as_the_file_writes_it() -> None:
    """``from`` is ``from_`` in Python; a problem there is at ``items[N].from``, as in a file."""
    data = copy.deepcopy(BASE)
    data["items"][1]["from"] = "airport"
    expected = file_problems(data)
    assert expected == [
        (
            "items[1].from",
            "unknown place 'airport': not a key of places (hotel, office, winery) and not an "
            "IATA airport code",
        )
    ]
    assert code_problems(lambda: Trip(**as_objects(data))) == expected


def test_an_item_without_a_type_is_told_the_item_types() -> None:
    data = copy.deepcopy(BASE)
    del data["items"][2]["type"]
    expected = [
        (
            "items[2]",
            "missing field 'type'; expected one of: flight, transfer, train, drive, stay, "
            "meeting, activity",
        )
    ]
    assert file_problems(data) == expected
    assert code_problems(lambda: Trip.model_validate(data)) == expected


# --- item objects are validated again where they are used -------------------------------------


def test_the_models_revalidate_instances() -> None:
    for model in (Trip, Person, Place, Flight, Transfer, Stay, Meeting, Activity, AgendaEntry):
        assert model.model_config.get("revalidate_instances") == "always", model


def test_an_item_object_with_an_unknown_attendee_is_rejected() -> None:
    meeting = Meeting(
        title="Review",
        place="office",
        start=WallTime.parse("2027-03-09 14:00"),
        end=WallTime.parse("2027-03-09 15:00"),
        attendees=["dana", "carl"],
    )
    assert meeting.attendees == ("dana", "carl")  # nothing to check it against on its own
    trip = build_trip()
    with pytest.raises(TripFileError) as caught:
        Trip(**{**as_objects(BASE), "items": [*trip.items, meeting]})
    assert located(caught.value) == [
        ("items[5].attendees[1]", "unknown person 'carl'; expected a key of people (dana, rodrigo)")
    ]
    with pytest.raises(TripFileError) as caught:
        trip.add_items(meeting)
    assert [p.path for p in caught.value.problems] == ["items[5].attendees[1]"]
    # A trip's own sequences are tuples: given back as they are, the problem is located alike.
    with pytest.raises(TripFileError) as caught:
        Trip(**{**as_objects(BASE), "items": (*trip.items, meeting), "languages": ("en", 5)})
    assert [p.path for p in caught.value.problems] == ["languages[1]", "items[5].attendees[1]"]
    assert "expected text, got the number 5" in str(caught.value)


def test_an_item_object_ending_before_it_starts_is_rejected() -> None:
    stay = Stay(
        place="hotel",
        check_in=WallTime.parse("2027-03-08 11:30"),
        check_out=WallTime.parse("2027-03-08 09:00"),
    )
    with pytest.raises(TripFileError) as caught:
        build_trip().replace(items=[stay])
    assert located(caught.value) == [
        (
            "items[0].check_out",
            "ends at 2027-03-08 09:00, not after its check_in at 2027-03-08 11:30",
        )
    ]


def test_an_invalid_person_object_is_rejected_in_the_trip() -> None:
    trip = build_trip()
    nameless = trip.people["rodrigo"].model_copy(update={"name": ""})
    with pytest.raises(TripFileError) as caught:
        trip.replace(people={**trip.people, "rodrigo": nameless})
    assert [p.path for p in caught.value.problems] == ["people.rodrigo.name"]


def test_model_copy_then_replace_revalidates() -> None:
    trip = build_trip()
    meeting = trip.item(CEO)
    broken = meeting.model_copy(update={"end": WallTime.parse("2027-03-09 10:00")})
    items: list[Any] = list(trip.items)
    items[3] = broken
    with pytest.raises(TripFileError) as caught:
        trip.replace(items=items)
    assert located(caught.value) == [
        ("items[3].end", "ends at 2027-03-09 10:00, not after its start at 2027-03-09 11:00")
    ]
    items[3] = meeting.model_copy(update={"end": "2027-03-09 13:00"})  # text, parsed again
    longer = trip.replace(items=items)
    assert longer.item(CEO).wall_end == WallTime.parse("2027-03-09 13:00")
    assert tripplan.resolve(longer)[CEO].end.isoformat() == "2027-03-09T13:00:00-03:00"


# --- editing -----------------------------------------------------------------------------------


def test_replace() -> None:
    trip = build_trip()
    renamed = trip.replace(title="Renamed")
    assert renamed.title == "Renamed" and trip.title == "Test trip"
    assert renamed.items == trip.items
    with pytest.raises(TripFileError) as caught:
        trip.replace(traveller="carl")
    assert [p.path for p in caught.value.problems] == ["traveller"]
    with pytest.raises(TripFileError) as caught:
        trip.replace(titel="Renamed")
    assert [p.message for p in caught.value.problems] == ["unknown field 'titel'"]


def test_replace_item() -> None:
    trip = build_trip()
    moved = trip.replace_item(CEO, place="hotel")
    assert moved.item(CEO).origin_ref == "hotel" and trip.item(CEO).origin_ref == "office"
    assert tripplan.resolve(moved)[CEO].origin.name == "Hotel Andino"
    by_alias = trip.replace_item(1, **{"from": "office"})
    assert isinstance(by_alias.items[1], Transfer) and by_alias.items[1].from_ == "office"
    with pytest.raises(TripFileError) as caught:
        trip.replace_item(CEO, place="nowhere")
    assert [p.path for p in caught.value.problems] == ["items[3].place"]


def test_replace_item_with_an_unknown_field_is_told_as_in_a_file() -> None:
    data = copy.deepcopy(BASE)
    data["items"][0]["cabbin"] = "business"
    expected = file_problems(data)
    assert expected == [("items[0]", "unknown field 'cabbin'; did you mean 'cabin'?")]
    assert code_problems(lambda: build_trip().replace_item(0, cabbin="business")) == expected


def test_move_item() -> None:
    trip = build_trip()
    later = trip.move_item(CEO, by=timedelta(hours=1))
    assert tripplan.resolve(later)[CEO].start.isoformat() == "2027-03-09T12:00:00-03:00"
    assert tripplan.resolve(trip)[CEO].start.isoformat() == "2027-03-09T11:00:00-03:00"
    # Into Santiago's spring gap: 2027-09-05 00:30 does not exist.
    with pytest.raises(TripFileError) as caught:
        trip.move_item(CEO, by=timedelta(days=179, hours=13, minutes=30))
    problems = located(caught.value)
    assert [path for path, _ in problems] == ["items[3].start"]
    assert problems[0][1].startswith("2027-09-05 00:30 does not exist in America/Santiago")


def test_add_attendee() -> None:
    trip = build_trip(people={**BASE["people"], "tomas": {"name": "Tomás"}})
    bigger = trip.add_attendee(CEO, "tomas")
    assert meeting(bigger, CEO).attendees == ("dana", "rodrigo", "tomas")
    assert meeting(trip, CEO).attendees == ("dana", "rodrigo")
    assert trip.add_attendee(CEO, "rodrigo") == trip
    with pytest.raises(TripFileError) as caught:
        trip.add_attendee(CEO, "carl")
    assert located(caught.value) == [
        (
            "items[3].attendees[2]",
            "unknown person 'carl'; expected a key of people (dana, rodrigo, tomas)",
        )
    ]
    with pytest.raises(TripFileError) as caught:
        trip.add_attendee(0, "tomas")
    assert [p.path for p in caught.value.problems] == ["items[0]"]


def test_add_items() -> None:
    trip = build_trip()
    walk = {
        "type": "activity",
        "title": "Walk",
        "place": "hotel",
        "start": "2027-03-09 16:00",
        "end": "2027-03-09 17:00",
    }
    dinner = Meeting(
        kind="meal",
        title="Dinner",
        place="winery",
        start=WallTime.parse("2027-03-09 20:00"),
        end=WallTime.parse("2027-03-09 22:00"),
        attendees=["dana", "rodrigo"],
    )
    more = trip.add_items(walk, dinner)
    assert more.item_ids[-2:] == ("activity-walk", "meeting-dinner")
    assert len(trip.items) == 5
    with pytest.raises(TripFileError) as caught:
        trip.add_items({**walk, "place": "park"}, {**walk, "end": "2027-03-09 15:00"})
    assert [p.path for p in caught.value.problems] == ["items[5].place", "items[6].end"]


def test_remove_item() -> None:
    trip = build_trip()
    assert trip.remove_item(CEO).item_ids == tuple(i for i in trip.item_ids if i != CEO)
    assert trip.remove_item(-1).item_ids == trip.item_ids[:-1]
    with pytest.raises(KeyError):
        trip.remove_item("nope")


def test_item_lookup() -> None:
    trip = build_trip()
    assert trip.item(CEO) is trip.items[3] and trip.index(CEO) == 3
    assert trip.item(-1) is trip.items[4]
    with pytest.raises(KeyError, match="no item with id 'nope'"):
        trip.item("nope")
    with pytest.raises(KeyError):
        trip.item(5)


# --- what a file may write ---------------------------------------------------------------------


def test_home_null_is_the_same_as_absent() -> None:
    without = copy.deepcopy(BASE)
    del without["home"]
    absent = Trip.model_validate(without)
    for trip in (
        build_trip(home=None),
        tripplan.parse_trip(as_yaml(BASE).replace("home: America/New_York", "home: null")),
        tripplan.parse_trip(json.dumps({**BASE, "home": None}), format="json"),
    ):
        assert trip.home is None
        assert trip.home_zone == absent.home_zone
        assert trip == absent


def _agenda_trip(start: str, end: str, at: str) -> str:
    data = copy.deepcopy(BASE)
    data["items"].append(
        {
            "type": "meeting",
            "title": "Late review",
            "place": "office",
            "start": start,
            "end": end,
            "agenda": [{"at": start[-5:], "title": "Start"}, {"at": at, "title": "Edge"}],
        }
    )
    return as_yaml(data)


def test_an_agenda_entry_in_a_gap_is_a_load_error() -> None:
    text = _agenda_trip("2027-09-04 22:00", "2027-09-05 02:00", "00:30")
    with pytest.raises(TripFileError) as caught:
        tripplan.parse_trip(text)
    assert located(caught.value) == [
        (
            "items[5].agenda[1].at",
            "2027-09-05 00:30 does not exist in America/Santiago: the clocks skip that hour as "
            "the offset changes from UTC-04:00 to UTC-03:00; an agenda time cannot name an "
            "offset: move the entry out of that hour",
        )
    ]
    assert caught.value.problems[0].line is not None


def test_an_agenda_entry_in_a_fold_is_a_load_error() -> None:
    text = _agenda_trip("2027-04-03 22:00", "2027-04-03 23:00-04:00", "23:30")
    with pytest.raises(TripFileError) as caught:
        tripplan.parse_trip(text)
    assert located(caught.value) == [
        (
            "items[5].agenda[1].at",
            "2027-04-03 23:30 happens twice in America/Santiago, first at UTC-03:00 and then at "
            "UTC-04:00; an agenda time cannot name an offset: move the entry out of that hour",
        )
    ]


# --- equality, and lookups that miss ----------------------------------------------------------


def test_a_trip_in_code_equals_the_loaded_one() -> None:
    loaded = tripplan.load_trip(EXAMPLES / "santiago-customer-visit.yaml")
    in_code = Trip(**as_objects(loaded.model_dump(by_alias=True, exclude_unset=True)))
    assert in_code == loaded
    assert tripplan.resolve(in_code) == tripplan.resolve(loaded)


def test_equality_does_not_depend_on_resolving() -> None:
    """The timeline kept with a trip is a cache: resolving one of two equal trips keeps them equal."""
    resolved = build_trip()
    tripplan.resolve(resolved)
    assert resolved == build_trip()


def test_missing_ids_raise_key_error() -> None:
    trip = build_trip()
    with pytest.raises(KeyError, match="no item with id 'missing'"):
        tripplan.resolve(trip)["missing"]
    diff = tripplan.diff_trips(trip, trip.move_item(CEO, by=timedelta(hours=1)))
    assert diff[CEO].kind == "changed"
    with pytest.raises(KeyError):
        diff["missing"]
