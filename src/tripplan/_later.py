"""Functions of a module imported when first called, for the command: each subcommand pays for
the modules it runs (``build`` never loads mail, CalDAV or the importers).

A module that defers one imports it under ``TYPE_CHECKING`` as well, so type checkers, the
import contract and the cycle test see the dependency as if it were imported at the top::

    if TYPE_CHECKING:
        from . import _mail
    else:
        _mail = later("tripplan._mail")

Only functions are deferred: every attribute of the stand-in is a function that imports the
module and calls the real one.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["Later", "later"]


class Later:
    """A stand-in for a module whose functions are called through it: imported on the first
    call, not before (``later("tripplan._mail").invitation_mail(...)``)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"

    def __getattr__(self, attribute: str) -> Callable[..., Any]:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _deferred(self._name, attribute)


@functools.cache
def _deferred(module: str, attribute: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), attribute)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attribute
    call.__module__ = module
    return call


def later(name: str) -> Later:
    """The module ``name`` (absolute), imported when one of its functions is first called."""
    return Later(name)
