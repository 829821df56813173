"""Pausing the cyclic garbage collector while building large, acyclic object trees."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Loading a trip or building its calendar makes many small objects and frees none of them;
    the collector would only rescan them again and again (a third of the time of a large trip).
    Nothing built here forms reference cycles, so nothing is left for it to collect."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
