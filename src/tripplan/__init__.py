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
    from ._audience import (
        Audience as Audience,
    )
    from ._briefing import (
        Sheet as Sheet,
    )
    from ._briefing import (
        build_sheet as build_sheet,
    )
    from ._briefing import (
        render_sheet as render_sheet,
    )
    from ._caldav import (
        PublishReport as PublishReport,
    )
    from ._caldav import (
        publish as publish,
    )
    from ._checks import (
        CheckOptions as CheckOptions,
    )
    from ._checks import (
        Finding as Finding,
    )
    from ._checks import (
        Severity as Severity,
    )
    from ._exceptions import (
        AudienceError as AudienceError,
    )
    from ._exceptions import (
        CalDAVError as CalDAVError,
    )
    from ._exceptions import (
        FeedError as FeedError,
    )
    from ._exceptions import (
        InvitationError as InvitationError,
    )
    from ._exceptions import (
        MailError as MailError,
    )
    from ._exceptions import (
        NetworkError as NetworkError,
    )
    from ._exceptions import (
        Problem as Problem,
    )
    from ._exceptions import (
        RatesError as RatesError,
    )
    from ._exceptions import (
        TripFileError as TripFileError,
    )
    from ._exceptions import (
        TripplanError as TripplanError,
    )
    from ._exceptions import (
        ZoneError as ZoneError,
    )
    from ._facts import (
        DestinationFacts as DestinationFacts,
    )
    from ._facts import (
        destination_facts as destination_facts,
    )
    from ._feeds import (
        BusyEvent as BusyEvent,
    )
    from ._feeds import (
        Conflict as Conflict,
    )
    from ._feeds import (
        busy_events as busy_events,
    )
    from ._feeds import (
        conflicts as conflicts,
    )
    from ._feeds import (
        free_slots as free_slots,
    )
    from ._feeds import (
        read_calendar as read_calendar,
    )
    from ._ics import (
        trip_calendar as trip_calendar,
    )
    from ._itip import (
        Invitation as Invitation,
    )
    from ._itip import (
        MeetingChange as MeetingChange,
    )
    from ._itip import (
        TripDiff as TripDiff,
    )
    from ._itip import (
        diff as diff,
    )
    from ._itip import (
        invitations as invitations,
    )
    from ._loading import (
        load_trip as load_trip,
    )
    from ._loading import (
        parse_trip as parse_trip,
    )
    from ._locations import (
        Location as Location,
    )
    from ._model import (
        Activity as Activity,
    )
    from ._model import (
        AgendaEntry as AgendaEntry,
    )
    from ._model import (
        Flight as Flight,
    )
    from ._model import (
        Item as Item,
    )
    from ._model import (
        Meeting as Meeting,
    )
    from ._model import (
        Notes as Notes,
    )
    from ._model import (
        Person as Person,
    )
    from ._model import (
        Place as Place,
    )
    from ._model import (
        Reminders as Reminders,
    )
    from ._model import (
        Stay as Stay,
    )
    from ._model import (
        Transfer as Transfer,
    )
    from ._model import (
        Trip as Trip,
    )
    from ._rates import (
        Rate as Rate,
    )
    from ._rates import (
        RateResult as RateResult,
    )
    from ._rates import (
        exchange_rate as exchange_rate,
    )
    from ._timeline import (
        Scheduled as Scheduled,
    )
    from ._timeline import (
        Timeline as Timeline,
    )
    from ._types import (
        WallTime as WallTime,
    )
    from ._zones import (
        Transition as Transition,
    )
    from ._zones import (
        get_zone as get_zone,
    )
    from ._zones import (
        transitions as transitions,
    )
    from ._zones import (
        tzdata_version as tzdata_version,
    )

__version__ = "0.1.0"

_WHERE = {
    "Activity": "_model",
    "AgendaEntry": "_model",
    "Audience": "_audience",
    "AudienceError": "_exceptions",
    "BusyEvent": "_feeds",
    "CalDAVError": "_exceptions",
    "CheckOptions": "_checks",
    "Conflict": "_feeds",
    "DestinationFacts": "_facts",
    "FeedError": "_exceptions",
    "Finding": "_checks",
    "Flight": "_model",
    "Invitation": "_itip",
    "InvitationError": "_exceptions",
    "Item": "_model",
    "Location": "_locations",
    "MailError": "_exceptions",
    "Meeting": "_model",
    "MeetingChange": "_itip",
    "NetworkError": "_exceptions",
    "Notes": "_model",
    "Person": "_model",
    "Place": "_model",
    "Problem": "_exceptions",
    "PublishReport": "_caldav",
    "Rate": "_rates",
    "RateResult": "_rates",
    "RatesError": "_exceptions",
    "Reminders": "_model",
    "Scheduled": "_timeline",
    "Severity": "_checks",
    "Sheet": "_briefing",
    "Stay": "_model",
    "Timeline": "_timeline",
    "Transfer": "_model",
    "Transition": "_zones",
    "Trip": "_model",
    "TripDiff": "_itip",
    "TripFileError": "_exceptions",
    "TripplanError": "_exceptions",
    "WallTime": "_types",
    "ZoneError": "_exceptions",
    "build_sheet": "_briefing",
    "busy_events": "_feeds",
    "conflicts": "_feeds",
    "destination_facts": "_facts",
    "diff": "_itip",
    "exchange_rate": "_rates",
    "free_slots": "_feeds",
    "get_zone": "_zones",
    "invitations": "_itip",
    "load_trip": "_loading",
    "parse_trip": "_loading",
    "publish": "_caldav",
    "read_calendar": "_feeds",
    "render_sheet": "_briefing",
    "transitions": "_zones",
    "trip_calendar": "_ics",
    "tzdata_version": "_zones",
}

__all__ = [
    "Activity",
    "AgendaEntry",
    "Audience",
    "AudienceError",
    "BusyEvent",
    "CalDAVError",
    "CheckOptions",
    "Conflict",
    "DestinationFacts",
    "FeedError",
    "Finding",
    "Flight",
    "Invitation",
    "InvitationError",
    "Item",
    "Location",
    "MailError",
    "Meeting",
    "MeetingChange",
    "NetworkError",
    "Notes",
    "Person",
    "Place",
    "Problem",
    "PublishReport",
    "Rate",
    "RateResult",
    "RatesError",
    "Reminders",
    "Scheduled",
    "Severity",
    "Sheet",
    "Stay",
    "Timeline",
    "Transfer",
    "Transition",
    "Trip",
    "TripDiff",
    "TripFileError",
    "TripplanError",
    "WallTime",
    "ZoneError",
    "__version__",
    "build_sheet",
    "busy_events",
    "conflicts",
    "destination_facts",
    "diff",
    "exchange_rate",
    "free_slots",
    "get_zone",
    "invitations",
    "load_trip",
    "parse_trip",
    "publish",
    "read_calendar",
    "render_sheet",
    "transitions",
    "trip_calendar",
    "tzdata_version",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tripplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
