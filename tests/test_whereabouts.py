"""Where the traveller is: plans in which the traveller would be in two cities at once, places
whose zone does not fit them, and people for whom a meeting falls in their night."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tripplan import CheckOptions, Finding, Trip, TripFileError, check, load_trip, resolve

from .support import BASE, EXAMPLES

BUENOS_AIRES = {
    "name": "Oficina Palermo",
    "city": "Buenos Aires",
    "country": "AR",
    "timezone": "America/Argentina/Buenos_Aires",
    "geo": [-34.5875, -58.4260],
}


def trip(**changes: Any) -> Trip:
    data = copy.deepcopy(BASE)
    data["places"]["palermo"] = copy.deepcopy(BUENOS_AIRES)
    for key, value in changes.items():
        data[key] = value
    return Trip.model_validate(data)


def items(*extra: dict[str, Any], keep: int | None = None) -> list[dict[str, Any]]:
    return [*copy.deepcopy(BASE["items"][:keep]), *extra]


def codes(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


IT_DAY_BA = {
    "type": "meeting",
    "kind": "it_staff_day",
    "title": "IT staff day, Buenos Aires office",
    "place": "palermo",
    "start": "2027-03-09 15:00",
    "end": "2027-03-09 17:00",
}


def test_a_meeting_in_another_country_with_no_flight_is_an_error() -> None:
    """Hotel in Santiago, the CEO meeting there, then a meeting in Buenos Aires the same
    afternoon, and no flight between: the traveller would be in two cities at once."""
    found = codes(check(trip(items=items(IT_DAY_BA))), "no-travel")
    assert len(found) == 1 and found[0].severity == "error"
    message = found[0].message
    assert "Oficina Palermo, Buenos Aires" in message and "Cordillera Seguros" in message
    assert "km apart" in message and "no travel planned" in message
    kilometres = int(message.split(" km apart")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert 1_100 < kilometres < 1_200


def test_a_flight_between_makes_it_a_plan() -> None:
    there = {
        "type": "flight",
        "carrier": "LA",
        "number": "433",
        "from": "SCL",
        "to": "AEP",
        "depart": "2027-03-09 13:00",
        "arrive": "2027-03-09 14:55",
    }
    transfer = {
        "type": "transfer",
        "from": "AEP",
        "to": "palermo",
        "start": "2027-03-09 15:10",
        "end": "2027-03-09 15:40",
    }
    later = {**IT_DAY_BA, "start": "2027-03-09 16:00", "end": "2027-03-09 17:30"}
    back = {
        "type": "flight",
        "carrier": "LA",
        "number": "434",
        "from": "AEP",
        "to": "SCL",
        "depart": "2027-03-09 19:00",
        "arrive": "2027-03-09 21:10",
    }
    found = check(trip(items=items(there, transfer, later, back)))
    assert codes(found, "no-travel") == []


def test_a_flight_that_leaves_from_where_the_traveller_is_not() -> None:
    """The week in Santiago, then a return flight that leaves from Lima."""
    plan = items(keep=4)
    plan.append(
        {
            "type": "flight",
            "carrier": "LA",
            "number": "2470",
            "from": "LIM",
            "to": "MIA",
            "depart": "2027-03-10 23:50",
            "arrive": "2027-03-11 06:40",
        }
    )
    found = codes(check(trip(items=plan)), "no-travel")
    assert len(found) == 1
    assert "leaves from" in found[0].message and "Lima" in found[0].message
    assert found[0].paths[-1] == "items[4]"


def test_a_place_whose_zone_does_not_keep_its_countrys_clocks_is_a_load_error() -> None:
    data = copy.deepcopy(BASE)
    data["places"]["restaurant"] = {
        "name": "Fasano",
        "city": "São Paulo",
        "country": "BR",
        "timezone": "Europe/Lisbon",
    }
    with pytest.raises(TripFileError) as caught:
        Trip.model_validate(data)
    [problem] = caught.value.problems
    assert problem.path == "places.restaurant"
    assert "Europe/Lisbon" in problem.message and "BR" in problem.message
    assert "America/Sao_Paulo" in problem.message


def test_an_online_call_at_night_for_a_colleague_far_away() -> None:
    data = copy.deepcopy(BASE)
    data["people"]["liam"] = {
        "name": "Liam Carter",
        "email": "liam@northwind.example",
        "timezone": "Australia/Sydney",
    }
    call = {
        "type": "meeting",
        "kind": "internal",
        "title": "Prep call",
        "timezone": "America/Santiago",
        "start": "2027-03-09 08:00",
        "end": "2027-03-09 08:30",
        "attendees": ["dana", "liam"],
        "online": "https://meet.example/prep",
    }
    data["items"].append(call)
    found = codes(check(Trip.model_validate(data)), "attendee-hours")
    assert len(found) == 1
    assert "Liam Carter" in found[0].message and "22:00" in found[0].message
    data["items"][-1] = {**call, "start": "2027-03-09 17:00", "end": "2027-03-09 17:30"}
    assert codes(check(Trip.model_validate(data)), "attendee-hours")  # 07:00 in Sydney
    data["items"][-1] = {**call, "start": "2027-03-09 18:00", "end": "2027-03-09 18:30"}
    assert codes(check(Trip.model_validate(data)), "attendee-hours") == []  # 08:00 in Sydney
    custom = CheckOptions(
        attendee_hours=(__import__("datetime").time(9), __import__("datetime").time(17))
    )
    assert codes(check(Trip.model_validate(data), custom), "attendee-hours")


def test_a_place_in_a_country_of_several_zones_found_by_its_city() -> None:
    data = copy.deepcopy(BASE)
    data["places"]["palermo"] = {"name": "Oficina Palermo", "city": "Buenos Aires", "country": "AR"}
    data["items"].append({**IT_DAY_BA, "start": "2027-03-12 10:00", "end": "2027-03-12 12:00"})
    planned = Trip.model_validate(data)
    entry = resolve(planned).entries[-1]
    assert entry.origin.zone.key == "America/Argentina/Buenos_Aires"
    assert entry.start.isoformat() == "2027-03-12T10:00:00-03:00"


def test_an_ambiguous_city_lists_the_candidates() -> None:
    data = copy.deepcopy(BASE)
    data["places"]["office"] = {"name": "Office", "city": "Springfield", "country": "US"}
    with pytest.raises(TripFileError) as caught:
        Trip.model_validate(data)
    message = caught.value.problems[0].message
    assert "ambiguous" in message and "America/Chicago" in message and "America/New_York" in message


def test_nights_without_a_hotel_are_one_finding_per_run() -> None:
    plan = [i for i in items() if i["type"] != "stay"]
    plan[-1] = {**plan[-1], "depart": "2027-03-12 22:55", "arrive": "2027-03-13 05:35"}
    found = codes(check(trip(items=plan)), "night-without-stay")
    assert len(found) == 1 and "4 nights" in found[0].message


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_examples_raise_no_false_alarm(path: Any) -> None:
    found = check(load_trip(path))
    new = {"no-travel", "attendee-hours", "zone-mismatch", "venue-change"}
    assert [f for f in found if f.code in new] == []


def test_driving_distances_need_time_not_a_flight() -> None:
    """The winery is 100 km from Santiago: a short gap is a venue-change warning, not no-travel."""
    visit = {
        "type": "activity",
        "title": "Winery visit",
        "place": "winery",
        "start": "2027-03-09 13:00",
        "end": "2027-03-09 15:00",
    }
    found = check(trip(items=items(visit)))
    assert codes(found, "no-travel") == []
    [change] = codes(found, "venue-change")
    assert "km away" in change.message
    assert "allow about 1 h 4" in change.message
