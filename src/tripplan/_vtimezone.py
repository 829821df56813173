"""VTIMEZONE components that Outlook, Thunderbird (ical.js) and Evolution (libical) all read right.

A calendar event written as ``DTSTART;TZID=America/Santiago:...`` is only as good as the
VTIMEZONE that defines the TZID. icalendar 7.3's own zones (``Timezone.from_tzid``,
``add_missing_timezones``) write each change to daylight time at the wall time after the change
(New York's 2 a.m. change as ``03:00``, where RFC 5545 §3.6.5 reads DTSTART on TZOFFSETFROM and
wants ``02:00``), list every change since 1970 in one RDATE property (Outlook misreads long RDATE
lists; ical.js reads only its first value, and so keeps New York on EST all year after 1971) and
carry a COMMENT that libical's restriction check rejects. So tripplan writes its own, from the
same tzdata that resolves the trip's times:

* The zone's real transitions (``_zones.transitions``) from 1 January of the year before the
  trip to 1 January two years after it, each written at the wall time just before the change.
* A change that recurs every year on the same kind of day becomes one RRULE observance:
  ``BYDAY=2SU`` (n-th weekday) or ``BYDAY=-1SU`` (last). The rule is read off 28 more years of
  transitions, a full cycle of weekdays against dates, so it is the zone's real rule and holds
  past the trip when a client expands a recurring event; UNTIL is set where the rule stops.
  Rules such as Israel's "Friday on or after the 23rd" and Chile's "Sunday on or after the 2nd"
  (its midnight changes) are exactly a weekday within a 7-day ``BYMONTHDAY`` window, which
  Outlook cannot read (it holds a rule as "n-th weekday of a month"); for those, the n-th weekday
  that gives every change of the covered span is written, with UNTIL at the span's last change,
  and the window form only where no n-th weekday fits.
* Other changes (Morocco's Ramadan changes) become RDATE observances, one RDATE property per
  change: ical.js reads only the first value of an RDATE property, and ignores the DTSTART of an
  observance that has RDATEs, so the DTSTART is repeated as an RDATE.
* A first observance at the start of the covered span states the offset in force there: ical.js
  takes any time before a zone's first observance to be UTC. A zone with no transition gets only
  that STANDARD observance.

STANDARD or DAYLIGHT follows the direction of the change (clocks forward: DAYLIGHT), not tzdata's
DST flag: tzdata marks Dublin's winter and Morocco's Ramadan time as negative daylight saving
time, which its own "rearguard" form turns around for software that expects daylight time to be
the later clock; this follows the rearguard form, so a yearly pair is one STANDARD and one
DAYLIGHT observance. Offsets, the only thing clients compute times from, are exact either way.

TZNAME is the abbreviation the zone data gives, numeric ones like ``-03`` included: tzdata uses
those where no abbreviation is in real use, they are what Python's ``tzname()`` shows for the
same times, and leaving TZNAME out would only make clients invent a name of their own.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from ._zones import Transition, transitions

__all__ = ["covered_span", "vtimezone"]

_RULE_YEARS = 28  # weekdays fall on the same dates again after 28 years (1901-2099)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_Observance = TimezoneStandard | TimezoneDaylight


@dataclass(frozen=True, slots=True)
class _Change:
    """What a yearly rule repeats: the same change, in the same month, at the same wall time."""

    daylight: bool
    offset_from: timedelta
    offset_to: timedelta
    name: str
    month: int
    wall_time: time


@dataclass(frozen=True, slots=True)
class _Rule:
    """An RRULE day: ``byday`` such as ``2SU``/``-1SU``/``FR``, with a BYMONTHDAY window or not."""

    byday: str
    monthdays: tuple[int, ...] = ()

    @property
    def preference(self) -> int:
        return 2 if self.monthdays else 1 if self.byday.startswith("-") else 0


def covered_span(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The span a trip's VTIMEZONE describes: 1 January of the year before ``start`` (local) to
    1 January two years after ``end``, so that a client expanding a little past the trip is
    still right."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    first = datetime(max(start.astimezone(zone).year - 1, 1), 1, 1, tzinfo=zone)
    last = datetime(min(end.astimezone(zone).year + 2, 9999), 1, 1, tzinfo=zone)
    return first, last


def vtimezone(zone: ZoneInfo, start: datetime, end: datetime) -> Timezone:
    """The VTIMEZONE of ``zone`` for a calendar whose events lie between ``start`` and ``end``.

    ``start`` must not be later than the calendar's first event: ical.js reads any time before a
    zone's first observance as UTC, and the first observance is 1 January of the year before.
    """
    if not zone.key:
        raise ValueError("the zone has no IANA name to use as TZID")
    first, last = covered_span(zone, start, end)
    horizon = datetime(min(last.year + _RULE_YEARS, 9999), 1, 1, tzinfo=UTC)
    found = transitions(zone, first, horizon)

    result = Timezone()
    result.add("TZID", zone.key)
    covered = [t for t in found if t.instant < last]
    # The offset in force at `first` is the one the first change leaves: DAYLIGHT if clocks go back.
    initial = _observance(bool(covered) and covered[0].offset_after < covered[0].offset_before)
    initial.DTSTART = first.replace(tzinfo=None)
    initial.TZOFFSETFROM = initial.TZOFFSETTO = first.utcoffset()
    initial.add("TZNAME", first.tzname())
    result.add_component(initial)

    observances: list[_Observance] = []
    changes: dict[_Change, list[Transition]] = defaultdict(list)
    for t in found:
        changes[_change(t)].append(t)
    irregular: dict[_Change, list[datetime]] = defaultdict(list)
    for change, occurrences in changes.items():
        for run, rule in _runs(occurrences):
            if run[0].instant >= last:
                continue
            if rule is not None and rule.monthdays:
                # Outlook holds a zone's rule as "n-th weekday of a month" (Windows'
                # TIME_ZONE_INFORMATION; MS-OXCICAL) and cannot read a BYMONTHDAY window. Where an
                # n-th weekday gives every change of the covered span, write that, ending there.
                inside = [t for t in run if t.instant < last]
                plain = _plain(inside)
                if plain is not None:
                    observances.append(_yearly(change, inside[0], plain, inside[-1]))
                    continue
            if rule is None:
                irregular[_any_day(change)].append(run[0].local_before)
            else:
                stops = run[-1].local_before.year < horizon.year - 1
                observances.append(_yearly(change, run[0], rule, run[-1] if stops else None))
    for change, onsets in irregular.items():
        observances.append(_dated(change, sorted(onsets)))
    for observance in sorted(observances, key=lambda o: o.DTSTART):
        result.add_component(observance)
    return result


def _observance(daylight: bool) -> _Observance:
    return TimezoneDaylight() if daylight else TimezoneStandard()


def _change(t: Transition) -> _Change:
    if t.offset_after == t.offset_before:
        daylight = t.dst_after
    else:
        daylight = t.offset_after > t.offset_before
    local = t.local_before
    return _Change(
        daylight, t.offset_before, t.offset_after, t.name_after, local.month, local.time()
    )


def _any_day(change: _Change) -> _Change:
    """Irregular changes share one RDATE observance whatever their month and wall time."""
    return _Change(change.daylight, change.offset_from, change.offset_to, change.name, 0, time())


def _rules(day: date) -> set[_Rule]:
    """Every RRULE day that ``day`` satisfies within its month."""
    weekday = _WEEKDAYS[day.weekday()]
    shortest_month = calendar.monthrange(2001, day.month)[1]
    rules = set()
    if day.day <= 28:
        rules.add(_Rule(f"{(day.day - 1) // 7 + 1}{weekday}"))
    if day.day > calendar.monthrange(day.year, day.month)[1] - 7:
        rules.add(_Rule(f"-1{weekday}"))
    for low in range(max(1, day.day - 6), min(day.day, shortest_month - 6) + 1):
        rules.add(_Rule(weekday, tuple(range(low, low + 7))))
    return rules


def _runs(occurrences: list[Transition]) -> list[tuple[list[Transition], _Rule | None]]:
    """Split one change's occurrences into runs of consecutive years that one rule gives;
    a lone occurrence has no rule."""
    runs: list[tuple[list[Transition], _Rule | None]] = []
    run: list[Transition] = []
    rules: set[_Rule] = set()
    for t in occurrences:
        day = t.local_before.date()
        common = rules & _rules(day)
        if run and common and day.year == run[-1].local_before.year + 1:
            run.append(t)
            rules = common
            continue
        if run:
            runs.append((run, _best(rules) if len(run) > 1 else None))
        run, rules = [t], _rules(day)
    if run:
        runs.append((run, _best(rules) if len(run) > 1 else None))
    return runs


def _plain(occurrences: list[Transition]) -> _Rule | None:
    """An n-th (or last) weekday rule that every one of these yearly changes satisfies, if any."""
    common = set.intersection(*(_rules(t.local_before.date()) for t in occurrences))
    plain = {r for r in common if not r.monthdays}
    return _best(plain) if plain else None


def _best(rules: set[_Rule]) -> _Rule:
    """The plainest rule: n-th weekday, then last weekday, then the earliest 7-day window."""
    return min(rules, key=lambda r: (r.preference, r.monthdays, r.byday))


def _yearly(
    change: _Change, first: Transition, rule: _Rule, last: Transition | None
) -> _Observance:
    observance = _described(change, first.local_before)
    recur = vRecur(freq="YEARLY", bymonth=change.month, byday=rule.byday)
    if rule.monthdays:
        recur["BYMONTHDAY"] = list(rule.monthdays)
    if last is not None:
        # UNTIL is UTC in a VTIMEZONE (RFC 5545 §3.3.10) and inclusive. dateutil's tzical (behind
        # icalendar's Timezone.to_tz) reads it as wall time, which east of Greenwich falls before
        # the last change; the later of the two still ends the rule before the next year's.
        recur["UNTIL"] = max(last.instant, last.local_before.replace(tzinfo=UTC))
    observance.add("RRULE", recur)
    return observance


def _dated(change: _Change, onsets: list[datetime]) -> _Observance:
    observance = _described(change, onsets[0])
    for onset in onsets:  # one per property: ical.js reads only the first value of an RDATE
        observance.add("RDATE", onset)
    return observance


def _described(change: _Change, onset: datetime) -> _Observance:
    observance = _observance(change.daylight)
    observance.DTSTART = onset
    observance.TZOFFSETFROM = change.offset_from
    observance.TZOFFSETTO = change.offset_to
    observance.add("TZNAME", change.name)
    return observance
