"""Pydantic's validation errors -> Problems: one located, plain-language line per mistake.

Locations are mapped onto the document as it was written (``from``, not ``from_``; no union
tags), messages say what is expected and, where there is one, the nearest valid value.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ._base import MULTI_LINE, SINGLE_LINE
from ._exceptions import Problem
from ._types import did_you_mean

__all__ = ["PathKey", "describe", "format_path", "problems"]

PathKey = tuple[str | int, ...]


def problems(
    error: ValidationError, document: Any, models: Mapping[tuple[str, ...], type[BaseModel]]
) -> list[Problem]:
    """Every error of ``error`` as a Problem (no file or line yet), in document order, once each.

    ``models`` says which model describes the mapping at each shape of path (``("items", "#",
    "notes")``), to suggest field names; an item's model is keyed ``("item", its type)``.
    """
    found = [_problem(e, document, models) for e in error.errors()]
    seen: set[Problem] = set()
    return [p for p in found if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def format_path(path: PathKey) -> str:
    """``("items", 5, "attendees", 2)`` -> ``items[5].attendees[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def _document_path(loc: tuple[str | int, ...], document: Any) -> PathKey:
    """Map pydantic's location onto the document: drop union tags, use field aliases."""
    path: list[str | int] = []
    current = document
    for part in loc:
        if isinstance(current, list | tuple) and isinstance(part, int):  # a trip's own: tuples
            path.append(part)
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(current, dict):
            key = "from" if part == "from_" and "from" in current else part
            if isinstance(key, str) and key not in current and current.get("type") == key:
                continue  # the discriminated union's tag
            if isinstance(key, str) and (key.startswith("function-") or "[" in key):
                continue
            path.append(key)
            current = current.get(key) if isinstance(key, str) else None
        elif isinstance(part, str) and getattr(current, "type", None) == part:
            continue  # an item given as a model object: the union's tag again
        elif isinstance(current, BaseModel) and isinstance(part, str):
            field = type(current).model_fields.get(part)  # written as the file would: `from`
            path.append(field.alias if field is not None and field.alias else part)
            current = getattr(current, part, None)
        else:
            path.append(part)
            current = None
    return tuple(path)


def _model_at(
    path: PathKey, document: Any, models: Mapping[tuple[str, ...], type[BaseModel]]
) -> type[BaseModel] | None:
    """Which model describes the mapping at ``path`` (to suggest field names)."""
    shape = tuple("#" if isinstance(p, int) else p for p in path)
    if shape and shape[0] in ("people", "places") and len(shape) == 2:
        shape = (shape[0], "*")
    if shape == ("items", "#"):
        node = _get(document, path)
        kind = node.get("type") if isinstance(node, dict) else getattr(node, "type", None)
        return models.get(("item", str(kind)))
    return models.get(shape)


def _get(document: Any, path: PathKey) -> Any:
    for part in path:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _item_types(models: Mapping[tuple[str, ...], type[BaseModel]]) -> list[str]:
    return [shape[1] for shape in models if shape[:1] == ("item",)]


def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def describe(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

_PATTERN_HELP = {
    "carrier": "a two-character IATA airline code like LA",
    "number": "a flight number like 501 (the airline code goes in carrier)",
    "email": "an email address",
    "phone": "a phone number in international form, like +56 2 2555 0100",
    "online": "an http:// or https:// URL",
    "id": "a slug of letters, digits, dots, dashes and underscores, like scl-2027-03",
    "country": "an ISO 3166-1 alpha-2 country code in capitals, like CL",
    "from": "an IATA airport code in capitals, like SCL",
    "to": "an IATA airport code in capitals, like SCL",
    "traveller": "a key of people",
}


def _stray_character(value: str, *, one_line: bool) -> str:
    """Which character a text may not hold, by its code point (the text itself may not print)."""
    pattern = re.compile(SINGLE_LINE if one_line else MULTI_LINE)
    bad = next((c for c in value if not pattern.fullmatch(c)), "?")
    names = {0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return", 0x85: "next line"}
    name = names.get(ord(bad)) or unicodedata.name(bad, "a control character").lower()
    what = "one line of text" if one_line else "text without control characters"
    return f"contains U+{ord(bad):04X} ({name}); expected {what}"


def _problem(
    error: Mapping[str, Any], document: Any, models: Mapping[tuple[str, ...], type[BaseModel]]
) -> Problem:
    path = where = _document_path(tuple(error["loc"]), document)
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    field = path[-1] if path else ""
    if kind == "missing":
        message, path = f"missing required field {field!r}", path[:-1]
    elif kind == "extra_forbidden":
        path = path[:-1]
        message = f"unknown field {field!r}"
        model = _model_at(path, document, models)
        if model is not None:
            allowed = _fields(model)
            close = difflib.get_close_matches(str(field), allowed, n=1)
            message += (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; expected one of: {', '.join(allowed)}"
            )
    elif kind == "union_tag_invalid":
        tag = ctx.get("tag")
        message = f"unknown item type {tag!r}; expected one of: {ctx.get('expected_tags')}"
        message += did_you_mean(tag, _item_types(models))
    elif kind == "union_tag_not_found":
        message = f"missing field 'type'; expected one of: {', '.join(_item_types(models))}"
    elif kind == "value_error":
        message = str(ctx.get("error") or error["msg"].removeprefix("Value error, "))
    elif kind == "literal_error":
        expected = str(ctx.get("expected"))
        message = f"got {describe(value)}; expected {expected}" + did_you_mean(
            value, re.findall(r"'([^']*)'", expected)
        )
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") in (SINGLE_LINE, MULTI_LINE):
        message = _stray_character(str(value), one_line=ctx.get("pattern") == SINGLE_LINE)
    elif kind == "string_pattern_mismatch":
        expected = _PATTERN_HELP.get(str(field), f"text matching {ctx.get('pattern')}")
        message = f"{value!r} is not {expected}"
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {describe(value)}"
    else:
        message = error["msg"]
    # The location is the node the error is about (an unknown key's own line), the path what
    # holds it.
    return Problem(message, path=format_path(path), location=where, code=_code(kind, message))


def _code(kind: str, message: str) -> str:
    """The stable code of a pydantic error (``PROBLEM_CODES``)."""
    if kind == "missing" or kind == "union_tag_not_found":
        return "missing-field"
    if kind == "extra_forbidden":
        return "unknown-field"
    if kind in _EXPECTED or kind.endswith("_type"):
        return "wrong-type"
    return Problem(message).code  # a validator's own message: a reference, a time, a value
