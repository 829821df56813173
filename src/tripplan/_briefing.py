"""Briefing sheets: the trip as a traveller prints it, in HTML, Markdown, plain text or PDF.

The sheet is built in two steps. ``build_sheet`` turns what the audience view hands it into a
``Sheet`` (``_sheet``) of plain, already formatted values — every date, time, number and currency
through the locale's Formatter, every fixed label through gettext — and ``_render`` lays it out
with the Jinja2 templates beside this module.

Bilingual sheets (``languages=["es", "en"]``) give every label and heading in each language and
the data once, formatted for the first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_interval

from ._airports import airport, is_airport
from ._audience import Audience, View, note_texts
from ._destination import destination
from ._facts import DestinationFacts, destination_facts, exchange, trip_countries
from ._formatting import Formatter
from ._i18n import CATEGORIES, N_
from ._items import Flight, Meeting, Stay, Transfer
from ._model import Trip
from ._rates import Rate
from ._sheet import (
    Contact,
    Day,
    Destination,
    Entry,
    Label,
    Labels,
    Line,
    Paper,
    Sheet,
    Step,
    default_paper,
)
from ._timeline import Scheduled
from ._zones import tzdata_version, zone_country

__all__ = ["build_sheet"]


class _Builder:
    def __init__(
        self, trip: Trip, view: View, languages: Sequence[str], paper: Paper | None, network: bool
    ) -> None:
        self.trip, self.view = trip, view
        self.language = languages[0]
        self.fmt = Formatter(self.language)
        self.L = Labels(languages)
        self.paper: Paper = paper or default_paper(trip, self.language)
        self.network = network
        self.home = trip.home_zone
        self.home_city = self._city(self.home)

    def _city(self, zone: ZoneInfo) -> str:
        home = self.trip.home
        if zone is self.trip.home_zone and home and len(home) == 3 and is_airport(home):
            return airport(home).city
        return self.fmt.city(zone)

    # --- the pieces ----------------------------------------------------------------------------

    def _person(self, key: str) -> str:
        return self.trip.people[key].described

    def _map(self, entry: Scheduled) -> Line | None:
        geo = entry.origin.geo
        if geo is None or entry.origin.iata:
            return None
        lat, lon = geo
        href = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        return Line(self.L("Map"), f"{lat:.4f}, {lon:.4f}", href)

    def _home_time(self, moment: datetime, place: str) -> str | None:
        if (
            not self.view.sees_home_time
            or moment.utcoffset() == moment.astimezone(self.home).utcoffset()
        ):
            return None
        return f"{self.fmt.time(moment)} {place} · {self.fmt.time(moment.astimezone(self.home))} {self.home_city}"

    def entry(self, entry: Scheduled) -> Entry:
        item, fmt, L = entry.item, self.fmt, self.L
        place = entry.origin.city or entry.origin.name
        lines: list[Line] = []
        people: list[str] = []
        agenda: list[Step] = []
        if isinstance(item, Flight):
            terminal = f" · {item.departure_terminal}" if item.departure_terminal else ""
            lines.append(
                Line(
                    L("Departs"),
                    f"{fmt.datetime(entry.start)} · {entry.origin.name} ({item.from_}){terminal}",
                )
            )
            arrival_terminal = f" · {item.arrival_terminal}" if item.arrival_terminal else ""
            lines.append(
                Line(
                    L("Arrives"),
                    f"{fmt.datetime(entry.end)} · {entry.destination.name} ({item.to}){arrival_terminal}",
                )
            )
            lines.append(Line(L("Duration"), fmt.duration(entry.duration)))
            for label, value in (
                (N_("Seat"), item.seat),
                (N_("Confirmation"), item.confirmation),
            ):
                if value:
                    lines.append(Line(L(label), value))
        elif isinstance(item, Transfer):
            lines.append(Line(L("Pickup"), f"{fmt.time(entry.start)} · {entry.origin.line}"))
            lines.append(Line(L("Drop-off"), f"{fmt.time(entry.end)} · {entry.destination.line}"))
            if item.provider:
                lines.append(
                    Line(L("Provider"), item.provider + (f" {item.number}" if item.number else ""))
                )
            if item.confirmation:
                lines.append(Line(L("Confirmation"), item.confirmation))
        elif isinstance(item, Stay):
            lines.append(Line(L("Address"), entry.origin.line))
            if entry.origin.phone:
                lines.append(Line(L("Phone"), entry.origin.phone))
            lines.append(Line(L("Check-in"), fmt.datetime(entry.start)))
            lines.append(Line(L("Check-out"), fmt.datetime(entry.end)))
            if item.confirmation:
                lines.append(Line(L("Confirmation"), item.confirmation))
        else:
            if entry.origin.key is not None:
                lines.append(Line(L("Venue"), entry.origin.line))
            online = item.online if isinstance(item, Meeting) else None
            if online:
                lines.append(Line(L("Online meeting"), online, online))
            if isinstance(item, Meeting):
                organizer = item.organizer or self.trip.traveller
                lines.append(Line(L("Organizer"), self._person(organizer)))
                people = [self._person(k) for k in item.attendees if k != organizer]
                agenda = [
                    Step(
                        f"{step.at:%H:%M}",
                        step.title,
                        self.trip.people[step.by].name if step.by else None,
                    )
                    for step in item.agenda
                ]
        map_line = self._map(entry)
        if map_line is not None and not isinstance(item, Flight | Transfer):
            lines.append(map_line)
        end = fmt.time(entry.end)
        days_later = (entry.end.date() - entry.start.date()).days
        if isinstance(item, Stay):
            end = fmt.time(entry.start)  # the stay's own line shows check-out
        elif days_later:
            end += f" (+{days_later})"  # lands the next day, or two days later across the date line
        return Entry(
            time=fmt.time(entry.start),
            end=end,
            home=self._home_time(entry.start, place),
            title=self._title(entry),
            kind=item.type if not isinstance(item, Transfer) else "transfer",
            category=self._category(entry),
            lines=lines,
            people=people,
            agenda=agenda,
            notes=note_texts(item.notes),
        )

    def _title(self, entry: Scheduled) -> str:
        """The item's name, without the calendar's pictographs: printers and fonts without
        them show empty boxes, and the category beside it says what the item is."""
        return entry.name(str(self._category(entry)))

    def _category(self, entry: Scheduled) -> Label:
        return self.L(CATEGORIES[entry.category])

    def checkout(self, entry: Scheduled) -> Entry:
        return Entry(
            time=self.fmt.time(entry.end),
            end=self.fmt.time(entry.end),
            home=self._home_time(entry.end, entry.origin.city or entry.origin.name),
            title=self._title(entry),
            kind="stay",
            category=self.L("Check-out"),
        )

    def days(self) -> list[Day]:
        by_day: dict[date, list[tuple[datetime, Entry, str]]] = {}
        for entry in self.view.entries():
            made = self.entry(entry)
            place = entry.origin.city or entry.origin.name
            by_day.setdefault(entry.start.date(), []).append((entry.start_utc, made, place))
            if isinstance(entry.item, Stay):
                by_day.setdefault(entry.end.date(), []).append(
                    (entry.end_utc, self.checkout(entry), place)
                )
        days = []
        for day in sorted(by_day):
            rows = sorted(by_day[day], key=lambda r: r[0])
            places = list(dict.fromkeys(p for _, _, p in rows))
            days.append(Day(self.fmt.date(day), " · ".join(places), [r[1] for r in rows]))
        return days

    # --- people --------------------------------------------------------------------------------

    def contact(self, key: str) -> Contact:
        person = self.trip.people[key]
        phones = _phones(person.phone, self.home_country, self.L) if person.phone else []
        return Contact(
            name=person.name,
            details=", ".join(p for p in (person.title, person.organization) if p),
            side=self.L("Customer") if person.side == "customer" else self.L("Our team"),
            phones=phones,
            email=person.email,
        )

    @functools.cached_property
    def home_country(self) -> str | None:
        return zone_country(self.home.key)

    # --- cover and destination -----------------------------------------------------------------

    def cover(self) -> list[Line]:
        L, entries = self.L, self.view.entries()
        lines = [Line(L("Traveller"), self._person(self.trip.traveller))]
        if entries:
            first, last = entries[0].start.date(), max(e.end for e in entries).date()
            dates = (
                format_interval(first, last, "yMMMMd", locale=self.fmt.locale)
                if last > first
                else self.fmt.date(first)
            )
            lines.append(Line(L("Dates"), str(dates)))
        cities = [
            e.destination.city or e.destination.name
            for e in entries
            if e.destination.country is not None and e.destination.zone.key != self.home.key
        ]
        if cities:
            lines.append(Line(L("Destinations"), ", ".join(dict.fromkeys(cities))))
        if self.view.sees_home_time:
            lines.append(Line(L("Home time zone"), f"{self.home_city} ({self.home.key})"))
        return lines

    def destinations(self) -> list[Destination]:
        entries = self.view.entries()
        if not entries:
            return []
        start, end = entries[0].start.date(), max(e.end for e in entries).date()
        result = []
        for country, info in trip_countries(self.trip).items():
            if country == self.home_country:
                continue
            facts = destination_facts(
                country,
                start,
                end,
                locale=self.language,
                home=self.home,
                zones=tuple(info["zones"]),
                subdivision=info["subdivision"],
                places=list(info["places"].values()),
            )
            result.append(self._destination(facts))
        return result

    def _destination(self, facts: DestinationFacts) -> Destination:
        home_city = self.home_city if self.view.sees_home_time else None
        rate = None
        if self.view.sees_money:
            stated = [Rate(r.per, r.currency, r.rate, r.date, r.source) for r in self.trip.rates]
            rate = exchange(facts, self.home, stated, network=self.network)
        return destination(facts, self.L, self.fmt, home_city, rate)


def _phones(number: str, home_country: str | None, L: Labels) -> list[Line]:
    """A number written three ways: international, local (as dialled in its country), and
    from the traveller's home country."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return [Line(None, number)]
    lines = [
        Line(
            L("From abroad"),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        ),
        Line(
            L("Locally"),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        ),
    ]
    region = phonenumbers.region_code_for_number(parsed)
    if home_country and region and home_country != region:
        home = phonenumbers.format_out_of_country_calling_number(parsed, home_country)
        lines.append(Line(L("From home"), home))
    return lines


_LABELS = {
    "agenda": N_("Agenda"),
    "attendees": N_("Attendees"),
    "contacts": N_("Contacts"),
    "destination": N_("Destination"),
    "hosts": N_("Hosts"),
    "briefing": N_("Briefing"),
    "email": N_("Email"),
}


def build_sheet(
    trip: Trip,
    *,
    languages: Sequence[str] = ("en",),
    audience: Audience | str = Audience.TRAVELLER,
    organization: str | None = None,
    paper: Paper | None = None,
    rates: bool = False,
) -> Sheet:
    """The sheet's content for one audience, in one language or several (bilingual).

    The exchange rate shown is the one the trip states; ``rates=True`` also fetches one (or
    uses a cached one) over the network, which never stops or hangs the build.
    """
    view = View(trip, Audience(audience), organization)
    b = _Builder(trip, view, list(languages), paper, rates)
    return Sheet(
        language=b.language,
        languages=tuple(languages),
        audience=view.audience.value,
        paper=b.paper,
        title=trip.title or trip.id,
        cover=b.cover(),
        hosts=[b.contact(k) for k in view.hosts()],
        days=b.days(),
        destinations=b.destinations(),
        contacts=[b.contact(k) for k in view.people()],
        labels={key: b.L(message) for key, message in _LABELS.items()},
        footer=f"tripplan · tzdata {tzdata_version()}",
    )
