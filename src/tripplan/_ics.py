"""The traveller's calendar (METHOD:PUBLISH), and the events invitations are made of.

Every value goes through icalendar's typed API; nothing here writes iCalendar text. Times come
from the resolved timeline, in the zone where each item happens (a flight starts in its departure
zone and ends in its arrival zone), with a VTIMEZONE for every zone from ``_vtimezone``, built
from the same tzdata. A wall time that happens twice (a DST fold) is written in UTC instead,
because clients read such a TZID time as the first occurrence (RFC 5545 §3.3.5) or, in practice,
as the second. What each audience may read is decided by ``_audience.View``.
"""

from __future__ import annotations

import bisect
import functools
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import (
    STATUS,
    TRANSP,
    Alarm,
    Calendar,
    Conference,
    Event,
    vCalAddress,
    vDuration,
    vText,
    vUri,
)

from ._audience import Audience, View, note_texts
from ._formatting import Formatter
from ._i18n import CATEGORIES, translations
from ._items import Activity, Flight, Meeting, Stay, Transfer
from ._jsonld import entry_reservation
from ._time import is_repeated
from ._timeline import resolve
from ._version import __version__
from ._vtimezone import vtimezone
from ._zones import get_zone, tzdata_version

if TYPE_CHECKING:
    from ._model import Trip
    from ._timeline import Scheduled

__all__ = ["EventWriter", "build_calendar", "event_uid"]

_NAMESPACE = uuid.UUID("6f0c1a52-4b1e-5a7e-9d3f-2f7c8e1b9a10")
_ICONS = {"flight": "✈", "transfer": "🚕", "train": "🚆", "drive": "🚗", "stay": "🏨"}


def event_uid(trip: Trip, entry: Scheduled) -> str:
    """A UID stable across runs and revisions: derived from the trip's id and the item's id.

    A name-based UUID rather than the ids themselves, so an invitation reveals no other item's
    name; the same trip and item always give the same UID.
    """
    return f"{uuid.uuid5(_NAMESPACE, f'{trip.id}/{entry.id}')}@tripplan"


def ical_time(moment: datetime) -> datetime:
    """The datetime to write: local with its zone, or UTC when the wall time is ambiguous."""
    return moment.astimezone(UTC) if is_repeated(moment) else moment


class EventWriter:
    """Turns timeline entries into VEVENTs for one view and one language.

    It lays out what it is given: entries come through the view (``View.entries`` or
    ``View.shown``), already redacted for its audience."""

    def __init__(self, trip: Trip, view: View, language: str, stamp: datetime) -> None:
        self.trip, self.view, self.stamp = trip, view, stamp
        self.fmt = Formatter(language)
        self._ = translations(language).gettext
        self.language = language

    # --- text ----------------------------------------------------------------------------------

    def summary(self, entry: Scheduled) -> str:
        """The item's name (an untitled meeting: its kind, in the reader's language), after a
        pictograph for travel and hotels, which calendar views show well."""
        name = entry.name(self.categories(entry)[0])
        icon = _ICONS.get(entry.item.type)
        return f"{icon} {name}" if icon else name

    def location(self, entry: Scheduled) -> str:
        """Where, and the logistics some calendar views show nothing but this line of."""
        _, item = self._, entry.item
        parts: list[str] = []
        if isinstance(item, Flight):
            origin, destination = entry.origin, entry.destination
            parts.append(f"{origin.name} ({item.from_}) → {destination.name} ({item.to})")
            if item.departure_terminal:
                parts.append(_("Terminal {terminal}").format(terminal=item.departure_terminal))
            if item.seat:
                parts.append(_("Seat {seat}").format(seat=item.seat))
            if item.confirmation:
                parts.append(_("Confirmation {code}").format(code=item.confirmation))
        elif isinstance(item, Transfer):
            parts.append(f"{entry.origin.name} → {entry.destination.name}")
            if item.provider:
                parts.append(item.provider)
            if item.confirmation:
                parts.append(_("Confirmation {code}").format(code=item.confirmation))
        else:
            where = entry.origin
            if where.key is not None:
                parts.append(where.line)
            if isinstance(item, Stay) and item.confirmation:
                parts.append(_("Confirmation {code}").format(code=item.confirmation))
            if isinstance(item, Meeting) and item.online:
                parts.append(item.online)
        return " · ".join(parts)

    def _person(self, key: str) -> str:
        return self.trip.people[key].described

    def description(self, entry: Scheduled) -> str:
        """The item's details in the view's language: only what the view may read."""
        _, fmt, item = self._, self.fmt, entry.item
        lines: list[str] = []
        if isinstance(item, Flight):
            lines.append(
                _("Departs: {time} ({zone}) from {airport}").format(
                    time=fmt.datetime(entry.start),
                    zone=entry.origin.zone.key,
                    airport=entry.origin.name,
                )
            )
            lines.append(
                _("Arrives: {time} ({zone}) at {airport}").format(
                    time=fmt.datetime(entry.end),
                    zone=entry.destination.zone.key,
                    airport=entry.destination.name,
                )
            )
            lines.append(_("Duration: {duration}").format(duration=fmt.duration(entry.duration)))
            if item.cabin:
                cabins = {
                    "economy": _("economy"),
                    "premium_economy": _("premium economy"),
                    "business": _("business"),
                    "first": _("first"),
                }
                lines.append(_("Cabin: {cabin}").format(cabin=cabins[item.cabin]))
            if item.seat:
                lines.append(_("Seat: {seat}").format(seat=item.seat))
            if item.confirmation:
                lines.append(_("Confirmation: {code}").format(code=item.confirmation))
        elif isinstance(item, Transfer):
            lines.append(
                _("From {origin} at {time}").format(
                    origin=entry.origin.name, time=fmt.datetime(entry.start)
                )
            )
            lines.append(
                _("To {destination} at {time}").format(
                    destination=entry.destination.name, time=fmt.datetime(entry.end)
                )
            )
            if item.provider:
                lines.append(_("Provider: {provider}").format(provider=item.provider))
            if item.confirmation:
                lines.append(_("Confirmation: {code}").format(code=item.confirmation))
        elif isinstance(item, Stay):
            where = entry.origin
            lines.append(where.line)
            lines.append(_("Check-in: {time}").format(time=fmt.datetime(entry.start)))
            lines.append(_("Check-out: {time}").format(time=fmt.datetime(entry.end)))
            if where.phone:
                lines.append(_("Phone: {phone}").format(phone=where.phone))
            if item.confirmation:
                lines.append(_("Confirmation: {code}").format(code=item.confirmation))
        else:
            if entry.origin.key is not None:
                where = entry.origin
                lines.append(where.line)
            if isinstance(item, Meeting):
                lines.extend(self._meeting_lines(entry, item))
        notes = note_texts(item.notes)
        if notes:
            lines.append("")
            lines.extend(notes)
        return "\n".join(lines)

    def _meeting_lines(self, entry: Scheduled, item: Meeting) -> list[str]:
        _ = self._
        lines: list[str] = []
        if item.online:
            lines.append(_("Online meeting: {url}").format(url=item.online))
        organizer = item.organizer or self.trip.traveller
        lines.append(_("Organizer: {person}").format(person=self._person(organizer)))
        others = [k for k in item.attendees if k != organizer]
        if others:
            lines.append(_("Attendees:"))
            lines.extend(f"- {self._person(k)}" for k in others)
        if item.agenda:
            lines.append(_("Agenda:"))
            for step in item.agenda:
                by = f" ({self.trip.people[step.by].name})" if step.by else ""
                lines.append(f"{step.at:%H:%M} {step.title}{by}")
        return lines

    def categories(self, entry: Scheduled) -> list[str]:
        return [self._(CATEGORIES[entry.category])]

    # --- the event -----------------------------------------------------------------------------

    def transparent(self, entry: Scheduled) -> bool:
        """Free time: hotel nights and optional activities do not make the traveller busy."""
        return isinstance(entry.item, Stay) or (
            isinstance(entry.item, Activity) and entry.item.optional
        )

    def event(
        self,
        entry: Scheduled,
        *,
        sequence: int = 0,
        alarms: bool = True,
        traveller_extras: bool = True,
    ) -> Event:
        """The VEVENT of one item. Invitations leave out alarms (each recipient's client sets its
        own) and the traveller's travel time."""
        item = entry.item
        start: date | datetime
        end: date | datetime
        if isinstance(item, Stay):
            start, end = entry.start.date(), entry.end.date()  # nights: DTEND exclusive
            if end <= start:
                end = start + timedelta(days=1)
        else:
            start, end = ical_time(entry.start), ical_time(entry.end)
        online = item.online if isinstance(item, Meeting) else None
        free = self.transparent(entry)
        # Component.add with typed values rather than Event.new: the same output, without the
        # per-property re-validation that made Event.new most of the cost of a large calendar.
        event = Event()
        event.add("SUMMARY", self.summary(entry))
        event.add("DTSTART", start)
        event.add("DTEND", end)
        event.add("DTSTAMP", self.stamp)
        event.add("UID", event_uid(self.trip, entry))
        event.add("SEQUENCE", sequence)
        event.add("CATEGORIES", self.categories(entry))
        description = self.description(entry)
        if description:
            event.add("DESCRIPTION", description)
        location = self.location(entry)
        if location:
            event.add("LOCATION", location)
        if online:
            event.add("URL", online, parameters={"VALUE": "URI"})
            conference = Conference(online, feature=["VIDEO"], label=self._("Online meeting"))
            event.add("CONFERENCE", conference.to_uri())
        tentative = item.status == "tentative"
        event.add("STATUS", STATUS.TENTATIVE if tentative else STATUS.CONFIRMED)
        event.add("TRANSP", TRANSP.TRANSPARENT if free else TRANSP.OPAQUE)
        busy = "FREE" if free else "TENTATIVE" if tentative else "BUSY"
        event.add("X-MICROSOFT-CDO-BUSYSTATUS", busy)
        geo = entry.origin.geo
        if geo is not None:
            event.add("GEO", geo)
            # The map pin is the item's place; for travel, where it starts, under that name.
            at_one_place = entry.origin == entry.destination
            self._apple_location(event, entry, location if at_one_place else entry.origin.name)
        travel = self._travel_time(entry) if traveller_extras else None
        if travel is not None:
            event.add(
                "X-APPLE-TRAVEL-DURATION", vDuration(travel), parameters={"VALUE": "DURATION"}
            )
        alarm = self._reminder(entry) if alarms else None
        if alarm is not None:
            event.add_component(alarm)
        return event

    def _apple_location(self, event: Event, entry: Scheduled, location: str) -> None:
        # Apple Calendar shows the map only when X-TITLE is the event's LOCATION, reportedly.
        where = entry.origin
        if where.geo is None:
            return
        params = {"VALUE": "URI", "X-APPLE-RADIUS": "70", "X-TITLE": location or where.name}
        address = ", ".join(p for p in (where.address, where.city) if p)
        if address:
            params["X-ADDRESS"] = address
        event.add(
            "X-APPLE-STRUCTURED-LOCATION",
            vUri(f"geo:{where.geo[0]},{where.geo[1]}"),
            parameters=params,
        )

    @functools.cached_property
    def _arrivals(self) -> dict[str | None, tuple[list[datetime], list[Scheduled]]]:
        """Transfers by the place they end at, in order of arrival (for the travel time)."""
        found: dict[str | None, tuple[list[datetime], list[Scheduled]]] = {}
        for e in sorted(resolve(self.trip), key=lambda e: e.end_utc):
            if isinstance(e.item, Transfer):
                ends, entries = found.setdefault(e.destination.key, ([], []))
                ends.append(e.end_utc)
                entries.append(e)
        return found

    def _travel_time(self, entry: Scheduled) -> timedelta | None:
        """How long the transfer that brings the traveller to this meeting takes, if one ends at
        its place in the two hours before it."""
        if not isinstance(entry.item, Meeting | Activity) or entry.origin.key is None:
            return None
        ends, entries = self._arrivals.get(entry.origin.key, ([], []))
        i = bisect.bisect_right(ends, entry.start_utc) - 1
        if i >= 0 and entry.start_utc - ends[i] <= timedelta(hours=2):
            return entries[i].duration
        return None

    def _reminder(self, entry: Scheduled) -> Alarm | None:
        item = entry.item
        lead = item.reminder
        if lead is None:
            defaults = self.trip.reminders
            kind = "meeting" if isinstance(item, Meeting) else item.type
            lead = getattr(defaults, kind)
            if lead is None and kind in ("train", "drive"):
                lead = defaults.transfer
        if lead is None:
            return None
        alarm = Alarm.new(description=self.summary(entry))
        alarm.add("ACTION", "DISPLAY")
        alarm.add("TRIGGER", -lead)
        return alarm


def _calendar(trip: Trip, method: str, name: str, events: list[Event], language: str) -> Calendar:
    """A VCALENDAR with the events and a VTIMEZONE for every TZID they use."""
    calendar = Calendar.new(
        prodid=f"-//tripplan//tripplan {__version__}//{language.split('_')[0].upper()}",
        method=method,
        calscale="GREGORIAN",
        uid=str(uuid.uuid5(_NAMESPACE, f"{trip.id}/{method}/{name}")),
    )
    # As TEXT values, so that a line break or a semicolon in a name stays inside it (icalendar
    # writes the name Calendar.new is given as it is).
    calendar.add("NAME", vText(name))
    calendar.add("X-WR-CALNAME", vText(name))
    calendar.add("X-TRIPPLAN-TZDATA", tzdata_version())
    zones: dict[str, list[datetime]] = {}
    for event in events:
        for key in ("DTSTART", "DTEND"):
            value = event.decoded(key) if key in event else None
            if isinstance(value, datetime) and isinstance(value.tzinfo, ZoneInfo):
                zones.setdefault(value.tzinfo.key, []).append(value)
    for key in sorted(zones):
        moments = zones[key]
        calendar.add_component(vtimezone(get_zone(key), min(moments), max(moments)))
    for event in events:
        calendar.add_component(event)
    return calendar


def build_calendar(
    trip: Trip,
    audience: Audience | str = Audience.TRAVELLER,
    *,
    organization: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
    refresh: timedelta = timedelta(hours=12),
) -> Calendar:
    """The trip as a calendar to import or subscribe to (METHOD:PUBLISH), for one audience.

    ``language`` defaults to the traveller's; ``now`` (DTSTAMP) to the current time — pass a
    fixed one for byte-identical output. ``refresh`` is how often subscribers should reload.
    """
    view = View(trip, Audience(audience), organization)
    traveller = trip.people[trip.traveller]
    language = language or traveller.language or trip.languages[0]
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    writer = EventWriter(trip, view, language, stamp)
    events = []
    for entry in view.entries():
        event = writer.event(entry)
        # RFC 5546 wants an ORGANIZER on every published event: the meeting's, else the traveller.
        item = entry.item
        publisher = (item.organizer if isinstance(item, Meeting) else None) or trip.traveller
        person = trip.people[publisher]
        if person.email is None:
            person = traveller
        if person.email is not None:
            event.organizer = vCalAddress.new(person.email, cn=person.name)
        if view.audience is Audience.TRAVELLER:  # what KDE Itinerary reads from an event
            reservation = json.dumps([entry_reservation(trip, entry)], separators=(",", ":"))
            event.add("X-KDE-KITINERARY-RESERVATION", reservation)
        events.append(event)
    calendar = _calendar(trip, "PUBLISH", trip.title or trip.id, events, language)
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    return calendar
