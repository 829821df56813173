"""Publishing the traveller's calendar to a CalDAV collection, one resource per event.

The calendar is the one ``_ics.build_calendar`` builds, cut into CalDAV resources by
``_caldav_resources``. Writes are conditional, so nothing another client changed is overwritten
by accident: a new resource goes with ``If-None-Match: *``, an update or a deletion with
``If-Match`` and the ETag the server lists now. What was published is remembered in a state
file per collection and trip (``_caldav_state``: each resource's href, ETag and content hash),
so publishing an unchanged trip again sends nothing that changes the server; publishes of one
trip to one collection take turns on that file's lock, so the second sees what the first did.

Before writing, one PROPFIND reads the ETags the collection holds now (``_caldav_server``,
compared weakly, as RFC 9110 says). A resource whose ETag is not the one recorded, or that
tripplan has no record of, is fetched and compared by content (``content_hash``): the same as
what tripplan would write is unchanged (and the record repaired), the same as what it last
wrote is its own under a new ETag, anything else was changed by someone else: a conflict, left
alone unless ``force`` is given. A resource deleted on the server is created again, unless
``recreate_deleted`` is false.

Credentials come from ``auth``, else ``TRIPPLAN_CALDAV_USERNAME`` and
``TRIPPLAN_CALDAV_PASSWORD``, else the user's netrc for the host (``_credentials``); never from
the URL, and they appear in no message. They are sent only over https, or plain http to the
machine itself. A server that refuses, or cannot be reached, is a ``CalDAVError``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias
from urllib.parse import unquote, urljoin, urlsplit

from ._cache import cache_dir
from ._caldav_resources import content_hash, resource_name, resources_of
from ._caldav_server import PASSWORD_ENV, USERNAME_ENV, Server, etag_matches, path_of
from ._caldav_state import Published, StateFile
from ._credentials import find_credentials
from ._exceptions import CalDAVError
from ._http import default_session
from ._ics import build_calendar
from ._urls import is_loopback_host, redact_url

if TYPE_CHECKING:
    import requests
    from icalendar import Calendar
    from requests.auth import AuthBase

    from ._model import Trip

    Auth: TypeAlias = tuple[str, str] | AuthBase

__all__ = [
    "PASSWORD_ENV",
    "USERNAME_ENV",
    "CalDAVError",
    "PublishReport",
    "publish_calendar",
    "resource_name",
    "resources_of",
]

#: The cache folder's subfolder for publish state (``_cache``), unless ``state_dir`` is given.
STATE_KIND: Final = "caldav"

_ICS_TYPE = "text/calendar; charset=utf-8"
_FORCE = "publish with force to overwrite it"
#: Why a conflict is one, as ``PublishReport.lines`` says it.
CHANGED: Final = f"was changed on the server since the last publish; left as it is there ({_FORCE})"
NO_RECORD: Final = (
    "is on the server with other content, and there is no record of tripplan publishing it; "
    f"left as it is there ({_FORCE})"
)
CHANGED_WHILE: Final = (
    "was changed on the server while this publish ran; left as it is there "
    f"(publish again, or {_FORCE})"
)
REMOVED_BUT_CHANGED: Final = (
    "was removed from the trip but changed on the server since the last publish; left there "
    "(publish with force to delete it)"
)


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What one publish did, by event UID: each UID is in exactly one of the lists.

    ``recreated`` were deleted on the server since the last publish and created again;
    ``deleted_on_server`` were deleted there and left so (``recreate_deleted=False``).
    ``reasons`` says why each conflict is one; ``notes`` are lines the reader should see (a
    publish without a state file says how the resources already there were compared).
    """

    collection: str  # the collection's URL, without credentials
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    recreated: tuple[str, ...] = ()
    deleted_on_server: tuple[str, ...] = ()
    hrefs: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    reasons: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    notes: tuple[str, ...] = field(default=(), compare=False, hash=False)

    @property
    def changed(self) -> bool:
        """Whether anything on the server was written or deleted."""
        return bool(self.created or self.updated or self.deleted or self.recreated)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``publish --format json``): every list by UID, with
        the resource's href, and the reason of each conflict."""
        lists = ("created", "updated", "deleted", "unchanged", "conflicts", "recreated")
        data: dict[str, Any] = {"collection": self.collection}
        data.update({name: list(getattr(self, name)) for name in lists})
        data["deleted_on_server"] = list(self.deleted_on_server)
        data["hrefs"] = dict(self.hrefs)
        data["reasons"] = dict(self.reasons)
        data["notes"] = list(self.notes)
        return data

    def lines(self) -> list[str]:
        """A summary line, then the notes, then one line per resource the reader should know
        about (re-created, left deleted, in conflict), for the command to print."""
        counts = [
            (len(self.created), "created"),
            (len(self.updated), "updated"),
            (len(self.deleted), "deleted"),
            (len(self.unchanged), "unchanged"),
            (len(self.conflicts), "conflicts" if len(self.conflicts) != 1 else "conflict"),
        ]
        counts += [
            (n, what)
            for n, what in (
                (len(self.recreated), "re-created"),
                (len(self.deleted_on_server), "deleted on the server"),
            )
            if n
        ]
        summary = ", ".join(f"{n} {what}" for n, what in counts)
        lines = [f"{self.collection}: {summary}", *self.notes]
        for uid in self.recreated:
            lines.append(
                f"deleted on the server: {self.hrefs.get(uid, uid)} (UID {uid}) was deleted "
                "there since the last publish; created again from the trip"
            )
        for uid in self.deleted_on_server:
            lines.append(
                f"deleted on the server: {self.hrefs.get(uid, uid)} (UID {uid}) was deleted "
                "there since the last publish; left deleted"
            )
        for uid in self.conflicts:
            why = self.reasons.get(uid, CHANGED)
            lines.append(f"conflict: {self.hrefs.get(uid, uid)} (UID {uid}) {why}")
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


# --- publishing -----------------------------------------------------------------------------

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
    recreate_deleted: bool = True,
) -> PublishReport:
    """Bring the CalDAV collection at ``collection_url`` in line with the traveller's calendar.

    New events are created, changed ones updated, events no longer in the trip deleted (only
    those this publish made before), and unchanged ones left alone without a write. A resource
    someone else changed since the last publish is a conflict, left as it is, unless ``force``;
    one deleted on the server is created again unless ``recreate_deleted`` is false. Publishes
    of one trip to one collection take turns (a lock beside the state file). ``now`` is the
    DTSTAMP (default: the current time); it does not count as a change.
    """
    url, shown = _check_url(collection_url)
    credentials = _credentials(url, shown, auth)
    folder = Path(state_dir) if state_dir is not None else cache_dir() / STATE_KIND
    resources = resources_of(build_calendar(trip, now=now))
    state_file = StateFile(folder, url, trip.id, shown)
    server = Server(session or default_session(), url, shown, credentials)
    with state_file.locked():
        previous = state_file.load()
        run = _Run(server, previous or {}, force=force, recreate=recreate_deleted)
        try:
            run.publish(resources)
        finally:
            if run.state != (previous or {}):
                state_file.save(run.state)
    notes: list[str] = []
    if previous is None and run.compared:
        notes.append(
            f"no record of an earlier publish (no state file {state_file.path}): "
            f"{run.compared} resources already on the server compared by content, "
            f"{run.adopted} the same (adopted), {run.compared - run.adopted} different"
        )
    return PublishReport(
        collection=shown,
        created=tuple(run.created),
        updated=tuple(run.updated),
        deleted=tuple(run.deleted),
        unchanged=tuple(run.unchanged),
        conflicts=tuple(run.conflicts),
        recreated=tuple(run.recreated),
        deleted_on_server=tuple(run.deleted_on_server),
        hrefs=run.hrefs,
        reasons=run.reasons,
        notes=tuple(notes),
    )


def _hash_of(body: bytes) -> str | None:
    """The content hash of a server's copy; ``None`` when it is not iCalendar at all."""
    try:
        return content_hash(body)
    except ValueError:
        return None


def _strong(etag: str | None, fallback: str) -> str:
    """The tag a precondition may carry: a strong one the server gave, else ``fallback``."""
    return etag if etag is not None and not etag.lstrip().startswith(("W/", "w/")) else fallback


class _Run:
    """One publish, resource by resource: what it sent, what it found, what it records."""

    def __init__(
        self, server: Server, previous: Mapping[str, Published], *, force: bool, recreate: bool
    ) -> None:
        self.server, self.previous, self.force, self.recreate = server, previous, force, recreate
        self.state: dict[str, Published] = dict(previous)
        self.current: dict[str, str] = {}
        self.created: list[str] = []
        self.updated: list[str] = []
        self.deleted: list[str] = []
        self.unchanged: list[str] = []
        self.conflicts: list[str] = []
        self.recreated: list[str] = []
        self.deleted_on_server: list[str] = []
        self.hrefs: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.compared = self.adopted = 0  # resources found without a record, and the same

    def publish(self, resources: Mapping[str, Calendar]) -> None:
        self.current = self.server.etags()
        for uid, resource in resources.items():
            self.resource(uid, resource, self.previous.get(uid))
        for uid, record in self.previous.items():
            if uid not in resources:
                self.remove(uid, record)

    def conflict(self, uid: str, why: str) -> None:
        self.conflicts.append(uid)
        self.reasons[uid] = why

    def resource(self, uid: str, resource: Calendar, record: Published | None) -> None:
        url = self.server.url
        href = record.href if record else urlsplit(urljoin(url, resource_name(uid))).path
        self.hrefs[uid] = href
        digest = content_hash(resource)
        there = self.current.get(unquote(href))
        if there is None:
            if record is None:
                self.put(uid, href, resource, digest, {"If-None-Match": "*"}, self.created)
            elif self.recreate:
                self.put(uid, href, resource, digest, {"If-None-Match": "*"}, self.recreated)
            else:
                self.deleted_on_server.append(uid)
            return
        if record is not None and etag_matches(there, record.etag):
            if record.hash == digest:
                self.unchanged.append(uid)
                self.state[uid] = Published(href, there, digest)  # the tag as listed
            else:
                self.put(uid, href, resource, digest, {"If-Match": there}, self.updated)
            return
        # Not the copy recorded, or no record at all: what does the server hold?
        fetched = self.server.fetch(urljoin(url, href))
        if fetched is None:  # deleted since the PROPFIND
            bucket = self.created if record is None else self.recreated
            self.put(uid, href, resource, digest, {"If-None-Match": "*"}, bucket)
            return
        etag, body = fetched
        theirs = _hash_of(body)
        if record is None:
            self.compared += 1
        if theirs == digest:  # what tripplan would write: unchanged, the record repaired
            if record is None:
                self.adopted += 1
            self.unchanged.append(uid)
            self.state[uid] = Published(href, etag or there, digest)
            return
        condition = {"If-Match": _strong(etag, there)}
        if record is not None and theirs == record.hash:  # ours, under a new ETag
            self.put(uid, href, resource, digest, condition, self.updated)
        elif self.force:
            bucket = self.created if record is None else self.updated
            self.put(uid, href, resource, digest, condition, bucket)
        else:
            self.conflict(uid, NO_RECORD if record is None else CHANGED)

    def put(
        self,
        uid: str,
        href: str,
        resource: Calendar,
        digest: str,
        condition: dict[str, str],
        bucket: list[str],
    ) -> None:
        target = urljoin(self.server.url, href)
        response = self.server.request(
            "PUT",
            target,
            headers={"Content-Type": _ICS_TYPE, **condition},
            body=resource.to_ical(),
            expected={200, 201, 204, 412},
        )
        if response.status_code == 412:  # someone wrote it meanwhile: is it what we sent?
            fetched = self.server.fetch(target)
            if fetched is not None and _hash_of(fetched[1]) == digest:
                self.unchanged.append(uid)
                etag = fetched[0] or self.server.etags().get(path_of(target))
                if etag is not None:
                    self.state[uid] = Published(href, etag, digest)
            else:
                self.conflict(uid, CHANGED_WHILE)
            return
        etag = response.headers.get("ETag") or self.server.etags().get(path_of(target))
        if etag is None:
            raise CalDAVError(
                self.server.shown, f"the server gave no ETag for {redact_url(target)}"
            )
        self.state[uid] = Published(href, etag, digest)
        bucket.append(uid)

    def remove(self, uid: str, record: Published) -> None:
        """Delete what an earlier publish made for an item the trip no longer has."""
        self.hrefs[uid] = record.href
        target = urljoin(self.server.url, record.href)
        there = self.current.get(unquote(record.href))
        if there is not None and not (self.force or etag_matches(there, record.etag)):
            fetched = self.server.fetch(target)
            if fetched is None:
                there = None  # gone since the PROPFIND
            elif _hash_of(fetched[1]) == record.hash:
                there = _strong(fetched[0], there)  # ours, under a new ETag
            else:
                self.conflict(uid, REMOVED_BUT_CHANGED)
                return
        if there is not None:
            response = self.server.request(
                "DELETE", target, headers={"If-Match": there}, expected={200, 204, 404, 412}
            )
            if response.status_code == 412:
                self.conflict(uid, CHANGED_WHILE)
                return
        del self.state[uid]  # deleted now, or gone already
        self.deleted.append(uid)
