"""Local wall time -> exact instant, with one policy for skipped and repeated hours.

A wall time in a daylight-saving gap does not exist, and one in a fold happens twice. Guessing
either way puts a meeting an hour off, so both are errors that name the possible UTC offsets,
unless the trip file wrote the offset that picks one:

>>> from tripplan._zones import get_zone
>>> santiago = get_zone("America/Santiago")
>>> resolve(WallTime.parse("2027-04-03 23:30-04:00"), santiago).isoformat()
'2027-04-03T23:30:00-04:00'
>>> resolve(WallTime.parse("2027-04-03 23:30"), santiago)
Traceback (most recent call last):
ValueError: 2027-04-03 23:30 happens twice in America/Santiago, first at UTC-03:00 and then at UTC-04:00; write the offset you mean: 2027-04-03 23:30-03:00 or 2027-04-03 23:30-04:00
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ._types import WallTime, format_offset
from ._zones import steady_since

__all__ = ["agenda_instant", "is_repeated", "resolve", "to_utc", "wall_of"]


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC. Compare and subtract instants only in UTC: Python compares two
    datetimes that share a tzinfo by wall time, ignoring ``fold`` and DST."""
    return moment.astimezone(UTC)


def is_repeated(moment: datetime) -> bool:
    """Whether the wall time of ``moment`` (aware) also happens at another offset: a DST fold,
    where the wall time alone does not name the instant."""
    other = moment.replace(fold=1 - moment.fold)
    return other.utcoffset() != moment.utcoffset() and (
        to_utc(other).astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None)
    )


def wall_of(moment: datetime, zone: ZoneInfo) -> WallTime:
    """The wall time of an instant in ``zone`` as a trip file writes it: with its offset only
    where that wall time happens twice, so that ``resolve`` gives the same instant back."""
    local = moment.astimezone(zone)
    return WallTime(local.replace(tzinfo=None), local.utcoffset() if is_repeated(local) else None)


_PROBE = timedelta(days=2)
_remember = object.__setattr__  # WallTime is frozen; its memo of the instant is not its value


def resolve(wall: WallTime, zone: ZoneInfo) -> datetime:
    """The aware datetime in ``zone`` that ``wall`` names, or ``ValueError`` saying why none is.

    The answer is kept with ``wall`` (zones do not change within a process), so the times that
    validation resolved to check them are not resolved again by the timeline."""
    known = wall._resolved
    if known is not None and known.tzinfo is zone:
        return known
    local = wall.local
    offset = zone.utcoffset(local)
    # The common case, far from any change of offset: the same offset two days either side (and
    # the zone never changes twice within days) leaves no gap or repeated hour to decide.
    moment: datetime | None = None
    if (wall.offset is None or wall.offset == offset) and local >= steady_since(zone):
        try:
            steady = zone.utcoffset(local - _PROBE) == offset == zone.utcoffset(local + _PROBE)
        except OverflowError:
            steady = False
        if steady:
            moment = datetime(
                local.year,
                local.month,
                local.day,
                local.hour,
                local.minute,
                local.second,
                local.microsecond,
                zone,
            )
    if moment is None:
        moment = _at_a_change(wall, zone)
    _remember(wall, "_resolved", moment)
    return moment


def _at_a_change(wall: WallTime, zone: ZoneInfo) -> datetime:
    """``resolve`` near a change of offset (a gap or a repeated hour), or with an offset written."""
    early = wall.local.replace(tzinfo=zone, fold=0)
    late = wall.local.replace(tzinfo=zone, fold=1)
    first, second = early.utcoffset(), late.utcoffset()
    assert first is not None and second is not None
    name = zone.key
    shown = WallTime(wall.local)
    try:  # within a day of year 1 or 9999 (the fast path leaves those here): still an instant?
        to_utc(early), to_utc(late)
    except OverflowError:
        raise ValueError(f"{shown} in {name} is beyond the dates this supports") from None
    if first == second:
        if wall.offset is None or wall.offset == first:
            return early
        raise ValueError(
            f"offset {format_offset(wall.offset)} does not match {name} at {shown}, "
            f"which is UTC{format_offset(first)}"
        )
    exists = to_utc(early).astimezone(zone).replace(tzinfo=None) == wall.local
    choices = f"{shown}{format_offset(first)} or {shown}{format_offset(second)}"
    if wall.offset is None:
        if exists:
            raise ValueError(
                f"{shown} happens twice in {name}, first at UTC{format_offset(first)} and then at "
                f"UTC{format_offset(second)}; write the offset you mean: {choices}"
            )
        raise ValueError(
            f"{shown} does not exist in {name}: the clocks skip that hour as the offset changes "
            f"from UTC{format_offset(first)} to UTC{format_offset(second)}; "
            f"write the offset you mean: {choices}"
        )
    if wall.offset not in (first, second):
        raise ValueError(
            f"offset {format_offset(wall.offset)} does not match {name} at {shown}, which is "
            f"UTC{format_offset(first)} or UTC{format_offset(second)}"
        )
    if exists:
        return early if wall.offset == first else late
    # A skipped wall time with an explicit offset names one instant; show it as the clocks do.
    return (wall.local - wall.offset).replace(tzinfo=UTC).astimezone(zone)


def agenda_instant(start: datetime, at: time) -> datetime:
    """An agenda time of a meeting that starts at ``start``: on the meeting's local day, or the
    next day when it is earlier than the start; resolved by the same policy as ``resolve``."""
    day = start.date()
    if at < start.time().replace(tzinfo=None):
        day += timedelta(days=1)
    zone = start.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise TypeError("agenda_instant needs a start in a ZoneInfo zone")
    return resolve(WallTime(datetime.combine(day, at)), zone)
