"""Benchmark: a cold ``tripplan build`` of the reference trip, and ``import tripplan``.

Run: python benchmarks/bench_cold.py [--runs 20] [--importtime]

Each run is a fresh process, as a person typing the command starts one: the ``tripplan`` script
installed beside this interpreter (``python -m tripplan`` where there is none) builds
``examples/santiago-customer-visit.yaml`` into a new temporary folder. Prints the minimum, median
and mean wall time of the runs, and of the interpreter alone (``python -c pass``, with the same
``site`` start-up) and of ``import tripplan``, for docs/performance.md. ``--importtime`` adds the
packages whose modules take longest to import in one run of the command (``python -X
importtime``), to see where a cold start goes.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIP = ROOT / "examples" / "santiago-customer-visit.yaml"


def command() -> list[str]:
    script = Path(sys.executable).with_name("tripplan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tripplan"]


def wall(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            args = [a.replace("{out}", folder) for a in argv]
            start = time.perf_counter()
            subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def row(label: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"| {label} | {min(ms):.0f} | {statistics.median(ms):.0f} | {statistics.mean(ms):.0f} |"


def import_times(argv: list[str], top: int) -> list[tuple[int, str]]:
    """(µs, package) of the packages whose own modules take longest to import in one run: each
    module's own import time (``python -X importtime``, without what it imports) added up by
    top-level package, and by module for tripplan's own."""
    with tempfile.TemporaryDirectory() as folder:
        args = [a.replace("{out}", folder) for a in argv]
        if args[0] != sys.executable:
            args = [sys.executable, *args]  # the installed script is a Python script
        env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
        err = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=env).stderr
    totals: dict[str, int] = {}
    for line in err.decode().splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            module = match.group(2)
            package = module if module.startswith("tripplan.") else module.split(".")[0]
            totals[package] = totals.get(package, 0) + int(match.group(1))
    return sorted(((t, p) for p, t in totals.items()), reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    build = [*command(), "build", str(TRIP), "--out", "{out}"]
    cases = [
        ("`python -c pass`", [sys.executable, "-c", "pass"]),
        ("`python -c 'import tripplan'`", [sys.executable, "-c", "import tripplan"]),
        ("`tripplan build examples/santiago-customer-visit.yaml --out DIR`", build),
    ]
    print(f"{args.runs} runs each, fresh processes, wall time (ms)\n")
    print("| command | min | median | mean |")
    print("|---|---:|---:|---:|")
    for label, argv in cases:
        print(row(label, wall(argv, args.runs)))
    if args.importtime:
        print("\nImport time of one `tripplan build` by package (own modules, ms):\n")
        for micros, module in import_times(build, 25):
            print(f"- {module}: {micros / 1000:.1f}")


if __name__ == "__main__":
    main()
