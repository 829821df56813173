"""The traveller's existing calendars: read iCalendar feeds and expand them into busy times.

``read_calendar`` reads a feed from a path, a ``file://`` URL, or an ``http(s)://`` or
``webcal://`` URL. HTTP goes through ``_http.get`` (timeouts, retries, size cap, TLS, no
cross-host redirects); each URL's last answer is kept in the cache (``_cache``, ``feeds/``) with
its ETag and Last-Modified, sent back as ``If-None-Match``/``If-Modified-Since`` so an unchanged
feed costs a 304. Feeds that rely on ``X-WR-TIMEZONE`` (Google's) are repaired with the
``x-wr-timezone`` package, the zone read from tzdata like every other zone in tripplan.

Given a ``window``, the events that lie wholly outside it are dropped from the bytes before the
parser builds them (``_feed_scan``): a calendar with years of history costs what its busy days
cost. ``busy_events`` (``_feed_expand``) expands recurring events over the window only, within
bounds a feed cannot talk past, into ``BusyEvent`` values at exact instants; ``_schedule``
compares them with the items the traveller attends and finds the gaps in a day's business hours.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, cast
from urllib.parse import urlsplit

import icalendar

from ._cache import Cache, Entry, url_key
from ._exceptions import FeedError, ZoneError
from ._feed_expand import (
    EXPAND_SECONDS,
    MAX_OCCURRENCES,
    MAX_REPETITIONS,
    BusyEvent,
    busy_events,
)
from ._feed_scan import events_within
from ._http import default_session, get
from ._time import to_utc
from ._urls import redact_url
from ._zones import get_zone

if TYPE_CHECKING:
    import requests


__all__ = [
    "EXPAND_SECONDS",
    "FEED_MAX_BYTES",
    "MAX_OCCURRENCES",
    "MAX_REPETITIONS",
    "BusyEvent",
    "FeedError",
    "busy_events",
    "parse_calendar",
    "read_calendar",
]

#: Feeds are larger than the documents ``_http`` usually fetches: years of a busy calendar.
FEED_MAX_BYTES: Final = 16 * 1024 * 1024
#: The cache's folder for feeds (``_cache``).
CACHE_KIND: Final = "feeds"
_ACCEPT: Final = "text/calendar, text/plain;q=0.5, */*;q=0.1"


# --- reading -----------------------------------------------------------------------------------


def read_calendar(
    source: str,
    *,
    session: requests.Session | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    webcal_scheme: Literal["https", "http"] = "https",
    window: tuple[datetime, datetime] | None = None,
) -> icalendar.Calendar:
    """The calendar at ``source``: a path, a ``file://``, ``http(s)://`` or ``webcal://`` URL.

    With ``window`` (aware start and end), events that surely lie outside it are left out
    before they are parsed, which is what makes a feed with years of history quick to read;
    every recurring event is kept, for ``busy_events`` to expand.

    ``webcal://`` is read as ``https://`` (``webcal_scheme`` exists for tests against a plain
    HTTP server on 127.0.0.1). HTTP answers are kept in tripplan's cache folder (``cache_dir``,
    default ``$TRIPPLAN_CACHE_DIR`` or the platform's; in its ``feeds/``) and revalidated with
    conditional requests; a 304 reuses the cached body. A feed that cannot be fetched raises
    ``FeedError`` even when a cached copy exists: a stale calendar would hide conflicts. Times
    written against ``X-WR-TIMEZONE`` (UTC or floating) are moved into that zone.
    """
    if window is not None and any(moment.tzinfo is None for moment in window):
        raise ValueError("read_calendar needs an aware start and end for its window")
    scheme = urlsplit(source).scheme.lower() if "://" in source else ""
    if scheme == "webcal":
        source = f"{webcal_scheme}{source[len('webcal') :]}"
        scheme = webcal_scheme
    if scheme in ("http", "https"):
        shown = redact_url(source)
        data = _fetch(source, session, Cache(CACHE_KIND, cache_dir))
    elif scheme in ("", "file"):
        if scheme == "file":
            # urllib.request brings http.client, ssl and email with it: only for file: URLs
            from urllib.request import url2pathname

            path = Path(url2pathname(urlsplit(source).path))
        else:
            path = Path(source)
        shown = str(path)
        data = _read_file(path)
    else:
        raise FeedError(redact_url(source), f"{scheme}: URLs are not supported")
    return parse_calendar(data, source=shown, window=window)


def parse_calendar(
    data: bytes | str,
    *,
    source: str = "<calendar>",
    window: tuple[datetime, datetime] | None = None,
) -> icalendar.Calendar:
    """A calendar given as iCalendar text (pasted, or sent by an assistant), read as
    ``read_calendar`` reads a file: size-capped, events outside ``window`` left out before they
    are parsed, ``X-WR-TIMEZONE`` applied; ``source`` names it in a ``FeedError``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > FEED_MAX_BYTES:
        raise FeedError(source, f"over the {FEED_MAX_BYTES:,} byte limit")
    if window is not None:
        low, high = (to_utc(moment).date() for moment in window)
        raw = events_within(raw, low, high)
    return _parse(raw, source)


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


def _fetch(url: str, session: requests.Session | None, cache: Cache) -> bytes:
    """The feed's body: from the network, or from the cache when the server says 304."""
    name = url_key(url)
    cached = cache.load(name)
    fetched = get(
        session if session is not None else default_session(),
        url,
        max_bytes=FEED_MAX_BYTES,
        accept=_ACCEPT,
        headers=cached.validators() if cached is not None else None,
        error=FeedError,
    )
    if fetched.status == 304 and cached is not None:
        return cached.content
    entry = Entry.from_answer(redact_url(url), fetched.headers, fetched.content, datetime.now(UTC))
    if entry.revalidatable:  # without a validator the next read fetches it whole anyway
        # A cache that cannot be written only costs a full download next time.
        with contextlib.suppress(OSError):
            cache.store(name, entry)
    return fetched.content
