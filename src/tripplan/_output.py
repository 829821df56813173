"""Writing outputs atomically: a reader sees the old file or the whole new one, never half.

A new file gets ``0666 & ~umask`` like any tool's; a file that replaces one keeps its mode. An
error names the file the user asked for, never the temporary one beside it.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_atomic", "write_outputs"]


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, flush it, then rename it into place."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; name a file to write", str(target))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never follow or reuse what is there; 0o666 lets the umask decide, as for any
        # file a tool creates.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        if target.is_file():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(target)) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def write_outputs(
    directory: str | os.PathLike[str], files: Mapping[str, str | bytes]
) -> list[Path]:
    """Write several rendered outputs (all rendered before the first is written) into a folder."""
    return [write_atomic(Path(directory) / name, data) for name, data in files.items()]
