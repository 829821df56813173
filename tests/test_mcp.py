"""``tripplan mcp``: the tools and resources a real client sees, over a real stdio subprocess.

One server runs for the module, in an empty folder of its own: every call goes through the MCP
SDK's stdio client, and every iCalendar text it answers is read back by the independent parsers
(``tests/_interop.py``), not by icalendar alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent, TextResourceContents

from tripplan import FINDING_CODES, PROBLEM_CODES, Trip, load_trip
from tripplan._arguments import THRESHOLDS
from tripplan._mcp_types import Thresholds

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer
from .support import DATA, EXAMPLES
from .test_ics import agree_with_timeline

pytestmark = pytest.mark.anyio

REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"
TEXT = REFERENCE.read_text(encoding="utf-8")
# An unknown attendee on the first meeting's second attendee line: a trip that does not load.
BAD = TEXT.replace("attendees: [dana, tomas, sofia]", "attendees: [dana, carl, sofia]", 1)
BAD_LINE = next(n for n, line in enumerate(BAD.splitlines(), 1) if "carl" in line)
TOOLS = {
    "validate_trip",
    "check_trip",
    "calendar",
    "invitations",
    "briefing_sheet",
    "facts",
    "free_slots",
}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def server_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mcp-cwd")


@pytest.fixture(scope="module")
async def client(anyio_backend: str, server_folder: Path) -> AsyncIterator[Client]:
    """One ``tripplan mcp`` subprocess for the module, run in an empty folder."""
    beside = Path(sys.executable).with_name("tripplan")
    command, args = (
        (str(beside), ["mcp"]) if beside.exists() else (sys.executable, ["-m", "tripplan", "mcp"])
    )
    params = StdioServerParameters(command=command, args=args, cwd=server_folder)
    async with Client(params) as session:
        yield session


@pytest.fixture(scope="module")
def reference() -> Trip:
    return load_trip(REFERENCE)


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """The structured answer of a call that must succeed."""
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    assert not result.is_error, result.content
    answer: dict[str, Any] | None = result.structured_content
    assert answer is not None
    return answer


async def error(client: Client, tool: str, **arguments: Any) -> str:
    """The text of a call that must fail as a tool error (not a crash, not a protocol error)."""
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult) and result.is_error
    [content] = result.content
    assert isinstance(content, TextContent)
    assert "Traceback" not in content.text
    return content.text


def saved(text: str, path: Path) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# --- what the server offers ------------------------------------------------------------------


async def test_lists_typed_tools_and_resources(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.output_schema, tool.name
    calendar = tools["calendar"].input_schema["properties"]
    assert calendar["audience"]["enum"] == ["traveller", "team", "customer"]
    assert tools["validate_trip"].input_schema["required"] == ["trip"]
    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    assert resources == {
        "tripplan://schema/trip.json",
        "tripplan://codes/findings.json",
        "tripplan://codes/problems.json",
    }


async def read(client: Client, uri: str) -> Any:
    [content] = (await client.read_resource(uri)).contents
    assert isinstance(content, TextResourceContents)
    return json.loads(content.text)


async def test_resources_are_the_schema_and_the_codes(client: Client) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "tripplan", "schema"], capture_output=True, check=True, text=True
    ).stdout
    assert await read(client, "tripplan://schema/trip.json") == json.loads(printed)
    assert await read(client, "tripplan://codes/findings.json") == FINDING_CODES
    assert "flight-too-fast" in FINDING_CODES
    assert await read(client, "tripplan://codes/problems.json") == PROBLEM_CODES


# --- validate, check -------------------------------------------------------------------------


async def test_validate_says_ok_or_every_problem_located(client: Client) -> None:
    assert await call(client, "validate_trip", trip=TEXT) == {
        "ok": True,
        "trip": "scl-2027-03",
        "problems": [],
    }
    answer = await call(client, "validate_trip", trip=BAD)
    assert answer["ok"] is False and answer["trip"] is None
    [problem] = answer["problems"]
    assert problem["path"] == "items[4].attendees[1]" and problem["line"] == BAD_LINE
    assert problem["message"].startswith("unknown person 'carl'; expected a key of people")
    assert problem["code"] == "unknown-reference"
    answer = await call(client, "validate_trip", trip='{"id": "x", "people": {}}', format="json")
    assert answer["ok"] is False and "missing-field" in {p["code"] for p in answer["problems"]}


async def test_check_reports_findings_with_options(client: Client) -> None:
    findings = (DATA / "findings.yaml").read_text(encoding="utf-8")
    report = await call(client, "check_trip", trip=findings)
    codes = [f["code"] for f in report["findings"]]
    assert codes == ["flight-too-fast", "overlap", "arrival-buffer", "public-holiday", "dst-change"]
    assert report["summary"] == {"error": 2, "warning": 2, "note": 1}
    assert report["findings"][0]["paths"] == ["items[0]"]
    quieter = await call(
        client,
        "check_trip",
        trip=findings,
        disable=["dst-change"],
        thresholds={"international_buffer": "30m"},
    )
    assert [f["code"] for f in quieter["findings"]] == [
        "flight-too-fast",
        "overlap",
        "public-holiday",
    ]
    assert (await call(client, "check_trip", trip=TEXT))["findings"] == []


# --- calendars and invitations ---------------------------------------------------------------


async def test_traveller_calendar_lands_at_the_right_instants(
    client: Client, reference: Trip, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    text = (await call(client, "calendar", trip=TEXT))["result"]
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    flight = events["✈ LA 501 MIA→SCL"]
    assert flight.decoded("DTSTART") == datetime(2027, 3, 8, 3, 40, tzinfo=UTC)
    assert flight.decoded("DTEND") == datetime(2027, 3, 8, 12, 5, tzinfo=UTC)
    agree_with_timeline(reference, saved(text, tmp_path / "trip.ics"), radicale_server)


async def test_customer_calendar_in_spanish_hides_the_team(
    client: Client, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    text = (await call(client, "calendar", trip=TEXT, audience="customer", lang="es"))["result"]
    assert len(assert_clients_agree(saved(text, tmp_path / "customer.ics"), radicale_server)) == 2
    unfolded = text.replace("\r\n ", "")
    assert "An executive conversation" in unfolded
    for hidden in ("QWX7PL", "Goal: agreement", "Thank Sofía", "Matías worries"):
        assert hidden not in unfolded


async def test_invitations_name_their_recipients(
    client: Client, reference: Trip, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    sent = (await call(client, "invitations", trip=TEXT))["invitations"]
    recipients = {i["item_id"]: [r["key"] for r in i["recipients"]] for i in sent}
    assert recipients == {
        "meeting-partner-preparation-with-andes-partners": ["tomas", "sofia"],
        "meeting-collaboration-portfolio-day-with-cordillera-it": [
            "dana",
            "tomas",
            "carolina",
            "matias",
        ],
        "meeting-the-future-of-collaboration-and-productivity": [
            "dana",
            "tomas",
            "rodrigo",
            "carolina",
        ],
        "meeting-dinner-with-andes-partners": ["tomas", "sofia"],
    }
    executive = sent[2]["recipients"][2]
    assert executive == {
        "key": "rodrigo",
        "name": "Rodrigo Ibáñez Valdés",
        "email": "ribanez@cordillera.example",
    }
    for invitation in sent:
        assert invitation["method"] == "REQUEST"
        path = saved(invitation["ics"], tmp_path / invitation["filename"])
        [event] = assert_clients_agree(path, radicale_server)
        assert event.uid == invitation["uid"]
        [vevent] = icalendar.Calendar.from_ical(invitation["ics"]).events
        invited = {a.email for a in vevent.attendees}
        assert {r["email"] for r in invitation["recipients"]} <= invited
        assert {reference.people[k].email for k in recipients[invitation["item_id"]]} <= invited
    later = TEXT.replace("start: 2027-03-10 20:30", "start: 2027-03-10 21:00", 1)
    assert later != TEXT
    changed = (await call(client, "invitations", trip=later, since=TEXT))["invitations"]
    assert [i["item_id"] for i in changed] == ["meeting-dinner-with-andes-partners"]


# --- sheets, facts, free time ----------------------------------------------------------------


async def test_customer_sheet_is_bilingual_and_keeps_private_notes_out(client: Client) -> None:
    sheet = await call(
        client,
        "briefing_sheet",
        trip=TEXT,
        sheet_format="md",
        lang=["es", "en"],
        audience="customer",
    )
    text = sheet["text"]
    assert "PROGRAMA DE LA VISITA / VISIT AGENDA" in text.upper()
    assert "The future of collaboration and productivity" in text
    for private in ("Thank Sofía", "Early check-in", "QWX7PL", "Matías worries"):
        assert private not in text
    html = (await call(client, "briefing_sheet", trip=TEXT))["text"]
    assert html.startswith("<!DOCTYPE html>") and "Thank Sofía" in html


async def test_facts_offline(client: Client) -> None:
    facts = await call(
        client, "facts", country="cl", first="2027-03-07", last="2027-03-13", lang="es", home="BOS"
    )
    assert facts["country"] == "CL" and facts["currency"]["code"] == "CLP"
    assert facts["zones"][0]["zone"] == "America/Santiago"
    assert facts["exchange_rate"] is None  # no network, and the trip states none


BUSY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//mcp//EN\r
BEGIN:VEVENT\r
UID:board-call@test\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270311T130000Z\r
DTEND:20270311T140000Z\r
SUMMARY:Board call\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_free_slots_around_the_travellers_own_calendar(client: Client) -> None:
    answer = await call(
        client, "free_slots", trip=TEXT, day="2027-03-11", duration="1h", calendars=[BUSY]
    )
    assert answer["slots"] == [
        {
            "start": "2027-03-11T08:00:00-03:00",
            "end": "2027-03-11T10:00:00-03:00",
            "zone": "America/Santiago",
        },
        {
            "start": "2027-03-11T11:00:00-03:00",
            "end": "2027-03-11T19:00:00-03:00",
            "zone": "America/Santiago",
        },
    ]
    narrow = await call(
        client,
        "free_slots",
        trip=TEXT,
        day="2027-03-11",
        duration="3h",
        calendars=[BUSY],
        business_hours="09:00-12:00",
    )
    assert narrow["slots"] == []


# --- bad input: a tool error with the command's lines, and the server goes on -----------------


async def test_bad_input_is_a_tool_error_and_the_server_goes_on(client: Client) -> None:
    message = await error(client, "calendar", trip=BAD)
    assert f"<trip>:{BAD_LINE}: items[4].attendees[1]: unknown person 'carl'" in message
    assert "unknown person" in await error(client, "invitations", trip=BAD)
    assert "'customer'" in await error(client, "calendar", trip=TEXT, audience="boss")
    assert "lang: 'xx-zz' is not a locale Babel knows" in await error(
        client, "calendar", trip=TEXT, lang="xx-zz"
    )
    assert "lang: 'xx-zz'" in await error(client, "briefing_sheet", trip=TEXT, lang=["es", "xx-zz"])
    assert "duration: '1x' is not a duration" in await error(
        client, "free_slots", trip=TEXT, day="2027-03-11", duration="1x"
    )
    assert "duration: '2d' is out of range; expected more than 0m and at most 1d" in await error(
        client, "free_slots", trip=TEXT, day="2027-03-11", duration="2d"
    )
    assert "day: '1800-01-01' is out of range; expected a date from 1900 to 2200" in await error(
        client, "free_slots", trip=TEXT, day="1800-01-01", duration="1h"
    )
    assert "first..last: '2027-03-13..2027-03-07' ends before it starts" in await error(
        client, "facts", country="CL", first="2027-03-13", last="2027-03-07"
    )
    assert "international_buffer: 'soon'" in await error(
        client, "check_trip", trip=TEXT, thresholds={"international_buffer": "soon"}
    )
    assert "unknown check code 'nope'" in await error(
        client, "check_trip", trip=TEXT, disable=["nope"]
    )
    assert "calendars[0]: not an iCalendar file" in await error(
        client, "free_slots", trip=TEXT, day="2027-03-11", duration="1h", calendars=["hello"]
    )
    assert "'XX' is not an ISO 3166-1" in await error(
        client, "facts", country="XX", first="2027-03-07", last="2027-03-13"
    )
    assert (await call(client, "validate_trip", trip=TEXT))["ok"] is True


async def test_nothing_is_written_where_the_server_runs(
    client: Client, server_folder: Path
) -> None:
    await call(client, "calendar", trip=TEXT)
    await call(client, "briefing_sheet", trip=TEXT)
    assert list(server_folder.iterdir()) == []


def test_without_the_sdk_one_line_and_exit_2() -> None:
    hidden = "import sys; sys.modules['mcp'] = None; from tripplan._cli import main; sys.exit(main(['mcp']))"
    done = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "tripplan mcp needs the MCP SDK: pip install 'tripplan[mcp]'\n"


def test_the_tools_take_every_threshold_the_command_takes() -> None:
    """``Thresholds`` (the tool's declared input) and ``_arguments.THRESHOLDS`` (what parses
    each value, shared with the command's flags) name the same thresholds."""
    assert list(Thresholds.model_fields) == list(THRESHOLDS)
