"""A trip file as a document to change and write back: YAML keeps its comments, order and
formatting (ruamel.yaml's round trip); JSON and TOML are rewritten whole.

Beside it, the import record (``.NAME.bookings.json``): what each booking last said of the items
it made, so that a later import can tell a changed booking (update the item) from a field edited
by hand (keep it, and say so).
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from ._loading import Format

__all__ = ["TripDocument", "empty_record", "read_record", "record_path", "render_record"]

_RECORD_VERSION = 1


class TripDocument:
    """A trip file's content as plain, changeable data, and how to write it back."""

    def __init__(self, path: Path, format: Format, data: MutableMapping[str, Any]) -> None:
        self.path, self.format, self.data = path, format, data
        self._yaml: Any = None

    @classmethod
    def parse(cls, path: Path, format: Format, text: str) -> TripDocument:
        """The document of a trip file's text, which loads (the loader has checked it)."""
        if format == "json":
            return cls(path, format, json.loads(text))
        if format == "toml":
            return cls(path, format, tomllib.loads(text))
        from ruamel.yaml import YAML  # third-party: only for a YAML trip being changed

        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long line the file writes on one
        mapping, sequence, offset = _indentation(text)
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        document = cls(path, format, yaml.load(text))
        document._yaml = yaml
        return document

    def render(self) -> str:
        """The document as the file's text."""
        if self.format == "json":
            return json.dumps(self.data, ensure_ascii=False, indent=2) + "\n"
        if self.format == "toml":
            import tomli_w  # third-party: only for a TOML trip being changed

            return tomli_w.dumps(dict(self.data))
        out = io.StringIO()
        self._yaml.dump(_literal_blocks(self.data), out)
        return out.getvalue()


def _literal_blocks(value: Any) -> Any:
    """New text of several lines (an invitation's agenda) as a YAML literal block, as a person
    writes it; what the file wrote keeps its own style."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, MutableMapping):
        for key in list(value):
            value[key] = _literal_blocks(value[key])
    elif isinstance(value, list):
        value[:] = [_literal_blocks(v) for v in value]
    elif type(value) is str and "\n" in value:
        return LiteralScalarString(value)
    return value


def _indentation(text: str) -> tuple[int, int, int]:
    """How the file indents nested mappings and lists (ruamel.yaml does not detect it)."""
    mapping = 2
    nested = re.search(r"^( *)[^\s#-][^\n]*:\n( +)[^\s#-]", text, re.MULTILINE)
    if nested and len(nested.group(2)) > len(nested.group(1)):
        mapping = len(nested.group(2)) - len(nested.group(1))
    offset = 2
    listed = re.search(r"^( *)[^\s#-][^\n]*:\n( *)- ", text, re.MULTILINE)
    if listed:
        offset = max(len(listed.group(2)) - len(listed.group(1)), 0)
    return mapping, offset + 2, offset


def record_path(trip_path: Path) -> Path:
    """Where the import record of a trip file is kept: beside it, hidden."""
    return trip_path.with_name(f".{trip_path.name}.bookings.json")


def empty_record() -> dict[str, Any]:
    """A record of no import: every item is taken as typed by hand."""
    return {"version": _RECORD_VERSION, "keys": {}, "items": {}}


def read_record(trip_path: Path) -> dict[str, Any]:
    """The import record (empty when there is none, or when it cannot be read: every item is
    then taken as typed by hand, so nothing is overwritten)."""
    try:
        record = json.loads(record_path(trip_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or record.get("version") != _RECORD_VERSION:
        return empty_record()
    record.setdefault("keys", {})
    record.setdefault("items", {})
    return record


def render_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
