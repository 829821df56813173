"""Curated country facts that no data library has, for briefing sheets.

Emergency numbers, plug types and mains supply, the side of the road, the tipping custom and the
everyday units live in ``data/countries.toml``: one table per ISO 3166-1 alpha-2 code, each naming
its sources and the date they were checked (``docs/country-data.md`` says how to correct or add
one). The file is read once, on first use, from the installed package.

>>> au = country_data("AU")
>>> au.general, au.plugs, au.voltage, au.driving
('000', ('I',), 230, 'left')
>>> country_data("AQ") is None  # a code the table does not cover
True
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Literal, cast, get_args

__all__ = [
    "DRIVING_SIDES",
    "MEASUREMENT_SYSTEMS",
    "PLUG_TYPES",
    "CountryData",
    "Driving",
    "Measurement",
    "countries",
    "country_data",
    "parse_countries",
]

Driving = Literal["left", "right"]
# metric: SI units on road signs, in weather reports and on shop labels; us: US customary units
# (miles, °F, pounds, gallons); imperial-mixed: metric officially, but road distances and speeds
# in miles (the United Kingdom).
Measurement = Literal["metric", "us", "imperial-mixed"]

DRIVING_SIDES: Final = frozenset[str](get_args(Driving))
MEASUREMENT_SYSTEMS: Final = frozenset[str](get_args(Measurement))
PLUG_TYPES: Final = frozenset("ABCDEFGHIJKLMN")  # the IEC World Plugs letters

_CODE = re.compile(r"[A-Z]{2}")
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class CountryData:
    """What a traveller needs to know on landing in one country, and where it came from.

    Numbers are strings because they are dialled (``"000"``); ``general`` is the number that
    reaches every emergency service, ``""`` where the country has none. ``plugs`` are IEC World
    Plugs letters; ``voltage`` (V) and ``frequency`` (Hz) are the nominal mains supply.
    """

    country: str
    police: str
    fire: str
    ambulance: str
    general: str
    plugs: tuple[str, ...]
    voltage: int
    frequency: int
    driving: Driving
    tipping: str
    measurement: Measurement
    source: str
    retrieved: date


_FIELDS: Final = tuple(f.name for f in fields(CountryData) if f.name != "country")


def country_data(code: str) -> CountryData | None:
    """The facts for ISO 3166-1 alpha-2 ``code`` (any case), or ``None`` if the table lacks it."""
    return countries().get(code.upper())


@functools.cache
def countries() -> Mapping[str, CountryData]:
    """Every country in the table, by code; read from the package on first use."""
    table = resources.files("tripplan").joinpath("data").joinpath("countries.toml")
    return MappingProxyType(parse_countries(table.read_text(encoding="utf-8")))


def parse_countries(text: str) -> dict[str, CountryData]:
    """Read the table's TOML text.

    A ``ValueError`` names the country and field that is wrong; a country given twice is a TOML
    error (``tomllib.TOMLDecodeError``, also a ``ValueError``).
    """
    return {code: _country(code, row) for code, row in tomllib.loads(text).items()}


def _country(code: str, row: Any) -> CountryData:
    where = f"countries.toml [{code}]"
    if not _CODE.fullmatch(code):
        raise ValueError(f"{where}: not an ISO 3166-1 alpha-2 code")
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a table of fields")
    missing = [name for name in _FIELDS if name not in row]
    unknown = sorted(set(row) - set(_FIELDS))
    if missing or unknown:
        raise ValueError(f"{where}: missing {missing}, unknown {unknown}")

    def wrong(name: str, expected: str) -> ValueError:
        return ValueError(f"{where}: {name} must be {expected}, not {row[name]!r}")

    def number(name: str, *, required: bool = True) -> str:
        value = row[name]
        if isinstance(value, str) and (_NUMBER.fullmatch(value) or (value == "" and not required)):
            return value
        raise wrong(name, "a string of digits" + ("" if required else " or empty"))

    def text(name: str) -> str:
        value = row[name]
        if not isinstance(value, str) or not value.strip():
            raise wrong(name, "non-empty text")
        return value

    def integer(name: str) -> int:
        value = row[name]
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong(name, "an integer")
        return value

    def choice(name: str, options: frozenset[str]) -> str:
        if row[name] not in options:
            raise wrong(name, f"one of {sorted(options)}")
        return cast(str, row[name])

    plugs = row["plugs"]
    if not (
        isinstance(plugs, list)
        and plugs
        and all(isinstance(p, str) and p in PLUG_TYPES for p in plugs)
        and len(set(plugs)) == len(plugs)
    ):
        raise wrong("plugs", "a non-empty list of distinct IEC plug letters A-N")
    if type(row["retrieved"]) is not date:  # a TOML date; a date-time is a date subclass
        raise wrong("retrieved", "a date")
    return CountryData(
        country=code,
        police=number("police"),
        fire=number("fire"),
        ambulance=number("ambulance"),
        general=number("general", required=False),
        plugs=tuple(plugs),
        voltage=integer("voltage"),
        frequency=integer("frequency"),
        driving=cast(Driving, choice("driving", DRIVING_SIDES)),
        tipping=text("tipping"),
        measurement=cast(Measurement, choice("measurement", MEASUREMENT_SYSTEMS)),
        source=text("source"),
        retrieved=row["retrieved"],
    )
