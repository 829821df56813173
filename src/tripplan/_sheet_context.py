"""What every part of a briefing sheet is built with: the trip, the audience's view, the locale's
Formatter and labels, and the trip's one spelling of each city.

A city can reach a sheet from a place of the trip (``São Paulo``) and from an airport's data
(``Sao Paulo``); the place's spelling wins, so a sheet names each city one way. An item with no
place (an online meeting) has only a zone, and a zone is never printed as a place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from ._airports import airport, is_airport
from ._audience import View
from ._formatting import Formatter
from ._i18n import N_
from ._locations import Location
from ._model import Trip
from ._sheet import Labels, Note

__all__ = ["NOTE_KINDS", "Context", "fold", "short_host"]

# How a note is labelled where its reader sees several kinds (``View.note_kinds``).
NOTE_KINDS = {"public": N_("Public"), "team": N_("Team"), "private": N_("Private")}


def fold(text: str) -> str:
    """A city name without accents, case or spacing differences: ``sao paulo``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("-", " ").split())


def short_host(url: str) -> str:
    """A short human label for a link: its host without ``www.`` (``meet.example.com``)."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


class Context:
    """The trip, the view and the locale a sheet is built in (``languages[0]`` formats data)."""

    def __init__(self, trip: Trip, view: View, languages: Sequence[str]) -> None:
        self.trip, self.view = trip, view
        self.languages = tuple(languages)
        self.language = languages[0]
        self.fmt = Formatter(self.language)
        self.L = Labels(languages)
        self.home: ZoneInfo = trip.home_zone
        # The trip's own spelling of each city, by its folded form: it wins over an airport's.
        self._spelling = {
            fold(place.city): place.city for place in trip.places.values() if place.city
        }
        self.home_city = self._home_city()

    def _home_city(self) -> str:
        home = self.trip.home
        if home and len(home) == 3 and is_airport(home):
            return self.spell(airport(home).city)
        return self.fmt.city(self.home)

    # --- places ------------------------------------------------------------------------------

    def spell(self, city: str) -> str:
        return self._spelling.get(fold(city), city)

    def city(self, where: Location) -> str | None:
        """The city of a place or airport, in the trip's spelling; None for an item with only
        a zone (online) and for a place that names no city."""
        if where.key is None or not where.city:
            return None
        return self.spell(where.city)

    def place(self, where: Location) -> str:
        """Where, on one line: ``name, address, city``; an online item's zone is a city's time
        (``Berlin``), never the zone's name."""
        if where.key is None:
            return self.fmt.city(where.zone)
        city = self.city(where)
        parts = [where.name, where.address]
        if city and fold(city) not in fold(f"{where.name} {where.address or ''}"):
            parts.append(city)
        return ", ".join(p for p in parts if p)

    def where_short(self, where: Location) -> str:
        """A place named briefly: the airport's or place's city, else its name."""
        if where.key is None:
            return self.fmt.city(where.zone)
        return self.city(where) or where.name

    # --- times -------------------------------------------------------------------------------

    def short_date(self, day: date) -> str:
        """``Tue, Mar 9`` / ``mar, 9 mar``: a day within the trip."""
        return str(format_skeleton("MMMEd", day, locale=self.fmt.locale))

    def moment(self, value: datetime) -> str:
        """``Tue, Mar 9, 9:05 AM``: a day and time within the trip (the year is the trip's)."""
        pattern = str(self.fmt.locale.datetime_formats["medium"])
        day = self.short_date(value.date())
        return pattern.replace("{1}", day).replace("{0}", self.fmt.time(value))

    def home_time(self, moment: datetime, place: str) -> str | None:
        """``10:15 Santiago · 8:15 New York`` for the traveller, where the clocks differ."""
        if (
            not self.view.sees_home_time
            or moment.utcoffset() == moment.astimezone(self.home).utcoffset()
        ):
            return None
        local = self.fmt.time(moment)
        return f"{local} {place} · {self.fmt.time(moment.astimezone(self.home))} {self.home_city}"

    # --- notes -------------------------------------------------------------------------------

    def notes(self, found: Sequence[tuple[str, str]]) -> list[Note]:
        """Notes (kind, text) as the reader gets them: labelled by kind where the reader may
        read several kinds (the view says which); a person's bio is never labelled."""
        several = len(self.view.note_kinds) > 1
        return [
            Note(self.L(NOTE_KINDS[kind]) if several and kind in NOTE_KINDS else None, text)
            for kind, text in found
        ]
