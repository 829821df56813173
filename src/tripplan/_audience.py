"""Who may see what: the one place that decides it.

The trip format's rules: ``notes.public`` may go to anyone, ``notes.team`` to people whose side is
``team``, ``notes.private`` to the traveller alone; a meeting of kind ``internal`` never appears in
anything made for the customer side; anything sent to several people carries only what every one
of them may see. Confirmation codes, seats and the traveller's logistics (flights, transfers,
hotels) are the team's business, not the customer's. Renderers ask this module and never decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from ._exceptions import AudienceError
from ._timeline import resolve

if TYPE_CHECKING:
    from ._model import Notes, Trip
    from ._timeline import Scheduled

__all__ = ["Audience", "AudienceError", "View"]


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
            person = trip.people[key]
            mine = (
                cls.CUSTOMER
                if person.side == "customer"
                else cls.TRAVELLER
                if key == trip.traveller
                else cls.TEAM
            )
            audience = max(audience, mine, key=lambda a: a.rank)
        return audience


class View:
    """What one audience sees of one trip; for the customer side, of one customer organization."""

    def __init__(
        self,
        trip: Trip,
        audience: Audience,
        organization: str | None = None,
        *,
        choose: bool = True,
    ) -> None:
        self.trip, self.audience = trip, audience
        if audience is Audience.CUSTOMER and organization is None and choose:
            organizations = sorted(
                {p.organization or key for key, p in trip.people.items() if p.side == "customer"}
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
        audience = Audience.of(trip, keys)
        customers = {
            trip.people[k].organization or k for k in keys if trip.people[k].side == "customer"
        }
        return cls(trip, audience, min(customers) if len(customers) == 1 else None, choose=False)

    def _customer_org(self, key: str) -> str:
        person = self.trip.people[key]
        return person.organization or key

    def includes(self, entry: Scheduled) -> bool:
        """Whether the item appears at all in this audience's output."""
        if entry.item.status == "cancelled":
            return False
        if self.audience is not Audience.CUSTOMER:
            return True
        item = entry.item
        if item.type != "meeting" or item.kind == "internal":
            return False  # the traveller's logistics and internal meetings are ours
        people = [item.organizer or self.trip.traveller, *item.attendees]
        customers = {
            self._customer_org(k) for k in people if self.trip.people[k].side == "customer"
        }
        return self.organization in customers  # only meetings with this customer's people

    def notes(self, notes: Notes) -> list[str]:
        """The notes this audience may read, most public first."""
        shown = [notes.public]
        if self.audience is not Audience.CUSTOMER:
            shown.append(notes.team)
        if self.audience is Audience.TRAVELLER:
            shown.append(notes.private)
        return [n for n in shown if n]

    @property
    def sees_bookings(self) -> bool:
        """Confirmation codes, seats, booking references: the traveller's and the team's."""
        return self.audience is not Audience.CUSTOMER

    @property
    def sees_home_time(self) -> bool:
        """The traveller's home-zone times beside local ones: for the traveller."""
        return self.audience is Audience.TRAVELLER

    def entries(self) -> list[Scheduled]:
        """The trip's items this audience sees, in time order."""
        return [e for e in resolve(self.trip) if self.includes(e)]
