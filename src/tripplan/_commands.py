"""What each subcommand of ``tripplan`` does: load the trip, call one library function, print.

Each function takes the parsed arguments and the stream to print to, and returns the exit code;
errors are raised as ``TripplanError`` and mapped to exit codes by ``_cli.main``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._arguments import THRESHOLDS
from ._briefing import build_sheet
from ._build import (
    build_outputs,
    check_report,
    invitation_lines,
    invitation_report,
    invitations_since,
    report_lines,
    schema_text,
    timeline_lines,
    timeline_report,
    to_json,
)
from ._checks import CheckOptions, check
from ._destination import destination_lines
from ._exceptions import InvitationError, MailError, OptionError
from ._feeds import BusyEvent
from ._folder import write_folder
from ._ics import build_calendar
from ._later import later
from ._loading import load_trip, parse_trip
from ._model import Trip
from ._outcomes import check_languages, destination, error_report, facts_data
from ._output import write_atomic, write_outputs
from ._render import render_sheet
from ._schedule import free_slots, traveller_busy
from ._sheet import Format as SheetFormat
from ._types import format_duration

if TYPE_CHECKING:  # mail and CalDAV: imported when `invites --send` or `publish` runs
    from ._caldav import publish_calendar
    from ._mail import invitation_mail
    from ._mail_delivery import check_mail_url, send_mail
else:
    publish_calendar = later("tripplan._caldav").publish_calendar
    invitation_mail = later("tripplan._mail").invitation_mail
    check_mail_url = later("tripplan._mail_delivery").check_mail_url
    send_mail = later("tripplan._mail_delivery").send_mail

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "brief",
    "build",
    "check_command",
    "check_options",
    "facts",
    "free",
    "ics",
    "invites",
    "load",
    "print_outcome",
    "print_written",
    "publish",
    "refuse_inputs",
    "schema",
    "source_of",
    "timeline",
    "to_json",
    "wants_json",
    "write_out",
]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


#: SOURCE_DATE_EPOCH may name an instant from 1970 to the end of 2199.
_LAST_EPOCH = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())
#: A stamp derived from a trip's content falls in the ten years from 2020 on.
_CONTENT_EPOCH, _CONTENT_SPAN = datetime(2020, 1, 1, tzinfo=UTC), 10 * 365 * 86400


def _stamp(args: argparse.Namespace, trip: Trip) -> datetime | None:
    """DTSTAMP for this run: SOURCE_DATE_EPOCH; with --reproducible and no SOURCE_DATE_EPOCH, an
    instant derived from the trip's content (the same trip gives the same bytes on any machine
    and from any copy); else None (now)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.isdigit() or len(epoch) > 12 or int(epoch) > _LAST_EPOCH:
            raise OptionError(
                f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds from 1970 to 2199"
            )
        return datetime.fromtimestamp(int(epoch), UTC)
    if not getattr(args, "reproducible", False):
        return None
    if getattr(args, "since", None):
        raise OptionError(
            "--reproducible with --since needs SOURCE_DATE_EPOCH: an update's SEQUENCE comes "
            "from its time stamp and must grow with every revision"
        )
    digest = hashlib.sha256(trip.model_dump_json(by_alias=True).encode("utf-8")).digest()
    return _CONTENT_EPOCH + timedelta(seconds=int.from_bytes(digest[:8]) % _CONTENT_SPAN)


def refuse_inputs(args: argparse.Namespace, targets: Iterable[str | Path]) -> None:
    """An output never replaces an input (the trip, the previous trip, a calendar read), however
    either is spelled: checked before anything is written."""
    inputs = [args.file, getattr(args, "since", None), *getattr(args, "calendar", [])]
    existing = [Path(i) for i in inputs if i and i != "-" and Path(i).exists()]
    for target in targets:
        path = Path(target)
        for source in existing:
            if path.exists() and os.path.samefile(path, source):
                raise OptionError(
                    f"refusing to write {target}: it is the input file {source}; "
                    "choose another output"
                )


def check_options(args: argparse.Namespace) -> CheckOptions:
    """The check thresholds the flags set (parsed already by ``_arguments``); the rest default."""
    options = CheckOptions(disabled=frozenset(args.disable))
    fields = {flag: name for flag, (name, _) in THRESHOLDS.items()}
    for flag, name in (*fields.items(), ("system_zoneinfo", "system_zoneinfo")):
        value = getattr(args, flag)
        if value is not None:
            options = replace(options, **{name: value})
    return options


def load(args: argparse.Namespace) -> Trip:
    if args.file == "-":
        return parse_trip(
            sys.stdin.buffer.read(), format=args.input_format or "yaml", source="<stdin>"
        )
    return load_trip(args.file, format=args.input_format)


def source_of(args: argparse.Namespace) -> str:
    """The trip's name in messages and reports: its path as given, ``<stdin>``, or ``""`` for a
    command without one (``facts``)."""
    file = getattr(args, "file", None)
    return "" if file is None else "<stdin>" if file == "-" else str(file)


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
    return check_languages(part.strip() for part in text.split(",") if part.strip())


def _warn(warnings: Iterable[str]) -> None:
    """What the reader should know but that does not stop the command: on standard error."""
    for warning in warnings:
        sys.stderr.write(f"tripplan: warning: {warning}\n")


def write_out(args: argparse.Namespace, data: str | bytes) -> list[str]:
    """Write ``--out`` atomically (never over an input), or to standard output for ``-``; the
    paths written (none for standard output, where the data is all that is printed)."""
    target = args.out
    if target == "-":
        sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return []
    refuse_inputs(args, [target])
    return [str(write_atomic(target, data))]


def print_outcome(
    args: argparse.Namespace, out: TextIO, report: dict[str, Any], lines: Iterable[str]
) -> None:
    """The command's outcome: ``report`` as JSON when asked for, else ``lines`` as text."""
    if wants_json(args):
        out.write(to_json(report))
    else:
        out.writelines(line + "\n" for line in lines)


def print_written(args: argparse.Namespace, out: TextIO, paths: list[str], **more: Any) -> None:
    """Report the files written (nothing at all when the output went to standard output)."""
    if paths:
        print_outcome(
            args,
            out,
            {"file": source_of(args), "wrote": paths, **more},
            (f"wrote {p}" for p in paths),
        )


def schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(schema_text())
    return EXIT_OK


def wants_json(args: argparse.Namespace) -> bool:
    """Whether the command prints JSON: ``--format json``, or ``--report json`` for ``brief``
    (whose ``--format`` names the sheet's format)."""
    return "json" in (getattr(args, "format", None), getattr(args, "report", None))


def check_command(args: argparse.Namespace, out: TextIO) -> int:
    options = check_options(args)
    trip = load(args)
    findings = check(trip, options, busy=_busy(args, trip))
    report = check_report(trip, findings, source_of(args))
    print_outcome(args, out, report, report_lines(report, findings))
    return EXIT_FINDINGS if report["summary"]["error"] else EXIT_OK


def timeline(args: argparse.Namespace, out: TextIO) -> int:
    trip = load(args)
    print_outcome(args, out, timeline_report(trip), timeline_lines(trip))
    return EXIT_OK


def ics(args: argparse.Namespace, out: TextIO) -> int:
    languages = _languages(args.lang) if args.lang else [None]
    trip = load(args)
    calendar = build_calendar(
        trip,
        args.audience,
        organization=args.organization,
        language=languages[0],
        now=_stamp(args, trip),
    )
    print_written(args, out, write_out(args, calendar.to_ical()))
    return EXIT_OK


def invites(args: argparse.Namespace, out: TextIO) -> int:
    trip = load(args)
    previous = load_trip(args.since) if args.since else None
    now = _stamp(args, trip)
    if args.send:
        check_mail_url(args.send)  # before anything is written: a URL that cannot work
    try:
        sent = invitations_since(trip, previous, now=now)
        messages = [invitation_mail(trip, i, date=now) for i in sent] if args.send else []
    except InvitationError as error:  # say which trip: the message names the item and field
        raise InvitationError(f"{source_of(args)}: {error}") from None
    files = {i.filename: i.to_ical() for i in sent}
    refuse_inputs(args, [Path(args.out) / name for name in files])
    written = [str(path) for path in write_outputs(args.out, files)]
    report: dict[str, Any] = {
        "file": source_of(args),
        "wrote": written,
        "invitations": [invitation_report(trip, i) for i in sent],
    }
    failed: MailError | None = None
    if args.send:
        try:
            report["sent"] = list(send_mail(messages, args.send))
        except MailError as error:  # what went out before it failed is told too
            report["sent"], failed = list(error.sent), error
            report["error"] = error_report(error, source_of(args))["error"]
    lines = invitation_lines(trip, written, sent, since=bool(args.since))
    print_outcome(args, out, report, [*lines, *(f"sent {m}" for m in report.get("sent", ()))])
    if failed is not None and not wants_json(args):
        raise failed  # told on standard error, after what went out, as any error is
    return EXIT_OK if failed is None else EXIT_BAD_INPUT


def publish(args: argparse.Namespace, out: TextIO) -> int:
    trip = load(args)
    published = publish_calendar(trip, args.caldav, force=args.force, now=_stamp(args, trip))
    print_outcome(args, out, {"file": source_of(args), **published.to_dict()}, published.lines())
    return EXIT_FINDINGS if published.conflicts else EXIT_OK


def free(args: argparse.Namespace, out: TextIO) -> int:
    trip = load(args)
    hours = args.business_hours or (time(8), time(19))
    slots = free_slots(trip, _busy(args, trip, args.day), args.day, args.duration, hours=hours)
    report = {
        "file": source_of(args),
        "day": args.day.isoformat(),
        "duration": format_duration(args.duration),
        "slots": [
            {"start": start.isoformat(), "end": end.isoformat(), "timezone": str(start.tzinfo)}
            for start, end in slots
        ],
    }
    lines = [
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {start.tzinfo} (UTC{start:%z})" for start, end in slots
    ]
    print_outcome(args, out, report, lines or [f"no free slot of {args.duration} on {args.day}"])
    return EXIT_OK


def facts(args: argparse.Namespace, out: TextIO) -> int:
    first, last = args.dates
    facts, language, home, rate = destination(
        args.country, first, last, lang=args.lang, home=args.home, network=args.rates
    )
    lines = destination_lines(facts, [language], home, rate)
    print_outcome(args, out, facts_data(facts, rate), lines)
    return EXIT_OK


_SUFFIX_FORMATS: dict[str, SheetFormat] = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".txt": "txt",
    ".pdf": "pdf",
}


def brief(args: argparse.Namespace, out: TextIO) -> int:
    trip = load(args)
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
    _warn(sheet.warnings)
    print_written(
        args, out, write_out(args, render_sheet(sheet, fmt)), warnings=list(sheet.warnings)
    )
    return EXIT_OK


def build(args: argparse.Namespace, out: TextIO) -> int:
    options = check_options(args)
    trip = load(args)
    invites = Path(args.out) / "invites"
    sent = {p.name: p.read_bytes() for p in invites.glob("*.ics")} if invites.is_dir() else {}
    files, findings, warnings = build_outputs(
        trip,
        now=_stamp(args, trip),
        rates=args.rates,
        options=options,
        source=source_of(args),
        sent=sent,
    )
    _warn(warnings)
    refuse_inputs(args, [Path(args.out) / name for name in files])
    written = [str(path) for path in write_folder(args.out, files)]
    report = check_report(trip, findings, source_of(args))
    lines = [*(f"wrote {path}" for path in written), *report_lines(report, findings)]
    print_outcome(args, out, {"wrote": written, "warnings": list(warnings), **report}, lines)
    return EXIT_FINDINGS if report["summary"]["error"] else EXIT_OK
