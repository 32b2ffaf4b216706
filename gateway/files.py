"""Durable file writes shared by the adapters: temporary file, fsync, rename (or link), fsync the folder.

Every temporary file starts with :data:`TEMP_PREFIX`, so a writer killed half-way leaves
something :func:`sweep_temp` can recognise and remove later; readers (the folder transport,
a partner's pickup) skip dot-files. Where the system allows it (Linux ``O_TMPFILE``),
:func:`write_new` writes an unnamed file instead and links it in once it is whole and fsynced:
nothing to name, remove or sweep, and a killed writer leaves nothing behind. Errors are left to
the caller, which knows what they mean.
"""

from __future__ import annotations

import ctypes
import errno
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import cast

TEMP_PREFIX = ".edigw-tmp-"
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})
#: Unnamed files need ``O_TMPFILE`` and /proc, to give one a name (``linkat`` following /proc/self/fd/N).
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_UNNAMED = bool(_O_TMPFILE) and os.path.isdir("/proc/self/fd")
#: A file system (or kernel) without unnamed files says so with one of these; the named way is used then.
_NO_TMPFILE = frozenset({errno.EOPNOTSUPP, errno.ENOTSUP, errno.EISDIR, errno.EINVAL})
_NO_UNNAMED_LINK = _NO_LINKS | {errno.EXDEV}


def _syncfs_function() -> Callable[[int], int] | None:
    """libc's ``syncfs`` (Linux): one call makes everything written to a file system durable."""
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast(Callable[[int], int], function)


_SYNCFS = _syncfs_function() if _UNNAMED else None


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


def write_new(target: Path, data: bytes, *, mode: int | None = None, sync_dir: bool = True) -> bool:
    """Create ``target`` with ``data`` unless it exists (a hard link never overwrites); False when it did.

    With ``sync_dir=False`` the caller fsyncs the folder itself (once for many files) before it
    relies on the new name being durable.
    """
    created = _link_unnamed(target, data, mode, sync_dir) if _UNNAMED else None
    if created is None:
        created = _link_named(target, data, mode)
        if created and sync_dir:
            fsync_dir(target.parent)
    return created


def _link_unnamed(target: Path, data: bytes, mode: int | None, sync_dir: bool) -> bool | None:
    """:func:`write_new` through an unnamed file (``O_TMPFILE``); None where the file system cannot."""
    folder = _open_folder(target.parent)
    try:
        try:
            fd = os.open(".", _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666, dir_fd=folder)
        except OSError as exc:
            if exc.errno in _NO_TMPFILE:
                return None
            raise
        try:
            _write_all(fd, data)
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
            _name_unnamed(fd, folder, target.name)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno in _NO_UNNAMED_LINK:
                return None
            raise
        finally:
            os.close(fd)
        if sync_dir:
            os.fsync(folder)
        return True
    finally:
        os.close(folder)


def _open_folder(folder: Path) -> int:
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _name_unnamed(fd: int, folder: int, name: str) -> None:
    """Give the unnamed file ``fd`` the ``name`` in ``folder`` (a descriptor); FileExistsError when it is taken."""
    # With a folder descriptor os.link is linkat(..., AT_SYMLINK_FOLLOW): the file, not /proc's symlink.
    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _link_named(target: Path, data: bytes, mode: int | None) -> bool:
    """:func:`write_new` through a named temporary file, where unnamed ones are not available."""
    temp = write_temp(target.parent, data, mode=mode)
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


class NewFiles:
    """Many new files made durable together: cheaper than :func:`write_new` for each, with the same promise.

    :meth:`add` writes each file's bytes to an unnamed file (``O_TMPFILE``); :meth:`commit` makes all their
    bytes durable with one ``syncfs``, then gives each its name (a hard link, which never overwrites), then
    makes the names durable with a second ``syncfs``. A name therefore never shows a partial file, and a
    crash before :meth:`commit` leaves nothing behind. Where unnamed files or ``syncfs`` are not available,
    :meth:`add` returns False and the caller writes that file with :func:`write_new`.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[int, Path]] = []

    def add(self, target: Path, data: bytes) -> bool:
        """Write ``data`` for ``target`` (named on :meth:`commit`); False when this system cannot."""
        if _SYNCFS is None:
            return False
        try:
            fd = os.open(target.parent, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            if exc.errno in _NO_TMPFILE:
                return False
            raise
        try:
            _write_all(fd, data)
        except BaseException:
            os.close(fd)
            raise
        self._pending.append((fd, target))
        return True

    def commit(self) -> list[Path]:
        """Name every file added, durably; returns the targets that existed already (left as they were)."""
        if not self._pending:
            return []
        try:
            _syncfs(self._pending[0][0])
            existed: list[Path] = []
            folders: dict[Path, int] = {}
            try:
                for fd, target in self._pending:
                    if target.parent not in folders:
                        folders[target.parent] = _open_folder(target.parent)
                    try:
                        _name_unnamed(fd, folders[target.parent], target.name)
                    except FileExistsError:
                        existed.append(target)
            finally:
                for folder in folders.values():
                    os.close(folder)
            _syncfs(self._pending[0][0])
            return existed
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Forget the files not named yet: they disappear with their descriptors."""
        pending, self._pending = self._pending, []
        for fd, _ in pending:
            os.close(fd)


def _syncfs(fd: int) -> None:
    assert _SYNCFS is not None
    if _SYNCFS(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
