"""Benchmark: a cold ``tripplan build`` of the reference trip, and ``import tripplan``.

Run: python benchmarks/bench_cold.py [--runs 20] [--importtime] [--floor]

Each run is a fresh process, as a person typing the command starts one: the ``tripplan`` script
installed beside this interpreter (``python -m tripplan`` where there is none) builds
``examples/santiago-customer-visit.yaml`` into a new temporary folder. Prints the minimum, median
and mean wall time of the runs, and of the interpreter alone (``python -c pass``, with the same
``site`` start-up) and of ``import tripplan``, for docs/performance.md. ``--importtime`` adds the
packages whose modules take longest to import in one run of the command (``python -X
importtime``), to see where a cold start goes. ``--floor`` adds what a build cannot do without,
each in fresh processes too: importing the third-party packages one build imports (found with
``-X importtime``), then those and tripplan's modules it imports, and the build's own work once
everything is imported and used once (a second build in the same process).
"""

from __future__ import annotations

import argparse
import importlib.util
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


def _imports(argv: list[str]) -> list[str]:
    """The modules one run of ``argv`` imports, in the order it imports them."""
    with tempfile.TemporaryDirectory() as folder:
        args = [a.replace("{out}", folder) for a in argv]
        if args[0] != sys.executable:
            args = [sys.executable, *args]
        env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
        err = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=env).stderr
    return re.findall(r"import time:\s+\d+ \|\s+\d+ \| *(\S+)", err.decode())


def imported_by(argv: list[str]) -> tuple[list[str], list[str]]:
    """The modules one run of ``argv`` imports that are not tripplan's (the standard library's
    and third-party packages'), and tripplan's, each in the order it imports them; not those the
    interpreter's own start imports (``site``, a ``sitecustomize``)."""
    found = _imports(argv)
    started = set(_imports([sys.executable, "-c", "pass"]))
    others = [m for m in found if m not in started and not m.startswith("tripplan")]
    own = [m for m in found if m.startswith("tripplan.")]
    return [m for m in others if not m.startswith("__")], own


SECOND_BUILD = """
import contextlib, io, sys, tempfile, time
from tripplan._cli import main
def build():
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
        main(["build", sys.argv[1], "--out", out])
build()
start = time.perf_counter()
build()
print(time.perf_counter() - start)
"""


def second_builds(runs: int) -> list[float]:
    """The work of one build, everything imported and used once: a second build in a process."""
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", SECOND_BUILD, str(TRIP)],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        for _ in range(runs)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--floor", action="store_true")
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
    if args.floor:
        modules, own = imported_by(build)
        tops = {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names)
        packages = sorted(p for p in tops if not p.startswith("_") and importlib.util.find_spec(p))
        # Each as the build asks for it, those that fail too (a Windows module, an optional one).
        imports = (
            "from importlib import import_module\n"
            f"for name in {modules!r}:\n"
            "    try: import_module(name)\n"
            "    except ImportError: pass\n"
        )
        cases[2:2] = [
            (
                f"`python -c 'import …'`: the {len(modules)} other modules a build imports",
                [sys.executable, "-c", imports],
            ),
            (
                f"the same and tripplan's {len(own)} modules a build imports",
                [sys.executable, "-c", f"{imports}import {', '.join(own)}"],
            ),
        ]
    for label, argv in cases:
        print(row(label, wall(argv, args.runs)))
    if args.floor:
        print(row("a build's own work (a second build in one process)", second_builds(args.runs)))
        print(f"\nThe third-party packages among them: {', '.join(packages)}")
    if args.importtime:
        print("\nImport time of one `tripplan build` by package (own modules, ms):\n")
        for micros, module in import_times(build, 25):
            print(f"- {module}: {micros / 1000:.1f}")


if __name__ == "__main__":
    main()
