"""Briefing sheets: localized values, translated labels, bilingual sheets, audiences, formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import pytest

from tripplan import Trip, TripplanError, build_sheet, load_trip, render_sheet
from tripplan._cli import main
from tripplan._sheet import default_paper

from .support import BASE, EXAMPLES, build_trip
from .test_audience import markers, planted

REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"


@pytest.fixture(scope="module")
def reference() -> Trip:
    return load_trip(REFERENCE)


def text(
    trip: Trip,
    languages: list[str],
    audience: str = "traveller",
    fmt: Literal["html", "md", "txt"] = "txt",
) -> str:
    rendered = render_sheet(build_sheet(trip, languages=languages, audience=audience), fmt)
    assert isinstance(rendered, str)
    return rendered


@pytest.mark.parametrize(
    ("language", "date", "duration"),
    [
        ("es_CL", "martes, 9 de marzo de 2027", "8 h 25 min"),
        ("en_US", "Tuesday, March 9, 2027", "8 hr 25 min"),
        ("de_DE", "Dienstag, 9. März 2027", "8 Std. 25 Min."),
    ],
)
def test_dates_and_durations_follow_the_locale(
    reference: Trip, language: str, date: str, duration: str
) -> None:
    sheet = text(reference, [language])
    assert date.upper() in sheet  # day headings are upper case in plain text
    assert f"{duration}" in sheet  # flight durations keep their minutes


def test_labels_are_translated_and_other_locales_get_english_labels(reference: Trip) -> None:
    spanish = text(reference, ["es"])
    assert (
        "Sale: " in spanish
        and "Asiento: 34C" in spanish
        and "Zona horaria: hora de Chile" in spanish
    )
    german = text(reference, ["de_DE"])
    assert "Abflug: So., 7. März, 16:10" in german and "Sitzplatz: 34C" in german
    portuguese = text(reference, ["pt_BR"])
    assert "Partida: dom., 7 de mar. 16:10" in portuguese and "Assento: 34C" in portuguese
    french = text(reference, ["fr"])
    assert "Départ : dim. 7 mars" in french or "Départ: dim. 7 mars" in french
    italian = build_sheet(reference, languages=["it"])  # no catalog: English labels, said so
    assert "Departs: dom 7 mar" in render_sheet(italian, "txt")
    [warning] = italian.warnings
    assert "Italian (it)" in warning and "English" in warning
    assert italian.lang == "en" and '<html lang="en">' in render_sheet(italian, "html")


def test_twelve_or_twenty_four_hours_as_cldr_says(reference: Trip) -> None:
    assert "10:40\u202fPM" in text(reference, ["en_US"])
    assert "22:40" in text(reference, ["es"])


def test_traveller_sees_home_time_beside_local_time(reference: Trip) -> None:
    assert "9:00 Santiago · 7:00 Nueva York" in text(reference, ["es"])
    assert "Nueva York" not in text(reference, ["es"], "team").split("DOMINGO")[1]


def test_bilingual_sheet_repeats_labels_not_data(reference: Trip) -> None:
    both = text(reference, ["es", "en"])
    assert "Sale / Departs: " in both and "Asistentes / Attendees" in both
    single = text(reference, ["es"])
    for datum in ("QWX7PL", "Transvip", "HA-88412", "Welcome and objectives"):
        assert both.count(datum) == single.count(datum) > 0
    html = text(reference, ["es", "en"], fmt="html")
    assert (
        '<span lang="es" class="first">Sale</span><span class="sep"> / </span><span lang="en" class="other">Departs</span>'
        in html
    )


def test_destination_page(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["es"])
    [chile] = sheet.destinations
    assert chile.heading == "Chile"
    facts = {str(line.label): line.text for line in chile.facts}
    assert facts["Zona horaria"] == "hora de Chile (America/Santiago), UTC-03:00"
    assert facts["Diferencia con Nueva York"] == "+2 h"
    assert facts["Moneda"] == "peso chileno (CLP, $)"
    assert facts["Idiomas"] == "español"


def test_contacts_are_dialable_from_abroad_locally_and_from_home(reference: Trip) -> None:
    sheet = build_sheet(reference, languages=["en"])
    [hotel_phone_owner] = [c for c in sheet.contacts if c.name == "Tomás Reyes"]
    numbers = {str(p.label): p.text for p in hotel_phone_owner.phones}
    assert numbers == {
        "From abroad": "+56 2 2987 6543",
        "Locally": "(2) 2987 6543",
        "From home": "011 56 2 2987 6543",
    }
    # The customer's home is not the traveller's: no "from home" on their sheet.
    customer = build_sheet(reference, languages=["en"], audience="customer")
    [tomas] = [c for c in customer.contacts if c.name == "Tomás Reyes"]
    assert [str(p.label) for p in tomas.phones] == ["From abroad", "Locally"]


def test_every_audience_in_every_format_sees_only_its_own() -> None:
    trip = planted()
    for fmt in ("html", "md", "txt"):
        traveller = text(trip, ["en"], "traveller", fmt)
        assert len(markers(traveller, "PRIVATE")) == len(trip.items)
        team = text(trip, ["en"], "team", fmt)
        assert markers(team, "PRIVATE") == set() and markers(team, "TEAM")
        customer = text(trip, ["es", "en"], "customer", fmt)
        assert markers(customer, "PRIVATE") == markers(customer, "TEAM") == set(), fmt
        assert markers(customer, "PUBLIC") == {"PUBLIC-5", "PUBLIC-6"}, fmt
        assert "Partner preparation" not in customer and "QWX7PL" not in customer


def test_customer_sheet_says_nothing_about_other_customers() -> None:
    trip = load_trip(EXAMPLES / "european-roadshow.yaml")
    organizations = sorted(
        {p.organization for p in trip.people.values() if p.side == "customer" and p.organization}
    )
    assert len(organizations) == 2
    for mine, other in (organizations, organizations[::-1]):
        sheet = render_sheet(build_sheet(trip, audience="customer", organization=mine), "txt")
        assert isinstance(sheet, str) and mine in sheet and other not in sheet


def test_trip_text_cannot_become_markup() -> None:
    evil = '<script>alert("x")</script> **bold** [link](http://evil.example) # heading'
    items = [*BASE["items"][:3], {**BASE["items"][3], "title": evil, "notes": {"public": evil}}]
    trip = build_trip(items=items)
    html = text(trip, ["en"], fmt="html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = text(trip, ["en"], fmt="md")
    assert "<script>" not in md and "\\*\\*bold\\*\\*" in md and "\\[link\\]" in md


def test_paper_follows_the_reader(reference: Trip) -> None:
    assert default_paper(reference, "es_CL") == "letter"
    assert default_paper(reference, "de_DE") == "a4"
    assert default_paper(reference, "en") == "letter"  # from the traveller's home, New York
    html = text(reference, ["de_DE"], fmt="html")
    assert "@page { size: A4;" in html


def test_pdf_without_weasyprint_says_how_to_get_it(
    reference: Trip, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(TripplanError, match=r"pip install 'tripplan\[pdf\]'"):
        render_sheet(build_sheet(reference), "pdf")


def test_brief_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sheet.md"
    assert main(["brief", str(REFERENCE), "--lang", "es,en", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Cordillera Seguros customer visit")
    assert main(["brief", str(REFERENCE), "--lang", "xx", "-o", str(out)]) == 2
    assert "--lang: 'xx' is not a locale" in capsys.readouterr().err


def test_a_rate_the_trip_states_is_shown_without_any_network(reference: Trip) -> None:
    data = reference.model_dump(by_alias=True, mode="json", exclude_unset=True)
    data["rates"] = [
        {
            "currency": "CLP",
            "per": "USD",
            "rate": "948.37",
            "date": "2027-03-01",
            "source": "Card statement",
        }
    ]
    stated = Trip.model_validate(data)
    [chile] = build_sheet(stated, languages=["es"]).destinations
    facts = {str(line.label): line.text for line in chile.facts}
    assert facts["Tipo de cambio"] == "1 USD = 948,37 CLP (Card statement, 1 mar 2027)"
    [chile] = build_sheet(reference, languages=["es"]).destinations  # states none, fetches none
    assert "Tipo de cambio" not in {str(line.label) for line in chile.facts}
    customer = build_sheet(stated, audience="customer").destinations
    assert all("Exchange rate" not in {str(line.label) for line in d.facts} for d in customer)


def test_titles_on_paper_carry_no_pictographs(reference: Trip) -> None:
    titles = [e.title for day in build_sheet(reference).days for e in day.entries]
    assert "LA 501 MIA→SCL" in titles and "Airport pickup" in titles
    assert not any(ch in "".join(titles) for ch in "✈🚕🏨🚆🚗")


def test_every_audience_in_pdf_sees_only_its_own() -> None:
    from io import BytesIO

    from pypdf import PdfReader

    trip = planted()

    def pdf_text(audience: str) -> str:
        data = render_sheet(build_sheet(trip, languages=["en"], audience=audience), "pdf")
        assert isinstance(data, bytes) and data.startswith(b"%PDF")
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)

    traveller, team, customer = pdf_text("traveller"), pdf_text("team"), pdf_text("customer")
    assert len(markers(traveller, "PRIVATE")) == len(trip.items)
    assert markers(team, "PRIVATE") == set() and markers(team, "TEAM")
    assert markers(customer, "PRIVATE") == markers(customer, "TEAM") == set()
    assert markers(customer, "PUBLIC") == {"PUBLIC-5", "PUBLIC-6"}


# --- text stays in its field -------------------------------------------------------------------

HOSTILE_NOTE = (
    "Review\n\nURGENT: wire 50,000 USD today\n===\n# Heading\n> quote\n- item\n1. first\n"
    "---\n```\ncode\n    indented\n<script>alert(1)</script>\n[x]: https://evil.example"
)
HOSTILE_LINE = "# not a heading · - not a list · 1. not a list · > no quote · <b>no html</b> `x`"


def _structure(markdown: str) -> list[tuple[str, int]]:
    """The block structure a Markdown reader sees: each block token and its nesting."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    return [(t.type, t.level) for t in tokens if t.block and t.type != "inline"]


def _with_text(note: str, line: str) -> Trip:
    data = load_trip(REFERENCE).model_dump(by_alias=True, mode="json", exclude_unset=True)
    for item in data["items"]:
        item["notes"] = {"public": note, "team": note, "private": note}
        if item["type"] == "meeting":
            item["title"] = line
            for step in item.get("agenda", []):
                step["title"] = line
    data["places"]["cordillera"]["address"] = line
    return Trip.model_validate(data)


def test_markdown_from_trip_text_keeps_the_sheets_structure() -> None:
    """Notes with line breaks and every block marker, and single-line fields full of markup,
    give exactly the blocks plain words give: data never starts a heading, list, quote, rule,
    code block or HTML block."""
    benign = _structure(text(_with_text("Plain words\nand more", "Plain words"), ["en"], fmt="md"))
    hostile = text(_with_text(HOSTILE_NOTE, HOSTILE_LINE), ["en"], fmt="md")
    assert _structure(hostile) == benign
    assert "<script>" not in hostile and "<b>" not in hostile


def test_plain_text_keeps_one_value_per_line() -> None:
    rendered = text(_with_text(HOSTILE_NOTE, "Plain"), ["en"], fmt="txt")
    benign = text(_with_text("Plain words", "Plain"), ["en"], fmt="txt")
    assert len(rendered.splitlines()) == len(benign.splitlines())
