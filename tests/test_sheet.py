"""What a briefing sheet holds, audience by audience: the trip at a glance, days, who's who, the
customer's agenda, and the print details (terminals, cabin, venue phones, links, notes, cities)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tripplan import Trip, build_sheet, load_trip, render_sheet
from tripplan._audience import Audience, View
from tripplan._sheet import Sheet

from .support import BASE, EXAMPLES, build_trip
from .test_audience import planted

REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"
ONLINE = "https://meet.northwind.example/j/cordillera-vision"


@pytest.fixture(scope="module")
def reference() -> Trip:
    return load_trip(REFERENCE)


def rendered(sheet: Sheet, fmt: str) -> str:
    text = render_sheet(sheet, fmt)  # type: ignore[call-overload]
    assert isinstance(text, str)
    return text


# --- what each audience gets --------------------------------------------------------------------


def test_the_view_decides_the_sections(reference: Trip) -> None:
    traveller = View(reference, Audience.TRAVELLER)
    customer = View(reference, Audience.CUSTOMER)
    assert traveller.sees_overview and traveller.sees_destination_page
    assert not traveller.hosts_the_visit and customer.hosts_the_visit
    assert not customer.sees_overview and not customer.sees_destination_page
    assert build_sheet(reference).sections == ("overview", "days", "people", "destinations")
    assert build_sheet(reference, audience="team").sections[0] == "overview"
    assert build_sheet(reference, audience="customer").sections == ("people", "days")


def test_the_trip_at_a_glance_lists_every_item(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["es"])
    titles = [row.title for row in sheet.overview]
    # Eleven items and the hotel's check-out, in time order; each day named on its first row.
    assert len(titles) == len(reference.items) + 1
    assert titles[0] == "AA 1320 BOS→MIA" and titles[-1] == "AA 2281 MIA→BOS"
    days = [row.day for row in sheet.overview if row.day]
    assert days == [
        "dom, 7 mar",
        "lun, 8 mar",
        "mar, 9 mar",
        "mié, 10 mar",
        "vie, 12 mar",
        "sáb, 13 mar",
    ]
    [pickup] = [row for row in sheet.overview if row.title == "Airport pickup"]
    assert (pickup.time, pickup.home, pickup.where) == (
        "10:15–11:15",
        "8:15",
        "SCL → Hotel Andino Las Condes",
    )
    assert str(sheet.labels["home_time"]) == "Hora de Nueva York"
    team = build_sheet(reference, languages=["es"], audience="team")
    assert {row.home for row in team.overview} == {None}  # home time is the traveller's


def test_customer_sheet_is_the_agenda_of_our_visit(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["en"], audience="customer")
    assert (str(sheet.kicker), sheet.title) == ("Visit agenda", "Visit of Northwind Software")
    cover = {str(line.label): line.text for line in sheet.cover}
    assert cover["Visitors"] == "Dana Whitfield, Tomás Reyes, Sofía Muñoz Pérez"
    assert "Cordillera Seguros, Torre Norte" in cover["Where"]
    assert [(g.organization, str(g.side)) for g in sheet.people] == [
        ("Northwind Software", "Visitors"),
        ("Northwind Software Chile", "Visitors"),
        ("Andes Partners Ltda.", "Visitors"),
        ("Cordillera Seguros S.A.", "Your participants"),
    ]
    assert sheet.overview == [] and sheet.destinations == []
    text = rendered(sheet, "txt")
    for absent in ("Hosts", "Plugs", "Tipping", "To call home", "Sunrise", "Hotel", "QWX7PL"):
        assert absent not in text, absent
    assert "11:15 Beyond commodity email: a vision for the organization (Dana Whitfield)" in text
    assert text.count(ONLINE) == 1  # the online link, once


def test_traveller_and_team_see_the_customer_first(reference: Trip) -> None:
    for audience in ("traveller", "team"):
        groups = build_sheet(reference, audience=audience).people
        assert [(g.organization, str(g.side)) for g in groups][:2] == [
            ("Cordillera Seguros S.A.", "Customer"),
            ("Northwind Software", "Our team"),
        ]


def test_who_is_who_says_what_each_person_attends(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["en"])
    cards = {card.name: card for card in sheet.contacts}
    rodrigo = cards["Rodrigo Ibáñez Valdés"]
    assert rodrigo.title == "Gerente General" and rodrigo.language == "Spanish"
    assert rodrigo.attends == ["Wed, Mar 10 · The future of collaboration and productivity"]
    customer = build_sheet(reference, languages=["en"], audience="customer")
    [sofia] = [c for c in customer.contacts if c.name == "Sofía Muñoz Pérez"]
    assert all("Partner preparation" not in a and "Dinner" not in a for a in sofia.attends)


# --- print details ------------------------------------------------------------------------------


def test_notes_are_labelled_by_kind_where_the_reader_sees_several(reference: Trip) -> None:
    def notes(audience: str) -> list[tuple[str | None, str]]:
        sheet = build_sheet(reference, languages=["en"], audience=audience)
        [ceo] = [e for d in sheet.days for e in d.entries if e.title.startswith("The future")]
        return [(str(n.label) if n.label else None, n.text[:10]) for n in ceo.notes]

    assert notes("traveller") == [
        ("Public", "An executi"),
        ("Team", "Goal: agre"),
        ("Private", "Thank Sofí"),
    ]
    assert notes("team") == [("Public", "An executi"), ("Team", "Goal: agre")]
    assert notes("customer") == [(None, "An executi")]


def test_flights_show_terminals_and_cabin() -> None:
    trip = load_trip(EXAMPLES / "european-roadshow.yaml")
    sheet = build_sheet(trip, languages=["en"])
    [outbound] = [e for d in sheet.days for e in d.entries if e.title.startswith("LH 423")]
    lines = {str(line.label): line.text for line in outbound.lines}
    assert lines["Departs"].endswith("(BOS) · Terminal E")
    assert lines["Arrives"].endswith("(FRA) · Terminal 1")
    assert lines["Cabin"] == "business" and lines["Seat"] == "7A"
    german = build_sheet(trip, languages=["de"])
    [outbound] = [e for d in german.days for e in d.entries if e.title.startswith("LH 423")]
    assert {str(line.label): line.text for line in outbound.lines}["Klasse"] == "Business"


def test_trains_show_their_seat_and_a_venue_its_phone() -> None:
    trip = load_trip(EXAMPLES / "european-roadshow.yaml")
    sheet = build_sheet(trip, languages=["en"])
    [train] = [e for d in sheet.days for e in d.entries if e.title == "ICE to Paris"]
    assert {str(line.label): line.text for line in train.lines}["Seat"] == "Wagen 11, Platz 61"
    places = {**BASE["places"]}
    places["office"] = {**places["office"], "phone": "+56 2 2345 6789"}
    sheet = build_sheet(build_trip(places=places), languages=["en"])
    [meeting] = [e for d in sheet.days for e in d.entries if e.title == "CEO meeting"]
    assert ("Phone", "+56 2 2345 6789") in [(str(x.label), x.text) for x in meeting.lines]


def test_links_print_once_with_a_short_label(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["en"])
    [ceo] = [e for d in sheet.days for e in d.entries if e.title.startswith("The future")]
    assert [(str(link.label), link.text) for link in ceo.links] == [
        ("Map", "OpenStreetMap"),
        ("Online meeting", "meet.northwind.example"),
    ]
    assert all(ONLINE not in line.text for line in ceo.lines)  # not also as a line
    html = rendered(sheet, "html")
    assert html.count(ONLINE) == 1 and html.count("<svg") == 3  # two maps, one meeting
    assert "-33.4150, -70.6010" not in html  # no raw coordinates
    for fmt in ("md", "txt"):
        assert rendered(sheet, fmt).count(ONLINE) == 1, fmt


def test_a_qr_code_is_only_paths(reference: Trip) -> None:
    """Nothing of a link's text reaches the page inside a QR code: it is paths only; the link
    itself is an escaped attribute."""
    evil = "https://evil.example/?q=%22%3E%3Cscript%3E&next=x"
    trip = reference.replace_item(6, online=evil)
    html = rendered(build_sheet(trip), "html")
    svg = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svg) == 3 and all("evil" not in s and "%3E" not in s for s in svg)
    assert 'href="https://evil.example/?q=%22%3E%3Cscript%3E&amp;next=x"' in html


def test_one_spelling_of_each_city_and_no_zone_in_a_day_heading() -> None:
    places = {
        **BASE["places"],
        "office_sp": {
            "name": "Escritório Paulista",
            "city": "São Paulo",
            "country": "BR",
            "timezone": "America/Sao_Paulo",
        },
    }
    items: list[dict[str, Any]] = [
        {
            "type": "meeting",
            "title": "Online review",
            "timezone": "Europe/Berlin",
            "start": "2027-03-26 10:00",
            "end": "2027-03-26 11:00",
            "online": "https://meet.example.com/review",
        },
        {
            "type": "flight",
            "carrier": "LA",
            "number": "8084",
            "from": "SCL",
            "to": "GRU",  # the airport's data spells it "Sao Paulo"
            "depart": "2027-03-27 08:00",
            "arrive": "2027-03-27 12:50",
        },
        {
            "type": "meeting",
            "title": "Visit",
            "place": "office_sp",
            "start": "2027-03-29 10:00",
            "end": "2027-03-29 11:00",
        },
    ]
    sheet = build_sheet(build_trip(places=places, items=items), languages=["en"])
    assert [day.places for day in sheet.days] == ["", "Santiago · São Paulo", "São Paulo"]
    for fmt in ("html", "md", "txt"):
        text = rendered(sheet, fmt)
        assert "Sao Paulo" not in text and "Europe/Berlin" not in text, fmt


def test_a_day_names_its_public_holidays() -> None:
    items = [{**BASE["items"][3], "start": "2027-09-17 11:00", "end": "2027-09-17 12:30"}]
    sheet = build_sheet(build_trip(items=items), languages=["es"])
    assert sheet.days[0].holidays == ["Fiestas Patrias (Chile)"]  # the holidays package's Spanish
    english = build_sheet(build_trip(items=items), languages=["en"])
    assert english.days[0].holidays == ["National Holiday (Chile)"]


def test_sunrise_and_sunset_only_for_the_days_at_the_destination(reference: Trip) -> None:
    [chile] = build_sheet(reference, languages=["en"]).destinations
    [sun] = [lines for title, lines in chile.sections if str(title) == "Sunrise and sunset"]
    days = [line.text.split(":")[0] for line in sun]
    # Landed on Monday the 8th, left on Friday the 12th: not Sunday or Saturday, spent travelling.
    assert days == [f"Santiago · {d}" for d in ("Mon, Mar 8", "Tue, Mar 9", "Wed, Mar 10")] + [
        "Santiago · Thu, Mar 11",
        "Santiago · Fri, Mar 12",
    ]


def test_tipping_in_the_sheets_language(reference: Trip) -> None:
    for language, start in (
        ("es", "La cuenta sugiere por ley"),
        ("pt_BR", "Por lei, a conta sugere"),
        ("de", "Die Rechnung schlägt"),
        ("fr", "L’addition suggère"),
        ("en", "Bills suggest"),
    ):
        [chile] = build_sheet(reference, languages=[language]).destinations
        practical = [line for _, lines in chile.sections for line in lines]
        [tipping] = [line.text for line in practical if line.text.startswith(start)]
        assert "%" in tipping and "%%" not in tipping


# --- languages ----------------------------------------------------------------------------------


def test_html_lang_is_the_language_of_the_labels(reference: Trip) -> None:
    for languages, lang in (
        (["pt_BR"], "pt-BR"),
        (["de"], "de"),
        (["fr_CA"], "fr-CA"),
        (["it"], "en"),
        (["nl", "es"], "en"),
    ):
        sheet = build_sheet(reference, languages=languages)
        assert f'<html lang="{lang}">' in rendered(sheet, "html"), languages
        assert bool(sheet.warnings) == (lang == "en" and languages != ["en"]), languages


def test_bilingual_for_any_two_of_the_five(reference: Trip) -> None:
    both = build_sheet(reference, languages=["pt_BR", "en"])
    alone = build_sheet(reference, languages=["pt_BR"])
    assert rendered(both, "txt") != rendered(alone, "txt")
    assert "Partida / Departs: " in rendered(both, "txt")
    de_fr = rendered(build_sheet(reference, languages=["de", "fr"]), "txt")
    assert "Abflug / Départ: " in de_fr and "WER IST WER / QUI EST QUI" in de_fr
    html = rendered(build_sheet(reference, languages=["fr", "de"]), "html")
    assert '<span lang="fr" class="first">Départ</span>' in html
    assert '<span lang="de" class="other">Abflug</span>' in html


# --- notes on people, through the view ----------------------------------------------------------


def with_person_notes(trip: Trip) -> Trip:
    """The trip with a bio and notes of each kind on every person."""
    data = trip.model_dump(by_alias=True, mode="json", exclude_unset=True)
    for index, person in enumerate(data["people"].values()):
        person["bio"] = f"BIO-{index + 50}"
        person["notes"] = {
            "public": f"PUBLIC-{index + 50}",
            "team": f"TEAM-{index + 50}",
            "private": f"PRIVATE-{index + 50}",
        }
    return Trip.model_validate(data)


def person_markers(text: str, kind: str) -> set[str]:
    return {f"{kind}-{i}" for i in range(50, 60) if f"{kind}-{i}" in text}


def test_notes_on_people_follow_the_rules_of_notes() -> None:
    trip = with_person_notes(planted())
    rodrigo = list(trip.people).index("rodrigo") + 50
    for fmt in ("html", "md", "txt"):
        for languages in (["en"], ["es", "en"]):
            traveller = rendered(build_sheet(trip, languages=languages), fmt)
            assert len(person_markers(traveller, "PRIVATE")) == len(trip.people), fmt
            team = rendered(build_sheet(trip, languages=languages, audience="team"), fmt)
            assert person_markers(team, "PRIVATE") == set()
            assert len(person_markers(team, "TEAM")) == len(trip.people)
            customer = rendered(build_sheet(trip, languages=languages, audience="customer"), fmt)
            assert person_markers(customer, "PRIVATE") == person_markers(customer, "TEAM") == set()
            assert f"PUBLIC-{rodrigo}" in customer and f"BIO-{rodrigo}" in customer
            # Matías attends only the IT day: every person the customer sees, and no one else.
            assert len(person_markers(customer, "BIO")) == len(View(trip, "customer").people())


def test_person_notes_come_through_the_view(reference: Trip) -> None:
    view = View(reference, Audience.TRAVELLER)
    assert all(view.person_notes(key) == [] for key in reference.people)  # the trip has none
    trip = with_person_notes(planted())
    assert [kind for kind, _ in View(trip, "team").person_notes("rodrigo")] == [
        "bio",
        "public",
        "team",
    ]
    assert View(trip, "customer").person_notes("dana") != []  # a visitor the customer meets


def test_a_bio_or_a_note_on_a_person_stays_text() -> None:
    """A multi-line bio and notes full of Markdown keep the sheet's structure, and each stays on
    its own line in plain text."""
    from .test_briefing import HOSTILE_NOTE, _structure

    def trip_with(text: str) -> Trip:
        data = load_trip(REFERENCE).model_dump(by_alias=True, mode="json", exclude_unset=True)
        for person in data["people"].values():
            person["bio"] = text
            person["notes"] = {"public": text, "team": text, "private": text}
        return Trip.model_validate(data)

    benign, hostile = trip_with("Plain words\n\nand more"), trip_with(HOSTILE_NOTE)
    for audience in ("traveller", "customer"):
        md = [rendered(build_sheet(t, audience=audience), "md") for t in (benign, hostile)]
        assert _structure(md[1]) == _structure(md[0]) and "<script>" not in md[1]
        txt = [rendered(build_sheet(t, audience=audience), "txt") for t in (benign, hostile)]
        assert len(txt[1].splitlines()) == len(txt[0].splitlines())
        html = rendered(build_sheet(hostile, audience=audience), "html")
        assert "<script>" not in html and "&lt;script&gt;" in html
