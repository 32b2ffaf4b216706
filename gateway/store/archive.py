"""The archive: every payload received or sent, as raw bytes, content-addressed by sha256 and written once.

A payload lives at ``<root>/<h[0:2]>/<h[2:4]>/<h>``. It is written to a temporary (or
unnamed) file in the same folder, made read-only, fsynced, linked into place, and the folder
is fsynced: a crash leaves either the whole payload or nothing. Writing the same bytes again
is a no-op. :meth:`Archive.verify` re-reads a payload and compares its hash.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..files import sweep_temp, write_new


class ArchiveError(Exception):
    """A payload could not be written or read (disk full, permissions, missing file)."""


class Archive:
    """Payloads under ``root``, by sha256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ArchiveError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, payload: bytes) -> str:
        """Store ``payload`` (once) and return its sha256."""
        digest = hashlib.sha256(payload).hexdigest()
        final = self.path(digest)
        if final.exists():
            return digest
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            write_new(final, payload, mode=0o444)  # False when a racing writer put the same bytes first
        except OSError as exc:
            raise ArchiveError(f"could not archive payload {digest[:12]}: {exc.strerror or exc}") from exc
        return digest

    def read(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except OSError as exc:
            raise ArchiveError(f"payload {sha256[:12]} is not readable in {self.root}: {exc.strerror or exc}") from exc

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def verify(self, sha256: str) -> str | None:
        """None when the payload is there and hashes to its name; otherwise what is wrong."""
        path = self.path(sha256)
        if not path.is_file():
            return f"payload {sha256} is missing ({path})"
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != sha256:
            return f"payload {sha256} was altered: its bytes now hash to {h.hexdigest()} ({path})"
        return None

    def sweep(self, older_than: float = 3600.0) -> int:
        """Remove what killed writers left half-written; returns how many files."""
        return len(sweep_temp(self.root, older_than=older_than))

    def remove(self, sha256: str) -> bool:
        """Delete a payload (retention only). True when it was there."""
        path = self.path(sha256)
        try:
            os.chmod(path, 0o644)
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ArchiveError(f"could not remove payload {sha256[:12]}: {exc.strerror or exc}") from exc
        return True
