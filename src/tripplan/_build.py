"""Everything tripplan makes for a trip, as the command's ``build`` writes it, and the reports
that ``check`` and ``timeline`` print: library functions, so a script gets exactly what the
command writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import icalendar

from ._briefing import build_sheet
from ._checks import CheckOptions, check
from ._feeds import BusyEvent
from ._findings import Finding, Severity
from ._ics import build_calendar
from ._itip import Invitation, build_invitations, cancel_sent, diff_trips
from ._model import Trip
from ._render import render_sheet
from ._timeline import resolve
from ._version import __version__
from ._zones import tzdata_version

__all__ = [
    "Outputs",
    "build_outputs",
    "check_report",
    "invitation_lines",
    "invitation_report",
    "invitations_since",
    "report_lines",
    "schema_text",
    "timeline_lines",
    "timeline_report",
    "to_json",
]


class Outputs(NamedTuple):
    """What ``build_outputs`` makes: the files by relative path, the findings, the warnings."""

    files: dict[str, bytes]
    findings: list[Finding]
    warnings: tuple[str, ...] = ()


def to_json(data: Any) -> str:
    """JSON as tripplan writes it: indented, UTF-8 text kept as it is, a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The JSON Schema of the trip file, as ``tripplan schema`` prints it (and the MCP server's
    resource gives it)."""
    return to_json(Trip.model_json_schema(by_alias=True))


def check_report(trip: Trip, findings: Iterable[Finding], source: str = "") -> dict[str, Any]:
    """The findings as JSON-ready data, with the counts per severity and the data versions."""
    findings = list(findings)
    counts = {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
    return {
        "trip": trip.id,
        "file": source,
        "tripplan": __version__,
        "tzdata": tzdata_version(),
        "summary": counts,
        "findings": [f.to_dict() for f in findings],
    }


def report_lines(report: dict[str, Any], findings: Iterable[Finding]) -> list[str]:
    """The report as ``check`` prints it: one line per finding, then the counts."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    counts = report["summary"]
    lines = [f"{report['file']}: {finding}" for finding in findings]
    lines.append(
        f"{report['trip']}: {plural(counts['error'], 'error')}, "
        f"{plural(counts['warning'], 'warning')}, {plural(counts['note'], 'note')} "
        f"(tzdata {report['tzdata']})"
    )
    return lines


def timeline_report(trip: Trip) -> dict[str, Any]:
    """The resolved itinerary as JSON-ready data (``timeline.json``)."""
    return {"trip": trip.id, "tzdata": tzdata_version(), "items": resolve(trip).to_dict()}


def timeline_lines(trip: Trip) -> list[str]:
    """The resolved itinerary as ``timeline`` prints it: three lines per item."""
    lines = []
    for e in resolve(trip):
        start = f"{e.start:%a %Y-%m-%d %H:%M} {e.origin.zone.key}"
        end = f"{e.end:%a %Y-%m-%d %H:%M} {e.destination.zone.key}"
        lines += [
            e.id,
            f"  {e.label}",
            f"  {start} → {end} ({e.start_utc:%H:%MZ} → {e.end_utc:%H:%MZ})",
        ]
    return lines


def invitations_since(
    trip: Trip, previous: Trip | None, *, now: datetime | None = None
) -> list[Invitation]:
    """First invitations, or, given the ``previous`` version of the trip, only what changed."""
    if previous is None:
        return build_invitations(trip, now=now)
    return diff_trips(previous, trip).invitations(now=now)


def invitation_report(trip: Trip, invitation: Invitation) -> dict[str, Any]:
    """One invitation as ``invites --format json`` prints it and the MCP server's
    ``invitations`` tool gives it (that one adds the iCalendar text): named as ``Invitation``
    names its attributes, recipients by their key of people."""
    return {
        "item_id": invitation.item_id,
        "filename": invitation.filename,
        "uid": invitation.uid,
        "method": str(invitation.method),
        "sequence": invitation.sequence,
        "subject": invitation.subject,
        "recipients": [
            {"key": key, "name": trip.people[key].name, "email": trip.people[key].email}
            for key in invitation.recipients
        ],
        "uninvited": list(invitation.uninvited),
    }


def invitation_lines(
    trip: Trip, written: Iterable[str], sent: list[Invitation], *, since: bool = False
) -> list[str]:
    """What ``invites`` prints: the files written, then each invitation and who it goes to."""
    lines = [f"wrote {path}" for path in written]
    for invitation in sent:
        names = ", ".join(trip.people[k].name for k in invitation.recipients)
        lines.append(
            f"{invitation.method} {invitation.filename} (SEQUENCE {invitation.sequence}) to {names}"
        )
        if invitation.uninvited:
            left = ", ".join(invitation.uninvited)
            lines.append(f"  not invited (no email, or a customer at an internal meeting): {left}")
    if not sent:
        lines.append(
            "no invitations: nothing changed" if since else "no meetings to invite anyone to"
        )
    return lines


def build_outputs(
    trip: Trip,
    *,
    now: datetime | None = None,
    rates: bool = False,
    options: CheckOptions | None = None,
    busy: Iterable[BusyEvent] = (),
    source: str = "",
    sent: Mapping[str, bytes] | None = None,
) -> Outputs:
    """Every output of a trip, rendered in memory before anything is written, the findings, and
    the warnings of the sheets (a language without labels of its own).

    The outputs, by relative path: ``trip.ics`` (the traveller's calendar), ``invites/*.ics``
    (one invitation per meeting), ``briefing-<language>.html`` (a sheet per trip language),
    ``check.json`` and ``timeline.json``. ``now`` fixes every time stamp (reproducible bytes).

    ``sent`` holds the invitations of an earlier build (file name -> bytes): a meeting that is
    gone or cancelled since gets a cancellation (``<name>-cancel.ics``) in place of its old
    request, and an earlier cancellation stays while its meeting stays away.
    """
    findings = check(trip, options, busy=busy)
    warnings: list[str] = []
    files: dict[str, bytes] = {
        "timeline.json": to_json(timeline_report(trip)).encode(),
        "check.json": to_json(check_report(trip, findings, source)).encode(),
        "trip.ics": build_calendar(trip, now=now).to_ical(),
    }
    invitations = build_invitations(trip, now=now)
    for invitation in invitations:
        files[f"invites/{invitation.filename}"] = invitation.to_ical()
    files |= {
        f"invites/{name}": data
        for name, data in _cancellations(sent or {}, {i.uid for i in invitations}, now).items()
    }
    for language in trip.languages:
        sheet = build_sheet(trip, languages=[language], rates=rates)
        warnings.extend(sheet.warnings)
        files[f"briefing-{language}.html"] = render_sheet(sheet, "html").encode()
    return Outputs(files, findings, tuple(dict.fromkeys(warnings)))


def _cancellations(
    sent: Mapping[str, bytes], current: set[str], now: datetime | None
) -> dict[str, bytes]:
    """Cancellations for the invitations of an earlier build whose meeting is no longer invited."""
    found: dict[str, bytes] = {}
    for name, data in sorted(sent.items()):
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError:
            continue  # not one of ours: it is not carried over
        events = calendar.walk("VEVENT")
        uid = str(events[0].get("UID", "")) if len(events) == 1 else ""
        if not uid or uid in current:
            continue
        method = str(calendar.get("METHOD", "")).upper()
        if method == "CANCEL":
            found[name] = data
        elif method == "REQUEST":
            stem = name.removesuffix(".ics")
            found[f"{stem}-cancel.ics"] = cancel_sent(data, now=now).to_ical()
    return found
