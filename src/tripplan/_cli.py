"""The ``tripplan`` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 done (no error findings), 1 the plan has error findings (for ``publish``: some
resources were changed on the server and left alone), 2 bad input or usage, or a server or
network failure (every problem printed, one line each, and nothing half-written).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from ._briefing import build_sheet
from ._build import (
    build_outputs,
    check_report,
    invitations_since,
    report_lines,
    timeline_lines,
    to_json,
)
from ._caldav import publish_calendar
from ._checks import CheckOptions, check
from ._destination import destination_lines
from ._exceptions import MailError, OptionError, TripplanError
from ._facts import destination_facts, exchange, facts_to_dict
from ._feeds import BusyEvent
from ._ics import build_calendar
from ._loading import load_trip, parse_trip
from ._mail import invitation_mail, send_mail
from ._model import Trip, home_zone
from ._output import write_atomic, write_outputs
from ._render import render_sheet
from ._schedule import free_slots, traveller_busy
from ._sheet import Format as SheetFormat
from ._types import check_locale, parse_duration
from ._version import __version__
from ._zones import country_codes

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


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
    check.set_defaults(func=_check)
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_check_options(check)
    _add_calendars(check)

    free = trip_command("free", "List the traveller's free slots on a day of the trip.")
    free.set_defaults(func=_free)
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
    timeline.set_defaults(func=_timeline)

    ics = trip_command("ics", "Write the trip as a calendar to import or subscribe to.")
    ics.set_defaults(func=_ics)
    ics.add_argument(
        "-o", "--out", required=True, help="the .ics file to write (- for standard output)"
    )
    ics.add_argument("--audience", choices=["traveller", "team", "customer"], default="traveller")
    ics.add_argument("--organization", help="with --audience customer: which customer it is for")
    ics.add_argument("--lang", help="language of the labels (default: the traveller's)")
    _add_reproducible(ics)

    invites = trip_command("invites", "Write (and send) an invitation for every meeting.")
    invites.set_defaults(func=_invites)
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
    brief.set_defaults(func=_brief)
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
    publish.set_defaults(func=_publish)
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
    build.set_defaults(func=_build)
    build.add_argument("--out", required=True, type=Path, help="output folder")
    _add_reproducible(build)
    _add_rates(build)
    _add_check_options(build)

    facts = commands.add_parser(
        "facts",
        help="What a traveller needs to know about a country over some dates.",
        description="What a traveller needs to know about a country over some dates.",
    )
    facts.set_defaults(func=_facts)
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
    schema.set_defaults(func=_schema)
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


def _stamp(args: argparse.Namespace) -> datetime | None:
    """DTSTAMP for this run: SOURCE_DATE_EPOCH, the file's mtime with --reproducible, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.isdigit():
            raise OptionError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds")
        return datetime.fromtimestamp(int(epoch), UTC)
    if not getattr(args, "reproducible", False):
        return None
    if args.file == "-":
        raise OptionError("--reproducible with standard input needs SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(os.stat(args.file).st_mtime), UTC)


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


def _options(args: argparse.Namespace) -> CheckOptions:
    options = CheckOptions(disabled=frozenset(args.disable))
    for flag, name in (
        ("international_buffer", "international_arrival_buffer"),
        ("domestic_buffer", "domestic_arrival_buffer"),
        ("min_connection", "min_connection"),
        ("business_hours", "business_hours"),
    ):
        value = getattr(args, flag)
        if value is not None:
            options = replace(options, **{name: value})
    return options


# --- the commands: each loads, calls the library, prints ------------------------------------------


def _load(args: argparse.Namespace) -> Trip:
    if args.file == "-":
        return parse_trip(
            sys.stdin.buffer.read(), format=args.input_format or "yaml", source="<stdin>"
        )
    return load_trip(args.file, format=args.input_format)


def _source(args: argparse.Namespace) -> str:
    return "<stdin>" if args.file == "-" else str(args.file)


def _busy(args: argparse.Namespace, trip: Trip, day: date | None = None) -> list[BusyEvent]:
    return traveller_busy(
        trip,
        args.calendar,
        day=day,
        include_all_day=args.all_day_conflicts,
        include_transparent=args.free_time_conflicts,
    )


def _languages(text: str) -> list[str]:
    """``es,en`` -> the locales, each checked (a language no locale data has is an error)."""
    languages = [part.strip() for part in text.split(",") if part.strip()]
    try:
        return [check_locale(language) for language in languages]
    except ValueError as error:
        raise OptionError(f"--lang: {error}") from None


def _write(target: str, data: str | bytes, out: TextIO) -> None:
    """Write an output file atomically, or to standard output for ``-``."""
    if target == "-":
        sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    else:
        out.write(f"wrote {write_atomic(target, data)}\n")


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(to_json(Trip.model_json_schema(by_alias=True)))
    return EXIT_OK


def _check(args: argparse.Namespace, out: TextIO) -> int:
    options = _options(args)
    trip = _load(args)
    findings = check(trip, options, busy=_busy(args, trip))
    report = check_report(trip, findings, _source(args))
    if args.format == "json":
        out.write(to_json(report))
    else:
        out.writelines(line + "\n" for line in report_lines(report, findings))
    return EXIT_FINDINGS if report["summary"]["error"] else EXIT_OK


def _timeline(args: argparse.Namespace, out: TextIO) -> int:
    out.writelines(line + "\n" for line in timeline_lines(_load(args)))
    return EXIT_OK


def _ics(args: argparse.Namespace, out: TextIO) -> int:
    languages = _languages(args.lang) if args.lang else [None]
    trip = _load(args)
    calendar = build_calendar(
        trip,
        args.audience,
        organization=args.organization,
        language=languages[0],
        now=_stamp(args),
    )
    _write(args.out, calendar.to_ical(), out)
    return EXIT_OK


def _invites(args: argparse.Namespace, out: TextIO) -> int:
    trip = _load(args)
    previous = load_trip(args.since) if args.since else None
    now = _stamp(args)
    sent = invitations_since(trip, previous, now=now)
    messages = [invitation_mail(trip, i, date=now) for i in sent] if args.send else []
    for path in write_outputs(args.out, {i.filename: i.to_ical() for i in sent}):
        out.write(f"wrote {path}\n")
    for invitation in sent:
        names = ", ".join(trip.people[k].name for k in invitation.recipients)
        out.write(
            f"{invitation.method} {invitation.filename} (SEQUENCE {invitation.sequence}) to {names}\n"
        )
        if invitation.uninvited:
            left = ", ".join(invitation.uninvited)
            out.write(f"  not invited (no email, or a customer at an internal meeting): {left}\n")
    if not sent:
        out.write(
            "no invitations: nothing changed\n"
            if args.since
            else "no meetings to invite anyone to\n"
        )
    if args.send:
        try:
            done = send_mail(messages, args.send)
        except MailError as error:
            out.writelines(f"sent {message_id}\n" for message_id in error.sent)
            raise
        out.writelines(f"sent {message_id}\n" for message_id in done)
    return EXIT_OK


def _publish(args: argparse.Namespace, out: TextIO) -> int:
    published = publish_calendar(_load(args), args.caldav, force=args.force, now=_stamp(args))
    out.writelines(line + "\n" for line in published.lines())
    return EXIT_FINDINGS if published.conflicts else EXIT_OK


def _free(args: argparse.Namespace, out: TextIO) -> int:
    trip = _load(args)
    hours = args.business_hours or (time(8), time(19))
    slots = free_slots(trip, _busy(args, trip, args.day), args.day, args.duration, hours=hours)
    for start, end in slots:
        out.write(f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {start.tzinfo} (UTC{start:%z})\n")
    if not slots:
        out.write(f"no free slot of {args.duration} on {args.day}\n")
    return EXIT_OK


def _facts(args: argparse.Namespace, out: TextIO) -> int:
    country = args.country.upper()
    if country not in country_codes():
        raise OptionError(f"{args.country!r} is not an ISO 3166-1 alpha-2 country code")
    language = _languages(args.lang)[0]
    home = None
    if args.home:
        try:
            home = home_zone(args.home)
        except ValueError as error:
            raise OptionError(f"--home: {error}") from None
    first, last = args.dates
    facts = destination_facts(country, first, last, locale=language, home=home)
    rate = exchange(facts, home, network=args.rates)
    if args.format == "json":
        data = facts_to_dict(facts)
        data["exchange_rate"] = rate.to_dict() if rate is not None else None
        out.write(to_json(data))
    else:
        out.writelines(line + "\n" for line in destination_lines(facts, [language], home, rate))
    return EXIT_OK


_SUFFIX_FORMATS: dict[str, SheetFormat] = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".txt": "txt",
    ".pdf": "pdf",
}


def _brief(args: argparse.Namespace, out: TextIO) -> int:
    trip = _load(args)
    languages = _languages(args.lang or trip.languages[0])
    fmt: SheetFormat = args.format or _SUFFIX_FORMATS.get(Path(args.out).suffix.lower(), "html")
    sheet = build_sheet(
        trip,
        languages=languages,
        audience=args.audience,
        organization=args.organization,
        paper=args.paper,
        rates=args.rates,
    )
    _write(args.out, render_sheet(sheet, fmt), out)
    return EXIT_OK


def _build(args: argparse.Namespace, out: TextIO) -> int:
    options = _options(args)
    trip = _load(args)
    files, findings = build_outputs(
        trip, now=_stamp(args), rates=args.rates, options=options, source=_source(args)
    )
    for path in write_outputs(args.out, files):
        out.write(f"wrote {path}\n")
    report = check_report(trip, findings, _source(args))
    out.writelines(line + "\n" for line in report_lines(report, findings))
    return EXIT_FINDINGS if report["summary"]["error"] else EXIT_OK


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
