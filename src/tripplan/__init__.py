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
    from ._booking_import import ImportReport as ImportReport
    from ._booking_import import import_bookings as import_bookings
    from ._briefing import build_sheet as build_sheet
    from ._build import build_outputs as build_outputs
    from ._caldav import PublishReport as PublishReport
    from ._caldav import publish_calendar as publish_calendar
    from ._checks import CODES as FINDING_CODES
    from ._checks import CheckOptions as CheckOptions
    from ._checks import check as check
    from ._exceptions import (
        PROBLEM_CODES as PROBLEM_CODES,
    )
    from ._exceptions import (
        AudienceError as AudienceError,
    )
    from ._exceptions import (
        BookingError as BookingError,
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
        OptionError as OptionError,
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
    from ._facts import DestinationFacts as DestinationFacts
    from ._facts import destination_facts as destination_facts
    from ._feeds import (
        BusyEvent as BusyEvent,
    )
    from ._feeds import (
        busy_events as busy_events,
    )
    from ._feeds import (
        parse_calendar as parse_calendar,
    )
    from ._feeds import (
        read_calendar as read_calendar,
    )
    from ._findings import Finding as Finding
    from ._findings import Severity as Severity
    from ._folder import write_folder as write_folder
    from ._ics import build_calendar as build_calendar
    from ._items import (
        Activity as Activity,
    )
    from ._items import (
        AgendaEntry as AgendaEntry,
    )
    from ._items import (
        Detail as Detail,
    )
    from ._items import (
        Flight as Flight,
    )
    from ._items import (
        Item as Item,
    )
    from ._items import (
        Meeting as Meeting,
    )
    from ._items import (
        Notes as Notes,
    )
    from ._items import (
        Stay as Stay,
    )
    from ._items import (
        Transfer as Transfer,
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
        build_invitations as build_invitations,
    )
    from ._itip import (
        diff_trips as diff_trips,
    )
    from ._jsonld import build_jsonld as build_jsonld
    from ._loading import load_trip as load_trip
    from ._loading import parse_trip as parse_trip
    from ._locations import Location as Location
    from ._mail import imip_message as imip_message
    from ._mail import invitation_mail as invitation_mail
    from ._mail_delivery import check_mail_url as check_mail_url
    from ._mail_delivery import send_mail as send_mail
    from ._model import (
        Person as Person,
    )
    from ._model import (
        Reminders as Reminders,
    )
    from ._model import (
        StatedRate as StatedRate,
    )
    from ._model import (
        Trip as Trip,
    )
    from ._places import Place as Place
    from ._rate_providers import (
        EcbProvider as EcbProvider,
    )
    from ._rate_providers import (
        ErApiProvider as ErApiProvider,
    )
    from ._rate_providers import (
        Rate as Rate,
    )
    from ._rate_providers import (
        RateProvider as RateProvider,
    )
    from ._rates import RateResult as RateResult
    from ._rates import exchange_rate as exchange_rate
    from ._render import render_sheet as render_sheet
    from ._schedule import (
        Conflict as Conflict,
    )
    from ._schedule import (
        find_conflicts as find_conflicts,
    )
    from ._schedule import (
        free_slots as free_slots,
    )
    from ._schedule import (
        traveller_busy as traveller_busy,
    )
    from ._sheet import Sheet as Sheet
    from ._timeline import Scheduled as Scheduled
    from ._timeline import Timeline as Timeline
    from ._timeline import resolve as resolve
    from ._types import WallTime as WallTime
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

_WHERE: dict[str, tuple[str, str]] = {
    "Activity": ("_items", "Activity"),
    "AgendaEntry": ("_items", "AgendaEntry"),
    "Audience": ("_audience", "Audience"),
    "AudienceError": ("_exceptions", "AudienceError"),
    "BookingError": ("_exceptions", "BookingError"),
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
    "ImportReport": ("_booking_import", "ImportReport"),
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
    "PROBLEM_CODES": ("_exceptions", "PROBLEM_CODES"),
    "Person": ("_model", "Person"),
    "Place": ("_places", "Place"),
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
    "build_jsonld": ("_jsonld", "build_jsonld"),
    "build_outputs": ("_build", "build_outputs"),
    "build_sheet": ("_briefing", "build_sheet"),
    "busy_events": ("_feeds", "busy_events"),
    "check": ("_checks", "check"),
    "check_mail_url": ("_mail_delivery", "check_mail_url"),
    "destination_facts": ("_facts", "destination_facts"),
    "diff_trips": ("_itip", "diff_trips"),
    "exchange_rate": ("_rates", "exchange_rate"),
    "find_conflicts": ("_schedule", "find_conflicts"),
    "free_slots": ("_schedule", "free_slots"),
    "get_zone": ("_zones", "get_zone"),
    "imip_message": ("_mail", "imip_message"),
    "import_bookings": ("_booking_import", "import_bookings"),
    "invitation_mail": ("_mail", "invitation_mail"),
    "load_trip": ("_loading", "load_trip"),
    "parse_trip": ("_loading", "parse_trip"),
    "publish_calendar": ("_caldav", "publish_calendar"),
    "parse_calendar": ("_feeds", "parse_calendar"),
    "read_calendar": ("_feeds", "read_calendar"),
    "render_sheet": ("_render", "render_sheet"),
    "resolve": ("_timeline", "resolve"),
    "send_mail": ("_mail_delivery", "send_mail"),
    "transitions": ("_zones", "transitions"),
    "traveller_busy": ("_schedule", "traveller_busy"),
    "tzdata_version": ("_zones", "tzdata_version"),
    "write_folder": ("_folder", "write_folder"),
}

__all__ = [  # noqa: RUF022 - plain sorted order, as tests/test_package.py checks
    "Activity",
    "AgendaEntry",
    "Audience",
    "AudienceError",
    "BookingError",
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
    "ImportReport",
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
    "PROBLEM_CODES",
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
    "build_jsonld",
    "build_outputs",
    "build_sheet",
    "busy_events",
    "check",
    "check_mail_url",
    "destination_facts",
    "diff_trips",
    "exchange_rate",
    "find_conflicts",
    "free_slots",
    "get_zone",
    "imip_message",
    "import_bookings",
    "invitation_mail",
    "load_trip",
    "parse_calendar",
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
