"""Every command that prints can print JSON: its outcome, or what is wrong, with a stable kind
or code, so a program (an assistant's script) never has to parse the text meant for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tripplan import FINDING_CODES, PROBLEM_CODES
from tripplan._cli import main
from tripplan._mcp_types import InvitationOut, Recipient

from ._radicale import RadicaleServer
from ._smtp import smtp_server
from .support import DATA, EXAMPLES

REFERENCE = str(EXAMPLES / "santiago-customer-visit.yaml")
FINDINGS = str(DATA / "findings.yaml")

#: Each command that prints, with the arguments it needs (``OUT`` is replaced by a path in a
#: temporary folder) and the flag that asks for JSON.
COMMANDS: dict[str, tuple[list[str], str]] = {
    "check": (["check", "TRIP"], "--format"),
    "timeline": (["timeline", "TRIP"], "--format"),
    "free": (["free", "TRIP", "--day", "2027-03-11", "--duration", "1h"], "--format"),
    "ics": (["ics", "TRIP", "-o", "OUT/trip.ics"], "--format"),
    "invites": (["invites", "TRIP", "-o", "OUT/invites"], "--format"),
    "brief": (["brief", "TRIP", "-o", "OUT/sheet.html"], "--report"),
    "build": (["build", "TRIP", "--out", "OUT/build"], "--format"),
}


def run_json(
    capsys: pytest.CaptureFixture[str], argv: list[str], trip: str, out: Path
) -> tuple[int, Any, str]:
    args = [a.replace("TRIP", trip).replace("OUT", str(out)) for a in argv]
    code = main(args)
    printed, err = capsys.readouterr()
    return code, json.loads(printed), err


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_prints_its_outcome_as_json(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, flag = COMMANDS[name]
    code, report, err = run_json(capsys, [*argv, flag, "json"], REFERENCE, tmp_path)
    assert (code, err) == (0, ""), err
    for path in report.get("wrote", []):
        assert Path(path).is_file() and Path(path).is_relative_to(tmp_path)
    if name in {"ics", "invites", "brief", "build"}:
        assert report["wrote"], report
        assert report["file"] == REFERENCE


@pytest.mark.parametrize("name", COMMANDS)
def test_a_trip_that_does_not_load_is_json_too(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(REFERENCE)
        .read_text(encoding="utf-8")
        .replace("attendees: [dana,", "attendees: [carl,", 1),
        encoding="utf-8",
    )
    argv, flag = COMMANDS[name]
    code, report, err = run_json(capsys, [*argv, flag, "json"], str(bad), tmp_path)
    assert (code, err) == (2, "")
    [problem] = report["problems"]
    assert problem["code"] == "unknown-reference" and problem["code"] in PROBLEM_CODES
    assert problem["file"] == str(bad) and problem["line"] > 1
    assert problem["path"].startswith("items[") and "carl" in problem["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]  # nothing written


def test_other_errors_carry_their_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = run_json(
        capsys,
        ["ics", REFERENCE, "-o", str(tmp_path / "t.ics"), "--lang", "zz", "--format", "json"],
        REFERENCE,
        tmp_path,
    )
    assert code == 2 and report["error"]["kind"] == "option"
    assert "'zz'" in report["error"]["message"]
    code, report, _ = run_json(
        capsys, ["ics", REFERENCE, "-o", str(tmp_path), "--format", "json"], REFERENCE, tmp_path
    )
    assert code == 2 and report["error"] == {
        "kind": "file",
        "message": f"{tmp_path}: is a folder; name a file to write",
    }


def test_free_slots_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["free", REFERENCE, "--day", "2027-03-10", "--duration", "2h", "--format", "json"]
    code, report, _ = run_json(capsys, argv, REFERENCE, tmp_path)
    assert code == 0 and report["day"] == "2027-03-10" and report["duration"] == "2h"
    # 11:00-12:30 the CEO meeting and 20:30 the dinner: free from 08:00 and from 12:30 on.
    starts = [slot["start"] for slot in report["slots"]]
    assert starts[0] == "2027-03-10T08:00:00-03:00"
    assert all(slot["timezone"] == "America/Santiago" for slot in report["slots"])


def test_build_json_holds_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same findings as ``check --format json``, beside the files written."""
    trip = tmp_path / "late.yaml"
    text = Path(REFERENCE).read_text(encoding="utf-8")
    trip.write_text(text.replace("start: 2027-03-10 11:00", "start: 2027-03-10 06:00", 1), "utf-8")
    argv = ["build", str(trip), "--out", str(tmp_path / "b"), "--format", "json"]
    code, built, _ = run_json(capsys, argv, str(trip), tmp_path)
    _, checked, _ = run_json(capsys, ["check", str(trip), "--format", "json"], str(trip), tmp_path)
    assert code == 0 and built["findings"] == checked["findings"] != []
    assert {f["code"] for f in built["findings"]} <= set(FINDING_CODES)
    assert built["summary"] == checked["summary"]
    assert str(tmp_path / "b" / "trip.ics") in built["wrote"]


@pytest.mark.usefixtures("no_smtp_login")
def test_invitations_as_json_name_their_recipients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_server() as server:
        argv = ["invites", REFERENCE, "-o", str(tmp_path / "i"), "--send", server.url()]
        code, report, err = run_json(capsys, [*argv, "--format", "json"], REFERENCE, tmp_path)
        received = list(server.recorder.messages)
    assert (code, err) == (0, "")
    assert len(report["sent"]) == len(received) == len(report["invitations"]) == 4
    ceo = next(i for i in report["invitations"] if "future" in i["filename"])
    assert ceo["method"] == "REQUEST"
    assert "ribanez@cordillera.example" in {r["email"] for r in ceo["recipients"]}
    written = Calendar.from_ical((tmp_path / "i" / ceo["filename"]).read_bytes())
    assert str(written.events[0]["UID"]) == ceo["uid"]
    assert ceo["subject"].endswith(str(written.events[0]["SUMMARY"]))  # "Invitación: …"
    # The command and the MCP server's invitations tool describe an invitation alike (the tool
    # adds its iCalendar text).
    for invitation in report["invitations"]:
        assert [*invitation, "ics"] == list(InvitationOut.model_fields)
        assert [*invitation["recipients"][0]] == list(Recipient.model_fields)


def test_publish_as_json(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caldav_login: RadicaleServer,
) -> None:
    radicale_server = caldav_login
    collection = radicale_server.make_calendar("json-publish")
    argv = ["publish", REFERENCE, "--caldav", collection, "--format", "json"]
    code, report, _ = run_json(capsys, argv, REFERENCE, tmp_path)
    assert code == 0 and len(report["created"]) == len(radicale_server.get_all(collection)) == 11
    code, again, _ = run_json(capsys, argv, REFERENCE, tmp_path)
    assert code == 0 and sorted(again["unchanged"]) == sorted(report["created"])
    assert set(again["hrefs"]) == set(report["created"])
    monkeypatch.setenv("TRIPPLAN_CALDAV_PASSWORD", "wrong")
    code, failed, _ = run_json(capsys, argv, REFERENCE, tmp_path)
    assert code == 2 and failed["error"]["kind"] == "caldav" and "401" in failed["error"]["message"]
