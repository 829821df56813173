"""Invitations (iTIP, RFC 5546): requests, updates and cancellations for the trip's meetings.

One invitation per meeting, addressed to its attendees, carrying only what every one of them may
see (``_audience``), with its fixed labels in the meeting's language. UIDs derive from the trip
and the item, so the same meeting keeps its UID across runs and revisions; a revision raises
SEQUENCE. SEQUENCE needs no stored state: a first invitation has 0, and an update or a
cancellation has the number of minutes from 2020-01-01 to its DTSTAMP, which grows with every
later revision.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from icalendar import CUTYPE, PARTSTAT, ROLE, STATUS, Calendar, Event, vCalAddress

from ._audience import View
from ._exceptions import InvitationError
from ._ics import EventWriter, _calendar, event_uid
from ._items import Meeting
from ._timeline import resolve

if TYPE_CHECKING:
    from ._model import Trip
    from ._timeline import Scheduled

__all__ = [
    "Invitation",
    "InvitationError",
    "MeetingChange",
    "TripDiff",
    "build_invitations",
    "diff_trips",
]

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Invitation:
    """One iTIP message: a calendar with one meeting, the people it goes to, and a mail body."""

    item_id: str
    method: Method
    uid: str
    sequence: int
    organizer: str  # person key
    recipients: tuple[str, ...]  # person keys, each with an email
    language: str
    calendar: Calendar = field(repr=False, compare=False)
    subject: str = ""
    text: str = field(default="", repr=False)
    html: str = field(default="", repr=False)
    filename: str = ""
    uninvited: tuple[
        str, ...
    ] = ()  # attendees left out: no email, or customers of an internal meeting

    def to_ical(self) -> bytes:
        return bytes(self.calendar.to_ical())


def _sequence(stamp: datetime) -> int:
    return max(1, int((stamp - _EPOCH).total_seconds() // 60))


def _address(trip: Trip, key: str, **params: object) -> vCalAddress:
    person = trip.people[key]
    if person.email is None:
        raise InvitationError(f"people.{key} has no email; an invitation cannot reach them")
    return vCalAddress.new(person.email, cn=person.name, cutype=CUTYPE.INDIVIDUAL, **params)  # type: ignore[arg-type]


class _Builder:
    def __init__(self, trip: Trip, stamp: datetime) -> None:
        self.trip, self.stamp = trip, stamp

    def people(self, entry: Scheduled) -> tuple[str, list[str], list[str]]:
        """The organizer, the attendees to invite, and those left out (the audience view says
        who an invitation may reach)."""
        item = entry.item
        if not isinstance(item, Meeting):
            raise TypeError(f"{entry.path} is not a meeting")
        organizer = item.organizer or self.trip.traveller
        if self.trip.people[organizer].email is None:
            raise InvitationError(
                f"{entry.path} {entry.label!r}: the organizer {organizer!r} has no email; "
                "an invitation needs one"
            )
        invited, left_out = View(self.trip, "traveller").recipients(item)
        return organizer, invited, left_out

    def language(self, item: Meeting, organizer: str) -> str:
        return item.language or self.trip.people[organizer].language or self.trip.languages[0]

    def make(
        self,
        entry: Scheduled,
        method: Method,
        sequence: int,
        to: list[str],
        *,
        attendees: list[str] | None = None,
        cancelled: bool = False,
        update: bool = False,
    ) -> Invitation:
        organizer, invited, left_out = self.people(entry)
        listed = invited if attendees is None else attendees
        view = View.for_people(self.trip, [organizer, *to, *listed])
        entry = view.shown(entry)  # what every recipient may see, and nothing else
        item = entry.item
        if not isinstance(item, Meeting):
            raise TypeError(f"{entry.path} is not a meeting")
        language = self.language(item, organizer)
        writer = EventWriter(self.trip, view, language, self.stamp)
        event: Event = writer.event(entry, sequence=sequence, alarms=False, traveller_extras=False)
        event.organizer = _address(self.trip, organizer)
        event.add(
            "ATTENDEE",
            _address(self.trip, organizer, role=ROLE.CHAIR, partstat=PARTSTAT.ACCEPTED),
        )
        for key in listed:
            event.add(
                "ATTENDEE",
                _address(
                    self.trip,
                    key,
                    role=ROLE.OPT_PARTICIPANT if item.optional else ROLE.REQ_PARTICIPANT,
                    partstat=PARTSTAT.NEEDS_ACTION,
                    rsvp=True,
                ),
            )
        if method == "CANCEL":
            # RFC 5546 §3.2.5: STATUS:CANCELLED cancels the whole event; a cancellation that only
            # takes some attendees off it must not carry STATUS at all.
            event.pop("STATUS")
            if cancelled:
                event.add("STATUS", STATUS.CANCELLED)
        calendar = _calendar(self.trip, method, writer.summary(entry), [event], language)
        _ = writer._
        title = writer.summary(entry)
        if method == "CANCEL":
            subject = _("Cancelled: {title}").format(title=title)
        elif update:
            subject = _("Updated invitation: {title}").format(title=title)
        else:
            subject = _("Invitation: {title}").format(title=title)
        when = _("When: {start} – {end}").format(
            start=writer.fmt.datetime(entry.start), end=writer.fmt.time(entry.end)
        )
        body = "\n".join([subject, "", when, writer.description(entry)])
        suffix = (
            ""
            if method == "REQUEST"
            else "-cancel" + ("" if attendees is None else "-" + "-".join(to))
        )
        return Invitation(
            item_id=entry.id,
            method=method,
            uid=event_uid(self.trip, entry),
            sequence=sequence,
            organizer=organizer,
            recipients=tuple(to),
            language=language,
            calendar=calendar,
            subject=subject,
            text=body,
            html=_html(body),
            filename=f"{entry.id}{suffix}.ics",
            uninvited=tuple(left_out),
        )


def cancel_sent(request: bytes, *, now: datetime | None = None) -> Calendar:
    """The cancellation of an invitation already sent, made from its REQUEST alone (the meeting
    may be gone from the trip): the same UID, organizer and attendees, STATUS:CANCELLED, and a
    SEQUENCE above the one sent. ``InvitationError`` when ``request`` is not one invitation."""
    try:
        sent = Calendar.from_ical(request)
    except ValueError as error:
        raise InvitationError(f"not an iCalendar invitation: {error}") from None
    events = sent.walk("VEVENT")
    if len(events) != 1 or "UID" not in events[0]:
        raise InvitationError("an invitation holds exactly one event with a UID")
    stamp = _stamp(now)
    event = Event.from_ical(events[0].to_ical())
    for name in ("DTSTAMP", "SEQUENCE", "STATUS"):
        event.pop(name, None)
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", max(int(events[0].get("SEQUENCE", 0)) + 1, _sequence(stamp)))
    event.add("STATUS", STATUS.CANCELLED)
    calendar = Calendar.new(prodid=str(sent.get("PRODID", "-//tripplan//EN")), method="CANCEL")
    for zone in sent.walk("VTIMEZONE"):
        calendar.add_component(zone)
    calendar.add_component(event)
    return calendar


def _html(text: str) -> str:
    """The plain-text body as escaped HTML: nothing from the trip file becomes markup."""
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n")
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{paragraphs}</body></html>'
    )


def _stamp(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def _meetings(trip: Trip) -> Iterable[Scheduled]:
    return (e for e in resolve(trip) if isinstance(e.item, Meeting))


def build_invitations(trip: Trip, *, now: datetime | None = None) -> list[Invitation]:
    """A first invitation (METHOD:REQUEST, SEQUENCE 0) for every meeting with someone to invite."""
    builder = _Builder(trip, _stamp(now))
    result = []
    for entry in _meetings(trip):
        if entry.item.status == "cancelled":
            continue
        _, invited, _left = builder.people(entry)
        if invited:
            result.append(builder.make(entry, "REQUEST", 0, invited))
    return result


@dataclass(frozen=True)
class MeetingChange:
    """How one meeting differs between two versions of a trip."""

    item_id: str
    kind: Literal["added", "changed", "removed", "unchanged"]
    removed_attendees: tuple[str, ...] = ()
    added_attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class TripDiff:
    """The meetings of two versions of a trip, compared; ``build_invitations()`` says it by mail."""

    old: Trip = field(repr=False)
    new: Trip = field(repr=False)
    changes: tuple[MeetingChange, ...]

    def __getitem__(self, item_id: str) -> MeetingChange:
        for change in self.changes:
            if change.item_id == item_id:
                return change
        raise KeyError(f"no meeting with id {item_id!r} in either version")

    def invitations(self, *, now: datetime | None = None) -> list[Invitation]:
        """Updates for changed meetings, requests for new ones, cancellations for removed ones
        and for removed attendees; nothing for unchanged meetings."""
        stamp = _stamp(now)
        sequence = _sequence(stamp)
        new, old = _Builder(self.new, stamp), _Builder(self.old, stamp)
        result: list[Invitation] = []
        for change in self.changes:
            if change.kind == "added":
                entry = resolve(self.new)[change.item_id]
                _, invited, _left = new.people(entry)
                if invited:
                    result.append(new.make(entry, "REQUEST", 0, invited))
            elif change.kind == "changed":
                entry = resolve(self.new)[change.item_id]
                _, invited, _left = new.people(entry)
                if invited:
                    result.append(new.make(entry, "REQUEST", sequence, invited, update=True))
                if change.removed_attendees:
                    removed = list(change.removed_attendees)
                    result.append(
                        old.make(
                            resolve(self.old)[change.item_id],
                            "CANCEL",
                            sequence,
                            removed,
                            attendees=removed,
                        )
                    )
            elif change.kind == "removed":
                entry = resolve(self.old)[change.item_id]
                _, invited, _left = old.people(entry)
                if invited:
                    result.append(old.make(entry, "CANCEL", sequence, invited, cancelled=True))
        return result


def _invited(trip: Trip, entry: Scheduled) -> list[str]:
    return _Builder(trip, _EPOCH).people(entry)[1]


def _signature(trip: Trip, entry: Scheduled, to: list[str]) -> bytes:
    """What an attendee would see of a meeting: changed if and only if this changes."""
    invitation = _Builder(trip, _EPOCH).make(entry, "REQUEST", 0, to)
    return bytes(invitation.calendar.walk("VEVENT")[0].to_ical())


def diff_trips(old: Trip, new: Trip) -> TripDiff:
    """Compare the meetings of two versions of a trip (matched by item id)."""
    before = {e.id: e for e in _meetings(old) if e.item.status != "cancelled"}
    after = {e.id: e for e in _meetings(new) if e.item.status != "cancelled"}
    changes: list[MeetingChange] = []
    for item_id, entry in after.items():
        if item_id not in before:
            changes.append(MeetingChange(item_id, "added"))
            continue
        was_invited, now_invited = _invited(old, before[item_id]), _invited(new, entry)
        removed = tuple(k for k in was_invited if k not in now_invited)
        added = tuple(k for k in now_invited if k not in was_invited)
        same = (
            not removed
            and not added
            and _signature(old, before[item_id], now_invited) == _signature(new, entry, now_invited)
        )
        changes.append(MeetingChange(item_id, "unchanged" if same else "changed", removed, added))
    changes.extend(MeetingChange(item_id, "removed") for item_id in before if item_id not in after)
    return TripDiff(old, new, tuple(changes))
