"""Booking sources -> what they carry: schema.org objects and iCalendar texts, each with its origin.

Mails (``.eml``, every part), web pages (``.html``), JSON-LD files (``.json``, ``.jsonld``) and
calendars (``.ics``) are read here. Markup in pages and mails is read by extruct, a maintained
extractor of JSON-LD and microdata: nothing here scrapes HTML by hand. What has no markup (PDFs,
Apple Wallet passes, vendor mails without it) goes through KDE's ``kitinerary-extractor`` when it
is installed, and its JSON-LD output is read like any other.
"""

from __future__ import annotations

import email
import email.policy
import glob
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ._exceptions import BookingError
from ._schema_org import schema_type

__all__ = ["INSTALL_EXTRACTOR", "Found", "extractor", "read_sources"]

#: What to install for the formats only KDE's extractor reads (Debian's package name).
INSTALL_EXTRACTOR = "apt-get install libkpimitinerary-bin"
_MAX_BYTES = 20 * 1024 * 1024  # a mail or page larger than this is not a booking confirmation
_EXTRACTOR_TIMEOUT = 60  # seconds
_EXTRACTOR_PLACES = (
    "/usr/lib/*/libexec/kf6/kitinerary-extractor",
    "/usr/lib/*/libexec/kf5/kitinerary-extractor",
    "/usr/libexec/kf6/kitinerary-extractor",
    "/usr/libexec/kf5/kitinerary-extractor",
)
#: What only KDE's extractor reads: PDFs (boarding passes, tickets), Apple Wallet passes, and
#: pictures of a boarding pass (its barcode).
_EXTRACTOR_ONLY = (".pdf", ".pkpass", ".png", ".jpg", ".jpeg")
_CALENDAR_TYPES = ("text/calendar", "application/ics")
_JSON_TYPES = ("application/ld+json", "application/json")
_MEETING_MARKUP = ("EventReservation", "FoodEstablishmentReservation", "Event")


@dataclass(frozen=True, slots=True)
class Found:
    """One thing read from a source: a schema.org object (``data``) or an iCalendar text
    (``calendar``), and where it came from (``origin``: the file, and the part of a mail)."""

    origin: str
    data: dict[str, Any] | None = None
    calendar: bytes | None = None


def read_sources(
    paths: Iterable[str | os.PathLike[str]], *, issued: datetime | None = None
) -> list[Found]:
    """Everything the sources carry, in the order given; a source that cannot be read at all
    raises ``BookingError`` naming it. ``issued`` is when the documents were issued at the
    latest: a boarding pass's barcode gives only the day of the year, which KDE's extractor
    places after it."""
    found: list[Found] = []
    for path in paths:
        found.extend(_read(Path(path), issued))
    return found


def _read(path: Path, issued: datetime | None) -> Iterator[Found]:
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix in _EXTRACTOR_ONLY:
        yield from _through_extractor(path, issued)
        return
    data = _bytes(path)
    if suffix in (".json", ".jsonld"):
        yield from _json_objects(_json(data, origin), origin)
    elif suffix in (".html", ".htm"):
        try:
            page = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            page = data.decode("windows-1252", errors="replace")  # the web's usual other one
        yield from _markup(page, origin)
    elif suffix == ".ics":
        yield Found(origin, calendar=data)
    elif suffix == ".eml":
        found = list(_mail(data, origin))
        # A vendor's mail without markup (a boarding pass attached, a layout KDE knows): its
        # extractor, when installed, may still read it.
        yield from found if found or extractor() is None else _through_extractor(path, issued)
    else:
        raise BookingError(
            origin,
            "cannot tell what this is; expected .eml, .html, .json, .jsonld, .ics, "
            + ", ".join(_EXTRACTOR_ONLY[:-1])
            + " or "
            + _EXTRACTOR_ONLY[-1],
        )


def _bytes(path: Path, *, read: bool = True) -> bytes:
    """The source's bytes (with ``read=False``, none: only that it can be read and is not too
    large, for what another program reads)."""
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_BYTES + 1) if read else b""
            size = len(data) if read else os.fstat(f.fileno()).st_size
    except OSError as error:
        raise BookingError(str(path), f"cannot read the file: {error.strerror}") from None
    if size > _MAX_BYTES:
        raise BookingError(str(path), f"larger than {_MAX_BYTES // 1024 // 1024} MB; not a booking")
    return data


def _text(data: bytes, origin: str, charset: str = "utf-8") -> str:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise BookingError(origin, f"not {charset} text") from None


def _json(data: bytes, origin: str) -> Any:
    try:
        return json.loads(_text(data, origin).lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise BookingError(
            origin, f"JSON syntax error: {error.msg} (line {error.lineno})"
        ) from None
    except RecursionError:
        raise BookingError(origin, "the document is nested too deeply") from None


def _json_objects(value: Any, origin: str) -> Iterator[Found]:
    """The schema.org objects of a JSON-LD document: one, a list, or an ``@graph``."""
    if isinstance(value, list):
        for element in value:
            yield from _json_objects(element, origin)
    elif isinstance(value, dict):
        graph = value.get("@graph")
        if isinstance(graph, list):
            yield from _json_objects(graph, origin)
        elif "@type" in value:
            yield Found(origin, data=value)


def _markup(html: str, origin: str) -> Iterator[Found]:
    """The JSON-LD and microdata objects of a page, read by extruct."""
    import extruct  # third-party, heavy: loaded only for pages and mails
    from lxml.etree import LxmlError

    if not html.strip():
        return
    try:
        extracted = extruct.extract(html, syntaxes=["json-ld", "microdata"], uniform=True)
    except (ValueError, TypeError, RecursionError, LxmlError) as error:  # unreadable markup
        raise BookingError(origin, f"cannot read the page's markup: {error}") from None
    for syntax in ("json-ld", "microdata"):
        yield from _json_objects(extracted.get(syntax, []), origin)


def _mail(data: bytes, origin: str) -> Iterator[Found]:
    """Every part of a mail: markup in HTML parts, JSON-LD parts, calendar parts."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - the policy makes one
        return
    found: list[Found] = []
    calendars: set[bytes] = set()
    for part in _parts(message, origin):
        if part.calendar is not None:
            if part.calendar in calendars:
                continue  # the inline calendar again, as an attachment (iMIP's two copies)
            calendars.add(part.calendar)
        found.append(part)
    # An invitation mail's calendar part is the invitation; markup describing the same meeting
    # in its HTML is left to it.
    if calendars:
        found = [f for f in found if f.data is None or schema_type(f.data) not in _MEETING_MARKUP]
    yield from found


def _parts(message: EmailMessage, origin: str) -> Iterator[Found]:
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        where = f"{origin} (part {number}, {kind})"
        try:
            payload = part.get_payload(decode=True)
        except (ValueError, LookupError):
            continue
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        if kind in _CALENDAR_TYPES or name.endswith(".ics"):
            yield Found(where, calendar=payload)
        elif kind == "text/html":
            yield from _markup(_text(payload, where, charset), where)
        elif kind in _JSON_TYPES or name.endswith((".json", ".jsonld")):
            yield from _json_objects(_json(payload, where), where)


# --- KDE's extractor -----------------------------------------------------------------------------


def extractor() -> str | None:
    """Where ``kitinerary-extractor`` is: ``TRIPPLAN_KITINERARY_EXTRACTOR`` when set (a build of
    one's own, a KF6 install elsewhere; empty for none), else on the PATH, else in the libexec
    folder Debian puts it in; None when it is not installed."""
    named = os.environ.get("TRIPPLAN_KITINERARY_EXTRACTOR")
    if named is not None:
        return named if named and os.access(named, os.X_OK) else None
    found = shutil.which("kitinerary-extractor")
    if found:
        return found
    for pattern in _EXTRACTOR_PLACES:
        for candidate in sorted(glob.glob(pattern)):
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def _through_extractor(path: Path, issued: datetime | None) -> Iterator[Found]:
    origin = str(path)
    program = extractor()
    if program is None:
        raise BookingError(
            origin,
            f"reading this needs KDE's kitinerary-extractor; install it: {INSTALL_EXTRACTOR}",
        )
    _bytes(path, read=False)  # readable, and not too large
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        result = subprocess.run(
            [
                program,
                "-o",
                "JsonLd",
                *(["-c", issued.replace(tzinfo=None).isoformat()] if issued else []),
                str(path),
            ],
            capture_output=True,
            timeout=_EXTRACTOR_TIMEOUT,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BookingError(origin, f"kitinerary-extractor failed: {error}") from None
    if result.returncode != 0:
        raise BookingError(origin, f"kitinerary-extractor failed (exit {result.returncode})")
    yield from _json_objects(_json(result.stdout, origin), origin)
