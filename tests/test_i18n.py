"""The gettext catalogs: up to date with the code, complete in every shipped language, and no
English label left in a sheet printed in another language."""

from __future__ import annotations

import html.parser
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from tripplan import Trip, build_sheet, load_trip, render_sheet, resolve
from tripplan._countries import countries
from tripplan._i18n import (
    catalog_language,
    catalog_languages,
    country_msgid,
    country_text,
    extract_country_texts,
    label_language,
    translations,
)

from .support import EXAMPLES

LOCALE = Path(__file__).parent.parent / "src" / "tripplan" / "locale"
LANGUAGES = ["en", "es", "pt", "de", "fr"]
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"


def msgids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {str(m.id) for m in read_po(f) if m.id}


def catalog(language: str) -> Any:
    with (LOCALE / language / "LC_MESSAGES" / "tripplan.po").open("rb") as f:
        return read_po(f)


def test_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    root = LOCALE.parent.parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "L",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            "src/tripplan",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    assert msgids(fresh) == msgids(LOCALE / "tripplan.pot"), (
        "run the pybabel extract/update steps in docs/translating.md"
    )


def test_every_shipped_language_is_checked() -> None:
    assert sorted(catalog_languages()) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    messages = catalog(language)
    missing = [m.id for m in messages if m.id and (not m.string or m.fuzzy)]
    assert missing == []
    assert {str(m.id) for m in messages if m.id} == msgids(LOCALE / "tripplan.pot")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    for message in catalog(language):
        if message.id:
            assert placeholders(message.id) == placeholders(message.string), message.id
            # Curated texts double their percent signs (country_msgid): so do translations.
            assert "%" not in str(message.string).replace("%%", ""), (language, message.id)


def placeholders(text: object) -> list[str]:
    return sorted(part.split("}")[0] for part in str(text).split("{")[1:])


def test_negotiation() -> None:
    assert translations("es_CL").gettext("Flight") == "Vuelo"
    assert translations("pt_BR").gettext("Flight") == "Voo"
    assert translations("de_AT").gettext("Flight") == "Flug"
    assert translations("fr_CA").gettext("Flight") == "Vol"
    assert (catalog_language("pt_BR"), catalog_language("it")) == ("pt", None)
    assert translations("it").gettext("Flight") == "Flight"  # no catalog: English labels
    assert (label_language("pt_BR"), label_language("it_IT")) == ("pt-BR", "en")


def test_country_texts_are_in_the_catalogs_by_their_english_text() -> None:
    """Every curated text of data/countries.toml is a msgid (``%`` doubled), and prints in the
    sheet's language."""
    template = msgids(LOCALE / "tripplan.pot")
    texts = {data.tipping for data in countries().values()}
    assert {country_msgid(text) for text in texts} <= template
    chile = countries()["CL"].tipping
    assert country_text(chile, "es_CL").startswith("La cuenta sugiere por ley una propina del 10 %")
    assert country_text(chile, "en") == chile
    assert country_text(chile, "it") == chile  # no catalog: the English text
    toml = (LOCALE.parent / "data" / "countries.toml").read_bytes()
    found = list(extract_country_texts(io.BytesIO(toml), [], [], {}))
    assert len(found) == len(countries()) and all(lineno > 0 for lineno, *_ in found)


# --- no English label in a sheet in another language ------------------------------------------


class _Text(html.parser.HTMLParser):
    """The text of an HTML page (what a reader sees), without tags, attributes, style or SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "svg")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "svg")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _data(trip: Trip) -> list[str]:
    """Every text the trip itself brings: names, titles, places, notes, airports."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(trip.model_dump(mode="json"))
    for entry in resolve(trip):
        for where in (entry.origin, entry.destination):
            found += [where.name, where.city or ""]
    return sorted((t for t in found if len(t) > 2), key=len, reverse=True)


def _english_left(text: str, language: str, trip: Trip) -> list[str]:
    """The English labels found in ``text``: every msgid the language's catalog translates to
    something else, looked for as whole words in the text with the trip's own data removed."""
    text = re.sub(r"https?://\S+", " ", text)  # links are data too
    for datum in _data(trip):
        text = re.sub(re.escape(datum), " ", text, flags=re.IGNORECASE)  # headings in capitals
    gettext = translations(language).gettext
    found = []
    for message in catalog("en"):
        english = str(message.id)
        if not english or gettext(english).casefold() == english.casefold():
            continue
        words = re.escape(english.replace("%%", "%"))
        pattern = re.sub(r"\\\{\w+\\\}", r".+?", words)  # a placeholder stands for anything
        if re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE):
            found.append(english)
    return found


@pytest.mark.parametrize("language", ["pt_BR", "de", "fr", "es"])
@pytest.mark.parametrize("audience", ["traveller", "customer"])
def test_no_english_label_in_a_sheet_in_another_language(language: str, audience: str) -> None:
    trip = load_trip(REFERENCE)
    sheet = build_sheet(trip, languages=[language], audience=audience)
    assert sheet.warnings == ()
    page = _Text()
    page.feed(render_sheet(sheet, "html"))
    for fmt, text in (("html", " ".join(page.parts)), ("txt", render_sheet(sheet, "txt"))):
        assert _english_left(text, language, trip) == [], (language, audience, fmt)


def test_the_check_finds_english_labels() -> None:
    """The test above would see a label left in English: an Italian sheet (no catalog) is
    full of them."""
    trip = load_trip(REFERENCE)
    sheet = build_sheet(trip, languages=["it"])
    found = _english_left(render_sheet(sheet, "txt"), "pt_BR", trip)
    assert {"Departs", "Who's who", "The trip at a glance", "Tipping"} <= set(found)
    tipping = country_msgid(countries()["CL"].tipping)
    assert tipping in found
