"""What real calendar clients' parsers make of an .ics file, for tests that check tripplan's output.

A calendar is right only if the programs people open it in read it right, and icalendar reading
back its own output proves little. So tests run two independent parsers on the file:

* ical.js, Thunderbird's, under ``node`` (``tests/interop/icaljs-read.mjs``; install it with
  ``npm ci`` in ``tests/interop``);
* libical, Evolution's, through its GObject binding, which is a Debian package rather than a PyPI
  one and so runs in Debian's own ``/usr/bin/python3`` (``tests/interop/libical-read.py``;
  ``apt-get install gir1.2-ical-3.0 python3-gi``).

A missing tool fails the test with the command that installs it: the project's CI installs both,
and a skipped interop test would hide exactly the breakage it exists to catch.

``assert_clients_agree`` is the one call for a test that wrote a calendar file: ical.js, libical
and icalendar (through the file's own VTIMEZONEs) must read the same events, libical's restriction
check must pass, and the file stored in a real CalDAV server (Radicale, ``tests/_radicale.py``)
and fetched back must still read as those events, in all three.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from os import PathLike
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event, vDDDTypes

from ._radicale import RadicaleServer, join_resources

__all__ = [
    "Disagreement",
    "InteropError",
    "LibicalComplaint",
    "LibicalResult",
    "ParsedEvent",
    "ParserUnavailable",
    "assert_clients_agree",
    "read_icalendar",
    "read_icaljs",
    "read_libical",
]

INTEROP = Path(__file__).parent / "interop"
DEBIAN_PYTHON = Path("/usr/bin/python3")
_TIMEOUT = 120  # seconds; a parser that hangs fails the test instead of the whole run


class ParserUnavailable(RuntimeError):
    """A parser or the program that runs it is not installed; the message says how to install it."""


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """One VEVENT as a parser understood it. All-day events have midnight UTC of their dates."""

    uid: str
    summary: str
    start_utc: datetime
    end_utc: datetime
    all_day: bool

    @classmethod
    def expect(
        cls, uid: str, summary: str, start: date | datetime, end: date | datetime
    ) -> ParsedEvent:
        """The event a test expects: timed between two aware datetimes (in any zone), or all-day
        from the date ``start`` to the date ``end`` (exclusive, as DTEND has it)."""
        if isinstance(start, datetime) and isinstance(end, datetime):
            if start.utcoffset() is None or end.utcoffset() is None:
                raise ValueError("a timed event is expected between aware datetimes")
            return cls(uid, summary, start.astimezone(UTC), end.astimezone(UTC), False)
        if isinstance(start, datetime) or isinstance(end, datetime):
            raise ValueError("start and end are both dates (all-day) or both datetimes")
        return cls(uid, summary, _midnight(start), _midnight(end), True)

    def __str__(self) -> str:
        def show(value: datetime) -> str:
            return value.date().isoformat() if self.all_day else f"{value:%Y-%m-%dT%H:%M:%SZ}"

        kind = "all-day " if self.all_day else ""
        return f"{kind}{show(self.start_utc)} -> {show(self.end_utc)} {self.summary!r}"


@dataclass(frozen=True, slots=True)
class LibicalResult:
    """libical's events, whether its restriction check passed, and the X-LIC-ERRORs it added."""

    events: list[ParsedEvent]
    restrictions_ok: bool
    errors: list[str]


def read_icaljs(path: str | PathLike[str]) -> list[ParsedEvent]:
    """The events of ``path`` as ical.js reads them, every VTIMEZONE of the file registered."""
    node = shutil.which("node")
    if node is None:
        raise ParserUnavailable(
            "node is not installed: apt-get install -y nodejs npm, then run npm ci in tests/interop"
        )
    if not (INTEROP / "node_modules" / "ical.js" / "package.json").is_file():
        raise ParserUnavailable(f"ical.js is not installed: run npm ci in {INTEROP}")
    return _events(_run([node, str(INTEROP / "icaljs-read.mjs"), str(path)]))


def read_libical(path: str | PathLike[str]) -> LibicalResult:
    """The events of ``path`` as libical reads them, with its restriction check's verdict."""
    if not DEBIAN_PYTHON.is_file():
        raise ParserUnavailable(
            f"{DEBIAN_PYTHON} is missing: apt-get install -y python3 python3-gi gir1.2-ical-3.0"
        )
    output = _run([str(DEBIAN_PYTHON), str(INTEROP / "libical-read.py"), str(path)])
    return LibicalResult(
        events=_events(output),
        restrictions_ok=bool(output["restrictions_ok"]),
        errors=[str(e) for e in output["errors"]],
    )


def _run(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    if done.returncode == 3:  # libical-read.py: the binding is missing
        raise ParserUnavailable(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _events(output: dict[str, Any]) -> list[ParsedEvent]:
    return [
        ParsedEvent(
            uid=e["uid"] or "",  # a missing UID or SUMMARY comes as null
            summary=e["summary"] or "",
            start_utc=datetime.fromisoformat(e["start"]),
            end_utc=datetime.fromisoformat(e["end"]),
            all_day=e["all_day"],
        )
        for e in output["events"]
    ]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# --- icalendar, through the file's own VTIMEZONEs ----------------------------------------------


def read_icalendar(path: str | PathLike[str]) -> list[ParsedEvent]:
    """The events of ``path`` as icalendar reads them, every TZID resolved through the file's own
    VTIMEZONE (``Timezone.to_tz(lookup_tzid=False)``), never through the zones Python knows."""
    return _icalendar_events(Path(path).read_bytes())


def _icalendar_events(ics: bytes) -> list[ParsedEvent]:
    cal = Calendar.from_ical(ics)
    assert isinstance(cal, Calendar), type(cal)
    zones = {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.timezones}
    return [_icalendar_event(event, zones) for event in cal.events]


def _icalendar_event(event: Event, zones: dict[str, tzinfo]) -> ParsedEvent:
    uid = str(event.get("UID", ""))

    def value(name: str) -> vDDDTypes | None:
        found = event.get(name)
        assert found is None or isinstance(found, vDDDTypes), f"{uid} {name}: {found!r}"
        return found

    def zone_of(prop: vDDDTypes, name: str) -> tzinfo:
        if "TZID" in prop.params:
            tzid = str(prop.params["TZID"])
            if tzid not in zones:
                raise ValueError(f"icalendar: {uid} {name}: no VTIMEZONE in the file for {tzid!r}")
            return zones[tzid]
        if isinstance(prop.dt, datetime) and prop.dt.utcoffset() == timedelta(0):
            return UTC
        raise ValueError(f"icalendar: {uid} {name} is a floating time, which no zone resolves")

    start = value("DTSTART")
    if start is None:
        raise ValueError(f"icalendar: {uid} has no DTSTART")
    if not isinstance(start.dt, datetime):  # VALUE=DATE: dates are compared, not instants
        assert isinstance(start.dt, date), start
        end = value("DTEND")
        if end is not None:
            last = end.dt
        elif (duration := value("DURATION")) is not None:
            assert isinstance(duration.dt, timedelta), duration
            last = start.dt + duration.dt
        else:
            last = start.dt + timedelta(days=1)  # RFC 5545 §3.6.1
        assert isinstance(last, date) and not isinstance(last, datetime), f"{uid} DTEND {last!r}"
        return ParsedEvent(
            uid, str(event.get("SUMMARY", "")), _midnight(start.dt), _midnight(last), True
        )

    zone = zone_of(start, "DTSTART")
    wall = start.dt.replace(tzinfo=None)
    begin = wall.replace(tzinfo=zone).astimezone(UTC)
    end = value("DTEND")
    if end is not None:
        assert isinstance(end.dt, datetime), f"{uid}: DTEND is a date, DTSTART a date-time"
        finish = end.dt.replace(tzinfo=None).replace(tzinfo=zone_of(end, "DTEND")).astimezone(UTC)
    elif (duration := value("DURATION")) is not None:
        span = duration.dt
        assert isinstance(span, timedelta), span
        # RFC 5545 §3.3.6: days are nominal (wall-clock days), hours and less are exact.
        nominal = (wall + timedelta(days=span.days)).replace(tzinfo=zone).astimezone(UTC)
        finish = nominal + (span - timedelta(days=span.days))
    else:
        finish = begin
    return ParsedEvent(uid, str(event.get("SUMMARY", "")), begin, finish, False)


# --- the three readers, and the server's copy ------------------------------------------------


class InteropError(AssertionError):
    """A calendar that real clients or a CalDAV server would not read as intended."""


class Disagreement(InteropError):
    """Two readings of the events differ: between parsers, the server's copy, or the expected."""


class LibicalComplaint(InteropError):
    """libical's restriction check failed, or it left X-LIC-ERROR properties in the file."""


def _key(event: ParsedEvent) -> tuple[str, datetime, datetime, str, bool]:
    return (event.uid, event.start_utc, event.end_utc, event.summary, event.all_day)


def _agree(readings: dict[str, list[ParsedEvent]], what: str) -> list[ParsedEvent]:
    """The events every reading found, sorted; or a Disagreement that shows each reading's version
    of every UID they differ on."""
    ordered = {name: sorted(events, key=_key) for name, events in readings.items()}
    first, *others = ordered.values()
    if all(events == first for events in others):
        return first
    width = max(len(name) for name in ordered)
    lines = [f"{', '.join(ordered)} disagree on {what}:"]
    uids = sorted({e.uid for events in ordered.values() for e in events})
    for uid in uids:
        versions = {name: [e for e in events if e.uid == uid] for name, events in ordered.items()}
        if all(v == next(iter(versions.values())) for v in versions.values()):
            continue
        lines.append(f"  UID {uid!r}:")
        for name, found in versions.items():
            shown = "; ".join(str(e) for e in found) or "(no such event)"
            lines.append(f"    {name:<{width}}  {shown}")
    raise Disagreement("\n".join(lines))


def _read_everywhere(path: Path) -> tuple[dict[str, list[ParsedEvent]], LibicalResult]:
    with ThreadPoolExecutor(max_workers=2) as pool:  # two subprocesses side by side
        icaljs = pool.submit(read_icaljs, path)
        libical = pool.submit(read_libical, path)
        readings = {"ical.js": icaljs.result(), "libical": libical.result().events}
        readings["icalendar"] = read_icalendar(path)
    return readings, libical.result()


def _check_libical(result: LibicalResult, what: str) -> None:
    if result.errors or not result.restrictions_ok:
        problems = "\n".join(f"  {e}" for e in result.errors) or "  (no X-LIC-ERROR added)"
        verdict = "passed" if result.restrictions_ok else "failed"
        raise LibicalComplaint(f"libical's restriction check {verdict} on {what}:\n{problems}")


def assert_clients_agree(
    path: str | PathLike[str],
    server: RadicaleServer,
    *,
    expected: Sequence[ParsedEvent] | None = None,
) -> list[ParsedEvent]:
    """Check the calendar file ``path`` the way the project requires, and return its events.

    1. ical.js, libical and icalendar read the same events (UID, summary, start and end instants
       or, for all-day events, dates), none ends before it starts, and libical's restriction
       check passes without adding X-LIC-ERRORs;
    2. a new calendar on ``server`` takes the file, one resource per UID without METHOD (a
       refusal raises ``CalDAVError`` with Radicale's reason), and each resource it serves back
       reads, in all three parsers, as the same events (libical's check passes on them too);
    3. the events are ``expected`` (``ParsedEvent.expect`` builds those), if it is given.

    Failures raise an ``InteropError`` (``Disagreement``, ``LibicalComplaint``) or a
    ``CalDAVError``, all AssertionErrors, with the events each reader found where they differ.
    A parser that cannot read the file at all raises RuntimeError with its message.
    """
    path = Path(path)
    readings, libical = _read_everywhere(path)
    agreed = _agree(readings, str(path))
    _check_libical(libical, str(path))
    backwards = [f"  UID {e.uid!r}: {e}" for e in agreed if e.end_utc < e.start_utc]
    if backwards:  # RFC 5545 §3.8.2.2; Radicale and both parsers take such an event as it is
        raise InteropError(f"{path}: events that end before they start:\n" + "\n".join(backwards))

    collection = server.make_calendar()
    server.put_ics(collection, path.read_bytes())
    copies = server.get_all(collection)
    with tempfile.TemporaryDirectory(prefix="radicale-copy-") as folder:
        copy = Path(folder) / path.name
        # ical.js and libical read the served resources joined into one file (two processes, not
        # two per resource); icalendar reads each resource alone, so each must carry its zones.
        what = f"Radicale's copy of {path}"
        try:
            copy.write_bytes(join_resources(copies))
            icalendar_events = [e for ics in copies for e in _icalendar_events(ics)]
        except ValueError as e:  # a resource that lost a VTIMEZONE it needs, say
            raise InteropError(f"{what}: {e}") from e
        served, served_libical = _read_everywhere(copy)
        served["icalendar"] = icalendar_events
        served_agreed = _agree(served, what)
        _agree({"file": agreed, "Radicale's copy": served_agreed}, what)
        _check_libical(served_libical, what)

    if expected is not None:
        _agree({"file": agreed, "expected": list(expected)}, f"{path} against the expected events")
    return agreed
