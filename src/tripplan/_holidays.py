"""Public holidays, from the ``holidays`` package: one place for the checks, the facts and the
model (which subdivisions a country has). The package is imported on first use: it is heavy.

Only the one country asked about is looked up (``holidays.country_holidays`` and the country's
own class attributes), never the list of every supported country; each year of a country's
holidays is computed once per language.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from ._i18n import translations

__all__ = ["holiday_on", "holidays_between", "subdivisions"]


@functools.cache
def _calendar(country: str) -> Any:
    """The ``holidays`` class of an ISO 3166-1 alpha-2 country, or None where it has none.

    The package's ``holidays.countries`` imports every country's module (some 200, most of the
    cost of a first use); the one module needed is loaded on its own where it can be, from the
    package's registry of countries, and through the package otherwise."""
    import holidays
    from holidays.registry import COUNTRIES

    entries = [
        (module, class_name)
        for module, (class_name, *codes) in COUNTRIES.items()
        if country in codes and 2 <= len(country) <= 3
    ]
    if not entries:
        return None
    module, class_name = entries[0]
    if "holidays.countries" not in sys.modules:
        found = _country_module(module)
        if found is not None and hasattr(found, class_name):
            return getattr(found, class_name)
    return getattr(holidays, country).get_entity()


def _country_module(name: str) -> ModuleType | None:
    """``holidays.countries.<name>`` loaded without the package's ``__init__``."""
    package = importlib.util.find_spec("holidays")
    if package is None or not package.submodule_search_locations:
        return None
    path = Path(package.submodule_search_locations[0], "countries", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"holidays.countries.{name}", path)
    if spec is None or spec.loader is None or not path.is_file():
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivisions the package has regional holidays for (ISO 3166-2 without the prefix)."""
    calendar = _calendar(country)
    return tuple(calendar.subdivisions) if calendar is not None else ()


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
def _naming(country: str, locale: str) -> tuple[str | None, Callable[[str], str]]:
    """The language to ask the package for a country's holidays in, and what then translates
    the names (the project's catalogs, where the package lacks the language)."""
    from babel import Locale, negotiate_locale

    calendar = _calendar(country)
    supported = list(calendar.supported_languages)
    wanted = str(Locale.parse(locale))
    # Asking `holidays` for a language it lacks (es_CL) silently gives English: negotiate first.
    language = negotiate_locale([wanted, wanted.split("_")[0]], supported, sep="_")
    if language is not None:
        return language, _same
    language = "en_US" if "en_US" in supported else calendar.default_language
    return language, translations(locale).gettext  # the project's catalogs may know the name


@functools.cache
def _holiday_year(country: str, subdivision: str | None, year: int, locale: str) -> dict[date, str]:
    """One year of a country's public holidays, named in ``locale`` as well as can be."""
    calendar = _calendar(country)
    if calendar is None:  # a country the package has no calendar for
        return {}
    language, translate = _naming(country, locale)
    # What holidays.country_holidays(country, subdiv=..., years=..., language=...) makes.
    named = calendar(years=year, subdiv=subdivision, language=language)
    return {d: translate(n) for d, n in named.items()}
