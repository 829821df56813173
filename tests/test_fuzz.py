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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripplan._cli import main

from .support import DATA, EXAMPLES

SEEDS: list[dict[str, Any]] = [
    json.loads((DATA / "santiago-customer-visit.json").read_text(encoding="utf-8")),
    *(yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.yaml"))),
]

ODD_TEXT = [
    "",
    " ",
    "\n",
    "Line\nBreak",
    "Carriage\rReturn",
    "Next\u0085Line",
    "Tab\tbed",
    "\x00nul",
    "\x1b[31mred",
    "BEGIN:VALARM",
    "x\r\nATTENDEE;CN=Mallory:mailto:m@evil.example",
    "<script>alert(1)</script>",
    "# heading\n===",
    "\u202eevil",
    "\ud7ff\ue000\ufffd",
    "😀" * 50,
    "A" * 10_000,
    "9" * 5_000,
    "2027-02-30 10:00",
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "1900-01-01 00:00",
    "2027-03-09 09:00+14:00",
    "99999999999999999999d",
    "0m",
    "-1h",
    "XQX",
    "Mars/Olympus",
    "UTC",
    "Etc/GMT+12",
    "zz",
]
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    float("inf"),
    [],
    {},
    [None],
    {"": None},
    *ODD_TEXT,
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        document = document[part]
    return document


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(document, path)
        action = draw(st.sampled_from(["delete", "replace", "duplicate", "nest", "rename"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=30))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        elif action == "nest":
            parent[path[-1]] = _nested(draw(st.sampled_from([3, 60, 600])))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(ODD_TEXT[:12]))] = parent.pop(path[-1])
    return document


def _dump(document: Any, kind: str) -> bytes:
    try:
        if kind == "json":
            return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
        if kind == "yaml":
            text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10**6)
            return text.encode("utf-8", "surrogatepass")
        return _toml(document).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError, yaml.YAMLError):
        return json.dumps(str(document)[:1000]).encode("utf-8", "surrogatepass")


def _toml(document: Any) -> str:
    """A minimal TOML writer (only for fuzzing): inline tables and arrays throughout."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v) if v == v and abs(v) != float("inf") else "nan"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v if x is not None) + "]"
        if isinstance(v, dict):
            return (
                "{"
                + ", ".join(
                    f"{json.dumps(str(k))} = {value(x)}" for k, x in v.items() if x is not None
                )
                + "}"
            )
        return '""'

    if not isinstance(document, dict):
        return "x = 1"
    return "\n".join(
        f"{json.dumps(str(k))} = {value(v)}" for k, v in document.items() if v is not None
    )


BYTE_MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda data: data,
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "invalid-utf8": lambda data: data[: len(data) // 2] + b"\xff\xfe\xc3" + data[len(data) // 2 :],
    "truncated": lambda data: data[: len(data) * 2 // 3],
    "nul": lambda data: data.replace(b":", b":\x00", 1),
}

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
    data = BYTE_MUTATIONS[mutation](_dump(document, kind))
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
        assert isinstance(tomllib.loads(_toml(seed)), dict)
