"""Trip files (YAML, JSON, TOML) -> Trip, with every problem located by file, path and line.

YAML is read with the YAML 1.2 core schema, not PyYAML's YAML 1.1 defaults: ``NO`` (Norway) stays
text rather than false, ``10:30`` stays text rather than the sexagesimal 630, and ``2027-03-09
09:00:00`` stays the wall time it says rather than a datetime shifted to UTC. Numbers with a leading
zero (``0501``) stay text too. Duplicate keys are errors, not silently overwritten
(``_yaml_reader``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml

from . import _yaml_reader
from ._exceptions import Problem, TripFileError
from ._model import Trip
from ._problems import describe, format_path

__all__ = ["Format", "format_of", "load_trip", "parse_trip", "read_trip_file"]

Format = Literal["yaml", "json", "toml"]
_SUFFIXES: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def load_trip(path: str | os.PathLike[str], *, format: Format | None = None) -> Trip:
    """Load and validate a trip file; ``TripFileError`` lists every problem found.

    The format follows the file's suffix (``.yaml``, ``.yml``, ``.json``, ``.toml``) unless given.
    """
    source = os.fspath(path)
    format = format or format_of(source)
    # The file's bytes and text are not kept in this frame: a large trip's text is freed as
    # soon as it has been read into data (``_validate`` holds the only reference).
    return _validate(_decode(read_trip_file(source), source), format, source)


def format_of(path: str | os.PathLike[str]) -> Format:
    """A trip file's format, told by its suffix; ``TripFileError`` when it cannot be."""
    format = _SUFFIXES.get(Path(path).suffix.lower())
    if format is None:
        raise TripFileError(
            [
                Problem(
                    f"cannot tell the format from the name; expected a file ending in "
                    f"{', '.join(_SUFFIXES)}",
                    file=os.fspath(path),
                )
            ]
        )
    return format


def parse_trip(text: str | bytes, *, format: Format = "yaml", source: str = "<string>") -> Trip:
    """Validate a trip given as text; ``source`` names it in error messages."""
    return _validate(_decode(text, source), format, source)


def read_trip_file(source: str) -> bytes:
    """A trip file's bytes; ``TripFileError`` naming it when it cannot be read."""
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise TripFileError(
            [Problem(f"cannot read the file: {exc.strerror}", file=source)]
        ) from None


def _decode(text: str | bytes, source: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TripFileError(
            [Problem(f"not UTF-8 text (invalid byte at offset {exc.start})", file=source)]
        ) from None


def _validate(text: str, format: Format, source: str) -> Trip:
    has_lines = False
    if format == "yaml":
        document, has_lines = _read_yaml(text, source)
    elif format == "json":
        document = _read_json(text, source)
    elif format == "toml":
        document = _read_toml(text, source)
    else:
        raise ValueError(f"unknown format {format!r}")
    if not has_lines:
        del text  # only YAML's lines are looked up in the text again, for problems
    if not isinstance(document, dict):
        what = "empty" if document is None else describe(document)
        raise TripFileError(
            [
                Problem(
                    f"the document is {what}; expected a trip: a mapping with id, traveller, "
                    "people, places and items",
                    file=source,
                    line=1 if has_lines else None,
                )
            ]
        )
    try:
        return Trip.model_validate(document)
    except TripFileError as error:
        problems = error.problems
    del document
    root = _yaml_reader.root(text) if has_lines else None
    located = [
        dataclasses.replace(p, file=source, line=_yaml_reader.line(p.location, root))
        for p in problems
    ]
    located.sort(key=lambda p: p.line if p.line is not None else math.inf)
    raise TripFileError(located) from None


# --- reading -------------------------------------------------------------------------------------


def _read_yaml(text: str, source: str) -> tuple[Any, bool]:
    try:
        return _yaml_reader.read(text)
    except _yaml_reader.ReadProblems as found:
        raise TripFileError(
            [
                Problem(message, path=format_path(path), file=source, line=line)
                for message, path, line in found.found
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        if "nesting depth" in what:  # libyaml's own limit (PyYAML 6.0.4 on): say it as ours
            raise TripFileError(
                [Problem("the document is nested too deeply", file=source, line=line)]
            ) from None
        raise TripFileError(
            [Problem(f"YAML syntax error: {what}", file=source, line=line)]
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, where it is
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        character = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise TripFileError(
            [
                Problem(
                    f"YAML syntax error: the control character U+{character:04X} is not allowed "
                    "in a YAML file; remove it",
                    file=source,
                    line=line,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TripFileError([Problem(f"YAML syntax error: {first}", file=source)]) from None


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
    except RecursionError:
        raise TripFileError([Problem("the document is nested too deeply", file=source)]) from None


def _read_toml(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise TripFileError([Problem("the document is nested too deeply", file=source)]) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise TripFileError(
            [Problem(f"TOML syntax error: {message}", file=source, line=line)]
        ) from None
