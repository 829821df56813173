"""Public holidays, from the ``holidays`` package: one place for the checks, the facts and the
model (which subdivisions a country has). The package is imported on first use: it is heavy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from ._i18n import translations

__all__ = ["holiday_on", "holidays_between", "subdivisions"]


@functools.cache
def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivisions the package has regional holidays for (ISO 3166-2 without the prefix)."""
    import holidays

    return tuple(holidays.list_supported_countries().get(country, ()))


def holiday_on(country: str, subdivision: str | None, day: date, locale: str = "en") -> str | None:
    """The name of the public holiday on ``day`` there, if it is one."""
    return _holiday_year(country, subdivision, day.year, locale).get(day)


def holidays_between(
    country: str, subdivision: str | None, start: date, end: date, locale: str
) -> list[tuple[date, str]]:
    """The public holidays from ``start`` to ``end`` (inclusive), named in ``locale``."""
    named: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        named |= _holiday_year(country, subdivision, year, locale)
    return [(d, n) for d, n in sorted(named.items()) if start <= d <= end]


def _same(text: str) -> str:
    return text


@functools.cache
def _holiday_year(country: str, subdivision: str | None, year: int, locale: str) -> dict[date, str]:
    """One year of a country's public holidays, named in ``locale`` as well as can be."""
    import holidays
    from babel import Locale, negotiate_locale

    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:  # a country the package has no calendar for
        return {}
    wanted = str(Locale.parse(locale))
    # Asking `holidays` for a language it lacks (es_CL) silently gives English: negotiate first.
    language = negotiate_locale(
        [wanted, wanted.split("_")[0]], list(calendar.supported_languages), sep="_"
    )
    translate: Callable[[str], str] = _same
    if language is None:
        language = "en_US" if "en_US" in calendar.supported_languages else calendar.default_language
        translate = translations(locale).gettext  # the project's catalogs may know the name
    named = holidays.country_holidays(country, subdiv=subdivision, years=year, language=language)
    return {d: translate(n) for d, n in named.items()}
