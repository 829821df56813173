"""Briefing sheets: the trip as a traveller prints it, in HTML, Markdown, plain text or PDF.

The sheet is built in two steps. ``build_sheet`` turns what the audience view hands it into a
``Sheet`` (``_sheet``) of plain, already formatted values — every date, time, number and currency
through the locale's Formatter, every fixed label through gettext — and ``_render`` lays it out
with the Jinja2 templates beside this module.

The view decides what a sheet is made of. The traveller and the team get the trip at a glance
(one table), the days, who's who and a page per destination country; the customer gets the
agenda of our visit written for them: the visitors, their own people, the meetings by day.

Bilingual sheets (``languages=["es", "en"]``) give every label and heading in each language and
the data once, formatted for the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from babel import Locale
from babel.dates import format_interval, get_timezone_name

from ._audience import Audience, View
from ._destination import destination
from ._facts import country_days, destination_facts, exchange, trip_countries
from ._holidays import holiday_on
from ._i18n import N_, catalog_language, label_language
from ._items import Stay
from ._model import Trip
from ._rates import Rate
from ._sheet import Day, Destination, Entry, Label, Line, Paper, Section, Sheet, default_paper
from ._sheet_context import Context
from ._sheet_items import checkout, entry, overview
from ._sheet_people import groups
from ._timeline import Scheduled
from ._zones import tzdata_version, zone_country

__all__ = ["build_sheet"]


class _Builder:
    def __init__(self, trip: Trip, view: View, languages: Sequence[str], network: bool) -> None:
        self.trip, self.view = trip, view
        self.ctx = Context(trip, view, languages)
        self.fmt, self.L = self.ctx.fmt, self.ctx.L
        self.network = network
        self.entries = view.entries()

    # --- days --------------------------------------------------------------------------------

    def days(self) -> list[Day]:
        by_day: dict[date, list[tuple[datetime, Entry, list[Scheduled]]]] = {}
        for e in self.entries:
            by_day.setdefault(e.start.date(), []).append((e.start_utc, entry(self.ctx, e), [e]))
            if isinstance(e.item, Stay):
                by_day.setdefault(e.end.date(), []).append((e.end_utc, checkout(self.ctx, e), [e]))
        days = []
        for day in sorted(by_day):
            rows = sorted(by_day[day], key=lambda r: r[0])
            scheduled = [s for _, _, found in rows for s in found]
            days.append(
                Day(
                    self.fmt.date(day),
                    " · ".join(self._cities(day, scheduled)),
                    [made for _, made, _ in rows],
                    self._holidays(day, scheduled),
                )
            )
        return days

    def _cities(self, day: date, entries: list[Scheduled]) -> list[str]:
        """The cities of a day: where each item starts that day and where it ends that day
        (never a zone: an online meeting puts the traveller nowhere)."""
        cities: list[str | None] = []
        for e in entries:
            if e.start.date() == day:
                cities.append(self.ctx.city(e.origin))
            if e.end.date() == day:
                cities.append(self.ctx.city(e.destination))
        return list(dict.fromkeys(c for c in cities if c))

    def _holidays(self, day: date, entries: list[Scheduled]) -> list[str]:
        """The public holidays that day where the day's items are (``Viernes Santo (Alemania)``)."""
        regions = dict.fromkeys(
            (where.country, where.subdivision)
            for e in entries
            for where in (e.origin, e.destination)
            if where.country is not None
        )
        territories = self.fmt.locale.territories
        found = []
        for country, subdivision in regions:
            assert country is not None
            name = holiday_on(country, subdivision, day, self.ctx.language)
            if name:
                found.append(f"{name} ({territories.get(country, country)})")
        return list(dict.fromkeys(found))

    # --- the cover ---------------------------------------------------------------------------

    def _dates(self) -> Line | None:
        if not self.entries:
            return None
        first = self.entries[0].start.date()
        last = max(e.end for e in self.entries).date()
        dates = (
            format_interval(first, last, "yMMMMd", locale=self.fmt.locale)
            if last > first
            else self.fmt.date(first)
        )
        return Line(self.L("Dates"), str(dates))

    def cover(self) -> list[Line]:
        L, ctx = self.L, self.ctx
        if self.view.hosts_the_visit:
            return self._agenda_cover()
        lines = [Line(L("Traveller"), self.trip.people[self.trip.traveller].described)]
        dates = self._dates()
        if dates is not None:
            lines.append(dates)
        home = self.ctx.home.key
        cities = [ctx.city(e.destination) for e in self.entries if e.destination.zone.key != home]
        if any(cities):
            lines.append(Line(L("Destinations"), ", ".join(dict.fromkeys(c for c in cities if c))))
        if self.view.sees_home_time and self.entries:
            moment = self.entries[0].start.astimezone(self.ctx.home)
            zone = get_timezone_name(moment, locale=self.fmt.locale, zone_variant="generic")
            lines.append(Line(L("Home time zone"), f"{ctx.home_city} ({zone})"))
        return lines

    def _agenda_cover(self) -> list[Line]:
        """The customer's agenda: when, where, and who visits."""
        L, ctx, trip = self.L, self.ctx, self.trip
        lines = []
        dates = self._dates()
        if dates is not None:
            lines.append(dates)
        venues = [ctx.place(e.origin) for e in self.entries if e.origin.key is not None]
        if venues:
            lines.append(Line(L("Where"), " · ".join(dict.fromkeys(venues))))
        seen = set(self.view.people())
        visitors = [p.name for k, p in trip.people.items() if k in seen and p.side == "team"]
        if visitors:
            lines.append(Line(L("Visitors"), ", ".join(visitors)))
        return lines

    def title(self) -> tuple[Label, str]:
        """What the document is, and its title: the trip's, or for the customer the visit."""
        if self.view.hosts_the_visit:
            traveller = self.trip.people[self.trip.traveller]
            ours = traveller.organization or traveller.name
            return self.L("Visit agenda"), str(self.L("Visit of {organization}", organization=ours))
        return self.L("Briefing"), self.trip.title or self.trip.id

    # --- destinations ------------------------------------------------------------------------

    def destinations(self) -> list[Destination]:
        """A page per country visited, over the days spent there (not the days at home)."""
        if not self.entries or not self.view.sees_destination_page:
            return []
        home_country = zone_country(self.ctx.home.key)
        spans = country_days(self.entries)
        result = []
        for country, info in trip_countries(self.trip).items():
            if country == home_country or country not in spans:
                continue
            start, end = spans[country]
            facts = destination_facts(
                country,
                start,
                end,
                locale=self.ctx.language,
                home=self.ctx.home,
                zones=tuple(info["zones"]),
                subdivision=info["subdivision"],
                places=[
                    (self.ctx.spell(name), lat, lon, zone)
                    for name, lat, lon, zone in info["places"].values()
                ],
            )
            home_city = self.ctx.home_city if self.view.sees_home_time else None
            rate = None
            if self.view.sees_money:
                stated = [
                    Rate(r.per, r.currency, r.rate, r.date, r.source) for r in self.trip.rates
                ]
                rate = exchange(facts, self.ctx.home, stated, network=self.network)
            result.append(destination(facts, self.L, self.fmt, home_city, rate))
        return result

    # --- the whole -----------------------------------------------------------------------------

    def sections(self, destinations: list[Destination]) -> tuple[Section, ...]:
        if self.view.hosts_the_visit:
            return ("people", "days")
        found: list[Section] = ["overview"] if self.view.sees_overview else []
        found += ["days", "people"]
        if destinations:
            found.append("destinations")
        return tuple(found)

    def labels(self) -> dict[str, Label]:
        L = self.L
        labels = {key: L(message) for key, message in _LABELS.items()}
        labels["home_time"] = L("{city} time", city=self.ctx.home_city)
        return labels

    def warnings(self) -> tuple[str, ...]:
        """A language asked for that has no catalog: the labels fall back to English."""
        found = []
        for language in self.ctx.languages:
            if catalog_language(language) is None:
                name = Locale.parse(language.replace("-", "_")).get_display_name("en")
                found.append(
                    f"no labels in {name} ({language}): the sheet's labels are in English "
                    f"(the fallback); its dates and numbers are in {name}"
                )
        return tuple(found)


_LABELS = {
    "agenda": N_("Agenda"),
    "attendees": N_("Attendees"),
    "attends": N_("Attends"),
    "day": N_("Day"),
    "destination": N_("Destination"),
    "email": N_("Email"),
    "holiday": N_("Public holiday"),
    "language": N_("Language"),
    "overview": N_("The trip at a glance"),
    "phone": N_("Phone"),
    "people": N_("Who's who"),
    "time": N_("Time"),
    "what": N_("What"),
    "where": N_("Where"),
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
    uses a cached one) over the network, which never stops or hangs the build. A language
    without a catalog gets English labels and a line in ``Sheet.warnings`` saying so.
    """
    languages = list(languages)
    view = View(trip, Audience(audience), organization)
    b = _Builder(trip, view, languages, rates)
    kicker, title = b.title()
    destinations = b.destinations()
    return Sheet(
        language=languages[0],
        languages=tuple(languages),
        audience=view.audience.value,
        paper=paper or default_paper(trip, languages[0]),
        kicker=kicker,
        title=title,
        cover=b.cover(),
        sections=b.sections(destinations),
        overview=overview(b.ctx, b.entries) if view.sees_overview else [],
        days=b.days(),
        people=groups(b.ctx, b.entries),
        destinations=destinations,
        labels=b.labels(),
        footer=f"tripplan · tzdata {tzdata_version()}",
        home_city=b.ctx.home_city if view.sees_home_time else None,
        lang=label_language(languages[0]),
        warnings=b.warnings(),
    )
