"""The in-memory transport, a real transport for tests: items put in are polled out as claims.

It keeps the books a test wants to look at: which message ids were ``accepted`` and
``released``, and every payload ``sent``. :meth:`MemoryTransport.restart` stands for a crash:
every claim still held comes back on the next poll with the same ``message_id``, as the folder
transport's ``.claimed/`` recovery does. :meth:`MemoryTransport.fail_next_send` makes the next
send raise, to exercise retries.
"""

from __future__ import annotations

import uuid
from collections import deque

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


class MemoryClaim:
    """One polled item, held by the :class:`MemoryTransport` until accepted or released."""

    def __init__(self, transport: MemoryTransport, inbound: Inbound) -> None:
        self.inbound = inbound
        self._transport = transport
        self._state = "held"

    def accept(self) -> None:
        if self._state == "accepted":
            return
        if self._state != "held":
            raise Refused(f"claim {self.inbound.message_id} was {self._state}; it cannot be accepted")
        self._state = "accepted"
        self._transport._settle(self)
        self._transport.accepted.append(self.inbound.message_id)

    def release(self) -> None:
        if self._state == "released":
            return
        if self._state != "held":
            raise Refused(f"claim {self.inbound.message_id} was {self._state}; it cannot be released")
        self._state = "released"
        self._transport._settle(self)
        self._transport.released.append(self.inbound.message_id)
        # Put back as a fresh receipt, the way a released file is claimed again under a new id.
        self._transport.put(self.inbound.payload, name=self.inbound.name, partner_hint=self.inbound.partner_hint)

    def _forget(self) -> None:
        self._state = "lost"


class MemoryTransport:
    """Receiver and sender in memory."""

    def __init__(self, *, name: str = "memory", max_bytes: int | None = None) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self.accepted: list[str] = []
        self.released: list[str] = []
        self.sent: dict[tuple[str, str], bytes] = {}
        self._pending: deque[Inbound] = deque()
        self._held: dict[str, MemoryClaim] = {}
        self._rejected: list[Rejected] = []
        self._failures: deque[TransportError] = deque()

    def put(self, payload: bytes, *, name: str = "message", partner_hint: str | None = None) -> str:
        """Make ``payload`` ready for the next poll; returns its message id (or ``""`` if rejected)."""
        if self.max_bytes is not None and len(payload) > self.max_bytes:
            reason = f"{len(payload)} bytes is over the memory transport's limit of {self.max_bytes} bytes"
            self._rejected.append(Rejected(self.name, name, partner_hint, len(payload), reason, f"memory:{name}"))
            return ""
        message_id = uuid.uuid4().hex
        self._pending.append(Inbound(payload, self.name, message_id, name, partner_hint))
        return message_id

    def poll(self) -> list[Claim]:
        claims: list[Claim] = []
        while self._pending:
            claim = MemoryClaim(self, self._pending.popleft())
            self._held[claim.inbound.message_id] = claim
            claims.append(claim)
        return claims

    def take_rejected(self) -> list[Rejected]:
        rejected, self._rejected = self._rejected, []
        return rejected

    @property
    def held(self) -> list[str]:
        """Message ids polled but neither accepted nor released."""
        return list(self._held)

    def restart(self) -> None:
        """Forget the held claims as a crash would; their items come back with the same message ids."""
        for claim in self._held.values():
            claim._forget()
            self._pending.append(claim.inbound)
        self._held.clear()

    def _settle(self, claim: MemoryClaim) -> None:
        self._held.pop(claim.inbound.message_id, None)

    def fail_next_send(self, error: TransportError) -> None:
        """Make the next :meth:`send` raise ``error`` (queued: call again for several failures)."""
        self._failures.append(error)

    def send(self, partner: str, filename: str, payload: bytes) -> str:
        check_partner_name(partner)
        check_file_name(filename)
        if self.max_bytes is not None and len(payload) > self.max_bytes:
            raise TooLarge(
                f"{len(payload)} bytes is over the memory transport's limit", size=len(payload), limit=self.max_bytes
            )
        if self._failures:
            raise self._failures.popleft()
        self.sent[(partner, filename)] = payload
        return f"memory:{partner}/{filename}"
