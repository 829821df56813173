"""Nothing reaches a reader who may not see it: markers planted in every private and team field
are looked for in every output made for every audience."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tripplan import (
    Audience,
    AudienceError,
    Invitation,
    Item,
    Notes,
    Trip,
    build_calendar,
    build_invitations,
    build_jsonld,
    build_sheet,
    diff_trips,
    invitation_mail,
    load_trip,
    render_sheet,
)
from tripplan._audience import View

from .support import EXAMPLES

NOW = datetime(2027, 1, 15, tzinfo=UTC)
INTERNAL_TITLE = "Partner preparation with Andes Partners"


def planted() -> Trip:
    """The reference trip with a marker in every note of every item."""
    data = load_trip(EXAMPLES / "santiago-customer-visit.yaml").model_dump(
        by_alias=True, mode="json", exclude_unset=True
    )
    for index, item in enumerate(data["items"]):
        item["notes"] = {
            "public": f"PUBLIC-{index}",
            "team": f"TEAM-{index}",
            "private": f"PRIVATE-{index}",
        }
    return Trip.model_validate(data)


def unfolded(data: bytes | str) -> str:
    text = data.decode() if isinstance(data, bytes) else data
    return text.replace("\r\n ", "")


def markers(text: str, kind: str) -> set[str]:
    return {f"{kind}-{i}" for i in range(20) if f"{kind}-{i}" in text}


@pytest.fixture(scope="module")
def trip() -> Trip:
    return planted()


def test_traveller_calendar_has_everything(trip: Trip) -> None:
    text = unfolded(build_calendar(trip, "traveller", now=NOW).to_ical())
    assert len(markers(text, "PRIVATE")) == len(trip.items)
    assert len(markers(text, "TEAM")) == len(trip.items)


def test_team_calendar_has_no_private_notes(trip: Trip) -> None:
    text = unfolded(build_calendar(trip, "team", now=NOW).to_ical())
    assert markers(text, "PRIVATE") == set()
    assert len(markers(text, "TEAM")) == len(trip.items)


def test_customer_calendar_has_public_notes_of_their_meetings_only(trip: Trip) -> None:
    text = unfolded(build_calendar(trip, "customer", now=NOW).to_ical())
    assert markers(text, "PRIVATE") == markers(text, "TEAM") == set()
    assert markers(text, "PUBLIC") == {"PUBLIC-5", "PUBLIC-6"}  # the IT day and the CEO meeting
    assert INTERNAL_TITLE not in text and "QWX7PL" not in text and "HA-88412" not in text


def outputs(invitation: Invitation) -> str:
    return unfolded(invitation.to_ical()) + invitation.text + invitation.html + invitation.subject


def test_invitations_carry_what_every_recipient_may_see(trip: Trip) -> None:
    sent = build_invitations(trip, now=NOW)
    assert sent
    for invitation in sent:
        text = outputs(invitation)
        assert markers(text, "PRIVATE") == set(), invitation.item_id
        audience = Audience.of(trip, [invitation.organizer, *invitation.recipients])
        if audience is Audience.CUSTOMER:
            assert markers(text, "TEAM") == set(), invitation.item_id
            assert INTERNAL_TITLE not in text
        else:
            assert markers(text, "TEAM"), invitation.item_id


def test_updates_and_cancellations_follow_the_same_rules(trip: Trip) -> None:
    data = trip.model_dump(by_alias=True, mode="json", exclude_unset=True)
    data["items"][6]["attendees"] = ["dana", "tomas", "sofia", "rodrigo"]  # Carolina removed
    data["items"][6]["start"] = "2027-03-10 11:30"
    data["items"][5]["status"] = "cancelled"
    sent = diff_trips(trip, Trip.model_validate(data)).invitations(now=NOW)
    assert {i.method for i in sent} == {"REQUEST", "CANCEL"}
    for invitation in sent:
        text = outputs(invitation)
        assert markers(text, "PRIVATE") == markers(text, "TEAM") == set(), invitation.filename


def test_audience_of_recipients() -> None:
    trip = planted()
    assert Audience.of(trip, ["dana"]) is Audience.TRAVELLER
    assert Audience.of(trip, ["dana", "tomas"]) is Audience.TEAM
    assert Audience.of(trip, ["dana", "tomas", "rodrigo"]) is Audience.CUSTOMER


def test_customer_view_must_say_which_customer_when_there_are_several() -> None:
    data = planted().model_dump(by_alias=True, mode="json", exclude_unset=True)
    data["people"]["ana"] = {"name": "Ana", "side": "customer", "organization": "Otra S.A."}
    trip = Trip.model_validate(data)
    with pytest.raises(
        AudienceError, match=r"several customers \(Cordillera Seguros S\.A\., Otra S\.A\.\)"
    ):
        View(trip, Audience.CUSTOMER)
    assert View(trip, Audience.CUSTOMER, "Otra S.A.").entries() == []


# --- every renderer, every audience, through the one gate ---------------------------------------


def planted_everywhere() -> Trip:
    """The reference trip with a marker in every note and every booking field of every item."""
    data = planted().model_dump(by_alias=True, mode="json", exclude_unset=True)
    for index, item in enumerate(data["items"]):
        if item["type"] in ("flight", "transfer", "train", "drive"):
            item["seat"] = f"SEAT-{index}"
        if item["type"] in ("flight", "transfer", "train", "drive", "stay"):
            item["confirmation"] = f"CONF-{index}"
    return Trip.model_validate(data)


KINDS = ("PRIVATE", "TEAM", "PUBLIC", "SEAT", "CONF")


def found(text: str) -> dict[str, set[str]]:
    return {kind: markers(text, kind) for kind in KINDS}


def renderings(trip: Trip, audience: str) -> dict[str, str]:
    """Every output tripplan makes for one audience, as text."""
    out: dict[str, str] = {
        "calendar": unfolded(build_calendar(trip, audience, now=NOW).to_ical()),
    }
    for fmt in ("html", "md", "txt"):
        sheet = build_sheet(trip, languages=["en"], audience=audience)
        out[f"sheet.{fmt}"] = render_sheet(sheet, fmt)
    bilingual = build_sheet(trip, languages=["es", "en"], audience=audience)
    out["sheet.es-en.html"] = render_sheet(bilingual, "html")
    return out


def invitation_renderings(trip: Trip) -> dict[str, tuple[Audience, str]]:
    """Every invitation, update and cancellation with its mail, by file name, and its audience."""
    changed = trip.replace_item(6, start="2027-03-10 11:30", attendees=["dana", "tomas", "sofia"])
    changed = changed.replace_item(5, status="cancelled")
    sent = [*build_invitations(trip, now=NOW), *diff_trips(trip, changed).invitations(now=NOW)]
    result = {}
    for invitation in sent:
        mail = invitation_mail(trip, invitation, date=NOW)
        text = outputs(invitation) + mail.as_string()
        audience = Audience.of(trip, [invitation.organizer, *invitation.recipients])
        result[f"{invitation.method}:{invitation.filename}"] = (audience, unfolded(text))
    return result


@pytest.fixture(scope="module")
def everywhere() -> Trip:
    return planted_everywhere()


def test_traveller_sees_everything_everywhere(everywhere: Trip) -> None:
    for name, text in renderings(everywhere, "traveller").items():
        seen = found(text)
        assert seen["PRIVATE"] and seen["TEAM"] and seen["SEAT"] and seen["CONF"], name


def test_team_outputs_hold_no_private_note(everywhere: Trip) -> None:
    for name, text in renderings(everywhere, "team").items():
        seen = found(text)
        assert seen["PRIVATE"] == set(), name
        assert seen["TEAM"] and seen["CONF"], name


def test_customer_outputs_hold_only_public_notes_of_their_meetings(everywhere: Trip) -> None:
    for name, text in renderings(everywhere, "customer").items():
        seen = found(text)
        assert seen["PRIVATE"] == seen["TEAM"] == seen["SEAT"] == seen["CONF"] == set(), name
        assert seen["PUBLIC"] == {"PUBLIC-5", "PUBLIC-6"}, name
        assert INTERNAL_TITLE not in text, name


def test_invitations_and_their_mail_hold_what_every_recipient_may_see(everywhere: Trip) -> None:
    sent = invitation_renderings(everywhere)
    assert {key.split(":")[0] for key in sent} == {"REQUEST", "CANCEL"}
    for name, (audience, text) in sent.items():
        seen = found(text)
        assert seen["PRIVATE"] == seen["SEAT"] == seen["CONF"] == set(), name
        if audience is Audience.CUSTOMER:
            assert seen["TEAM"] == set() and INTERNAL_TITLE not in text, name


def test_reservations_hold_the_bookings_each_audience_may_see(everywhere: Trip) -> None:
    """schema.org reservations carry no notes; seats and booking codes only for our side, and
    nothing of an internal meeting for a customer."""
    traveller = found(build_jsonld(everywhere, "traveller"))
    assert traveller["SEAT"] and traveller["CONF"], traveller
    team = found(build_jsonld(everywhere, "team"))
    assert team["CONF"] and team["PRIVATE"] == set(), team
    customer = build_jsonld(everywhere, "customer")
    assert not any(found(customer).values()) and INTERNAL_TITLE not in customer


def test_every_renderer_reads_notes_and_bookings_only_through_the_gate(
    everywhere: Trip, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a gate that lets nothing through, no marker may reach any output, whatever the
    audience: a renderer that read a note or a booking from the trip itself would show one."""

    def nothing(self: View, item: Item) -> Item:
        update: dict[str, Any] = {d.kind: None for d in item.details() if d.booking}
        return item.model_copy(update={**update, "notes": Notes()})

    monkeypatch.setattr(View, "redact", nothing)
    for audience in ("traveller", "team", "customer"):
        texts = {**renderings(everywhere, audience), "jsonld": build_jsonld(everywhere, audience)}
        for name, text in texts.items():
            assert not any(found(text).values()), (audience, name)
    for name, (_, text) in invitation_renderings(everywhere).items():
        assert not any(found(text).values()), name
