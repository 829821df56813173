"""The ``tripplan`` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 done (no error findings), 1 the plan has error findings (for ``publish``: some
resources were changed on the server and left alone), 2 bad input or usage, or a server or
network failure (every problem printed, one line each, and nothing half-written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from . import _commands as commands
from ._exceptions import TripplanError
from ._types import parse_duration
from ._version import __version__

__all__ = ["main"]

EXIT_OK, EXIT_BAD_INPUT = commands.EXIT_OK, commands.EXIT_BAD_INPUT


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, as for any bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tripplan", description="Plan executive customer visits.")
    parser.add_argument("--version", action="version", version=f"tripplan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def trip_command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "file", help="the trip file (.yaml, .yml, .json, .toml; - for standard input)"
        )
        sub.add_argument(
            "--input-format", choices=["yaml", "json", "toml"], help="format of the trip file"
        )
        return sub

    check = trip_command("check", "Report what is wrong with a plan.")
    check.set_defaults(func=commands.check_command)
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_check_options(check)
    _add_calendars(check)

    free = trip_command("free", "List the traveller's free slots on a day of the trip.")
    free.set_defaults(func=commands.free)
    free.add_argument("--day", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    free.add_argument("--duration", required=True, type=_duration, metavar="DURATION")
    free.add_argument(
        "--business-hours",
        type=_hours,
        metavar="HH:MM-HH:MM",
        help="local hours to look in (default 08:00-19:00)",
    )
    _add_calendars(free)

    timeline = trip_command("timeline", "Print every item at its resolved local times and zones.")
    timeline.set_defaults(func=commands.timeline)

    ics = trip_command("ics", "Write the trip as a calendar to import or subscribe to.")
    ics.set_defaults(func=commands.ics)
    ics.add_argument(
        "-o", "--out", required=True, help="the .ics file to write (- for standard output)"
    )
    ics.add_argument("--audience", choices=["traveller", "team", "customer"], default="traveller")
    ics.add_argument("--organization", help="with --audience customer: which customer it is for")
    ics.add_argument("--lang", help="language of the labels (default: the traveller's)")
    _add_reproducible(ics)

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
    brief.add_argument("--audience", choices=["traveller", "team", "customer"], default="traveller")
    brief.add_argument("--organization", help="with --audience customer: which customer it is for")
    brief.add_argument(
        "--format",
        choices=["html", "md", "txt", "pdf"],
        default=None,
        help="default: from the file's suffix, else html",
    )
    brief.add_argument("--paper", choices=["a4", "letter"], help="default: the reader's (CLDR)")
    _add_rates(brief)

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

    build = trip_command("build", "Write everything tripplan makes for a trip into a folder.")
    build.set_defaults(func=commands.build)
    build.add_argument("--out", required=True, type=Path, help="output folder")
    _add_reproducible(build)
    _add_rates(build)
    _add_check_options(build)

    facts = commands.add_parser(
        "facts",
        help="What a traveller needs to know about a country over some dates.",
        description="What a traveller needs to know about a country over some dates.",
    )
    facts.set_defaults(func=commands.facts)
    facts.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. CL")
    facts.add_argument(
        "--dates",
        required=True,
        type=_date_range,
        metavar="FIRST..LAST",
        help="e.g. 2027-03-07..2027-03-13",
    )
    facts.add_argument("--lang", default="en", help="language of names and labels")
    facts.add_argument("--home", help="home time zone or IATA code, for differences and dialling")
    facts.add_argument("--format", choices=["text", "json"], default="text")
    _add_rates(facts)

    schema = commands.add_parser("schema", help="Print the JSON Schema of the trip file.")
    schema.set_defaults(func=commands.schema)
    return parser


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date_range(text: str) -> tuple[date, date]:
    try:
        first, last = (date.fromisoformat(part) for part in text.split(".."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a range like 2027-03-07..2027-03-13"
        ) from None
    if last < first:
        raise argparse.ArgumentTypeError(f"{text!r} ends before it starts")
    return first, last


def _hours(text: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 08:00-19:00") from None
    return opens, closes


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
        type=_duration,
        metavar="DURATION",
        help="time from an international arrival to a meeting (default 2h)",
    )
    group.add_argument(
        "--domestic-buffer",
        type=_duration,
        metavar="DURATION",
        help="time from a domestic arrival to a meeting (default 1h)",
    )
    group.add_argument(
        "--min-connection",
        type=_duration,
        metavar="DURATION",
        help="shortest connection between flights (default 1h)",
    )
    group.add_argument(
        "--business-hours",
        type=_hours,
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (``python -m tripplan`` and the script exit with it)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args, sys.stdout)
        return code
    except TripplanError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `tripplan schema | head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        sys.stderr.write(f"tripplan: {exc.filename or ''}: {exc.strerror}\n")
        return EXIT_BAD_INPUT
