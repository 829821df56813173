"""The ``import`` and ``jsonld`` subcommands: bookings into a trip, reservations out of one.

Like every command function: parsed arguments and the stream to print to in, the exit code out;
errors are raised as ``TripplanError`` and mapped to exit codes by ``_cli``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TextIO

from ._booking_import import import_bookings
from ._commands import EXIT_OK, load, print_outcome, print_written, write_out
from ._exceptions import OptionError
from ._jsonld import build_jsonld

__all__ = ["import_command", "jsonld_command"]


def _same_file(one: str, other: str) -> bool:
    return Path(one).exists() and Path(other).exists() and os.path.samefile(one, other)


def import_command(args: argparse.Namespace, out: TextIO) -> int:
    """``tripplan import SOURCE... --into TRIP [--dry-run]``."""
    if any(_same_file(source, args.file) for source in args.sources):
        raise OptionError(f"{args.file} is the trip to import into, not a source")
    report = import_bookings(args.file, list(args.sources), dry_run=args.dry_run)
    print_outcome(args, out, {"file": args.file, **report.to_dict()}, report.lines())
    return EXIT_OK


def jsonld_command(args: argparse.Namespace, out: TextIO) -> int:
    """``tripplan jsonld TRIP -o trip.jsonld``: the items as schema.org reservations."""
    trip = load(args)
    text = build_jsonld(trip, args.audience, organization=args.organization)
    print_written(args, out, write_out(args, text))
    return EXIT_OK
