"""Hostile trips for the fuzz tests: the bundled trips mutated as data (deleted, duplicated and
retyped values, huge numbers, extreme dates, control and other unusual characters, deep nesting)
and as bytes (a BOM, CRLF line ends, invalid UTF-8, truncation), in YAML, JSON and TOML."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import strategies as st

from .support import DATA, EXAMPLES

SEEDS: list[dict[str, Any]] = [
    json.loads((DATA / "santiago-customer-visit.json").read_text(encoding="utf-8")),
    *(yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.yaml"))),
]

ODD_TEXT = [
    "",
    " ",
    "\n",
    "Line\nBreak",
    "Carriage\rReturn",
    "Next\u0085Line",
    "Tab\tbed",
    "\x00nul",
    "\x1b[31mred",
    "BEGIN:VALARM",
    "x\r\nATTENDEE;CN=Mallory:mailto:m@evil.example",
    "<script>alert(1)</script>",
    "# heading\n===",
    "\u202eevil",
    "\ud7ff\ue000\ufffd",
    "😀" * 50,
    "A" * 10_000,
    "9" * 5_000,
    "2027-02-30 10:00",
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "1900-01-01 00:00",
    "2027-03-09 09:00+14:00",
    "99999999999999999999d",
    "0m",
    "-1h",
    "XQX",
    "Mars/Olympus",
    "UTC",
    "Etc/GMT+12",
    "zz",
]
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    float("inf"),
    [],
    {},
    [None],
    {"": None},
    *ODD_TEXT,
]


def document_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a document (keys and indexes), the document's own () first."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += document_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += document_paths(child, (*path, index))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        document = document[part]
    return document


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in document_paths(document) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(document, path)
        action = draw(st.sampled_from(["delete", "replace", "duplicate", "nest", "rename"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=30))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        elif action == "nest":
            parent[path[-1]] = _nested(draw(st.sampled_from([3, 60, 600])))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(ODD_TEXT[:12]))] = parent.pop(path[-1])
    return document


def dump(document: Any, kind: str) -> bytes:
    try:
        if kind == "json":
            return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
        if kind == "yaml":
            text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10**6)
            return text.encode("utf-8", "surrogatepass")
        return toml_text(document).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError, yaml.YAMLError):
        return json.dumps(str(document)[:1000]).encode("utf-8", "surrogatepass")


def toml_text(document: Any) -> str:
    """A minimal TOML writer (only for fuzzing): inline tables and arrays throughout."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v) if v == v and abs(v) != float("inf") else "nan"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v if x is not None) + "]"
        if isinstance(v, dict):
            return (
                "{"
                + ", ".join(
                    f"{json.dumps(str(k))} = {value(x)}" for k, x in v.items() if x is not None
                )
                + "}"
            )
        return '""'

    if not isinstance(document, dict):
        return "x = 1"
    return "\n".join(
        f"{json.dumps(str(k))} = {value(v)}" for k, v in document.items() if v is not None
    )


BYTE_MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda data: data,
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "invalid-utf8": lambda data: data[: len(data) // 2] + b"\xff\xfe\xc3" + data[len(data) // 2 :],
    "truncated": lambda data: data[: len(data) * 2 // 3],
    "nul": lambda data: data.replace(b":", b":\x00", 1),
}
