"""Run every test and doc example from the project root, so examples/ paths read as in the docs,
with tripplan's cache in a folder of the run's own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent


@pytest.fixture(autouse=True)
def _at_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """tripplan's cache (rates, feeds, compiled templates, zone lookups) in a folder of the test
    run's own, for the commands the tests start too: never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("TRIPPLAN_CACHE_DIR")
    os.environ["TRIPPLAN_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["TRIPPLAN_CACHE_DIR"]
    else:
        os.environ["TRIPPLAN_CACHE_DIR"] = before
