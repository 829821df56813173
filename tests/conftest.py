"""Shared fixtures: trip files under tests/data by name, and small trips built in code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tripplan import Trip

from ._radicale import radicale_fixture
from .support import DATA, build_trip

# One real CalDAV server (Radicale on 127.0.0.1) for the whole run: every calendar a test writes
# is stored through it (tests/_interop.py: assert_clients_agree).
radicale_server = radicale_fixture()


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
