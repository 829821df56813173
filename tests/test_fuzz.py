"""Hostile trip files through every command: exit 0, 1 or 2, never a traceback, nothing written
on exit 2.

Hypothesis mutates the bundled trips — as data (deleted, duplicated and retyped values, huge
numbers, extreme dates, control and other unusual characters, deep nesting) and as bytes (a BOM,
CRLF line ends, invalid UTF-8, truncation) — in YAML, JSON and TOML. Every mutation goes through
``check``; those that load go through every command that writes. The inputs that crashed the
command before are kept as explicit cases at the end.
"""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripplan._cli import main

from ._mutations import BYTE_MUTATIONS, SEEDS, dump, mutated, toml_text

WRITERS: list[list[str]] = [
    ["ics", "{trip}", "-o", "{out}/trip.ics"],
    ["ics", "{trip}", "-o", "{out}/customer.ics", "--audience", "team"],
    ["invites", "{trip}", "-o", "{out}/invites"],
    ["brief", "{trip}", "-o", "{out}/sheet.html"],
    ["brief", "{trip}", "-o", "{out}/sheet.md"],
    ["brief", "{trip}", "-o", "{out}/sheet.txt", "--lang", "es,en"],
    ["build", "{trip}", "--out", "{out}/build"],
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = _run_printing(argv, capsys)
    return code, err


def _run_printing(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_json(argv: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With ``--format json`` what is printed is one JSON document, whatever the input: the
    outcome, or on exit 2 the problems or the error, and nothing on standard error."""
    code, printed, err = _run_printing(argv, capsys)
    _assert_clean(code, err, argv, out)
    report = json.loads(printed)
    assert err == "" or code != 2, (err, argv)
    if code == 2:
        assert "problems" in report or "error" in report, (report, argv)


def _assert_clean(code: int, err: str, argv: list[str], out: Path) -> None:
    assert code in (0, 1, 2), (code, err, argv)
    assert "Traceback" not in err and "internal error" not in err, (err, argv)
    if code == 2:
        assert not out.exists() or not any(out.iterdir()), ("written on exit 2", argv)


def exercise(data: bytes, suffix: str, tmp: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """Run ``check`` on the file and, when it loads, every command that writes; return the
    check's exit code."""
    tmp.mkdir(parents=True, exist_ok=True)
    trip = tmp / f"trip.{suffix}"
    trip.write_bytes(data)
    out = tmp / "out"
    code, err = _run(["check", str(trip)], capsys)
    _assert_clean(code, err, ["check"], out)
    _assert_json(["check", str(trip), "--format", "json"], out, capsys)
    code_timeline, err = _run(["timeline", str(trip)], capsys)
    _assert_clean(code_timeline, err, ["timeline"], out)
    if code == 2:
        return code
    for n, template in enumerate(WRITERS):
        target = tmp / f"out{n}"  # one folder per command: what it wrote, and only that
        argv = [part.format(trip=trip, out=target) for part in template]
        result, err = _run(argv, capsys)
        _assert_clean(result, err, argv, target)
    built = tmp / "json"
    _assert_json(["build", str(trip), "--out", str(built), "--format", "json"], built, capsys)
    return code


_SETTINGS = settings(
    max_examples=700,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("kind", ["yaml", "json", "toml"])
@_SETTINGS
@given(document=mutated(), mutation=st.sampled_from(sorted(BYTE_MUTATIONS)))
def test_mutated_trips_never_crash_a_command(
    kind: str,
    document: dict[str, Any],
    mutation: str,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = BYTE_MUTATIONS[mutation](dump(document, kind))
    exercise(data, kind, tmp_path_factory.mktemp("fuzz"), capsys)


# --- the inputs that crashed the command, kept -------------------------------------------------


def _reference(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(SEEDS[0])
    document.update(changes)
    return document


def _item(index: int, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(SEEDS[0])
    document["items"][index].update(changes)
    return document


REGRESSIONS: dict[str, tuple[str, bytes]] = {
    "5000-digit integer": (
        "json",
        b'{"id": "x", "traveller": "d", "people": {"d": {"name": "D"}}, "items": [], "reminders": {"flight": '
        + b"9" * 5000
        + b"}}",
    ),
    "500 nested brackets json": ("json", b"[" * 500 + b"]" * 500),
    "500 nested brackets yaml": ("yaml", b"a: " + b"[" * 500 + b"]" * 500),
    "500 nested brackets toml": ("toml", b"a = " + b"[" * 500 + b"]" * 500),
    "year 1": (
        "json",
        json.dumps(_item(0, depart="0001-01-01 00:10", arrive="0001-01-01 09:00")).encode(),
    ),
    "year 9999": (
        "json",
        json.dumps(_item(0, depart="9999-12-31 20:00", arrive="9999-12-31 23:59")).encode(),
    ),
    "year 9999 stay": (
        "json",
        json.dumps(_item(2, check_in="9999-12-30 14:00", check_out="9999-12-31 23:00")).encode(),
    ),
    "huge reminder": (
        "json",
        json.dumps(_reference(reminders={"flight": "99999999999999999999d"})).encode(),
    ),
    "control characters in yaml": ("yaml", b"id: x\x07\ntraveller: d\npeople: {d: {name: D}}\n"),
    "line break in title": (
        "json",
        json.dumps(_reference(title="Trip\nATTENDEE;CN=Mallory:mailto:m@evil.example")).encode(),
    ),
    "line break in meeting title": (
        "json",
        json.dumps(_item(5, title="IT day\r\nBEGIN:VALARM")).encode(),
    ),
    "line break in a name": (
        "json",
        json.dumps(
            {
                **SEEDS[0],
                "people": {
                    **SEEDS[0]["people"],
                    "dana": {**SEEDS[0]["people"]["dana"], "name": "Dana\r\nBcc: all@evil.example"},
                },
            }
        ).encode(),
    ),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_inputs_that_once_crashed(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kind, data = REGRESSIONS[name]
    exercise(data, kind, tmp_path, capsys)


def test_the_seeds_load() -> None:
    """The fuzzer starts from trips that load (else it would only test the first error)."""
    for seed in SEEDS:
        assert isinstance(tomllib.loads(toml_text(seed)), dict)
