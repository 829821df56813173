"""Shared fixtures: trip files under tests/data by name, and small trips built in code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tripplan import Trip

from ._radicale import RadicaleServer, radicale_fixture
from .support import DATA, build_trip

# One real CalDAV server (Radicale on 127.0.0.1) for the whole run: every calendar a test writes
# is stored through it (tests/_interop.py: assert_clients_agree).
radicale_server = radicale_fixture()


@pytest.fixture
def caldav_login(
    radicale_server: RadicaleServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> RadicaleServer:
    """The command logs into the test server (from the environment, as a user's would) and
    keeps its publish state in a cache of the test's own."""
    monkeypatch.setenv("TRIPPLAN_CALDAV_USERNAME", radicale_server.username)
    monkeypatch.setenv("TRIPPLAN_CALDAV_PASSWORD", radicale_server.password)
    monkeypatch.setenv("TRIPPLAN_CACHE_DIR", str(tmp_path / "cache"))
    return radicale_server


@pytest.fixture
def no_smtp_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The test mail server takes mail without a login: none from the environment, and no netrc
    of the machine's."""
    monkeypatch.delenv("TRIPPLAN_SMTP_USERNAME", raising=False)
    monkeypatch.delenv("TRIPPLAN_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def make_trip() -> Callable[..., Trip]:
    return build_trip


@pytest.fixture
def data_file() -> Callable[[str], Path]:
    def find(name: str) -> Path:
        path = DATA / name
        assert path.exists(), f"no test data file {name}"
        return path

    return find
