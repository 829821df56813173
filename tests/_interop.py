"""What real calendar clients' parsers make of an .ics file, for tests that check tripplan's output.

A calendar is right only if the programs people open it in read it right, and icalendar reading
back its own output proves little. So tests run two independent parsers on the file:

* ical.js, Thunderbird's, under ``node`` (``tests/interop/icaljs-read.mjs``; install it with
  ``npm ci`` in ``tests/interop``);
* libical, Evolution's, through its GObject binding, which is a Debian package rather than a PyPI
  one and so runs in Debian's own ``/usr/bin/python3`` (``tests/interop/libical-read.py``;
  ``apt-get install gir1.2-ical-3.0 python3-gi``).

A missing tool fails the test with the command that installs it: the project's CI installs both,
and a skipped interop test would hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["LibicalResult", "ParsedEvent", "ParserUnavailable", "read_icaljs", "read_libical"]

INTEROP = Path(__file__).parent / "interop"
DEBIAN_PYTHON = Path("/usr/bin/python3")
_TIMEOUT = 120  # seconds; a parser that hangs fails the test instead of the whole run


class ParserUnavailable(RuntimeError):
    """A parser or the program that runs it is not installed; the message says how to install it."""


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """One VEVENT as a parser understood it. All-day events have midnight UTC of their dates."""

    uid: str
    summary: str
    start_utc: datetime
    end_utc: datetime
    all_day: bool


@dataclass(frozen=True, slots=True)
class LibicalResult:
    """libical's events, whether its restriction check passed, and the X-LIC-ERRORs it added."""

    events: list[ParsedEvent]
    restrictions_ok: bool
    errors: list[str]


def read_icaljs(path: str | PathLike[str]) -> list[ParsedEvent]:
    """The events of ``path`` as ical.js reads them, every VTIMEZONE of the file registered."""
    node = shutil.which("node")
    if node is None:
        raise ParserUnavailable(
            "node is not installed: apt-get install -y nodejs npm, then run npm ci in tests/interop"
        )
    if not (INTEROP / "node_modules" / "ical.js" / "package.json").is_file():
        raise ParserUnavailable(f"ical.js is not installed: run npm ci in {INTEROP}")
    return _events(_run([node, str(INTEROP / "icaljs-read.mjs"), str(path)]))


def read_libical(path: str | PathLike[str]) -> LibicalResult:
    """The events of ``path`` as libical reads them, with its restriction check's verdict."""
    if not DEBIAN_PYTHON.is_file():
        raise ParserUnavailable(
            f"{DEBIAN_PYTHON} is missing: apt-get install -y python3 python3-gi gir1.2-ical-3.0"
        )
    output = _run([str(DEBIAN_PYTHON), str(INTEROP / "libical-read.py"), str(path)])
    return LibicalResult(
        events=_events(output),
        restrictions_ok=bool(output["restrictions_ok"]),
        errors=[str(e) for e in output["errors"]],
    )


def _run(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    if done.returncode == 3:  # libical-read.py: the binding is missing
        raise ParserUnavailable(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _events(output: dict[str, Any]) -> list[ParsedEvent]:
    return [
        ParsedEvent(
            uid=e["uid"],
            summary=e["summary"],
            start_utc=datetime.fromisoformat(e["start"]),
            end_utc=datetime.fromisoformat(e["end"]),
            all_day=e["all_day"],
        )
        for e in output["events"]
    ]
