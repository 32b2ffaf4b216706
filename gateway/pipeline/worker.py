"""Workers: claim a job, run its stage, and settle it: done, retried with backoff, or sent to review.

A worker never dies of a document. A stage's :class:`~.stages.Transient` failure (and a
store or archive hiccup) is retried with the job kind's backoff; :class:`~.stages.Permanent`
goes to review at once; an unexpected exception is logged with its traceback and retried
like a transient one, so a bug ends in review with its message, never in silence.
"""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import timedelta

from sqlalchemy import func, select

from ..store import ArchiveError, Job, StoreBusy, StoreError
from ..store.queue import claim, give_up, release_stale, retry_or_fail
from .context import Gateway
from .stages import HANDLERS, Permanent, Transient, to_review

log = logging.getLogger("edigw.worker")

#: A job left ``running`` this long is taken to belong to a dead worker (PostgreSQL). Jobs take
#: milliseconds, and a connector call times out after 30 s, so two minutes is generous.
LEASE = timedelta(minutes=2)


class Worker:
    """Runs jobs for a gateway, one at a time."""

    def __init__(self, gw: Gateway, *, kinds: tuple[str, ...] = ()) -> None:
        self.gw = gw
        self.kinds = kinds
        self.name = gw.actor

    def recover(self) -> int:
        """Give back jobs a dead worker left running (all of them on SQLite, which runs one worker; stale
        ones elsewhere), and remove the temporary files killed writers left behind."""
        lease = timedelta(0) if self.gw.store.is_sqlite else LEASE
        for part in (self.gw.archive, self.gw.connector, self.gw.test_connector, *self.gw.senders.values()):
            sweep = getattr(part, "sweep", None)
            if sweep is not None:
                try:
                    sweep()
                except OSError as exc:
                    log.warning("could not sweep temporary files of %s: %s", type(part).__name__, exc)
        return release_stale(self.gw.store, self.gw.clock(), lease)

    def run_one(self) -> bool:
        """Run one due job, and the jobs it hands on already claimed; False when none is due."""
        job = claim(self.gw.store, self.name, self.gw.clock(), self.kinds)
        if job is None:
            return False
        chain = [job]
        while chain:
            chain[:0] = self._run(chain.pop(0))
        self.gw.memo.clear()
        return True

    def _run(self, job: Job) -> list[Job]:
        handler = HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise Permanent(f"unknown job kind {job.kind!r}")
            return handler(self.gw, job) or []
        except Permanent as exc:
            self._settle(job, str(exc), exc.code, retry=False)
        except (Transient, StoreBusy, ArchiveError) as exc:
            log.warning("job %s (%s %s) failed, will retry: %s", job.id, job.kind, job.ref_id, exc)
            self._settle(job, str(exc), "job.failed", retry=True)
        except Exception as exc:  # a bug must not kill the worker: keep it, retry, end in review
            log.error("job %s (%s %s) raised:\n%s", job.id, job.kind, job.ref_id, traceback.format_exc())
            self._settle(job, f"internal error: {type(exc).__name__}: {exc}", "job.failed", retry=True)
        return []

    def _settle(self, job: Job, error: str, code: str, *, retry: bool) -> None:
        now = self.gw.clock()
        try:
            with self.gw.store.session() as s:
                if retry and retry_or_fail(s, job.id, error, now, self.gw.retry_policy(job.kind)):
                    return
                if not retry:
                    give_up(s, job.id, error, now)
                fresh = s.get(Job, job.id)
                to_review(s, self.gw, fresh or job, error, code, now)
        except StoreError as exc:  # the job stays running; recover() gives it back later
            log.error("could not record the failure of job %s: %s", job.id, exc)

    def drain(self, limit: int | None = None) -> int:
        """Run jobs until none is due now; returns how many ran."""
        ran = 0
        while (limit is None or ran < limit) and self.run_one():
            ran += 1
        return ran

    def run(self, stop: threading.Event, idle: float = 0.2) -> None:
        """Run until ``stop`` is set; the job in hand is finished first."""
        self.recover()
        last_recover = self.gw.clock()
        while not stop.is_set():
            try:
                if not self.run_one():
                    stop.wait(idle)
                if not self.gw.store.is_sqlite and self.gw.clock() - last_recover > LEASE / 4:
                    self.recover()
                    last_recover = self.gw.clock()
            except StoreError as exc:
                log.error("store unavailable: %s", exc)
                stop.wait(min(5.0, idle * 10))


def pending(gw: Gateway) -> dict[str, int]:
    """Jobs not yet done, per status (``queued``, ``running``)."""
    with gw.store.session() as s:
        rows = s.execute(
            select(Job.status, func.count()).where(Job.status.in_(("queued", "running"))).group_by(Job.status)
        )
        return {status: int(n) for status, n in rows}
