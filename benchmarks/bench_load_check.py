"""Benchmark: load and check generated trips of growing size, with peak memory, from JSON and YAML.

Run: python benchmarks/bench_load_check.py [--sizes 1000,10000,100000] [--repeat 3]
     [--formats json,yaml] [--tracemalloc] [--phases] [--floor]

Each measurement runs in a fresh process (``--child FILE``): it imports tripplan and loads and
checks the reference example first (imports, pydantic's schemas, the airport and zone data are
then paid for), then times ``load_trip`` and ``check`` of the generated file, wall clock, and
reports the process's peak resident memory (``VmHWM``, the whole process: interpreter,
libraries and the trip). The best of ``--repeat`` runs is kept for the times, the largest peak
for the memory. ``--tracemalloc`` adds one more run per file that traces Python's allocations
during load and check (slower, so its time is not used): what the trip itself takes.
``--phases`` adds one run per file timed phase by phase (read, validate, timeline, checks), with
the time the garbage collector took in each. ``--floor`` adds one more such run with the collector
off (in this benchmark's process only, to see what the work itself costs), and for YAML the time
PyYAML takes to give libyaml's events alone, without building anything from them.

Prints a Markdown table for docs/performance.md, the YAML/JSON ratio and the growth exponent
between the two largest sizes (1.0 is linear; n log n shows as slightly above 1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "santiago-customer-visit.yaml"
CITIES = [("SCL", "America/Santiago", "CL"), ("GRU", "America/Sao_Paulo", "BR")]


def generate(n: int) -> dict[str, Any]:
    """A trip of ``n`` items: weeks alternating between Santiago and São Paulo, each with a flight,
    a transfer, a hotel stay and three meetings a weekday."""
    places = {}
    for code, zone, country in CITIES:
        places[f"hotel-{code}"] = {"name": f"Hotel {code}", "country": country, "timezone": zone}
        places[f"office-{code}"] = {"name": f"Office {code}", "country": country, "timezone": zone}
    items: list[dict[str, Any]] = []
    week = date(2027, 1, 4)  # a Monday
    w = 0
    fmt = "%Y-%m-%d %H:%M"
    while len(items) < n:
        code = CITIES[w % 2][0]
        other = CITIES[(w + 1) % 2][0]
        sunday = week - timedelta(days=1)
        items.append(
            {
                "type": "flight",
                "carrier": "LA",
                "number": str(700 + w % 2),
                "from": other,
                "to": code,
                "depart": f"{sunday} 08:00",
                "arrive": f"{sunday} 12:30",
            }
        )
        items.append(
            {
                "type": "transfer",
                "from": code,
                "to": f"hotel-{code}",
                "start": f"{sunday} 13:30",
                "end": f"{sunday} 14:30",
            }
        )
        items.append(
            {
                "type": "stay",
                "place": f"hotel-{code}",
                "check_in": f"{sunday} 15:00",
                "check_out": f"{week + timedelta(days=6)} 06:00",
            }
        )
        for d in range(5):
            day = datetime.combine(week + timedelta(days=d), datetime.min.time())
            for hour in (9, 11, 15):
                start = day.replace(hour=hour)
                items.append(
                    {
                        "type": "meeting",
                        "kind": "demo",
                        "title": f"Meeting {len(items)}",
                        "place": f"office-{code}",
                        "start": start.strftime(fmt),
                        "end": (start + timedelta(hours=1)).strftime(fmt),
                        "attendees": ["dana", "ana"],
                    }
                )
        week += timedelta(days=7)
        w += 1
    return {
        "id": f"bench-{n}",
        "traveller": "dana",
        "home": "America/Santiago",
        "people": {"dana": {"name": "Dana"}, "ana": {"name": "Ana", "side": "customer"}},
        "places": places,
        "items": items[:n],
    }


def _maxrss_mb() -> float:
    """This process's peak resident memory. Linux's ``ru_maxrss`` survives ``exec`` (a child
    started by a large parent inherits its peak), so read the address space's own high-water
    mark where there is one."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    found = re.search(r"^VmHWM:\s*(\d+) kB", status, re.M)
    assert found, status
    return int(found.group(1)) / 1024


def child(path: str, trace: bool) -> None:
    """One measurement in this fresh process; prints a JSON object."""
    import tripplan

    tripplan.check(tripplan.load_trip(EXAMPLE))  # imports, schemas, data tables, zone caches
    warm_rss = _maxrss_mb()
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    trip = tripplan.load_trip(path)
    loaded = time.perf_counter()
    findings = tripplan.check(trip)
    done, done_cpu = time.perf_counter(), time.process_time()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    result = {
        "load": loaded - start,
        "check": done - loaded,
        "cpu": done_cpu - cpu,
        "rss": _maxrss_mb(),
        "warm_rss": warm_rss,
        "traced": traced,
        "items": len(trip.items),
        "findings": len(findings),
    }
    print(json.dumps(result))


def phases(path: str, collector: bool = True) -> None:
    """Where one load and check goes: reading the file into data, validating it into a Trip,
    resolving the timeline and the checks, each with the garbage collector's share (observed
    through ``gc.callbacks``, in this benchmark process only); without ``collector``, with the
    collector off, and for YAML first the time to take libyaml's events from PyYAML alone."""
    import gc

    import tripplan
    from tripplan import _loading
    from tripplan._model import Trip

    tripplan.check(tripplan.load_trip(EXAMPLE))
    collecting = [0.0, 0.0]  # seconds collected so far, start of the running collection

    def observe(phase: str, _info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            collecting[1] = now
        else:
            collecting[0] += now - collecting[1]

    gc.callbacks.append(observe)
    events = ""
    if not collector:
        gc.disable()
        if not path.endswith(".json"):
            text = Path(path).read_text(encoding="utf-8")
            start = time.perf_counter()
            count = sum(1 for _ in yaml.parse(text, Loader=yaml.CSafeLoader))
            events = f"PyYAML's {count:,} events alone {time.perf_counter() - start:.3f} s | "
            del text
    marks = [("start", time.perf_counter(), 0.0)]
    text = Path(path).read_text(encoding="utf-8")
    read = _loading._read_json if path.endswith(".json") else _loading._read_yaml
    found = read(text, path)
    document = found[0] if isinstance(found, tuple) else found
    marks.append(("read", time.perf_counter(), collecting[0]))
    trip = Trip.model_validate(document)
    del document, text
    marks.append(("validate", time.perf_counter(), collecting[0]))
    tripplan.resolve(trip)
    marks.append(("timeline", time.perf_counter(), collecting[0]))
    tripplan.check(trip)
    marks.append(("checks", time.perf_counter(), collecting[0]))
    gc.callbacks.remove(observe)
    gc.enable()
    print(
        events
        + " | ".join(
            f"{name} {t1 - t0:.3f} s (GC {g1 - g0:.3f})"
            for (_, t0, g0), (name, t1, g1) in itertools.pairwise(marks)
        )
    )


def measure(path: Path, trace: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), *(["--tracemalloc"] if trace else [])],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="json,yaml")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-phases", help=argparse.SUPPRESS)
    parser.add_argument("--child-floor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.tracemalloc)
        return
    if args.child_phases:
        phases(args.child_phases)
        return
    if args.child_floor:
        phases(args.child_floor, collector=False)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    rows: list[tuple[int, str, dict[str, Any], float | None]] = []
    breakdown: list[str] = []
    floors: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            data = generate(n)
            for fmt in formats:
                path = Path(folder, f"t{n}.{fmt}")
                if fmt == "json":
                    path.write_text(json.dumps(data), encoding="utf-8")
                else:
                    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
                runs = [measure(path) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r["load"] + r["check"])
                best = {**best, "rss": max(r["rss"] for r in runs)}
                traced = measure(path, trace=True)["traced"] if args.tracemalloc else None
                rows.append((n, fmt, best, traced))
                print(f"  {n:,} {fmt}: {best}", file=sys.stderr)
                for wanted, mode, lines in (
                    (args.phases, "--child-phases", breakdown),
                    (args.floor, "--child-floor", floors),
                ):
                    if wanted:
                        out = subprocess.run(
                            [sys.executable, __file__, mode, str(path)],
                            capture_output=True,
                            text=True,
                            check=True,
                        ).stdout
                        lines.append(f"- {n:,} items, {fmt.upper()}: {out.strip()}")
    print(
        "| items | format | load (s) | check (s) | load + check (s) | CPU (s) "
        "| peak RSS (MB) | RSS before loading (MB) | traced peak (MB) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n, fmt, r, traced in rows:
        shown = f"{traced:.0f}" if traced is not None else "–"
        print(
            f"| {n:,} | {fmt.upper()} | {r['load']:.3f} | {r['check']:.3f} "
            f"| {r['load'] + r['check']:.3f} | {r['cpu']:.3f} | {r['rss']:.0f} "
            f"| {r['warm_rss']:.0f} | {shown} |"
        )
    totals = {(n, fmt): r["load"] + r["check"] for n, fmt, r, _ in rows}
    for n in sizes:
        if (n, "json") in totals and (n, "yaml") in totals:
            ratio = totals[n, "yaml"] / totals[n, "json"]
            print(f"\nYAML / JSON load + check at {n:,} items: {ratio:.2f}×", end="")
    print()
    if len(sizes) >= 2:
        n1, n2 = sizes[-2], sizes[-1]
        for fmt in formats:
            growth = math.log(totals[n2, fmt] / totals[n1, fmt]) / math.log(n2 / n1)
            print(f"Growth exponent {n1:,} → {n2:,} items, {fmt.upper()}: {growth:.2f}")
    if breakdown:
        print("\nOne load and check, phase by phase (wall time, of which the garbage collector):\n")
        print("\n".join(breakdown))
    if floors:
        print("\nThe same with the collector off (this benchmark's process only):\n")
        print("\n".join(floors))


if __name__ == "__main__":
    main()
