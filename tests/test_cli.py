"""The command: exit codes, one line per problem, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tripplan._cli import main

from ._interop import assert_clients_agree
from ._radicale import RadicaleServer
from .support import DATA, EXAMPLES

REFERENCE = str(EXAMPLES / "santiago-customer-visit.yaml")
FINDINGS = str(DATA / "findings.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_clean_plan_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", REFERENCE)
    assert (code, err) == (0, "")
    assert out.startswith("scl-2027-03: 0 errors, 0 warnings, 0 notes (tzdata 20")


def test_check_with_error_findings_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", FINDINGS)
    assert code == 1
    assert f"{FINDINGS}: error[overlap] items[4], items[5]: 'Architecture review'" in out
    assert out.splitlines()[-1].startswith("findings-demo: 2 errors, 2 warnings, 1 note")


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", FINDINGS, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"] == {"error": 2, "warning": 2, "note": 1}
    assert report["tzdata"] and report["trip"] == "findings-demo"
    assert report["findings"][0]["code"] == "flight-too-fast"


def test_thresholds_and_disabling_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "check",
        FINDINGS,
        "--international-buffer",
        "30m",
        "--disable",
        "overlap",
        "--disable",
        "flight-too-fast",
    )
    assert code == 0
    assert "arrival-buffer" not in out and "overlap" not in out
    code, _, err = run(capsys, "check", FINDINGS, "--disable", "overlapp")
    assert code == 2 and "unknown check code 'overlapp'" in err
    with pytest.raises(SystemExit) as caught:
        main(["check", FINDINGS, "--min-connection", "soon"])
    assert caught.value.code == 2 and "'soon' is not a duration" in capsys.readouterr().err


def test_bad_input_exits_2_with_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: t\ntraveller: nobody\npeople: {d: {name: D, side: them}}\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "check", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}:2: traveller: unknown person 'nobody'; expected a key of people (d)",
        f"{bad}:3: people.d.side: got the text 'them'; expected 'team' or 'customer'; "
        "did you mean 'team'?",
    ]


def test_build_writes_outputs_and_nothing_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], radicale_server: RadicaleServer
) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run(capsys, "build", REFERENCE, "--out", str(out_dir))
    assert code == 0
    timeline = json.loads((out_dir / "timeline.json").read_text(encoding="utf-8"))
    assert timeline["tzdata"] and timeline["items"][1]["end"] == "2027-03-08T09:05:00-03:00"
    assert json.loads((out_dir / "check.json").read_text(encoding="utf-8"))["findings"] == []
    assert sorted(p.name for p in out_dir.iterdir()) == [
        ".tripplan-manifest.json",
        "briefing-en.html",
        "briefing-es.html",
        "check.json",
        "invites",
        "timeline.json",
        "trip.ics",
    ]
    assert "martes, 9 de marzo de 2027" in (out_dir / "briefing-es.html").read_text(
        encoding="utf-8"
    )
    assert len(list((out_dir / "invites").iterdir())) == 4
    for written in [out_dir / "trip.ics", *(out_dir / "invites").iterdir()]:
        assert assert_clients_agree(written, radicale_server)

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: t\n", encoding="utf-8")
    empty = tmp_path / "empty"
    code, _, err = run(capsys, "build", str(bad), "--out", str(empty))
    assert code == 2 and "missing required field 'people'" in err
    assert not empty.exists()


def test_standard_input_and_timeline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    text = Path(REFERENCE).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    code, out, _ = run(capsys, "timeline", "-")
    assert code == 0
    assert "Sun 2027-03-07 22:40 America/New_York → Mon 2027-03-08 09:05 America/Santiago" in out


def test_schema_validates_the_reference_trip(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema
    import yaml

    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    document = yaml.safe_load(Path(REFERENCE).read_text(encoding="utf-8"))
    for item in document["items"]:  # PyYAML 1.1 reads these as datetimes; the file means text
        for key in ("depart", "arrive", "start", "end", "check_in", "check_out"):
            if key in item:
                item[key] = (
                    item[key].strftime("%Y-%m-%d %H:%M")
                    if hasattr(item[key], "hour")
                    else item[key]
                )
    jsonschema.validate(document, schema)
    document["items"][0]["cabbin"] = "economy"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_python_dash_m_and_the_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tripplan", "check", FINDINGS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "error[flight-too-fast]" in result.stdout
    assert "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "tripplan", "check", "nowhere.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "nowhere.yaml: cannot read the file: No such file or directory\n"


def test_ics_command_is_reproducible(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    radicale_server: RadicaleServer,
) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert run(capsys, "ics", REFERENCE, "-o", str(first), "--reproducible")[0] == 0
    assert run(capsys, "ics", REFERENCE, "-o", str(second), "--reproducible")[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(assert_clients_agree(first, radicale_server)) == 11
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert run(capsys, "ics", REFERENCE, "-o", str(second))[0] == 0
    assert b"DTSTAMP:20270115T080000Z" in second.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    code, _, err = run(capsys, "ics", REFERENCE, "-o", str(second))
    assert code == 2 and "SOURCE_DATE_EPOCH='soon' is not a number of seconds" in err


def test_ics_command_audience_and_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], radicale_server: RadicaleServer
) -> None:
    out = tmp_path / "customer.ics"
    code, _, _ = run(
        capsys, "ics", REFERENCE, "-o", str(out), "--audience", "customer", "--lang", "es"
    )
    text = out.read_text(encoding="utf-8")
    assert code == 0 and text.count("BEGIN:VEVENT") == 2 and "Demostración" not in text
    assert len(assert_clients_agree(out, radicale_server)) == 2
    assert "CATEGORIES:Jornada con el equipo de TI" in text


def test_invites_command_with_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], radicale_server: RadicaleServer
) -> None:
    code, out, _ = run(
        capsys, "invites", REFERENCE, "-o", str(tmp_path / "first"), "--reproducible"
    )
    assert code == 0 and out.count("REQUEST ") == 4
    new = tmp_path / "new.yaml"
    new.write_text(
        Path(REFERENCE)
        .read_text(encoding="utf-8")
        .replace("start: 2027-03-10 20:30", "start: 2027-03-10 21:00"),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "invites", str(new), "--since", REFERENCE, "-o", str(tmp_path / "update")
    )
    assert code == 0
    [update] = (tmp_path / "update").iterdir()
    assert update.name == "meeting-dinner-with-andes-partners.ics"
    for written in [update, *(tmp_path / "first").iterdir()]:
        assert len(assert_clients_agree(written, radicale_server)) == 1
    assert "REQUEST meeting-dinner-with-andes-partners.ics (SEQUENCE " in out
    code, out, _ = run(
        capsys, "invites", REFERENCE, "--since", REFERENCE, "-o", str(tmp_path / "none")
    )
    assert (code, out) == (0, "no invitations: nothing changed\n")


@pytest.mark.usefixtures("no_smtp_login")
def test_invites_are_sent_by_mail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import email
    from email import policy

    from ._smtp import smtp_server

    with smtp_server() as server:
        code, out, err = run(
            capsys,
            "invites",
            REFERENCE,
            "-o",
            str(tmp_path / "sent"),
            "--send",
            server.url(),
            "--reproducible",
        )
        received = list(server.recorder.messages)
    assert (code, err) == (0, ""), err
    assert out.count("sent <") == len(received) == 4
    ceo = next(
        m
        for m in received
        if "rodrigo" not in m.mail_from and "ribanez@cordillera.example" in m.rcpt_tos
    )
    message = email.message_from_bytes(ceo.data, policy=policy.default)
    assert ceo.mail_from == "smunoz@andespartners.example"
    assert message["Subject"] == "Invitación: The future of collaboration and productivity"
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert b"UID:" in calendar_part.get_payload(decode=True)


def test_publish_command(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caldav_login: RadicaleServer,
) -> None:
    radicale_server = caldav_login
    collection = radicale_server.make_calendar("cli-publish")
    code, out, err = run(capsys, "publish", REFERENCE, "--caldav", collection, "--reproducible")
    assert (code, err) == (0, "") and len(radicale_server.get_all(collection)) == 11
    assert "11 created" in out
    code, again, _ = run(capsys, "publish", REFERENCE, "--caldav", collection)
    assert code == 0 and "0 created, 0 updated, 0 deleted, 11 unchanged" in again
    monkeypatch.setenv("TRIPPLAN_CALDAV_PASSWORD", "wrong")
    code, _, err = run(capsys, "publish", REFERENCE, "--caldav", collection)
    assert code == 2 and "wrong" not in err and "401" in err


def test_check_and_free_with_the_travellers_own_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    import icalendar

    from tripplan import get_zone

    santiago = get_zone("America/Santiago")
    calendar = icalendar.Calendar.new(prodid="-//test//EN")
    for uid, summary, start, end in [
        ("board@x", "Board call", datetime(2027, 3, 10, 11, 30), datetime(2027, 3, 10, 12, 0)),
        ("gym@x", "Gym", datetime(2027, 3, 11, 9, 0), datetime(2027, 3, 11, 17, 0)),
    ]:
        calendar.add_component(
            icalendar.Event.new(
                uid=uid,
                summary=summary,
                start=start.replace(tzinfo=santiago),
                end=end.replace(tzinfo=santiago),
            )
        )
    feed = tmp_path / "mine.ics"
    feed.write_bytes(calendar.to_ical())
    code, out, _ = run(capsys, "check", REFERENCE, "--calendar", str(feed))
    assert code == 0
    [line] = [line for line in out.splitlines() if "calendar-conflict" in line]
    assert "warning[calendar-conflict] items[6]" in line and "Board call" in line
    code, out, _ = run(
        capsys,
        "free",
        REFERENCE,
        "--day",
        "2027-03-11",
        "--duration",
        "1h",
        "--calendar",
        str(feed),
    )
    assert code == 0
    assert out.splitlines() == [
        "2027-03-11 08:00–09:00 America/Santiago (UTC-0300)",
        "2027-03-11 17:00–19:00 America/Santiago (UTC-0300)",
    ]


# --- hostile use: inputs kept, options bounded, no traceback -------------------------------------


def run_or_exit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``run``, also when argparse itself exits (a bad option value)."""
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["ics", "brief"])
@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_an_output_never_replaces_the_input(
    command: str, spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip = tmp_path / "t.yaml"
    trip.write_bytes(Path(REFERENCE).read_bytes())
    before = trip.read_bytes()
    target = {
        "same": trip,
        "dotted": tmp_path / "." / "sub" / ".." / "t.yaml",
        "symlink": tmp_path / "link.yaml",
        "hardlink": tmp_path / "hard.yaml",
    }[spelling]
    (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        target.symlink_to(trip)
    if spelling == "hardlink":
        target.hardlink_to(trip)
    code, out, err = run(capsys, command, str(trip), "-o", str(target))
    assert code == 2 and "refusing to write" in err and "input file" in err
    assert trip.read_bytes() == before and out == ""


def test_build_never_replaces_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    trip = out_dir / "check.json"  # a trip file that happens to sit where build writes
    trip.write_text(Path(DATA / "santiago-customer-visit.json").read_text(encoding="utf-8"))
    before = trip.read_bytes()
    code, _, err = run(capsys, "build", str(trip), "--out", str(out_dir))
    assert code == 2 and "refusing to write" in err
    assert trip.read_bytes() == before and sorted(p.name for p in out_dir.iterdir()) == [
        "check.json"
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["free", REFERENCE, "--day", "2027-03-09", "--duration", "0m"],
        ["free", REFERENCE, "--day", "2027-03-09", "--duration", "99999999999d"],
        [
            "free",
            REFERENCE,
            "--day",
            "2027-03-09",
            "--duration",
            "1h",
            "--business-hours",
            "19:00-08:00",
        ],
        ["free", REFERENCE, "--day", "9999-12-31", "--duration", "1h"],
        ["facts", "CL", "--dates", "0001-01-01..9999-12-31"],
        ["check", REFERENCE, "--international-buffer", "99999999999999d"],
        ["check", REFERENCE, "--min-connection", "9" * 5000 + "m"],
        ["check", REFERENCE, "--no-travel-km", "0"],
        ["check", REFERENCE, "--attendee-hours", "19:00-08:00"],
        ["check", REFERENCE, "--airport-change-connection", "-1h"],
        ["ics", REFERENCE, "-o", "-", "--lang", "zz"],
        ["brief", REFERENCE, "-o", "-", "--lang", "es,zz"],
    ],
)
def test_every_option_is_validated_in_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_or_exit(capsys, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "internal error" not in err


def test_source_date_epoch_out_of_range(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    code, _, err = run(capsys, "ics", REFERENCE, "-o", "-")
    assert code == 2 and "SOURCE_DATE_EPOCH" in err and "Traceback" not in err


def test_reproducible_bytes_come_from_the_content_not_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(Path(REFERENCE).read_bytes())
    second.write_bytes(Path(REFERENCE).read_bytes())
    import os

    os.utime(first, (1_000_000_000, 1_000_000_000))
    outputs = []
    for source in (first, second):
        target = tmp_path / f"{source.stem}.ics"
        assert run(capsys, "ics", str(source), "-o", str(target), "--reproducible")[0] == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    changed = tmp_path / "c.yaml"
    changed.write_text(first.read_text(encoding="utf-8").replace("Dinner", "Supper"))
    assert run(capsys, "ics", str(changed), "-o", str(tmp_path / "c.ics"), "--reproducible")[0] == 0
    stamp = next(line for line in outputs[0].split(b"\r\n") if line.startswith(b"DTSTAMP"))
    assert stamp not in (tmp_path / "c.ics").read_bytes()


def test_an_internal_error_is_one_line_and_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tripplan import _commands

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("something tripplan did not expect")

    monkeypatch.setattr(_commands, "timeline_lines", broken)
    code, out, err = run(capsys, "timeline", REFERENCE)
    assert code == 70 and out == ""
    assert err == (
        "tripplan: internal error: RuntimeError: something tripplan did not expect "
        "(run with --debug for details)\n"
    )
    code, _, err = run(capsys, "--debug", "timeline", REFERENCE)
    assert code == 70 and "Traceback" in err and "RuntimeError" in err
    monkeypatch.setenv("TRIPPLAN_DEBUG", "1")
    assert "Traceback" in run(capsys, "timeline", REFERENCE)[2]


def test_a_line_break_in_a_key_stays_on_its_problems_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip = json.loads(Path(DATA / "santiago-customer-visit.json").read_text(encoding="utf-8"))
    trip["people"]["bad\nkey\u0085x"] = {"name": "X", "mail": "x"}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(trip), encoding="utf-8")
    code, _, err = run(capsys, "check", str(path))
    lines = err.strip().splitlines()
    assert code == 2 and all(line.startswith(f"{path}") for line in lines), lines


def test_a_language_without_labels_is_a_warning_naming_the_fallback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "brief", REFERENCE, "-o", str(tmp_path / "it.html"), "--lang", "it"
    )
    assert code == 0 and out.startswith("wrote ")
    assert err.startswith("tripplan: warning: no labels in Italian (it)") and "English" in err
    assert run(capsys, "brief", REFERENCE, "-o", str(tmp_path / "es.html"), "--lang", "es")[2] == ""


def test_an_output_that_is_a_folder_is_named_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "ics", REFERENCE, "-o", str(tmp_path))
    assert code == 2 and err == f"tripplan: {tmp_path}: is a folder; name a file to write\n"
    assert list(tmp_path.iterdir()) == []  # no temporary file left beside it either


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_written_files_honour_the_umask_and_keep_a_replaced_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: int, mode: int
) -> None:
    import os

    target = tmp_path / "trip.ics"
    previous = os.umask(umask)
    try:
        assert run(capsys, "ics", REFERENCE, "-o", str(target))[0] == 0
        assert target.stat().st_mode & 0o777 == mode
        target.chmod(0o640)
        assert run(capsys, "brief", REFERENCE, "-o", str(target), "--format", "txt")[0] == 0
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(previous)


def test_a_control_character_in_yaml_is_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"id: x\ntitle: a\x07b\ntraveller: d\n")
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and err == (
        f"{path}:2: YAML syntax error: the control character U+0007 is not allowed in a YAML "
        "file; remove it\n"
    )


def test_an_organizer_without_email_names_the_trip_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip = json.loads((DATA / "santiago-customer-visit.json").read_text(encoding="utf-8"))
    del trip["people"]["dana"]["email"]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(trip), encoding="utf-8")
    code, _, err = run(capsys, "invites", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and err.startswith(f"{path}: items[") and "has no email" in err
    assert not (tmp_path / "out").exists()
