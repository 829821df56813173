"""tripplan: plan executive customer visits with exact local times, checks, calendars and sheets.

>>> import tripplan
>>> trip = tripplan.load_trip("examples/santiago-customer-visit.yaml")
>>> tripplan.resolve(trip)["flight-la501-20270307"].end.isoformat()
'2027-03-08T09:05:00-03:00'

The flow is one way: a trip is read (``load_trip``, ``parse_trip``, or ``Trip(...)`` in code, all
validated alike) into the model; ``resolve`` gives its timeline of exact instants; everything else
(``check``, ``build_calendar``, ``build_invitations``, ``build_sheet``, ``publish_calendar`` ...)
reads those. Names are imported on first use, so ``import tripplan`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._audience import Audience as Audience
    from ._briefing import build_sheet as build_sheet
    from ._build import build_outputs as build_outputs
    from ._caldav import PublishReport as PublishReport, publish_calendar as publish_calendar
    from ._checks import CheckOptions as CheckOptions, CODES as FINDING_CODES, check as check
    from ._exceptions import (
        AudienceError as AudienceError,
        CalDAVError as CalDAVError,
        FeedError as FeedError,
        InvitationError as InvitationError,
        MailError as MailError,
        NetworkError as NetworkError,
        OptionError as OptionError,
        Problem as Problem,
        RatesError as RatesError,
        TripFileError as TripFileError,
        TripplanError as TripplanError,
        ZoneError as ZoneError,
    )
    from ._facts import DestinationFacts as DestinationFacts, destination_facts as destination_facts
    from ._feeds import (
        BusyEvent as BusyEvent,
        busy_events as busy_events,
        read_calendar as read_calendar,
    )
    from ._findings import Finding as Finding, Severity as Severity
    from ._folder import write_folder as write_folder
    from ._ics import build_calendar as build_calendar
    from ._items import (
        Activity as Activity,
        AgendaEntry as AgendaEntry,
        Detail as Detail,
        Flight as Flight,
        Item as Item,
        Meeting as Meeting,
        Notes as Notes,
        Stay as Stay,
        Transfer as Transfer,
    )
    from ._itip import (
        Invitation as Invitation,
        MeetingChange as MeetingChange,
        TripDiff as TripDiff,
        build_invitations as build_invitations,
        diff_trips as diff_trips,
    )
    from ._loading import load_trip as load_trip, parse_trip as parse_trip
    from ._locations import Location as Location
    from ._mail import imip_message as imip_message, invitation_mail as invitation_mail
    from ._mail_delivery import send_mail as send_mail
    from ._model import (
        Person as Person,
        Place as Place,
        Reminders as Reminders,
        StatedRate as StatedRate,
        Trip as Trip,
    )
    from ._rate_providers import (
        EcbProvider as EcbProvider,
        ErApiProvider as ErApiProvider,
        Rate as Rate,
        RateProvider as RateProvider,
    )
    from ._rates import RateResult as RateResult, exchange_rate as exchange_rate
    from ._render import render_sheet as render_sheet
    from ._schedule import (
        Conflict as Conflict,
        find_conflicts as find_conflicts,
        free_slots as free_slots,
        traveller_busy as traveller_busy,
    )
    from ._sheet import Sheet as Sheet
    from ._timeline import Scheduled as Scheduled, Timeline as Timeline, resolve as resolve
    from ._types import WallTime as WallTime
    from ._zones import (
        Transition as Transition,
        get_zone as get_zone,
        transitions as transitions,
        tzdata_version as tzdata_version,
    )

_WHERE: dict[str, tuple[str, str]] = {
    "Activity": ("_items", "Activity"),
    "AgendaEntry": ("_items", "AgendaEntry"),
    "Audience": ("_audience", "Audience"),
    "AudienceError": ("_exceptions", "AudienceError"),
    "BusyEvent": ("_feeds", "BusyEvent"),
    "CalDAVError": ("_exceptions", "CalDAVError"),
    "CheckOptions": ("_checks", "CheckOptions"),
    "Conflict": ("_schedule", "Conflict"),
    "DestinationFacts": ("_facts", "DestinationFacts"),
    "Detail": ("_items", "Detail"),
    "EcbProvider": ("_rate_providers", "EcbProvider"),
    "ErApiProvider": ("_rate_providers", "ErApiProvider"),
    "FINDING_CODES": ("_checks", "CODES"),
    "FeedError": ("_exceptions", "FeedError"),
    "Finding": ("_findings", "Finding"),
    "Flight": ("_items", "Flight"),
    "Invitation": ("_itip", "Invitation"),
    "InvitationError": ("_exceptions", "InvitationError"),
    "Item": ("_items", "Item"),
    "Location": ("_locations", "Location"),
    "MailError": ("_exceptions", "MailError"),
    "Meeting": ("_items", "Meeting"),
    "MeetingChange": ("_itip", "MeetingChange"),
    "NetworkError": ("_exceptions", "NetworkError"),
    "Notes": ("_items", "Notes"),
    "OptionError": ("_exceptions", "OptionError"),
    "Person": ("_model", "Person"),
    "Place": ("_model", "Place"),
    "Problem": ("_exceptions", "Problem"),
    "PublishReport": ("_caldav", "PublishReport"),
    "Rate": ("_rate_providers", "Rate"),
    "RateProvider": ("_rate_providers", "RateProvider"),
    "RateResult": ("_rates", "RateResult"),
    "RatesError": ("_exceptions", "RatesError"),
    "Reminders": ("_model", "Reminders"),
    "Scheduled": ("_timeline", "Scheduled"),
    "Severity": ("_findings", "Severity"),
    "Sheet": ("_sheet", "Sheet"),
    "StatedRate": ("_model", "StatedRate"),
    "Stay": ("_items", "Stay"),
    "Timeline": ("_timeline", "Timeline"),
    "Transfer": ("_items", "Transfer"),
    "Transition": ("_zones", "Transition"),
    "Trip": ("_model", "Trip"),
    "TripDiff": ("_itip", "TripDiff"),
    "TripFileError": ("_exceptions", "TripFileError"),
    "TripplanError": ("_exceptions", "TripplanError"),
    "WallTime": ("_types", "WallTime"),
    "ZoneError": ("_exceptions", "ZoneError"),
    "build_calendar": ("_ics", "build_calendar"),
    "build_invitations": ("_itip", "build_invitations"),
    "build_outputs": ("_build", "build_outputs"),
    "build_sheet": ("_briefing", "build_sheet"),
    "busy_events": ("_feeds", "busy_events"),
    "check": ("_checks", "check"),
    "destination_facts": ("_facts", "destination_facts"),
    "diff_trips": ("_itip", "diff_trips"),
    "exchange_rate": ("_rates", "exchange_rate"),
    "find_conflicts": ("_schedule", "find_conflicts"),
    "free_slots": ("_schedule", "free_slots"),
    "get_zone": ("_zones", "get_zone"),
    "imip_message": ("_mail", "imip_message"),
    "invitation_mail": ("_mail", "invitation_mail"),
    "load_trip": ("_loading", "load_trip"),
    "parse_trip": ("_loading", "parse_trip"),
    "publish_calendar": ("_caldav", "publish_calendar"),
    "read_calendar": ("_feeds", "read_calendar"),
    "render_sheet": ("_render", "render_sheet"),
    "resolve": ("_timeline", "resolve"),
    "send_mail": ("_mail_delivery", "send_mail"),
    "transitions": ("_zones", "transitions"),
    "traveller_busy": ("_schedule", "traveller_busy"),
    "tzdata_version": ("_zones", "tzdata_version"),
    "write_folder": ("_folder", "write_folder"),
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
    "Detail",
    "EcbProvider",
    "ErApiProvider",
    "FINDING_CODES",
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
    "OptionError",
    "Person",
    "Place",
    "Problem",
    "PublishReport",
    "Rate",
    "RateProvider",
    "RateResult",
    "RatesError",
    "Reminders",
    "Scheduled",
    "Severity",
    "Sheet",
    "StatedRate",
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
    "build_calendar",
    "build_invitations",
    "build_outputs",
    "build_sheet",
    "busy_events",
    "check",
    "destination_facts",
    "diff_trips",
    "exchange_rate",
    "find_conflicts",
    "free_slots",
    "get_zone",
    "imip_message",
    "invitation_mail",
    "load_trip",
    "parse_trip",
    "publish_calendar",
    "read_calendar",
    "render_sheet",
    "resolve",
    "send_mail",
    "transitions",
    "traveller_busy",
    "tzdata_version",
    "write_folder",
]


def __getattr__(name: str) -> Any:
    found = _WHERE.get(name)
    if found is None:
        raise AttributeError(f"module 'tripplan' has no attribute {name!r}")
    module, attribute = found
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
