"""Read an .ics file the way Evolution's libical does and print what it understood, as JSON.

    /usr/bin/python3 libical-read.py FILE.ics

Runs on Debian's Python with ``gir1.2-ical-3.0`` and ``python3-gi`` (libical through GObject
introspection), not in tripplan's environment. Every TZID is resolved through the VTIMEZONE of the
same file (``Component.get_timezone`` on the VCALENDAR, which Evolution's import fills its zone
cache from), never libical's built-in zones, so the output shows how libical reads the file's
own zones. Prints ``{"parser", "version", "events": [{uid, summary, start, end, all_day}],
"restrictions_ok", "errors"}``: start and end as UTC ISO instants (an all-day event's dates as
midnight UTC), then the result of libical's restriction check and every X-LIC-ERROR property
that parsing or the check left in the file.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any


def main(path: str) -> dict[str, Any]:
    try:
        import gi  # type: ignore[import-not-found]

        gi.require_version("ICalGLib", "3.0")
        from gi.repository import ICalGLib  # type: ignore[import-not-found]
    except (ImportError, ValueError) as e:  # ValueError: gi without the ICalGLib namespace
        sys.stderr.write(
            f"libical's GObject binding is missing ({e}): "
            "apt-get install -y gir1.2-ical-3.0 python3-gi\n"
        )
        raise SystemExit(3) from e

    with open(path, encoding="utf-8") as f:
        root = ICalGLib.Component.new_from_string(f.read())
    if root is None or root.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
        raise SystemExit(f"libical could not parse {path} as a VCALENDAR")

    def instant(what: str, value: Any) -> tuple[str, bool]:
        if value.is_null_time():
            raise SystemExit(f"{what}: libical found no value")
        if value.is_date():
            day = f"{value.get_year():04d}-{value.get_month():02d}-{value.get_day():02d}"
            return f"{day}T00:00:00Z", True
        if value.is_utc():
            zone = ICalGLib.Timezone.get_utc_timezone()
        else:
            tzid = value.get_tzid()
            zone = root.get_timezone(tzid) if tzid else None
            if zone is None:
                raise SystemExit(f"{what}: no VTIMEZONE in the file for TZID {tzid!r}")
        seconds = ICalGLib.Time.as_timet_with_zone(value, zone)
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), False

    events = []
    vevent = root.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while vevent is not None:
        uid = vevent.get_uid()
        start, all_day = instant(f"{uid} DTSTART", vevent.get_dtstart())
        end, _ = instant(f"{uid} DTEND", vevent.get_dtend())  # or DTSTART + DURATION
        summary = vevent.get_summary()
        events.append(
            {"uid": uid, "summary": summary, "start": start, "end": end, "all_day": all_day}
        )
        vevent = root.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)

    restrictions_ok = bool(ICalGLib.restriction_check(root))
    errors: list[str] = []
    _collect_errors(ICalGLib, root, errors)
    return {
        "parser": "libical",
        "version": _libical_version(),
        "events": events,
        "restrictions_ok": restrictions_ok,
        "errors": errors,
    }


def _collect_errors(ical: Any, component: Any, errors: list[str]) -> None:
    """Every X-LIC-ERROR property of ``component`` and its subcomponents, as ``KIND: text``."""
    kind = ical.Component.kind_to_string(component.isa())
    prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        errors.append(f"{kind}: {prop.get_xlicerror()}")
        prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
    # A separate walk: libical's iterators are per component, so recursing mid-walk is safe.
    children = []
    child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
    while child is not None:
        children.append(child)
        child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    for child in children:
        _collect_errors(ical, child, errors)


def _libical_version() -> str:
    """The Debian package's version of libical, which the GI binding does not expose."""
    try:
        with open("/var/lib/dpkg/status", encoding="utf-8") as f:
            blocks = f.read().split("\n\n")
    except OSError:
        return "unknown"
    for block in blocks:
        lines = block.splitlines()
        if "Package: libical3" in lines:
            for line in lines:
                if line.startswith("Version: "):
                    return line.removeprefix("Version: ")
    return "unknown"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: /usr/bin/python3 libical-read.py FILE.ics")
    json.dump(main(sys.argv[1]), sys.stdout)
    sys.stdout.write("\n")
