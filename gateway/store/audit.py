"""The audit trail: every state change is an event, hash-chained to the one before.

Code that changes state calls :func:`audit` inside its session. The events are chained when
the session commits: the chain's head row is locked (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serializes writers), each event's hash is
``sha256(previous hash + its canonical JSON)``, and the head moves. So the chain is one
line even with several workers, and :func:`verify_chain` finds the first event whose hash
does not follow.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
_PENDING = "edigw.audit.pending"


def audit(session: Session, *, actor: str, entity: str, action: str, at: datetime, **detail: Any) -> None:
    """Record that ``actor`` did ``action`` to ``entity`` at ``at``; chained when ``session`` commits."""
    session.info.setdefault(_PENDING, []).append((at, actor, entity, action, detail))


def event_hash(prev: str, at: datetime, actor: str, entity: str, action: str, detail: dict[str, Any]) -> str:
    body = json.dumps(
        {"at": at.isoformat(), "actor": actor, "entity": entity, "action": action, "detail": detail},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev + body).encode()).hexdigest()


_HEAD = cast(Table, AuditHead.__table__)
_LOCK_HEAD = select(_HEAD.c.hash, _HEAD.c.count).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"), count=bindparam("new_count"))
_APPEND = sa_insert(cast(Table, AuditEvent.__table__))


@event.listens_for(Session, "before_commit")
def _chain(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    head = session.execute(_LOCK_HEAD).first()
    if head is None:
        # The first writers race to create the head: the loser's insert waits for the winner, then does nothing.
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(AuditHead).values(id=1, hash=GENESIS, count=0).on_conflict_do_nothing())
        head = session.execute(_LOCK_HEAD).one()
    prev, count = head
    rows = []
    for at, actor, entity, action, detail in pending:
        if not _plain(detail):
            detail = json.loads(json.dumps(detail, default=str))  # what the JSON column will give back
        if at.tzinfo is not None:
            at = at.astimezone(UTC)  # what the UTC column gives back (a naive time is refused by the column)
        h = event_hash(prev, at, actor, entity, action, detail)
        rows.append(
            {
                "at": at,
                "actor": actor,
                "entity": entity,
                "action": action,
                "detail": detail,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
    # Core statements on the tables, built once: one multi-row insert and one update per commit, no ORM bookkeeping.
    session.execute(_APPEND, rows)
    session.execute(_MOVE_HEAD, {"new_hash": prev, "new_count": count + len(rows)})


def _plain(value: Any) -> bool:
    """Whether ``value`` is already what the JSON column gives back: strings, whole numbers, booleans
    and None, in lists and string-keyed dicts (exact types, no subclasses or floats), so no round trip."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def timeline(session: Session, entities: list[str]) -> list[AuditEvent]:
    """The events about any of ``entities``, oldest first."""
    if not entities:
        return []
    rows = session.execute(select(AuditEvent).where(AuditEvent.entity.in_(entities)).order_by(AuditEvent.id))
    return list(rows.scalars())


def verify_chain(session: Session, batch: int = 5000) -> Iterator[tuple[int, str | None]]:
    """Walk the chain: yields (event id, None) per good event and (event id, problem) at the first break."""
    prev = GENESIS
    last = 0
    while True:
        rows = list(
            session.execute(
                select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
            ).scalars()
        )
        if not rows:
            break
        for ev in rows:
            if ev.prev_hash != prev:
                yield ev.id, f"audit event {ev.id} does not follow event {last}: the chain was cut or reordered"
                return
            if event_hash(prev, ev.at, ev.actor, ev.entity, ev.action, ev.detail) != ev.hash:
                yield ev.id, f"audit event {ev.id} ({ev.action} {ev.entity}) was altered: its hash does not match"
                return
            prev = ev.hash
            last = ev.id
            yield ev.id, None
    head = session.get(AuditHead, 1)
    if head is not None and head.hash != prev:
        yield last, f"the chain ends at event {last}, but its head says otherwise: events after it were removed"
