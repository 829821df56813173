"""Writing a set of outputs into a folder, whole or not at all.

``build`` writes a calendar, invitations, sheets and reports that belong together: a reader (or a
crash) must never see the new calendar beside the old sheets. The whole new folder is staged
beside the target (``.NAME.tripplan-stage-*``), every file flushed to disk, and then switched
into place with one atomic exchange of the two folders (Linux ``renameat2(RENAME_EXCHANGE)``;
elsewhere two renames, with recovery on the next run). What the previous build wrote and this one
does not is gone; files somebody else put into the folder are carried over. A lock file beside
the folder makes two builds into one folder run one after the other, and a run that finds the
leftovers of a killed one removes them.

Files are created ``0666 & ~umask`` like any tool's; a file that replaces one of the same name
keeps that file's mode.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from filelock import FileLock

from ._exceptions import OptionError

__all__ = ["MANIFEST", "write_folder"]

#: The list of files tripplan wrote into a folder, kept in the folder itself.
MANIFEST = ".tripplan-manifest.json"
_STAGE, _OLD = "tripplan-stage-", "tripplan-old-"
_RENAME_EXCHANGE = 2


def write_folder(directory: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[Path]:
    """Make ``directory`` hold exactly ``files`` (relative path -> bytes) besides what others
    put there, switching from the old set to the new one at once; returns the paths written.

    A folder that exists, is not empty and was not written by tripplan is refused
    (``OptionError``): it may hold someone's work."""
    target = Path(directory)
    names = [_relative(name) for name in files]
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    target = parent / target.resolve().name
    with FileLock(parent / f".{target.name}.tripplan.lock"):
        _recover(target)
        previous = _manifest(target)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_STAGE}", dir=parent))
        try:
            _chmod_like(stage, target if target.is_dir() else None, default=0o777)
            for name, path in zip(files, names, strict=True):
                _write_file(stage / path, files[name], target / path)
            _carry_over(target, stage, previous | {MANIFEST}, set(names))
            _write_file(
                stage / MANIFEST,
                json.dumps(sorted(str(n) for n in names), indent=1).encode(),
                target / MANIFEST,
            )
            _fsync_dir(stage)
            _switch(stage, target)
        except OSError as error:  # name the user's folder, not the staging one
            shutil.rmtree(stage, ignore_errors=True)
            raise OSError(error.errno, error.strerror, str(target)) from error
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        shutil.rmtree(stage, ignore_errors=True)  # the old folder, after the exchange
        _fsync_dir(parent)
    return [target / name for name in names]


def _relative(name: str) -> Path:
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name == MANIFEST:
        raise ValueError(f"not a relative output name: {name!r}")
    return path


def _manifest(target: Path) -> set[str]:
    """What the previous build wrote; refuses a folder of someone else's files."""
    if not target.exists():
        return set()
    if not target.is_dir():
        raise OptionError(f"{target} is a file, not a folder; choose a folder for the outputs")
    try:
        listed = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if any(target.iterdir()):
            raise OptionError(
                f"{target} is not empty and was not written by tripplan; choose a new or empty "
                "folder, so that nothing in it is replaced"
            ) from None
        return set()
    except (OSError, ValueError):
        return set()
    return {str(name) for name in listed if isinstance(name, str)}


def _write_file(path: Path, data: bytes, replaced: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    _chmod_like(path, replaced if replaced.is_file() else None)


def _chmod_like(path: Path, original: Path | None, default: int | None = None) -> None:
    if original is not None:
        os.chmod(path, original.stat().st_mode & 0o7777)
    elif default is not None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, default & ~umask)


def _carry_over(target: Path, stage: Path, ours: set[str], new: set[Path]) -> None:
    """Files in the old folder that tripplan did not write stay (hard links, else copies)."""
    if not target.is_dir():
        return
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target)
        if (path.is_dir() and not path.is_symlink()) or str(relative) in ours or relative in new:
            continue
        destination = stage / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination, follow_symlinks=False)
        except OSError:
            shutil.copy2(path, destination, follow_symlinks=False)


def _switch(stage: Path, target: Path) -> None:
    """Put ``stage`` where ``target`` is; afterwards ``stage`` holds the old folder (if any)."""
    if not target.exists():
        os.rename(stage, target)
        return
    if _exchange(stage, target):
        return
    old = stage.with_name(stage.name.replace(_STAGE, _OLD))
    os.rename(target, old)
    os.rename(stage, target)
    os.rename(old, stage)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _recover(target: Path) -> None:
    """Undo what a killed run left: a folder moved aside and not put back, stages, old folders."""
    parent = target.parent
    leftovers = sorted(parent.glob(f".{target.name}.{_OLD}*")) + sorted(
        parent.glob(f".{target.name}.{_STAGE}*")
    )
    for leftover in leftovers:
        if not target.exists() and _OLD in leftover.name:
            os.rename(leftover, target)  # the two-rename switch died between its renames
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
