"""One configured HTTP client for every integration, and one way for a request to fail.

``make_session`` builds a ``requests.Session`` that names tripplan in its User-Agent, retries
what is safe to retry, and never turns TLS verification off. ``get`` fetches one document through
such a session with the guards a library owes its callers: timeouts on every socket operation and
on the whole body, a size cap, no redirect to another origin, and one exception type
(``NetworkError``) whose one-line message names the URL without credentials.

Integrations take a ``session`` argument so tests can hand them one (talking to a real server on
127.0.0.1); without one they share ``default_session()``, made on first use and closed at exit.
``requests`` loads with this module, and this module loads only when something fetches.
"""

from __future__ import annotations

import atexit
import http.client
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from ._exceptions import NetworkError
from ._version import __version__

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "Fetched",
    "NetworkError",
    "default_session",
    "get",
    "is_loopback_host",
    "make_session",
    "redact_url",
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


class _Retry(Retry):
    """urllib3's Retry, with a ceiling on Retry-After and no crash on a malformed one.

    urllib3 sleeps for whatever Retry-After says (up to hours) and raises ``InvalidHeader`` for
    a value it cannot parse. Here a wait beyond ``RETRY_AFTER_LIMIT`` ends the retries (the
    caller gets the server's error answer at once) and a malformed value means plain backoff.
    """

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
                cause = ResponseError(f"Retry-After {wait:.0f} s is beyond {RETRY_AFTER_LIMIT} s")
                raise MaxRetryError(_pool, url, cause)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


def default_user_agent() -> str:
    """``tripplan/<version> python-requests/<version>``: servers can tell who is asking."""
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
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, not {retries}")
    retry = _Retry(
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


def is_loopback_host(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def redact_url(url: str) -> str:
    """``url`` fit for a message: no user or password, and ``?…`` for a query (keys live there).

    >>> redact_url("https://ann:secret@example.org:8443/rates?key=abc#top")
    'https://example.org:8443/rates?…'
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _redirect_allowed(source: str, target: str) -> bool:
    """Same origin, or the same host moving from http to https on the default port."""
    try:
        before, after = _origin(source), _origin(target)
    except ValueError:
        return False
    if after == before:
        return True
    return before[0] == "http" and after == ("https", before[1], 443)


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


# What a request can raise that means "the network or the server failed", not a bug here.
_FAILURES = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


def get(
    session: requests.Session,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    body_timeout: float = 20.0,
    accept: str | None = None,
) -> Fetched:
    """Fetch ``url`` whole, or raise ``NetworkError`` saying why in one line.

    ``timeout`` is (connect, read) seconds for each socket operation; ``body_timeout`` bounds the
    whole body once the headers are in, because a server trickling a byte at a time never trips
    a read timeout. Retries follow the session's policy (``make_session``).

    A body past ``max_bytes`` (declared or counted after decompression) is refused and reading
    stops. Redirects are followed only within the same origin (or from http to https on the same
    host), at most ``MAX_REDIRECTS``: an integration names the host it trusts, and a redirect
    elsewhere is refused before anything is sent there. TLS is verified whatever the session
    says (a CA bundle path on the session, or ``REQUESTS_CA_BUNDLE``, is still used).
    """
    shown = redact_url(url)
    verify: bool | str = session.verify if isinstance(session.verify, str) else True
    headers = {"Accept": accept} if accept else None
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = session.get(
                current,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
                verify=verify,
                headers=headers,
            )
        except _FAILURES as exc:
            raise NetworkError(shown, _why(exc, timeout)) from exc
        with response:
            if response.is_redirect:
                target = urljoin(current, response.headers["Location"])
                if not _redirect_allowed(current, target):
                    raise NetworkError(
                        shown, f"redirect to another host refused ({redact_url(target)})"
                    )
                current = target
                continue
            if not 200 <= response.status_code < 300:
                raise NetworkError(shown, _status_reason(response), status=response.status_code)
            content = _read_capped(response, shown, timeout, max_bytes, body_timeout)
            return Fetched(
                url=redact_url(current),
                status=response.status_code,
                headers=dict(response.headers),
                content=content,
            )
    raise NetworkError(shown, f"more than {MAX_REDIRECTS} redirects")


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
) -> bytes:
    """The body, decompressed, read one socket read at a time so both limits are checked often."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise NetworkError(
            shown, f"answer of {int(declared):,} bytes is over the {max_bytes:,} byte limit"
        )
    raw: BaseHTTPResponse = response.raw
    deadline = time.monotonic() + body_timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = raw.read1(_CHUNK, decode_content=True)
        except _FAILURES as exc:
            raise NetworkError(shown, _why(exc, timeout)) from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise NetworkError(
                shown, f"answer is over the {max_bytes:,} byte limit; stopped reading"
            )
        if time.monotonic() > deadline:
            raise NetworkError(shown, f"answer took longer than {body_timeout:g} s to arrive")
        chunks.append(chunk)
