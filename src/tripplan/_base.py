"""The base of every model of the trip format: what all of them share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, NoReturn

from pydantic import BaseModel, ConfigDict, StringConstraints, WithJsonSchema

__all__ = ["Model", "Text", "share_fields_set"]


class Model(BaseModel):
    """Unknown fields are errors; values are immutable; a model given where another is expected
    is validated again in its new context (an item moved into another trip meets that trip's
    people and places), so a trip built in code is checked exactly like a file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        revalidate_instances="always",
        defer_build=True,
    )


#: One line of text: no line break, no other control character, no bidirectional override — so
#: a value can never become a second line (a property, a header, a heading) in what tripplan
#: writes, or display in another order than it is stored. Written so that Python, the Rust regex
#: engine pydantic validates with, and JSON Schema's ECMA 262 read it alike.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
#: Text of several lines (notes): line breaks and tabs, but no other control character.
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]*$"

# Free text takes a number too (``seat: 12``, ``title: 2027``): the model reads it as its text,
# and the JSON Schema says so.
Line = Annotated[
    str,
    StringConstraints(pattern=SINGLE_LINE),
    WithJsonSchema({"type": ["string", "number"], "pattern": SINGLE_LINE}),
]
Text = Annotated[
    str,
    StringConstraints(min_length=1, pattern=SINGLE_LINE),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "minLength": 1,
            "pattern": SINGLE_LINE,
            "not": {"type": "string", "pattern": r"^\s*$"},  # blanks are stripped: nothing left
        }
    ),
]
Paragraphs = Annotated[
    str,
    StringConstraints(pattern=MULTI_LINE),
    WithJsonSchema({"type": ["string", "number"], "pattern": MULTI_LINE}),
]


class _SharedFieldsSet(set[str]):
    """The names of the fields a model was given, shared by every model given the same ones.

    Pydantic keeps one set per model instance (``model_fields_set``); for a trip of 100,000
    items, those sets alone take about 70 MB. The models are frozen, so nothing adds to the set;
    this one refuses changes, and a copy (``model_copy``) is a plain set again."""

    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[type[set[str]], tuple[list[str]]]:
        return set, (list(self),)

    def _frozen(self, *_args: Any) -> NoReturn:
        raise TypeError("the fields set of a trip model is shared and cannot change")

    add = discard = remove = pop = clear = update = _frozen
    intersection_update = difference_update = symmetric_difference_update = _frozen
    __ior__ = __iand__ = __isub__ = __ixor__ = _frozen


_shared: dict[tuple[str, ...], _SharedFieldsSet] = {}


def share_fields_set(model: BaseModel) -> None:
    """Give ``model`` the shared set of the names of the fields it was given (see above): for
    the item validators of large trips."""
    names: Iterable[str] = model.__pydantic_fields_set__
    key = tuple(names)  # the same fields given in the same order: one key
    shared = _shared.get(key)
    if shared is None:
        shared = _shared[key] = _SharedFieldsSet(key)
    object.__setattr__(model, "__pydantic_fields_set__", shared)
