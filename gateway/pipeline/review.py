"""Sending documents round again after a person fixed the cause (a crosswalk row, a map, a partner profile).

:func:`reprocess` puts documents in ``review`` (or ``held``) back to ``accepted`` and queues
their interchanges for translation; the earlier findings stay in the record, and an audit
event says who asked. Posting stays exactly-once: a document already posted under the same
business key is found as a duplicate, never written twice.
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
