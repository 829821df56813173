"""Who may see what: the one gate every output goes through.

The trip format's rules: ``notes.public`` may go to anyone, ``notes.team`` to people whose side is
``team``, ``notes.private`` to the traveller alone; a meeting of kind ``internal`` never appears in
anything made for the customer side; anything sent to several people carries only what every one
of them may see. Seats and confirmation codes (the details an item marks as bookings) and the
traveller's logistics (flights, transfers, hotels) are the team's business, not the customer's.

A ``View`` hands renderers the entries of the timeline this audience may see, each with its item
*redacted*: notes this audience may not read and booking details are removed before a renderer
gets it, so a renderer lays out what it is given and has nothing to decide — it cannot leak what
it never received. The people an audience may see, who a meeting's invitation may go to, and
whether money matters (exchange rates) are answered here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from ._exceptions import AudienceError
from ._items import Item, Meeting, Notes
from ._model import Person, Trip
from ._timeline import Scheduled, resolve

__all__ = ["Audience", "AudienceError", "View", "note_texts"]


class Audience(StrEnum):
    """How much a reader may see, from most to least."""

    TRAVELLER = "traveller"
    TEAM = "team"
    CUSTOMER = "customer"

    @property
    def rank(self) -> int:
        return ("traveller", "team", "customer").index(self.value)

    @classmethod
    def of(cls, trip: Trip, people: Iterable[str]) -> Audience:
        """The audience of a message to ``people``: what every one of them may see."""
        audience = cls.TRAVELLER
        for key in people:
            audience = max(audience, cls.of_person(trip, key), key=lambda a: a.rank)
        return audience

    @classmethod
    def of_person(cls, trip: Trip, key: str) -> Audience:
        """What one person of the trip may see."""
        if trip.people[key].side == "customer":
            return cls.CUSTOMER
        return cls.TRAVELLER if key == trip.traveller else cls.TEAM


def _organization(trip: Trip, key: str) -> str:
    return trip.people[key].organization or key


class View:
    """What one audience sees of one trip; for the customer side, of one customer organization."""

    def __init__(
        self,
        trip: Trip,
        audience: Audience | str,
        organization: str | None = None,
        *,
        choose: bool = True,
    ) -> None:
        self.trip, self.audience = trip, Audience(audience)
        if self.audience is Audience.CUSTOMER and organization is None and choose:
            organizations = sorted(
                {_organization(trip, k) for k, p in trip.people.items() if p.side == "customer"}
            )
            if len(organizations) > 1:
                raise AudienceError(
                    f"this trip meets several customers ({', '.join(organizations)}); "
                    "say which one the output is for"
                )
            organization = organizations[0] if organizations else None
        self.organization = organization

    @classmethod
    def for_people(cls, trip: Trip, people: Iterable[str]) -> View:
        """The view of a message sent to ``people`` (an invitation's attendees)."""
        keys = list(people)
        customers = {_organization(trip, k) for k in keys if trip.people[k].side == "customer"}
        organization = min(customers) if len(customers) == 1 else None
        return cls(trip, Audience.of(trip, keys), organization, choose=False)

    # --- what appears ----------------------------------------------------------------------

    def includes(self, entry: Scheduled) -> bool:
        """Whether the item appears at all in this audience's output."""
        if entry.item.status == "cancelled":
            return False
        if self.audience is not Audience.CUSTOMER:
            return True
        item = entry.item
        if not isinstance(item, Meeting) or item.kind == "internal":
            return False  # the traveller's logistics and internal meetings are ours
        customers = {
            _organization(self.trip, k)
            for k in (item.organizer or self.trip.traveller, *item.attendees)
            if self.trip.people[k].side == "customer"
        }
        return self.organization in customers  # only meetings with this customer's people

    def entries(self) -> list[Scheduled]:
        """The entries this audience sees, in time order, each with its item redacted."""
        return [self.shown(e) for e in resolve(self.trip) if self.includes(e)]

    def shown(self, entry: Scheduled) -> Scheduled:
        """``entry`` with what this audience may not read taken out of its item: the notes it
        may not read, and (for a customer) every detail the item marks as a booking."""
        item = self.redact(entry.item)
        return entry if item is entry.item else dataclasses.replace(entry, item=item)

    def redact(self, item: Item) -> Item:
        """``item`` without what this audience may not read (the item itself when that is
        nothing: the traveller's own outputs cost no copy)."""
        notes = item.notes
        hidden = [
            kind
            for kind, reader in (("team", Audience.TEAM), ("private", Audience.TRAVELLER))
            if getattr(notes, kind) is not None and self.audience.rank > reader.rank
        ]
        # A booking detail's kind is the name of the field that holds it (seat, confirmation).
        bookings = (
            [detail.kind for detail in item.details() if detail.booking]
            if self.audience is Audience.CUSTOMER
            else []
        )
        if not hidden and not bookings:
            return item
        update: dict[str, Any] = dict.fromkeys(bookings)
        if hidden:
            update["notes"] = notes.model_copy(update=dict.fromkeys(hidden))
        return item.model_copy(update=update)

    # --- people and money -----------------------------------------------------------------

    def people(self) -> list[str]:
        """The people this audience may see (keys): everyone for our side; for a customer, the
        people of the meetings they see."""
        if self.audience is not Audience.CUSTOMER:
            return list(self.trip.people)
        keys: list[str] = []
        for entry in self.entries():
            item = entry.item
            if isinstance(item, Meeting):
                keys.extend([item.organizer or self.trip.traveller, *item.attendees])
        return list(dict.fromkeys(keys))

    def hosts(self) -> list[str]:
        """The customer's people this audience sees (keys), as a sheet lists its hosts."""
        return [k for k in self.people() if self.trip.people[k].side == "customer"]

    def person(self, key: str) -> Person:
        return self.trip.people[key]

    def recipients(self, meeting: Meeting) -> tuple[list[str], list[str]]:
        """Who an invitation to ``meeting`` goes to, and who is left out: attendees without an
        email, and customers listed at an internal meeting (it must never reach them)."""
        organizer = meeting.organizer or self.trip.traveller
        invited, left_out = [], []
        for key in dict.fromkeys(meeting.attendees):
            if key == organizer:
                continue
            person = self.trip.people[key]
            if person.email is None or (meeting.kind == "internal" and person.side == "customer"):
                left_out.append(key)
            else:
                invited.append(key)
        return invited, left_out

    @property
    def note_kinds(self) -> tuple[str, ...]:
        """The kinds of notes this audience may read, most public first: all three for the
        traveller, public and team for the team, public for a customer."""
        if self.audience is Audience.CUSTOMER:
            return ("public",)
        if self.audience is Audience.TEAM:
            return ("public", "team")
        return ("public", "team", "private")

    def person_notes(self, key: str) -> list[tuple[str, str]]:
        """The notes on a person this audience may read, as (kind, text), most public first:
        the same rules as an item's notes. A person's ``bio`` is public. Empty for a model
        without those fields, and for a person this audience does not see."""
        if key not in self.people():
            return []
        person = self.trip.people[key]
        found: list[tuple[str, str]] = []
        bio = getattr(person, "bio", None)
        if isinstance(bio, str) and bio.strip():
            found.append(("bio", bio))
        notes = getattr(person, "notes", None)
        if notes is not None:
            for kind in self.note_kinds:
                text = getattr(notes, kind, None)
                if isinstance(text, str) and text.strip():
                    found.append((kind, text))
        return found

    @property
    def hosts_the_visit(self) -> bool:
        """Whether the reader is the customer visited: their sheet is the agenda of our visit,
        written for them (the visitors, their own people, the meetings), not a travel plan."""
        return self.audience is Audience.CUSTOMER

    @property
    def sees_overview(self) -> bool:
        """The whole trip at a glance (every item, as a table): for those who travel with it."""
        return self.audience is not Audience.CUSTOMER

    @property
    def sees_destination_page(self) -> bool:
        """What only a visitor needs (plugs, tipping, dialling home, sunrise): not for the
        customer, who lives there."""
        return self.audience is not Audience.CUSTOMER

    @property
    def dials_from_home(self) -> bool:
        """Phone numbers also as dialled from the traveller's home country: not for the
        customer, whose home is elsewhere."""
        return self.audience is not Audience.CUSTOMER

    @property
    def sees_money(self) -> bool:
        """Exchange rates and the traveller's stated rates: the traveller's and the team's."""
        return self.audience is not Audience.CUSTOMER

    @property
    def sees_home_time(self) -> bool:
        """The traveller's home-zone times beside local ones: for the traveller."""
        return self.audience is Audience.TRAVELLER


def note_texts(notes: Notes) -> list[str]:
    """The notes an item carries, most public first (a redacted item carries only those its
    audience may read)."""
    return [text for text in (notes.public, notes.team, notes.private) if text]
