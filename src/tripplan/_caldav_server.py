"""One CalDAV collection as ``_caldav`` talks to it: requests, answers, and what ETags mean.

Requests go through ``_http.request`` (timeouts, TLS verified, no redirect followed); an answer
``_caldav`` did not expect is one ``CalDAVError`` saying what it means (credentials wanted or
refused, a redirect, no collection). ETags are compared as RFC 9110 §8.8.3.2 says for anything
but a precondition, weakly: ``W/"x"`` and ``"x"`` are the same tag, so a server that answers a
PUT with a weak ETag and lists the strong one (or the other way round) is not taken for a
changed resource. A condition sent to the server (``If-Match``) always carries the tag as the
server listed it.

A server that answers ``423 Locked`` or a server error (``RETRY_STATUSES``) to a PROPFIND, PUT
or DELETE is asked again, ``RETRY_WAITS`` apart. Xandikos does both while another client writes
to the same collection (its Git repository is locked; a precondition checked twice races into a
500). Every write is conditional, so asking again can only do what the first request would have
done, and a write
that went through all the same is then refused (412) and found identical by ``_caldav``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from ._exceptions import CalDAVError
from ._http import request as send_request
from ._urls import redact_url

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase

    Auth: TypeAlias = tuple[str, str] | AuthBase

__all__ = [
    "PASSWORD_ENV",
    "RETRY_STATUSES",
    "RETRY_WAITS",
    "USERNAME_ENV",
    "Server",
    "etag_matches",
    "opaque_tag",
    "path_of",
]

USERNAME_ENV: Final = "TRIPPLAN_CALDAV_USERNAME"
PASSWORD_ENV: Final = "TRIPPLAN_CALDAV_PASSWORD"

#: Answers that are asked again, and the seconds to wait before each time; then an error.
RETRY_STATUSES: Final = frozenset({423, 500, 502, 503, 504})
RETRY_WAITS: Final = (0.1, 0.3, 1.0)

_DAV = "DAV:"
_PROPFIND = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
)


def opaque_tag(etag: str) -> str:
    """The ETag without its weakness indicator and quotes: what weak comparison compares.

    >>> opaque_tag('W/"abc"'), opaque_tag('"abc"'), opaque_tag("abc")
    ('abc', 'abc', 'abc')
    """
    tag = etag.strip()
    if tag[:2] in ("W/", "w/"):
        tag = tag[2:]
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    return tag


def etag_matches(one: str | None, other: str | None) -> bool:
    """Weak comparison (RFC 9110 §8.8.3.2): both present, and the same opaque tag."""
    return one is not None and other is not None and opaque_tag(one) == opaque_tag(other)


class Server:
    """Requests to one collection, and what an unexpected answer means, as a ``CalDAVError``."""

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
        accepted = frozenset(expected)
        # A GET is retried by the session already (``_http.make_session``).
        for wait in (*(RETRY_WAITS if method != "GET" else ()), None):
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
            if status not in RETRY_STATUSES or status in accepted or wait is None:
                break
            time.sleep(wait)
        if status in accepted:
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
                found[path_of(urljoin(self.url, href.strip()))] = etag.strip()
        return found

    def fetch(self, url: str) -> tuple[str | None, bytes] | None:
        """The resource's ETag (if the server sent one) and body; ``None`` if it is not there."""
        response = self.request(
            "GET", url, headers={"Accept": "text/calendar"}, expected={200, 404, 410}
        )
        if response.status_code != 200:
            return None
        return response.headers.get("ETag"), response.content


def path_of(url: str) -> str:
    """The unquoted path of ``url``: how resources are told apart, whatever the quoting."""
    return unquote(urlsplit(url).path)
