"""YAML trip files -> plain data, by the YAML 1.2 core schema, straight from libyaml's events.

PyYAML's YAML 1.1 defaults would read ``NO`` (Norway) as false, ``10:30`` as the sexagesimal 630
and ``2027-03-09 09:00:00`` as a datetime shifted to UTC; here only the core schema's implicit
types apply (``0501`` stays text too), and a duplicate key is a problem, not silently overwritten.
Anchors, aliases and merge keys (``<<``) work as PyYAML's own loader has them.

The data is built from the parser's events, so no node tree (an object and two marks for each of
a large file's values) is kept; ``root`` and ``line`` find the lines of problems afterwards, by
reading the text again, only when there are problems.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar

import yaml

__all__ = ["CoreSchemaLoader", "PathKey", "ReadProblems", "line", "read", "root"]

PathKey = tuple[str | int, ...]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CoreSchemaLoader(_Base):  # type: ignore[misc]
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
    CoreSchemaLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )

_MAX_NODES = 2_000_000  # guards against alias bombs ("billion laughs")
_STR, _NULL, _BOOL, _INT, _FLOAT, _MERGE = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "null", "bool", "int", "float", "merge")
)
_RESOLVERS = CoreSchemaLoader.yaml_implicit_resolvers
# For each first character, one pattern matching whatever one of its implicit types matches: a
# plain scalar that it does not match is text, decided in one step (and one with a space, such
# as a wall time, without trying: no implicit type has one).
_IMPLICIT = {
    first: re.compile("|".join(f"(?:{pattern.pattern})" for _tag, pattern in resolvers))
    for first, resolvers in _RESOLVERS.items()
}


def read(text: str) -> tuple[Any, bool]:
    """The document as plain data, read from libyaml's events (no node tree is kept: lines are
    looked up only when validation finds problems, ``root``), and whether there was one.

    A syntax error is PyYAML's ``YAMLError``; what the document says wrong (a duplicate key,
    an unsupported tag, an alias inside itself, too many nodes) is ``ReadProblems``."""
    loader = CoreSchemaLoader(text)
    try:
        return _Builder(loader).document()
    except RecursionError:  # hundreds of lists or mappings in each other: no trip is so
        raise ReadProblems([("the document is nested too deeply", (), None)]) from None
    finally:
        loader.dispose()


class ReadProblems(Exception):
    """What a document says wrong: (message, path, line) each, no line for the whole document."""

    def __init__(self, found: list[tuple[str, PathKey, int | None]]) -> None:
        super().__init__(found)
        self.found = found


def root(text: str) -> yaml.Node | None:
    """The node tree of a document that ``read`` has read: to find the lines of problems."""
    loader = CoreSchemaLoader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


@dataclasses.dataclass(slots=True)
class _Anchor:
    """What an anchor names: its value, the kind and line of its node, how many nodes it
    expands to, and the problems inside it (reported again wherever an alias repeats it)."""

    value: Any
    kind: str  # "scalar", "sequence" or "mapping", as PyYAML names nodes
    mark: Any
    event: Any = None  # a scalar's own event: an alias used as a key reads its text
    size: int = 1
    problems: list[tuple[PathKey, str, int, bool]] = dataclasses.field(default_factory=list)
    open: bool = False
    depth: int = 0


class _Builder:
    """Builds plain Python data from libyaml's parser events, as the YAML 1.2 core schema reads
    them; duplicate keys, unsupported tags and recursive aliases are problems with lines."""

    def __init__(self, loader: Any) -> None:
        self.next = loader.get_event
        self.count = 0
        self.mute = 0  # inside a value that is dropped (of a key that is not text)
        self.problems: list[tuple[str, PathKey, int | None]] = []
        self.anchors: dict[str, _Anchor] = {}
        self.open: list[_Anchor] = []  # anchored collections being built, outermost first
        self.error: yaml.MarkedYAMLError | None = None  # a bad merge, raised once all is read
        self.keys: dict[str, str] = {}

    def document(self) -> tuple[Any, bool]:
        self.next()  # StreamStartEvent
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None, False
        start = event.start_mark
        value = self.value(self.next(), ())
        self.next()  # DocumentEndEvent
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                start,
                "but found another document",
                event.start_mark,
            )
        if self.error is not None:
            raise self.error
        if self.count > _MAX_NODES:
            raise ReadProblems([("the document is too large (alias expansion?)", (), None)])
        if self.problems:
            raise ReadProblems(self.problems)
        return value, True

    def fail(self, line: int, path: PathKey, message: str, own: bool = False) -> None:
        """A problem at ``path``; ``own``: a duplicate key of the mapping at ``path[:-1]``,
        which merging that mapping elsewhere does not repeat."""
        if self.mute:
            return
        self.problems.append((message, path, line))
        for anchor in self.open:
            inside = path[anchor.depth :]
            anchor.problems.append((inside, message, line, own and len(inside) == 1))

    def anchor(self, event: Any, kind: str, depth: int) -> _Anchor | None:
        name = event.anchor
        if name is None:
            return None
        if name in self.anchors:
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence",
                self.anchors[name].mark,
                "second occurrence",
                event.start_mark,
            )
        found = self.anchors[name] = _Anchor(None, kind, event.start_mark, depth=depth)
        return found

    def value(self, event: Any, path: PathKey) -> Any:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.count += 1
            value = self.scalar(event, path)
            if event.anchor is not None:
                anchor = self.anchor(event, "scalar", len(path))
                assert anchor is not None
                anchor.value, anchor.event = value, event
            return value
        if kind is yaml.AliasEvent:
            return self.alias(event, path)
        if kind is yaml.SequenceStartEvent:
            return self.collection(event, path, "sequence")
        return self.collection(event, path, "mapping")

    def collection(self, event: Any, path: PathKey, kind: str) -> Any:
        before = self.count
        self.count += 1
        anchor = self.anchor(event, kind, len(path))
        value: Any = [] if kind == "sequence" else {}
        if anchor is not None:
            anchor.value, anchor.open = value, True
            self.open.append(anchor)
        try:
            if kind == "sequence":
                self.sequence(value, path)
            else:
                self.mapping(value, event, path)
        finally:
            if anchor is not None:
                anchor.open = False
                anchor.size = self.count - before
                self.open.pop()
        return value

    def alias(self, event: Any, path: PathKey) -> Any:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        if anchor.open:
            self.count += 1
            self.fail(anchor.mark.line + 1, path, "an alias refers to a node that contains it")
            return None
        self.count += anchor.size
        for inside, message, line, _own in anchor.problems:
            self.fail(line, (*path, *inside), message)
        return anchor.value

    def sequence(self, result: list[Any], path: PathKey) -> None:
        next_event, scalar, end = self.next, yaml.ScalarEvent, yaml.SequenceEndEvent
        while True:
            event = next_event()
            kind = type(event)
            if kind is end:
                return
            if kind is scalar and event.anchor is None and event.tag is None:
                self.count += 1
                text = event.value
                implicit = _IMPLICIT.get(text[:1]) if event.implicit[0] else None
                if implicit is not None and " " not in text and implicit.match(text) is not None:
                    result.append(self.scalar(event, (*path, len(result))))
                else:
                    result.append(text)  # quoted, or plain text of no implicit type
            else:
                result.append(self.value(event, (*path, len(result))))

    def mapping(self, result: dict[str, Any], start: Any, path: PathKey) -> None:
        next_event, scalar, end = self.next, yaml.ScalarEvent, yaml.MappingEndEvent
        share = self.keys.setdefault
        keys: dict[str, Any] = {}  # the event of each key the mapping itself writes
        merged: list[dict[str, Any]] = []
        count = 0  # scalar values read here, added to self.count before anything reads it
        while True:
            event = next_event()
            kind = type(event)
            if kind is end:
                break
            if kind is scalar:
                key = share(event.value, event.value)  # one string per key, as json shares them
                if (key == "<<" or event.tag is not None) and (
                    event.tag == _MERGE or (event.tag is None and event.implicit[0] and key == "<<")
                ):
                    self.count += count
                    count = 0
                    merged.extend(self.merge(next_event(), start, path))
                    continue
            elif kind is yaml.AliasEvent and self.scalar_anchor(event) is not None:
                event = self.scalar_anchor(event)  # an aliased text key reads as its anchor
                key = event.value
            else:
                self.count += count
                count = 0
                line = event.start_mark.line + 1
                self.mute += 1
                try:
                    self.value(event, path)
                finally:
                    self.mute -= 1
                self.fail(line, path, "a key must be plain text, not a list or mapping")
                self.skip()
                continue
            if key in keys:
                self.count += count
                count = 0
                first = keys[key].start_mark.line + 1
                message = f"duplicate key {key!r} (first at line {first})"
                self.fail(event.start_mark.line + 1, (*path, key), message, True)
                self.skip()
                continue
            keys[key] = event
            value = next_event()
            if type(value) is scalar and value.anchor is None and value.tag is None:
                count += 1
                text = value.value
                implicit = _IMPLICIT.get(text[:1]) if value.implicit[0] else None
                if implicit is not None and " " not in text and implicit.match(text) is not None:
                    result[key] = self.scalar(value, path, key)
                else:
                    result[key] = text  # quoted, or plain text of no implicit type
            else:
                self.count += count
                count = 0
                result[key] = self.value(value, (*path, key))
        self.count += count
        if merged:
            own = dict(result)
            result.clear()
            for entries in merged:  # merged entries first; the mapping's own keys win
                result.update(entries)
            result.update(own)

    def merge(self, event: Any, start: Any, path: PathKey) -> list[dict[str, Any]]:
        """The mappings a merge key (``<<``) brings, in the order later ones win."""
        kind = type(event)
        if kind is yaml.MappingStartEvent:
            self.count -= 1  # the merged mapping is not a node of the result
            return [self.collection(event, path, "mapping")]
        if kind is yaml.AliasEvent and event.anchor in self.anchors:
            anchor = self.anchors[event.anchor]
            if anchor.kind == "mapping":
                if anchor.open:
                    return []  # the mapping itself: its own keys win anyway
                self.count += anchor.size - 1
                for inside, message, line, own in anchor.problems:
                    if not own:
                        self.fail(line, (*path, *inside), message)
                return [anchor.value]
            if anchor.kind == "sequence" and not anchor.open:
                if all(isinstance(i, dict) for i in anchor.value):
                    return list(anchor.value)[::-1]
                self.bad_merge(start, "a mapping", "scalar", anchor.mark)
                return []
            self.bad_merge(start, "a mapping or list of mappings", anchor.kind, anchor.mark)
            return []
        if kind is yaml.SequenceStartEvent:
            found: list[dict[str, Any]] = []
            while True:
                item = self.next()
                if type(item) is yaml.SequenceEndEvent:
                    return found[::-1]  # the first in the list wins
                if type(item) is yaml.MappingStartEvent:
                    found += self.merge(item, start, path)
                elif type(item) is yaml.AliasEvent and item.anchor in self.anchors:
                    anchor = self.anchors[item.anchor]
                    if anchor.kind == "mapping":
                        found += self.merge(item, start, path)
                    else:
                        self.bad_merge(start, "a mapping", anchor.kind, anchor.mark)
                elif type(item) is yaml.AliasEvent:
                    self.value(item, path)  # an undefined alias
                else:
                    node = "scalar" if type(item) is yaml.ScalarEvent else "sequence"
                    self.bad_merge(start, "a mapping", node, item.start_mark)
                    self.mute += 1
                    try:
                        self.value(item, path)
                    finally:
                        self.mute -= 1
        node = "scalar" if kind is yaml.ScalarEvent else "alias"
        if kind is yaml.AliasEvent:
            self.value(event, path)  # an undefined alias: raises
        self.bad_merge(start, "a mapping or list of mappings", node, event.start_mark)
        return []

    def bad_merge(self, start: Any, expected: str, found: str, mark: Any) -> None:
        if self.error is None:
            self.error = yaml.constructor.ConstructorError(
                "while constructing a mapping",
                start.start_mark,
                f"expected {expected} for merging, but found {found}",
                mark,
            )

    def scalar_anchor(self, event: Any) -> Any:
        """The scalar event an alias repeats, if it names a scalar (None otherwise)."""
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        return anchor.event

    def skip(self) -> None:
        """Read past the value of a key that is dropped."""
        self.mute += 1
        try:
            self.value(self.next(), ())
        finally:
            self.mute -= 1

    def scalar(self, event: Any, path: PathKey, key: str | None = None) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value
            for tag, pattern in _RESOLVERS.get(value[:1], ()):  # noqa: B007
                if pattern.match(value):
                    break
            else:
                return value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            return int(value, 0) if value.startswith(("0o", "0x")) else int(value, 10)
        if tag == _FLOAT:
            lowered = value.lower()
            if lowered.endswith(("inf", "nan")):
                return float(lowered.replace(".", ""))
            return float(value)
        message = f"unsupported YAML tag {tag!r}; write plain text, numbers or true/false"
        self.fail(event.start_mark.line + 1, path if key is None else (*path, key), message)
        return None


def line(path: PathKey, root: yaml.Node | None) -> int | None:
    """The line of the deepest node on ``path`` (a mapping entry's line is its key's)."""
    if root is None:
        return None
    flattener = yaml.constructor.SafeConstructor()
    node, line = root, root.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            flattener.flatten_mapping(node)  # merged (<<) entries first, as the data has them
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
