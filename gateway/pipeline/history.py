"""The archive's faces as services: search, the whole story of one interchange, verification, retention.

* :func:`search` finds interchanges by partner, direction, dates, set, control number,
  business number or status.
* :func:`story` gathers one interchange's raw payload, findings, transactions with their
  documents and ERP references, the acks sent, and its audit timeline.
* :func:`verify` walks the audit chain and re-hashes every archived payload, and reports
  the first break of the chain and every altered or missing payload.
* :func:`prune` removes payloads older than the retention period (the default keeps
  everything); the records and audit events stay, and a ``pruned`` event says why the bytes
  are gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from ..store import Archive, ArchiveError, AuditEvent, Finding, Interchange, Store, Transaction, audit, timeline
from ..store.audit import verify_chain


@dataclass(frozen=True, slots=True)
class Query:
    """What to look for; every field is optional."""

    partner: str | None = None
    direction: str | None = None  # in | out
    since: datetime | None = None
    until: datetime | None = None
    set_id: str | None = None
    control_number: str | None = None  # interchange, group or transaction
    business_number: str | None = None
    status: str | None = None  # of the interchange or any of its transactions
    limit: int = 50


@dataclass(slots=True)
class Hit:
    interchange: Interchange
    transactions: list[Transaction]


def search(store: Store, q: Query) -> list[Hit]:
    """Interchanges matching ``q``, newest first, each with its transactions."""
    with store.session() as s:
        stmt = (
            select(Interchange.id)
            .distinct()
            .select_from(Interchange)
            .outerjoin(Transaction, Transaction.interchange_id == Interchange.id)
        )
        if q.partner:
            stmt = stmt.where(Interchange.partner == q.partner)
        if q.direction:
            stmt = stmt.where(Interchange.direction == q.direction)
        if q.since:
            stmt = stmt.where(Interchange.created_at >= q.since)
        if q.until:
            stmt = stmt.where(Interchange.created_at < q.until)
        if q.set_id:
            stmt = stmt.where(or_(Transaction.set_id == q.set_id, Interchange.kind == q.set_id))
        if q.control_number:
            c = q.control_number
            stmt = stmt.where(
                or_(Interchange.control_number == c, Transaction.control_number == c, Transaction.group_control == c)
            )
        if q.business_number:
            stmt = stmt.where(Transaction.business_number == q.business_number)
        if q.status:
            stmt = stmt.where(or_(Interchange.status == q.status, Transaction.status == q.status))
        ids = [i for (i,) in s.execute(stmt.order_by(Interchange.id.desc()).limit(q.limit))]
        if not ids:
            return []
        ics = {ic.id: ic for ic in s.execute(select(Interchange).where(Interchange.id.in_(ids))).scalars()}
        txns: dict[int, list[Transaction]] = {i: [] for i in ids}
        for t in s.execute(
            select(Transaction).where(Transaction.interchange_id.in_(ids)).order_by(Transaction.position)
        ).scalars():
            txns[t.interchange_id].append(t)
        return [Hit(ics[i], txns[i]) for i in ids]


@dataclass(slots=True)
class Story:
    """Everything known about one interchange."""

    interchange: Interchange
    payload: bytes | None
    payload_problem: str | None
    transactions: list[Transaction]
    findings: list[Finding]
    acks: list[Interchange]
    events: list[AuditEvent]
    subject: Interchange | None = None  # for an outbound ack: what it answers


def story(store: Store, archive: Archive, interchange_id: int) -> Story | None:
    """The whole story of one interchange; None when there is no such interchange."""
    with store.session() as s:
        ic = s.get(Interchange, interchange_id)
        if ic is None:
            return None
        txns = list(
            s.execute(
                select(Transaction).where(Transaction.interchange_id == ic.id).order_by(Transaction.position)
            ).scalars()
        )
        findings = list(
            s.execute(select(Finding).where(Finding.interchange_id == ic.id).order_by(Finding.id)).scalars()
        )
        acks = list(
            s.execute(select(Interchange).where(Interchange.acknowledges == ic.id).order_by(Interchange.id)).scalars()
        )
        subject = s.get(Interchange, ic.acknowledges) if ic.acknowledges else None
        entities = [f"interchange:{ic.id}", *(f"transaction:{t.id}" for t in txns)]
        events = timeline(s, entities)
    payload: bytes | None = None
    problem = archive.verify(ic.sha256)
    if problem is None:
        try:
            payload = archive.read(ic.sha256)
        except ArchiveError as exc:
            problem = str(exc)
    return Story(ic, payload, problem, txns, findings, acks, events, subject)


@dataclass(slots=True)
class Verification:
    """What :func:`verify` found."""

    events: int = 0
    payloads: int = 0
    chain_break: str | None = None
    payload_problems: list[str] = field(default_factory=list)
    pruned: int = 0

    @property
    def ok(self) -> bool:
        return self.chain_break is None and not self.payload_problems


Progress = Callable[[int, int], None]  # (done, total)


def verify(store: Store, archive: Archive, progress: Progress | None = None) -> Verification:
    """Walk the audit chain and every archived payload."""
    out = Verification()
    with store.session() as s:
        total_events = s.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0
        digests = [d for (d,) in s.execute(select(Interchange.sha256).distinct().order_by(Interchange.sha256))]
        pruned = {
            str(ev.detail.get("sha256"))
            for ev in s.execute(select(AuditEvent).where(AuditEvent.action == "pruned")).scalars()
        }
        total = total_events + len(digests)
        for _event, problem in verify_chain(s):
            if problem is not None:
                out.chain_break = problem
                break
            out.events += 1
            if progress and out.events % 500 == 0:
                progress(out.events, total)
    for digest in digests:
        if digest in pruned:
            out.pruned += 1
            continue
        problem = archive.verify(digest)
        if problem is not None:
            out.payload_problems.append(problem)
        out.payloads += 1
        if progress:
            progress(out.events + out.payloads + out.pruned, total)
    return out


def prune(store: Store, archive: Archive, days: int | None, now: datetime, actor: str = "retention") -> int:
    """Remove payloads whose every interchange is older than ``days``; None keeps everything."""
    if days is None:
        return 0
    cutoff = now - timedelta(days=days)
    removed = 0
    with store.session() as s:
        newest = (
            select(Interchange.sha256, func.max(Interchange.created_at).label("newest"), func.min(Interchange.id))
            .group_by(Interchange.sha256)
            .subquery()
        )
        rows = s.execute(select(newest).where(newest.c.newest < cutoff)).all()
        for digest, _newest, first_id in rows:
            if archive.remove(digest):
                removed += 1
                audit(
                    s,
                    actor=actor,
                    entity=f"interchange:{first_id}",
                    action="pruned",
                    at=now,
                    sha256=digest,
                    retention_days=days,
                )
    return removed
