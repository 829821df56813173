"""Benchmark: load and check generated trips of growing size, and time `import tripplan`.

Run: python benchmarks/bench_load_check.py [--sizes 1000,2000,5000,10000,20000] [--repeat 3]

Prints a Markdown table for docs/performance.md: best-of-N process CPU time per phase, for the
same trip written as JSON and as YAML, and the growth exponent between the two largest sizes
(1.0 is linear; n log n shows as slightly above 1).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

import tripplan

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


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return min(times), result


def import_ms() -> float:
    """Cumulative import time of tripplan, from `python -X importtime` (microseconds -> ms)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import tripplan"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    match = re.search(r"\|\s*(\d+) \| tripplan$", out, re.M)
    assert match, out
    return int(match.group(1)) / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,2000,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tripplan.tripplan.check(tripplan.load_trip("examples/santiago-customer-visit.yaml"))  # warm caches and imports
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            data = generate(n)
            paths = {"json": Path(folder, f"t{n}.json"), "yaml": Path(folder, f"t{n}.yaml")}
            paths["json"].write_text(json.dumps(data), encoding="utf-8")
            paths["yaml"].write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            load_json, trip = best(lambda p=paths["json"]: tripplan.load_trip(p), args.repeat)
            load_yaml, _ = best(lambda p=paths["yaml"]: tripplan.load_trip(p), args.repeat)
            check, findings = best(trip.check, args.repeat)
            rows.append((n, load_json, load_yaml, check, len(findings)))
    print(
        "| items | load JSON (s) | load YAML (s) | check (s) | JSON load + check (s) | YAML load + check (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n, lj, ly, ch, _ in rows:
        print(f"| {n:,} | {lj:.3f} | {ly:.3f} | {ch:.3f} | {lj + ch:.3f} | {ly + ch:.3f} |")
    if len(rows) >= 2:
        (n1, lj1, ly1, c1, _), (n2, lj2, ly2, c2, _) = rows[-2], rows[-1]

        def growth(a: float, b: float) -> float:
            return math.log(b / a) / math.log(n2 / n1)

        print(
            f"\nGrowth exponent {n1:,} → {n2:,} items: JSON load + check "
            f"{growth(lj1 + c1, lj2 + c2):.2f}, YAML load + check {growth(ly1 + c1, ly2 + c2):.2f}"
        )
    print(f"\n`import tripplan`: {import_ms():.1f} ms cumulative (python -X importtime)")


if __name__ == "__main__":
    main()
