"""Benchmark: tripplan's calendar for a 10,000-event trip against plain icalendar building the same.

Run: python benchmarks/bench_ics.py [--items 10000] [--repeat 3]

"Plain icalendar" builds and serializes the same VEVENTs: every property, parameter and alarm of
tripplan's own output, added one by one with ``Component.add`` (the values computed beforehand,
as a script that already knows them would have them), and the same VTIMEZONEs; the ratio is
tripplan's time, from the trip to the bytes, over it. Peak memory is measured with tracemalloc around tripplan's build and
serialization. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar

sys.path.insert(0, str(Path(__file__).parent))

from bench_load_check import generate

import tripplan
from tripplan._ics import build_calendar

NOW = datetime(2027, 1, 1, tzinfo=UTC)


Props = list[tuple[str, object, dict[str, str]]]


def natural(component: icalendar.cal.component.Component, name: str, value: Any) -> object:
    """The value as a script would hold it: str, datetime, timedelta, list, float pair."""
    if name in ("DTSTART", "DTEND", "DTSTAMP", "GEO", "SEQUENCE", "TRIGGER"):
        return component.decoded(name)
    if name == "CATEGORIES":
        return [str(c) for c in value.cats]
    if isinstance(value, icalendar.vDuration):
        return value.dt
    return str(value)


def properties(component: icalendar.cal.component.Component) -> Props:
    items: list[tuple[str, Any]] = component.property_items(recursive=False)
    return [
        (name, natural(component, name, value), dict(value.params))
        for name, value in items
        if name not in ("BEGIN", "END")
    ]


def plain(events: list[tuple[Props, list[Props]]], zones: list[Any]) -> bytes:
    """What a script using icalendar directly would do for the same events."""
    calendar = icalendar.Calendar.new(prodid="-//bench//EN", method="PUBLISH", name="bench")
    for zone in zones:
        calendar.add_component(zone)
    for props, alarms in events:
        event = icalendar.Event()
        for name, value, params in props:
            event.add(name, value, parameters=params)
        for alarm_props in alarms:
            alarm = icalendar.Alarm()
            for name, value, params in alarm_props:
                alarm.add(name, value, parameters=params)
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trip = tripplan.Trip.model_validate(generate(args.items))
    reference = build_calendar(trip, now=NOW)
    zones = list(reference.walk("VTIMEZONE"))
    events = [
        (properties(e), [properties(a) for a in e.walk("VALARM")]) for e in reference.walk("VEVENT")
    ]
    same = plain(events, zones).split(b"BEGIN:VEVENT", 1)[1]
    assert same == reference.to_ical().split(b"BEGIN:VEVENT", 1)[1], (
        "the baseline must build the same events"
    )
    ours = best(lambda: build_calendar(trip, now=NOW).to_ical(), args.repeat)
    theirs = best(lambda: plain(events, zones), args.repeat)
    tracemalloc.start()
    build_calendar(trip, now=NOW).to_ical()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("| events | tripplan (s) | plain icalendar (s) | ratio | peak memory (MB) |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {len(events):,} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} | {peak / 2**20:.0f} |"
    )


if __name__ == "__main__":
    main()
