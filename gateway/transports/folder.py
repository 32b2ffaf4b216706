"""The folder transport: a local (or mounted) inbox to read from and an outbox to write to.

Layout::

    inbox/<file>                     received, no partner hint
    inbox/<partner>/<file>           received, partner_hint = <partner>
    inbox/.claimed/[<partner>/]<claim-id>--<file>   claimed, held until intake commits
    inbox/.rejected/[<partner>/]<file>  (+ <file>.reason.txt)   refused, kept for a person
    outbox/<partner>/<file>          sent

Reading:

- Names starting with ``.`` and names with a temporary suffix (``.tmp``, ``.part``, ``.partial``,
  ``.filepart``, ``.crdownload``, ``~``) are never read: a writer uploads under such a name and
  renames when done. As a second guard a file is claimed only after its size, mtime and inode
  have stayed the same across polls for ``settle_seconds`` of the injected clock.
- Claiming is one atomic ``os.rename`` into ``.claimed/``; the claim id (uuid4 hex) is the
  ``message_id``. Of several processes polling one inbox only one wins the rename.
- Anything in ``.claimed/`` that this process does not hold (left by a crash, or by a read that
  failed) is claimed again with the id in its name, so intake recognises the re-delivery. This
  assumes one live receiver per inbox: a second process would re-deliver the first one's claims.
- A file over ``max_bytes`` (checked with ``stat``, and reading never takes more than
  ``max_bytes + 1``) is moved to ``.rejected/`` with a reason file and reported by
  :meth:`FolderTransport.take_rejected`.
- Moves that must not overwrite (release, reject) use ``link`` + ``unlink``: a crash in between
  can leave the item twice (intake detects the duplicate), never lose it.

Sending writes a dot-prefixed temporary file in the partner's outbox folder, fsyncs it, renames
it over the target and fsyncs the folder.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..files import fsync_dir, sweep_temp, write_atomic
from .base import (
    Claim,
    Inbound,
    Refused,
    Rejected,
    TooLarge,
    TransportError,
    check_file_name,
    check_partner_name,
)

log = logging.getLogger(__name__)

MiB = 1024 * 1024
TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", "~")
CLAIMED = ".claimed"
REJECTED = ".rejected"
_CLAIMED_NAME = re.compile(r"([0-9a-f]{32})--(.+)", re.DOTALL)

# Errors a person must fix (permissions, a read-only mount, a bad name); anything else may pass.
_PERMANENT_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EINVAL}
)


def _error(action: str, exc: OSError) -> TransportError:
    reason = exc.strerror or type(exc).__name__
    return TransportError(f"folder transport: {action}: {reason}", transient=exc.errno not in _PERMANENT_ERRNOS)


def is_ignored(name: str) -> bool:
    """True for names never read: hidden files and files still being written (temporary suffixes)."""
    return name.startswith(".") or name.lower().endswith(TEMP_SUFFIXES)


@dataclass(frozen=True, slots=True)
class _Seen:
    signature: tuple[int, int, int]  # size, mtime_ns, inode
    since: float  # clock time at which this signature was first seen


class FolderClaim:
    """A file renamed into ``inbox/.claimed/``, held until :meth:`accept` or :meth:`release`."""

    def __init__(self, transport: FolderTransport, inbound: Inbound, held: Path, origin: Path) -> None:
        self.inbound = inbound
        self._transport = transport
        self._held = held
        self._origin = origin
        self._state = "held"

    def accept(self) -> None:
        if self._state == "accepted":
            return
        if self._state == "released":
            raise Refused(f"claim {self.inbound.message_id} was released; it cannot be accepted")
        try:
            self._held.unlink(missing_ok=True)
            fsync_dir(self._held.parent)
        except OSError as exc:
            raise _error(f"cannot remove claimed file {self.inbound.name!r}", exc) from exc
        self._state = "accepted"
        self._transport._held.discard(self._held)

    def release(self) -> None:
        if self._state == "released":
            return
        if self._state == "accepted":
            raise Refused(f"claim {self.inbound.message_id} was accepted; it cannot be released")
        try:
            self._origin.parent.mkdir(exist_ok=True)
            _move_no_clobber(self._held, self._origin)
        except OSError as exc:
            # Still in .claimed/ and no longer held: the next poll re-delivers it with the same id,
            # which is what releasing asks for.
            log.warning(
                "folder transport: cannot put back %s (%s); it is re-delivered", self.inbound.name, exc.strerror
            )
        self._state = "released"
        self._transport._held.discard(self._held)


class FolderTransport:
    """Receives from ``inbox/`` and sends to ``outbox/<partner>/`` (both folders must exist)."""

    def __init__(
        self,
        inbox: Path,
        outbox: Path,
        *,
        max_bytes: int = 50 * MiB,
        settle_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        name: str = "folder",
    ) -> None:
        self.name = name
        self.inbox = Path(inbox)
        self.outbox = Path(outbox)
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds
        self._clock = clock
        self._seen: dict[Path, _Seen] = {}
        self._held: set[Path] = set()
        self._rejected: list[Rejected] = []

    # -- receiving ---------------------------------------------------------------------------

    def poll(self) -> list[Claim]:
        """Claim every settled file, and re-claim anything in ``.claimed/`` this process does not hold."""
        claims: list[Claim] = list(self._recover())
        now = self._clock()
        seen: dict[Path, _Seen] = {}
        for path, hint in self._candidates():
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # taken by another process, or renamed by its writer
            except OSError as exc:
                log.warning("folder transport: cannot stat %s: %s", path.name, exc.strerror)
                continue
            if not stat.S_ISREG(st.st_mode):
                continue  # symlinks, fifos: never followed, never read
            signature = (st.st_size, st.st_mtime_ns, st.st_ino)
            before = self._seen.get(path)
            if before is None or before.signature != signature:
                seen[path] = _Seen(signature, now)
                continue
            if now - before.since < self.settle_seconds:
                seen[path] = before
                continue
            if st.st_size > self.max_bytes:
                self._reject(path, hint, st.st_size, self._too_large(st.st_size))
                continue
            claim = self._claim(path, hint)
            if claim is not None:
                claims.append(claim)
        self._seen = seen
        return claims

    def take_rejected(self) -> list[Rejected]:
        rejected, self._rejected = self._rejected, []
        return rejected

    def _too_large(self, size: int) -> str:
        return f"{size} bytes is over the folder transport's limit of {self.max_bytes} bytes"

    def _candidates(self) -> Iterator[tuple[Path, str | None]]:
        try:
            entries = sorted(os.scandir(self.inbox), key=lambda e: e.name)
        except OSError as exc:
            raise _error(f"cannot list the inbox {str(self.inbox)!r}", exc) from exc
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                try:
                    hint = check_partner_name(entry.name)
                except Refused:
                    log.warning("folder transport: inbox subfolder %r is not a partner name; skipped", entry.name)
                    continue
                try:
                    inner = sorted(os.scandir(entry.path), key=lambda e: e.name)
                except OSError as exc:
                    log.warning("folder transport: cannot list %s: %s", entry.name, exc.strerror)
                    continue
                for item in inner:
                    if not is_ignored(item.name):
                        yield Path(item.path), hint
            elif not is_ignored(entry.name):
                yield Path(entry.path), None

    def _claim(self, path: Path, hint: str | None) -> FolderClaim | None:
        claim_id = uuid.uuid4().hex
        held = self.inbox / CLAIMED / (hint or "") / f"{claim_id}--{path.name}"
        try:
            held.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, held)
        except FileNotFoundError:
            return None  # another receiver won the rename
        except OSError as exc:
            log.warning("folder transport: cannot claim %s: %s", path.name, exc.strerror)
            return None
        return self._read_claimed(held, claim_id, path.name, hint)

    def _recover(self) -> Iterator[FolderClaim]:
        root = self.inbox / CLAIMED
        if not root.is_dir():
            return
        try:
            entries: list[tuple[Path, str | None]] = [(p, None) for p in root.iterdir() if not p.is_dir()]
            for folder in root.iterdir():
                if folder.is_dir() and not folder.name.startswith("."):
                    entries += [(p, folder.name) for p in folder.iterdir()]
        except OSError as exc:
            raise _error("cannot list claimed files", exc) from exc
        for held, hint in sorted(entries):
            if held in self._held or held.name.startswith("."):
                continue
            match = _CLAIMED_NAME.fullmatch(held.name)
            if match is None:
                try:
                    size = held.lstat().st_size
                except OSError:
                    continue
                self._reject(held, hint, size, "a file in .claimed/ without a claim id in its name")
                continue
            claim = self._read_claimed(held, match[1], match[2], hint)
            if claim is not None:
                yield claim

    def _read_claimed(self, held: Path, claim_id: str, name: str, hint: str | None) -> FolderClaim | None:
        origin = self.inbox / (hint or "") / name
        try:
            with held.open("rb") as f:
                payload = f.read(self.max_bytes + 1)
        except OSError as exc:
            # Left in .claimed/: the next poll tries again with the same claim id.
            log.warning("folder transport: cannot read claimed %s: %s", name, exc.strerror)
            return None
        if len(payload) > self.max_bytes:
            size = max(len(payload), held.stat().st_size)
            self._reject(held, hint, size, self._too_large(size), name=name)
            return None
        self._held.add(held)
        inbound = Inbound(payload, transport=self.name, message_id=claim_id, name=name, partner_hint=hint)
        return FolderClaim(self, inbound, held, origin)

    def _reject(self, path: Path, hint: str | None, size: int, reason: str, *, name: str | None = None) -> None:
        name = name or path.name
        target_dir = self.inbox / REJECTED / (hint or "")
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
            target = _move_no_clobber(path, target_dir / name, reserve_suffix=".reason.txt")
            write_atomic(target.with_name(target.name + ".reason.txt"), f"{reason}\n".encode())
        except OSError as exc:
            log.warning("folder transport: cannot move %s aside: %s", name, exc.strerror)
            return  # still in place: tried again, and reported, on a later poll
        log.warning("folder transport: rejected %s: %s", name, reason)
        self._rejected.append(Rejected(self.name, name, hint, size, reason, str(target)))

    # -- sending -----------------------------------------------------------------------------

    def sweep(self, older_than: float = 3600.0) -> int:
        """Remove temporary files a killed writer left in the outbox; returns how many."""
        return len(sweep_temp(self.outbox, older_than=older_than))

    def send(self, partner: str, filename: str, payload: bytes) -> str:
        """Write ``outbox/<partner>/<filename>`` atomically; the same name and bytes again is a no-op."""
        check_partner_name(partner)
        check_file_name(filename)
        if len(payload) > self.max_bytes:
            raise TooLarge(self._too_large(len(payload)), size=len(payload), limit=self.max_bytes)
        folder = self.outbox / partner
        target = folder / filename
        try:
            folder.mkdir(exist_ok=True)
            if _same_bytes(target, payload):
                return str(target)
            write_atomic(target, payload)
        except OSError as exc:
            raise _error(f"cannot write {filename!r} for {partner}", exc) from exc
        return str(target)


def _same_bytes(path: Path, payload: bytes) -> bool:
    try:
        if path.stat().st_size != len(payload):
            return False
        return path.read_bytes() == payload
    except FileNotFoundError:
        return False


def _move_no_clobber(source: Path, target: Path, *, reserve_suffix: str = "") -> Path:
    """Move ``source`` to ``target``, or to ``<stem>.<n><suffix>`` beside it when the name is taken."""
    stem, suffix = _split_name(target.name)
    for n in range(10_000):
        candidate = target if n == 0 else target.with_name(f"{stem}.{n}{suffix}")
        if reserve_suffix and candidate.with_name(candidate.name + reserve_suffix).exists():
            continue
        try:
            os.link(source, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # No hard links on this file system: a checked rename (a narrow race, documented).
            if candidate.exists():
                continue
            os.rename(source, candidate)
            fsync_dir(candidate.parent)
            return candidate
        source.unlink()
        fsync_dir(candidate.parent)
        if source.parent != candidate.parent:
            fsync_dir(source.parent)
        return candidate
    raise FileExistsError(errno.EEXIST, "no free name", str(target))


def _split_name(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    return (name, "") if dot <= 0 else (name[:dot], name[dot:])
