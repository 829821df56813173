"""The public surface: what `import tripplan` offers, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import tripplan

EXPECTED = {
    "Activity",
    "AgendaEntry",
    "Audience",
    "AudienceError",
    "BookingError",
    "BusyEvent",
    "CalDAVError",
    "CheckOptions",
    "Conflict",
    "DestinationFacts",
    "Detail",
    "EcbProvider",
    "ErApiProvider",
    "FINDING_CODES",
    "FeedError",
    "Finding",
    "ImportReport",
    "Flight",
    "Invitation",
    "InvitationError",
    "Item",
    "Location",
    "MailError",
    "Meeting",
    "MeetingChange",
    "NetworkError",
    "Notes",
    "OptionError",
    "PROBLEM_CODES",
    "Person",
    "Place",
    "Problem",
    "PublishReport",
    "Rate",
    "RateProvider",
    "RateResult",
    "RatesError",
    "Reminders",
    "Scheduled",
    "Severity",
    "Sheet",
    "StatedRate",
    "Stay",
    "Timeline",
    "Transfer",
    "Transition",
    "Trip",
    "TripDiff",
    "TripFileError",
    "TripplanError",
    "WallTime",
    "ZoneError",
    "__version__",
    "build_calendar",
    "build_invitations",
    "build_jsonld",
    "build_outputs",
    "build_sheet",
    "busy_events",
    "check",
    "check_mail_url",
    "destination_facts",
    "diff_trips",
    "exchange_rate",
    "find_conflicts",
    "free_slots",
    "get_zone",
    "imip_message",
    "import_bookings",
    "invitation_mail",
    "load_trip",
    "parse_calendar",
    "parse_trip",
    "publish_calendar",
    "read_calendar",
    "render_sheet",
    "resolve",
    "send_mail",
    "transitions",
    "traveller_busy",
    "tzdata_version",
    "write_folder",
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


def test_every_error_family_has_its_own_kind() -> None:
    """Programs (``--format json``) tell errors apart by ``kind``: one per exported class."""
    errors = [
        value
        for name in tripplan.__all__
        if isinstance(value := getattr(tripplan, name), type)
        and issubclass(value, tripplan.TripplanError)
    ]
    kinds = [error.kind for error in errors if error is not tripplan.TripplanError]
    assert len(errors) > 10 and len(kinds) == len(set(kinds)) == len(errors) - 1, kinds


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
