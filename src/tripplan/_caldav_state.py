"""What a CalDAV publish remembers, and the lock that makes publishes to one collection take turns.

One state file per collection URL and trip (``<key>.json`` in the state folder): for each UID
the resource's path, the ETag the server gave it and ``content_hash`` of what was sent. It is
written atomically (``_output.write_atomic``), also when a publish stops half-way.

A publish holds ``<key>.lock`` beside it (``filelock``: an OS lock, released when the process
ends however it ends) from reading the state to writing it back, so two publishes of one trip
to one collection, from threads or processes, run one after the other and the second sees what
the first did; a publish waits at most ``LOCK_TIMEOUT`` seconds for its turn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from filelock import FileLock, Timeout

from ._exceptions import CalDAVError
from ._output import write_atomic

__all__ = ["LOCK_TIMEOUT", "Published", "StateFile"]

#: Seconds a publish waits for another publish of the same trip to the same collection.
LOCK_TIMEOUT: Final = 120.0
_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Published:
    """One resource as the last publish left it."""

    href: str  # the resource's path on the server
    etag: str
    hash: str  # content_hash of what was sent


class StateFile:
    """The state of one trip in one collection: ``load``, ``save``, and ``locked`` around both."""

    def __init__(self, folder: Path, url: str, trip_id: str, shown: str) -> None:
        key = hashlib.sha256(f"{url}\n{trip_id}".encode()).hexdigest()[:24]
        self.path = folder / f"{key}.json"
        self.lock_path = folder / f"{key}.lock"
        self.trip_id, self.shown = trip_id, shown

    @contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock of this trip's state in this collection for the block, waiting at most
        ``timeout`` seconds (``LOCK_TIMEOUT``) for another publish to release it."""
        timeout = LOCK_TIMEOUT if timeout is None else timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CalDAVError(
                self.shown,
                f"the publish state folder {self.path.parent} cannot be made: "
                f"{exc.strerror or type(exc).__name__}",
            ) from None
        lock = FileLock(self.lock_path, timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise CalDAVError(
                self.shown,
                f"another publish of this trip to this collection still holds {self.lock_path} "
                f"after {timeout:g} s; try again when it has finished",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def load(self) -> dict[str, Published] | None:
        """The recorded resources by UID; ``None`` when there is no state file (nothing was
        published from here, or the file was removed)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CalDAVError(
                self.shown,
                f"the publish state {self.path} cannot be read: {exc.strerror or exc}",
            ) from None
        try:
            data = json.loads(raw)
            return {
                str(uid): Published(str(e["href"]), str(e["etag"]), str(e["hash"]))
                for uid, e in data["resources"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CalDAVError(
                self.shown,
                f"the publish state {self.path} cannot be read; remove it and publish again",
            ) from None

    def save(self, resources: Mapping[str, Published]) -> None:
        data: dict[str, Any] = {
            "version": _VERSION,
            "collection": self.shown,
            "trip": self.trip_id,
            "resources": {
                uid: {"href": p.href, "etag": p.etag, "hash": p.hash}
                for uid, p in sorted(resources.items())
            },
        }
        write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
