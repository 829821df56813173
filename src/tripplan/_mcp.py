"""``tripplan mcp``: the library as Model Context Protocol tools and resources, over stdio.

Each tool is a typed function of this module (its signature is the tool's input schema, its
return type the output schema) that parses the trip text, calls one library function and returns
what the matching command prints as JSON; nothing is written to disk and nothing goes out on the
network. ``serve`` imports the MCP SDK (the ``tripplan[mcp]`` extra) only when the command runs,
as ``_render`` imports WeasyPrint, so the other commands never pay for it. A ``TripplanError`` a
tool raises reaches the client as a tool error with the command's one-line messages.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Annotated, Any, Literal, ParamSpec, TextIO, TypeVar

from pydantic import Field

from ._arguments import THRESHOLDS, date_range, duration_within, option
from ._arguments import day as arguments_day
from ._arguments import hours as arguments_hours
from ._briefing import build_sheet
from ._build import check_report, invitation_report, invitations_since, schema_text, to_json
from ._checks import CODES as FINDING_CODES
from ._checks import CheckOptions, check
from ._commands import EXIT_OK
from ._exceptions import PROBLEM_CODES, OptionError, TripFileError, TripplanError
from ._ics import build_calendar
from ._loading import parse_trip
from ._mcp_types import (
    SOURCE,
    AudienceName,
    Calendars,
    CheckReport,
    Format,
    FreeSlots,
    InvitationOut,
    Invitations,
    Organization,
    ProblemOut,
    Sheet,
    Slot,
    Thresholds,
    TripFormat,
    TripText,
    Validation,
)
from ._model import Trip
from ._outcomes import (
    check_languages,
    destination,
    facts_data,
    problem_lines,
    problems_report,
)
from ._render import render_sheet
from ._schedule import free_slots as find_free_slots
from ._schedule import traveller_busy
from ._version import __version__

__all__ = ["command", "serve"]

# --- the tools -------------------------------------------------------------------------------


def validate_trip(trip: TripText, format: Format = "yaml") -> Validation:
    """Whether a trip loads; if not, every problem at once, each with its path, line, message
    and stable code. Call it first, and again after each fix."""
    try:
        loaded = parse_trip(trip, format=format, source=SOURCE)
    except TripFileError as error:
        problems = problems_report(error, SOURCE)["problems"]
        return Validation(ok=False, trip=None, problems=[ProblemOut(**p) for p in problems])
    return Validation(ok=True, trip=loaded.id, problems=[])


def check_trip(
    trip: TripText,
    format: Format = "yaml",
    thresholds: Thresholds | None = None,
    disable: Annotated[Sequence[str], Field(description="finding codes not to report")] = (),
    calendars: Calendars = (),
) -> CheckReport:
    """The plan's findings (what is wrong but loads: overlaps, short connections, holidays...),
    most severe first; with ``calendars``, clashes with the traveller's own events too."""
    loaded = _load(trip, format)
    options = _options(thresholds or Thresholds(), disable)
    findings = check(loaded, options, busy=traveller_busy(loaded, [], texts=calendars))
    return CheckReport.model_validate(check_report(loaded, findings, SOURCE))


def calendar(
    trip: TripText,
    format: Format = "yaml",
    audience: AudienceName = "traveller",
    lang: Annotated[str | None, Field(description="e.g. es; default the traveller's")] = None,
    organization: Organization = None,
) -> str:
    """The trip as an iCalendar (METHOD:PUBLISH) text for one audience, to import or subscribe."""
    loaded = _load(trip, format)
    language = check_languages([lang], "lang")[0] if lang else None
    built = build_calendar(loaded, audience, organization=organization, language=language)
    return bytes(built.to_ical()).decode("utf-8")


def invitations(
    trip: TripText,
    format: Format = "yaml",
    since: Annotated[
        str | None, Field(description="the previous version's text: only what changed")
    ] = None,
) -> Invitations:
    """One invitation (iTIP REQUEST) per meeting, with its recipients and iCalendar text; with
    ``since``, only the updates and cancellations for what changed."""
    loaded = _load(trip, format)
    previous = _load(since, format) if since is not None else None
    sent = invitations_since(loaded, previous)
    return Invitations(
        invitations=[
            InvitationOut(**invitation_report(loaded, i), ics=i.to_ical().decode("utf-8"))
            for i in sent
        ]
    )


def briefing_sheet(
    trip: TripText,
    format: Format = "yaml",
    sheet_format: Literal["html", "md", "txt"] = "html",
    lang: Annotated[
        list[str] | None, Field(description="[es] or [es, en] for a bilingual sheet")
    ] = None,
    audience: AudienceName = "traveller",
    organization: Organization = None,
) -> Sheet:
    """The briefing sheet a traveller prints, as HTML, Markdown or text, in one language or two;
    exchange rates only as the trip states them (no network)."""
    loaded = _load(trip, format)
    languages = check_languages(lang or loaded.languages[:1], "lang")
    sheet = build_sheet(loaded, languages=languages, audience=audience, organization=organization)
    return Sheet(text=render_sheet(sheet, sheet_format), warnings=list(sheet.warnings))


def facts(
    country: Annotated[str, Field(description="ISO 3166-1 alpha-2 code, e.g. CL")],
    first: date,
    last: date,
    lang: str = "en",
    home: Annotated[str | None, Field(description="home zone or IATA code, e.g. BOS")] = None,
) -> dict[str, Any]:
    """What a traveller needs to know about a country from ``first`` to ``last``: zones and
    their changes, holidays, currency, plugs, emergency numbers, dialling, daylight."""
    option("first..last", date_range, f"{first}..{last}")
    found, _, _, rate = destination(
        country, first, last, lang=lang, home=home, network=False, option=""
    )
    return facts_data(found, rate)


def free_slots(
    trip: TripText,
    day: date,
    duration: Annotated[str, Field(description="e.g. 45m or 1h30m, at most 1d")],
    format: Format = "yaml",
    business_hours: Annotated[str, Field(description="local hours to look in")] = "08:00-19:00",
    calendars: Calendars = (),
) -> FreeSlots:
    """The traveller's free slots on ``day`` within local business hours, where they are that
    day, around the trip's items and the events of their own calendars."""
    loaded = _load(trip, format)
    length = option("duration", duration_within(timedelta(0), timedelta(days=1)), duration)
    option("day", arguments_day, day.isoformat())
    busy = traveller_busy(loaded, [], texts=calendars, day=day)
    hours = option("business_hours", arguments_hours, business_hours)
    slots = find_free_slots(loaded, busy, day, length, hours=hours)
    return FreeSlots(
        slots=[Slot(start=a.isoformat(), end=b.isoformat(), zone=str(a.tzinfo)) for a, b in slots]
    )


TOOLS: tuple[Callable[..., Any], ...] = (
    validate_trip,
    check_trip,
    calendar,
    invitations,
    briefing_sheet,
    facts,
    free_slots,
)


# --- resources -------------------------------------------------------------------------------


def trip_schema() -> str:
    """The JSON Schema of the trip file, as ``tripplan schema`` prints it."""
    return schema_text()


def finding_codes() -> str:
    """Every finding code with its meaning (docs/checks.md has the thresholds and examples)."""
    return to_json(FINDING_CODES)


def problem_codes() -> str:
    """Every code a problem of a trip that does not load may carry, with its meaning."""
    return to_json(PROBLEM_CODES)


RESOURCES = {
    "tripplan://schema/trip.json": trip_schema,
    "tripplan://codes/findings.json": finding_codes,
    "tripplan://codes/problems.json": problem_codes,
}


# --- arguments -------------------------------------------------------------------------------


def _load(text: str, format: TripFormat) -> Trip:
    return parse_trip(text, format=format, source=SOURCE)


def _options(thresholds: Thresholds, disable: Sequence[str]) -> CheckOptions:
    """``CheckOptions`` from the tool's arguments, each parsed as the command parses its flag;
    an unknown code in ``disable`` is refused by ``check`` itself."""
    values: dict[str, Any] = {"disabled": frozenset(disable)}
    for name, given in thresholds.model_dump(exclude_none=True).items():
        field, parse = THRESHOLDS[name]
        values[field] = option(name, parse, given)
    return CheckOptions(**values)


# --- the server ------------------------------------------------------------------------------

P = ParamSpec("P")
R = TypeVar("R")


def _reporting(fn: Callable[P, R], tool_error: type[Exception]) -> Callable[P, R]:
    """``fn`` with a ``TripplanError`` raised as the SDK's tool error, so the client reads the
    located lines; the signature (and so the schemas) stays ``fn``'s."""

    @functools.wraps(fn)
    def tool(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except TripplanError as error:
            raise tool_error("\n".join(problem_lines(error))) from None

    return tool


def serve() -> None:
    """Answer MCP requests on standard input and output until the client closes them."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError:
        raise OptionError("tripplan mcp needs the MCP SDK: pip install 'tripplan[mcp]'") from None
    server: MCPServer[Any] = MCPServer(
        "tripplan",
        version=__version__,
        instructions="Plan executive customer visits: validate a trip file, check it, and make "
        "its calendars, invitations and briefing sheets. Read tripplan://schema/trip.json for "
        "the trip format; validate_trip reports every problem with its path and line.",
        log_level="WARNING",
    )
    for fn in TOOLS:
        server.add_tool(_reporting(fn, ToolError), name=fn.__name__)
    for uri, read in RESOURCES.items():
        server.resource(uri, mime_type="application/json", description=read.__doc__)(read)
    server.run("stdio")


def command(args: argparse.Namespace, out: TextIO) -> int:
    """``tripplan mcp``: serve until the client hangs up."""
    serve()
    return EXIT_OK
