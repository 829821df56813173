"""A cheap first pass over a feed's bytes: events that cannot touch a window are dropped before
the iCalendar parser builds them.

A calendar with years of history holds tens of thousands of events, and building each one with
icalendar costs far more than the question asked of the feed (what is on during a trip, on one
day). ``events_within`` reads only the lines that place an event in time (DTSTART, DTEND,
DURATION) and drops the events that end before the window opens or start after it closes, with
``MARGIN`` to spare for time zones and all-day dates; whatever it cannot judge for certain it
keeps: every event that recurs or is an occurrence of one (RRULE, RDATE, EXRULE, RECURRENCE-ID),
and every event whose dates it cannot read. The parser and ``busy_events`` decide the rest.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

__all__ = ["MARGIN", "events_within"]

#: Slack on each side of the window: UTC offsets reach 14 hours, floating times and all-day
#: dates are placed in a zone only later, and ``busy_events`` widens its query by a day.
MARGIN: Final = timedelta(days=3)

_UNFOLD = re.compile(rb"\r?\n[ \t]")
_MARK = re.compile(rb"^(BEGIN|END):VEVENT[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_LINE = re.compile(
    rb"^(DTSTART|DTEND|DURATION|RRULE|RDATE|EXRULE|RECURRENCE-ID)([;:][^\r\n]*)",
    re.MULTILINE | re.IGNORECASE,
)
_RECURRING: Final = frozenset({b"RRULE", b"RDATE", b"EXRULE", b"RECURRENCE-ID"})
_DATE = re.compile(rb"\s*(\d{4})(\d{2})(\d{2})")
_DURATION = re.compile(
    rb"\s*\+?P(?:(\d{1,6})W)?(?:(\d{1,6})D)?"
    rb"(?:T(?:(\d{1,8})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?\s*$",
    re.IGNORECASE,
)


def events_within(data: bytes, start: date, end: date) -> bytes:
    """``data`` (an iCalendar feed) without the events that lie wholly outside [``start``,
    ``end``] (dates, widened by ``MARGIN``); the same bytes when none does.

    The result has its long lines unfolded, which means the same to any iCalendar parser.
    """
    low, high = start - MARGIN, end + MARGIN
    if b"BEGIN:VEVENT" not in data:
        return data
    unfolded = _UNFOLD.sub(b"", data)
    pieces: list[bytes] = []
    kept_from = 0
    opened: int | None = None  # where the event being read began
    for mark in _MARK.finditer(unfolded):  # one pass, whatever the nesting: linear time
        if mark.group(1) == b"BEGIN":
            opened = mark.start()  # a BEGIN without its END leaves the earlier one to the parser
        elif opened is not None:
            if _outside(unfolded[opened : mark.end()], low, high):
                pieces.append(unfolded[kept_from:opened])
                kept_from = mark.end()
            opened = None
    if not pieces:
        return data
    pieces.append(unfolded[kept_from:])
    return b"".join(pieces)


def _outside(event: bytes, low: date, high: date) -> bool:
    """Whether the event surely ends before ``low`` or starts after ``high``."""
    found: dict[bytes, bytes] = {}
    for name, rest in _LINE.findall(event):
        key = name.upper()
        if key in _RECURRING:
            return False
        found.setdefault(key, rest)
    begin = _day(found.get(b"DTSTART"))
    if begin is None:
        return False
    if b"DTEND" in found:
        finish = _day(found[b"DTEND"])
    elif b"DURATION" in found:
        length = _length(found[b"DURATION"])
        finish = begin + length if length is not None else None
    else:
        finish = begin
    if finish is None:
        return False
    return finish < low or begin > high


def _value(rest: bytes) -> bytes:
    """The value of a content line's remainder (``;TZID=...:20270310T090000``): after the
    last colon, since a date or duration has none of its own."""
    return rest.rpartition(b":")[2]


def _day(rest: bytes | None) -> date | None:
    if rest is None:
        return None
    match = _DATE.match(_value(rest))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _length(rest: bytes) -> timedelta | None:
    """A DURATION as whole days, rounded up; ``None`` if it cannot be read (or is negative)."""
    match = _DURATION.match(_value(rest))
    if match is None:
        return None
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = weeks * 7 + days + (hours * 3600 + minutes * 60 + seconds + 86399) // 86400
    return timedelta(days=total)
