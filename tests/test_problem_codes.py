"""Every problem carries a stable code; ``--format json`` prints a trip that does not load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tripplan import TripFileError, parse_trip
from tripplan._cli import main
from tripplan._exceptions import PROBLEM_CODES, Problem

from .support import EXAMPLES

BROKEN = """\
id: x
traveller: dana
people: {dana: {name: Dana}}
places: {}
items:
  - {type: meeting, title: A, start: "2027-03-14 02:30", end: "2027-03-14 03:00", place: JFK, attendees: [bob]}
  - {type: meeting, title: B, start: "2027-03-14 04:30", end: "2027-03-14 03:00", place: JFK, cabbin: 1}
  - {type: meeting, start: "2027-11-07 01:30", end: "2027-11-07 03:00", place: JFK}
  - {type: flight, carrier: LA, number: 501, from: SCL, to: MIA, depart: 3, arrive: "2027-03-08 09:05"}
  - {type: transfer, from: SCL, to: nowhere, start: "2027-03-08 10:15", end: "2027-03-08 11:15"}
  - {type: meeting, title: C, start: "2027-03-09 10:00", end: "2027-03-09 11:00", place: JFK, status: maybe}
  - {type: stay, place: JFK, check_in: "2027-03-20 15:00"}
"""


def codes(text: str, format: str = "yaml") -> list[tuple[str, str]]:
    with pytest.raises(TripFileError) as caught:
        parse_trip(text, format=format)  # type: ignore[arg-type]
    return [(p.path, p.code) for p in caught.value.problems]


def test_each_kind_of_problem_has_its_code() -> None:
    assert codes(BROKEN) == [
        ("items[0].start", "dst-gap"),
        ("items[0].attendees[0]", "unknown-reference"),
        ("items[1].end", "time-order"),
        ("items[1]", "unknown-field"),
        ("items[2].start", "dst-fold"),
        ("items[3].depart", "wrong-type"),
        ("items[4].to", "unknown-reference"),
        ("items[5].status", "bad-value"),
        ("items[6]", "missing-field"),
    ]
    assert {code for _, code in codes(BROKEN)} <= set(PROBLEM_CODES)


@pytest.mark.parametrize(
    ("text", "format"),
    [("a: [1", "yaml"), ('{"a": 1,}', "json"), ("a = ", "toml"), ("a: 1\na: 2\n", "yaml")],
)
def test_syntax_errors_have_the_syntax_code(text: str, format: str) -> None:
    assert [code for _, code in codes(text, format)] == ["syntax"]


def test_a_given_code_is_kept_and_not_compared() -> None:
    assert Problem("anything", code="dst-gap").code == "dst-gap"
    assert Problem("x", code="syntax") == Problem("x", code="bad-value")
    assert Problem("not UTF-8 text (invalid byte at offset 3)").code == "encoding"


@pytest.mark.parametrize("command", ["check", "timeline"])
def test_json_format_prints_the_problems_of_a_trip_that_does_not_load(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    code = main([command, str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (2, "")
    report = json.loads(out)
    assert report["file"] == str(path)
    first = report["problems"][0]
    assert set(first) == {"file", "line", "path", "message", "code"}
    assert (first["file"], first["line"], first["path"], first["code"]) == (
        str(path),
        6,
        "items[0].start",
        "dst-gap",
    )
    assert [p["code"] for p in report["problems"]][-1] == "missing-field"


def test_json_format_of_a_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",\n  "items": [}', encoding="utf-8")
    assert main(["check", str(path), "--format", "json"]) == 2
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["line"], problem["path"], problem["code"]) == (2, "", "syntax")


def test_text_format_still_prints_lines_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[0].startswith(f"{path}:6: items[0].start: ")


def test_timeline_json_of_a_good_trip(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["timeline", str(EXAMPLES / "santiago-customer-visit.yaml"), "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["trip"] == "scl-2027-03" and report["items"][0]["type"] == "flight"
