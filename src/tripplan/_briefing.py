"""Briefing sheets: the trip as a traveller prints it, in HTML, Markdown, plain text or PDF.

The sheet is built in two steps. ``build_sheet`` turns the timeline into a ``Sheet`` of plain,
already formatted values — every date, time, number and currency through the locale's Formatter,
every fixed label through gettext, every choice of what to show through ``_audience.View`` — and
the Jinja2 templates beside this module only lay it out, with loops and conditionals. The HTML
template escapes everything (autoescape); the Markdown one escapes Markdown and HTML syntax; so
no text from a trip file can become markup.

Bilingual sheets (``languages=["es", "en"]``) give every label and heading in each language and
the data once, formatted for the first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup, escape

from ._audience import Audience, View, note_texts
from ._formatting import Formatter
from ._i18n import CATEGORIES, N_, translations
from ._model import Flight, Meeting, Stay, Transfer
from ._rates import Rate
from ._types import format_offset
from ._zones import get_zone, tzdata_version

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ._facts import DestinationFacts
    from ._model import Trip
    from ._rates import RateResult
    from ._timeline import Scheduled

__all__ = ["Label", "Sheet", "build_sheet", "render_sheet"]

Format = Literal["html", "md", "txt", "pdf"]
Paper = Literal["a4", "letter"]

# CLDR supplemental measurementData, paperSize: the territories that use US Letter.
_LETTER = frozenset(
    {"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"}
)


class Label:
    """A fixed label in every language of the sheet: one text, or several for a bilingual one."""

    __slots__ = ("languages", "texts")

    def __init__(self, texts: Sequence[str], languages: Sequence[str]) -> None:
        self.texts, self.languages = tuple(texts), tuple(languages)

    def _distinct(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for text, language in zip(self.texts, self.languages, strict=True):
            seen.setdefault(text, language)
        return [(text, language) for text, language in seen.items()]

    def __str__(self) -> str:
        return " / ".join(text for text, _ in self._distinct())

    def __html__(self) -> str:
        parts = self._distinct()
        if len(parts) == 1:
            return str(escape(parts[0][0]))
        spans = [
            f'<span lang="{language}" class="{"first" if n == 0 else "other"}">{escape(text)}</span>'
            for n, (text, language) in enumerate(parts)
        ]
        return '<span class="sep"> / </span>'.join(spans)


class _Labels:
    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)
        self._gettext = [translations(language).gettext for language in languages]

    def __call__(self, message: str, **values: Any) -> Label:
        return Label([g(message).format(**values) for g in self._gettext], self.languages)


@dataclass(frozen=True, slots=True)
class Line:
    """One fact of an item: ``Seat: 34C``, a link, or a plain sentence."""

    label: Label | None
    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    at: str
    title: str
    by: str | None


@dataclass(frozen=True)
class Entry:
    """One item on a day: its times, what it is, and its details."""

    time: str
    end: str
    home: str | None  # the traveller's home time beside the local one
    title: str
    kind: str  # for the stylesheet: flight, transfer, stay, meeting, activity
    category: Label
    lines: list[Line] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    agenda: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Day:
    heading: str
    places: str
    entries: list[Entry]


@dataclass(frozen=True)
class Contact:
    name: str
    details: str
    side: Label
    phones: list[Line]
    email: str | None


@dataclass(frozen=True)
class Destination:
    heading: str
    facts: list[Line]
    sections: list[tuple[Label, list[Line]]]


@dataclass(frozen=True)
class Sheet:
    """A briefing sheet's content, formatted and ready to lay out."""

    language: str
    languages: tuple[str, ...]
    audience: str
    paper: Paper
    title: str
    cover: list[Line]
    hosts: list[Contact]
    days: list[Day]
    destinations: list[Destination]
    contacts: list[Contact]
    labels: dict[str, Label]
    footer: str


def default_paper(trip: Trip, language: str) -> Paper:
    """US Letter where the reader's territory uses it (CLDR), else A4."""
    from babel import Locale

    from ._zones import zone_country

    territory = Locale.parse(language).territory or zone_country(trip.home_zone.key)
    return "letter" if territory in _LETTER else "a4"


class _Builder:
    def __init__(
        self, trip: Trip, view: View, languages: Sequence[str], paper: Paper | None, network: bool
    ) -> None:
        self.trip, self.view = trip, view
        self.language = languages[0]
        self.fmt = Formatter(self.language)
        self.L = _Labels(languages)
        self.paper: Paper = paper or default_paper(trip, self.language)
        self.network = network
        self.home = trip.home_zone
        self.home_city = self._city(self.home)

    def _city(self, zone: ZoneInfo) -> str:
        from ._airports import airport, is_airport

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
        from ._zones import zone_country

        return zone_country(self.home.key)

    # --- cover and destination -----------------------------------------------------------------

    def cover(self) -> list[Line]:
        from babel.dates import format_interval

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
        from ._facts import destination_facts, trip_countries

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
        from ._facts import exchange

        home_city = self.home_city if self.view.sees_home_time else None
        rate = None
        if self.view.sees_money:
            stated = [Rate(r.per, r.currency, r.rate, r.date, r.source) for r in self.trip.rates]
            rate = exchange(facts, self.home, stated, network=self.network)
        return destination(facts, self.L, self.fmt, home_city, rate)


def destination(
    facts: DestinationFacts,
    L: _Labels,
    fmt: Formatter,
    home_city: str | None,
    rate: RateResult | None = None,
) -> Destination:
    """A destination page: the country's facts as labelled lines (``home_city`` None: no
    differences from home)."""
    lines: list[Line] = []
    for zone in facts.zones:
        offsets = sorted({format_offset(o) for _, o in zone.offsets})
        lines.append(
            Line(L("Time zone"), f"{zone.name} ({zone.zone}), UTC{' / UTC'.join(offsets)}")
        )
        differences = sorted({d for _, d in zone.from_home})
        if differences and home_city is not None:
            text = " / ".join(_hours(d) for d in differences)
            lines.append(Line(L("Difference from {city}", city=home_city), text))
        for change in zone.changes:
            lines.append(
                Line(
                    L("Clock change"),
                    f"{fmt.datetime(change.instant.astimezone(get_zone(zone.zone)))}: "
                    f"UTC{format_offset(change.offset_before)} → UTC{format_offset(change.offset_after)}",
                )
            )
    if facts.currency is not None:
        c = facts.currency
        lines.append(Line(L("Currency"), f"{c.name} ({c.code}, {c.symbol})"))
    if rate is not None:
        lines.extend(_rate_lines(rate, L, fmt))
    if facts.languages:
        lines.append(Line(L("Languages"), ", ".join(facts.languages)))
    sections: list[tuple[Label, list[Line]]] = []
    if facts.holidays:
        sections.append(
            (
                L("Public holidays"),
                [Line(None, f"{fmt.date(h.day)}: {h.name}") for h in facts.holidays],
            )
        )
    if facts.dialling is not None:
        dialling = facts.dialling
        phone = [Line(L("Country calling code"), f"+{dialling.calling_code}")]
        if dialling.to_home:
            phone.append(Line(L("To call home from there, dial"), f"{dialling.to_home} …"))
        if dialling.from_home:
            phone.append(Line(L("To call there from home, dial"), f"{dialling.from_home} …"))
        data = facts.data
        if data is not None:
            numbers = [
                (N_("Police"), data.police),
                (N_("Fire"), data.fire),
                (N_("Ambulance"), data.ambulance),
                (N_("Emergency"), data.general),
            ]
            phone.extend(Line(L(label), value) for label, value in numbers if value)
        sections.append((L("Telephone"), phone))
    data = facts.data
    if data is not None:
        units = {
            "metric": N_("metric"),
            "us": N_("US customary"),
            "imperial-mixed": N_("metric; miles on the road"),
        }
        practical = [
            Line(L("Plugs"), ", ".join(data.plugs)),
            Line(L("Mains"), f"{data.voltage} V, {data.frequency} Hz"),
            Line(
                L("Driving"),
                str(L("on the left") if data.driving == "left" else L("on the right")),
            ),
            Line(L("Units"), str(L(units[data.measurement]))),
            Line(L("Tipping"), data.tipping),
        ]
        sections.append((L("Practical"), practical))
    if facts.sun:
        sun = [
            Line(
                None,
                f"{s.place}, {fmt.date(s.day)}: ↑ {fmt.time(s.sunrise)} ↓ {fmt.time(s.sunset)}",
            )
            for s in facts.sun
            if s.sunrise and s.sunset
        ]
        if sun:
            sections.append((L("Sunrise and sunset"), sun))
    return Destination(facts.name, lines, sections)


def destination_lines(
    facts: DestinationFacts,
    languages: Sequence[str],
    home: ZoneInfo | None,
    rate: RateResult | None = None,
) -> list[str]:
    """The destination page as plain text lines (``tripplan facts``)."""
    fmt, L = Formatter(languages[0]), _Labels(languages)
    home_city = fmt.city(home) if home else None
    page = destination(facts, L, fmt, home_city, rate)
    lines = [page.heading.upper()]
    lines += [f"  {line.label}: {line.text}" for line in page.facts]
    for title, section in page.sections:
        lines += ["", f"  {title}"]
        lines += [
            f"    {line.label}: {line.text}" if line.label else f"    {line.text}"
            for line in section
        ]
    return lines


def _rate_lines(result: RateResult, L: _Labels, fmt: Formatter) -> list[Line]:
    """``1 USD = 948,37 CLP (ExchangeRate-API, 5 mar 2027)``, how old a cached rate is, and the
    attribution a source asks for."""
    from babel.dates import format_date
    from babel.numbers import format_decimal

    rate = result.rate
    if rate is None:
        return [Line(L("Exchange rate"), str(L("not available (offline and nothing cached)")))]
    value = format_decimal(rate.value, format="#,##0.00##", locale=fmt.locale)
    when = format_date(rate.as_of, "medium", locale=fmt.locale)
    text = f"1 {rate.base} = {value} {rate.quote} ({rate.source}, {when})"
    if result.origin in ("cache", "stale"):
        days = rate.age(datetime.now(UTC)).days
        text += f"; {L('{days} days old', days=days)}"
    lines = [Line(L("Exchange rate"), text)]
    if result.attribution:
        lines.append(Line(None, result.attribution))
    return lines


def _hours(delta: Any) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours} h" + (f" {rest} min" if rest else "")


def _phones(number: str, home_country: str | None, L: _Labels) -> list[Line]:
    """A number written three ways: international, local (as dialled in its country), and
    from the traveller's home country."""
    import phonenumbers

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


# --- rendering ---------------------------------------------------------------------------------


# What can start markup in Markdown (emphasis, code, links, tables, headings, quotes) or in the HTML
# Markdown passes through; other punctuation stays as it is, readable in a mail body.
_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]|#>"} | {"<": "&lt;", "&": "&amp;"})


def _markdown(value: Any) -> Any:
    """Markdown-escape everything a template prints: trip text stays text in any renderer."""
    if isinstance(value, Markup):
        return value
    return str(value).translate(_MD_SPECIAL) if value is not None else ""


@functools.cache
def _environment(kind: Literal["html", "md", "txt"]) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("tripplan", "templates"),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_markdown if kind == "md" else None,
    )


def render_sheet(sheet: Sheet, format: Format = "html") -> str | bytes:
    """The sheet as HTML, Markdown or text (str), or PDF (bytes; needs ``tripplan[pdf]``)."""
    if format == "pdf":
        return _pdf(str(render_sheet(sheet, "html")))
    template = _environment(format).get_template(f"sheet.{format}.j2")
    return str(template.render(sheet=sheet, L=sheet.labels))


def _pdf(html: str) -> bytes:
    from ._exceptions import TripplanError

    try:
        from weasyprint import HTML
    except ImportError:
        raise TripplanError(
            "PDF output needs WeasyPrint: pip install 'tripplan[pdf]' "
            "(or write HTML with --format html and print it from a browser)"
        ) from None
    return bytes(HTML(string=html).write_pdf())
