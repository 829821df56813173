"""Invitations: one per meeting, per-audience text, stable UIDs, revisions and cancellations."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tripplan import (
    Invitation,
    InvitationError,
    Trip,
    build_invitations,
    diff_trips,
    load_trip,
)

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer
from .support import BASE, EXAMPLES, build_trip

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
LATER = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"


@pytest.fixture(scope="module")
def reference() -> Trip:
    return load_trip(REFERENCE)


def by_item(sent: list[Invitation]) -> dict[str, Invitation]:
    return {i.item_id: i for i in sent}


def event_of(invitation: Invitation) -> Any:
    [event] = icalendar.Calendar.from_ical(invitation.to_ical()).walk("VEVENT")
    return event


def attendees(event: icalendar.Event) -> dict[str, dict[str, str]]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in found}


@pytest.fixture
def check_with_clients(
    tmp_path: Path, radicale_server: RadicaleServer
) -> Callable[[Invitation], None]:
    """ical.js, libical (with its iTIP restriction check for the METHOD) and icalendar agree on
    the invitation, and Radicale stores it."""

    def check(invitation: Invitation) -> None:
        path = tmp_path / invitation.filename
        path.write_bytes(invitation.to_ical())
        [event] = assert_clients_agree(path, radicale_server)
        assert event.uid == invitation.uid

    return check


def test_one_request_per_meeting(
    reference: Trip, tmp_path: Path, check_with_clients: Callable[[Invitation], None]
) -> None:
    sent = build_invitations(reference, now=NOW)
    assert [i.item_id for i in sent] == [
        "meeting-partner-preparation-with-andes-partners",
        "meeting-collaboration-portfolio-day-with-cordillera-it",
        "meeting-the-future-of-collaboration-and-productivity",
        "meeting-dinner-with-andes-partners",
    ]
    for invitation in sent:
        calendar = icalendar.Calendar.from_ical(invitation.to_ical())
        assert calendar["METHOD"] == "REQUEST" and invitation.sequence == 0
        assert len(calendar.walk("VEVENT")) == 1
        check_with_clients(invitation)


def test_organizer_and_attendees(reference: Trip) -> None:
    it_day = by_item(build_invitations(reference, now=NOW))[
        "meeting-collaboration-portfolio-day-with-cordillera-it"
    ]
    event = event_of(it_day)
    assert str(event["ORGANIZER"]) == "mailto:smunoz@andespartners.example"
    assert event["ORGANIZER"].params["CN"] == "Sofía Muñoz Pérez"
    people = attendees(event)
    assert people["smunoz@andespartners.example"]["ROLE"] == "CHAIR"
    carolina = people["csoto@cordillera.example"]
    assert carolina == {
        "CN": "Carolina Soto",
        "CUTYPE": "INDIVIDUAL",
        "PARTSTAT": "NEEDS-ACTION",
        "ROLE": "REQ-PARTICIPANT",
        "RSVP": "TRUE",
    }
    assert it_day.recipients == ("dana", "tomas", "carolina", "matias")


def test_names_with_commas_quotes_and_accents(
    tmp_path: Path, check_with_clients: Callable[[Invitation], None]
) -> None:
    people = copy.deepcopy(BASE["people"])
    people["rodrigo"].update(name='Ibáñez, Rodrigo "Rocky" Valdés', email="r@cordillera.example")
    invitation = build_invitations(build_trip(people=people), now=NOW)[0]
    event = event_of(invitation)
    assert attendees(event)["r@cordillera.example"]["CN"] == 'Ibáñez, Rodrigo "Rocky" Valdés'
    check_with_clients(invitation)


def test_internal_meetings_invite_only_our_side() -> None:
    people = copy.deepcopy(BASE["people"])
    people["tomas"] = {"name": "Tomás", "email": "t@northwind.example"}
    people["rodrigo"]["email"] = "r@cordillera.example"
    prep = {
        "type": "meeting",
        "kind": "internal",
        "title": "Prep",
        "place": "hotel",
        "start": "2027-03-08 18:00",
        "end": "2027-03-08 19:00",
        "attendees": ["dana", "tomas", "rodrigo"],
    }
    [invitation] = build_invitations(
        build_trip(people=people, items=[*BASE["items"][:3], prep]), now=NOW
    )
    assert invitation.recipients == ("tomas",) and invitation.uninvited == ("rodrigo",)
    assert "r@cordillera.example" not in invitation.to_ical().decode()


def test_text_carries_only_what_every_recipient_may_see(reference: Trip) -> None:
    sent = by_item(build_invitations(reference, now=NOW))
    ceo = sent["meeting-the-future-of-collaboration-and-productivity"]  # a customer is invited
    text = ceo.to_ical().decode().replace("\r\n ", "") + ceo.text + ceo.html
    assert "An executive conversation" in text
    assert "Goal: agreement" not in text and "Thank Sofía" not in text
    prep = sent["meeting-partner-preparation-with-andes-partners"]  # our side only
    assert "Agree who presents what" in prep.text.replace("\n", " ")


def test_labels_in_the_meetings_language(reference: Trip) -> None:
    sent = by_item(build_invitations(reference, now=NOW))
    spanish = sent["meeting-collaboration-portfolio-day-with-cordillera-it"]  # Sofía organizes, es
    assert spanish.language == "es" and spanish.subject.startswith("Invitación: ")
    assert (
        "Organiza: Sofía Muñoz Pérez" in spanish.text
        and "Cuándo: mar, 9 mar 2027, 9:00" in spanish.text
    )
    english = sent["meeting-partner-preparation-with-andes-partners"]  # Dana organizes, en
    assert (
        english.subject.startswith("Invitation: ") and "Organizer: Dana Whitfield" in english.text
    )


def test_html_body_escapes_trip_text() -> None:
    people = {**BASE["people"], "rodrigo": {**BASE["people"]["rodrigo"], "email": "r@c.example"}}
    meeting = {**BASE["items"][3], "title": "<b>Q3</b> & <script>"}
    [invitation] = build_invitations(
        build_trip(people=people, items=[*BASE["items"][:3], meeting]), now=NOW
    )
    assert "&lt;b&gt;Q3&lt;/b&gt; &amp; &lt;script&gt;" in invitation.html
    assert "<script>" not in invitation.html


def test_organizer_without_email_is_a_clear_error() -> None:
    people = {
        **BASE["people"],
        "rodrigo": {**BASE["people"]["rodrigo"], "email": "r@c.example"},
        "dana": {"name": "Dana"},
    }
    with pytest.raises(
        InvitationError, match=r"items\[3\] 'CEO meeting': the organizer 'dana' has no email"
    ):
        build_invitations(build_trip(people=people), now=NOW)


def test_uids_are_stable_and_output_reproducible(reference: Trip) -> None:
    first = [i.to_ical() for i in build_invitations(reference, now=NOW)]
    again = [i.to_ical() for i in build_invitations(load_trip(REFERENCE), now=NOW)]
    assert first == again


# --- revisions ---------------------------------------------------------------------------------


def revised(**changes: Any) -> Trip:
    data = load_trip(REFERENCE).model_dump(by_alias=True, mode="json", exclude_unset=True)
    for index, fields in changes.get("items", {}).items():
        data["items"][index].update(fields)
    for index in sorted(changes.get("drop", []), reverse=True):
        del data["items"][index]
    return Trip.model_validate(data)


def test_unchanged_trip_sends_nothing(reference: Trip) -> None:
    change = diff_trips(reference, revised())
    assert {c.kind for c in change.changes} == {"unchanged"}
    assert change.invitations(now=LATER) == []


def test_moved_meeting_is_an_update_with_the_same_uid(
    reference: Trip, tmp_path: Path, check_with_clients: Callable[[Invitation], None]
) -> None:
    new = revised(items={6: {"start": "2027-03-10 11:30", "end": "2027-03-10 13:00"}})
    change = diff_trips(reference, new)
    assert change["meeting-the-future-of-collaboration-and-productivity"].kind == "changed"
    [update] = change.invitations(now=LATER)
    [original] = [i for i in build_invitations(reference, now=NOW) if i.item_id == update.item_id]
    assert update.uid == original.uid and update.sequence > original.sequence
    assert update.subject.startswith("Invitación actualizada: ")
    assert event_of(update).decoded("DTSTART") == datetime(2027, 3, 10, 14, 30, tzinfo=UTC)
    check_with_clients(update)
    later = diff_trips(
        new, revised(items={6: {"start": "2027-03-10 12:00", "end": "2027-03-10 13:00"}})
    )
    assert later.invitations(now=LATER.replace(day=2))[0].sequence > update.sequence


def test_removed_and_cancelled_meetings_are_cancelled(
    reference: Trip, tmp_path: Path, check_with_clients: Callable[[Invitation], None]
) -> None:
    for new in (revised(drop=[7]), revised(items={7: {"status": "cancelled"}})):
        [cancel] = diff_trips(reference, new).invitations(now=LATER)
        calendar = icalendar.Calendar.from_ical(cancel.to_ical())
        assert calendar["METHOD"] == "CANCEL"
        assert event_of(cancel)["STATUS"] == "CANCELLED"
        assert cancel.item_id == "meeting-dinner-with-andes-partners" and cancel.sequence > 0
        check_with_clients(cancel)


def test_removed_attendee_gets_a_cancellation_of_their_own(
    reference: Trip, tmp_path: Path, check_with_clients: Callable[[Invitation], None]
) -> None:
    new = revised(items={6: {"attendees": ["dana", "tomas", "sofia", "rodrigo"]}})  # no Carolina
    change = diff_trips(reference, new)
    assert change["meeting-the-future-of-collaboration-and-productivity"].removed_attendees == (
        "carolina",
    )
    update, cancel = change.invitations(now=LATER)
    assert update.method == "REQUEST" and "carolina" not in update.recipients
    assert "csoto@cordillera.example" not in update.to_ical().decode()
    assert (cancel.method, cancel.recipients) == ("CANCEL", ("carolina",))
    assert set(attendees(event_of(cancel))) == {
        "smunoz@andespartners.example",
        "csoto@cordillera.example",
    }
    assert cancel.uid == update.uid
    assert "STATUS" not in event_of(cancel)  # RFC 5546 §3.2.5: the meeting itself goes on
    check_with_clients(cancel)


def test_new_meeting_is_a_first_request(reference: Trip) -> None:
    data = reference.model_dump(by_alias=True, mode="json", exclude_unset=True)
    data["items"].append(
        {
            "type": "meeting",
            "kind": "demo",
            "title": "Extra demo",
            "place": "cordillera",
            "start": "2027-03-11 10:00",
            "end": "2027-03-11 11:00",
            "attendees": ["dana", "carolina"],
        }
    )
    [request] = diff_trips(reference, Trip.model_validate(data)).invitations(now=LATER)
    assert (request.method, request.sequence, request.item_id) == (
        "REQUEST",
        0,
        "meeting-extra-demo",
    )
