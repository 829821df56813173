"""tripplan's VTIMEZONEs: the real tzdata transitions, read alike by ical.js, libical and icalendar.

The observances are expanded here by a small expander written from RFC 5545 (not by the code that
wrote them), and the calendars are read by the parsers Thunderbird and Evolution use.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDDDTypes,
    vRecur,
)

from tripplan._vtimezone import covered_span, vtimezone
from tripplan._zones import get_zone, transitions

from ._interop import ParsedEvent, assert_clients_agree, read_icaljs, read_libical
from ._radicale import RadicaleServer

ZONES = [
    "America/New_York",
    "America/Santiago",
    "Europe/Madrid",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Asia/Jerusalem",
    "Africa/Casablanca",
    "Asia/Tokyo",
    "America/St_Johns",
    "Pacific/Apia",
]
# (zone, first and last day of the trip): the zones above over 2026-2027, and years in which a
# zone's rules stopped (Mexico 2022, Brazil 2019) or its last DST period ended (Samoa 2021).
CASES = [(name, date(2026, 1, 15), date(2027, 12, 15)) for name in ZONES] + [
    ("America/Mexico_City", date(2022, 2, 1), date(2022, 11, 30)),
    ("America/Sao_Paulo", date(2018, 3, 1), date(2018, 3, 31)),
    ("Pacific/Apia", date(2021, 3, 1), date(2021, 4, 30)),
]
CASE_IDS = [f"{name}-{first.year}" for name, first, _ in CASES]
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def _trip(name: str, first: date, last: date) -> tuple[ZoneInfo, datetime, datetime]:
    zone = get_zone(name)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last, datetime.max.time(), tzinfo=zone)
    return zone, start, end


def _written(zone: ZoneInfo, start: datetime, end: datetime) -> Timezone:
    """The VTIMEZONE as a client gets it: written out and parsed back."""
    parsed = Timezone.from_ical(vtimezone(zone, start, end).to_ical())
    assert isinstance(parsed, Timezone)
    return parsed


# --- a small RFC 5545 expander for the observances tripplan writes ---------------------------


@dataclass(frozen=True, order=True)
class Onset:
    instant: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str


Observance = TimezoneStandard | TimezoneDaylight


def _observances(vtz: Timezone) -> list[Observance]:
    return [*vtz.standard, *vtz.daylight]


def _offsets(obs: Observance) -> tuple[timedelta, timedelta]:
    offset_from, offset_to = obs.TZOFFSETFROM, obs.TZOFFSETTO
    assert offset_from is not None and offset_to is not None, obs
    return offset_from, offset_to


def _yearly(recur: vRecur, dtstart: datetime, before: datetime) -> Iterator[datetime]:
    """Occurrences (local wall times) of FREQ=YEARLY;BYMONTH=m with BYDAY=nWD, or BYDAY=WD with
    a 7-day BYMONTHDAY window, up to the local time ``before``. Any other rule fails the test."""
    assert set(recur) <= {"FREQ", "BYMONTH", "BYDAY", "BYMONTHDAY", "UNTIL"}, recur
    assert recur["FREQ"] == ["YEARLY"], recur
    (month,) = (int(str(m)) for m in recur["BYMONTH"])
    (byday,) = recur["BYDAY"]
    found = re.fullmatch(r"(-1|[1-4])?(MO|TU|WE|TH|FR|SA|SU)", str(byday))
    assert found is not None, byday
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(found[2])
    window = [int(d) for d in recur.get("BYMONTHDAY", [])]
    assert (found[1] is None) == bool(window) and (not window or len(window) == 7), recur
    for year in range(dtstart.year, before.year + 1):
        days = [
            d
            for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, d).weekday() == weekday
        ]
        if window:
            (day,) = [d for d in days if d in window]
        else:
            day = days[int(found[1]) - 1 if found[1] != "-1" else -1]
        occurrence = datetime.combine(date(year, month, day), dtstart.time())
        if dtstart <= occurrence < before:
            yield occurrence


def expand(vtz: Timezone, before: datetime) -> list[Onset]:
    """Every onset of every observance before the instant ``before``, sorted."""
    onsets: set[Onset] = set()
    for obs in _observances(vtz):
        dtstart = obs.DTSTART
        assert dtstart is not None and dtstart.tzinfo is None, "DTSTART is a local time"
        offset_from, offset_to = _offsets(obs)
        name = str(obs["TZNAME"])
        local_limit = (before + offset_from).replace(tzinfo=None)
        walls = [dtstart]
        for rdate, _ in obs.rdates:
            assert isinstance(rdate, datetime) and rdate.tzinfo is None, rdate
            walls.append(rdate)
        assert len(obs.rrules) <= 1, obs
        for recur in obs.rrules:
            walls += _yearly(recur, dtstart, local_limit)
            if "UNTIL" in recur:
                (until,) = recur["UNTIL"]
                assert until.utcoffset() == timedelta(0), "UNTIL of an observance is UTC"
                walls = [w for w in walls if (w - offset_from).replace(tzinfo=UTC) <= until]
        for wall in walls:
            instant = (wall - offset_from).replace(tzinfo=UTC)
            if instant < before:
                onsets.add(Onset(instant, offset_from, offset_to, name))
    return sorted(onsets)


def real_onsets(zone: ZoneInfo, first: datetime, last: datetime) -> list[Onset]:
    """The zone's transitions in [first, last), as onsets."""
    return [
        Onset(t.instant, t.offset_before, t.offset_after, t.name_after)
        for t in transitions(zone, first, last)
    ]


# --- the VTIMEZONE itself ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "first", "last"), CASES, ids=CASE_IDS)
def test_observances_give_the_real_transitions(name: str, first: date, last: date) -> None:
    zone, start, end = _trip(name, first, last)
    span_start, span_end = covered_span(zone, start, end)
    assert span_start <= start - timedelta(days=366) and span_end >= end + timedelta(days=366)

    onsets = expand(_written(zone, start, end), span_end.astimezone(UTC))

    offset, abbreviation = span_start.utcoffset(), span_start.tzname()
    assert offset is not None and abbreviation is not None
    initial = Onset(span_start.astimezone(UTC), offset, offset, abbreviation)
    assert onsets == [initial, *real_onsets(zone, span_start, span_end)]


# Zones whose real rule is a weekday within a 7-day window, which Outlook cannot read: their rule
# is written as the n-th weekday that holds over the covered span, and ends there.
WINDOW_RULES = {"America/Santiago", "Asia/Jerusalem"}


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [c for c in CASES if c[0] not in WINDOW_RULES],
    ids=[i for c, i in zip(CASES, CASE_IDS, strict=True) if c[0] not in WINDOW_RULES],
)
def test_rules_hold_after_the_trip(name: str, first: date, last: date) -> None:
    """A client expanding a recurring event years past the trip still gets the zone's changes."""
    zone, start, end = _trip(name, first, last)
    _, span_end = covered_span(zone, start, end)
    later = span_end + timedelta(days=20 * 365)
    onsets = expand(_written(zone, start, end), later.astimezone(UTC))
    assert [o for o in onsets if o.instant >= span_end] == real_onsets(zone, span_end, later)


@pytest.mark.parametrize("name", sorted(WINDOW_RULES))
def test_window_rules_are_written_as_nth_weekdays_for_the_covered_span(name: str) -> None:
    zone, start, end = _trip(name, date(2027, 3, 1), date(2027, 3, 20))
    text = vtimezone(zone, start, end).to_ical().decode()
    assert "BYMONTHDAY" not in text and "UNTIL=" in text
    _, span_end = covered_span(zone, start, end)
    onsets = expand(_written(zone, start, end), (span_end + timedelta(days=3650)).astimezone(UTC))
    changes_after = [o for o in onsets if o.instant >= span_end and o.offset_from != o.offset_to]
    real_after = real_onsets(zone, span_end, span_end + timedelta(days=3650))
    assert real_after and changes_after != real_after  # the price: no rule past the span


@pytest.mark.parametrize(("name", "first", "last"), CASES, ids=CASE_IDS)
def test_observances_have_what_clients_need(name: str, first: date, last: date) -> None:
    zone, start, end = _trip(name, first, last)
    vtz = vtimezone(zone, start, end)
    text = vtz.to_ical().decode()
    assert vtz["TZID"] == name
    assert "COMMENT" not in text
    observances = _observances(vtz)
    assert observances
    for obs in observances:
        assert {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"} <= set(obs)
        assert str(obs["TZNAME"])
        # A forward change is DAYLIGHT, a backward one STANDARD (tzdata's negative DST aside).
        offset_from, offset_to = _offsets(obs)
        if offset_from != offset_to:
            assert (obs.name == "DAYLIGHT") == (offset_to > offset_from)
    for line in text.splitlines():
        if line.startswith(("DTSTART", "RDATE")):  # local times, one a line (ical.js reads one)
            assert re.fullmatch(r"(DTSTART|RDATE):\d{8}T\d{6}", line), line
    span_start, span_end = covered_span(zone, start, end)
    if not transitions(zone, span_start, span_end):
        (only,) = observances
        assert only.name == "STANDARD" and _offsets(only)[0] == _offsets(only)[1]


def _rules(name: str, year: int) -> set[str]:
    zone = get_zone(name)
    start = datetime(year, 6, 1, tzinfo=zone)
    return {
        f"{obs.name} {recur.to_ical().decode()}"
        for obs in _observances(vtimezone(zone, start, start))
        for recur in obs.rrules
    }


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        (
            "America/New_York",
            2027,
            {
                "DAYLIGHT FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
                "STANDARD FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
            },
        ),
        (  # the Sunday on or after the 2nd, at local midnight (tzdata: Sun>=2 at 3:00 / 4:00 UTC):
            # Outlook cannot read that window, and the first Sunday gives 2026 to 2028
            "America/Santiago",
            2027,
            {
                "STANDARD FREQ=YEARLY;UNTIL=20280402T030000Z;BYDAY=1SU;BYMONTH=4",
                "DAYLIGHT FREQ=YEARLY;UNTIL=20280903T040000Z;BYDAY=1SU;BYMONTH=9",
            },
        ),
        (  # the Friday before the last Sunday of March: the fourth Friday from 2026 to 2028
            "Asia/Jerusalem",
            2027,
            {
                "DAYLIGHT FREQ=YEARLY;UNTIL=20280324T020000Z;BYDAY=4FR;BYMONTH=3",
                "STANDARD FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            },
        ),
        (  # tzdata's negative DST: winter GMT is the "DST", yet IST is the later clock
            "Europe/Dublin",
            2027,
            {
                "DAYLIGHT FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
                "STANDARD FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            },
        ),
        (
            "Australia/Sydney",
            2027,
            {
                "STANDARD FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
                "DAYLIGHT FREQ=YEARLY;BYDAY=1SU;BYMONTH=10",
            },
        ),
        ("Africa/Casablanca", 2026, set()),  # Ramadan changes: RDATEs only
        ("Asia/Kathmandu", 2027, set()),
        (  # Mexico dropped DST after October 2022
            "America/Mexico_City",
            2022,
            {
                "DAYLIGHT FREQ=YEARLY;UNTIL=20220403T080000Z;BYDAY=1SU;BYMONTH=4",
                "STANDARD FREQ=YEARLY;UNTIL=20221030T070000Z;BYDAY=-1SU;BYMONTH=10",
            },
        ),
        (  # Samoa's last change, 2021-04-04 04:00 +14 (14:00 UTC the day before): UNTIL is the
            # wall time, so that readers taking UNTIL for wall time keep that last change too
            "Pacific/Apia",
            2021,
            {"STANDARD FREQ=YEARLY;UNTIL=20210404T040000Z;BYDAY=1SU;BYMONTH=4"},
        ),
    ],
)
def test_yearly_rules(name: str, year: int, expected: set[str]) -> None:
    assert _rules(name, year) == expected


def test_new_york_onsets_are_read_before_the_change() -> None:
    """RFC 5545 §3.6.5: DTSTART is the wall time before the change, read on TZOFFSETFROM."""
    zone = get_zone("America/New_York")
    trip = datetime(2027, 6, 1, tzinfo=zone)
    onsets = expand(_written(zone, trip, trip), datetime(2028, 1, 1, tzinfo=UTC))
    walls = {(o.instant + o.offset_from).replace(tzinfo=None) for o in onsets}
    assert {datetime(2027, 3, 14, 2), datetime(2027, 11, 7, 2)} <= walls
    assert not walls & {datetime(2027, 3, 14, 3), datetime(2027, 11, 7, 1)}


def test_vtimezone_needs_aware_ordered_bounds() -> None:
    zone = get_zone("Europe/Madrid")
    with pytest.raises(ValueError, match="aware"):
        vtimezone(zone, datetime(2027, 1, 1), datetime(2027, 2, 1, tzinfo=zone))
    with pytest.raises(ValueError, match="before start"):
        vtimezone(zone, datetime(2027, 2, 1, tzinfo=zone), datetime(2027, 1, 1, tzinfo=zone))


# --- what real clients read --------------------------------------------------------------


def _unambiguous(zone: ZoneInfo, wall: datetime) -> datetime:
    """``wall`` in ``zone``, after checking it exists exactly once (not in a gap or a fold)."""
    early, late = wall.replace(tzinfo=zone), wall.replace(tzinfo=zone, fold=1)
    assert early.utcoffset() == late.utcoffset(), f"{wall} is ambiguous or skipped in {zone}"
    assert early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    return early


def _tricky_times(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime]]:
    """Events around each change of the trip: next to a gap or a fold, across it, the evening
    before (midnight changes), over the whole day; plus ordinary days and the issue's examples."""
    hour, quarter, half = timedelta(hours=1), timedelta(minutes=15), timedelta(minutes=30)
    walls: list[tuple[str, datetime, datetime]] = []
    for t in transitions(zone, start, end):
        before, after, day = t.local_before, t.local_after, t.local_before.date().isoformat()
        if t.offset_after > t.offset_before:  # a gap: [before, after) does not exist
            walls.append((f"after-gap-{day}", after + quarter, after + quarter + hour))
            walls.append((f"across-gap-{day}", before - half, after + half))
        else:  # a fold: [after, before) happens twice
            walls.append((f"before-fold-{day}", after - hour, after - quarter))
            walls.append((f"after-fold-{day}", before + quarter, before + quarter + hour))
            walls.append((f"across-fold-{day}", after - half, before + half))
        evening = datetime.combine(before.date() - timedelta(days=1), datetime.min.time())
        walls.append((f"evening-before-{day}", evening.replace(hour=20), evening.replace(hour=21)))
        walls.append((f"whole-day-{day}", before - 12 * hour, before + 12 * hour))
    for year in range(start.year, end.year + 1):
        walls.append((f"winter-{year}", datetime(year, 1, 20, 12), datetime(year, 1, 20, 13)))
        walls.append((f"summer-{year}", datetime(year, 7, 1, 12), datetime(year, 7, 1, 13)))
    examples = {
        "America/New_York": [datetime(2027, 9, 4, 20), datetime(2027, 3, 14, 3, 15)],
        "America/Santiago": [datetime(2027, 4, 3, 22, 30), datetime(2027, 9, 5, 1, 30)],
    }
    for wall in examples.get(str(zone), []) if start.year <= 2027 <= end.year else []:
        walls.append((f"example-{wall:%Y%m%dT%H%M}", wall, wall + 3 * hour))
    return [(label, _unambiguous(zone, a), _unambiguous(zone, b)) for label, a, b in walls]


def _calendar(
    vtz: Timezone, zone: ZoneInfo, events: list[tuple[str, datetime, datetime]]
) -> Calendar:
    cal = Calendar.new(prodid="-//tripplan//tests//EN", uid=f"tripplan-test-{zone}")
    cal.add_component(vtz)
    for label, start, end in events:
        cal.add_component(
            Event.new(uid=f"{label}@{zone}", summary=label, start=start, end=end, stamp=STAMP)
        )
    return cal


def _expected(
    events: list[tuple[str, datetime, datetime]], zone: ZoneInfo
) -> dict[str, ParsedEvent]:
    return {
        f"{label}@{zone}": ParsedEvent(
            f"{label}@{zone}", label, start.astimezone(UTC), end.astimezone(UTC), False
        )
        for label, start, end in events
    }


def _read_with_icalendar(path: Path) -> list[ParsedEvent]:
    """icalendar's reading, through a tzinfo built from the file's VTIMEZONE (by default it
    would look the TZID up in zoneinfo and never read the VTIMEZONE)."""
    cal = Calendar.from_ical(path.read_bytes())
    assert isinstance(cal, Calendar)
    zones = {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.timezones}

    def utc(prop: str, event: Event) -> tuple[datetime, bool]:
        value = event[prop]
        assert isinstance(value, vDDDTypes), value
        if isinstance(value.dt, datetime):
            wall = value.dt.replace(tzinfo=zones[value.params["TZID"]])
            return wall.astimezone(UTC), False
        assert isinstance(value.dt, date), value
        return datetime.combine(value.dt, datetime.min.time(), tzinfo=UTC), True

    parsed = []
    for event in cal.events:
        (start, all_day), (end, _) = utc("DTSTART", event), utc("DTEND", event)
        parsed.append(ParsedEvent(str(event["UID"]), str(event["SUMMARY"]), start, end, all_day))
    return parsed


@pytest.mark.parametrize(("name", "first", "last"), CASES, ids=CASE_IDS)
def test_clients_read_the_events_as_zoneinfo_does(
    name: str, first: date, last: date, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    zone, start, end = _trip(name, first, last)
    events = _tricky_times(zone, start, end)
    cal = _calendar(vtimezone(zone, start, end), zone, events)
    all_day = Event.new(
        uid=f"all-day@{zone}", summary="all-day", start=first, end=first + timedelta(days=1)
    )
    cal.add_component(all_day)
    path = tmp_path / "trip.ics"
    path.write_bytes(cal.to_ical())

    expected = _expected(events, zone)
    midnight = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    expected[f"all-day@{zone}"] = ParsedEvent(
        f"all-day@{zone}", "all-day", midnight, midnight + timedelta(days=1), True
    )
    libical = read_libical(path)
    for parser, parsed in [
        ("ical.js", read_icaljs(path)),
        ("libical", libical.events),
        ("icalendar", _read_with_icalendar(path)),
    ]:
        assert {e.uid: e for e in parsed} == expected, parser
    assert (libical.restrictions_ok, libical.errors) == (True, [])
    stored = assert_clients_agree(path, radicale_server)  # Radicale takes it and serves it back
    assert {e.uid: e for e in stored} == expected


def test_icalendar_default_vtimezone_is_misread(tmp_path: Path) -> None:
    """icalendar 7.3's ``Timezone.from_tzid`` zone, as observed: ical.js reads only the first
    value of each RDATE property, so of the 1970-2037 changes listed in one RDATE it sees the
    1971 ones and then keeps New York on EST for good: the 03:15 event after the 2027 spring
    change and a July noon both come out an hour late. libical reads the times right but its
    restriction check rejects the zone's COMMENT. tripplan's zone passes both."""
    zone = get_zone("America/New_York")
    events = [
        (
            "after-gap",
            datetime(2027, 3, 14, 3, 15, tzinfo=zone),
            datetime(2027, 3, 14, 4, 15, tzinfo=zone),
        ),
        ("summer", datetime(2027, 7, 1, 12, tzinfo=zone), datetime(2027, 7, 1, 13, tzinfo=zone)),
    ]
    right = {
        "after-gap": datetime(2027, 3, 14, 7, 15, tzinfo=UTC),
        "summer": datetime(2027, 7, 1, 16, tzinfo=UTC),
    }
    assert {label: start.astimezone(UTC) for label, start, _ in events} == right

    theirs, ours = tmp_path / "icalendar.ics", tmp_path / "tripplan.ics"
    theirs.write_bytes(_calendar(Timezone.from_tzid(str(zone)), zone, events).to_ical())
    trip = datetime(2027, 6, 1, tzinfo=zone)
    ours.write_bytes(_calendar(vtimezone(zone, trip, trip), zone, events).to_ical())

    def starts(parsed: list[ParsedEvent]) -> dict[str, datetime]:
        return {e.summary: e.start_utc for e in parsed}

    assert starts(read_icaljs(theirs)) == {
        label: t + timedelta(hours=1) for label, t in right.items()
    }
    libical = read_libical(theirs)
    assert starts(libical.events) == right
    assert not libical.restrictions_ok
    assert libical.errors == [
        "VTIMEZONE: Failed iTIP restrictions for COMMENT property. "
        "Expected 0 instances of the property and got 1"
    ]
    assert starts(_read_with_icalendar(theirs)) == right

    assert starts(read_icaljs(ours)) == right
    libical = read_libical(ours)
    assert (starts(libical.events), libical.restrictions_ok, libical.errors) == (right, True, [])


def test_clients_resolve_skipped_and_repeated_times_against_the_rfc(tmp_path: Path) -> None:
    """As observed: for a TZID time that does not exist (02:30 on New York's spring-forward day)
    or exists twice (01:30 on fall-back day), ical.js and libical both take the offset after the
    change, where RFC 5545 §3.3.5 and zoneinfo (fold=0) take the one before it. So a calendar
    should not state such a time with a TZID: the same VTIMEZONE gives different instants."""
    zone = get_zone("America/New_York")
    skipped, repeated = (
        datetime(2027, 3, 14, 2, 30, tzinfo=zone),
        datetime(2027, 11, 7, 1, 30, tzinfo=zone),
    )
    events = [("skipped", skipped, skipped), ("repeated", repeated, repeated)]
    trip = datetime(2027, 6, 1, tzinfo=zone)
    path = tmp_path / "edge.ics"
    path.write_bytes(_calendar(vtimezone(zone, trip, trip), zone, events).to_ical())

    rfc = {
        "skipped": datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
        "repeated": datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
    }
    assert {"skipped": skipped.astimezone(UTC), "repeated": repeated.astimezone(UTC)} == rfc
    after = {
        label: t + timedelta(hours=-1 if label == "skipped" else 1) for label, t in rfc.items()
    }
    for parsed in (read_icaljs(path), read_libical(path).events):
        assert {e.summary: e.start_utc for e in parsed} == after


def test_the_covered_span_stays_within_the_years_python_has() -> None:
    zone = get_zone("America/Santiago")
    early = datetime(1, 1, 2, tzinfo=zone)
    late = datetime(9999, 12, 30, tzinfo=zone)
    assert covered_span(zone, early, late) == (
        datetime(1, 1, 1, tzinfo=zone),
        datetime(9999, 1, 1, tzinfo=zone),
    )
    assert vtimezone(zone, early, early + timedelta(days=1))["TZID"] == "America/Santiago"
