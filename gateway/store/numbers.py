"""Outbound control numbers: ISA13, GS06, ST02 and UNB/UNH references, per partner and usage.

A number is taken inside the session that queues the message that carries it, so it is
committed with that message: a crash before the commit gives the same number again to a
message that was never sent, and one after it never gives it twice. The counter rolls over
from 999999999 to 1.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import ControlNumber

LIMIT = 999_999_999


def allocate(session: Session, partner: str, usage: str, kind: str) -> int:
    """The next control number of ``kind`` (``interchange``, ``group``, ``transaction``)."""
    lock_row = (
        select(ControlNumber)
        .where(ControlNumber.partner == partner, ControlNumber.usage == usage, ControlNumber.kind == kind)
        .with_for_update()
    )
    row = session.execute(lock_row).scalar_one_or_none()
    if row is None:
        # Two first allocations race to create the counter: the loser's insert waits for the winner, then does nothing.
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        new = insert(ControlNumber).values(partner=partner, usage=usage, kind=kind, next_value=1)
        session.execute(new.on_conflict_do_nothing())
        row = session.execute(lock_row).scalar_one()
    value = row.next_value
    row.next_value = 1 if value >= LIMIT else value + 1
    session.flush()
    return value
