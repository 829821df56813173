"""Publishing the traveller's calendar to a CalDAV collection, one resource per event.

The calendar is the one ``_ics.build_calendar`` builds, cut into CalDAV resources by
``_caldav_resources``. Writes are conditional, so nothing another client changed is overwritten
by accident: a new resource goes with ``If-None-Match: *``, an update or a deletion with
``If-Match`` and the ETag tripplan last saw. What was published is remembered in a small state
file per collection and trip (each resource's href, ETag and a hash of its content without
DTSTAMP), so publishing an unchanged trip again sends nothing that changes the server.

Before writing, one PROPFIND reads the ETags the collection holds now. A resource whose ETag is
not the one recorded, or that answers 412 Precondition Failed, was changed by someone else: it
is reported as a conflict and left alone, unless ``force`` is given.

Credentials come from ``auth``, else ``TRIPPLAN_CALDAV_USERNAME`` and
``TRIPPLAN_CALDAV_PASSWORD``, else the user's netrc for the host (``_credentials``); never from
the URL, and they appear in no message. They are sent only over https, or plain http to the
machine itself. A server that refuses, or cannot be reached, is a ``CalDAVError``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from ._cache import cache_dir
from ._caldav_resources import content_hash, resource_name, resources_of
from ._credentials import find_credentials
from ._exceptions import CalDAVError
from ._http import default_session
from ._http import request as send_request
from ._ics import build_calendar
from ._output import write_atomic
from ._urls import is_loopback_host, redact_url

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase

    from ._model import Trip

    Auth: TypeAlias = tuple[str, str] | AuthBase

__all__ = ["CalDAVError", "PublishReport", "publish_calendar", "resource_name", "resources_of"]

USERNAME_ENV: Final = "TRIPPLAN_CALDAV_USERNAME"
PASSWORD_ENV: Final = "TRIPPLAN_CALDAV_PASSWORD"
#: The cache folder's subfolder for publish state (``_cache``), unless ``state_dir`` is given.
STATE_KIND: Final = "caldav"

_DAV = "DAV:"
_ICS_TYPE = "text/calendar; charset=utf-8"
_PROPFIND = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
)
_STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What one publish did, by event UID: each UID is in exactly one of the lists."""

    collection: str  # the collection's URL, without credentials
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    hrefs: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def changed(self) -> bool:
        """Whether anything on the server was written or deleted."""
        return bool(self.created or self.updated or self.deleted)

    def lines(self) -> list[str]:
        """A summary line, then one line per conflict, for the command to print."""
        counts = [
            (len(self.created), "created"),
            (len(self.updated), "updated"),
            (len(self.deleted), "deleted"),
            (len(self.unchanged), "unchanged"),
            (len(self.conflicts), "conflicts" if len(self.conflicts) != 1 else "conflict"),
        ]
        summary = ", ".join(f"{n} {what}" for n, what in counts)
        lines = [f"{self.collection}: {summary}"]
        for uid in self.conflicts:
            where = self.hrefs.get(uid, uid)
            lines.append(
                f"conflict: {where} (UID {uid}) was changed on the server since the last "
                "publish; left as it is there (publish with force to overwrite it)"
            )
        return lines


# --- credentials and the URL ----------------------------------------------------------------


def _check_url(url: str) -> tuple[str, str]:
    """The collection's URL (ending in ``/``) and its redacted form; or a CalDAVError."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise CalDAVError(shown, "not a usable URL") from None
    if parts.username is not None or parts.password is not None:
        raise CalDAVError(
            shown,
            "credentials in the URL are refused: pass auth, or set "
            f"{USERNAME_ENV} and {PASSWORD_ENV}, or use a netrc entry for the host",
        )
    if parts.scheme not in ("https", "http") or not host:
        raise CalDAVError(shown, "not an http or https URL")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise CalDAVError(shown, "refusing to send credentials over plain http: use https")
    if parts.query or parts.fragment:
        raise CalDAVError(shown, "a collection URL has no query or fragment")
    if not url.endswith("/"):
        url += "/"
    return url, redact_url(url)


def _credentials(url: str, shown: str, auth: Auth | None) -> Auth | None:
    """``auth``, else the environment's, else the netrc entry for the host, else None."""
    if auth is not None:
        return auth
    found = find_credentials(
        urlsplit(url).hostname or "",
        (USERNAME_ENV, PASSWORD_ENV),
        source=shown,
        error=CalDAVError,
    )
    return (found.username, found.password) if found is not None else None


# --- state ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Published:
    href: str  # the resource's path on the server
    etag: str
    hash: str


def _state_path(state_dir: Path, url: str, trip_id: str) -> Path:
    key = hashlib.sha256(f"{url}\n{trip_id}".encode()).hexdigest()[:24]
    return state_dir / f"{key}.json"


def _load_state(path: Path, shown: str) -> dict[str, _Published]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw)
        return {uid: _Published(**entry) for uid, entry in data["resources"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CalDAVError(
            shown, f"the publish state {path} cannot be read; remove it and publish with force"
        ) from None


def _save_state(path: Path, shown: str, trip_id: str, resources: Mapping[str, _Published]) -> None:
    data: dict[str, Any] = {
        "version": _STATE_VERSION,
        "collection": shown,
        "trip": trip_id,
        "resources": {
            uid: {"href": p.href, "etag": p.etag, "hash": p.hash}
            for uid, p in sorted(resources.items())
        },
    }
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# --- the server -----------------------------------------------------------------------------


class _Server:
    """Requests to one collection through ``_http.request`` (timeouts, TLS verified, no
    redirects followed), and what an unexpected answer means, as a ``CalDAVError``."""

    def __init__(self, session: requests.Session, url: str, shown: str, auth: Auth | None):
        self.session, self.url, self.shown, self.auth = session, url, shown, auth

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None = None,
        expected: Iterable[int],
    ) -> requests.Response:
        response = send_request(
            self.session,
            method,
            url,
            headers=headers,
            body=body,
            auth=self.auth,
            error=CalDAVError,
        )
        status = response.status_code
        if status in expected:
            return response
        if status in (401, 403):
            if self.auth is None:
                why = (
                    f"the server wants credentials (HTTP {status}): pass auth, or set "
                    f"{USERNAME_ENV} and {PASSWORD_ENV}, or add a netrc entry for the host"
                )
            else:
                why = f"the server refused the credentials (HTTP {status} {response.reason})"
            raise CalDAVError(self.shown, why, status=status)
        if response.is_redirect:
            target = redact_url(urljoin(url, response.headers.get("Location", "")))
            raise CalDAVError(
                self.shown, f"{method} was redirected to {target}; publish to that URL instead"
            )
        raise CalDAVError(
            self.shown,
            f"{method} {redact_url(url)} answered HTTP {status} {response.reason}",
            status=status,
        )

    def etags(self) -> dict[str, str]:
        """The ETag of every resource in the collection, by its unquoted path."""
        response = self.request(
            "PROPFIND",
            self.url,
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            body=_PROPFIND,
            expected={207, 404},
        )
        if response.status_code == 404:
            raise CalDAVError(
                self.shown,
                "no collection at this URL (HTTP 404): create the calendar first",
                status=404,
            )
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError:
            raise CalDAVError(self.shown, "the PROPFIND answer is not XML") from None
        found: dict[str, str] = {}
        for answer in root.iter(f"{{{_DAV}}}response"):
            href = answer.findtext(f"{{{_DAV}}}href")
            etag = answer.findtext(f".//{{{_DAV}}}getetag")
            if href and etag:
                found[unquote(urlsplit(urljoin(self.url, href.strip())).path)] = etag.strip()
        return found


# --- publishing -----------------------------------------------------------------------------


def publish_calendar(
    trip: Trip,
    collection_url: str,
    *,
    session: requests.Session | None = None,
    auth: Auth | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> PublishReport:
    """Bring the CalDAV collection at ``collection_url`` in line with the traveller's calendar.

    New events are created, changed ones updated, events no longer in the trip deleted (only
    those this publish made before), and unchanged ones left alone without a write. A resource
    someone else changed since the last publish is a conflict, left as it is, unless ``force``.
    ``now`` is the DTSTAMP (default: the current time); it does not count as a change.
    """
    url, shown = _check_url(collection_url)
    credentials = _credentials(url, shown, auth)
    folder = Path(state_dir) if state_dir is not None else cache_dir() / STATE_KIND
    state_path = _state_path(folder, url, trip.id)
    previous = _load_state(state_path, shown)
    server = _Server(session or default_session(), url, shown, credentials)

    resources = resources_of(build_calendar(trip, now=now))
    current = server.etags()
    state = dict(previous)
    created: list[str] = []
    updated: list[str] = []
    deleted: list[str] = []
    unchanged: list[str] = []
    conflicts: list[str] = []
    hrefs: dict[str, str] = {}

    def put(uid: str, target: str, body: bytes, digest: str, condition: dict[str, str]) -> bool:
        response = server.request(
            "PUT",
            target,
            headers={"Content-Type": _ICS_TYPE, **condition},
            body=body,
            expected={200, 201, 204, 412},
        )
        if response.status_code == 412:
            return False
        etag = response.headers.get("ETag") or server.etags().get(unquote(urlsplit(target).path))
        if etag is None:
            raise CalDAVError(shown, f"the server gave no ETag for {redact_url(target)}")
        state[uid] = _Published(urlsplit(target).path, etag, digest)
        return True

    try:
        for uid, resource in resources.items():
            record = previous.get(uid)
            href = record.href if record else urlsplit(urljoin(url, resource_name(uid))).path
            target = urljoin(url, href)
            hrefs[uid] = href
            digest = content_hash(resource)
            there = current.get(unquote(href))
            if record is None:
                if there is not None and not force:
                    conflicts.append(uid)  # someone else's resource, or state lost
                    continue
                condition = {"If-Match": there} if there else {"If-None-Match": "*"}
                ok = put(uid, target, resource.to_ical(), digest, condition)
                (created if ok else conflicts).append(uid)
                continue
            if there != record.etag and not force:
                conflicts.append(uid)  # changed or deleted on the server
                continue
            if there == record.etag and record.hash == digest:
                unchanged.append(uid)
                continue
            condition = {"If-Match": there} if there else {"If-None-Match": "*"}
            ok = put(uid, target, resource.to_ical(), digest, condition)
            (updated if ok else conflicts).append(uid)
        for uid, record in previous.items():
            if uid in resources:
                continue
            hrefs[uid] = record.href
            there = current.get(unquote(record.href))
            if there is None:  # gone already
                del state[uid]
                deleted.append(uid)
                continue
            if there != record.etag and not force:
                conflicts.append(uid)
                continue
            response = server.request(
                "DELETE",
                urljoin(url, record.href),
                headers={"If-Match": there},
                expected={200, 204, 404, 412},
            )
            if response.status_code == 412:
                conflicts.append(uid)
            else:
                del state[uid]
                deleted.append(uid)
    finally:
        if state != previous:
            _save_state(state_path, shown, trip.id, state)
    return PublishReport(
        collection=shown,
        created=tuple(created),
        updated=tuple(updated),
        deleted=tuple(deleted),
        unchanged=tuple(unchanged),
        conflicts=tuple(conflicts),
        hrefs=hrefs,
    )
