"""The curated country table: every row well-formed and sourced, its emergency numbers known to
phonenumbers (with each disagreement listed and sourced), and every country trips go to covered."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from phonenumbers import shortnumberinfo

import tripplan
from tripplan import resolve
from tripplan._countries import (
    DRIVING_SIDES,
    MEASUREMENT_SYSTEMS,
    PLUG_TYPES,
    CountryData,
    countries,
    country_data,
    parse_countries,
)
from tripplan._zones import country_codes

EXAMPLES = Path(__file__).parent.parent / "examples"
TABLE = resources.files("tripplan").joinpath("data").joinpath("countries.toml")
ROWS = sorted(countries().values(), key=lambda row: row.country)
SERVICES = ("police", "fire", "ambulance", "general")

# The countries most visited for business, which a briefing sheet must be able to cover.
BUSINESS_COUNTRIES = {
    *("US", "CA", "MX", "BR", "AR", "CL", "CO", "PE"),
    *("GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PL", "PT", "CZ"),
    *("SE", "NO", "DK", "FI"),
    *("AE", "SA", "IL", "TR", "ZA"),
    *("JP", "CN", "HK", "TW", "KR", "SG", "IN", "TH", "MY", "ID", "PH", "VN", "AU", "NZ"),
}

# Official numbers that phonenumbers (9.0.42, libphonenumber's short-number data) does not know as
# emergency numbers for the region. The table keeps the official number; each entry names the
# source. test_exceptions_are_still_needed fails when phonenumbers catches up, so the list shrinks.
PHONENUMBERS_DISAGREES = {
    # Ministry of Health SAMU line 106 (radionacional.gob.pe; La República 2022, MTC/Pronatel);
    # phonenumbers lists 105, 116 and 117 for PE.
    ("PE", "ambulance", "106"),
    # General Directorate of Civil Defense, 998.gov.sa ("911 or 998"; 911 in the Makkah region);
    # phonenumbers lists 112, 911, 997 and 999 for SA.
    ("SA", "fire", "998"),
}


def dialled(row: CountryData) -> list[tuple[str, str]]:
    """(service, number) for every number the row gives; an empty ``general`` is no number."""
    return [(name, getattr(row, name)) for name in SERVICES if getattr(row, name)]


def test_the_table_covers_the_business_countries() -> None:
    missing = BUSINESS_COUNTRIES - set(countries())
    assert not missing, f"no country data for {sorted(missing)}"
    assert len(countries()) >= 40


def test_the_table_covers_every_country_the_examples_visit() -> None:
    visited: set[str] = set()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        trip = tripplan.load_trip(path)
        for entry in resolve(trip):
            for location in (entry.origin, entry.destination):
                if location.country:
                    visited.add(location.country)
    assert {"AU", "CL", "DE", "FR", "US"} <= visited  # the examples are still what we think
    assert not visited - set(countries()), f"examples visit {sorted(visited - set(countries()))}"


def test_codes_are_known_and_each_country_appears_once() -> None:
    headers = re.findall(r"^\[([^\]]*)\]\s*$", TABLE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(headers) == len(set(headers)) == len(countries())
    assert headers == sorted(headers), "keep the tables in code order"
    assert not set(headers) - country_codes(), "not ISO 3166-1 codes in tzdata's iso3166.tab"
    for code, row in countries().items():
        assert row.country == code


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.country)
def test_row_is_well_formed(row: CountryData) -> None:
    for service in ("police", "fire", "ambulance"):
        assert re.fullmatch(r"[0-9]{2,5}", getattr(row, service)), service
    assert row.general == "" or re.fullmatch(r"[0-9]{3}", row.general)
    assert row.plugs and set(row.plugs) <= PLUG_TYPES
    assert list(row.plugs) == sorted(set(row.plugs)), "plugs in letter order, each once"
    assert 100 <= row.voltage <= 240
    assert row.frequency in (50, 60)
    assert row.driving in DRIVING_SIDES
    assert row.measurement in MEASUREMENT_SYSTEMS
    assert date(2026, 1, 1) <= row.retrieved <= date.today()


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.country)
def test_row_is_sourced_fact_by_fact(row: CountryData) -> None:
    for fact in ("emergency:", "electricity:", "driving:", "tipping:", "units:"):
        assert row.source.count(fact) == 1, f"source must say once where the {fact} facts come from"
    assert "P1622" in row.source  # the driving side is Wikidata's
    assert row.source == row.source.strip() and "  " not in row.source


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.country)
def test_tipping_is_one_short_sentence(row: CountryData) -> None:
    assert len(row.tipping) <= 100
    assert not row.tipping[0].islower() and row.tipping.endswith(".")
    assert row.tipping.count(". ") == 0


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.country)
def test_emergency_numbers_are_known_to_phonenumbers(row: CountryData) -> None:
    unknown = [
        (row.country, service, number)
        for service, number in dialled(row)
        if (row.country, service, number) not in PHONENUMBERS_DISAGREES
        and not shortnumberinfo.is_emergency_number(number, row.country)
    ]
    assert not unknown, "phonenumbers does not know these as emergency numbers"


@pytest.mark.parametrize("entry", sorted(PHONENUMBERS_DISAGREES))
def test_exceptions_are_still_needed(entry: tuple[str, str, str]) -> None:
    country, service, number = entry
    row = country_data(country)
    assert row is not None and getattr(row, service) == number, "the exception is not in the table"
    assert not shortnumberinfo.is_emergency_number(number, country), "phonenumbers agrees now"


def test_lookup() -> None:
    jp = country_data("JP")
    assert jp is not None
    assert (jp.police, jp.ambulance, jp.general, jp.driving) == ("110", "119", "", "left")
    assert country_data("jp") is jp  # read once, any case
    assert country_data("AQ") is None
    gb = country_data("GB")
    assert gb is not None and gb.measurement == "imperial-mixed" and gb.plugs == ("G",)
    us = country_data("US")
    assert us is not None and (us.voltage, us.frequency, us.measurement) == (120, 60, "us")


GOOD = """
[ZZ]
police = "110"
fire = "112"
ambulance = "112"
general = "112"
plugs = ["C", "F"]
voltage = 230
frequency = 50
driving = "right"
tipping = "Round up."
measurement = "metric"
source = "emergency: x; electricity: x; driving: Wikidata P1622; tipping: x; units: x"
retrieved = 2026-11-23
"""


def test_parse_reads_a_well_formed_table() -> None:
    row = parse_countries(GOOD)["ZZ"]
    assert row.plugs == ("C", "F") and row.retrieved == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('police = "110"', 'police = "11O"', "police must be a string of digits"),
        ('police = "110"', "police = 110", "police must be a string of digits"),
        ('general = "112"', 'general = "+112"', "general must be a string of digits or empty"),
        ('fire = "112"', 'fire = ""', "fire must be a string of digits"),
        ('plugs = ["C", "F"]', 'plugs = ["C", "O"]', "plugs must be"),
        ('plugs = ["C", "F"]', 'plugs = ["C", "C"]', "plugs must be"),
        ('plugs = ["C", "F"]', "plugs = []", "plugs must be"),
        ("voltage = 230", 'voltage = "230"', "voltage must be an integer"),
        ('driving = "right"', 'driving = "middle"', "driving must be one of"),
        ('measurement = "metric"', 'measurement = "imperial"', "measurement must be one of"),
        ('tipping = "Round up."', 'tipping = " "', "tipping must be non-empty text"),
        ("retrieved = 2026-11-23", "retrieved = 2026-11-23T10:00:00", "retrieved must be a date"),
        ("retrieved = 2026-11-23", 'retrieved = "2026-11-23"', "retrieved must be a date"),
        ("retrieved = 2026-11-23", "", "missing ['retrieved']"),
        ("voltage = 230", "voltage = 230\nvolts = 230", "unknown ['volts']"),
        ("[ZZ]", "[zz]", "[zz]: not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_parse_rejects_a_malformed_row(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_countries(GOOD.replace(old, new, 1))


def test_parse_rejects_a_country_given_twice() -> None:
    with pytest.raises(ValueError):
        parse_countries(GOOD + GOOD)


def test_import_tripplan_does_not_read_the_table() -> None:
    code = "import sys, tripplan; print('tripplan._countries' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
