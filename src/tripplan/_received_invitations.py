"""Invitations the traveller received (iTIP, RFC 5546) -> meetings: a REQUEST adds or updates one,
a CANCEL marks it cancelled.

What Outlook and Google send is read as they send it: a Windows zone name (``Pacific SA Standard
Time``) is mapped to its IANA zone through CLDR's ``windowsZones`` table, which Babel ships; the
online link comes from Teams' ``X-MICROSOFT-SKYPETEAMSMEETINGURL``, ``CONFERENCE``, Google's
``X-GOOGLE-CONFERENCE``, or else the first meeting link in the description. People not in the
trip are added with their side guessed from their mail domain, and the report says so.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from icalendar import Calendar, Component

from . import _zones
from ._exceptions import BookingError
from ._reservations import Booking
from ._schema_org import clean_text, local_wall
from ._time import to_utc
from ._types import check_locale, slugify

if TYPE_CHECKING:
    from ._model import Trip

__all__ = ["invitation_bookings", "windows_zone"]

_LINK_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "CONFERENCE", "X-GOOGLE-CONFERENCE")
_MEETING_HOSTS = (
    "teams.microsoft.com",
    "teams.live.com",
    "zoom.us",
    "meet.google.com",
    "webex.com",
    "whereby.com",
    "meet.jit.si",
    "gotomeeting.com",
    "chime.aws",
)
_LINK = re.compile(r"https://[^\s<>\"')\]]+")
_URL = re.compile(r"^https?://[^\s<>\"]+$")
_ONLINE_WORDS = ("teams", "zoom", "google meet", "webex", "online", "http")


@functools.cache
def _windows_zones() -> dict[str, str]:
    from babel.core import get_global  # third-party: only when an invitation is read

    return {str(k): str(v) for k, v in get_global("windows_zone_mapping").items()}


def windows_zone(tzid: str) -> str | None:
    """The IANA zone a TZID names: an IANA name, a Windows name through CLDR's table, or an
    IANA name behind a vendor's prefix (``/mozilla.org/20050126_1/America/Santiago``)."""
    name = tzid.strip().strip('"')
    if _zones.is_zone(name):
        return name
    mapped = _windows_zones().get(name)
    if mapped:
        return mapped
    parts = name.split("/")
    for start in range(len(parts) - 1):
        candidate = "/".join(parts[start:])
        if _zones.is_zone(candidate):
            return candidate
    return None


def _address(value: Any) -> tuple[str, str] | None:
    """(email, name) of an ORGANIZER or ATTENDEE."""
    email = str(value).strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    if "@" not in email or any(c.isspace() for c in email):
        return None
    params = getattr(value, "params", {})
    name = clean_text(str(params.get("CN", "")), one_line=True) or email.split("@")[0]
    return email.lower(), name


def _online(event: Component) -> str | None:
    """The online meeting's link: the properties clients write it in, else the description's
    first link to a meeting service."""
    for name in _LINK_PROPERTIES:
        values = event.get(name)
        for value in values if isinstance(values, list) else [values]:
            link: str = str(value).strip() if value is not None else ""
            if _URL.match(link):
                return link
    for found in _LINK.findall(str(event.get("DESCRIPTION", ""))):
        host = str(found).split("/")[2].lower()
        if any(host == h or host.endswith("." + h) for h in _MEETING_HOSTS):
            return str(found)
    return None


class _Event:
    """One VEVENT read against the trip it goes into."""

    def __init__(self, origin: str, event: Component, trip: Trip, default_zone: str) -> None:
        self.origin, self.event, self.trip = origin, event, trip
        self.uid = clean_text(str(event.get("UID", "")), one_line=True)
        self.zone = default_zone

    def fail(self, path: str, reason: str) -> BookingError:
        return BookingError(self.origin, reason, path=f"VEVENT[{self.uid or '?'}].{path}")

    def moment(self, name: str) -> datetime | None:
        prop = self.event.get(name)
        if prop is None:
            return None
        try:
            value = prop.dt
        except (AttributeError, ValueError) as error:
            raise self.fail(name, f"not a date-time: {error}") from None
        if isinstance(value, date) and not isinstance(value, datetime):
            raise self.fail(name, "an all-day event; expected a meeting with a start time")
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        if tzid:
            zone = windows_zone(str(tzid))
            if zone is None:
                raise self.fail(
                    f"{name};TZID",
                    f"unknown time zone {str(tzid)[:60]!r}; expected an IANA or "
                    "a Windows zone name",
                )
            if name == "DTSTART":
                self.zone = zone
            wall: datetime = value.replace(tzinfo=None, microsecond=0)  # local in ``zone``
            return wall
        moment: datetime = value.replace(microsecond=0)
        return moment

    def booking(self, method: str) -> Booking:
        if not self.uid:
            raise self.fail("UID", "missing; an invitation needs a UID")
        keys = (f"uid:{self.uid}",)
        status = str(self.event.get("STATUS", "")).upper()
        if method == "CANCEL" or status == "CANCELLED":
            return Booking(
                self.origin,
                {"type": "meeting"},
                keys=keys,
                cancelled=True,
                revision=self.revision(),
            )
        start = self.moment("DTSTART")
        if start is None:
            raise self.fail("DTSTART", "missing; expected the meeting's start")
        end = self.moment("DTEND")
        notes: list[str] = []
        if end is None and "DURATION" in self.event:
            end = start + self.event.decoded("DURATION")
        if end is None:
            end = start + timedelta(hours=1)
            notes.append("no end time given; assumed 1 h after the start")
        if "RRULE" in self.event:
            notes.append("a recurring meeting: only its first occurrence is imported")
        title = clean_text(str(self.event.get("SUMMARY", "")), one_line=True)[:200] or "Meeting"
        item: dict[str, Any] = {"type": "meeting", "title": title}
        location = clean_text(str(self.event.get("LOCATION", "")), one_line=True)[:200]
        places: dict[str, dict[str, Any]] = {}
        if location and not any(word in location.casefold() for word in _ONLINE_WORDS):
            key = slugify(location)[:40].strip("-") or "venue"
            places[key] = {"name": location, "timezone": self.zone}
            item["place"] = key
        else:
            item["timezone"] = self.zone
        item["start"], item["end"] = local_wall(start, self.zone), local_wall(end, self.zone)
        booking = Booking(
            self.origin, item, places=places, keys=keys, notes=notes, revision=self.revision()
        )
        self._people(booking)
        online = _online(self.event)
        if online and _URL.match(online) and len(online) < 2000:
            booking.item["online"] = online
        description = clean_text(str(self.event.get("DESCRIPTION", "")), one_line=False)
        if description:
            booking.item["notes"] = {"team": description[:20_000]}
        language = self._language()
        if language:
            booking.item["language"] = language
        return booking

    def revision(self) -> tuple[int, str]:
        """Which version of the meeting this is: SEQUENCE (0 when absent or unreadable), then
        DTSTAMP in UTC, as an organizer's client orders its own updates."""
        try:
            sequence = max(0, min(int(str(self.event.get("SEQUENCE", 0))), 2**31))
        except ValueError:
            sequence = 0
        try:
            stamp = self.event.decoded("DTSTAMP")
        except (KeyError, ValueError, AttributeError):
            stamp = None
        if not isinstance(stamp, datetime):
            return sequence, ""
        utc = to_utc(stamp).replace(tzinfo=None) if stamp.tzinfo is not None else stamp
        return sequence, utc.isoformat(timespec="seconds") + "Z"  # floating: taken as UTC

    def _language(self) -> str | None:
        for name in ("SUMMARY", "DESCRIPTION"):
            prop = self.event.get(name)
            tag = str(getattr(prop, "params", {}).get("LANGUAGE", "")).replace("-", "_")
            if tag:
                try:
                    return check_locale(tag)
                except ValueError:
                    return None
        return None

    def _people(self, booking: Booking) -> None:
        """The organizer and attendees as people: keys of the trip where their email is known,
        else new people with a side guessed from their mail domain."""
        organizer = _address(self.event.get("ORGANIZER", ""))
        attendees = self.event.get("ATTENDEE", [])
        addresses = [
            _address(a) for a in (attendees if isinstance(attendees, list) else [attendees])
        ]
        keys: list[str] = []
        for found in ([organizer] if organizer else []) + [a for a in addresses if a]:
            key = self._person(booking, *found)
            if key not in keys:
                keys.append(key)
        if organizer:
            booking.item["organizer"] = keys[0]
        booking.item["attendees"] = [k for k in keys[1:] if k != booking.item.get("organizer")]

    def _person(self, booking: Booking, email: str, name: str) -> str:
        people = self.trip.people
        for key, person in people.items():
            if person.email and person.email.lower() == email:
                return key
        domain = email.rsplit("@", 1)[1]
        traveller = people[self.trip.traveller].email or ""
        side, reason = "customer", f"{domain} is not the traveller's domain"
        if traveller.lower().endswith("@" + domain):
            side, reason = "team", f"{domain} is the traveller's domain"
        else:
            known = [p for p in people.values() if (p.email or "").lower().endswith("@" + domain)]
            if known:
                side, reason = known[0].side, f"{known[0].name} of {domain} is {known[0].side}"
        key = slugify(name.split()[0] if name.split() else email.split("@")[0])[:30] or "guest"
        while key in booking.people and booking.people[key].get("email") != email:
            key += "-2"
        booking.people[key] = {"name": name[:200], "email": email, "side": side}
        booking.notes.append(f"added {name} <{email}> on the {side} side ({reason}); check it")
        return key


def invitation_bookings(origin: str, data: bytes, trip: Trip) -> list[Booking]:
    """The meetings an iCalendar invitation adds, updates or cancels (REQUEST, PUBLISH, CANCEL);
    a REPLY or COUNTER changes nothing."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise BookingError(origin, f"not an iCalendar file: {str(error)[:200]}") from None
    if isinstance(calendar, list):
        calendar = calendar[0]
    method = str(calendar.get("METHOD", "PUBLISH")).upper()
    if method not in ("REQUEST", "PUBLISH", "CANCEL"):
        return []
    default = windows_zone(str(calendar.get("X-WR-TIMEZONE", ""))) or trip.home_zone.key
    bookings = []
    for event in calendar.walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue  # one changed occurrence of a series: the series is the meeting
        bookings.append(_Event(origin, event, trip, default).booking(method))
    return bookings
