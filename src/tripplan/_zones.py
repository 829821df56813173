"""IANA time zones from the ``tzdata`` package, and what the trip needs to know about them.

``zoneinfo.ZoneInfo(name)`` prefers the operating system's copy of the zone data, which is older on
many machines and differs between them. tripplan reads every zone from the ``tzdata`` package
instead, through ``ZoneInfo.from_file``, so the same data resolves times and writes calendars on
every machine, and the process's global zoneinfo settings are left alone.
"""

from __future__ import annotations

import bisect
import calendar
import difflib
import functools
import itertools
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo

from ._exceptions import ZoneError

__all__ = [
    "Transition",
    "country_zones",
    "get_zone",
    "is_zone",
    "steady_since",
    "transitions",
    "tzdata_version",
    "zone_country",
    "zone_names",
]


def tzdata_version() -> str:
    """The IANA release of the zone data in use (e.g. ``2026a``), recorded in what tripplan writes."""
    import tzdata

    return str(tzdata.IANA_VERSION)


@functools.cache
def zone_names() -> frozenset[str]:
    """Every zone name the bundled data knows, links included."""
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_zone(name: str) -> bool:
    return name in zone_names()


_cache: dict[str, ZoneInfo] = {}


def get_zone(name: str) -> ZoneInfo:
    """The zone ``name`` read from the tzdata package (cached), or ``ZoneError`` with a suggestion."""
    zone = _cache.get(name)
    if zone is not None:
        return zone
    if name not in zone_names():
        raise ZoneError(f"unknown time zone {name!r}{_suggest(name)}")
    source = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    with source.open("rb") as f:
        zone = ZoneInfo.from_file(f, key=name)
    _cache[name] = zone
    return zone


def _suggest(name: str) -> str:
    folded = {n.casefold(): n for n in zone_names()}
    if name.casefold() in folded:
        return f"; did you mean {folded[name.casefold()]}?"
    close = difflib.get_close_matches(name, zone_names(), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else "; expected an IANA name like Europe/Madrid"


@functools.cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coords, zone, *_ = line.split("\t")
            table.setdefault(country, []).append(zone)
    return {country: tuple(zones) for country, zones in table.items()}


def country_zones(country: str) -> tuple[str, ...]:
    """The zones of an ISO 3166-1 alpha-2 country, as the IANA ``zone.tab`` lists them."""
    return _zone_table().get(country, ())


@functools.cache
def _zone_countries() -> dict[str, str]:
    return {zone: country for country, zones in _zone_table().items() for zone in zones}


def zone_country(zone: str) -> str | None:
    """The country a zone belongs to, as ``zone.tab`` says (None for UTC and the like)."""
    return _zone_countries().get(zone)


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes that the zone data names (``iso3166.tab``)."""
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in text.splitlines() if line and not line.startswith("#")
    )


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's UTC offset or name, e.g. the start or end of daylight saving time."""

    zone: str
    instant: datetime  # aware, UTC
    offset_before: timedelta
    offset_after: timedelta
    name_before: str
    name_after: str
    dst_after: bool

    @property
    def local_before(self) -> datetime:
        """The wall time at which the clocks change, read on the old offset (e.g. 02:00)."""
        return (self.instant + self.offset_before).replace(tzinfo=None)

    @property
    def local_after(self) -> datetime:
        """The wall time the clocks show right after the change (e.g. 03:00)."""
        return (self.instant + self.offset_after).replace(tzinfo=None)


def _state(
    zone: tzinfo, instant: datetime
) -> tuple[timedelta | None, timedelta | None, str | None]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname()


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every transition of ``zone`` in ``[start, end)`` (aware datetimes), to the second.

    The instants where the zone may change are read from its tzdata file: the transitions it
    lists, then those its POSIX TZ rule gives for later years. Each is kept where the zone's
    offset, daylight saving or name really differs one second before it. Results are cached:
    calendars ask for the same spans often.
    """
    return list(_transitions(zone, start.astimezone(UTC), end.astimezone(UTC)))


@functools.lru_cache(maxsize=512)
def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Transition, ...]:
    candidates = _candidates(zone, start, end)
    if candidates is None:
        return _sampled(zone, start, end)
    found: list[Transition] = []
    for instant in candidates:
        before, after = _state(zone, instant - _SECOND), _state(zone, instant)
        if before != after:
            found.append(_transition(zone, instant, before, after))
    return tuple(found)


_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _transition(
    zone: ZoneInfo,
    instant: datetime,
    before: tuple[timedelta | None, timedelta | None, str | None],
    after: tuple[timedelta | None, timedelta | None, str | None],
) -> Transition:
    return Transition(
        zone=str(zone),
        instant=instant,
        offset_before=before[0] or timedelta(0),
        offset_after=after[0] or timedelta(0),
        name_before=before[2] or "",
        name_after=after[2] or "",
        dst_after=bool(after[1]),
    )


def _candidates(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime] | None:
    """The instants in ``[start, end)`` where ``zone`` may change, sorted; None for a zone that
    is not tripplan's own (its data may not be the tzdata package's)."""
    if not zone.key or _cache.get(zone.key) is not zone:
        return None
    data = _tzif(zone.key)
    if data is None:
        return None
    listed, rule = data
    # Whole seconds: from the first at or after ``start`` to the last before ``end``.
    first, last = -((_EPOCH - start) // _SECOND), -((_EPOCH - end) // _SECOND)
    found = listed[bisect.bisect_left(listed, first) : bisect.bisect_left(listed, last)]
    if rule is not None:
        # The rule holds after the last listed transition.
        after = listed[-1] if listed else -(2**63)
        since = _year(after) if listed else 1
        for year in range(max(start.year, since) - 1, end.year + 2):
            found += (t for t in rule.instants(year) if after < t and first <= t < last)
    return [_EPOCH + timedelta(seconds=t) for t in sorted(set(found))]


def _year(seconds: int) -> int:
    """The UTC year of an instant given in seconds since the epoch (1 or 9999 beyond them)."""
    try:
        return (_EPOCH + timedelta(seconds=seconds)).year
    except OverflowError:
        return 1 if seconds < 0 else 9999


@functools.cache
def _tzif(name: str) -> tuple[list[int], _PosixRule | None] | None:
    """The transition times (seconds since the epoch) a zone's TZif file lists, and the POSIX TZ
    rule of its footer for the times after them (RFC 8536); None where the file cannot be read."""
    source = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    data = source.read_bytes()
    if data[:4] != b"TZif" or data[4:5] < b"2":
        return None
    counts = struct.unpack(">6l", data[20:44])
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    # Skip the version 1 (32-bit) block to the version 2+ (64-bit) header and data.
    offset = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
    counts = struct.unpack(">6l", data[offset + 20 : offset + 44])
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    offset += 44
    listed = list(struct.unpack(f">{timecnt}q", data[offset : offset + timecnt * 8]))
    offset += timecnt * 9 + typecnt * 6 + charcnt + leapcnt * 12 + isstdcnt + isutcnt
    footer = data[offset:].strip(b"\n").decode("ascii")
    try:
        rule = _PosixRule.parse(footer) if footer else None
    except ValueError:
        return None
    return listed, rule


_POSIX = re.compile(
    r"(?P<std><[^>]*>|[A-Za-z]+)(?P<std_offset>[+-]?[0-9:]+)"
    r"(?:(?P<dst><[^>]*>|[A-Za-z]+)(?P<dst_offset>[+-]?[0-9:]+)?"
    r",(?P<start>[^,/]+)(?:/(?P<start_time>[+-]?[0-9:]+))?"
    r",(?P<end>[^,/]+)(?:/(?P<end_time>[+-]?[0-9:]+))?)?"
)


def _seconds(text: str) -> int:
    """``[+-]hh[:mm[:ss]]`` -> seconds."""
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"bad time {text!r}")
    seconds: int = sum(p * 60**i for p, i in zip(parts, (2, 1, 0), strict=False))
    return sign * seconds


@dataclass(frozen=True, slots=True)
class _PosixRule:
    """A POSIX TZ rule with daylight saving time: when it starts and ends each year."""

    std_offset: int  # seconds east of UTC
    dst_offset: int
    start: str
    start_time: int
    end: str
    end_time: int

    @classmethod
    def parse(cls, text: str) -> _PosixRule | None:
        match = _POSIX.fullmatch(text)
        if match is None:
            raise ValueError(f"cannot read the TZ rule {text!r}")
        if match["dst"] is None:
            return None  # a fixed offset: no change after the listed transitions
        std = -_seconds(match["std_offset"])
        dst = -_seconds(match["dst_offset"]) if match["dst_offset"] else std + 3600
        start_time = _seconds(match["start_time"]) if match["start_time"] else 7200
        end_time = _seconds(match["end_time"]) if match["end_time"] else 7200
        for day in (match["start"], match["end"]):
            _day(day, 2001)  # raises ValueError for a form this does not know
        return cls(std, dst, match["start"], start_time, match["end"], end_time)

    def instants(self, year: int) -> tuple[int, ...]:
        """The UTC instants (seconds since the epoch) daylight time starts and ends in ``year``;
        the start is written in standard time, the end in daylight time."""
        if not 1 <= year <= 9999:
            return ()
        epoch_day = date(1970, 1, 1).toordinal()
        start = (_day(self.start, year) - epoch_day) * 86400 + self.start_time - self.std_offset
        end = (_day(self.end, year) - epoch_day) * 86400 + self.end_time - self.dst_offset
        return start, end


def _day(form: str, year: int) -> int:
    """The proleptic ordinal of a POSIX TZ rule's day in ``year``: ``Jn`` (1-365, never counting
    29 February), ``n`` (0-365) or ``Mm.w.d`` (weekday d, Sunday 0, of week w, 5 the last)."""
    if form.startswith("M"):
        month, week, weekday = (int(p) for p in form[1:].split("."))
        if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= weekday <= 6):
            raise ValueError(f"bad rule day {form!r}")
        first = date(year, month, 1)
        day = first.toordinal() + (weekday - (first.isoweekday() % 7)) % 7 + (week - 1) * 7
        days = calendar.monthrange(year, month)[1]
        while day >= first.toordinal() + days:
            day -= 7
        return day
    if form.startswith("J"):
        n = int(form[1:])
        if not 1 <= n <= 365:
            raise ValueError(f"bad rule day {form!r}")
        leap = calendar.isleap(year) and n >= 60
        return date(year, 1, 1).toordinal() + n - 1 + leap
    n = int(form)
    if not 0 <= n <= 365:
        raise ValueError(f"bad rule day {form!r}")
    return date(year, 1, 1).toordinal() + n


_STEADY_GAP = timedelta(days=5)
_steady: dict[ZoneInfo, datetime] = {}


def steady_since(zone: ZoneInfo) -> datetime:
    """The local wall time from which ``zone`` never changes its offset twice within five days
    (naive; ``datetime.max`` for a zone whose data is not the tzdata package's). From then on, a
    wall time whose offset is the same two days before and after it is no gap or repeated hour:
    ``_time.resolve`` decides it in three lookups."""
    found = _steady.get(zone)
    if found is None:
        found = _steady[zone] = _steady_since(zone)
    return found


def _steady_since(zone: ZoneInfo) -> datetime:
    if not zone.key or _cache.get(zone.key) is not zone:
        return datetime.max
    data = _tzif(zone.key)
    if data is None:
        return datetime.max
    listed, rule = data
    last = listed[-1] if listed else 0
    end_year = (_EPOCH + timedelta(seconds=max(last, 0))).year + 30
    changes = [
        t.instant
        for t in transitions(
            zone, datetime.min.replace(tzinfo=UTC), datetime(end_year, 1, 1, tzinfo=UTC)
        )
        if t.offset_before != t.offset_after
    ]
    close = [b for a, b in itertools.pairwise(changes) if b - a < _STEADY_GAP]
    if not close:
        return datetime.min
    if close[-1].year >= end_year - 1 and rule is not None:
        return datetime.max  # the zone's own rule changes twice within days
    return close[-1].replace(tzinfo=None) + _STEADY_GAP


def _sampled(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Transition, ...]:
    """For a zone without a tzdata file of its own: sample every 12 hours and bisect each change;
    no zone has changed its offset twice within 12 hours."""
    step = timedelta(hours=12)
    found: list[Transition] = []
    # Whole seconds, so each change is found at its exact second; and one second before
    # `start`, so a change at `start` itself counts.
    lo = start.replace(microsecond=0) - _SECOND
    limit = end if not end.microsecond else end.replace(microsecond=0) + _SECOND
    before = _state(zone, lo)
    while lo < limit:
        hi = min(lo + step, limit)
        after = _state(zone, hi)
        if after != before:
            a, b = lo, hi
            while b - a > _SECOND:
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if mid <= a:
                    break
                if _state(zone, mid) == before:
                    a = mid
                else:
                    b = mid
            found_state = _state(zone, b)
            found.append(_transition(zone, b, before, found_state))
            before = found_state
            lo = b
            continue
        lo, before = hi, after
    return tuple(t for t in found if start <= t.instant < end)
