"""tripplan's per-user cache folder, and the one way anything is kept in it.

    cache_dir()                     $TRIPPLAN_CACHE_DIR if set, else the platform's cache folder
      feeds/<sha256 of URL>.cache   calendar feeds, revalidated with ETag / Last-Modified
      rates/<provider>.cache        each exchange-rate provider's last good table
      caldav/<key>.json             what was published to which collection (not an HTTP entry)
      templates/*.jinja             the sheets' templates compiled (Jinja2's own bytecode cache)
      zones/boundaries.json         the zone boundaries' answer for places' coordinates (a Memory)
      places/cities.json            GeoNames' coordinates for places named by city (a Memory)

``Cache(kind, root)`` is one of those folders. An entry is one file: a line of JSON (the format,
the URL the body came from without credentials, when it was fetched, the server's ``ETag`` and
``Last-Modified``), a newline, then the body as it was stored. Entries are written atomically
through ``_output.write_atomic``, so a reader sees the old entry or the new one, never half; an
entry that cannot be read, or is of another format, counts as none. Whether an entry is still
good (fresh for twelve hours, or revalidated with a conditional request) is the caller's call.

``Memory(name, release)`` is the other way: answers computed from data that ships with a package
(not fetched), remembered so that a cold command need not load that data again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, TypeVar

from ._output import write_atomic

__all__ = ["CACHE_ENV", "Cache", "Entry", "Memory", "cache_dir", "url_key"]

_log = logging.getLogger(__name__)

#: Environment variable naming tripplan's cache folder, on any platform.
CACHE_ENV: Final = "TRIPPLAN_CACHE_DIR"
#: The entry format; a file of any other is no entry (and is replaced on the next store).
FORMAT: Final = 1
SUFFIX: Final = ".cache"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_T = TypeVar("_T")


def cache_dir() -> Path:
    """tripplan's per-user cache folder: ``$TRIPPLAN_CACHE_DIR`` if set, else the platform's.

    The platform's comes from ``platformdirs``: ``$XDG_CACHE_HOME/tripplan`` (an absolute
    XDG_CACHE_HOME only, as the XDG spec says) else ``~/.cache/tripplan`` on Linux and other
    Unixes, ``~/Library/Caches/tripplan`` on macOS, ``%LOCALAPPDATA%\\tripplan\\Cache`` on
    Windows.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when the folder is needed: it reads the environment then

    return Path(platformdirs.user_cache_dir("tripplan", appauthor=False))


def url_key(url: str) -> str:
    """An entry name for ``url``: a hash of all of it, so a secret token in a URL (feeds have
    them) never shows in a file name, and two URLs never share an entry."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """What was kept: the body, where it came from (no credentials), when, and its validators."""

    url: str
    fetched_at: datetime
    content: bytes
    etag: str | None = None
    last_modified: str | None = None

    def __post_init__(self) -> None:
        if self.fetched_at.utcoffset() is None:
            raise ValueError(f"fetched_at must be timezone-aware, not {self.fetched_at!r}")

    @classmethod
    def from_answer(
        cls, url: str, headers: Mapping[str, str], content: bytes, fetched_at: datetime
    ) -> Entry:
        """An HTTP answer as an entry, keeping its ``ETag`` and ``Last-Modified`` if it sent any."""
        found = {name.lower(): value for name, value in headers.items()}
        return cls(url, fetched_at, content, found.get("etag"), found.get("last-modified"))

    @property
    def revalidatable(self) -> bool:
        """Whether a conditional request can ask the server if this body is still current."""
        return bool(self.etag or self.last_modified)

    def validators(self) -> dict[str, str]:
        """The headers of that conditional request: ``If-None-Match``, ``If-Modified-Since``."""
        sent: dict[str, str] = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent

    def to_bytes(self) -> bytes:
        head = {"format": FORMAT, "url": self.url, "fetched_at": self.fetched_at.isoformat()}
        if self.etag:
            head["etag"] = self.etag
        if self.last_modified:
            head["last_modified"] = self.last_modified
        return json.dumps(head).encode("ascii") + b"\n" + self.content

    @classmethod
    def from_bytes(cls, raw: bytes) -> Entry:
        """The entry ``to_bytes`` wrote; ``ValueError`` for anything else."""
        line, newline, content = raw.partition(b"\n")
        head = json.loads(line)
        if not newline or not isinstance(head, dict) or head.get("format") != FORMAT:
            raise ValueError("not a tripplan cache entry of this format")
        fields = {k: head.get(k) for k in ("url", "fetched_at", "etag", "last_modified")}
        if not all(isinstance(v, str) for v in fields.values() if v is not None):
            raise ValueError("a field is not a string")
        url, stamp = fields["url"], fields["fetched_at"]
        if not isinstance(url, str) or not isinstance(stamp, str):
            raise ValueError("no url or fetched_at")
        etag, modified = fields["etag"], fields["last_modified"]
        return cls(
            url,
            datetime.fromisoformat(stamp),
            content,
            etag if isinstance(etag, str) else None,
            modified if isinstance(modified, str) else None,
        )


class Cache:
    """The entries of one kind, in one folder: ``Cache("rates")`` is ``cache_dir() / "rates"``.

    ``root`` stands for ``cache_dir()`` (a test's temporary folder, a caller's own place).
    """

    def __init__(self, kind: str, root: str | os.PathLike[str] | None = None) -> None:
        self.folder = (cache_dir() if root is None else Path(root)) / kind

    def path(self, name: str) -> Path:
        """Where the entry ``name`` lives; a name is a plain file name (see ``url_key``)."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a cache entry name")
        return self.folder / f"{name}{SUFFIX}"

    def load(self, name: str) -> Entry | None:
        """The entry, or ``None`` if there is none or it cannot be read (that is logged)."""
        path = self.path(name)
        try:
            return Entry.from_bytes(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            _log.info("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def store(self, name: str, entry: Entry) -> Path:
        """Replace the entry atomically; an ``OSError`` (a full disk, no permission) is raised,
        and the old entry, if any, is still whole."""
        return write_atomic(self.path(name), entry.to_bytes())


class Memory:
    """Answers that depend only on their question and on one release of the data that gives them
    (a package's table), remembered in one JSON file of the cache folder, so that a cold command
    need not load that data to ask again.

    Questions are kept as SHA-256 hashes (the file does not say which places the user's trips
    name), and only the latest ``limit`` answers; an answer that fails ``valid`` is asked again.
    ``root`` stands for ``cache_dir()``, as for ``Cache``.
    A file of another release, or one that cannot be read or written, is no memory at all:
    without a ``release``, nothing is read or kept."""

    def __init__(
        self,
        name: str,
        release: str,
        *,
        root: str | os.PathLike[str] | None = None,
        limit: int = 2_000,
    ) -> None:
        self.path = (cache_dir() if root is None else Path(root)) / name
        self.release = release
        self.limit = limit
        self.changed = False
        self.known: dict[str, object] = {}
        if not release:
            return
        try:
            kept = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return
        if isinstance(kept, dict) and kept.get("data") == release:
            answers = kept.get("answers")
            if isinstance(answers, dict):
                self.known = {k: v for k, v in answers.items() if len(k) == 64}

    def answer(self, question: str, find: Callable[[], _T], valid: Callable[[object], bool]) -> _T:
        """The remembered answer to ``question``, else ``find()`` (then remembered)."""
        key = hashlib.sha256(question.encode("utf-8")).hexdigest()
        if key in self.known:
            kept = self.known[key]
            if valid(kept):
                return kept  # type: ignore[return-value]  # what valid() accepts
        found = find()
        self.known[key] = found
        self.changed = True
        return found

    def save(self) -> None:
        """Keep what was learnt (atomically; a folder that cannot be written keeps nothing)."""
        if not self.changed or not self.release:
            return
        latest = dict(list(self.known.items())[-self.limit :])  # the file stays small
        with contextlib.suppress(OSError):
            write_atomic(self.path, json.dumps({"data": self.release, "answers": latest}).encode())
        self.changed = False
