"""Benchmark: render the briefing sheet of a generated 200-meeting trip, in both languages.

Run: python benchmarks/bench_briefing.py [--meetings 200] [--repeat 5]

Measures ``build_sheet`` + ``render_sheet`` to HTML for the traveller, bilingual (es, en) and in
each language alone, best of N, process CPU time. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_load_check import generate

import tripplan
from tripplan._briefing import build_sheet
from tripplan._render import render_sheet


def best(languages: list[str], trip: tripplan.Trip, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        render_sheet(build_sheet(trip, languages=languages), "html")
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = generate(args.meetings * 2)  # weeks of a flight, a transfer, a stay and 15 meetings
    kept, meetings_seen = [], 0
    for item in data["items"]:  # cut right after the last wanted meeting
        kept.append(item)
        meetings_seen += item["type"] == "meeting"
        if meetings_seen == args.meetings:
            break
    data["items"] = kept
    trip = tripplan.Trip.model_validate(data)
    meetings = sum(1 for i in trip.items if i.type == "meeting")
    render_sheet(build_sheet(trip, languages=["es", "en"]), "html")  # warm: Babel data, templates
    print("| meetings (items) | es (s) | en (s) | es + en bilingual (s) |")
    print("|---:|---:|---:|---:|")
    es, en = best(["es"], trip, args.repeat), best(["en"], trip, args.repeat)
    both = best(["es", "en"], trip, args.repeat)
    print(f"| {meetings} ({len(trip.items)}) | {es:.3f} | {en:.3f} | {both:.3f} |")


if __name__ == "__main__":
    main()
