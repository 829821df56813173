"""Plan checks about the calendar where the traveller is: business hours, the local weekend,
public holidays, changes of UTC offset during the trip, and agendas that leave their meeting."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date

from babel import Locale

from ._checking import Plan, finding_codes, is_meeting_of
from ._findings import Finding, Severity
from ._formatting import territory_locale
from ._holidays import holiday_on
from ._items import Meeting
from ._types import format_offset
from ._zones import transitions

__all__ = ["agenda", "business_hours", "dst_change", "public_holiday", "weekend_meeting"]


@finding_codes("outside-business-hours", "a business meeting outside local business hours")
def business_hours(plan: Plan) -> Iterator[Finding]:
    opens, closes = plan.options.business_hours
    kinds = plan.options.business_kinds
    for entry in plan.present:
        if not is_meeting_of(entry, kinds):
            continue
        start, end = entry.start, entry.end
        late = end.date() > start.date() or end.time() > closes
        if start.time() < opens or late:
            yield plan.finding(
                "outside-business-hours",
                Severity.WARNING,
                f"{entry.label!r} runs {start:%H:%M}–{end:%H:%M} {start.tzname()}, outside "
                f"business hours ({opens:%H:%M}–{closes:%H:%M}) at {entry.origin.name}",
                entry,
            )


@functools.cache
def _weekend_days(country: str) -> frozenset[int]:
    """The weekdays (Monday 0) of the weekend in ``country``, from CLDR via Babel."""
    local = territory_locale(country)
    if local is None:
        first, last = 5, 6
    else:
        locale = Locale.parse(local)
        first, last = locale.weekend_start, locale.weekend_end
    return frozenset(d % 7 for d in range(first, first + ((last - first) % 7) + 1))


@finding_codes("weekend-meeting", "a business meeting on the local weekend")
def weekend_meeting(plan: Plan) -> Iterator[Finding]:
    kinds = plan.options.business_kinds
    for entry in plan.present:
        country = entry.origin.country
        if country is None or not is_meeting_of(entry, kinds):
            continue
        if entry.start.weekday() in _weekend_days(country):
            yield plan.finding(
                "weekend-meeting",
                Severity.WARNING,
                f"{entry.label!r} is on {entry.start:%A %Y-%m-%d}, a weekend day in {country}",
                entry,
            )


@finding_codes("public-holiday", "a business meeting on a public holiday of the place's country")
def public_holiday(plan: Plan) -> Iterator[Finding]:
    kinds = plan.options.business_kinds
    named: dict[tuple[str, str | None, date], str | None] = {}  # each day asked once
    for entry in plan.present:
        country = entry.origin.country
        if country is None or not is_meeting_of(entry, kinds):
            continue
        day = entry.start.date()
        region = entry.origin.subdivision
        key = (country, region, day)
        if key in named:
            name = named[key]
        else:
            name = named[key] = holiday_on(country, region, day)
        if name:
            where = f"{country}-{region}" if region else country
            yield plan.finding(
                "public-holiday",
                Severity.WARNING,
                f"{entry.label!r} is on {day:%a %Y-%m-%d}, a public holiday in {where}: {name}",
                entry,
            )


@finding_codes("dst-change", "a zone of the trip changes its UTC offset during the trip")
def dst_change(plan: Plan) -> Iterator[Finding]:
    timeline = plan.timeline
    if timeline.start is None or timeline.end is None:
        return
    zones = {e.origin.zone.key: e.origin.zone for e in plan.entries}
    zones |= {e.destination.zone.key: e.destination.zone for e in plan.entries}
    zones.setdefault(plan.trip.home_zone.key, plan.trip.home_zone)
    for key in sorted(zones):
        for change in transitions(zones[key], timeline.start, timeline.end):
            yield Finding(
                "dst-change",
                Severity.NOTE,
                f"{key} changes from UTC{format_offset(change.offset_before)} to "
                f"UTC{format_offset(change.offset_after)} at {change.local_before:%a %Y-%m-%d %H:%M} "
                f"local time (the clocks then show {change.local_after:%H:%M})",
                at=change.instant,
            )


@finding_codes("agenda-outside-meeting", "an agenda entry outside its meeting's time")
def agenda(plan: Plan) -> Iterator[Finding]:
    for entry in plan.entries:
        meeting = entry.item
        if not entry.agenda or not isinstance(meeting, Meeting):
            continue
        for n, (step, at) in enumerate(zip(meeting.agenda, entry.agenda, strict=True)):
            if not entry.start_utc <= at < entry.end_utc:
                yield Finding(
                    "agenda-outside-meeting",
                    Severity.WARNING,
                    f"agenda entry {step.at:%H:%M} {step.title!r} is outside {entry.label!r} "
                    f"({entry.start:%H:%M}–{entry.end:%H:%M})",
                    (entry.id,),
                    (f"{entry.path}.agenda[{n}]",),
                    entry.start_utc,
                )
