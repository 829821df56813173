"""The ``tripplan`` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 done (no error findings), 1 the plan has error findings (for ``publish``: some
resources were changed on the server and left alone), 2 bad input or usage, or a server or
network failure (every problem printed, one line each, and nothing half-written).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _arguments as arguments
from . import _commands as commands
from . import _outcomes as outcomes
from ._exceptions import TripplanError
from ._later import later
from ._version import __version__

# Subcommands whose modules only they need are imported when they run (a cold `build` does not
# pay for the importers or the MCP server).
if TYPE_CHECKING:
    from . import _booking_commands as booking_commands
    from . import _mcp
else:
    booking_commands = later("tripplan._booking_commands")
    _mcp = later("tripplan._mcp")

__all__ = ["main"]

EXIT_OK, EXIT_BAD_INPUT = commands.EXIT_OK, commands.EXIT_BAD_INPUT


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, as for any bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tripplan", description="Plan executive customer visits.")
    parser.add_argument("--version", action="version", version=f"tripplan {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    subcommands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def trip_command(name: str, help: str) -> argparse.ArgumentParser:
        sub = subcommands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "file", help="the trip file (.yaml, .yml, .json, .toml; - for standard input)"
        )
        sub.add_argument(
            "--input-format", choices=["yaml", "json", "toml"], help="format of the trip file"
        )
        return sub

    check = trip_command("check", "Report what is wrong with a plan.")
    check.set_defaults(func=commands.check_command)
    check.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="json: the report, or the problems (with codes) when the trip does not load",
    )
    _add_check_options(check)
    _add_calendars(check)

    free = trip_command("free", "List the traveller's free slots on a day of the trip.")
    free.set_defaults(func=commands.free)
    free.add_argument("--day", required=True, type=arguments.day, metavar="YYYY-MM-DD")
    free.add_argument(
        "--duration",
        required=True,
        type=arguments.duration_within(timedelta(0), timedelta(days=1)),
        metavar="DURATION",
    )
    free.add_argument(
        "--business-hours",
        type=arguments.hours,
        metavar="HH:MM-HH:MM",
        help="local hours to look in (default 08:00-19:00)",
    )
    _add_calendars(free)
    _add_format(free, "the free slots")

    timeline = trip_command("timeline", "Print every item at its resolved local times and zones.")
    timeline.set_defaults(func=commands.timeline)
    timeline.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="json: the resolved items, or the problems (with codes) when the trip does not load",
    )

    ics = trip_command("ics", "Write the trip as a calendar to import or subscribe to.")
    ics.set_defaults(func=commands.ics)
    ics.add_argument(
        "-o", "--out", required=True, help="the .ics file to write (- for standard output)"
    )
    _add_audience(ics)
    ics.add_argument("--lang", help="language of the labels (default: the traveller's)")
    _add_reproducible(ics)
    _add_format(ics, "what was written")

    invites = trip_command("invites", "Write (and send) an invitation for every meeting.")
    invites.set_defaults(func=commands.invites)
    invites.add_argument("-o", "--out", required=True, type=Path, help="folder for the .ics files")
    invites.add_argument(
        "--since",
        metavar="OLD",
        help="the previous version of the trip: write "
        "updates and cancellations for what changed, nothing for the rest",
    )
    invites.add_argument(
        "--send",
        metavar="URL",
        help="also send them by mail: smtp://host:587 "
        "(STARTTLS) or smtps://host:465; login from TRIPPLAN_SMTP_USERNAME and "
        "TRIPPLAN_SMTP_PASSWORD or netrc",
    )
    _add_reproducible(invites)
    _add_format(invites, "what was written and sent, with each invitation's recipients")

    brief = trip_command("brief", "Write the briefing sheet a traveller prints.")
    brief.set_defaults(func=commands.brief)
    brief.add_argument(
        "-o", "--out", required=True, help="the file to write (- for standard output)"
    )
    brief.add_argument(
        "--lang",
        default=None,
        help="language(s): es, or es,en for a bilingual sheet (default: the trip's first language)",
    )
    _add_audience(brief)
    brief.add_argument(
        "--format",
        choices=["html", "md", "txt", "pdf"],
        default=None,
        help="default: from the file's suffix, else html",
    )
    brief.add_argument("--paper", choices=["a4", "letter"], help="default: the reader's (CLDR)")
    _add_rates(brief)
    brief.add_argument(
        "--report",
        choices=["text", "json"],
        default="text",
        help="json: what was written, or the problems (with codes) when something is wrong "
        "(--format names the sheet's format)",
    )

    publish = trip_command("publish", "Put the traveller's calendar into a CalDAV collection.")
    publish.set_defaults(func=commands.publish)
    publish.add_argument(
        "--caldav",
        required=True,
        metavar="URL",
        help="the collection, e.g. https://dav.example.com/dana/trips/ (login "
        "from TRIPPLAN_CALDAV_USERNAME and TRIPPLAN_CALDAV_PASSWORD, or netrc)",
    )
    publish.add_argument(
        "--force",
        action="store_true",
        help="overwrite resources changed on the server since the last publish",
    )
    _add_reproducible(publish)
    _add_format(publish, "what was created, updated, deleted, left alone and in conflict")

    build = trip_command("build", "Write everything tripplan makes for a trip into a folder.")
    build.set_defaults(func=commands.build)
    build.add_argument("--out", required=True, type=Path, help="output folder")
    _add_reproducible(build)
    _add_rates(build)
    _add_check_options(build)
    _add_format(build, "what was written, and the findings")

    facts = subcommands.add_parser(
        "facts",
        help="What a traveller needs to know about a country over some dates.",
        description="What a traveller needs to know about a country over some dates.",
    )
    facts.set_defaults(func=commands.facts)
    facts.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. CL")
    facts.add_argument(
        "--dates",
        required=True,
        type=arguments.date_range,
        metavar="FIRST..LAST",
        help="e.g. 2027-03-07..2027-03-13",
    )
    facts.add_argument("--lang", default="en", help="language of names and labels")
    facts.add_argument("--home", help="home time zone or IATA code, for differences and dialling")
    facts.add_argument("--format", choices=["text", "json"], default="text")
    _add_rates(facts)

    imports = subcommands.add_parser(
        "import",
        help="Import bookings (mails, pages, JSON-LD, invitations) into a trip file.",
        description="Import bookings (mails, pages, JSON-LD, invitations) into a trip file.",
    )
    imports.set_defaults(func=booking_commands.import_command)
    imports.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help=".eml, .html, .json, .jsonld or .ics; .pdf, .pkpass and pictures of a boarding "
        "pass need kitinerary-extractor",
    )
    imports.add_argument(
        "--into", dest="file", required=True, metavar="TRIP", help="the trip file to change"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    _add_format(imports, "each item's change and what to check")

    jsonld = trip_command("jsonld", "Write the items as schema.org reservations (JSON-LD).")
    jsonld.set_defaults(func=booking_commands.jsonld_command)
    jsonld.add_argument(
        "-o", "--out", required=True, help="the .jsonld file to write (- for standard output)"
    )
    _add_audience(jsonld)
    _add_format(jsonld, "what was written")

    schema = subcommands.add_parser("schema", help="Print the JSON Schema of the trip file.")
    schema.set_defaults(func=commands.schema)

    mcp = subcommands.add_parser(
        "mcp",
        help="Serve the library to AI assistants: MCP tools over stdio (tripplan[mcp]).",
        description="A Model Context Protocol server on standard input and output "
        "(docs/assistants.md); needs pip install 'tripplan[mcp]'.",
    )
    mcp.set_defaults(func=_mcp.command)
    return parser


def _add_audience(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--audience", choices=["traveller", "team", "customer"], default="traveller"
    )
    command.add_argument(
        "--organization", help="with --audience customer: which customer it is for"
    )


def _add_format(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help=f"json: {what}; or the problems (with codes) when something is wrong",
    )


def _add_calendars(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group("existing calendars")
    group.add_argument(
        "--calendar",
        action="append",
        default=[],
        metavar="PATH_OR_URL",
        help="the traveller's existing calendar: an .ics file, or an https:// or "
        "webcal:// feed (repeatable)",
    )
    group.add_argument(
        "--all-day-conflicts",
        action="store_true",
        help="count all-day events of those calendars as busy",
    )
    group.add_argument(
        "--free-time-conflicts",
        action="store_true",
        help="count events marked free (transparent) as busy",
    )


def _add_rates(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--rates",
        action="store_true",
        help="fetch the exchange rate against the home currency (ECB, ExchangeRate-API; cached; "
        "a failure never stops the build); without it only rates the trip states are shown",
    )


def _add_reproducible(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--reproducible",
        action="store_true",
        help="byte-identical output on every run: timestamps from SOURCE_DATE_EPOCH, else from "
        "the trip file's modification time",
    )


def _add_check_options(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group("check thresholds")
    group.add_argument(
        "--international-buffer",
        type=arguments.threshold,
        metavar="DURATION",
        help="time from an international arrival to a meeting (default 2h)",
    )
    group.add_argument(
        "--domestic-buffer",
        type=arguments.threshold,
        metavar="DURATION",
        help="time from a domestic arrival to a meeting (default 1h)",
    )
    group.add_argument(
        "--min-connection",
        type=arguments.threshold,
        metavar="DURATION",
        help="a floor under every kind of connection's minimum (default none)",
    )
    for flag, what, default in (
        ("--domestic-connection", "between two domestic flights", "45m"),
        ("--international-connection", "to an international flight", "1h"),
        (
            "--international-to-domestic-connection",
            "from an international flight to a domestic one",
            "1h30m",
        ),
        ("--airport-change-connection", "when the next flight leaves from another airport", "3h"),
    ):
        group.add_argument(
            flag,
            type=arguments.threshold,
            metavar="DURATION",
            help=f"shortest connection {what} (default {default})",
        )
    group.add_argument(
        "--attendee-hours",
        type=arguments.hours,
        metavar="HH:MM-HH:MM",
        help="business hours of attendees in their own zones (default 08:00-19:00)",
    )
    group.add_argument(
        "--no-travel-km",
        type=arguments.kilometres,
        metavar="KM",
        help="places farther apart than this need travel between them (default 150)",
    )
    group.add_argument(
        "--system-zoneinfo",
        metavar="DIR",
        help="the zone data other devices use, to compare (default: this machine's; '' for none)",
    )
    group.add_argument(
        "--business-hours",
        type=arguments.hours,
        metavar="HH:MM-HH:MM",
        help="local business hours for meetings (default 08:00-19:00)",
    )
    group.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="CODE",
        help="skip the check with this code (repeatable)",
    )


EXIT_INTERNAL = 70  # EX_SOFTWARE: a fault of tripplan's, not of the input


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (``python -m tripplan`` and the script exit with it).

    0 done; 1 the plan has error findings (``publish``: server-side edits left alone); 2 bad
    input, a bad option, or a server or network failure, one line per problem; 70 an internal
    error, in one line (the traceback with ``--debug`` or ``TRIPPLAN_DEBUG=1``)."""
    args = _parser().parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    # A kill (SIGTERM) unwinds like Ctrl-C, so a half-staged build is removed on the way out.
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return _run(args)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    debug = args.debug or os.environ.get("TRIPPLAN_DEBUG", "") not in ("", "0")
    try:
        code: int = args.func(args, sys.stdout)
        return code
    except BrokenPipeError:  # e.g. `tripplan schema | head`
        sys.stderr.close()
        return EXIT_OK
    except (TripplanError, OSError) as exc:
        if commands.wants_json(args):
            sys.stdout.write(commands.to_json(outcomes.error_report(exc, commands.source_of(args))))
        else:
            sys.stderr.writelines(line + "\n" for line in outcomes.problem_lines(exc))
        return EXIT_BAD_INPUT
    except (Exception, RecursionError) as exc:  # the last resort, never the habit
        if debug:
            traceback.print_exc()
        else:
            what = outcomes.escape(f"{type(exc).__name__}: {exc}")[:300]
            sys.stderr.write(f"tripplan: internal error: {what} (run with --debug for details)\n")
        return EXIT_INTERNAL


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
