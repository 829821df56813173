"""Destination facts: zones, languages, currency, holidays, dialling and daylight, from the data
libraries, in the reader's language."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tripplan import get_zone, load_trip, resolve
from tripplan._cli import main
from tripplan._facts import country_days, destination_facts, trip_countries
from tripplan._zones import zone_country

from .support import EXAMPLES

NEW_YORK = get_zone("America/New_York")


def test_time_zone_offsets_changes_and_difference_from_home() -> None:
    facts = destination_facts(
        "CL",
        date(2027, 4, 1),
        date(2027, 4, 6),
        locale="es",
        home=NEW_YORK,
        zones=("America/Santiago",),
    )
    [zone] = facts.zones
    assert zone.name == "hora de Chile"
    offsets = dict(zone.offsets)
    assert offsets[date(2027, 4, 3)] == timedelta(hours=-3) and offsets[
        date(2027, 4, 4)
    ] == timedelta(hours=-4)
    assert dict(zone.from_home)[date(2027, 4, 3)] == timedelta(hours=1)  # New York is on -04:00
    [change] = zone.changes
    assert (str(change.local_before), str(change.local_after)) == (
        "2027-04-04 00:00:00",
        "2027-04-03 23:00:00",
    )


def test_languages_and_currency_in_the_readers_language() -> None:
    spanish = destination_facts("CH", date(2027, 5, 3), date(2027, 5, 4), locale="es")
    assert set(spanish.languages) >= {"alemán", "francés", "italiano"}
    assert spanish.currency is not None
    assert (spanish.currency.code, spanish.currency.name, spanish.currency.digits) == (
        "CHF",
        "franco suizo",
        2,
    )
    chile = destination_facts("CL", date(2027, 5, 3), date(2027, 5, 4), locale="en")
    assert chile.currency is not None and (chile.currency.symbol, chile.currency.digits) == ("$", 0)


def test_holidays_negotiate_the_language() -> None:
    # `holidays` has Spanish for Chile but not es_CL; asked directly it would answer in English.
    facts = destination_facts("CL", date(2027, 9, 16), date(2027, 9, 20), locale="es_CL")
    assert [(h.day, h.name) for h in facts.holidays][:2] == [
        (date(2027, 9, 17), "Fiestas Patrias"),
        (date(2027, 9, 18), "Día de la Independencia"),
    ]
    english = destination_facts("CL", date(2027, 9, 18), date(2027, 9, 18), locale="en")
    assert [h.name for h in english.holidays] == ["Independence Day"]
    german = destination_facts("CL", date(2027, 9, 18), date(2027, 9, 18), locale="de_DE")
    assert [h.name for h in german.holidays] == [
        "Independence Day"
    ]  # no German: English, via catalogs


def test_dialling_codes() -> None:
    facts = destination_facts("CL", date(2027, 3, 8), date(2027, 3, 8), home=NEW_YORK)
    assert facts.dialling is not None
    assert (facts.dialling.calling_code, facts.dialling.from_home, facts.dialling.to_home) == (
        56,
        "011 56",
        "+1",
    )
    germany = destination_facts("DE", date(2027, 3, 8), date(2027, 3, 8), home=NEW_YORK).dialling
    assert germany is not None and germany.to_home == "00 1"


def test_sunrise_and_sunset_and_polar_days() -> None:
    santiago = ("Santiago", -33.45, -70.66, get_zone("America/Santiago"))
    facts = destination_facts("CL", date(2027, 3, 9), date(2027, 3, 9), places=[santiago])
    [sun] = facts.sun
    assert sun.sunrise is not None and sun.sunset is not None
    assert (sun.sunrise.hour, sun.sunset.hour) == (7, 20)  # about 07:25 and 20:05 in March
    longyearbyen = ("Longyearbyen", 78.22, 15.65, get_zone("Arctic/Longyearbyen"))
    [midsummer] = destination_facts(
        "NO", date(2027, 6, 21), date(2027, 6, 21), places=[longyearbyen]
    ).sun
    assert midsummer.sunrise is None and midsummer.sunset is None


def test_countries_of_a_trip_and_of_a_zone() -> None:
    trip = load_trip(EXAMPLES / "european-roadshow.yaml")
    countries = trip_countries(trip)
    assert list(countries)[:3] == ["US", "DE", "FR"]
    assert countries["DE"]["zones"] == ["Europe/Berlin"]
    assert zone_country("America/Santiago") == "CL" and zone_country("UTC") is None


def test_facts_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["facts", "CL", "--dates", "2027-03-07..2027-03-13", "--lang", "es", "--home", "BOS"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Zona horaria: hora de Chile (America/Santiago), UTC-03:00" in out
    assert "Diferencia con Nueva York: +2 h" in out
    assert main(["facts", "CL", "--dates", "2027-03-07..2027-03-08", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["currency"]["code"] == "CLP" and data["zones"][0]["offsets"]["2027-03-07"] == "-03:00"
    )
    assert main(["facts", "XX", "--dates", "2027-03-07..2027-03-08"]) == 2
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in capsys.readouterr().err


def test_days_in_each_country_are_from_arrival_to_departure() -> None:
    trip = load_trip(EXAMPLES / "european-roadshow.yaml")
    days = country_days(resolve(trip))
    assert days["DE"] == (date(2027, 3, 23), date(2027, 3, 25))  # landed in Frankfurt, ICE out
    assert days["FR"] == (date(2027, 3, 25), date(2027, 3, 28))
    assert days["US"] == (date(2027, 3, 22), date(2027, 3, 28))  # home: left and came back
