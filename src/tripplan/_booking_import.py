"""``import_bookings``: bookings from mails, pages, JSON-LD and invitations, into a trip.

The trip file is changed only when the result loads: the merged document is validated by the
same loader as any trip file before anything is written, and then written atomically, with the
import record beside it. A source that cannot be read, or a result that does not load, writes
nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ._exceptions import BookingError, TripFileError
from ._import_merge import Change, Merger, changes_anything
from ._import_sources import read_sources
from ._loading import format_of, parse_trip, read_trip_file
from ._model import Trip
from ._output import write_atomic
from ._received_invitations import invitation_bookings
from ._reservations import Booking, reservation_booking
from ._timeline import resolve
from ._trip_document import (
    TripDocument,
    empty_record,
    read_record,
    record_path,
    render_record,
)

__all__ = ["ImportReport", "import_bookings"]


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do): the trip after it, each item's
    change, what the reader should check (people added with a guessed side, assumed times), and
    the file written (None when nothing changed, for a dry run, or for a trip given in code)."""

    trip: Trip
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    written: Path | None = None
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """Whether the trip changed (or would, for a dry run)."""
        return changes_anything(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``--format json``)."""
        return {
            "changes": [
                {
                    "action": c.action,
                    "item": c.item_id,
                    "source": c.origin,
                    "details": list(c.details),
                }
                for c in self.changes
            ],
            "notes": list(self.notes),
            "changed": self.changed,
            "dry_run": self.dry_run,
            "wrote": [str(self.written)] if self.written is not None else [],
        }

    def lines(self) -> list[str]:
        """The report as the command prints it: one line per item, then what to check."""
        lines = [line for change in self.changes for line in change.lines()]
        lines.extend(f"note: {note}" for note in self.notes)
        counts = {a: sum(c.action == a for c in self.changes) for a in _ACTIONS}
        summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n) or "nothing found"
        if self.written is not None:
            summary += f"; wrote {self.written}"
        elif self.dry_run and self.changed:
            summary += "; dry run: nothing written"
        elif not self.changed:
            summary += "; nothing to change"
        lines.append(summary)
        return lines


_ACTIONS = ("added", "updated", "cancelled", "unchanged", "kept")
_LOCK_TIMEOUT = 120.0  # seconds an import waits for another import of the same trip
#: Documents are taken as issued at most this long before the trip starts (a boarding pass's
#: day of the year is read as the first such day after it).
_ISSUED_BEFORE = timedelta(days=90)


def _bookings(sources: list[str | os.PathLike[str]], trip: Trip) -> list[Booking]:
    traveller = trip.people[trip.traveller].name
    start = resolve(trip).start
    issued = start - _ISSUED_BEFORE if start is not None else None
    bookings: list[Booking] = []
    for found in read_sources(sources, issued=issued):
        if found.data is not None:
            booking = reservation_booking(found.origin, found.data, traveller)
            if booking is not None:
                bookings.append(booking)
        elif found.calendar is not None:
            bookings.extend(invitation_bookings(found.origin, found.calendar, trip))
    return bookings


def import_bookings(
    trip: Trip | str | os.PathLike[str],
    sources: list[str | os.PathLike[str]],
    *,
    dry_run: bool = False,
) -> ImportReport:
    """Import the bookings of ``sources`` (``.eml``, ``.html``, ``.json``, ``.jsonld``, ``.ics``;
    ``.pdf``, ``.pkpass`` and pictures of a boarding pass through KDE's extractor) into a trip file, or into a trip given in
    code (then nothing is written, and every field is taken as typed by hand).

    Raises ``BookingError`` for a source that cannot be read and ``TripFileError`` when the
    trip, or the trip with the bookings, does not load; nothing is written then.
    """
    if isinstance(trip, Trip):
        data: dict[str, Any] = trip.model_dump(mode="json", by_alias=True, exclude_unset=True)
        merger = Merger(data, trip, empty_record())
        merger.merge(_bookings(sources, trip))
        result = Trip.model_validate(data) if merger.changed else trip
        return _report(result, merger, None, dry_run)
    path = Path(trip).resolve()  # a trip reached through a link is changed where it is
    # Imports into one trip take turns: each reads what the one before it wrote.
    lock = FileLock(str(record_path(path).with_suffix(".lock")), timeout=_LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise BookingError(
            str(path), f"another import into this trip is still running after {_LOCK_TIMEOUT:g} s"
        ) from None
    try:
        format = format_of(path)
        raw = read_trip_file(str(path))  # read once: the document changed is the trip loaded
        current = parse_trip(raw, format=format, source=str(path))
        document = TripDocument.parse(path, format, raw.decode("utf-8-sig"))
        record = read_record(path)
        before = render_record(record)
        merger = Merger(document.data, current, record)
        merger.merge(_bookings(sources, current))
        result, text = current, None
        if merger.changed:
            text = document.render()
            result = _validated(text, document, path)
        written = None
        if not dry_run:
            if text is not None:
                written = write_atomic(path, text)
            after = render_record(record)
            if after != before:
                write_atomic(record_path(path), after)
    finally:
        lock.release()
    return _report(result, merger, written, dry_run)


def _validated(text: str, document: TripDocument, path: Path) -> Trip:
    """The merged trip, loaded from its text by the trip loader; its problems say they come
    from the import (the file itself is left as it was)."""
    try:
        return parse_trip(text, format=document.format, source=str(path))
    except TripFileError as error:
        raise TripFileError(
            replace(p, message=f"after the import: {p.message}", line=None) for p in error.problems
        ) from None


def _report(trip: Trip, merger: Merger, written: Path | None, dry_run: bool) -> ImportReport:
    notes = tuple(dict.fromkeys(merger.notes))
    return ImportReport(trip, tuple(merger.changes), notes, written, dry_run)
