"""Briefing sheets printed by real engines: headless Chromium and WeasyPrint.

The HTML sheet is a print stylesheet (``@page`` size, a page break before each day, destination
and the contacts, ``break-inside: avoid`` on items). These tests print it the way a person does —
Chromium's "Save as PDF" — and read the PDF back: the paper is the one asked for, every section
starts a page and fits on it, and nothing is wider than the page's content box. The first page of
each PDF is kept as a PNG in ``build/test-artifacts/`` for a person to look at.

Chromium (Debian ``chromium``), Poppler (``poppler-utils``), pypdf and WeasyPrint must be
installed (``tools/install-test-deps``); a missing one fails the test with the package to install.
Nothing here touches the network: pages are files in the test's temporary folder.
"""

from __future__ import annotations

import importlib
import logging
import math
import re
import struct
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tripplan import Sheet, Trip, TripplanError, build_sheet, load_trip, render_sheet
from tripplan._sheet import Paper

from ._browser import (
    Browser,
    ToolMissing,
    first_page_png,
    open_browser,
    page_box,
    page_texts,
    pdf_pages,
    print_to_pdf,
)
from .support import EXAMPLES, build_trip

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"

# PDF page sizes in points (1/72 in): ISO 216 A4 is 210 by 297 mm, US Letter 8.5 by 11 in.
POINTS: dict[str, tuple[float, float]] = {
    "a4": (210 / 25.4 * 72, 297 / 25.4 * 72),
    "letter": (8.5 * 72, 11 * 72),
}
PNG_DPI = 80

# Awkward content for the overflow test: words and addresses with nowhere to break, Greek and
# Cyrillic names, a long URL.
LONG_WORD = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
GREEK_WORD = "Ηλεκτροεγκεφαλογραφήματα" * 3
CYRILLIC_WORD = "Достопримечательности" * 3
WIDER_THAN_A_PAGE = "Достопримечательности" * 8  # about 1,300 px at the sheet's 10.5 pt
LONG_URL = (
    "https://meet.northwind.example/j/"
    + "strategic-partnership-review-" * 3
    + "?pwd=Zx9QmT4kLw7RbN2vYc8HsD5fGj3PaE6u"
)
AWKWARD: dict[str, Any] = {
    "title": f"Συνάντηση στρατηγικής — Стратегическая встреча {LONG_WORD}",
    "people": {
        "dana": {
            "name": "Dana Whitfield",
            "email": "dana.whitfield.with.a.very.long.mailbox.name@northwind-software-international.example",
            "organization": LONG_WORD,
            "title": f"Vice President {GREEK_WORD}",
            "phone": "+1 617 555 0142",
        },
        "eleni": {
            "name": "Ελευθερία Παπαδοπούλου-Καραμανλή",
            "organization": "Ανδεανή Συμβουλευτική Εταιρεία Ψηφιακού Μετασχηματισμού",
            "title": GREEK_WORD,
            "phone": "+56 9 8765 4321",
        },
        "rodrigo": {
            "name": "Александр Константинович Рождественский-Преображенский",
            "email": "aleksandr.konstantinovich.rozhdestvenskiy@severo-zapadnaya-telekommunikatsionnaya.example",
            "organization": WIDER_THAN_A_PAGE,
            "title": "Заместитель генерального директора по информационным технологиям",
            "phone": "+56 2 2987 6543",
            "side": "customer",
        },
    },
    "places": {
        "hotel": {
            "name": f"Ξενοδοχείο {GREEK_WORD}",
            "address": LONG_WORD + "-" + CYRILLIC_WORD,
            "city": "Σαντιάγο",
            "country": "CL",
            "timezone": "America/Santiago",
            "geo": [-33.4130, -70.5830],
            "phone": "+56 2 2555 0100",
        },
        "office": {
            "name": f"Офис {CYRILLIC_WORD}",
            "address": "Av. Isidora Goyenecoechea 3000, piso 12, Las Condes",
            "city": WIDER_THAN_A_PAGE,
            "country": "CL",
            "timezone": "America/Santiago",
            "geo": [-33.4150, -70.6010],
        },
    },
    "items": [
        {
            "type": "flight",
            "carrier": "LA",
            "number": "501",
            "from": "MIA",
            "to": "SCL",
            "depart": "2027-03-07 22:40",
            "arrive": "2027-03-08 09:05",
            "seat": "34C",
            "confirmation": "QWX7PL" * 8,
        },
        {
            "type": "transfer",
            "from": "SCL",
            "to": "hotel",
            "start": "2027-03-08 10:15",
            "end": "2027-03-08 11:15",
            "provider": CYRILLIC_WORD,
            "notes": {"team": f"{LONG_URL} {GREEK_WORD}"},
        },
        {
            "type": "stay",
            "place": "hotel",
            "check_in": "2027-03-08 11:30",
            "check_out": "2027-03-10 12:00",
            "confirmation": LONG_WORD,
        },
        {
            "type": "meeting",
            "kind": "executive_meeting",
            "title": f"{GREEK_WORD} {CYRILLIC_WORD}",
            "place": "office",
            "start": "2027-03-09 11:00",
            "end": "2027-03-09 12:30",
            "organizer": "eleni",
            "attendees": ["dana", "eleni", "rodrigo"],
            "online": LONG_URL,
            "agenda": [
                {"at": "11:00", "title": LONG_WORD, "by": "rodrigo"},
                {"at": "11:45", "title": f"{GREEK_WORD} / {CYRILLIC_WORD}", "by": "eleni"},
            ],
            "notes": {
                "public": LONG_URL,
                "team": CYRILLIC_WORD,
                "private": f"{GREEK_WORD}{LONG_WORD}",
            },
        },
        {
            "type": "flight",
            "carrier": "LA",
            "number": "500",
            "from": "SCL",
            "to": "MIA",
            "depart": "2027-03-10 22:55",
            "arrive": "2027-03-11 05:35",
        },
    ],
}


@dataclass(frozen=True)
class Printed:
    """One sheet as HTML in a file and as the PDF Chromium printed from it."""

    name: str  # paper and languages: a4-en, letter-es-en, a4-awkward
    paper: Paper
    sheet: Sheet
    html: Path
    pdf: Path


def _print(sheet: Sheet, name: str, folder: Path) -> Printed:
    html = folder / f"{name}.html"
    html.write_text(str(render_sheet(sheet, "html")), encoding="utf-8")
    pdf = print_to_pdf(html, folder / f"{name}.chromium.pdf", folder / f"profile-{name}")
    return Printed(name, sheet.paper, sheet, html, pdf)


@pytest.fixture(scope="module")
def reference_trip() -> Trip:
    return load_trip(REFERENCE)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("print")


@pytest.fixture(
    scope="module",
    params=[
        ("a4", ("en",)),
        ("letter", ("en",)),
        ("a4", ("es", "en")),
        ("letter", ("es", "en")),
    ],
    ids=["a4-en", "letter-en", "a4-es-en", "letter-es-en"],
)
def reference(request: pytest.FixtureRequest, reference_trip: Trip, folder: Path) -> Printed:
    """The reference trip's traveller sheet, printed by Chromium."""
    paper, languages = request.param
    sheet = build_sheet(reference_trip, languages=languages, audience="traveller", paper=paper)
    return _print(sheet, f"{paper}-{'-'.join(languages)}", folder)


@pytest.fixture(scope="module", params=["a4", "letter"])
def awkward(request: pytest.FixtureRequest, folder: Path) -> Printed:
    """A trip full of unbreakable words, Greek and Cyrillic, printed by Chromium."""
    sheet = build_sheet(build_trip(**AWKWARD), languages=["en"], paper=request.param)
    return _print(sheet, f"{request.param}-awkward", folder)


@pytest.fixture(scope="module")
def browser(folder: Path) -> Iterator[Browser]:
    """One Chromium for every layout check of the module."""
    with open_browser(folder / "profile-layout") as browser:
        yield browser


# --- helpers ------------------------------------------------------------------------------------


def assert_paper(pdf: Path, paper: str) -> list[tuple[float, float]]:
    pages = pdf_pages(pdf)
    width, height = POINTS[paper]
    wrong = [
        (n, w, h)
        for n, (w, h) in enumerate(pages, 1)
        if not (math.isclose(w, width, abs_tol=1) and math.isclose(h, height, abs_tol=1))
    ]
    assert not wrong, (
        f"{pdf.name}: pages (number, width, height) not {paper} {width:.0f}×{height:.0f} pt: {wrong}"
    )
    return pages


def squeeze(text: str) -> str:
    """Text as shown in messages: ligatures (ﬁ) and compatibility forms unfolded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def compact(text: str) -> str:
    """Text as compared here: without any spaces, since a word broken across lines (overflow-wrap)
    comes out of the PDF with a space where the line ended."""
    return "".join(squeeze(text).split())


def page_summary(pdf: Path) -> str:
    """The start of each page's text, to see which section spilled onto a page of its own."""
    return "\n".join(f"  page {n}: {squeeze(t)[:90]}" for n, t in enumerate(page_texts(pdf), 1))


def section_headings(sheet: Sheet) -> list[str]:
    """The heading each page-starting section of the sheet begins with, after the cover."""
    destination = str(sheet.labels["destination"])
    return [
        *(day.heading for day in sheet.days),
        *(f"{destination}: {d.heading}" for d in sheet.destinations),
        *([str(sheet.labels["contacts"])] if sheet.contacts else []),
    ]


def section_starts(pdf: Path, sheet: Sheet) -> list[int]:
    """The page (from 0) each section starts on: the cover on the first, every other section at
    the top of a later page than the one before it."""
    texts = [compact(text) for text in page_texts(pdf)]
    assert compact(sheet.title) in texts[0], f"{pdf.name}: the first page is not the cover"
    starts = [0]
    for heading in section_headings(sheet):
        top = [
            n
            for n, text in enumerate(texts)
            if n > starts[-1] and text.startswith(compact(heading))
        ]
        assert top, (
            f"{pdf.name}: no page after page {starts[-1] + 1} starts with {heading!r}:\n"
            + page_summary(pdf)
        )
        starts.append(top[0])
    return starts


def assert_one_page_per_section(pdf: Path, sheet: Sheet) -> None:
    """Every section starts a page and fits on it: cover, days, destinations, contacts."""
    expected = 1 + len(section_headings(sheet))
    pages = len(pdf_pages(pdf))
    assert pages == expected and section_starts(pdf, sheet) == list(range(expected)), (
        f"{pdf.name}: {pages} pages for {expected} sections (cover, {len(sheet.days)} days, "
        f"{len(sheet.destinations)} destinations, contacts); a section did not fit on its page:\n"
        + page_summary(pdf)
    )


def assert_laid_out_in_the_content_box(printed: Printed, browser: Browser) -> None:
    box = page_box(printed.html.read_text(encoding="utf-8"))
    assert box.size == {"a4": "a4", "letter": "letter"}[printed.paper]
    width = math.floor(box.content_width)  # a fraction narrower than the page: stricter, not looser
    layout = browser.layout(printed.html.as_uri(), width, round(box.content_height))
    assert layout.width == width, f"the page was laid out {layout.width} px wide, not {width} px"
    assert not layout.problems, (
        f"{printed.html.name} at {width} px (the {printed.paper} content box):\n  "
        + "\n  ".join(layout.problems)
    )


def png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{png} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def keep_first_page(pdf: Path, name: str, paper: str) -> Path:
    png = first_page_png(pdf, ARTIFACTS / f"briefing-{name}.png", PNG_DPI)
    assert png.is_file(), f"pdftoppm wrote no {png}"
    # A blank page compresses to a couple of kilobytes; a page of text is tens of them.
    assert png.stat().st_size > 10_000, f"{png} looks empty ({png.stat().st_size} bytes)"
    width, height = (round(points / 72 * PNG_DPI) for points in POINTS[paper])
    actual = png_size(png)
    assert abs(actual[0] - width) <= 1 and abs(actual[1] - height) <= 1, (
        f"{png} is {actual}, not a {paper} page at {PNG_DPI} dpi ({width}, {height})"
    )
    return png


def weasyprint_pdf(sheet: Sheet, folder: Path, name: str, caplog: pytest.LogCaptureFixture) -> Path:
    """``render_sheet(sheet, "pdf")`` in a file; WeasyPrint must not have warned about anything
    (a CSS declaration it ignores, a character no installed font has a glyph for)."""
    try:
        importlib.import_module("weasyprint")
    except ImportError as error:
        raise ToolMissing(
            f"WeasyPrint is not importable ({error}): pip install weasyprint, and its libraries: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from None
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_sheet(sheet, "pdf")
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not warnings, (
        f"WeasyPrint warned while printing {name} (a .notdef glyph is an empty box on paper: "
        "apt-get install fonts-dejavu-core fonts-noto-color-emoji):\n  " + "\n  ".join(warnings)
    )
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    path = folder / f"{name}.weasyprint.pdf"
    path.write_bytes(pdf)
    return path


# --- Chromium -----------------------------------------------------------------------------------


def test_reference_prints_on_the_paper_asked_for(reference: Printed) -> None:
    assert_paper(reference.pdf, reference.paper)


def test_reference_has_one_page_per_section(reference: Printed) -> None:
    assert_one_page_per_section(reference.pdf, reference.sheet)


def test_reference_fits_the_page_width(reference: Printed, browser: Browser) -> None:
    assert_laid_out_in_the_content_box(reference, browser)


def test_reference_first_page_is_kept_as_png(reference: Printed) -> None:
    keep_first_page(reference.pdf, reference.name, reference.paper)


def test_awkward_content_fits_the_page_width(awkward: Printed, browser: Browser) -> None:
    assert_paper(awkward.pdf, awkward.paper)
    assert_laid_out_in_the_content_box(awkward, browser)
    keep_first_page(awkward.pdf, awkward.name, awkward.paper)
    text = compact(" ".join(page_texts(awkward.pdf)))
    for name in ("Ελευθερία Παπαδοπούλου-Καραμανλή", "Александр Константинович", WIDER_THAN_A_PAGE):
        assert compact(name) in text  # the fonts have the glyphs: the text survives into the PDF


def test_awkward_content_starts_each_section_on_a_page(awkward: Printed) -> None:
    # Not one page each: the meeting on March 9 is most of a page of words wrapped over several
    # lines, so it does not fit under its day's heading (break-inside: avoid moves it whole to
    # the next page), and on Letter it is taller than a page and breaks inside after all.
    section_starts(awkward.pdf, awkward.sheet)


# --- WeasyPrint ---------------------------------------------------------------------------------


def test_weasyprint_prints_the_same_pages(
    reference: Printed, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pdf = weasyprint_pdf(reference.sheet, folder, reference.name, caplog)
    assert_paper(pdf, reference.paper)
    assert_one_page_per_section(pdf, reference.sheet)
    assert len(pdf_pages(pdf)) == len(pdf_pages(reference.pdf))
    keep_first_page(pdf, f"{reference.name}-weasyprint", reference.paper)


def test_weasyprint_prints_awkward_content(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A4 only: the paper changes nothing in how WeasyPrint takes these words, and each run takes
    # seconds. The page count may differ from Chromium's: the engines wrap unbreakable words at
    # slightly different places, and these pages are full enough for that to move a break.
    sheet = build_sheet(build_trip(**AWKWARD), languages=["en"], paper="a4")
    pdf = weasyprint_pdf(sheet, folder, "a4-awkward", caplog)
    assert_paper(pdf, "a4")
    section_starts(pdf, sheet)
    keep_first_page(pdf, "a4-awkward-weasyprint", "a4")


def test_pdf_without_weasyprint_says_what_to_install(
    reference_trip: Trip, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    sheet = build_sheet(reference_trip, languages=["en"], paper="a4")
    with pytest.raises(TripplanError, match=re.escape("pip install 'tripplan[pdf]'")):
        render_sheet(sheet, "pdf")
