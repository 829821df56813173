"""A Formatter bound to one locale: every date, time, duration and zone name goes through Babel.

Nothing here reads the process locale or environment: the locale is an argument.

>>> from datetime import datetime, timedelta
>>> from tripplan import get_zone
>>> landing = datetime(2027, 3, 9, 9, 5, tzinfo=get_zone("America/Santiago"))
>>> Formatter("es").datetime(landing)
'mar, 9 mar 2027, 9:05'
>>> Formatter("en_US").datetime(landing)
'Tue, Mar 9, 2027, 9:05\u202fAM'
>>> Formatter("es").duration(timedelta(hours=13, minutes=20))
'13 h 20 min'
"""

from __future__ import annotations

import datetime as dt
import functools

__all__ = ["Formatter", "territory_locale"]


class Formatter:
    """Formats values for one locale (``es``, ``es_CL``, ``en_US``, ``de_DE``...)."""

    def __init__(self, locale: str) -> None:
        from babel import Locale
        from babel.dates import match_skeleton, parse_pattern

        self.locale = Locale.parse(locale)
        # Patterns parsed once: formatting a large trip's thousands of times stays cheap.
        skeletons = self.locale.datetime_skeletons
        self._day = parse_pattern(skeletons[match_skeleton("yMMMEd", skeletons)])
        self._clock = parse_pattern(self.locale.time_formats["short"])

    def date(self, value: dt.date) -> str:
        """``martes, 9 de marzo de 2027``."""
        from babel.dates import format_date

        return format_date(value, "full", locale=self.locale)

    def time(self, value: dt.datetime) -> str:
        """The wall time in the value's own zone, 12 or 24 hours as CLDR says for the locale."""
        return str(self._clock.apply(value, self.locale))

    def datetime(self, value: dt.datetime) -> str:
        """Weekday, date and wall time in the value's own zone: ``mar, 9 mar 2027, 9:05``."""
        return self._join(str(self._day.apply(value, self.locale)), self.time(value))

    def _join(self, day: str, clock: str) -> str:
        pattern = self.locale.datetime_formats["medium"]
        return str(pattern).replace("{1}", day).replace("{0}", clock)

    def city(self, zone: dt.tzinfo) -> str:
        """The city a zone is named after, in the locale: ``Nueva York`` for America/New_York."""
        from babel.dates import get_timezone_location

        return str(get_timezone_location(zone, locale=self.locale, return_city=True))

    def duration(self, value: dt.timedelta) -> str:
        """Hours and minutes, both kept: ``13 h 20 min`` (Babel alone rounds to ``13 horas``)."""
        from babel.units import format_unit

        minutes = round(value.total_seconds() / 60)
        hours, minutes = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(format_unit(hours, "duration-hour", length="short", locale=self.locale))
        if minutes or not hours:
            parts.append(
                format_unit(minutes, "duration-minute", length="short", locale=self.locale)
            )
        return " ".join(parts)


@functools.cache
def territory_locale(country: str) -> str | None:
    """The locale of a country's main language there (CL -> ``es_CL``, IL -> ``he_IL``), where
    CLDR has one: what decides its weekend, or how it writes its currency."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    for language in get_global("territory_languages").get(country, {}):
        try:
            return str(Locale(language, territory=country))
        except (UnknownLocaleError, ValueError):
            continue
    return None
