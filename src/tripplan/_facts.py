"""Destination facts: what a traveller needs to know about a country, over the trip's dates.

Everything comes from well-kept data where it exists — zones (tzdata), languages and currencies
(Babel/CLDR), public holidays (``holidays``), dialling codes (phonenumbers), sunrise and sunset
(astral) — and from the curated table shipped with the package (``_countries``) only for what
no library has: emergency numbers, plugs, voltage, driving side, tipping. The exchange rate is
optional network data (``_rates``): it is asked for only when the caller wants it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ._countries import country_data
from ._formatting import territory_locale
from ._holidays import holidays_between
from ._rates import Rate, RateResult, exchange_rate
from ._timeline import Scheduled, resolve
from ._types import format_offset
from ._zones import Transition, country_zones, get_zone, transitions, zone_country

if TYPE_CHECKING:
    from ._model import Trip

__all__ = [
    "Currency",
    "DestinationFacts",
    "Dialling",
    "Holiday",
    "SunTimes",
    "ZoneFacts",
    "country_days",
    "destination_facts",
    "exchange",
    "trip_countries",
]


@dataclass(frozen=True, slots=True)
class ZoneFacts:
    zone: str
    name: str  # localized: "hora de Chile"
    offsets: tuple[tuple[date, timedelta], ...]  # UTC offset on each day of the trip (at noon)
    from_home: tuple[tuple[date, timedelta], ...]  # difference from the home zone on each day
    changes: tuple[Transition, ...]


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    symbol: str
    name: str
    digits: int


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str


@dataclass(frozen=True, slots=True)
class Dialling:
    calling_code: int  # 56
    international_prefix: str  # what you dial there before a foreign country's code: "00"
    from_home: str | None  # how to reach the country from home: "011 56"
    to_home: str | None  # how to call home from there: "00 1"


@dataclass(frozen=True, slots=True)
class SunTimes:
    place: str
    day: date
    sunrise: datetime | None  # None in polar day or night
    sunset: datetime | None


@dataclass(frozen=True)
class DestinationFacts:
    """Facts about one country over a span of days, in one language."""

    country: str
    name: str
    locale: str
    start: date
    end: date
    languages: tuple[str, ...]  # official languages, named in the sheet's language
    currency: Currency | None
    zones: tuple[ZoneFacts, ...]
    holidays: tuple[Holiday, ...]
    dialling: Dialling | None
    sun: tuple[SunTimes, ...] = ()
    data: Any = None  # _countries.CountryData, where the curated table has the country


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(12), tzinfo=zone)


def _zone_facts(
    zone: ZoneInfo, start: date, end: date, home: ZoneInfo | None, locale: str
) -> ZoneFacts:
    from babel.dates import get_timezone_name

    days = _days(start, end)
    offsets = tuple((d, _noon(d, zone).utcoffset() or timedelta(0)) for d in days)
    from_home = (
        tuple(
            (
                d,
                (_noon(d, zone).utcoffset() or timedelta(0))
                - (_noon(d, zone).astimezone(home).utcoffset() or timedelta(0)),
            )
            for d in days
        )
        if home is not None
        else ()
    )
    first = datetime.combine(start, time(0), tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    changes = tuple(transitions(zone, first, last))
    try:
        # The generic name ("hora de Chile"): a trip may see both the summer and winter time.
        name = str(get_timezone_name(_noon(start, zone), locale=locale, zone_variant="generic"))
    except (KeyError, LookupError):
        name = zone.key
    return ZoneFacts(zone.key, name, offsets, from_home, changes)


def _currency(country: str, day: date, locale: str) -> Currency | None:
    from babel import Locale
    from babel.numbers import get_currency_precision, get_currency_symbol, get_territory_currencies

    codes = get_territory_currencies(country, start_date=day, tender=True)
    if not codes:
        return None
    code = codes[0]
    name = Locale.parse(locale).currencies.get(code, code)
    # The symbol as the country writes it (es_CL: "$"), not as the reader's locale would ("CLP").
    local = territory_locale(country) or locale
    return Currency(
        code, get_currency_symbol(code, locale=local), name, get_currency_precision(code)
    )


def _languages(country: str, locale: str) -> tuple[str, ...]:
    from babel import Locale
    from babel.core import get_global

    spoken = get_global("territory_languages").get(country, {})
    official = [
        code
        for code, info in spoken.items()
        if info.get("official_status") in ("official", "de_facto_official")
    ]
    names = Locale.parse(locale).languages
    return tuple(names.get(code, code) for code in official)


def _holidays(
    country: str, subdivision: str | None, start: date, end: date, locale: str
) -> tuple[Holiday, ...]:
    return tuple(
        Holiday(d, n) for d, n in holidays_between(country, subdivision, start, end, locale)
    )


def _prefix(meta: Any) -> str:
    """What to dial before a foreign country's code: the preferred prefix, the only one where
    the metadata gives a single number, else "+" (Chile, for one, has several carrier prefixes;
    every mobile phone takes "+")."""
    if meta.preferred_international_prefix:
        return str(meta.preferred_international_prefix)
    prefix = str(meta.international_prefix or "")
    return prefix if prefix.isdigit() else "+"


def _join(prefix: str, code: int) -> str:
    return f"+{code}" if prefix == "+" else f"{prefix} {code}"


def _dialling(country: str, home_country: str | None) -> Dialling | None:
    import phonenumbers
    from phonenumbers import PhoneMetadata

    code = phonenumbers.country_code_for_region(country)
    meta = PhoneMetadata.metadata_for_region(country)
    if not code or meta is None:
        return None
    prefix = _prefix(meta)
    from_home = to_home = None
    home_meta = PhoneMetadata.metadata_for_region(home_country) if home_country else None
    if home_country and home_meta is not None and home_country != country:
        from_home = _join(_prefix(home_meta), code)
        to_home = _join(prefix, phonenumbers.country_code_for_region(home_country))
    return Dialling(code, prefix, from_home, to_home)


def _sun(
    places: list[tuple[str, float, float, ZoneInfo]], start: date, end: date
) -> tuple[SunTimes, ...]:
    from astral import Observer
    from astral.sun import sunrise, sunset

    found = []
    for name, latitude, longitude, zone in places:
        observer = Observer(latitude=latitude, longitude=longitude)
        for day in _days(start, end):
            try:
                rise: datetime | None = sunrise(observer, day, tzinfo=zone)
                set_: datetime | None = sunset(observer, day, tzinfo=zone)
            except ValueError:  # the sun never rises, or never sets, that day
                rise = set_ = None
            found.append(SunTimes(name, day, rise, set_))
    return tuple(found)


def destination_facts(
    country: str,
    start: date,
    end: date,
    *,
    locale: str = "en",
    home: ZoneInfo | None = None,
    zones: tuple[str, ...] | None = None,
    subdivision: str | None = None,
    places: list[tuple[str, float, float, ZoneInfo]] | None = None,
) -> DestinationFacts:
    """The facts about ``country`` from ``start`` to ``end`` (inclusive), in ``locale``.

    ``zones`` are the zones of the trip in that country (default: all of the country's);
    ``places`` (name, latitude, longitude, zone) get sunrise and sunset for each day.
    """
    from babel import Locale

    home_country = zone_country(home.key) if home is not None else None
    keys = zones or country_zones(country)
    return DestinationFacts(
        country=country,
        name=Locale.parse(locale).territories.get(country, country),
        locale=locale,
        start=start,
        end=end,
        languages=_languages(country, locale),
        currency=_currency(country, start, locale),
        zones=tuple(_zone_facts(get_zone(k), start, end, home, locale) for k in keys),
        holidays=_holidays(country, subdivision, start, end, locale),
        dialling=_dialling(country, home_country),
        sun=_sun(places or [], start, end),
        data=country_data(country),
    )


def trip_countries(trip: Trip) -> dict[str, dict[str, Any]]:
    """The countries the trip's items happen in, with their zones and the places to get sun
    times for, in the order the trip reaches them."""
    found: dict[str, dict[str, Any]] = {}
    for entry in resolve(trip):
        for where in (entry.origin, entry.destination):
            if where.country is None:
                continue
            info = found.setdefault(where.country, {"zones": [], "places": {}, "subdivision": None})
            if where.zone.key not in info["zones"]:
                info["zones"].append(where.zone.key)
            if where.geo is not None and where.city and where.city not in info["places"]:
                info["places"][where.city] = (where.city, where.geo[0], where.geo[1], where.zone)
            info["subdivision"] = info["subdivision"] or where.subdivision
    return found


def country_days(entries: Iterable[Scheduled]) -> dict[str, tuple[date, date]]:
    """The first and last local day the traveller spends in each country, from the entries of
    the timeline: a day counts where an item starts or ends there, and every night of a stay.
    Days at home before leaving and after coming back are not days at the destination."""
    days: dict[str, list[date]] = {}
    for entry in entries:
        for where, moment in ((entry.origin, entry.start), (entry.destination, entry.end)):
            if where.country is not None:
                days.setdefault(where.country, []).append(moment.date())
    return {country: (min(found), max(found)) for country, found in days.items()}


def facts_to_dict(facts: DestinationFacts) -> dict[str, Any]:
    """JSON-ready facts: dates and instants in ISO 8601, offsets as ``+HH:MM``."""
    from dataclasses import asdict

    def zone(z: ZoneFacts) -> dict[str, Any]:
        return {
            "zone": z.zone,
            "name": z.name,
            "offsets": {d.isoformat(): format_offset(o) for d, o in z.offsets},
            "from_home": {d.isoformat(): format_offset(o) for d, o in z.from_home},
            "changes": [
                {
                    "instant": c.instant.isoformat(),
                    "local_before": c.local_before.isoformat(),
                    "local_after": c.local_after.isoformat(),
                    "offset_before": format_offset(c.offset_before),
                    "offset_after": format_offset(c.offset_after),
                }
                for c in z.changes
            ],
        }

    data = facts.data
    return {
        "country": facts.country,
        "name": facts.name,
        "locale": facts.locale,
        "dates": [facts.start.isoformat(), facts.end.isoformat()],
        "languages": list(facts.languages),
        "currency": asdict(facts.currency) if facts.currency else None,
        "zones": [zone(z) for z in facts.zones],
        "holidays": [{"date": h.day.isoformat(), "name": h.name} for h in facts.holidays],
        "dialling": asdict(facts.dialling) if facts.dialling else None,
        "sun": [
            {
                "place": s.place,
                "date": s.day.isoformat(),
                "sunrise": s.sunrise.isoformat() if s.sunrise else None,
                "sunset": s.sunset.isoformat() if s.sunset else None,
            }
            for s in facts.sun
        ],
        "country_data": {
            k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(data).items()
        }
        if data is not None
        else None,
    }


def exchange(
    facts: DestinationFacts,
    home: ZoneInfo | None,
    stated: Sequence[Rate] = (),
    *,
    network: bool = False,
) -> RateResult | None:
    """How much of the destination's currency one unit of home's buys: a ``stated`` rate for
    that pair if there is one, else (with ``network``) a fetched or cached one; None where
    nothing applies (same currency, no home, no rate and no network)."""
    home_country = zone_country(home.key) if home is not None else None
    if facts.currency is None or home_country is None:
        return None
    mine = _currency(home_country, facts.start, facts.locale)
    if mine is None or mine.code == facts.currency.code:
        return None
    pair = {mine.code, facts.currency.code}
    given = next((r for r in stated if {r.base, r.quote} == pair), None)
    if given is None and not network:
        return None
    sources = None if network else ()
    return exchange_rate(facts.currency.code, mine.code, stated=given, providers=sources)
