"""A real CalDAV server for tests: Radicale on 127.0.0.1, which rejects calendar data it can't store.

Radicale is the server behind many self-hosted calendars, and it parses every object it is given
(with vobject) before storing it, so a PUT that it answers with 201 is data a CalDAV server took.
Each server runs as a subprocess of the test run with its own folder: a config file, an htpasswd
file with one user whose password the fixture makes up, the collections, and the server's log.

Use it through the fixture factory, once per test module or in a conftest::

    radicale_server = radicale_fixture()          # a session-scoped fixture named radicale_server

    def test_something(radicale_server: RadicaleServer) -> None:
        calendar = radicale_server.make_calendar("trip")
        stored = radicale_server.put_ics(calendar, path.read_bytes())

A calendar file is stored the way a CalDAV client stores it (RFC 4791 §4.1): one resource per UID,
holding that UID's components and the VTIMEZONEs they use, without METHOD. The resources are cut
from the file's own lines, so the server sees exactly the bytes the file has.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
import requests
from icalendar import Component

from ._servers import HOST, free_port, stop, wait_until_answering

__all__ = [
    "CalDAVError",
    "RadicaleServer",
    "RadicaleUnavailable",
    "Resource",
    "StoredObject",
    "join_resources",
    "radicale_fixture",
    "resources_of",
    "start_radicale",
]

_HOST = HOST
_TIMEOUT = 30  # seconds for one HTTP request
_STORABLE = {"VEVENT", "VTODO", "VJOURNAL"}
_DAV = "DAV:"
_CALDAV = "urn:ietf:params:xml:ns:caldav"


class RadicaleUnavailable(RuntimeError):
    """Radicale is not installed in the test environment; the message says how to install it."""


class CalDAVError(AssertionError):
    """The server refused a request: the status, its answer and what its log said meanwhile."""

    def __init__(self, message: str, *, status: int | None = None, response_text: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.response_text = response_text


@dataclass(frozen=True, slots=True)
class Resource:
    """One CalDAV object cut from a calendar file: a name, its UID and the VCALENDAR's bytes."""

    name: str
    uid: str | None
    ics: bytes


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A resource the server accepted: its URL, the UID, the server's ETag and the bytes sent."""

    url: str
    uid: str | None
    etag: str | None
    ics: bytes


# --- cutting a calendar file into CalDAV resources --------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    raw: bytes  # the content line as written, folds and line break included
    text: str  # unfolded, without the line break

    @property
    def name(self) -> str:
        return re.split(r"[;:]", self.text, maxsplit=1)[0].upper()

    @property
    def value(self) -> str:
        return self.text.partition(":")[2].strip().upper()


def _content_lines(ics: bytes) -> list[_Line]:
    lines: list[_Line] = []
    raw: list[bytes] = []
    for physical in ics.splitlines(keepends=True):
        if physical[:1] in (b" ", b"\t") and raw:
            raw.append(physical)
            continue
        if raw:
            lines.append(_unfold(raw))
        raw = [physical]
    if raw:
        lines.append(_unfold(raw))
    return [line for line in lines if line.text.strip()]


def _unfold(raw: list[bytes]) -> _Line:
    text = b"".join(p.rstrip(b"\r\n")[(1 if i else 0) :] for i, p in enumerate(raw))
    return _Line(b"".join(raw), text.decode("utf-8"))


def _ensure_break(raw: bytes) -> bytes:
    return raw if raw.endswith((b"\r\n", b"\n")) else raw + b"\r\n"


def _top_level(ics: bytes) -> tuple[list[_Line], list[list[_Line]]]:
    """The VCALENDAR's own property lines and its components' lines, as the file has them."""
    lines = _content_lines(ics)
    if not lines or (lines[0].name, lines[0].value) != ("BEGIN", "VCALENDAR"):
        raise ValueError("the file does not begin with BEGIN:VCALENDAR")
    if (lines[-1].name, lines[-1].value) != ("END", "VCALENDAR"):
        raise ValueError("the file does not end with END:VCALENDAR")
    properties: list[_Line] = []
    components: list[list[_Line]] = []
    depth = 0
    for line in lines[1:-1]:
        if line.name == "BEGIN":
            if depth == 0:
                components.append([])
            depth += 1
        if depth:
            components[-1].append(line)
        else:
            properties.append(line)
        if line.name == "END":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced {line.text!r}")
    if depth:
        raise ValueError("a component of the file is not closed")
    return properties, components


def _tzids(component: Component) -> set[str]:
    """The TZIDs that ``component`` and its subcomponents refer to in property parameters."""
    found: set[str] = set()
    for sub in component.walk():
        for value in sub.values():
            for one in value if isinstance(value, list) else [value]:
                params = getattr(one, "params", None)
                if params is not None and "TZID" in params:
                    found.add(str(params["TZID"]))
    return found


def resource_name(uid: str) -> str:
    """A file name safe in any URL and file system, told apart by a hash of the whole UID."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", uid).strip("._")[:60] or "uid"
    return f"{slug}-{hashlib.sha256(uid.encode()).hexdigest()[:12]}.ics"


def resources_of(ics: bytes) -> list[Resource]:
    """``ics`` cut into CalDAV resources: one per UID, in the order the UIDs first appear.

    Each is a VCALENDAR with the file's calendar properties but METHOD, every component with that
    UID (an event and its overrides) and the VTIMEZONEs those use. A component without a UID
    becomes a resource of its own, for the server to judge. The bytes are the file's own lines.
    """
    properties, components = _top_level(ics)
    header = b"".join(_ensure_break(line.raw) for line in properties if line.name != "METHOD")
    timezones: dict[str, bytes] = {}
    groups: dict[str, list[bytes]] = {}
    uses: dict[str, set[str]] = {}
    uids: dict[str, str | None] = {}
    for index, lines in enumerate(components):
        raw = b"".join(_ensure_break(line.raw) for line in lines)
        parsed = Component.from_ical(raw)
        if parsed.name == "VTIMEZONE":
            timezones[str(parsed["TZID"])] = raw
            continue
        uid = str(parsed["UID"]) if "UID" in parsed else None
        key = resource_name(uid) if uid is not None else f"no-uid-{index}.ics"
        groups.setdefault(key, []).append(raw)
        uses.setdefault(key, set()).update(_tzids(parsed))
        uids[key] = uid
    resources = []
    for key, parts in groups.items():
        zones = [timezones[tzid] for tzid in sorted(uses[key]) if tzid in timezones]
        body = b"".join([b"BEGIN:VCALENDAR\r\n", header, *zones, *parts, b"END:VCALENDAR\r\n"])
        resources.append(Resource(key, uids[key], body))
    return resources


def join_resources(resources: list[bytes]) -> bytes:
    """CalDAV resources joined into one calendar file, for parsers that read one file: the first
    one's calendar properties, each VTIMEZONE once (the copies of a TZID must be the same bytes,
    else a ValueError) and every other component, each as its resource has it."""
    header: list[bytes] | None = None
    timezones: dict[str, bytes] = {}
    parts: list[bytes] = []
    for ics in resources:
        properties, components = _top_level(ics)
        if header is None:
            header = [_ensure_break(line.raw) for line in properties]
        for lines in components:
            raw = b"".join(_ensure_break(line.raw) for line in lines)
            if lines[0].value != "VTIMEZONE":
                parts.append(raw)
                continue
            (tzid,) = [line.text.partition(":")[2] for line in lines if line.name == "TZID"]
            if timezones.setdefault(tzid, raw) != raw:
                raise ValueError(f"the resources carry different VTIMEZONEs for {tzid!r}")
    return b"".join(
        [b"BEGIN:VCALENDAR\r\n", *(header or []), *timezones.values(), *parts, b"END:VCALENDAR\r\n"]
    )


# --- the server -----------------------------------------------------------------------------


class RadicaleServer:
    """A running Radicale: its base ``url``, the user's ``username`` and ``password``, and the
    CalDAV requests the tests need, made through one ``requests.Session`` with timeouts."""

    def __init__(self, url: str, username: str, password: str, log_path: Path) -> None:
        self.url = url
        self.username = username
        self.password = password
        self.log_path = log_path
        self.session = requests.Session()
        self.session.auth = (username, password)

    @property
    def principal_url(self) -> str:
        """The user's home collection, under which they may create calendars."""
        return f"{self.url}{self.username}/"

    def log(self, since: int = 0) -> str:
        """The server's log from byte ``since`` on."""
        with self.log_path.open("rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", "replace")

    def request(
        self,
        method: str,
        url: str,
        *,
        expected: Callable[[int], bool] = lambda status: 200 <= status < 300,
        what: str = "",
        sent: bytes | None = None,
        **kwargs: object,
    ) -> requests.Response:
        """``method`` on ``url``; a status that ``expected`` refuses raises a CalDAVError with
        the server's answer and the lines its log gained meanwhile (where Radicale says why).
        ``sent`` is the body, sent and quoted in that error."""
        since = self.log_path.stat().st_size
        response = self.session.request(
            method,
            url,
            data=sent,
            timeout=_TIMEOUT,
            **kwargs,  # type: ignore[arg-type]
        )
        if not expected(response.status_code):
            log = self.log(since).strip() or "(nothing)"
            body = f"\nwhat was sent:\n{sent.decode('utf-8', 'replace')}" if sent else ""
            raise CalDAVError(
                f"{what or method} {url}: Radicale answered {response.status_code} "
                f"{response.reason}: {response.text.strip()!r}\nits log meanwhile:\n{log}{body}",
                status=response.status_code,
                response_text=response.text,
            )
        return response

    def make_calendar(self, name: str | None = None) -> str:
        """A new, empty calendar collection under the user's home (MKCALENDAR); its URL."""
        name = name or f"calendar-{uuid.uuid4().hex[:12]}"
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            raise ValueError(f"{name!r} is not a plain collection name")
        url = f"{self.principal_url}{name}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:set><D:prop><D:displayname>{name}</D:displayname></D:prop></D:set>"
            "</C:mkcalendar>"
        )
        self.request(
            "MKCALENDAR",
            url,
            sent=body.encode(),
            headers={"Content-Type": "application/xml; charset=utf-8"},
            expected=lambda status: status == 201,
            what=f"MKCALENDAR {name}",
        )
        return url

    def put_ics(self, collection_url: str, ics: bytes) -> list[StoredObject]:
        """Store the calendar file ``ics`` in the collection as a CalDAV client would: one new
        resource per UID (``If-None-Match: *``). The first one the server refuses raises a
        CalDAVError that says why; nothing after it is sent."""
        stored = []
        for resource in resources_of(ics):
            url = urljoin(collection_url, resource.name)
            response = self.request(
                "PUT",
                url,
                sent=resource.ics,
                headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
                expected=lambda status: status == 201,
                what=f"PUT of UID {resource.uid!r}",
            )
            stored.append(
                StoredObject(url, resource.uid, response.headers.get("ETag"), resource.ics)
            )
        return stored

    def get_all(self, collection_url: str) -> list[bytes]:
        """Every object of the collection as the server serves it (a calendar-query REPORT for
        all VCALENDARs with their calendar-data), ordered by URL."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
            '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
            "</C:calendar-query>"
        )
        response = self.request(
            "REPORT",
            collection_url,
            sent=body.encode(),
            headers={"Content-Type": "application/xml; charset=utf-8", "Depth": "1"},
            expected=lambda status: status == 207,
            what="calendar-query REPORT",
        )
        found: dict[str, bytes] = {}
        for answer in ElementTree.fromstring(response.content).iter(f"{{{_DAV}}}response"):
            href = answer.findtext(f"{{{_DAV}}}href", "")
            data = answer.find(f".//{{{_CALDAV}}}calendar-data")
            if data is None or data.text is None:
                raise CalDAVError(f"no calendar-data for {href} in the REPORT's answer")
            found[href] = data.text.encode("utf-8")
        return [found[href] for href in sorted(found)]

    def close(self) -> None:
        self.session.close()


def _write_config(folder: Path, port: int, username: str, password: str) -> Path:
    users = folder / "users"
    users.write_text(f"{username}:{password}\n", encoding="utf-8")
    (folder / "collections").mkdir(exist_ok=True)
    config = folder / "config"
    # Every option that matters is set here, so a machine's /etc/radicale/config changes nothing.
    config.write_text(
        f"""\
[server]
hosts = {_HOST}:{port}
max_connections = 8

[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
cache_logins = false
delay = 0.05

[rights]
type = owner_only

[storage]
type = multifilesystem
filesystem_folder = {folder / "collections"}
predefined_collections = {{}}
hook =

[web]
type = none

[sharing]
type = none

[hook]
type = none

[logging]
level = info
bad_put_request_content = true
""",
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def start_radicale(folder: Path, *, username: str = "traveller") -> Iterator[RadicaleServer]:
    """Run Radicale on a free port of 127.0.0.1 with its config, users and collections in
    ``folder`` (which must exist), until the block ends; then stop it and wait for it to exit."""
    if importlib.util.find_spec("radicale") is None:
        raise RadicaleUnavailable(
            "Radicale is not installed: python -m pip install radicale (or tools/install-test-deps)"
        )
    password = secrets.token_urlsafe(18)
    env = {k: v for k, v in os.environ.items() if k != "RADICALE_CONFIG"}
    env["HOME"] = str(folder)  # no ~/.config/radicale/config of the machine's user
    log_path = folder / "radicale.log"
    for attempt in range(3):  # the free port may be taken between finding it and binding it
        port = free_port()
        config = _write_config(folder, port, username, password)
        url = f"http://{_HOST}:{port}/"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=folder,
            )
        try:
            wait_until_answering("Radicale", url, process, log_path, "OPTIONS")
        except RuntimeError:
            stop(process)
            if attempt < 2 and "cannot create server socket" in log_path.read_text(
                "utf-8", "replace"
            ):
                continue
            raise
        server = RadicaleServer(url, username, password, log_path)
        try:
            yield server
        finally:
            server.close()
            stop(process)
        return


def radicale_fixture(
    *, scope: Literal["session", "package", "module"] = "session", name: str = "radicale_server"
) -> Callable[..., Iterator[RadicaleServer]]:
    """A pytest fixture, named ``name``, that runs one Radicale for the ``scope`` and yields its
    RadicaleServer. Assign it to a module-level name in a test module or conftest."""

    @pytest.fixture(scope=scope, name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
        with start_radicale(tmp_path_factory.mktemp("radicale")) as server:
            yield server

    return fixture
