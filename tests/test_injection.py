"""Text from a trip file never becomes structure: no iCalendar property or component, no mail
header, made of a value. Every check here runs again under ``python -O``, where ``assert``
statements (in tripplan or in the libraries it uses) are gone."""

from __future__ import annotations

import copy
import email
import email.policy
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tripplan import (
    Trip,
    TripFileError,
    build_calendar,
    build_invitations,
    invitation_mail,
    load_trip,
)

from .support import EXAMPLES

NOW = datetime(2027, 1, 15, tzinfo=UTC)
HOSTILE = [
    "Evil\r\nATTENDEE;CN=Mallory:mailto:mallory@evil.example",
    "Evil\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged",
    "Evil\rBEGIN:VALARM\rACTION:AUDIO\rEND:VALARM",
    'Evil";X-INJECTED=1:"',
    "Evil\u2028Bcc: all@evil.example",
]
REFERENCE = load_trip(EXAMPLES / "santiago-customer-visit.yaml").model_dump(
    by_alias=True, mode="json", exclude_unset=True
)


def places(document: dict[str, Any], text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The reference trip with ``text`` in one field at a time, by the field's path."""
    fields: list[tuple[str, list[Any]]] = [
        ("title", ["title"]),
        ("people.dana.name", ["people", "dana", "name"]),
        ("people.rodrigo.name", ["people", "rodrigo", "name"]),
        ("people.tomas.organization", ["people", "tomas", "organization"]),
        ("places.cordillera.name", ["places", "cordillera", "name"]),
        ("places.cordillera.address", ["places", "cordillera", "address"]),
        ("items[0].confirmation", ["items", 0, "confirmation"]),
        ("items[0].seat", ["items", 0, "seat"]),
    ]
    for index, item in enumerate(document["items"]):
        if item["type"] == "meeting":
            fields.append((f"items[{index}].title", ["items", index, "title"]))
            fields.append((f"items[{index}].notes.public", ["items", index, "notes", "public"]))
            if item.get("agenda"):
                fields.append(
                    (f"items[{index}].agenda[0].title", ["items", index, "agenda", 0, "title"])
                )
    for name, path in fields:
        changed = copy.deepcopy(document)
        target: Any = changed
        for part in path[:-1]:
            target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
        target[path[-1]] = text
        yield name, changed


def ical_shape(data: bytes) -> list[Any]:
    """Each component and the names of its properties, in order: what structure a reader sees."""
    calendar = icalendar.Calendar.from_ical(data)
    return [(c.name, tuple(sorted({str(k) for k in c}))) for c in calendar.walk()] + [
        ("ATTENDEES", tuple(str(a) for e in calendar.walk("VEVENT") for a in e.get("ATTENDEE", [])))
    ]


def outputs(trip: Trip) -> dict[str, bytes]:
    found = {
        f"calendar-{audience}": build_calendar(trip, audience, now=NOW).to_ical()
        for audience in ("traveller", "team", "customer")
    }
    for invitation in build_invitations(trip, now=NOW):
        found[invitation.filename] = invitation.to_ical()
        found[f"mail-{invitation.filename}"] = invitation_mail(
            trip, invitation, date=NOW
        ).as_bytes()
    return found


def mail_shape(data: bytes) -> list[Any]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    shape: list[Any] = [tuple(sorted(message.keys()))]
    shape += [tuple(sorted(part.keys())) for part in message.walk()]
    shape.append(tuple(str(a) for a in message.get_all("To", [])))
    return shape


def shape(name: str, data: bytes) -> list[Any]:
    return mail_shape(data) if name.startswith("mail-") else ical_shape(data)


CLEAN = {name: shape(name, data) for name, data in outputs(Trip.model_validate(REFERENCE)).items()}


@pytest.mark.parametrize("text", HOSTILE)
def test_trip_text_stays_in_its_field(text: str) -> None:
    for field, document in places(REFERENCE, text):
        try:
            trip = Trip.model_validate(document)
        except TripFileError as error:  # refused at load: it says where
            assert any(p.path == field for p in error.problems), (field, str(error))
            continue
        made = outputs(trip)  # in the same order; a title may rename an invitation's file
        assert len(made) == len(CLEAN), field
        for (name, data), clean in zip(made.items(), CLEAN.values(), strict=True):
            if name.startswith("mail-"):
                # Addresses are rewritten, not added to: the same headers, the same recipients.
                assert shape(name, data)[:-1] == clean[:-1], (field, name)
                assert len(shape(name, data)[-1]) == len(clean[-1]), (field, name)
            else:
                got = shape(name, data)
                assert [c for c, _ in got[:-1]] == [c for c, _ in clean[:-1]], (field, name)
                assert [p for _, p in got[:-1]] == [p for _, p in clean[:-1]], (field, name)
                assert len(got[-1][1]) == len(clean[-1][1]), (field, name)


def test_under_python_optimized() -> None:
    """The same checks with assert statements gone (``python -O``): none of them is what keeps
    text in its field."""
    root = Path(__file__).parent.parent
    result = subprocess.run(
        [
            sys.executable,
            "-O",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-W",
            "ignore::pytest.PytestConfigWarning",
            f"{Path(__file__).relative_to(root)}::test_trip_text_stays_in_its_field",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout
