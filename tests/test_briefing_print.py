"""Briefing sheets printed by real engines: headless Chromium and WeasyPrint.

The HTML sheet is a print stylesheet (``@page`` size, the trip at a glance on a page of its own,
then days that flow with ``break-inside: avoid`` on each day and each item, who's who and the
destination pages). These tests print it the way a person does — Chromium's "Save as PDF" — and
read the PDF back: the paper is the one asked for, the reference trip takes at most five pages
in every shipped language on A4 and Letter, the first page is the whole trip at a glance, a day
that fits on a page is never split, nothing is wider than the page's content box, and the QR
codes on the page decode (zxing-cpp) to the links they stand for. The first page of each PDF is
kept as a PNG in ``build/test-artifacts/`` for a person to look at.

Chromium (Debian ``chromium``), Poppler (``poppler-utils``), pypdf, zxing-cpp, Pillow and
WeasyPrint must be installed (``tools/install-test-deps``, the ``test`` extra); a missing one fails
the test with the package to install. Nothing here touches the network: pages are files in the
test's temporary folder.
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
from datetime import date, timedelta
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
    page_pngs,
    page_texts,
    pdf_pages,
    print_to_pdf,
    qr_codes,
)
from .support import BASE, EXAMPLES, build_trip

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"
MAX_PAGES = 5  # overview, days, who's who, destination: the reference trip, any language

# PDF page sizes in points (1/72 in): ISO 216 A4 is 210 by 297 mm, US Letter 8.5 by 11 in.
POINTS: dict[str, tuple[float, float]] = {
    "a4": (210 / 25.4 * 72, 297 / 25.4 * 72),
    "letter": (8.5 * 72, 11 * 72),
}
PNG_DPI = 80
QR_DPI = 200  # a module of a 21 mm QR code is 4-5 pixels: plenty for a decoder

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


def week_long() -> Trip:
    """A week-long visit of 20 items: flights out and back, a transfer, a hotel, three meetings
    a day for five days, each with a short agenda, and an afternoon out."""
    items: list[dict[str, Any]] = [
        {**BASE["items"][0], "depart": "2027-03-07 22:40", "arrive": "2027-03-08 09:05"},
        {**BASE["items"][1]},
        {**BASE["items"][2], "check_in": "2027-03-08 11:30", "check_out": "2027-03-13 12:00"},
    ]
    kinds = ["it_staff_day", "executive_meeting", "meal"]
    for n in range(15):
        day = date(2027, 3, 8) + timedelta(days=1 + n // 3)
        hour = (9, 13, 19)[n % 3]
        items.append(
            {
                "type": "meeting",
                "kind": kinds[n % 3],
                "title": f"Working session {n + 1} with the regional team",
                "place": "office" if n % 3 != 2 else "hotel",
                "start": f"{day} {hour:02d}:00",
                "end": f"{day} {hour + 2:02d}:00",
                "attendees": ["dana", "rodrigo"],
                "agenda": [{"at": f"{hour:02d}:00", "title": "Welcome"}],
            }
        )
    items.append(
        {
            "type": "activity",
            "title": "Winery visit in the Casablanca Valley",
            "place": "winery",
            "start": "2027-03-13 15:00",
            "end": "2027-03-13 18:00",
        }
    )
    items.append({**BASE["items"][4], "depart": "2027-03-13 22:55", "arrive": "2027-03-14 05:35"})
    return build_trip(items=items)


@pytest.fixture(scope="module")
def reference_trip() -> Trip:
    return load_trip(REFERENCE)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("print")


LANGUAGES = [("en",), ("es",), ("pt_BR",), ("de",), ("fr",), ("es", "en")]


@pytest.fixture(
    scope="module",
    params=[(paper, languages) for languages in LANGUAGES for paper in ("a4", "letter")],
    ids=lambda param: f"{param[0]}-{'-'.join(param[1])}",
)
def reference(request: pytest.FixtureRequest, reference_trip: Trip, folder: Path) -> Printed:
    """The reference trip's traveller sheet, printed by Chromium."""
    paper, languages = request.param
    sheet = build_sheet(reference_trip, languages=languages, audience="traveller", paper=paper)
    return _print(sheet, f"{paper}-{'-'.join(languages)}", folder)


@pytest.fixture(scope="module", params=["a4", "letter"])
def customer(request: pytest.FixtureRequest, reference_trip: Trip, folder: Path) -> Printed:
    """The reference trip's customer sheet (the visit agenda), in Spanish, printed by Chromium."""
    sheet = build_sheet(reference_trip, languages=["es"], audience="customer", paper=request.param)
    return _print(sheet, f"{request.param}-customer-es", folder)


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
    """The start of each page's text, to see which part went where."""
    return "\n".join(f"  page {n}: {squeeze(t)[:90]}" for n, t in enumerate(page_texts(pdf), 1))


def assert_overview_first(pdf: Path, sheet: Sheet) -> None:
    """The first page is the title and the whole trip at a glance, every row of it; the days
    start at the top of the second page."""
    texts = [compact(text) for text in page_texts(pdf)]
    first = texts[0]
    assert compact(sheet.title) in first and compact(str(sheet.labels["overview"])) in first
    missing = [row.title for row in sheet.overview if compact(row.title) not in first]
    assert not missing, f"{pdf.name}: rows not on the first page: {missing}\n" + page_summary(pdf)
    assert len(texts) > 1 and texts[1].startswith(compact(sheet.days[0].heading)), (
        f"{pdf.name}: the days do not start on page 2:\n" + page_summary(pdf)
    )


def day_pages(pdf: Path, sheet: Sheet) -> list[tuple[int, int]]:
    """For each day of the sheet, the pages (from 0) its heading and its last line are on."""
    texts = [compact(text) for text in page_texts(pdf)]
    joined = "".join(texts)
    ends = [sum(len(t) for t in texts[: n + 1]) for n in range(len(texts))]

    def page(offset: int) -> int:
        return next(n for n, end in enumerate(ends) if offset < end)

    headings = [compact(day.heading) for day in sheet.days]
    after = compact(str(sheet.labels["people"]))
    starts, cursor = [], 0
    for heading in headings:
        cursor = joined.index(heading, cursor)
        starts.append(cursor)
    bounds = [*starts[1:], joined.index(after, starts[-1])]
    return [(page(start), page(end - 1)) for start, end in zip(starts, bounds, strict=True)]


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


def printed_links(pdf: Path, folder: Path) -> list[str]:
    """The links of every QR code on every page of ``pdf``, page after page."""
    return [link for png in page_pngs(pdf, folder / pdf.stem, QR_DPI) for link in qr_codes(png)]


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


# --- Chromium: the reference trip ---------------------------------------------------------------


def test_reference_prints_on_the_paper_asked_for(reference: Printed) -> None:
    assert_paper(reference.pdf, reference.paper)


def test_reference_prints_on_at_most_five_pages(reference: Printed) -> None:
    pages = len(pdf_pages(reference.pdf))
    assert pages <= MAX_PAGES, f"{reference.name}: {pages} pages\n" + page_summary(reference.pdf)


def test_reference_starts_with_the_trip_at_a_glance(reference: Printed) -> None:
    assert_overview_first(reference.pdf, reference.sheet)


def test_reference_days_flow_and_stay_together(reference: Printed) -> None:
    """No page per day: days share pages; and a day that fits on a page is never split."""
    spans = day_pages(reference.pdf, reference.sheet)
    assert all(first == last for first, last in spans), (
        f"{reference.name}: a day was split across pages {spans}:\n" + page_summary(reference.pdf)
    )
    assert len({first for first, _ in spans}) < len(spans), "every day on a page of its own"


def test_reference_fits_the_page_width(reference: Printed, browser: Browser) -> None:
    assert_laid_out_in_the_content_box(reference, browser)


def test_reference_first_page_is_kept_as_png(reference: Printed) -> None:
    keep_first_page(reference.pdf, reference.name, reference.paper)


def test_qr_codes_decode_to_the_links(reference_trip: Trip, folder: Path) -> None:
    """The map and the online meeting print as QR codes, read back from the printed page."""
    sheet = build_sheet(reference_trip, languages=["en"], paper="a4")
    printed = _print(sheet, "a4-en-qr", folder)
    links = printed_links(printed.pdf, folder)
    venue = "https://www.openstreetmap.org/?mlat=-33.415&mlon=-70.601#map=17/-33.415/-70.601"
    online = "https://meet.northwind.example/j/cordillera-vision"
    # The venue's map on both days at Cordillera, the online meeting once.
    assert sorted(links) == sorted([venue, venue, online])
    html = printed.html.read_text(encoding="utf-8")
    assert html.count(online) == 1  # the link once (the QR code's), never printed as text
    text = compact(" ".join(page_texts(printed.pdf)))
    assert online.removeprefix("https://") not in text and "meet.northwind.example" in text


def test_a_week_long_visit_fits_the_trip_at_a_glance_on_one_page(folder: Path) -> None:
    trip = week_long()
    assert len(trip.items) == 20
    for paper in ("a4", "letter"):
        sheet = build_sheet(trip, languages=["en"], paper=paper)
        assert len(sheet.overview) == 21  # and the hotel's check-out
        printed = _print(sheet, f"{paper}-week", folder)
        assert_overview_first(printed.pdf, sheet)
    keep_first_page(printed.pdf, "letter-week", "letter")


# --- Chromium: the customer's agenda ------------------------------------------------------------


def test_customer_sheet_is_the_visit_agenda(customer: Printed) -> None:
    sheet, pdf = customer.sheet, customer.pdf
    assert_paper(pdf, customer.paper)
    texts = [compact(text) for text in page_texts(pdf)]
    assert len(texts) <= 2, page_summary(pdf)
    assert texts[0].casefold().startswith(compact(f"{sheet.kicker}{sheet.title}").casefold())
    assert sheet.title == "Visita de Northwind Software"
    everything = "".join(texts)
    for absent in ("Enchufes", "Propinas", "marque", "Salidaypuestadelsol", "QWX7PL", "Hotel"):
        assert absent not in everything, absent
    keep_first_page(pdf, customer.name, customer.paper)


def test_customer_qr_codes_decode(customer: Printed, folder: Path) -> None:
    links = printed_links(customer.pdf, folder)
    assert "https://meet.northwind.example/j/cordillera-vision" in links


# --- awkward content ----------------------------------------------------------------------------


def test_awkward_content_fits_the_page_width(awkward: Printed, browser: Browser) -> None:
    assert_paper(awkward.pdf, awkward.paper)
    assert_laid_out_in_the_content_box(awkward, browser)
    keep_first_page(awkward.pdf, awkward.name, awkward.paper)
    text = compact(" ".join(page_texts(awkward.pdf)))
    for name in ("Ελευθερία Παπαδοπούλου-Καραμανλή", "Александр Константинович", WIDER_THAN_A_PAGE):
        assert compact(name) in text  # the fonts have the glyphs: the text survives into the PDF


def test_awkward_content_keeps_its_order(awkward: Printed) -> None:
    # The meeting on March 9 is most of a page of words wrapped over several lines: a day longer
    # than a page breaks inside after all; the order of the parts holds.
    assert_overview_first(awkward.pdf, awkward.sheet)
    text = compact(" ".join(page_texts(awkward.pdf)))
    headings = [day.heading for day in awkward.sheet.days] + [str(awkward.sheet.labels["people"])]
    positions = [text.index(compact(heading)) for heading in headings]
    assert positions == sorted(positions)


# --- WeasyPrint ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "languages"), [("a4", ["en"]), ("letter", ["es", "en"])])
def test_weasyprint_prints_the_same_layout(
    reference_trip: Trip,
    paper: Paper,
    languages: list[str],
    folder: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sheet = build_sheet(reference_trip, languages=languages, paper=paper)
    name = f"{paper}-{'-'.join(languages)}"
    pdf = weasyprint_pdf(sheet, folder, name, caplog)
    assert_paper(pdf, paper)
    assert len(pdf_pages(pdf)) <= MAX_PAGES, page_summary(pdf)
    assert_overview_first(pdf, sheet)
    keep_first_page(pdf, f"{name}-weasyprint", paper)


def test_weasyprint_prints_awkward_content(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A4 only: the paper changes nothing in how WeasyPrint takes these words, and each run takes
    # seconds.
    sheet = build_sheet(build_trip(**AWKWARD), languages=["en"], paper="a4")
    pdf = weasyprint_pdf(sheet, folder, "a4-awkward", caplog)
    assert_paper(pdf, "a4")
    assert_overview_first(pdf, sheet)
    keep_first_page(pdf, "a4-awkward-weasyprint", "a4")


def test_pdf_without_weasyprint_says_what_to_install(
    reference_trip: Trip, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    sheet = build_sheet(reference_trip, languages=["en"], paper="a4")
    with pytest.raises(TripplanError, match=re.escape("pip install 'tripplan[pdf]'")):
        render_sheet(sheet, "pdf")
