"""The JSON Schema (``tripplan schema``) and the loader agree: what one accepts, the other does.

Rules a schema cannot express (keys that refer to people or places, airports the data knows,
zones that keep a country's clocks, DST gaps and folds, an end after its start) are the only
problems a document the schema accepts may still have when it loads.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tripplan import Trip, TripFileError, parse_trip
from tripplan._yaml_reader import read

from ._mutations import document_paths
from .support import EXAMPLES

#: The problems only loading can find: the schema states them in its descriptions.
RULES = {"unknown-reference", "dst-gap", "dst-fold", "time-order", "conflict"}


@cache
def schema() -> dict[str, Any]:
    return Trip.model_json_schema(by_alias=True)


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def schema_errors(document: Any) -> list[str]:
    return [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator().iter_errors(document)
    ]


def load_problems(document: Any) -> list[tuple[str, str, str]]:
    """What loading the document (as JSON text) finds wrong: (code, path, message) each."""
    try:
        parse_trip(json.dumps(document), format="json")
    except TripFileError as error:
        return [(p.code, p.path, p.message) for p in error.problems]
    return []


def beyond_rules(problems: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    # A pattern accepts 31 April and 29 February of any year; the loader tells it as a bad date.
    return [
        p for p in problems if p[0] not in RULES and "day is out of range for month" not in p[2]
    ]


def examples() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(Path(EXAMPLES).glob("*.yaml")):
        document, _ = read(path.read_text(encoding="utf-8"))
        documents.append(document)
    return documents


def test_the_examples_are_valid_under_the_schema() -> None:
    for document in examples():
        assert schema_errors(document) == []
        assert load_problems(document) == []


def bounded(node: Any) -> Any:
    """The schema with short lists and few people and places: documents it accepts are a subset
    of what the trip schema accepts, and are made fast enough for 200 of them."""
    if isinstance(node, dict):
        node = {key: bounded(value) for key, value in node.items()}
        if node.get("type") == "array":
            node["maxItems"] = 3
        if "patternProperties" in node:
            node["maxProperties"] = 2
        return node
    if isinstance(node, list):
        return [bounded(value) for value in node]
    return node


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found: bounded time
)
@given(from_schema(bounded(schema())))
def test_every_document_the_schema_accepts_loads(document: dict[str, Any]) -> None:
    assert schema_errors(document) == []
    assert beyond_rules(load_problems(document)) == []


# --- the known mismatches, each fixed -----------------------------------------------------------


def _first(document: dict[str, Any], kind: str) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in document["items"] if i["type"] == kind)
    return item


def _flight_number_as_integer(d: dict[str, Any]) -> None:
    _first(d, "flight")["number"] = 501


def _geo_as_text(d: dict[str, Any]) -> None:
    place = next(p for p in d["places"].values() if "geo" in p)
    place["geo"] = [str(x) for x in place["geo"]]


def _schema_key(d: dict[str, Any]) -> None:
    d["$schema"] = "https://example.com/trip.schema.json"


def _person_key_with_a_space(d: dict[str, Any]) -> None:
    d["people"]["ana maría"] = {"name": "Ana María"}


def _place_key_with_an_accent(d: dict[str, Any]) -> None:
    d["places"]["café"] = {"name": "Café", "timezone": "America/Santiago"}


def _item_without_type(d: dict[str, Any]) -> None:
    del _first(d, "meeting")["type"]


def _home_null(d: dict[str, Any]) -> None:
    d["home"] = None


def _numeric_title(d: dict[str, Any]) -> None:
    d["title"] = 2027


def _optional_as_text(d: dict[str, Any]) -> None:
    d["items"][0]["optional"] = "yes"


def _traveller_as_number(d: dict[str, Any]) -> None:
    d["traveller"] = 5


def _unknown_type(d: dict[str, Any]) -> None:
    d["items"][0]["type"] = "boat"


MUTATIONS = {
    f.__name__.strip("_"): (f, loads)
    for f, loads in [
        (_flight_number_as_integer, True),
        (_geo_as_text, False),
        (_schema_key, True),
        (_person_key_with_a_space, False),
        (_place_key_with_an_accent, False),
        (_item_without_type, False),
        (_home_null, True),
        (_numeric_title, True),
        (_optional_as_text, False),
        (_traveller_as_number, False),
        (_unknown_type, False),
    ]
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_schema_and_loader_agree_on_each_known_mismatch(name: str) -> None:
    mutate, loads = MUTATIONS[name]
    for original in examples():
        if name == "geo_as_text" and not any("geo" in p for p in original["places"].values()):
            continue
        document = copy.deepcopy(original)
        mutate(document)
        assert (load_problems(document) == []) is loads, name
        assert (schema_errors(document) == []) is loads, schema_errors(document)


def test_the_item_branch_names_the_wrong_field() -> None:
    document = copy.deepcopy(examples()[0])
    _first(document, "flight")["carrier"] = "lan"
    messages = [e.message for e in validator().iter_errors(document)]
    assert messages and all("is not valid under any of the given schemas" in m for m in messages)
    (error,) = validator().iter_errors(document)
    # The branch whose "type" const matches is the one that says what is wrong.
    assert any(
        "'lan' does not match" in c.message
        for c in error.context or []
        if "carrier" in c.absolute_path
    )


def test_the_schema_states_the_rules_it_cannot_check() -> None:
    description = schema()["description"]
    for rule in ("keys of people", "IATA airport codes", "DST gap", "after its start"):
        assert rule in description


# --- mutations of the examples: what loads is valid, what is valid loads ------------------------

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10_000),
    st.floats(-200, 200, allow_nan=False),
    st.sampled_from(
        ["", " ", "x", "SCL", "America/Santiago", "2027-03-09 10:00", "90m", "09:30", "CL"]
    ),
    st.lists(st.integers(-5, 5), max_size=3),
    st.just({}),
)


@settings(max_examples=150, deadline=None, database=None, phases=[Phase.explicit, Phase.generate])
@given(st.data())
def test_mutated_examples_load_exactly_when_valid(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(examples())))
    paths = [p for p in document_paths(document) if p]
    path = data.draw(st.sampled_from(paths))
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = data.draw(_VALUES)
    valid, problems = schema_errors(document) == [], load_problems(document)
    if valid:
        assert beyond_rules(problems) == [], path
    if not problems:
        assert valid, (path, schema_errors(document))
