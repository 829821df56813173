"""The traveller's calendar cut into CalDAV resources: one per UID, as RFC 4791 §4.1 wants.

Each resource is a VCALENDAR holding one UID's components and the VTIMEZONEs they use, without
METHOD, named after its UID (``resource_name``) so an item always lands in the same resource.
``content_hash`` says whether a resource changed, ignoring DTSTAMP (the time of each run).
"""

from __future__ import annotations

import hashlib
import re
from typing import TypeVar

from icalendar import Calendar, Component, Event

__all__ = ["content_hash", "resource_name", "resources_of"]

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
    assert isinstance(copied, type(component))
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


def content_hash(resource: Calendar) -> str:
    """A hash of the resource as sent, but for DTSTAMP, which changes on every run."""
    stripped = _copy(resource)
    for component in stripped.walk():
        if isinstance(component, Event):
            component.pop("DTSTAMP", None)
    return hashlib.sha256(stripped.to_ical()).hexdigest()
