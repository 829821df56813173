"""The traveller's existing calendars: read iCalendar feeds, expand them, find conflicts and gaps.

``read_calendar`` reads a feed from a path, a ``file://`` URL, or an ``http(s)://`` or
``webcal://`` URL. HTTP goes through ``_http.get`` (timeouts, retries, size cap, TLS, no
cross-host redirects); each URL's last answer is cached on disk with its ETag and Last-Modified,
sent back as ``If-None-Match``/``If-Modified-Since`` so an unchanged feed costs a 304. Feeds that
rely on ``X-WR-TIMEZONE`` (Google's) are repaired with the ``x-wr-timezone`` package, the zone
read from tzdata like every other zone in tripplan.

``busy_events`` expands recurring events (``recurring-ical-events``: RRULE, RDATE, EXDATE,
moved occurrences) into ``BusyEvent`` values at exact instants; ``_schedule`` compares them with
the items the traveller attends and finds the gaps in a day's business hours.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

import icalendar

from ._exceptions import FeedError, NetworkError, ZoneError
from ._output import write_atomic
from ._time import to_utc
from ._zones import get_zone

if TYPE_CHECKING:
    import requests


__all__ = [
    "FEED_MAX_BYTES",
    "BusyEvent",
    "FeedError",
    "busy_events",
    "read_calendar",
]

#: Feeds are larger than the documents ``_http`` usually fetches: years of a busy calendar.
FEED_MAX_BYTES: Final = 16 * 1024 * 1024
_ACCEPT: Final = "text/calendar, text/plain;q=0.5, */*;q=0.1"


# --- reading -----------------------------------------------------------------------------------


def read_calendar(
    source: str,
    *,
    session: requests.Session | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    webcal_scheme: Literal["https", "http"] = "https",
) -> icalendar.Calendar:
    """The calendar at ``source``: a path, a ``file://``, ``http(s)://`` or ``webcal://`` URL.

    ``webcal://`` is read as ``https://`` (``webcal_scheme`` exists for tests against a plain
    HTTP server on 127.0.0.1). HTTP answers are cached under ``cache_dir`` (default
    ``default_cache_dir() / "feeds"``) and revalidated with conditional requests; a 304 reuses
    the cached body. A feed that cannot be fetched raises ``FeedError`` even when a cached copy
    exists: a stale calendar would hide conflicts. Times written against ``X-WR-TIMEZONE``
    (UTC or floating) are moved into that zone.
    """
    scheme = urlsplit(source).scheme.lower() if "://" in source else ""
    if scheme == "webcal":
        source = f"{webcal_scheme}{source[len('webcal') :]}"
        scheme = webcal_scheme
    if scheme in ("http", "https"):
        from ._http import redact_url

        shown = redact_url(source)
        data = _fetch(source, shown, session, cache_dir)
    elif scheme in ("", "file"):
        path = Path(url2pathname(urlsplit(source).path)) if scheme == "file" else Path(source)
        shown = str(path)
        data = _read_file(path)
    else:
        raise FeedError(_redact(source), f"{scheme}: URLs are not supported")
    return _parse(data, shown)


def _redact(source: str) -> str:
    from ._http import redact_url

    return redact_url(source)


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(FEED_MAX_BYTES + 1)
    except FileNotFoundError:
        raise FeedError(str(path), "no such file") from None
    except OSError as exc:
        raise FeedError(str(path), exc.strerror or type(exc).__name__) from exc
    if len(data) > FEED_MAX_BYTES:
        raise FeedError(str(path), f"file is over the {FEED_MAX_BYTES:,} byte limit")
    return data


def _parse(data: bytes, shown: str) -> icalendar.Calendar:
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise FeedError(shown, f"not an iCalendar file ({exc})") from exc
    if len(calendars) != 1 or not isinstance(calendars[0], icalendar.Calendar):
        raise FeedError(shown, "not an iCalendar file (expected one VCALENDAR)")
    calendar = calendars[0]
    name = calendar.get("X-WR-TIMEZONE")
    if name is not None:
        try:
            zone = get_zone(str(name))
        except ZoneError:
            raise FeedError(shown, f"unknown X-WR-TIMEZONE {str(name)!r}") from None
        import x_wr_timezone

        calendar = cast("icalendar.Calendar", x_wr_timezone.to_standard(calendar, zone))
    return calendar


# --- HTTP with conditional requests --------------------------------------------------------------


class _ConditionalSession:
    """A session as ``_http.get`` uses it, adding validators to every GET it sends.

    ``_http.get`` takes only an ``Accept`` header; this wrapper lets the feed reader revalidate
    without touching the shared session's headers (which other threads may be using).
    """

    def __init__(self, session: requests.Session, headers: Mapping[str, str]) -> None:
        self._session = session
        self._headers = dict(headers)

    @property
    def verify(self) -> bool | str:
        return cast("bool | str", self._session.verify)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        headers = {**(kwargs.pop("headers", None) or {}), **self._headers}
        return self._session.get(url, headers=headers, **kwargs)


def _cache_file(url: str, cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is None:
        from ._rates import default_cache_dir

        folder = default_cache_dir() / "feeds"
    else:
        folder = Path(cache_dir)
    # The key hashes the whole URL (secret tokens included) so the name reveals nothing.
    return folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.ics-cache"


def _load_cache(path: Path) -> tuple[dict[str, str], bytes] | None:
    """The cached validators and body: one JSON line, then the body as it arrived."""
    try:
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return {k: v for k, v in meta.items() if isinstance(v, str)}, body


def _fetch(
    url: str,
    shown: str,
    session: requests.Session | None,
    cache_dir: str | os.PathLike[str] | None,
) -> bytes:
    from ._http import default_session, get

    cache = _cache_file(url, cache_dir)
    cached = _load_cache(cache)
    validators: dict[str, str] = {}
    if cached is not None:
        meta, _ = cached
        if meta.get("etag"):
            validators["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            validators["If-Modified-Since"] = meta["last_modified"]
    base = session if session is not None else default_session()
    wrapped = cast("requests.Session", _ConditionalSession(base, validators))
    try:
        fetched = get(wrapped, url, max_bytes=FEED_MAX_BYTES, accept=_ACCEPT)
    except NetworkError as exc:
        if exc.status == 304 and cached is not None and validators:
            return cached[1]
        raise FeedError(shown, exc.reason) from exc
    headers = {k.lower(): v for k, v in fetched.headers.items()}
    meta = {"url": shown}
    if "etag" in headers:
        meta["etag"] = headers["etag"]
    if "last-modified" in headers:
        meta["last_modified"] = headers["last-modified"]
    if len(meta) > 1:
        payload = json.dumps(meta).encode("utf-8") + b"\n" + fetched.content
        # A cache that cannot be written only costs a full download next time.
        with contextlib.suppress(OSError):
            write_atomic(cache, payload)
    return fetched.content


# --- expanding ---------------------------------------------------------------------------------


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
    aware.
    """
    import recurring_ical_events

    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("busy_events needs aware start and end datetimes")
    low, high = to_utc(start), to_utc(end)
    # Widen the query by a day: floating and all-day values are placed in default_zone here.
    query = recurring_ical_events.of(calendar)
    found: list[BusyEvent] = []
    for event in query.between(low - timedelta(days=1), high + timedelta(days=1)):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        transparent = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
        begin = event.decoded("DTSTART")
        all_day = not isinstance(begin, datetime)
        if (all_day and not include_all_day) or (transparent and not include_transparent):
            continue
        if "DTEND" in event:
            finish = event.decoded("DTEND")
        elif "DURATION" in event:
            finish = begin + event.decoded("DURATION")
        else:
            finish = begin + timedelta(days=1) if all_day else begin
        busy = BusyEvent(
            uid=str(event.get("UID", "")),
            summary=str(event.get("SUMMARY", "")),
            start=_aware(begin, default_zone),
            end=_aware(finish, default_zone),
            all_day=all_day,
            transparent=transparent,
            source=source,
        )
        if busy.start_utc < high and low < busy.end_utc:
            found.append(busy)
    found.sort(key=lambda b: (b.start_utc, b.end_utc, b.uid))
    return found
