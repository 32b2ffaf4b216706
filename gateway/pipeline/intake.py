"""Intake: archive the bytes and record the interchange, committed before the sender hears "accepted".

The payload goes into the archive (fsynced) first; then one database transaction records
the interchange, its audit event and the ``process`` job. Only after that commit may the
transport acknowledge the sender (delete the file, send the MDN). A receipt already
recorded under the same transport and message id (a re-delivery after a crash between our
commit and the transport's acknowledgement) is recognised and not recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..store import Interchange, audit
from ..store.queue import enqueue
from ..transports import Inbound
from .context import Gateway


@dataclass(frozen=True, slots=True)
class Intaken:
    """What intake did: the interchange's id, and whether it was already there."""

    interchange_id: int
    sha256: str
    again: bool = False


def intake(gw: Gateway, inbound: Inbound) -> Intaken:
    """Archive and record ``inbound``; returns once it is committed."""
    with gw.store.session() as s:
        known = s.execute(
            select(Interchange.id, Interchange.sha256).where(
                Interchange.direction == "in",
                Interchange.transport == inbound.transport,
                Interchange.message_id == inbound.message_id,
                Interchange.position == 1,
            )
        ).first()
    if known is not None:
        return Intaken(known[0], known[1], again=True)
    digest = gw.archive.put(inbound.payload)
    now = gw.clock()
    with gw.store.session() as s:
        ic = Interchange(
            direction="in",
            partner=inbound.partner_hint,
            transport=inbound.transport,
            message_id=inbound.message_id,
            file_name=inbound.name[:255],
            sha256=digest,
            size=len(inbound.payload),
            status="received",
            created_at=now,
            updated_at=now,
        )
        s.add(ic)
        s.flush()
        audit(
            s,
            actor=f"transport:{inbound.transport}",
            entity=f"interchange:{ic.id}",
            action="received",
            at=now,
            sha256=digest,
            size=len(inbound.payload),
            name=inbound.name,
            message_id=inbound.message_id,
            partner_hint=inbound.partner_hint,
        )
        enqueue(s, "process", ic.id, now=now, policy=gw.retry_policy("process"))
        return Intaken(ic.id, digest)
