"""A cold command pays for what it runs: deferred modules, compiled templates, zone boundary and
city lookups kept in the cache folder, one country's GeoNames rows. Each must give what doing the
work in full gives (docs/performance.md, "Cold `tripplan build`")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tripplan import (
    _commands,
    _gazetteer,
    _render,
    _whereabouts,
    build_sheet,
    check,
    load_trip,
    render_sheet,
)
from tripplan._later import later

from .support import BASE, EXAMPLES, LIMA_IN_SANTIAGOS_ZONE, build_trip

LATE = (
    "smtplib",
    "tripplan._mail",
    "tripplan._mail_delivery",
    "tripplan._caldav",
    "tripplan._mcp",
    "tripplan._booking_commands",
)


def test_build_does_not_import_mail_caldav_or_the_other_subcommands(tmp_path: Path) -> None:
    trip = EXAMPLES / "santiago-customer-visit.yaml"
    code = (
        "import sys; from tripplan._cli import main; "
        f"code = main(['build', {str(trip)!r}, '--out', {str(tmp_path / 'out')!r}]); "
        f"print(code, [m for m in {LATE!r} if m in sys.modules])"
    )
    env = {**os.environ, "TRIPPLAN_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines()[-1] == "0 []"


def test_a_deferred_function_is_the_module_s_own_once_called() -> None:
    mail = later("tripplan._mail_delivery")
    assert "imported on first use" in repr(mail)
    assert mail.check_mail_url is mail.check_mail_url  # one stand-in per function
    sent = getattr(_commands, "send_mail")  # noqa: B009 - deferred: not exported
    assert (sent.__module__, sent.__name__) == ("tripplan._mail_delivery", "send_mail")
    with pytest.raises(AttributeError):
        mail.__wrapped__  # noqa: B018 - dunder names are never deferred
    with pytest.raises(AttributeError, match="no_such_function"):
        later("tripplan._version").no_such_function()


def _sheet_html() -> str:
    trip = load_trip(EXAMPLES / "santiago-customer-visit.yaml")
    return render_sheet(build_sheet(trip, languages=["es"]), "html")


def test_compiled_templates_render_as_compiling_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cache, an empty one, a filled one, a damaged one and one that cannot be written: the
    same sheet."""
    monkeypatch.setenv("TRIPPLAN_CACHE_DIR", str(tmp_path / "cache"))
    _render._environment.cache_clear()
    fresh = _sheet_html()
    entries = list((tmp_path / "cache" / "templates").glob("*.jinja"))
    assert len(entries) == 1
    _render._environment.cache_clear()
    assert _sheet_html() == fresh  # loaded, not compiled
    entries[0].write_bytes(b"j2 not a template")
    _render._environment.cache_clear()
    assert _sheet_html() == fresh
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("TRIPPLAN_CACHE_DIR", str(blocked))
    _render._environment.cache_clear()
    assert _sheet_html() == fresh
    _render._environment.cache_clear()


def _lima() -> Any:
    places = {
        **BASE["places"],
        "lima": LIMA_IN_SANTIAGOS_ZONE,
    }
    lima = {
        "type": "meeting",
        "title": "Lima",
        "place": "lima",
        "start": "2027-03-09 15:00",
        "end": "2027-03-09 16:00",
    }
    return build_trip(places=places, items=[*BASE["items"], lima])


def test_zone_boundaries_remembered_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPPLAN_CACHE_DIR", str(tmp_path))
    kept = tmp_path / "zones" / "boundaries.json"
    trip = _lima()
    first = [f for f in check(trip) if f.code == "zone-mismatch"]
    assert len(first) == 1
    memory = json.loads(kept.read_text())
    assert memory["data"] == _gazetteer.boundaries_release()
    assert "America/Lima" in memory["answers"].values()
    assert [f for f in check(_lima()) if f.code == "zone-mismatch"] == first
    # Another release of the boundary data, or a damaged file: looked up again.
    wrong = {key: "Asia/Tokyo" for key in memory["answers"]}
    assert "-12.0464" not in kept.read_text()  # the points are kept as hashes
    kept.write_text(json.dumps({"data": "another", "answers": wrong}))
    assert [f for f in check(_lima()) if f.code == "zone-mismatch"] == first
    kept.write_text("{not json")
    assert [f for f in check(_lima()) if f.code == "zone-mismatch"] == first
    # What is remembered for this release is what the check reads (no lookup at all).
    kept.write_text(json.dumps({"data": memory["data"], "answers": wrong}))
    told = [f.message for f in check(_lima()) if f.code == "zone-mismatch"]
    assert any("'lima'" in m and "are in Asia/Tokyo" in m for m in told)


@pytest.fixture
def new_process() -> Iterator[Callable[[], None]]:
    """Forgets what this process learnt of cities, as a new process starts (and, afterwards,
    what the test planted)."""

    def forget() -> None:
        _whereabouts._city_coordinates.cache_clear()
        _whereabouts._city_memory.cache_clear()

    yield forget
    forget()


def test_city_coordinates_remembered_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_process: Callable[[], None]
) -> None:
    """The reference trip's winery names its city only: GeoNames places it, once."""
    monkeypatch.setenv("TRIPPLAN_CACHE_DIR", str(tmp_path))
    kept = tmp_path / "places" / "cities.json"

    def findings() -> list[str]:
        new_process()  # each check as a new process makes it, reading the file
        return [str(f) for f in check(load_trip(EXAMPLES / "santiago-customer-visit.yaml"))]

    first = findings()
    memory = json.loads(kept.read_text())
    assert memory["data"] == _gazetteer.cities_release() != ""
    assert [-33.31712, -71.40311] in memory["answers"].values()  # Casablanca, Chile
    assert "Casablanca" not in kept.read_text()  # the places are kept as hashes
    assert findings() == first
    # Another release of GeoNames, a damaged file, answers of the wrong shape: looked up again.
    tokyo = {key: [35.6895, 139.69171] for key in memory["answers"]}
    for written in (
        json.dumps({"data": "another", "answers": tokyo}),
        "{not json",
        json.dumps({"data": memory["data"], "answers": dict.fromkeys(memory["answers"], "x")}),
    ):
        kept.write_text(written)
        assert findings() == first
    assert json.loads(kept.read_text()) == memory
    # What is remembered for this release is what the checks read (no lookup at all): with
    # Casablanca in Japan, the day at the winery is far from the rest of the trip.
    moved = {
        k: [35.6895, 139.69171] if v[0] == -33.31712 else v for k, v in memory["answers"].items()
    }
    kept.write_text(json.dumps({"data": memory["data"], "answers": moved}))
    told = findings()
    assert first == [] and len(told) == 1
    assert told[0].startswith("error[no-travel]") and "17,237 km apart" in told[0]


@pytest.mark.parametrize("country", ["CL", "US", "DE", "AD", "ZW", "XX"])
def test_one_country_s_cities_are_those_of_the_whole_table(country: str) -> None:
    whole = [row for row in _gazetteer._all_cities() if row["countrycode"] == country]
    assert list(_gazetteer._country_rows(country)) == whole
