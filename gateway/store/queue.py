"""The job queue, in the same database as the state.

A state change and the job it creates are added in one session, so they commit together.
A worker claims a job in a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers never take the same job; SQLite runs one worker), runs it,
and marks it done in the transaction that holds the job's own changes. A failure is retried
with exponential backoff and jitter up to the kind's limit; after that the job is
``failed`` and the caller sends the document to review. A job left ``running`` by a killed
worker is given back after its lease (at once, on SQLite, when the single worker starts).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from .db import Store
from .models import Job


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a kind of job is tried and how long to wait between tries."""

    max_attempts: int = 5
    base_seconds: float = 2.0
    cap_seconds: float = 600.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Exponential backoff with "equal jitter": between half and all of base * 2^(n-1), capped."""
        full = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=full / 2 + (rng or random).uniform(0, full / 2))


def enqueue(
    session: Session,
    kind: str,
    ref_id: int,
    *,
    now: datetime,
    policy: RetryPolicy,
    delay: float = 0.0,
    claimed_by: str | None = None,
) -> Job:
    """Add a job to ``session``. ``claimed_by`` creates it already claimed by that worker, which runs it
    next without a claim of its own (a worker that dies first leaves it ``running``, given back later)."""
    job = Job(
        kind=kind,
        ref_id=ref_id,
        status="queued" if claimed_by is None else "running",
        attempts=0 if claimed_by is None else 1,
        max_attempts=policy.max_attempts,
        run_after=now + timedelta(seconds=delay),
        locked_by=claimed_by or "",
        locked_at=None if claimed_by is None else now,
        created_at=now,
    )
    session.add(job)
    if claimed_by is not None:
        session.flush()  # its id, for the worker that runs it next
    return job


def claim(store: Store, worker: str, now: datetime, kinds: tuple[str, ...] = ()) -> Job | None:
    """Take the next due job for ``worker`` (committed as ``running``), or None when nothing is due."""
    with store.session() as s:
        taken = s.execute(_claim_statement(kinds, store.skip_locked), {"now": now, "worker": worker}).first()
        if taken is None:
            return None
        return Job(
            id=taken.id,
            kind=taken.kind,
            ref_id=taken.ref_id,
            status="running",
            attempts=taken.attempts,
            max_attempts=taken.max_attempts,
            run_after=taken.run_after,
            locked_by=worker,
            locked_at=now,
            created_at=taken.created_at,
        )


@functools.cache
def _claim_statement(kinds: tuple[str, ...], skip_locked: bool) -> Any:
    """Take the due job and say so in one statement (UPDATE ... WHERE id = (due) RETURNING ...).

    Built once per worker configuration and run as a Core statement on the table: a claim starts every job.
    """
    jobs = cast(Table, Job.__table__)
    now = bindparam("now", type_=jobs.c.run_after.type)
    due = select(jobs.c.id).where(jobs.c.status == "queued", jobs.c.run_after <= now)
    if kinds:
        due = due.where(jobs.c.kind.in_(kinds))
    due = due.order_by(jobs.c.run_after, jobs.c.id).limit(1)
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (
        update(jobs)
        .where(jobs.c.id == due.scalar_subquery())
        .values(status="running", attempts=jobs.c.attempts + 1, locked_by=bindparam("worker"), locked_at=now)
        .returning(
            jobs.c.id,
            jobs.c.kind,
            jobs.c.ref_id,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.run_after,
            jobs.c.created_at,
        )
    )


_JOBS = cast(Table, Job.__table__)
#: Built once and run as a Core statement: a job ends in every stage's transaction, a hot path.
_FINISH = (
    update(_JOBS)
    .where(_JOBS.c.id == bindparam("job_id"))
    .values(status="done", finished_at=bindparam("now", type_=_JOBS.c.finished_at.type), locked_by="")
)


def finish(session: Session, job_id: int, now: datetime) -> None:
    session.execute(_FINISH, {"job_id": job_id, "now": now})


def retry_or_fail(session: Session, job_id: int, error: str, now: datetime, policy: RetryPolicy) -> bool:
    """After a failed run: True when it will be tried again, False when it is spent (now ``failed``)."""
    job = session.get(Job, job_id)
    if job is None:
        return False
    job.last_error = error[:4000]
    job.locked_by = ""
    if job.attempts >= job.max_attempts:
        job.status = "failed"
        job.finished_at = now
        return False
    job.status = "queued"
    job.run_after = now + policy.delay(job.attempts)
    return True


def give_up(session: Session, job_id: int, error: str, now: datetime) -> None:
    """A permanent failure: no retry."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status="failed", finished_at=now, last_error=error[:4000], locked_by="")
    )


def release_stale(store: Store, now: datetime, lease: timedelta) -> int:
    """Give back jobs left ``running`` longer than ``lease`` (their worker died); returns how many."""
    with store.session() as s:
        result = s.execute(
            update(Job)
            .where(Job.status == "running", Job.locked_at <= now - lease)
            .values(status="queued", locked_by="", run_after=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def depth(session: Session) -> dict[str, int]:
    """Jobs per status."""
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {status: int(n) for status, n in rows}
