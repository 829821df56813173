"""The briefing sheet as data: plain, already formatted values that templates only lay out.

Every date, time and number in a ``Sheet`` went through the locale's Formatter and every fixed label
through gettext (``Label``: one text per language of the sheet, for bilingual sheets), so the
Jinja2 templates need nothing but loops and conditionals. What a sheet holds was decided by the
audience's view (``_audience.View``) before any of it got here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from babel import Locale
from markupsafe import escape

from ._i18n import country_text, label_language, translations
from ._model import Trip
from ._zones import zone_country

__all__ = [
    "Card",
    "Day",
    "Destination",
    "Entry",
    "Format",
    "Group",
    "Label",
    "Labels",
    "Line",
    "Link",
    "Note",
    "Paper",
    "Row",
    "Section",
    "Sheet",
    "Step",
    "default_paper",
]

Format = Literal["html", "md", "txt", "pdf"]
Paper = Literal["a4", "letter"]
# The parts of a sheet, in the order an audience reads them (``Sheet.sections``).
Section = Literal["overview", "days", "people", "destinations"]

# CLDR supplemental measurementData, paperSize: the territories that use US Letter.
_LETTER = frozenset(
    {"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"}
)


class Label:
    """A fixed label in every language of the sheet: one text, or several for a bilingual one.

    ``languages`` are the languages the texts are in (BCP 47): a locale without a catalog prints
    English labels, and says so with ``en``. ``message`` is the English msgid."""

    __slots__ = ("languages", "message", "texts")

    def __init__(self, texts: Sequence[str], languages: Sequence[str], message: str = "") -> None:
        self.texts, self.languages = tuple(texts), tuple(languages)
        self.message = message

    def _distinct(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for text, language in zip(self.texts, self.languages, strict=True):
            seen.setdefault(text, language)
        return [(text, language) for text, language in seen.items()]

    def __str__(self) -> str:
        return " / ".join(text for text, _ in self._distinct())

    def __repr__(self) -> str:
        return f"Label({str(self)!r})"

    def __html__(self) -> str:
        parts = self._distinct()
        if len(parts) == 1:
            return str(escape(parts[0][0]))
        spans = [
            f'<span lang="{language}" class="{"first" if n == 0 else "other"}">{escape(text)}</span>'
            for n, (text, language) in enumerate(parts)
        ]
        return '<span class="sep"> / </span>'.join(spans)


class Labels:
    """Makes a Label of a message in every language of the sheet."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)
        self.printed = tuple(label_language(language) for language in languages)
        self._gettext = [translations(language).gettext for language in languages]

    def __call__(self, message: str, **values: Any) -> Label:
        return Label([g(message).format(**values) for g in self._gettext], self.printed, message)

    def text(self, message: str) -> str:
        """A curated text (a country's tipping custom) in the sheet's first language: data,
        printed once, translated where the catalog has it."""
        return country_text(message, self.languages[0])


@dataclass(frozen=True, slots=True)
class Line:
    """One fact of an item: ``Seat: 34C``, or a plain sentence."""

    label: Label | None
    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A link to follow from paper: the map, the online meeting. HTML prints it as a QR code
    with ``text``, a short human label (``meet.example.com``), under it; text formats print
    ``href`` in full."""

    label: Label
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class Note:
    """A note, labelled with its kind (team, private) where the reader sees several kinds."""

    label: Label | None
    text: str


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
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Day:
    heading: str  # the full date
    places: str  # the cities of the day
    entries: list[Entry]
    holidays: list[str] = field(default_factory=list)  # "Viernes Santo (Alemania)"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the trip at a glance: the day (on its first row only), local and home time,
    what, and where."""

    day: str
    time: str
    home: str | None
    title: str
    category: Label
    where: str


@dataclass(frozen=True)
class Card:
    """A person in who's who."""

    name: str
    title: str | None
    attends: list[str]
    language: str | None
    phones: list[Line]
    email: str | None
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Group:
    """The people of one organization, and which side of the visit it is on."""

    organization: str
    side: Label
    people: list[Card]


@dataclass(frozen=True)
class Destination:
    heading: str
    facts: list[Line]
    sections: list[tuple[Label, list[Line]]]


@dataclass(frozen=True)
class Sheet:
    """A briefing sheet's content, formatted and ready to lay out, in ``sections`` order."""

    language: str
    languages: tuple[str, ...]
    audience: str
    paper: Paper
    kicker: Label  # what the document is: a briefing, a visit agenda
    title: str
    cover: list[Line]
    sections: tuple[Section, ...]
    overview: list[Row]
    days: list[Day]
    people: list[Group]
    destinations: list[Destination]
    labels: dict[str, Label]
    footer: str
    home_city: str | None = None  # heads the overview's home-time column (the traveller's)
    lang: str = "en"  # the language of the labels printed (HTML lang)
    warnings: tuple[str, ...] = ()  # e.g. a language without labels, and the fallback used

    @property
    def contacts(self) -> list[Card]:
        """Everyone in who's who, group after group."""
        return [card for group in self.people for card in group.people]


def default_paper(trip: Trip, language: str) -> Paper:
    """US Letter where the reader's territory uses it (CLDR), else A4."""
    territory = Locale.parse(language).territory or zone_country(trip.home_zone.key)
    return "letter" if territory in _LETTER else "a4"
