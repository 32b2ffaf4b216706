"""Outbound control numbers: ISA13, GS06, ST02 and UNB/UNH references, per partner and usage.

A number is taken inside the session that queues the message that carries it, so it is
committed with that message: a crash before the commit gives the same number again to a
message that was never sent, and one after it never gives it twice. The counter rolls over
from 999999999 to 1.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import ControlNumber

LIMIT = 999_999_999


def _step(insert: Any) -> Any:
    """The statement that takes a number, for a dialect's ``insert`` (with ``ON CONFLICT``)."""
    table = cast(Table, ControlNumber.__table__)
    first = insert(table).values(
        partner=bindparam("partner"), usage=bindparam("usage"), kind=bindparam("kind"), next_value=2
    )
    return first.on_conflict_do_update(
        index_elements=["partner", "usage", "kind"],
        set_={"next_value": case((table.c.next_value >= LIMIT, 1), else_=table.c.next_value + 1)},
    ).returning(table.c.next_value)


#: Built once per dialect and run as a Core statement: a number is taken for every ack queued.
_STEP = {"postgresql": _step(pg_insert), "sqlite": _step(sqlite_insert)}


def allocate(session: Session, partner: str, usage: str, kind: str) -> int:
    """The next control number of ``kind`` (``interchange``, ``group``, ``transaction``).

    One statement takes it: an insert of the counter (the first number is 1, so 2 comes next)
    that, when the counter exists, steps it instead, rolling over from 999999999 to 1. The row
    stays locked until the session ends, so two sessions never take the same number.
    """
    step = _STEP["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    following = int(session.execute(step, {"partner": partner, "usage": usage, "kind": kind}).scalar_one())
    return LIMIT if following == 1 else following - 1
