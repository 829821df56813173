"""Plan checks: what is wrong with a plan, or worth a second look, as findings with stable codes.

A MUST of the trip format fails loading; everything a planner may have done on purpose (a
weekend meeting, a tight connection) is a finding here. Each check reads the resolved timeline
only and compares instants in UTC. Codes are documented in ``docs/checks.md`` and never change
meaning; new checks get new codes.

The checks themselves live by concept: getting there (``_travel_checks``), where the traveller
is (``_whereabouts``), the local calendar (``_calendar_checks``) and the zone data
(``_zone_checks``); what they share is in ``_checking``. This module is their registry, in
the order they run, and ``check``.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import _calendar_checks as calendar
from . import _travel_checks as travel
from . import _whereabouts as whereabouts
from . import _zone_checks as zones
from ._checking import CheckFn, CheckOptions, Plan, codes_of
from ._exceptions import OptionError
from ._feeds import BusyEvent
from ._findings import Finding, Severity, order
from ._model import Trip
from ._schedule import find_conflicts

__all__ = ["CODES", "CheckOptions", "Finding", "Severity", "check", "order"]

CODES: dict[str, str] = {
    "calendar-conflict": "an event of the traveller's own calendar overlaps an item they attend"
}
_CHECKS: list[tuple[frozenset[str], CheckFn]] = []

for _fn in (
    travel.overlap,
    travel.arrival_buffer,
    whereabouts.no_travel,
    whereabouts.venue_change,
    travel.flight_order,
    travel.flight_too_fast,
    travel.flight_too_slow,
    travel.connections,
    travel.nights,
    calendar.business_hours,
    whereabouts.attendee_hours,
    calendar.weekend_meeting,
    calendar.public_holiday,
    travel.jet_lag,
    calendar.dst_change,
    zones.zone_mismatch,
    zones.zone_data_skew,
    calendar.agenda,
    travel.stays,
):
    CODES.update(codes_of(_fn))
    _CHECKS.append((frozenset(codes_of(_fn)), _fn))


def check(
    trip: Trip, options: CheckOptions | None = None, *, busy: Iterable[BusyEvent] = ()
) -> list[Finding]:
    """Every finding about ``trip``, most severe first, then in time order.

    ``busy`` are events of the traveller's own calendars (``traveller_busy``): each that overlaps
    an item the traveller attends is a ``calendar-conflict``. A code in ``options.disabled`` is
    never reported, and a check none of whose codes are wanted does not run.
    """
    options = options or CheckOptions()
    unknown = sorted(set(options.disabled) - set(CODES))
    if unknown:
        raise OptionError(f"unknown check code {unknown[0]!r}; expected one of: {', '.join(CODES)}")
    plan = Plan(trip, options)
    found: list[Finding] = [
        f for codes, fn in _CHECKS if not codes <= options.disabled for f in fn(plan)
    ]
    if "calendar-conflict" not in options.disabled:
        found += [c.to_finding() for c in find_conflicts(trip, busy)]
    return order(f for f in found if f.code not in options.disabled)
