"""Plan checks about the zone data itself: a place whose zone is not the zone at its coordinates,
and times of the trip that the machine's own zone data reads differently from tripplan's.

tripplan resolves every time with the ``tzdata`` package (``_zones``). Calendar clients, phones
and servers use their own zone database, which is often older: where it gives a zone another UTC
offset at an instant of the trip, they show that item at another time (``zone-data-skew``). The
machine's data stands for theirs: the first folder of ``zoneinfo.TZPATH`` that exists, or
``CheckOptions.system_zoneinfo``. It is compared zone by zone as step functions over the trip's
span (the changes both files list, and their rules after that), so a trip costs a few lookups
per zone, whatever its length; only the items in a span where the two disagree are looked at.
"""

from __future__ import annotations

import bisect
import functools
import io
import os
import struct
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from ._cache import Memory
from ._checking import Plan, finding_codes
from ._exceptions import ZoneError
from ._findings import Finding, Severity
from ._findings import local_time as _local
from ._findings import span as _span
from ._gazetteer import boundaries_release, boundary_name, canonical_zone, zone_of_boundary
from ._items import Flight
from ._timeline import Scheduled
from ._types import format_offset
from ._zones import get_zone, transitions, tzdata_version

__all__ = ["skewed_spans", "system_zoneinfo", "zone_data_skew", "zone_mismatch"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


# --- zone-mismatch -----------------------------------------------------------------------------


@finding_codes("zone-mismatch", "a place's timezone is not the zone at its coordinates")
def zone_mismatch(plan: Plan) -> Iterator[Finding]:
    """A place that gives both ``geo`` and ``timezone`` (airports and places without coordinates
    aside) whose zone, at some instant of the trip there, has another UTC offset than the zone
    its coordinates are in."""
    suspects: dict[str, ZoneInfo] = {}  # place key -> the zone at its coordinates
    placed = [
        p.geo for p in plan.trip.places.values() if p.geo is not None and p.timezone is not None
    ]
    boundaries = _boundary_names(placed) if placed else {}
    for name, place in plan.trip.places.items():
        if place.geo is None or place.timezone is None:
            continue
        there = zone_of_boundary(boundaries[place.geo])
        if there is None or there == canonical_zone(place.timezone):
            continue
        try:
            suspects[name] = get_zone(there)
        except ZoneError:
            continue  # a zone the packaged data does not know: nothing to compare with
    if not suspects:
        return
    reported: set[str] = set()
    for entry in plan.entries:
        for where, at in ((entry.origin, entry.start_utc), (entry.destination, entry.end_utc)):
            key = where.key
            if key is None or key in reported or key not in suspects or where.is_airport:
                continue
            ours, theirs = at.astimezone(where.zone), at.astimezone(suspects[key])
            offset, other = ours.utcoffset() or timedelta(0), theirs.utcoffset() or timedelta(0)
            if offset == other:
                continue
            reported.add(key)
            place = plan.trip.places[key]
            latitude, longitude = place.geo or (0.0, 0.0)
            yield plan.finding(
                "zone-mismatch",
                Severity.WARNING,
                f"place {key!r} ({place.name}) gives the timezone {place.timezone}, but its "
                f"coordinates ({latitude:.4f}, {longitude:.4f}) are in {suspects[key].key}: at "
                f"{_local(ours)} it is UTC{format_offset(other)} there, not "
                f"UTC{format_offset(offset)}; check the place's timezone and geo",
                entry,
                at=at,
            )


def _boundary_names(points: list[tuple[float, float]]) -> dict[tuple[float, float], str]:
    """The zone boundaries' name for each point, remembered in tripplan's cache folder for one
    release of the boundary data (``zones/boundaries.json``): loading the boundaries costs a
    cold command 50 to 90 ms, and the answer depends on nothing but the point and that data."""
    memory = Memory("zones/boundaries.json", boundaries_release())
    found = {
        point: memory.answer(
            f"{point[0]!r},{point[1]!r}", functools.partial(boundary_name, *point), _is_text
        )
        for point in points
    }
    memory.save()
    return found


def _is_text(value: object) -> bool:
    return isinstance(value, str)


# --- zone-data-skew ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ZoneFile:
    """A zone read from a TZif file: the zone, the changes the file lists (seconds since the
    epoch) and its footer, the POSIX TZ rule for the times after them (None: not readable)."""

    zone: ZoneInfo
    listed: tuple[int, ...] | None
    footer: str | None


def _tzif(data: bytes) -> tuple[tuple[int, ...], str] | None:
    """The transition times and the footer of a TZif file of version 2 or later (RFC 8536)."""
    try:
        if data[:4] != b"TZif" or data[4:5] < b"2":
            return None
        isut, isstd, leap, count, types, chars = struct.unpack(">6l", data[20:44])
        at = 44 + count * 5 + types * 6 + chars + leap * 8 + isstd + isut  # the 32-bit block
        if data[at : at + 4] != b"TZif":
            return None
        isut, isstd, leap, count, types, chars = struct.unpack(">6l", data[at + 20 : at + 44])
        at += 44
        listed = struct.unpack(f">{count}q", data[at : at + count * 8])
        at += count * 9 + types * 6 + chars + leap * 12 + isstd + isut
        return listed, data[at:].strip(b"\n").decode("ascii")
    except (struct.error, UnicodeDecodeError):
        return None


def _zone_file(data: bytes, key: str) -> _ZoneFile | None:
    try:
        zone = ZoneInfo.from_file(io.BytesIO(data), key=key)
    except ValueError:
        return None
    read = _tzif(data)
    return _ZoneFile(zone, *(read if read is not None else (None, None)))


@functools.lru_cache(maxsize=1024)
def _system_zone(directory: str, key: str) -> _ZoneFile | None:
    """``key`` as the zoneinfo folder ``directory`` has it (None: not there, or not a zone)."""
    try:
        data = Path(directory, *key.split("/")).read_bytes()
    except OSError:
        return None
    return _zone_file(data, key)


@functools.cache
def _packaged(key: str) -> _ZoneFile:
    data = resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    read = _tzif(data)
    return _ZoneFile(get_zone(key), *(read if read is not None else (None, None)))


@functools.lru_cache(maxsize=64)
def _system_version(directory: str) -> str | None:
    """The release a zoneinfo folder holds: the first line of its ``tzdata.zi`` (``# version
    2025b``), or its ``+VERSION`` file (macOS)."""
    for name, words in (("tzdata.zi", 2), ("+VERSION", 0)):
        try:
            with open(os.path.join(directory, name), encoding="ascii") as f:
                first = f.readline().split()
        except (OSError, UnicodeDecodeError):
            continue
        if len(first) == words + 1 and (words == 0 or first[:2] == ["#", "version"]):
            return first[words]
    return None


def system_zoneinfo(option: str | None) -> str | None:
    """The zoneinfo folder to compare with: ``option``, or the first of ``zoneinfo.TZPATH`` that
    exists (None: there is none)."""
    if option is not None:
        return option if option and os.path.isdir(option) else None
    return next((d for d in zoneinfo.TZPATH if os.path.isdir(d)), None)


def _instant(seconds: int) -> datetime:
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if seconds < 0 else datetime.max.replace(tzinfo=UTC)


def skewed_spans(
    key: str, directory: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans of ``[start, end]`` in which the zone ``key`` of the folder ``directory`` has
    another UTC offset than tripplan's, as ``[from, until)`` in UTC, in order.

    Both zones keep an offset between their changes; the changes in the span are tripplan's
    (``transitions``), those the other file lists, and where its footer rule applies within the
    span and is not tripplan's own rule there, its changes found by sampling. The offsets are
    compared once between each two changes.
    """
    system = _system_zone(directory, key)
    if system is None:
        return []
    ours = _packaged(key)
    limit = end + _SECOND
    points = {start, *(t.instant for t in transitions(ours.zone, start, limit))}
    if system.listed is None:
        points.update(t.instant for t in transitions(system.zone, start, limit))
    else:
        listed = system.listed
        first = bisect.bisect_left(listed, _seconds(start))
        points.update(
            _instant(t) for t in listed[first : bisect.bisect_left(listed, _seconds(limit))]
        )
        tail = max(start, _instant(listed[-1])) if listed else start
        until = limit
        if ours.listed is not None and system.footer and ours.footer == system.footer:
            # Past the changes both files list, both follow the same rule.
            until = min(limit, _instant(ours.listed[-1])) if ours.listed else start
        if tail < until:
            points.update(t.instant for t in transitions(system.zone, tail, until))
    ordered = sorted(p for p in points if start <= p < limit)
    spans: list[tuple[datetime, datetime]] = []
    for n, point in enumerate(ordered):
        if point.astimezone(ours.zone).utcoffset() == point.astimezone(system.zone).utcoffset():
            continue
        stop = ordered[n + 1] if n + 1 < len(ordered) else limit
        if spans and spans[-1][1] == point:
            spans[-1] = (spans[-1][0], stop)
        else:
            spans.append((point, stop))
    return spans


def _seconds(instant: datetime) -> int:
    return (instant - _EPOCH) // _SECOND


@finding_codes(
    "zone-data-skew",
    "the machine's zone data gives a time of the trip another UTC offset than tripplan's",
)
def zone_data_skew(plan: Plan) -> Iterator[Finding]:
    timeline = plan.timeline
    directory = system_zoneinfo(plan.options.system_zoneinfo)
    if directory is None or timeline.start is None or timeline.end is None:
        return
    start, end = timeline.start, timeline.end
    keys = {e.origin.zone.key for e in plan.entries}
    keys |= {e.destination.zone.key for e in plan.entries}
    skewed = {k: s for k in sorted(keys) if (s := skewed_spans(k, directory, start, end))}
    if not skewed:
        return
    froms = {k: [s[0] for s in spans] for k, spans in skewed.items()}
    groups: dict[tuple[str, int], list[tuple[datetime, Scheduled, bool]]] = {}
    for entry in plan.entries:
        for ends, zone, at in (
            (False, entry.origin.zone, entry.start_utc),
            (True, entry.destination.zone, entry.end_utc),
        ):
            spans = skewed.get(zone.key)
            if spans is None:
                continue
            n = bisect.bisect_right(froms[zone.key], at) - 1
            if n >= 0 and at < spans[n][1]:
                groups.setdefault((zone.key, n), []).append((at, entry, ends))
    theirs = _system_version(directory)
    data = f"the system's {theirs}" if theirs else f"the system's zone data ({directory})"
    for (key, _), hits in sorted(groups.items(), key=lambda g: min(h[0] for h in g[1])):
        at, entry, ends = min(hits, key=lambda h: h[0])
        system = _system_zone(directory, key)
        assert system is not None  # it has spans
        entries = list({e.index: e for _, e, _ in hits}.values())
        last = max(h[0] for h in hits).astimezone(get_zone(key))
        message = _skew_message(at, entry, ends, key, system.zone, data)
        if len(entries) > 1:
            more = len(entries) - 1
            message += (
                f" (so do {more} more item{'s' if more > 1 else ''} of the trip in {key}, up to "
                f"{last:%Y-%m-%d})"
            )
        yield plan.finding("zone-data-skew", Severity.NOTE, message, *entries, at=at)


def _skew_message(
    at: datetime,
    entry: Scheduled,
    ends: bool,
    key: str,
    other: ZoneInfo,
    data: str,
) -> str:
    wall = at.astimezone(get_zone(key))
    moved = wall.replace(tzinfo=other).astimezone(UTC)
    place = entry.destination if ends else entry.origin
    where = f"in {place.city}" if place.city else f"at {place.name}" if place.key else f"in {key}"
    if isinstance(entry.item, Flight):
        what, verb = entry.label, "lands" if ends else "departs"
    else:
        what, verb = repr(entry.label), "ends" if ends else "starts"
    day = "%Y-%m-%d %H:%MZ" if moved.date() != at.date() else "%H:%MZ"
    shift = moved - at
    text = (
        f"{what} {verb} {where} on {wall:%Y-%m-%d} at {wall:%H:%M} ({key}): that is "
        f"{at:%H:%M}Z with tzdata {tzdata_version()} and {moved:{day}} with {data}; calendar "
        f"clients that use their own zone database will show it at {moved:{day}}"
    )
    if shift:
        text += f", {_span(abs(shift))} {'early' if shift < timedelta(0) else 'late'}"
    return text
