"""A second real CalDAV server for tests: Xandikos on 127.0.0.1, storing calendars in Git.

Xandikos is another server people run themselves, and it behaves differently from Radicale in
what matters to a client: it stores each object as the bytes it was given (Radicale re-serializes
them), its ETags are Git blob ids, and it writes through a Git repository per collection. It runs
as a subprocess of the test run with its own folder (the collections and its log), without
authentication (Xandikos only offers Basic auth over its own TLS; tripplan sends no credentials
to it, which plain http to 127.0.0.1 allows).

    xandikos_server = xandikos_fixture()          # a session-scoped fixture named xandikos_server

    def test_something(xandikos_server: XandikosServer) -> None:
        collection = xandikos_server.make_calendar()
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
import requests

from ._servers import HOST, free_port, stop, wait_until_answering

__all__ = ["XandikosServer", "XandikosUnavailable", "start_xandikos", "xandikos_fixture"]

_HOST = HOST
_TIMEOUT = 30  # seconds for one HTTP request


class XandikosUnavailable(RuntimeError):
    """Xandikos is not installed in the test environment; the message says how to install it."""


class XandikosServer:
    """A running Xandikos: its base ``url``, the principal's calendars, and plain requests."""

    def __init__(self, url: str, log_path: Path) -> None:
        self.url = url
        self.log_path = log_path
        self.session = requests.Session()

    @property
    def calendars_url(self) -> str:
        """The principal's calendar home, under which calendars may be made."""
        return f"{self.url}user/calendars/"

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def request(
        self,
        method: str,
        url: str,
        *,
        expected: Callable[[int], bool] = lambda status: 200 <= status < 300,
        sent: bytes | None = None,
        **kwargs: object,
    ) -> requests.Response:
        """``method`` on ``url``; a status ``expected`` refuses is an AssertionError with the
        server's answer and its log."""
        response = self.session.request(
            method,
            url,
            data=sent,
            timeout=_TIMEOUT,
            **kwargs,  # type: ignore[arg-type]
        )
        if not expected(response.status_code):
            raise AssertionError(
                f"{method} {url}: Xandikos answered {response.status_code} {response.reason}: "
                f"{response.text.strip()!r}\nits log:\n{self.log()}"
            )
        return response

    def make_calendar(self, name: str | None = None) -> str:
        """A new, empty calendar collection (MKCALENDAR); its URL."""
        name = name or f"calendar-{uuid.uuid4().hex[:12]}"
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            raise ValueError(f"{name!r} is not a plain collection name")
        url = f"{self.calendars_url}{name}/"
        self.request("MKCALENDAR", url, expected=lambda status: status == 201)
        return url

    def close(self) -> None:
        self.session.close()


@contextlib.contextmanager
def start_xandikos(folder: Path) -> Iterator[XandikosServer]:
    """Run Xandikos on a free port of 127.0.0.1 with its data in ``folder`` (which must
    exist), until the block ends; then stop it and wait for it to exit."""
    if importlib.util.find_spec("xandikos") is None:
        raise XandikosUnavailable(
            "Xandikos is not installed: python -m pip install xandikos (or the test extra)"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("XANDIKOS_")}
    env["HOME"] = str(folder)
    env["XDG_DATA_HOME"] = str(folder / "share")
    log_path = folder / "xandikos.log"
    for attempt in range(3):  # the free port may be taken between finding it and binding it
        port = free_port()
        url = f"http://{_HOST}:{port}/"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "xandikos",
                    "serve",
                    "--directory",
                    str(folder / "data"),
                    "--state-dir",
                    str(folder / "state"),
                    "--defaults",
                    "--no-detect-systemd",
                    "--listen-address",
                    _HOST,
                    "--port",
                    str(port),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=folder,
            )
        try:
            wait_until_answering("Xandikos", url, process, log_path, "PROPFIND")
        except RuntimeError:
            stop(process)
            if (
                attempt < 2
                and "address already in use" in log_path.read_text("utf-8", "replace").lower()
            ):
                continue
            raise
        server = XandikosServer(url, log_path)
        try:
            yield server
        finally:
            server.close()
            stop(process)
        return


def xandikos_fixture(
    *, scope: Literal["session", "package", "module"] = "session", name: str = "xandikos_server"
) -> Callable[..., Iterator[XandikosServer]]:
    """A pytest fixture, named ``name``, that runs one Xandikos for the ``scope``."""

    @pytest.fixture(scope=scope, name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XandikosServer]:
        with start_xandikos(tmp_path_factory.mktemp("xandikos")) as server:
            yield server

    return fixture
