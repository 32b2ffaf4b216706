"""Receiving: poll a transport, take each claim through intake, and only then let the transport acknowledge it.

A claim is accepted (the file removed, the MDN sent) after intake has committed, and
released (put back for a later poll) when intake failed. Items the transport refused (over
the size limit) are logged and recorded as findings-free audit events, never dropped silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..store import ArchiveError, StoreError, audit
from ..transports import Receiver, Rejected, TransportError
from .context import Gateway
from .intake import Intaken, intake

log = logging.getLogger("edigw.receive")


@dataclass(slots=True)
class Received:
    """What one poll did."""

    intaken: list[Intaken] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # names put back after a failed intake
    rejected: list[Rejected] = field(default_factory=list)


def receive(gw: Gateway, receiver: Receiver) -> Received:
    """Poll ``receiver`` once and take everything it holds through intake."""
    out = Received()
    try:
        claims = receiver.poll()
    except TransportError as exc:
        log.error("%s: polling failed: %s", receiver.name, exc)
        claims = []
    for claim in claims:
        try:
            done = intake(gw, claim.inbound)
        except (StoreError, ArchiveError) as exc:
            log.error("%s: intake of %s failed, left for a later poll: %s", receiver.name, claim.inbound.name, exc)
            claim.release()
            out.released.append(claim.inbound.name)
            continue
        claim.accept()
        out.intaken.append(done)
    for item in receiver.take_rejected():
        log.warning(
            "%s: refused %s (%d bytes): %s; kept at %s", item.transport, item.name, item.size, item.reason, item.path
        )
        out.rejected.append(item)
        try:
            with gw.store.session() as s:
                audit(
                    s,
                    actor=f"transport:{item.transport}",
                    entity=f"file:{item.name}"[:64],
                    action="refused",
                    at=gw.clock(),
                    reason=item.reason,
                    size=item.size,
                    kept_at=item.path,
                    partner_hint=item.partner_hint,
                )
        except StoreError as exc:
            log.error("could not record the refusal of %s: %s", item.name, exc)
    return out
