"""The transport interface: what a transport hands to intake, and how it is told the outcome.

A :class:`Receiver` is polled for :class:`Claim` objects. Each claim holds one received item
(:class:`Inbound`) until intake has committed it: then intake calls :meth:`Claim.accept` and the
item is removed for good, or :meth:`Claim.release` and it is put back to be read again later.
An item that a crash leaves claimed comes back with the same ``message_id``, so intake can
recognise the re-delivery. Items a receiver will not take (over its size limit) are never
dropped silently: they are moved aside and reported by :meth:`Receiver.take_rejected`.

A :class:`Sender` writes one payload for a partner under a plain file name; sending the same
name with the same bytes again is a no-op.

The error tree::

    TransportError      anything a transport cannot do; ``transient`` says whether to retry
    ├── Refused         the request itself is wrong (an unsafe file or partner name, a claim
    │                   used after it was settled): never transient
    └── TooLarge        a payload over the transport's size limit: never transient

Adapters raise these, never ``OSError`` or a library's own exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received item, with the context intake records beside its bytes."""

    payload: bytes
    transport: str  # "folder", "memory"
    message_id: str  # unique per receipt; for the folder transport the claim id, stable across a crash
    name: str  # the original file (or message) name
    partner_hint: str | None  # e.g. the per-partner inbox subfolder it arrived in


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item a receiver would not take. It is kept (``path``), never deleted."""

    transport: str
    name: str
    partner_hint: str | None
    size: int
    reason: str
    path: str  # where the item now lies, for a person to look at


class Claim(Protocol):
    """One received item, held until intake has committed it."""

    inbound: Inbound

    def accept(self) -> None:
        """Intake has committed: remove the item for good. Calling it again does nothing."""
        ...

    def release(self) -> None:
        """Intake failed: put the item back so that it is read again later."""
        ...


class Receiver(Protocol):
    """The inbound half of a transport."""

    name: str

    def poll(self) -> list[Claim]:
        """Claim what is ready now. Never blocks for long."""
        ...

    def take_rejected(self) -> list[Rejected]:
        """The items refused since the last call (each is reported once), for the caller to log."""
        ...


class Sender(Protocol):
    """The outbound half of a transport."""

    name: str

    def send(self, partner: str, filename: str, payload: bytes) -> str:
        """Deliver ``payload`` to ``partner`` as ``filename``; returns a reference (e.g. the path written).

        Idempotent for the same file name and bytes.
        """
        ...


class TransportError(Exception):
    """A transport could not do what it was asked. ``transient`` failures are worth retrying."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class Refused(TransportError):
    """The request itself is wrong (an unsafe name, a claim used after it was settled)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)


class TooLarge(TransportError):
    """A payload over the transport's size limit."""

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message, transient=False)
        self.size = size
        self.limit = limit


_PARTNER = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
_UNSAFE_IN_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def check_partner_name(partner: str) -> str:
    """``partner`` if it is safe as a folder name (letters, digits, ``- _ .``, no dot first); else :class:`Refused`."""
    if not _PARTNER.fullmatch(partner):
        raise Refused(f"partner name {partner!r} is not usable as a folder name (letters, digits, - _ . only)")
    return partner


def check_file_name(filename: str) -> str:
    """``filename`` if it is a plain name (no separators, no dot first, no controls); else :class:`Refused`."""
    if (
        not filename
        or filename.startswith(".")  # also "." and "..", and never one of our own temporary files
        or _UNSAFE_IN_FILENAME.search(filename)
        or len(filename.encode("utf-8", "surrogateescape")) > 200
        or Path(filename).name != filename
    ):
        raise Refused(f"file name {filename!r} is not a plain, safe file name")
    return filename
