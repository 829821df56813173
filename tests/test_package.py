"""The public surface: what `import tripplan` offers, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import tripplan

EXPECTED = {
    "FeedError",
    "BusyEvent",
    "Conflict",
    "busy_events",
    "conflicts",
    "free_slots",
    "read_calendar",
    "CalDAVError",
    "PublishReport",
    "publish",
    "NetworkError",
    "RatesError",
    "Rate",
    "RateResult",
    "exchange_rate",
    "DestinationFacts",
    "destination_facts",
    "Sheet",
    "build_sheet",
    "render_sheet",
    "Audience",
    "AudienceError",
    "Invitation",
    "InvitationError",
    "MailError",
    "MeetingChange",
    "TripDiff",
    "diff",
    "invitations",
    "trip_calendar",
    "Activity",
    "AgendaEntry",
    "CheckOptions",
    "Finding",
    "Flight",
    "Item",
    "Location",
    "Meeting",
    "Notes",
    "Person",
    "Place",
    "Problem",
    "Reminders",
    "Scheduled",
    "Severity",
    "Stay",
    "Timeline",
    "Transfer",
    "Transition",
    "Trip",
    "TripFileError",
    "TripplanError",
    "WallTime",
    "ZoneError",
    "__version__",
    "get_zone",
    "load_trip",
    "parse_trip",
    "transitions",
    "tzdata_version",
}


def test_exported_names_do_not_drift() -> None:
    assert set(tripplan.__all__) == EXPECTED
    assert tripplan.__all__ == sorted(tripplan.__all__)
    for name in tripplan.__all__:
        assert getattr(tripplan, name) is not None


def test_unknown_attribute() -> None:
    try:
        getattr(tripplan, "nothing_here")  # noqa: B009
    except AttributeError as exc:
        assert "no attribute 'nothing_here'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_one_exception_root() -> None:
    assert issubclass(tripplan.TripFileError, tripplan.TripplanError)
    assert issubclass(tripplan.ZoneError, tripplan.TripplanError)


def test_import_is_light() -> None:
    """`import tripplan` loads none of pydantic, yaml, Babel, holidays or airportsdata."""
    code = "import sys, tripplan; print(sorted(m for m in ('pydantic', 'yaml', 'babel', "
    code += "'holidays', 'airportsdata', 'requests') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_ships_type_information() -> None:
    from importlib import resources

    assert resources.files("tripplan").joinpath("py.typed").is_file()
