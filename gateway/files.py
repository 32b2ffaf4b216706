"""Durable file writes shared by the adapters: temporary file, fsync, rename (or link), fsync the folder.

Every temporary file starts with :data:`TEMP_PREFIX`, so a writer killed half-way leaves
something :func:`sweep_temp` can recognise and remove later; readers (the folder transport,
a partner's pickup) skip dot-files. Errors are left to the caller, which knows what they mean.
"""

from __future__ import annotations

import errno
import os
import time
import uuid
from pathlib import Path

TEMP_PREFIX = ".edigw-tmp-"
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(folder: Path, data: bytes, *, mode: int | None = None) -> Path:
    """``data`` in a new temporary file in ``folder``, flushed and fsynced; the caller moves it into place."""
    temp = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    try:
        with temp.open("xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temp, mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_atomic(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``target`` with ``data`` in one step: readers see the old file or the whole new one."""
    temp = write_temp(target.parent, data, mode=mode)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_new(target: Path, data: bytes, *, sync_dir: bool = True) -> bool:
    """Create ``target`` with ``data`` unless it exists (a hard link never overwrites); False when it did.

    With ``sync_dir=False`` the caller fsyncs the folder itself (once for many files) before it
    relies on the new name being durable.
    """
    temp = write_temp(target.parent, data)
    try:
        try:
            os.link(temp, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if target.exists():  # no hard links on this file system: a checked rename, with a narrow race
                return False
            os.replace(temp, target)
        if sync_dir:
            fsync_dir(target.parent)
        return True
    finally:
        temp.unlink(missing_ok=True)


def sweep_temp(root: Path, *, older_than: float = 3600.0) -> list[Path]:
    """Remove temporary files left under ``root`` by killed writers, once they are ``older_than`` seconds."""
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than
    removed = []
    for path in root.rglob(f"{TEMP_PREFIX}*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone already, or not ours to remove: the next sweep looks again
    return removed
