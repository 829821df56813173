"""Trip files (YAML, JSON, TOML) -> Trip, with every problem located by file, path and line.

YAML is read with the YAML 1.2 core schema, not PyYAML's YAML 1.1 defaults: ``NO`` (Norway) stays
text rather than false, ``10:30`` stays text rather than the sexagesimal 630, and ``2027-03-09
09:00:00`` stays the wall time it says rather than a datetime shifted to UTC. Numbers with a leading
zero (``0501``) stay text too. Duplicate keys are errors, not silently overwritten.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml

from ._exceptions import Problem, TripFileError
from ._model import Trip
from ._problems import PathKey, describe, format_path

__all__ = ["Format", "load_trip", "parse_trip"]

Format = Literal["yaml", "json", "toml"]
_SUFFIXES: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def load_trip(path: str | os.PathLike[str], *, format: Format | None = None) -> Trip:
    """Load and validate a trip file; ``TripFileError`` lists every problem found.

    The format follows the file's suffix (``.yaml``, ``.yml``, ``.json``, ``.toml``) unless given.
    """
    source = os.fspath(path)
    if format is None:
        format = _SUFFIXES.get(Path(source).suffix.lower())
        if format is None:
            raise TripFileError(
                [
                    Problem(
                        f"cannot tell the format from the name; expected a file ending in "
                        f"{', '.join(_SUFFIXES)}",
                        file=source,
                    )
                ]
            )
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise TripFileError(
            [Problem(f"cannot read the file: {exc.strerror}", file=source)]
        ) from None
    return parse_trip(data, format=format, source=source)


def parse_trip(text: str | bytes, *, format: Format = "yaml", source: str = "<string>") -> Trip:
    """Validate a trip given as text; ``source`` names it in error messages."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TripFileError(
                [Problem(f"not UTF-8 text (invalid byte at offset {exc.start})", file=source)]
            ) from None
    root: yaml.Node | None = None
    if format == "yaml":
        document, root = _read_yaml(text, source)
    elif format == "json":
        document = _read_json(text, source)
    elif format == "toml":
        document = _read_toml(text, source)
    else:
        raise ValueError(f"unknown format {format!r}")
    if not isinstance(document, dict):
        what = "empty" if document is None else describe(document)
        raise TripFileError(
            [
                Problem(
                    f"the document is {what}; expected a trip: a mapping with id, traveller, "
                    "people, places and items",
                    file=source,
                    line=1 if root is not None else None,
                )
            ]
        )
    try:
        return Trip.model_validate(document)
    except TripFileError as error:
        located = [
            dataclasses.replace(p, file=source, line=_line(p.location, root))
            for p in error.problems
        ]
        located.sort(key=lambda p: p.line if p.line is not None else math.inf)
        raise TripFileError(located) from None


# --- YAML --------------------------------------------------------------------------------------

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CoreSchemaLoader(_Base):  # type: ignore[misc]
    """PyYAML's loader with the YAML 1.2 core schema's implicit types only."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # PyYAML's own resolve also walks path resolvers, which this loader has none of; this
        # is called for every scalar, so the short version makes large trips load faster.
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
):
    _CoreSchemaLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )

_MAX_NODES = 2_000_000  # guards against alias bombs ("billion laughs")


def _read_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """The document as plain data, and its node tree, kept to find the lines of problems."""
    loader = _CoreSchemaLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        return _YamlBuilder(loader, source).build(root), root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        raise TripFileError(
            [Problem(f"YAML syntax error: {what}", file=source, line=line)]
        ) from None
    except yaml.YAMLError as exc:
        raise TripFileError([Problem(f"YAML syntax error: {exc}", file=source)]) from None
    finally:
        loader.dispose()


class _YamlBuilder:
    """Builds plain Python data from YAML nodes (lines are looked up only for problems)."""

    def __init__(self, loader: Any, source: str) -> None:
        self.loader, self.source = loader, source
        self.count = 0
        self.problems: list[Problem] = []
        self.active: set[int] = set()

    def build(self, root: yaml.Node) -> Any:
        value = self.node(root, ())
        if self.problems:
            raise TripFileError(self.problems)
        return value

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(
                message, path=format_path(path), file=self.source, line=node.start_mark.line + 1
            )
        )

    def node(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise TripFileError(
                [Problem("the document is too large (alias expansion?)", file=self.source)]
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.fail(node, path, "an alias refers to a node that contains it")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.node(child, (*path, i)) for i, child in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            written = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
            self.loader.flatten_mapping(node)  # puts the merged (<<) entries first
            merged = len(node.value) - written
            result: dict[str, Any] = {}
            first_line: dict[str, int] = {}
            for n, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail(key_node, path, "a key must be plain text, not a list or mapping")
                    continue
                key = key_node.value
                line = key_node.start_mark.line + 1
                if n < merged:  # merged keys yield to what the mapping itself writes
                    result[key] = self.node(value_node, (*path, key))
                    continue
                if key in first_line:
                    self.fail(
                        key_node,
                        (*path, key),
                        f"duplicate key {key!r} (first at line {first_line[key]})",
                    )
                    continue
                first_line[key] = line
                result[key] = self.node(value_node, (*path, key))
            return result
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag, value = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            if value.startswith(("0o", "0x")):
                return int(value, 0)
            return int(value, 10)
        if tag == "tag:yaml.org,2002:float":
            lowered = value.lower()
            if lowered.endswith(("inf", "nan")):
                return float(lowered.replace(".", ""))
            return float(value)
        self.fail(
            node, path, f"unsupported YAML tag {tag!r}; write plain text, numbers or true/false"
        )
        return None


# --- JSON and TOML -----------------------------------------------------------------------------


def _read_json(text: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise TripFileError(
            [
                Problem(
                    f"JSON syntax error: {exc.msg} (column {exc.colno})",
                    file=source,
                    line=exc.lineno,
                )
            ]
        ) from None
    except ValueError as exc:
        raise TripFileError([Problem(f"JSON: {exc}", file=source)]) from None


def _read_toml(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise TripFileError(
            [Problem(f"TOML syntax error: {message}", file=source, line=line)]
        ) from None


# --- lines ---------------------------------------------------------------------------------------


def _line(path: PathKey, root: yaml.Node | None) -> int | None:
    """The line of the deepest node on ``path`` (a mapping entry's line is its key's)."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            entries = [
                (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part
            ]
            if not entries:
                break
            key, node = entries[-1]  # after flattening, a mapping's own keys follow merged ones
            line = key.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
