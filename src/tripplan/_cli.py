"""The ``tripplan`` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 done (no error findings), 1 the plan has error findings (for ``publish``: some
resources were changed on the server and left alone), 2 bad input or usage, or a server or
network failure (every problem printed, one line each, and nothing half-written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._exceptions import TripplanError

if TYPE_CHECKING:
    from ._briefing import Format as SheetFormat
    from ._checks import CheckOptions, Finding
    from ._feeds import BusyEvent
    from ._itip import Invitation
    from ._model import Trip
    from ._rates import RateResult

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, as for any bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

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
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_check_options(check)
    _add_calendars(check)

    free = trip_command("free", "List the traveller's free slots on a day of the trip.")
    free.add_argument("--day", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    free.add_argument("--duration", required=True, type=_duration, metavar="DURATION")
    free.add_argument(
        "--business-hours",
        type=_hours,
        metavar="HH:MM-HH:MM",
        help="local hours to look in (default 08:00-19:00)",
    )
    _add_calendars(free)

    trip_command("timeline", "Print every item at its resolved local times and zones.")

    ics = trip_command("ics", "Write the trip as a calendar to import or subscribe to.")
    ics.add_argument(
        "-o", "--out", required=True, help="the .ics file to write (- for standard output)"
    )
    ics.add_argument("--audience", choices=["traveller", "team", "customer"], default="traveller")
    ics.add_argument("--organization", help="with --audience customer: which customer it is for")
    ics.add_argument("--lang", help="language of the labels (default: the traveller's)")
    _add_reproducible(ics)

    invites = trip_command("invites", "Write (and send) an invitation for every meeting.")
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
    build.add_argument("--out", required=True, type=Path, help="output folder")
    _add_reproducible(build)
    _add_rates(build)
    _add_check_options(build)

    facts = commands.add_parser(
        "facts",
        help="What a traveller needs to know about a country over some dates.",
        description="What a traveller needs to know about a country over some dates.",
    )
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

    commands.add_parser("schema", help="Print the JSON Schema of the trip file.")
    return parser


def _duration(text: str) -> Any:
    from ._types import parse_duration

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


def _busy(args: argparse.Namespace, trip: Trip) -> list[BusyEvent]:
    """Every event of the traveller's calendars during the trip (recurrences expanded)."""
    from ._feeds import busy_events, read_calendar

    start, end = trip.timeline.start, trip.timeline.end
    if start is None or end is None or not args.calendar:
        return []
    if args.command == "free":  # the day asked for may lie outside the items' span
        day = datetime.combine(args.day, time(0), tzinfo=UTC)
        start, end = min(start, day - timedelta(days=1)), max(end, day + timedelta(days=2))
    found = []
    for source in args.calendar:
        found += busy_events(
            read_calendar(source),
            start,
            end,
            include_all_day=args.all_day_conflicts,
            include_transparent=args.free_time_conflicts,
            default_zone=trip.home_zone,
            source=source,
        )
    return found


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


def _stamp(args: argparse.Namespace, path: str) -> datetime | None:
    """DTSTAMP for this run: SOURCE_DATE_EPOCH, the file's mtime with --reproducible, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.isdigit():
            raise _UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds")
        return datetime.fromtimestamp(int(epoch), UTC)
    if not getattr(args, "reproducible", False):
        return None
    if path == "-":
        raise _UsageError("--reproducible with standard input needs SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(os.stat(path).st_mtime), UTC)


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
    from ._checks import CODES, CheckOptions

    unknown = [code for code in args.disable if code not in CODES]
    if unknown:
        raise _UsageError(f"unknown check code {unknown[0]!r}; expected one of: {', '.join(CODES)}")
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


class _UsageError(TripplanError):
    pass


def _load(args: argparse.Namespace) -> Trip:
    from ._loading import load_trip, parse_trip

    if args.file == "-":
        return parse_trip(
            sys.stdin.buffer.read(), format=args.input_format or "yaml", source="<stdin>"
        )
    return load_trip(args.file, format=args.input_format)


def _report(trip: Trip, findings: list[Finding], source: str) -> dict[str, Any]:
    from . import __version__
    from ._zones import tzdata_version

    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
    return {
        "trip": trip.id,
        "file": source,
        "tripplan": __version__,
        "tzdata": tzdata_version(),
        "summary": counts,
        "findings": [f.to_dict() for f in findings],
    }


def _text(report: dict[str, Any], findings: list[Finding], out: TextIO) -> None:
    for finding in findings:
        out.write(f"{report['file']}: {finding}\n")
    counts = report["summary"]

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    out.write(
        f"{report['trip']}: {plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
        f"{plural(counts['note'], 'note')} (tzdata {report['tzdata']})\n"
    )


def _timeline_text(trip: Trip, out: TextIO) -> None:
    for e in trip.timeline:
        start = f"{e.start:%a %Y-%m-%d %H:%M} {e.origin.zone.key}"
        end = f"{e.end:%a %Y-%m-%d %H:%M} {e.destination.zone.key}"
        out.write(
            f"{e.id}\n  {e.label}\n  {start} → {end} ({e.start_utc:%H:%MZ} → {e.end_utc:%H:%MZ})\n"
        )


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "schema":
        from ._model import Trip

        out.write(_json(Trip.model_json_schema(by_alias=True)))
        return EXIT_OK
    if args.command == "facts":
        return _facts(args, out)
    options = _options(args) if hasattr(args, "disable") else None
    trip = _load(args)
    source = "<stdin>" if args.file == "-" else args.file
    if args.command == "timeline":
        _timeline_text(trip, out)
        return EXIT_OK
    if args.command == "ics":
        return _ics(args, trip, out)
    if args.command == "invites":
        return _invites(args, trip, out)
    if args.command == "brief":
        return _brief(args, trip, out)
    if args.command == "free":
        return _free(args, trip, out)
    if args.command == "publish":
        return _publish(args, trip, out)
    findings = trip.check(options)
    if getattr(args, "calendar", None):
        from ._checks import order
        from ._feeds import conflicts

        findings = order([*findings, *(c.to_finding() for c in conflicts(trip, _busy(args, trip)))])
    report = _report(trip, findings, source)
    failed = EXIT_FINDINGS if report["summary"]["error"] else EXIT_OK
    if args.command == "check":
        if args.format == "json":
            out.write(_json(report))
        else:
            _text(report, findings, out)
        return failed
    assert args.command == "build"
    return _build(args, trip, report, findings, out) or failed


def _ics(args: argparse.Namespace, trip: Trip, out: TextIO) -> int:
    from ._ics import trip_calendar
    from ._output import write_atomic

    calendar = trip_calendar(
        trip,
        args.audience,
        organization=args.organization,
        language=args.lang,
        now=_stamp(args, args.file),
    )
    data = calendar.to_ical()
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        out.write(f"wrote {write_atomic(args.out, data)}\n")
    return EXIT_OK


def _invitations(trip: Trip, now: datetime | None, since: str | None = None) -> list[Invitation]:
    """First invitations, or with ``since`` (the previous trip file) only what changed."""
    from ._itip import diff, invitations

    if since:
        from ._loading import load_trip

        return diff(load_trip(since), trip).invitations(now=now)
    return invitations(trip, now=now)


def _invites(args: argparse.Namespace, trip: Trip, out: TextIO) -> int:
    from ._output import write_outputs

    sent = _invitations(trip, _stamp(args, args.file), args.since)
    files = {i.filename: i.to_ical() for i in sent}
    for path in write_outputs(args.out, files):
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
        _send(args.send, trip, sent, out, _stamp(args, args.file))
    return EXIT_OK


def _send(url: str, trip: Trip, sent: list[Invitation], out: TextIO, date: datetime | None) -> None:
    """Mail each invitation (iMIP) from its organizer to its recipients."""
    from ._exceptions import MailError
    from ._mail import imip_message, send

    def who(key: str) -> tuple[str, str]:
        person = trip.people[key]
        assert person.email is not None
        return person.name, person.email

    messages = [
        imip_message(
            i.calendar,
            sender=who(i.organizer),
            to=[who(k) for k in i.recipients],
            subject=i.subject,
            text=i.text,
            html=i.html,
            date=date,
            message_id_domain=who(i.organizer)[1].rpartition("@")[2] if date else None,
        )
        for i in sent
    ]
    try:
        done = send(messages, url)
    except MailError as error:
        for message_id in error.sent:
            out.write(f"sent {message_id}\n")
        raise
    for message_id in done:
        out.write(f"sent {message_id}\n")


def _publish(args: argparse.Namespace, trip: Trip, out: TextIO) -> int:
    from ._caldav import publish

    published = publish(trip, args.caldav, force=args.force, now=_stamp(args, args.file))
    for line in published.lines():
        out.write(line + "\n")
    return EXIT_FINDINGS if published.conflicts else EXIT_OK


def _free(args: argparse.Namespace, trip: Trip, out: TextIO) -> int:
    from ._feeds import free_slots

    hours = args.business_hours or (time(8), time(19))
    slots = free_slots(trip, _busy(args, trip), args.day, args.duration, hours=hours)
    for start, end in slots:
        out.write(f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {start.tzinfo} (UTC{start:%z})\n")
    if not slots:
        out.write(f"no free slot of {args.duration} on {args.day}\n")
    return EXIT_OK


def _facts(args: argparse.Namespace, out: TextIO) -> int:
    from ._facts import destination_facts, exchange, facts_to_dict
    from ._zones import country_codes

    country = args.country.upper()
    if country not in country_codes():
        raise _UsageError(f"{args.country!r} is not an ISO 3166-1 alpha-2 country code")
    _check_locale(args.lang)
    home = None
    if args.home:
        from ._model import home_zone

        try:
            home = home_zone(args.home)
        except ValueError as error:
            raise _UsageError(f"--home: {error}") from None
    first, last = args.dates
    facts = destination_facts(country, first, last, locale=args.lang, home=home)
    rate = exchange(facts, home, network=args.rates)
    if args.format == "json":
        data = facts_to_dict(facts)
        data["exchange_rate"] = _rate_dict(rate)
        out.write(_json(data))
        return EXIT_OK
    from ._briefing import destination_lines

    for line in destination_lines(facts, [args.lang], home, rate):
        out.write(line + "\n")
    return EXIT_OK


def _rate_dict(result: RateResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    rate = result.rate
    return {
        "origin": result.origin,
        "note": result.note,
        "attribution": result.attribution,
        "rate": None
        if rate is None
        else {
            "base": rate.base,
            "quote": rate.quote,
            "value": str(rate.value),
            "as_of": rate.as_of.isoformat(),
            "source": rate.source,
        },
    }


_SUFFIX_FORMATS: dict[str, SheetFormat] = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".txt": "txt",
    ".pdf": "pdf",
}


def _brief(args: argparse.Namespace, trip: Trip, out: TextIO) -> int:
    from ._briefing import build_sheet, render_sheet
    from ._output import write_atomic

    languages = [
        part.strip() for part in (args.lang or trip.languages[0]).split(",") if part.strip()
    ]
    for language in languages:
        _check_locale(language)
    fmt: SheetFormat = args.format or _SUFFIX_FORMATS.get(Path(args.out).suffix.lower(), "html")
    sheet = build_sheet(
        trip,
        languages=languages,
        audience=args.audience,
        organization=args.organization,
        paper=args.paper,
        rates=args.rates,
    )
    data = render_sheet(sheet, fmt)
    if args.out == "-":
        sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    else:
        out.write(f"wrote {write_atomic(args.out, data)}\n")
    return EXIT_OK


def _check_locale(language: str) -> None:
    from ._types import _check_locale as check

    try:
        check(language)
    except ValueError as error:
        raise _UsageError(f"--lang: {error}") from None


def _build(
    args: argparse.Namespace,
    trip: Trip,
    report: dict[str, Any],
    findings: list[Finding],
    out: TextIO,
) -> int:
    from ._ics import trip_calendar
    from ._output import write_outputs
    from ._zones import tzdata_version

    now = _stamp(args, args.file)
    files: dict[str, str | bytes] = {
        "timeline.json": _json(
            {"trip": trip.id, "tzdata": tzdata_version(), "items": trip.timeline.to_dict()}
        ),
        "check.json": _json(report),
        "trip.ics": trip_calendar(trip, now=now).to_ical(),
    }
    files.update({f"invites/{i.filename}": i.to_ical() for i in _invitations(trip, now)})
    from ._briefing import build_sheet, render_sheet

    for language in trip.languages:
        sheet = render_sheet(build_sheet(trip, languages=[language], rates=args.rates), "html")
        files[f"briefing-{language}.html"] = sheet
    for path in write_outputs(args.out, files):
        out.write(f"wrote {path}\n")
    _text(report, findings, out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (``python -m tripplan`` and the script exit with it)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args, sys.stdout)
    except TripplanError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `tripplan schema | head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        sys.stderr.write(f"tripplan: {exc.filename or ''}: {exc.strerror}\n")
        return EXIT_BAD_INPUT
