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
from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from . import _commands as commands
from ._exceptions import TripFileError, TripplanError
from ._types import format_duration, parse_duration
from ._version import __version__

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
    free.add_argument("--day", required=True, type=_day, metavar="YYYY-MM-DD")
    free.add_argument(
        "--duration",
        required=True,
        type=_duration_within(timedelta(0), timedelta(days=1)),
        metavar="DURATION",
    )
    free.add_argument(
        "--business-hours",
        type=_hours,
        metavar="HH:MM-HH:MM",
        help="local hours to look in (default 08:00-19:00)",
    )
    _add_calendars(free)

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
        type=_date_range,
        metavar="FIRST..LAST",
        help="e.g. 2027-03-07..2027-03-13",
    )
    facts.add_argument("--lang", default="en", help="language of names and labels")
    facts.add_argument("--home", help="home time zone or IATA code, for differences and dialling")
    facts.add_argument("--format", choices=["text", "json"], default="text")
    _add_rates(facts)

    schema = subcommands.add_parser("schema", help="Print the JSON Schema of the trip file.")
    schema.set_defaults(func=commands.schema)
    return parser


#: The dates the command accepts, as the trip format does: far enough for any real trip.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _duration_within(low: timedelta, high: timedelta) -> Callable[[str], timedelta]:
    """An argument type: a duration (``90m``, ``1h30m``) from ``low`` (exclusive) to ``high``."""

    def parse(text: str) -> timedelta:
        try:
            value = parse_duration(text)
        except (ValueError, OverflowError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if not low < value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range; expected more than {format_duration(low)} and at "
                f"most {format_duration(high)}"
            )
        return value

    return parse


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-09") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range; expected a date from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return day


def _date_range(text: str) -> tuple[date, date]:
    parts = text.split("..")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 2027-03-07..2027-03-13")
    first, last = (_day(part) for part in parts)
    if last < first:
        raise argparse.ArgumentTypeError(f"{text!r} ends before it starts")
    if (last - first).days > 366:
        raise argparse.ArgumentTypeError(f"{text!r} spans more than a year; ask for less")
    return first, last


def _hours(text: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 08:00-19:00") from None
    if opens >= closes:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the hours must open before they close, within one day"
        )
    return opens, closes


_threshold = _duration_within(timedelta(0), timedelta(days=7))


def _kilometres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance in km, like 150") from None
    if not 1 <= value <= 20_000:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range; expected 1 to 20000 km")
    return value


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
        type=_threshold,
        metavar="DURATION",
        help="time from an international arrival to a meeting (default 2h)",
    )
    group.add_argument(
        "--domestic-buffer",
        type=_threshold,
        metavar="DURATION",
        help="time from a domestic arrival to a meeting (default 1h)",
    )
    group.add_argument(
        "--min-connection",
        type=_threshold,
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
            type=_threshold,
            metavar="DURATION",
            help=f"shortest connection {what} (default {default})",
        )
    group.add_argument(
        "--attendee-hours",
        type=_hours,
        metavar="HH:MM-HH:MM",
        help="business hours of attendees in their own zones (default 08:00-19:00)",
    )
    group.add_argument(
        "--no-travel-km",
        type=_kilometres,
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
    except TripplanError as exc:
        sys.stderr.writelines(line + "\n" for line in _problems(exc))
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `tripplan schema | head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(_escape(f"tripplan: {where}{exc.strerror or exc}") + "\n")
        return EXIT_BAD_INPUT
    except (Exception, RecursionError) as exc:  # the last resort, never the habit
        if debug:
            traceback.print_exc()
        else:
            what = _escape(f"{type(exc).__name__}: {exc}")[:300]
            sys.stderr.write(f"tripplan: internal error: {what} (run with --debug for details)\n")
        return EXIT_INTERNAL


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _problems(exc: TripplanError) -> list[str]:
    """One line per problem: a line break or control character inside a message (from a name,
    a key) is shown escaped, so a line is always one problem."""
    if isinstance(exc, TripFileError):
        return [_escape(str(problem)) for problem in exc.problems]
    return [_escape(str(exc))]


def _escape(text: str) -> str:
    return "".join(
        c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )
