"""A real HTTP server on the loopback address for the network tests, scripted per path.

Each path gets a sequence of replies (status, headers, body, a delay before answering, a body
trickled out in pieces, a body without Content-Length, a redirect); every request takes the next
reply and the last one repeats. The server records what it was asked (method, path, headers), so
a test can count requests or check that one was never made.

    with http_server() as server:
        server.script("/rates.xml", Reply(500), Reply(200, body=b"<xml/>"))
        ...                                   # fetch f"{server.url}/rates.xml"
        assert server.hits("/rates.xml") == 2

``forwarding_server(upstream, edit)`` stands in front of a real server (Radicale) and passes its
answers on with their headers edited: a real server seen through a quirk of another one.

It listens on 127.0.0.1 (or another loopback address) on a port the system picks, answers
HTTP/1.0 (one request per connection, so no idle keep-alive connection outlives a test), and
``stop`` (also at the end of the ``with``) wakes any reply that is waiting, closes the socket and
joins every thread it started. A client that gives up mid-answer is expected: the broken pipe
is swallowed, not printed.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any

import requests

__all__ = ["ForwardingServer", "Reply", "Seen", "TestServer", "forwarding_server", "http_server"]


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``delay`` waits before the status line (a slow server); ``piece`` and ``pause`` send the body
    ``piece`` bytes at a time with ``pause`` seconds between (a trickling server);
    ``content_length=False`` leaves the length out, so the body ends when the connection closes.
    """

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    piece: int = 0
    pause: float = 0.0
    content_length: bool = True

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status, headers={"Location": location})


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # joined by server_close (block_on_close), so none is left behind
    block_on_close = True

    def __init__(self, host: str, owner: TestServer) -> None:
        self.owner = owner
        super().__init__((host, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (timeout, size cap, refused redirect) is part of the tests.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a connection that never sends a request cannot hold stop() for long

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        reply = owner._take(Seen("GET", self.path, MappingProxyType(dict(self.headers.items()))))
        if reply.delay and owner._stopping.wait(reply.delay):
            return  # stopped while waiting: answer nothing
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.content_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            step = reply.piece or len(reply.body) or 1
            for start in range(0, len(reply.body), step):
                self.wfile.write(reply.body[start : start + step])
                self.wfile.flush()
                if reply.pause and owner._stopping.wait(reply.pause):
                    return
        except (BrokenPipeError, ConnectionResetError):
            return


class TestServer:
    """The server's handle: ``url``, ``script`` the replies, read ``requests``, ``stop`` it."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[Seen] = []
        self._server = _Server(host, self)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"http-test-server-{self.port}",
        )
        self._thread.start()
        self._stopped = False

    @property
    def url(self) -> str:
        """``http://host:port`` (``https`` with TLS), without a trailing slash."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer requests for ``path`` with ``replies`` in turn; the last one repeats."""
        if not replies:
            raise ValueError("script at least one reply")
        with self._lock:
            self._scripts[path] = list(replies)

    def hits(self, path: str | None = None) -> int:
        """How many requests came in (for ``path``, or in all)."""
        with self._lock:
            return sum(1 for seen in self.requests if path is None or seen.path == path)

    def _take(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            queue = self._scripts.get(seen.path)
            if not queue:
                return Reply(404, b"not scripted\n")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def stop(self) -> None:
        """Wake waiting replies, stop serving, close the socket and join every thread."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def http_server(
    host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None
) -> Iterator[TestServer]:
    """A running ``TestServer`` for the ``with`` block, stopped at its end whatever happens.

    With ``tls`` (a server-side context) it answers HTTPS; the handshake runs as it accepts.
    """
    server = TestServer(host, tls=tls)
    try:
        yield server
    finally:
        server.stop()


# --- a forwarding server: a real server behind, its answers edited -------------------------------

#: Headers that belong to one connection, not to the message, and are not forwarded.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)
_FORWARDED = ("GET", "HEAD", "PUT", "DELETE", "PROPFIND", "REPORT", "MKCALENDAR", "OPTIONS")


class _ForwardingServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, owner: ForwardingServer) -> None:
        self.owner = owner
        super().__init__((owner.host, 0), _ForwardingHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _ForwardingHandler(BaseHTTPRequestHandler):
    server: _ForwardingServer
    timeout = 5

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}}
        owner._record(Seen(self.command, self.path, MappingProxyType(dict(headers))))
        answer = requests.request(
            self.command,
            owner.upstream + self.path,
            headers=headers,
            data=body,
            allow_redirects=False,
            timeout=30,
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        edited = owner.edit(self.command, answer.status_code, kept)
        try:
            self.send_response(answer.status_code)
            for name, value in edited.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.content)
        except (BrokenPipeError, ConnectionResetError):
            return


for _method in _FORWARDED:
    setattr(_ForwardingHandler, f"do_{_method}", _ForwardingHandler._forward)


def _unchanged(method: str, status: int, headers: dict[str, str]) -> dict[str, str]:
    return headers


class ForwardingServer:
    """A server on the loopback address that forwards every request to ``upstream`` (a base URL
    without a trailing slash) and answers with what came back, its headers passed through
    ``edit(method, status, headers)`` first: a real server, seen through a quirk."""

    __test__ = False

    def __init__(
        self,
        upstream: str,
        edit: Callable[[str, int, dict[str, str]], dict[str, str]] = _unchanged,
        *,
        host: str = "127.0.0.1",
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.edit = edit
        self.host = host
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = _ForwardingServer(self)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"http-test-server-forwarding-{self.port}",
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def methods(self) -> list[str]:
        with self._lock:
            return [seen.method for seen in self.requests]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def forwarding_server(
    upstream: str, edit: Callable[[str, int, dict[str, str]], dict[str, str]] = _unchanged
) -> Iterator[ForwardingServer]:
    """A running ``ForwardingServer`` for the ``with`` block, stopped at its end."""
    server = ForwardingServer(upstream, edit)
    try:
        yield server
    finally:
        server.stop()
