"""A calendar's events over a window, recurrences expanded, with bounds a feed cannot talk past.

``busy_events`` turns the events of a parsed calendar into ``BusyEvent`` values at exact instants.
An event that happens once is read directly; every UID that recurs (RRULE, RDATE, EXDATE, or an
occurrence moved by RECURRENCE-ID) is expanded on its own by ``recurring-ical-events``, over the
window only. Three bounds keep a feed from running away with the command, each a ``FeedError``
that says which event and why:

* ``MAX_REPETITIONS``: the steps it would take to expand one recurring event up to the window's
  end, estimated from its rule before anything is expanded (the expansion counts from the
  event's first occurrence: an event every second since 2000 is 850 million steps away from a
  trip in 2027, and would never finish);
* ``MAX_OCCURRENCES``: occurrences in the window, for the whole feed;
* ``EXPAND_SECONDS``: the time spent, checked after each event.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Final

import icalendar

from ._exceptions import FeedError
from ._time import to_utc
from ._urls import redact_url

__all__ = [
    "EXPAND_SECONDS",
    "MAX_OCCURRENCES",
    "MAX_REPETITIONS",
    "BusyEvent",
    "busy_events",
]

#: Occurrences in the window, all events of one feed together.
MAX_OCCURRENCES: Final = 10_000
#: Steps to expand one recurring event from its start to the window's end (a step is one
#: period of its rule, times what its BY… parts make of each period).
MAX_REPETITIONS: Final = 100_000
#: Seconds spent expanding one feed.
EXPAND_SECONDS: Final = 5.0

_RECURRING: Final = ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
#: The shortest length of each period, so the estimate of steps is never too low.
_PERIOD: Final = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 7 * 86_400,
    "MONTHLY": 28 * 86_400,
    "YEARLY": 365 * 86_400,
}
_ORDER: Final = tuple(_PERIOD)


@dataclass(frozen=True, slots=True)
class BusyEvent:
    """One occurrence from an existing calendar, at exact instants.

    All-day events start and end at midnight in the zone they were read in; floating times are
    read in that zone too. Compare through ``start_utc``/``end_utc``.
    """

    uid: str
    summary: str
    start: datetime
    end: datetime
    all_day: bool = False
    transparent: bool = False
    source: str = ""

    @property
    def start_utc(self) -> datetime:
        return to_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        return to_utc(self.end)


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(0), tzinfo=zone)


def _label(event: icalendar.Component) -> str:
    summary = str(event.get("SUMMARY", ""))[:60]
    uid = str(event.get("UID", ""))[:80]
    return f"event {summary!r} (UID {uid})" if summary else f"event UID {uid}"


class _Bounds:
    """The occurrences counted and the time spent for one feed, against the limits."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.count = 0
        self.deadline = clock.monotonic() + EXPAND_SECONDS

    def add(self, n: int) -> None:
        self.count += n
        if self.count > MAX_OCCURRENCES:
            raise FeedError(
                self.shown,
                f"more than {MAX_OCCURRENCES:,} occurrences in the window asked for; "
                "tripplan reads at most that many from one calendar",
            )

    def check_time(self) -> None:
        if clock.monotonic() > self.deadline:
            raise FeedError(
                self.shown,
                f"expanding its recurring events took more than {EXPAND_SECONDS:g} s; stopped",
            )


def _decoded(event: icalendar.Component, name: str) -> object:
    try:
        return event.decoded(name) if name in event else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _start(event: icalendar.Component, shown: str) -> date:
    value = _decoded(event, "DTSTART")
    if not isinstance(value, date):
        raise FeedError(shown, f"{_label(event)} has no usable DTSTART ({str(value)[:40]!r})")
    return value


def _utc(value: object) -> datetime | None:
    if isinstance(value, date):
        return to_utc(_aware(value, UTC))
    return None


def _first(rule: Any, key: str) -> Any:
    values = rule.get(key)
    return values[0] if isinstance(values, list) and values else None


def _factor(freq: str, rule: Any) -> int:
    """How many candidates a BY… part can make of one period, at most (an overestimate)."""
    coarser = _ORDER.index(freq)

    def count(key: str) -> int:
        values = rule.get(key)
        return len(values) if isinstance(values, list) else 1

    factor = 1
    spread = {"BYSECOND": 1, "BYMINUTE": 2, "BYHOUR": 3, "BYMONTH": 6}  # expand coarser FREQs
    for key, level in spread.items():
        if key in rule and coarser >= level:
            factor *= count(key)
    if "BYDAY" in rule:
        factor *= count("BYDAY") * {"YEARLY": 53, "MONTHLY": 5}.get(freq, 1)
    if "BYMONTHDAY" in rule and freq in ("YEARLY", "MONTHLY"):
        factor *= count("BYMONTHDAY") * (12 if freq == "YEARLY" else 1)
    for key in ("BYYEARDAY", "BYWEEKNO"):
        if key in rule and freq == "YEARLY":
            factor *= count(key) * (7 if key == "BYWEEKNO" else 1)
    return factor


def _steps(event: icalendar.Component, until_utc: datetime, shown: str) -> None:
    """Refuse an event whose rules would take more than ``MAX_REPETITIONS`` steps to expand
    from its first occurrence to ``until_utc``."""
    rules = event.get("RRULE")
    if rules is None:
        return
    begin = _utc(_start(event, shown))
    for rule in rules if isinstance(rules, list) else [rules]:
        if not isinstance(rule, icalendar.vRecur):
            raise FeedError(
                shown, f"{_label(event)} has an RRULE that cannot be read ({rule!s:.40})"
            )
        freq = str(_first(rule, "FREQ") or "").upper()
        interval = _first(rule, "INTERVAL")
        if freq not in _PERIOD or begin is None:
            continue  # recurring-ical-events says what is wrong with it
        step = _PERIOD[freq] * (interval if isinstance(interval, int) and interval > 0 else 1)
        until = _utc(_first(rule, "UNTIL"))
        stop = min(until_utc, until) if until is not None else until_utc
        periods = max(int((stop - begin).total_seconds()) // step + 1, 1)
        steps = periods * _factor(freq, rule)
        count = _first(rule, "COUNT")
        if isinstance(count, int) and not any(key.startswith("BY") for key in rule):
            steps = min(steps, count)
        if steps > MAX_REPETITIONS:
            end = "" if until is None and count is None else " (with an end)"
            raise FeedError(
                shown,
                f"{_label(event)} recurs {freq} from {begin:%Y-%m-%d %H:%M} UTC{end}: "
                f"expanding it up to {until_utc:%Y-%m-%d} takes about {steps:,} steps, over "
                f"the {MAX_REPETITIONS:,} tripplan takes for one event",
            )


def _split(
    calendar: icalendar.Component,
) -> tuple[list[icalendar.Component], list[list[icalendar.Component]]]:
    """The calendar's events: those that happen once, and the rest grouped by UID."""
    by_uid: dict[str, list[icalendar.Component]] = {}
    single: list[icalendar.Component] = []
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            continue
        if "UID" in component:
            by_uid.setdefault(str(component["UID"]), []).append(component)
        else:
            single.append(component)
    series: list[list[icalendar.Component]] = []
    for components in by_uid.values():
        if len(components) == 1 and not any(k in components[0] for k in _RECURRING):
            single.append(components[0])
        else:
            series.append(components)
    return single, series


def _expand(
    components: Sequence[icalendar.Component], low: datetime, high: datetime, shown: str
) -> list[icalendar.Component]:
    """The occurrences of one recurring UID between ``low`` and ``high``."""
    import recurring_ical_events  # on first use: it is slow to import

    one = icalendar.Calendar()
    one.subcomponents = list(components)
    try:
        found: list[icalendar.Component] = recurring_ical_events.of(one).between(low, high)
        return found
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # recurring-ical-events' own errors (a bad RRULE, an end before the start) are
        # ValueErrors; icalendar's InvalidCalendar too.
        raise FeedError(shown, f"{_label(components[0])} cannot be expanded: {error}") from None


def busy_events(
    calendar: icalendar.Calendar,
    start: datetime,
    end: datetime,
    *,
    include_all_day: bool = False,
    include_transparent: bool = False,
    default_zone: tzinfo = UTC,
    source: str = "",
) -> list[BusyEvent]:
    """Every occurrence overlapping [``start``, ``end``), recurrences expanded, in time order.

    Cancelled events and cancelled occurrences are never returned; all-day events and events
    marked ``TRANSP:TRANSPARENT`` (free time) only when asked. Floating times and all-day dates
    are read in ``default_zone`` (pass the traveller's home zone). ``start`` and ``end`` must be
    aware. A feed past the bounds (``MAX_REPETITIONS``, ``MAX_OCCURRENCES``, ``EXPAND_SECONDS``)
    or with an event that cannot be read is a ``FeedError`` naming ``source``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("busy_events needs aware start and end datetimes")
    shown = (redact_url(source) if "://" in source else source) or "calendar"
    if str(calendar.get("CALSCALE", "GREGORIAN")).upper() != "GREGORIAN":
        raise FeedError(shown, "only Gregorian calendars are supported (CALSCALE)")
    low, high = to_utc(start), to_utc(end)
    # Widen the query by a day: floating and all-day values are placed in default_zone here.
    wide_low, wide_high = low - timedelta(days=1), high + timedelta(days=1)
    bounds = _Bounds(shown)
    single, series = _split(calendar)
    found: list[BusyEvent] = []

    def take(occurrences: Iterable[icalendar.Component]) -> None:
        within = [
            busy
            for busy in (_busy(event, default_zone, source, shown) for event in occurrences)
            if busy is not None and busy.start_utc < high and low < busy.end_utc
        ]
        bounds.add(len(within))
        found.extend(
            busy
            for busy in within
            if (include_all_day or not busy.all_day)
            and (include_transparent or not busy.transparent)
        )

    take(single)
    for components in series:
        for component in components:
            _steps(component, wide_high, shown)
        take(_expand(components, wide_low, wide_high, shown))
        bounds.check_time()
    found.sort(key=lambda b: (b.start_utc, b.end_utc, b.uid))
    return found


def _busy(event: icalendar.Component, zone: tzinfo, source: str, shown: str) -> BusyEvent | None:
    """The occurrence as a BusyEvent; ``None`` when it is cancelled."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    begin = _start(event, shown)
    all_day = not isinstance(begin, datetime)
    finish: object = None
    if "DTEND" in event:
        finish = _decoded(event, "DTEND")
    elif "DURATION" in event:
        length = _decoded(event, "DURATION")
        finish = begin + length if isinstance(length, timedelta) else None
    else:
        finish = begin + timedelta(days=1) if all_day else begin
    if not isinstance(finish, date):
        raise FeedError(shown, f"{_label(event)} has no usable DTEND or DURATION")
    start, end = _aware(begin, zone), _aware(finish, zone)
    return BusyEvent(
        uid=str(event.get("UID", "")),
        summary=str(event.get("SUMMARY", "")),
        start=start,
        end=max(start, end),
        all_day=all_day,
        transparent=str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT",
        source=source,
    )
