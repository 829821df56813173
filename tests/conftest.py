"""Shared fixtures: trip files under tests/data by name, and small trips built in code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tripplan import Trip

from .support import DATA, build_trip


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
