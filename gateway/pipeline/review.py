"""What a person does with a document in review: send it round again, or close it.

:func:`reprocess` puts documents in ``review`` (or ``held``) back to ``accepted`` and queues
their interchanges for translation, after a person fixed the cause (a crosswalk row, a map, a
partner profile); the earlier findings stay in the record, and an audit event says who asked.
Posting stays exactly-once: a document already posted under the same business key is found as a
duplicate, never written twice.

:func:`resolve` closes documents that need nothing more from the gateway: a supplier's proposal
decided in Odoo, an invoice the supplier will replace. They become ``resolved``, with the
person's note in the audit trail; nothing is posted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select

from ..store import Transaction, audit
from ..store.queue import enqueue
from .context import Gateway

REPROCESSABLE = ("review", "held")


def reprocess(
    gw: Gateway,
    *,
    ids: Sequence[int] = (),
    partner: str | None = None,
    status: str = "review",
    actor: str = "cli",
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Queue the matching documents for translation again; returns their ids."""
    if status not in REPROCESSABLE:
        raise ValueError(f"only documents in {' or '.join(REPROCESSABLE)} can be reprocessed, not {status!r}")
    now = gw.clock()
    done: list[int] = []
    with gw.store.session() as s:
        q = select(Transaction).where(Transaction.status == status)
        if ids:
            q = q.where(Transaction.id.in_(ids))
        if partner:
            q = q.where(Transaction.partner == partner)
        rows = list(s.execute(q.order_by(Transaction.id)).scalars())
        interchanges: set[int] = set()
        for n, row in enumerate(rows, start=1):
            row.status = "accepted"
            row.updated_at = now
            audit(s, actor=actor, entity=f"transaction:{row.id}", action="reprocess", at=now, was=status)
            interchanges.add(row.interchange_id)
            done.append(row.id)
            if progress:
                progress(n, len(rows))
        for ic_id in sorted(interchanges):
            enqueue(s, "translate", ic_id, now=now, policy=gw.retry_policy("translate"))
    return done


def resolve(gw: Gateway, ids: Sequence[int], *, note: str, actor: str = "cli") -> list[int]:
    """Close the documents ``ids`` that are in review (or held) with ``note``; returns those closed."""
    note = note.strip()
    if not note:
        raise ValueError("say why the documents need nothing more (a note), for whoever reads their history")
    now = gw.clock()
    done: list[int] = []
    with gw.store.session() as s:
        rows = s.execute(
            select(Transaction)
            .where(Transaction.id.in_(list(ids)), Transaction.status.in_(REPROCESSABLE))
            .order_by(Transaction.id)
        ).scalars()
        for row in rows:
            audit(s, actor=actor, entity=f"transaction:{row.id}", action="resolved", at=now, was=row.status, note=note)
            row.status = "resolved"
            row.updated_at = now
            done.append(row.id)
    return done
