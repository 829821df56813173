"""Benchmark: reading the traveller's calendar feeds, bounded.

Run: python benchmarks/bench_feeds.py [--events 100000] [--repeat 3]

Generates two feeds in a temporary folder and reads each in a fresh child process (so the time
includes importing tripplan, and the peak memory is the process's own, ``ru_maxrss``):

* a feed of ``--events`` events (100,000 by default, about 15 MB): one-off meetings, four a day
  from 2000 on (into the 2060s), and 100 weekly series without an end; read for the week of a
  trip in March 2027 with ``read_calendar(path, window=...)`` and expanded with ``busy_events``
  (targets: at most 3 s and 300 MB). For comparison, the same without a window: the whole feed
  parsed.
* a feed of one event that recurs every second since 2000 with no end (about 300 bytes): it
  must end, in under 2 s, in a ``FeedError`` that says why.
* the command: ``tripplan check examples/santiago-customer-visit.yaml --calendar <feed>`` with
  the large feed (``_schedule.traveller_busy`` reads it for the trip's span).

Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
TRIP = ROOT / "examples" / "santiago-customer-visit.yaml"
WINDOW = ("2027-03-07T00:00:00+00:00", "2027-03-14T00:00:00+00:00")

EVERY_SECOND = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//runaway//EN\r\nBEGIN:VEVENT\r\n"
    "UID:every-second@bench\r\nDTSTAMP:20000101T000000Z\r\nDTSTART:20000101T000000Z\r\n"
    "DTEND:20000101T000001Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Every second\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)

# Run in a child: read, expand, and report time, peak memory and what came out.
_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from datetime import datetime
from tripplan import FeedError, busy_events, read_calendar
path, mode, low, high = sys.argv[1:]
window = (datetime.fromisoformat(low), datetime.fromisoformat(high))
try:
    calendar = read_calendar(path, window=window if mode == "window" else None)
    outcome = f"{len(busy_events(calendar, *window, source=path))} events"
except FeedError as error:
    outcome = f"FeedError: {error.reason}"
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "outcome": outcome,
}))
"""


class Result(TypedDict):
    seconds: float
    peak_mb: float | None
    outcome: str


def history_feed(path: Path, events: int) -> None:
    """``events`` events: 100 weekly series without an end, the rest one-off meetings, four a
    day from 1 January 2000 on (100,000 events reach into 2068)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//history//EN"]
    series = min(100, events)
    for n in range(series):
        start = datetime(2020, 1, 6, 8, tzinfo=UTC) + timedelta(days=n % 5, minutes=5 * n)
        lines += [
            "BEGIN:VEVENT",
            f"UID:series-{n}@bench",
            "DTSTAMP:20200101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
            "RRULE:FREQ=WEEKLY",
            f"SUMMARY:Series {n}",
            "END:VEVENT",
        ]
    first = datetime(2000, 1, 1, 8, tzinfo=UTC)
    for n in range(events - series):
        start = first + timedelta(days=n // 4, hours=2 * (n % 4))
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{n}@bench",
            "DTSTAMP:20200101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(minutes=45):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:Meeting {n}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def child(path: Path, mode: str) -> Result:
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode, *WINDOW],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    data = json.loads(run.stdout)
    return Result(seconds=data["seconds"], peak_mb=data["peak_mb"], outcome=data["outcome"])


# The command in a child process, printing its peak memory at exit.
_PEAK = """
import atexit, resource, sys
def peak():
    print("PEAK_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
atexit.register(peak)
"""
_TODAY = (
    _PEAK
    + """
import runpy
sys.argv[0] = "tripplan"
runpy.run_module("tripplan", run_name="__main__", alter_sys=True)
"""
)


def command(path: Path) -> Result:
    started = time.perf_counter()
    run = subprocess.run(
        [
            *(sys.executable, "-c", _TODAY),
            *("check", str(TRIP), "--calendar", str(path)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - started
    peaks = [line.split()[1] for line in run.stderr.splitlines() if line.startswith("PEAK_MB ")]
    last = (run.stdout.strip().splitlines() or [""])[-1]
    return Result(
        seconds=seconds,
        peak_mb=float(peaks[-1]) if peaks else None,
        outcome=f"exit {run.returncode}: {last}",
    )


def best(runs: list[Result]) -> Result:
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-command", action="store_true", help="skip the command's run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        history = Path(folder) / "history.ics"
        history_feed(history, args.events)
        runaway = Path(folder) / "runaway.ics"
        runaway.write_text(EVERY_SECOND, encoding="utf-8")
        size = history.stat().st_size
        rows = [
            (
                f"{args.events:,} events ({size / 1e6:.1f} MB), `read_calendar(window=…)` + "
                "`busy_events`",
                best([child(history, "window") for _ in range(args.repeat)]),
            ),
            (
                f"{args.events:,} events, `read_calendar()` (no window) + `busy_events`",
                best([child(history, "whole") for _ in range(1)]),
            ),
            (
                f"every second since 2000 ({len(EVERY_SECOND)} bytes), with a window",
                best([child(runaway, "window") for _ in range(args.repeat)]),
            ),
        ]
        if not args.no_command:
            rows.append(
                (
                    f"`tripplan check … --calendar` with the {args.events:,}-event feed",
                    best([command(history) for _ in range(args.repeat)]),
                )
            )
    print("| feed, how it is read | wall time | peak memory | outcome |")
    print("|---|---:|---:|---|")
    for label, result in rows:
        peak = result["peak_mb"]
        memory = f"{peak:.0f} MB" if peak is not None else "—"
        outcome = result["outcome"]
        outcome = outcome if len(outcome) <= 90 else outcome[:87] + "…"
        print(f"| {label} | {result['seconds']:.2f} s | {memory} | {outcome} |")


if __name__ == "__main__":
    main()
