"""Trips and files the tests share: a small clean trip that each test changes one thing in."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tripplan import Trip

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"

# A small, clean trip in Santiago that tests change one thing at a time.
BASE: dict[str, Any] = {
    "id": "test-trip",
    "title": "Test trip",
    "traveller": "dana",
    "home": "America/New_York",
    "people": {
        "dana": {"name": "Dana Whitfield", "email": "dana@northwind.example"},
        "rodrigo": {"name": "Rodrigo Ibáñez", "side": "customer"},
    },
    "places": {
        "hotel": {
            "name": "Hotel Andino",
            "country": "CL",
            "timezone": "America/Santiago",
            "geo": [-33.4130, -70.5830],
        },
        "office": {
            "name": "Cordillera Seguros",
            "country": "CL",
            "timezone": "America/Santiago",
            "geo": [-33.4150, -70.6010],
        },
        "winery": {
            "name": "Viña Los Aromos",
            "country": "CL",
            "timezone": "America/Santiago",
            "geo": [-33.3200, -71.4000],
        },
    },
    "items": [
        {
            "type": "flight",
            "carrier": "LA",
            "number": "501",
            "from": "MIA",
            "to": "SCL",
            "depart": "2027-03-07 22:40",
            "arrive": "2027-03-08 09:05",
        },
        {
            "type": "transfer",
            "from": "SCL",
            "to": "hotel",
            "start": "2027-03-08 10:15",
            "end": "2027-03-08 11:15",
        },
        {
            "type": "stay",
            "place": "hotel",
            "check_in": "2027-03-08 11:30",
            "check_out": "2027-03-10 12:00",
        },
        {
            "type": "meeting",
            "kind": "executive_meeting",
            "title": "CEO meeting",
            "place": "office",
            "start": "2027-03-09 11:00",
            "end": "2027-03-09 12:30",
            "attendees": ["dana", "rodrigo"],
        },
        {
            "type": "flight",
            "carrier": "LA",
            "number": "500",
            "from": "SCL",
            "to": "MIA",
            "depart": "2027-03-10 22:55",
            "arrive": "2027-03-11 05:35",
        },
    ],
}


#: A place whose zone does not fit its coordinates: an office in Lima (UTC-05:00) written with
#: Santiago's zone (-03:00 in March), for the zone-mismatch check.
LIMA_IN_SANTIAGOS_ZONE: dict[str, Any] = {
    "name": "Oficina Lima",
    "timezone": "America/Santiago",
    "geo": [-12.0464, -77.0428],
}


def build_trip(**changes: Any) -> Trip:
    """The BASE trip with top-level fields replaced, validated."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return Trip.model_validate(data)
