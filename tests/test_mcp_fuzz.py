"""Hostile trips through every MCP tool: each answers, or raises a ``TripplanError`` (which the
server hands the client as a tool error with its located lines); nothing else escapes, and
nothing is written.

The tools are called as the server calls them, in this process (the stdio round trip itself is
tested in tests/test_mcp.py), with the fuzz tests' mutated trips in YAML, JSON and TOML.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripplan import TripFileError, TripplanError
from tripplan._mcp import (
    briefing_sheet,
    calendar,
    check_trip,
    free_slots,
    invitations,
    validate_trip,
)

from ._mutations import dump, mutated

#: Each tool that reads a trip, with arguments that are fine for the reference trip.
TOOLS: list[tuple[Any, dict[str, Any]]] = [
    (check_trip, {}),
    (calendar, {"audience": "customer", "lang": "es"}),
    (invitations, {}),
    (briefing_sheet, {"sheet_format": "md", "lang": ["pt_BR", "en"], "audience": "team"}),
    (free_slots, {"day": date(2027, 3, 10), "duration": "1h"}),
]


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=mutated(), kind=st.sampled_from(["yaml", "json", "toml"]))
def test_mutated_trips_never_crash_a_tool(
    document: dict[str, Any],
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    text = dump(document, kind).decode("utf-8", "replace")
    verdict = validate_trip(text, format=kind)  # type: ignore[arg-type]
    assert verdict.ok == (not verdict.problems)
    assert all(p.message and "\n" not in p.message for p in verdict.problems)
    for tool, arguments in TOOLS:
        try:
            answer = tool(text, format=kind, **arguments)
        except TripFileError as error:  # the trip does not load: the problems validate_trip told
            told = [p.message for p in verdict.problems]
            assert [p.message for p in error.problems] == told, tool.__name__
            continue
        except TripplanError as error:  # a trip that loads, but not for this output
            assert verdict.ok and str(error), tool.__name__
            continue
        assert verdict.ok, f"{tool.__name__} answered a trip that does not validate"
        assert answer is not None
    assert list(tmp_path.iterdir()) == []
