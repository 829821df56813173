"""Boarding passes through KDE's extractor: a picture of the pass, or a vendor's mail without
markup that carries it, completes the flight the trip already has.

A pass's barcode (IATA BCBP) names the flight, its day, the seat and the booking, but no times:
it updates the matching flight (a seat changed at check-in) and never adds one. The passes are
made here, as a check-in kiosk prints them, with zxing-cpp (the test dependency that also reads
the sheets' QR codes); kitinerary-extractor (installed by tools/install-test-deps) reads them.
"""

from __future__ import annotations

import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
import zxingcpp
from PIL import Image

from tripplan import Flight, load_trip, resolve
from tripplan._cli import main
from tripplan._import_sources import INSTALL_EXTRACTOR, extractor

from .support import DATA

SAMPLES = DATA / "import"
FLIGHT = "flight-aa1904-20270510"


def bcbp(*, flight: str = "1904", julian: str = "130", seat: str = "015C") -> str:
    """An IATA Bar Coded Boarding Pass, mandatory items of one leg: Dana on AA 1904 BOS→MIA,
    booking BQX4TR, day 130 of the year (10 May), economy."""
    return f"M1{'WHITFIELD/DANA':<20}EBQX4TR BOSMIAAA {flight:<5}{julian}Y{seat}0042 100"


def pass_picture(folder: Path, text: str, name: str = "boarding-pass.png") -> Path:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Aztec)
    image = zxingcpp.write_barcode_to_image(barcode, scale=4)
    height, width = image.shape[:2]
    path = folder / name
    pixels = memoryview(cast(Any, image)).tobytes()  # zxing-cpp's Image is a buffer, untyped
    Image.frombytes("L", (width, height), pixels).save(path)
    return path


def pass_mail(folder: Path, picture: Path) -> Path:
    """The airline's mail: plain text and the pass attached, no schema.org markup at all."""
    message = EmailMessage()
    message["From"] = "Check-in <checkin@airline.example>"
    message["To"] = "dana.whitfield@northwind.example"
    message["Subject"] = "Your boarding pass"
    message.set_content("Your boarding pass for today's flight is attached.")
    message.add_attachment(
        picture.read_bytes(), maintype="image", subtype="png", filename=picture.name
    )
    path = folder / "boarding-pass.eml"
    path.write_bytes(bytes(message))
    return path


@pytest.fixture
def trip_file(tmp_path: Path) -> Path:
    """The sample trip with its flights imported from the airline's confirmation."""
    if extractor() is None:
        pytest.fail(f"kitinerary-extractor is not installed: {INSTALL_EXTRACTOR}")
    target = tmp_path / "trip.yaml"
    shutil.copy(SAMPLES / "trip.yaml", target)
    assert main(["import", str(SAMPLES / "flight-offsets.eml"), "--into", str(target)]) == 0
    return target


def seat_and_times(trip_file: Path) -> tuple[str | None, str, str]:
    trip = load_trip(trip_file)
    flight = trip.item(FLIGHT)
    assert isinstance(flight, Flight)
    entry = resolve(trip)[FLIGHT]
    return flight.seat, entry.start.isoformat(), entry.end.isoformat()


@pytest.mark.parametrize("carrier", ["picture", "mail"])
def test_a_boarding_pass_updates_the_seat_of_the_flight(
    carrier: str, trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seat, depart, arrive = seat_and_times(trip_file)
    assert seat == "14A"
    source = pass_picture(tmp_path, bcbp())
    if carrier == "mail":
        source = pass_mail(tmp_path, source)
    capsys.readouterr()
    assert main(["import", str(source), "--into", str(trip_file)]) == 0
    out = capsys.readouterr().out
    assert f"updated {FLIGHT}" in out and "seat: 14A → 15C" in out
    assert seat_and_times(trip_file) == ("15C", depart, arrive)  # the times are the booking's
    before = trip_file.read_bytes()
    assert main(["import", str(source), "--into", str(trip_file)]) == 0
    assert trip_file.read_bytes() == before  # the same pass again changes nothing


def test_a_pass_for_a_flight_the_trip_lacks_adds_nothing(
    trip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = pass_picture(tmp_path, bcbp(flight="2281", julian="131"))
    before = trip_file.read_bytes()
    capsys.readouterr()
    assert main(["import", str(other), "--into", str(trip_file)]) == 0
    out = capsys.readouterr().out
    assert "AA 2281 BOS→MIA on 2027-05-11 matches no flight of the trip" in out
    assert trip_file.read_bytes() == before
