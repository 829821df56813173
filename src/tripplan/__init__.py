"""tripplan: plan executive customer visits with exact local times, checks, calendars and sheets.

>>> import tripplan
>>> trip = tripplan.load_trip("examples/santiago-customer-visit.yaml")
>>> trip.timeline["flight-la501-20270307"].end.isoformat()
'2027-03-08T09:05:00-03:00'

Names are imported on first use, so ``import tripplan`` stays light (pydantic, Babel and the data
packages load only when a trip does).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._checks import CheckOptions, Finding, Severity
    from ._exceptions import Problem, TripFileError, TripplanError, ZoneError
    from ._loading import load_trip, parse_trip
    from ._locations import Location
    from ._model import (
        Activity,
        AgendaEntry,
        Flight,
        Item,
        Meeting,
        Notes,
        Person,
        Place,
        Reminders,
        Stay,
        Transfer,
        Trip,
    )
    from ._timeline import Scheduled, Timeline
    from ._types import WallTime
    from ._zones import Transition, get_zone, transitions, tzdata_version

__version__ = "0.1.0"

_WHERE = {
    "Activity": "_model",
    "AgendaEntry": "_model",
    "CheckOptions": "_checks",
    "Finding": "_checks",
    "Flight": "_model",
    "Item": "_model",
    "Location": "_locations",
    "Meeting": "_model",
    "Notes": "_model",
    "Person": "_model",
    "Place": "_model",
    "Problem": "_exceptions",
    "Reminders": "_model",
    "Scheduled": "_timeline",
    "Severity": "_checks",
    "Stay": "_model",
    "Timeline": "_timeline",
    "Transfer": "_model",
    "Transition": "_zones",
    "Trip": "_model",
    "TripFileError": "_exceptions",
    "TripplanError": "_exceptions",
    "WallTime": "_types",
    "ZoneError": "_exceptions",
    "get_zone": "_zones",
    "load_trip": "_loading",
    "parse_trip": "_loading",
    "transitions": "_zones",
    "tzdata_version": "_zones",
}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tripplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
