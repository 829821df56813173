"""The briefing sheet as data: plain, already formatted values that templates only lay out.

Every date, time and number in a ``Sheet`` went through the locale's Formatter and every fixed label
through gettext (``Label``: one text per language of the sheet, for bilingual sheets), so the
Jinja2 templates need nothing but loops and conditionals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from babel import Locale
from markupsafe import escape

from ._i18n import translations
from ._model import Trip
from ._zones import zone_country

__all__ = [
    "Contact",
    "Day",
    "Destination",
    "Entry",
    "Format",
    "Label",
    "Labels",
    "Line",
    "Paper",
    "Sheet",
    "Step",
    "default_paper",
]

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


class Labels:
    """Makes a Label of a message in every language of the sheet."""

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
    territory = Locale.parse(language).territory or zone_country(trip.home_zone.key)
    return "letter" if territory in _LETTER else "a4"
