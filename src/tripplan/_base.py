"""The base of every model of the trip format: what all of them share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Model", "Text"]


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
    )


Text = Annotated[str, Field(min_length=1)]
