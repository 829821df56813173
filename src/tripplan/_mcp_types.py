"""The MCP tools' arguments and results, as types: their JSON Schemas are what ``tripplan mcp``
declares, so a client knows each tool's inputs and the shape of its structured answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field

__all__ = [
    "SOURCE",
    "AudienceName",
    "Calendars",
    "CheckReport",
    "FindingOut",
    "Format",
    "FreeSlots",
    "InvitationOut",
    "Invitations",
    "Organization",
    "ProblemOut",
    "Recipient",
    "Sheet",
    "Slot",
    "Thresholds",
    "TripFormat",
    "TripText",
    "Validation",
]

#: How the trip text is written, and the name its problems are reported under.
TripFormat = Literal["yaml", "json", "toml"]
SOURCE = "<trip>"

TripText = Annotated[str, Field(description="the trip file's text (docs/trip-format.md)")]
Format = Annotated[TripFormat, Field(description="how the trip text is written")]
AudienceName = Annotated[
    Literal["traveller", "team", "customer"],
    Field(description="who it is for: traveller sees all, team no private notes, customer less"),
]
Organization = Annotated[
    str | None, Field(description="with audience customer: which customer organization")
]
Calendars = Annotated[
    Sequence[str], Field(description="the traveller's own calendars, each as iCalendar text")
]


class ProblemOut(BaseModel):
    """One reason a trip does not load, located as ``tripplan check --format json`` prints it."""

    file: str
    line: int | None
    path: str
    message: str
    code: str = Field(description="stable: a key of PROBLEM_CODES")


class Validation(BaseModel):
    ok: bool
    trip: str | None = Field(description="the trip's id when it loads")
    problems: list[ProblemOut]


class FindingOut(BaseModel):
    code: str = Field(description="stable: a key of the tripplan://codes/findings.json resource")
    severity: Literal["error", "warning", "note"]
    message: str
    items: list[str]
    paths: list[str]
    at: str | None


class CheckReport(BaseModel):
    """``tripplan check --format json``: the findings, counts per severity, data versions."""

    trip: str
    file: str
    tripplan: str
    tzdata: str
    summary: dict[str, int]
    findings: list[FindingOut]


class Thresholds(BaseModel):
    """The thresholds of ``tripplan check``: durations like 45m or 1h30m, hours like
    08:00-19:00; a threshold left out keeps its default (docs/checks.md)."""

    international_buffer: str | None = None
    domestic_buffer: str | None = None
    min_connection: str | None = None
    domestic_connection: str | None = None
    international_connection: str | None = None
    international_to_domestic_connection: str | None = None
    airport_change_connection: str | None = None
    business_hours: str | None = None
    attendee_hours: str | None = None
    no_travel_km: float | None = None


class Recipient(BaseModel):
    key: str
    name: str
    email: str | None


class InvitationOut(BaseModel):
    item_id: str
    filename: str
    uid: str
    method: str = Field(description="REQUEST or CANCEL")
    sequence: int
    subject: str
    recipients: list[Recipient]
    uninvited: list[str] = Field(description="attendees left out: no email, or a customer")
    ics: str = Field(description="the invitation as iCalendar text")


class Invitations(BaseModel):
    invitations: list[InvitationOut]


class Sheet(BaseModel):
    text: str = Field(description="the sheet in the format asked for")
    warnings: list[str] = Field(description="e.g. a language without labels of its own")


class Slot(BaseModel):
    start: str = Field(description="local ISO 8601 time with its offset")
    end: str
    zone: str


class FreeSlots(BaseModel):
    slots: list[Slot]
