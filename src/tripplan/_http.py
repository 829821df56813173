"""One configured HTTP client for every integration, and one way for a request to fail.

``make_session`` builds a ``requests.Session`` that names tripplan in its User-Agent, retries
what is safe to retry, and never turns TLS verification off. ``get`` fetches one document through
such a session with the guards a library owes its callers: timeouts on every socket operation and
on the whole body, a size cap, no redirect to another origin, and one exception family
(``NetworkError``) whose one-line message names the URL without credentials. ``request`` sends
one other request (CalDAV's PROPFIND, PUT, DELETE) under the same timeouts and TLS rules.

Integrations take a ``session`` argument so tests can hand them one (talking to a real server on
127.0.0.1); without one they share ``default_session()``, made on first use and closed at exit.
``requests`` and ``urllib3`` are imported by the first call that needs them, not with this
module: importing an integration that may never fetch costs nothing (the command imports them
all). How a URL is shown in a message, and which hosts are this machine, is ``_urls``.
"""

from __future__ import annotations

import atexit
import functools
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self
from urllib.parse import urljoin

from ._exceptions import NetworkError
from ._urls import redact_url, redirect_allowed
from ._version import __version__

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase
    from urllib3.response import BaseHTTPResponse
    from urllib3.util.retry import Retry

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "Fetched",
    "NetworkError",
    "default_session",
    "get",
    "make_session",
    "request",
]

#: (connect, read) seconds: each socket operation, not the whole request (see ``body_timeout``).
DEFAULT_TIMEOUT: Final = (3.05, 10.0)
#: Bodies larger than this are refused: the documents tripplan fetches are a few kilobytes.
MAX_BYTES: Final = 1024 * 1024
#: Redirects followed (same origin only) before giving up.
MAX_REDIRECTS: Final = 3
#: A server asking to be retried later than this (Retry-After, seconds) is not retried at all:
#: waiting that long would stall the caller, and retrying sooner would ignore what it asked.
RETRY_AFTER_LIMIT: Final = 10.0
#: Server errors worth another try; 501 and 505 say the request itself will never work.
RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful answer, read whole: the final URL (redacted), status, headers and bytes."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes


@functools.cache
def _retry_class() -> type[Retry]:
    """urllib3's Retry, with a ceiling on Retry-After and no crash on a malformed one.

    urllib3 sleeps for whatever Retry-After says (up to hours) and raises ``InvalidHeader`` for
    a value it cannot parse. Here a wait beyond ``RETRY_AFTER_LIMIT`` ends the retries (the
    caller gets the server's error answer at once) and a malformed value means plain backoff.
    Made on first use, so that importing this module does not import urllib3.
    """
    from types import TracebackType

    from urllib3.connectionpool import ConnectionPool
    from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry

    class _Retry(Retry):
        def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
            try:
                return super().get_retry_after(response)
            except InvalidHeader:
                return None

        def increment(
            self,
            method: str | None = None,
            url: str | None = None,
            response: BaseHTTPResponse | None = None,
            error: Exception | None = None,
            _pool: ConnectionPool | None = None,
            _stacktrace: TracebackType | None = None,
        ) -> Self:
            if response is not None and self.respect_retry_after_header:
                wait = self.get_retry_after(response)
                if wait is not None and wait > RETRY_AFTER_LIMIT:
                    # With raise_on_status off, urllib3 hands the error answer back to requests.
                    cause = ResponseError(
                        f"Retry-After {wait:.0f} s is beyond {RETRY_AFTER_LIMIT} s"
                    )
                    raise MaxRetryError(_pool, url, cause)  # type: ignore[arg-type]
            return super().increment(method, url, response, error, _pool, _stacktrace)

    return _Retry


def default_user_agent() -> str:
    """``tripplan/<version> python-requests/<version>``: servers can tell who is asking."""
    import requests

    return f"tripplan/{__version__} python-requests/{requests.__version__}"


def make_session(
    *, user_agent: str | None = None, retries: int = 3, backoff: float = 0.5
) -> requests.Session:
    """A session that identifies tripplan, retries safely and always verifies TLS.

    Only GET is retried: after a failed connection and after 500, 502, 503 or 504, up to
    ``retries`` times. The n-th retry waits ``backoff * 2**(n-1)`` s, except the first, which
    goes at once (0, 1, 2 s with the defaults), or what Retry-After asks if that is at most
    ``RETRY_AFTER_LIMIT``. A read timeout is not retried: the server has the request and a slow
    server is usually slow again, so a retry would only multiply the caller's wait.
    """
    import requests
    from requests.adapters import HTTPAdapter

    if retries < 0:
        raise ValueError(f"retries must be 0 or more, not {retries}")
    retry = _retry_class()(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        other=0,
        redirect=0,  # requests follows none (get() does, for the same origin only)
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=8.0,
        raise_on_status=False,  # after the last try, return the error answer: get() reports it
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent or default_user_agent()
    session.verify = True
    return session


_default: requests.Session | None = None
_default_lock = threading.Lock()


def default_session() -> requests.Session:
    """The process's shared session, made on first use and closed when the interpreter exits."""
    global _default
    with _default_lock:
        if _default is None:
            _default = make_session()
            atexit.register(_default.close)
        return _default


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception inside it: causes, contexts, arguments, urllib3's reasons."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested += list(current.args)
        todo += [n for n in nested if isinstance(n, BaseException)]


def _why(exc: BaseException, timeout: tuple[float, float]) -> str:
    """A short reason for a failed request, from the exception requests or urllib3 raised."""
    import http.client
    import ssl

    import requests
    import urllib3

    connect, read = timeout
    chain = list(_chain(exc))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {connect:g} s"
    if any(isinstance(e, urllib3.exceptions.ReadTimeoutError) for e in chain) or isinstance(
        exc, requests.exceptions.ReadTimeout
    ):
        return f"no answer within {read:g} s"
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted ({e.verify_message})"
    if any(isinstance(e, ssl.SSLError | urllib3.exceptions.SSLError) for e in chain):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy failed"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "not a usable URL"
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return "not an http or https URL"
    if any(
        isinstance(e, requests.exceptions.ContentDecodingError | urllib3.exceptions.DecodeError)
        for e in chain
    ):
        return "the answer could not be decompressed"
    if any(isinstance(e, http.client.IncompleteRead) for e in chain):
        return "the answer was cut off"
    for e in chain:
        if isinstance(e, OSError) and e.strerror:
            return f"connection failed: {e.strerror}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError):
        return "the connection broke off"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed"
    return f"request failed ({type(exc).__name__})"


@functools.cache
def _failures() -> tuple[type[BaseException], ...]:
    """What a request can raise that means "the network or the server failed", not a bug here."""
    import http.client

    import requests
    import urllib3

    return (
        requests.exceptions.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        OSError,
    )


def _verify(session: requests.Session) -> bool | str:
    """TLS verification whatever the session says; a CA bundle path on it is still used."""
    return session.verify if isinstance(session.verify, str) else True


#: Request headers that make a GET conditional: a 304 answers them, and only them.
_CONDITIONS: Final = frozenset({"if-none-match", "if-modified-since"})


def get(
    session: requests.Session,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    body_timeout: float = 20.0,
    accept: str | None = None,
    headers: Mapping[str, str] | None = None,
    error: type[NetworkError] = NetworkError,
) -> Fetched:
    """Fetch ``url`` whole, or raise ``error`` (a ``NetworkError``) saying why in one line.

    ``timeout`` is (connect, read) seconds for each socket operation; ``body_timeout`` bounds the
    whole body once the headers are in, because a server trickling a byte at a time never trips
    a read timeout. Retries follow the session's policy (``make_session``).

    A body past ``max_bytes`` (declared or counted after decompression) is refused and reading
    stops. Redirects are followed only within the same origin (or from http to https on the same
    host), at most ``MAX_REDIRECTS``: an integration names the host it trusts, and a redirect
    elsewhere is refused before anything is sent there. TLS is verified whatever the session
    says (a CA bundle path on the session, or ``REQUESTS_CA_BUNDLE``, is still used).

    ``headers`` are sent as well (the session's own are left alone, since other threads may be
    using it). When they make the request conditional (``If-None-Match``, ``If-Modified-Since``),
    a ``304 Not Modified`` is an answer: a ``Fetched`` with status 304 and no content.
    """
    shown = redact_url(url)
    sent = {**(headers or {}), **({"Accept": accept} if accept else {})}
    conditional = any(name.lower() in _CONDITIONS for name in sent)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = session.get(
                current,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
                verify=_verify(session),
                headers=sent or None,
            )
        except _failures() as exc:
            raise error(shown, _why(exc, timeout)) from exc
        with response:
            if response.is_redirect:
                target = urljoin(current, response.headers["Location"])
                if not redirect_allowed(current, target):
                    raise error(shown, f"redirect to another host refused ({redact_url(target)})")
                current = target
                continue
            not_modified = conditional and response.status_code == 304
            if not (200 <= response.status_code < 300 or not_modified):
                raise error(shown, _status_reason(response), status=response.status_code)
            content = (
                b""
                if not_modified
                else _read_capped(response, shown, timeout, max_bytes, body_timeout, error)
            )
            return Fetched(
                url=redact_url(current),
                status=response.status_code,
                headers=dict(response.headers),
                content=content,
            )
    raise error(shown, f"more than {MAX_REDIRECTS} redirects")


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    auth: tuple[str, str] | AuthBase | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    error: type[NetworkError] = NetworkError,
) -> requests.Response:
    """Send one request as it is and return the answer, whatever its status, read whole.

    For protocols that speak in methods and statuses (CalDAV): no redirect is followed (the
    caller sees the 3xx), TLS is verified whatever the session says, ``timeout`` applies as in
    ``get``, and a failure to get any answer is ``error`` naming the URL without credentials.
    ``auth`` is anything ``requests`` takes as auth.
    """
    try:
        return session.request(
            method,
            url,
            data=body,
            headers=dict(headers or {}),
            auth=auth,
            timeout=timeout,
            allow_redirects=False,
            verify=_verify(session),
        )
    except _failures() as exc:
        raise error(redact_url(url), _why(exc, timeout)) from exc


def _status_reason(response: requests.Response) -> str:
    reason = f"HTTP {response.status_code}"
    if response.reason:
        reason += f" {response.reason}"
    raw = response.raw
    retries = getattr(raw, "retries", None)
    tries = 1 + len(retries.history) if retries is not None else 1
    if tries > 1:
        reason += f" after {tries} attempts"
    elif response.status_code in RETRY_STATUSES and response.headers.get("Retry-After"):
        reason += f" (asked to retry after {response.headers['Retry-After']})"
    return reason


def _read_capped(
    response: requests.Response,
    shown: str,
    timeout: tuple[float, float],
    max_bytes: int,
    body_timeout: float,
    error: type[NetworkError],
) -> bytes:
    """The body, decompressed, read one socket read at a time so both limits are checked often."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise error(
            shown, f"answer of {int(declared):,} bytes is over the {max_bytes:,} byte limit"
        )
    raw: BaseHTTPResponse = response.raw
    deadline = time.monotonic() + body_timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = raw.read1(_CHUNK, decode_content=True)
        except _failures() as exc:
            raise error(shown, _why(exc, timeout)) from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise error(shown, f"answer is over the {max_bytes:,} byte limit; stopped reading")
        if time.monotonic() > deadline:
            raise error(shown, f"answer took longer than {body_timeout:g} s to arrive")
        chunks.append(chunk)
