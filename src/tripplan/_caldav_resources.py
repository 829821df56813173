"""The traveller's calendar cut into CalDAV resources: one per UID, as RFC 4791 §4.1 wants.

Each resource is a VCALENDAR holding one UID's components and the VTIMEZONEs they use, without
METHOD, named after its UID (``resource_name``) so an item always lands in the same resource.

``content_hash`` says whether two copies of a resource hold the same calendar data: ours from
one run to the next, and ours against the copy a server serves. It is a hash of the parsed
content, not of the bytes, because servers store what they are given in their own way (Radicale
re-serializes every object: other property order, other line folding, other quoting); volatile
properties (``VOLATILE``: DTSTAMP, the time of each run, and the stamps servers keep) do not
count, and of an extension property (``X-``) only its name does, since servers rewrite values
they do not know (Radicale cuts a ``geo:`` URI in ``X-APPLE-STRUCTURED-LOCATION`` at its comma).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final, TypeVar

from icalendar import Calendar, Component

__all__ = ["VOLATILE", "content_hash", "resource_name", "resources_of"]

#: Properties that change without the content changing: when it was written, and by what.
VOLATILE: Final = frozenset({"DTSTAMP", "LAST-MODIFIED", "CREATED", "PRODID"})

_C = TypeVar("_C", bound=Component)


def resource_name(uid: str) -> str:
    """The resource's file name in the collection: URL- and file-safe, unique by a hash.

    >>> resource_name("0b7c5b0e-1f7e-5f7d-9c1a-1a2b3c4d5e6f@tripplan")
    '0b7c5b0e-1f7e-5f7d-9c1a-1a2b3c4d5e6f_tripplan-a1cbafeaf2af9019.ics'
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", uid).strip("._")[:60] or "event"
    return f"{slug}-{hashlib.sha256(uid.encode()).hexdigest()[:16]}.ics"


def _tzids(component: Component) -> set[str]:
    """The TZIDs ``component`` and its subcomponents refer to."""
    found: set[str] = set()
    for sub in component.walk():
        for value in sub.values():
            for one in value if isinstance(value, list) else [value]:
                params = getattr(one, "params", None)
                if params is not None and "TZID" in params:
                    found.add(str(params["TZID"]))
    return found


def _copy(component: _C) -> _C:
    """A copy of ``component`` through icalendar's own serialization (zones loaded from the
    tzdata package cannot be deep-copied)."""
    copied = type(component).from_ical(component.to_ical())
    if not isinstance(copied, type(component)):
        raise TypeError(f"{component.name} did not survive its own serialization")
    return copied


def resources_of(calendar: Calendar) -> dict[str, Calendar]:
    """``calendar`` cut into CalDAV resources by UID (RFC 4791 §4.1), in the calendar's order.

    Each is a new VCALENDAR with the calendar's PRODID, no METHOD, copies of the components that
    carry the UID and of the VTIMEZONEs they use.
    """
    zones = {str(c["TZID"]): c for c in calendar.subcomponents if c.name == "VTIMEZONE"}
    groups: dict[str, list[Component]] = {}
    for component in calendar.subcomponents:
        if component.name != "VTIMEZONE":
            groups.setdefault(str(component["UID"]), []).append(component)
    resources: dict[str, Calendar] = {}
    for uid, components in groups.items():
        # Not Calendar.new, which gives every calendar a new random UID: a resource must be
        # the same bytes each run for its content hash to say "unchanged".
        resource = Calendar()
        resource.add("VERSION", "2.0")
        resource.add("PRODID", str(calendar["PRODID"]))
        resource.add("CALSCALE", "GREGORIAN")
        used = set().union(*(_tzids(c) for c in components))
        for tzid in sorted(used & zones.keys()):
            resource.add_component(_copy(zones[tzid]))
        for component in components:
            resource.add_component(_copy(component))
        resources[uid] = resource
    return resources


def _value(value: object) -> bytes:
    ical = value.to_ical() if hasattr(value, "to_ical") else value
    return ical if isinstance(ical, bytes) else str(ical).encode("utf-8")


def _canonical(component: Component) -> bytes:
    """The component as a sorted list of its lines, recursively: property order, folding,
    quoting and the order of subcomponents do not change it; ``VOLATILE`` properties are left
    out and extension properties count by name."""
    lines: list[bytes] = []
    for key, value in component.property_items(recursive=False, sorted=False):
        name = key.upper()
        if name in ("BEGIN", "END") or name in VOLATILE:
            continue
        if name.startswith("X-"):
            lines.append(name.encode())
            continue
        params = getattr(value, "params", None)
        head = name + (";" + params.to_ical(sorted=True).decode() if params else "")
        lines.append(head.encode() + b":" + _value(value))
    parts = sorted(lines) + sorted(_canonical(sub) for sub in component.subcomponents)
    kind = str(component.name).encode()
    return b"\n".join([b"BEGIN:" + kind, *parts, b"END:" + kind])


def content_hash(resource: Calendar | bytes) -> str:
    """A hash of the resource's calendar data, ours (a Calendar) or a server's copy (bytes),
    the same for the same content however it is serialized (see the module's doc).

    ``ValueError`` for bytes that are not one iCalendar object.
    """
    data = resource.to_ical() if isinstance(resource, Calendar) else resource
    try:
        parsed = Component.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise ValueError(f"not an iCalendar object ({exc})") from None
    if not isinstance(parsed, Component):
        raise ValueError("not one iCalendar object")
    return hashlib.sha256(_canonical(parsed)).hexdigest()
