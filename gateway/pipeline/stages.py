"""The stages, each a job handler: process, translate, post, deliver; and what happens when one gives up.

* **process** (an interchange): check the envelope and every transaction, identify the
  partner, detect a duplicate interchange, record transactions and findings, and queue the
  acks for delivery, all in one database transaction.
* **translate** (an interchange): the partner's map turns each accepted transaction into a
  document; the crosswalk rules check it; test traffic and business duplicates are stopped
  here; what may be posted becomes ``ready`` with a ``post`` job.
* **post** (a transaction): the connector writes the document, keyed by its business
  identity; the posting is recorded under a unique key, so it happens once.
* **deliver** (an outbound interchange): the transport sends it.

A stage raises :class:`Transient` for what a retry may cure and :class:`Permanent` for what
it cannot; :func:`to_review` is where a spent or permanent failure ends: the document (or
interchange) is marked for a person, with a finding that says why.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session, defer

from ..connectors import BusinessKey, Connector, ConnectorError, DocType, Posted
from ..documents import document_class
from ..edi.check import AckPolicy, Numbers, check, is_duplicate
from ..edi.findings import Finding as EdiFinding
from ..edi.findings import finding
from ..edi.results import InterchangeResult, Status
from ..mapping.service import Outcome, translate_file
from ..partners import Partner, ack_policy
from ..partners.registry import PartnerDirectory
from ..partners.rules import check_document
from ..store import Finding, Interchange, Job, Posting, Transaction, allocate, audit
from ..store.queue import enqueue, finish
from ..transports import TransportError
from .context import Gateway

#: Canonical document class → the document type in business keys and the store.
DOC_TYPES: dict[str, DocType] = {
    "PurchaseOrder": "purchase_order",
    "OrderAck": "order_ack",
    "ShipNotice": "ship_notice",
    "Invoice": "invoice",
}
DOC_CLASSES: dict[str, str] = {v: k for k, v in DOC_TYPES.items()}
NUMBER_FIELDS = {
    "PurchaseOrder": "po_number",
    "OrderAck": "po_number",
    "ShipNotice": "asn_number",
    "Invoice": "invoice_number",
}
UNKNOWN_PARTNER = "_unknown"


class Transient(Exception):
    """A failure worth retrying (the ERP or a disk is unavailable)."""


class Permanent(Exception):
    """A failure no retry will cure: the subject goes to review at once."""

    def __init__(self, message: str, code: str = "job.failed") -> None:
        super().__init__(message)
        self.code = code


def _finding_row(f: EdiFinding, ic_id: int, stage: str, now: datetime, txn_id: int | None = None) -> Finding:
    where = {k: v for k, v in f.to_dict().items() if k not in ("code", "severity", "message")}
    return Finding(
        interchange_id=ic_id,
        transaction_id=txn_id,
        stage=stage,
        code=f.code,
        severity=str(f.severity),
        message=f.message,
        location=where or None,
        created_at=now,
    )


def usage_of(code: str) -> str:
    """``T`` for test traffic (ISA15 T, UNB 0035 1), ``P`` otherwise."""
    return "T" if code.strip() in ("T", "1") else "P"


# ---------------------------------------------------------------------------------------------- process


class _Directory(PartnerDirectory):
    """The partner directory, with each sender's acks numbered from the store, per partner and usage."""

    def __init__(self, gw: Gateway, session: Session) -> None:
        super().__init__(gw.partners)
        self.session = session
        self.allocated: list[int] = []  # interchange numbers taken, in the order the acks were built

    def policy_for(self, standard: str, sender: tuple[str, str], usage: str = "") -> AckPolicy:
        partner = self.registry.find_by_envelope(standard, sender[0] or None, sender[1])
        name = partner.name if partner else UNKNOWN_PARTNER
        return replace(ack_policy(partner), numbers=self.numbers(name, usage_of(usage)))

    def numbers(self, partner: str, usage: str) -> Numbers:
        def take(kind: str) -> int:
            value = allocate(self.session, partner, usage, kind)
            if kind == "interchange":
                self.allocated.append(value)
            return value

        return take


#: An interchange received before with this sender and control number: built once, run per interchange.
_RECEIVED_BEFORE = (
    select(Interchange.id)
    .where(
        Interchange.direction == "in",
        Interchange.sender == bindparam("sender"),
        Interchange.control_number == bindparam("control"),
        Interchange.status.not_in(("received", "failed")),
    )
    .limit(1)
)


class _Seen:
    """Interchanges received before, from the store, and those seen earlier in this payload."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.local: set[tuple[str, str]] = set()

    def __contains__(self, key: object) -> bool:
        if key in self.local:
            return True
        sender, control = cast(tuple[str, str], key)
        if not control:
            return False
        return self.session.execute(_RECEIVED_BEFORE, {"sender": sender, "control": control}).first() is not None

    def add(self, key: tuple[str, str]) -> None:
        self.local.add(key)


def process(gw: Gateway, job: Job) -> list[Job]:
    now = gw.clock()
    chained: list[Job] = []
    with gw.store.session() as s:
        ic = s.get(Interchange, job.ref_id)
        if ic is None or ic.status != "received":
            finish(s, job.id, now)
            return []
        payload = gw.archive.read(ic.sha256)
        directory = _Directory(gw, s)
        count = 0
        for count, checked in enumerate(
            check(
                payload,
                numbers=directory.numbers(UNKNOWN_PARTNER, "P"),
                now=now,
                directory=directory,
                seen=_Seen(s),
            ),
            start=1,
        ):
            row = ic if count == 1 else _sibling(s, ic, count, now)
            acks = list(zip(checked.acks, directory.allocated, strict=False))
            directory.allocated.clear()
            _record(gw, s, row, checked.result, acks, now, chained)
        if count == 0:
            ic.duplicate_of = _same_bytes_before(s, ic)
            ic.status = "rejected" if ic.duplicate_of is None else "duplicate"
            s.add(
                _finding_row(
                    finding("interchange.not_edi", "The file holds no interchange (no ISA or UNB segment)."),
                    ic.id,
                    "process",
                    now,
                )
            )
            audit(
                s,
                actor=gw.actor,
                entity=f"interchange:{ic.id}",
                action="processed",
                at=now,
                status=ic.status,
                duplicate_of=ic.duplicate_of,
            )
        finish(s, job.id, now)
    return chained


def _sibling(s: Session, first: Interchange, position: int, now: datetime) -> Interchange:
    row = Interchange(
        direction="in",
        partner=first.partner,
        transport=first.transport,
        message_id=first.message_id,
        file_name=first.file_name,
        position=position,
        sha256=first.sha256,
        size=first.size,
        status="received",
        created_at=first.created_at,
        updated_at=now,
    )
    s.add(row)
    s.flush()
    audit(
        s,
        actor="pipeline",
        entity=f"interchange:{row.id}",
        action="received",
        at=now,
        sha256=first.sha256,
        position=position,
        part_of=f"interchange:{first.id}",
    )
    return row


_TRANSACTIONS = cast(Table, Transaction.__table__)
_ADD_TRANSACTIONS = insert(_TRANSACTIONS).returning(_TRANSACTIONS.c.position, _TRANSACTIONS.c.id)


def _record(
    gw: Gateway,
    s: Session,
    row: Interchange,
    r: InterchangeResult,
    acks: list[tuple[Any, int]],
    now: datetime,
    chained: list[Job],
) -> None:
    partner = gw.partners.find_by_envelope(r.standard, r.sender[0] or None, r.sender[1]) if r.sender[1] else None
    row.partner = partner.name if partner is not None else None  # the envelope decides, never the inbox folder
    row.standard = r.standard
    row.sender_qualifier, row.sender = r.sender[0].strip()[:4], r.sender[1].strip()[:80]
    row.receiver_qualifier, row.receiver = r.receiver[0].strip()[:4], r.receiver[1].strip()[:80]
    row.control_number = r.control_number[:35]
    row.usage = usage_of(r.usage) if r.usage else ""
    duplicate = is_duplicate(r)
    if duplicate:
        row.status = "duplicate"
        earlier = s.execute(
            select(Interchange.id)
            .where(
                Interchange.direction == "in",
                Interchange.sender == row.sender,
                Interchange.control_number == row.control_number,
                Interchange.id != row.id,
                Interchange.status.not_in(("received", "failed", "duplicate")),
            )
            .order_by(Interchange.id)
            .limit(1)
        ).scalar()
        row.duplicate_of = earlier
    elif not r.control_number and (earlier_bytes := _same_bytes_before(s, row)) is not None:
        row.status = "duplicate"  # no control number to know a repeat by (not EDI): the same bytes do
        row.duplicate_of = earlier_bytes
    else:
        row.status = str(r.status)
    row.updated_at = now
    for f in r.findings:
        s.add(_finding_row(f, row.id, "process", now))
    position = 0
    accepted = 0
    txns: list[dict[str, Any]] = []
    found: dict[int, Sequence[EdiFinding]] = {}  # a transaction's findings, by its position
    for group in r.groups:
        for f in group.findings:
            s.add(_finding_row(f, row.id, "process", now))
        if group.is_ack:
            continue
        for t in group.transactions:
            position += 1
            status = (
                "duplicate"
                if duplicate
                else "unsupported"
                if not t.supported
                else "rejected"
                if Status.REJECTED in (t.status, group.status, r.status)
                else "accepted"
            )
            accepted += status == "accepted"
            txns.append(
                {
                    "interchange_id": row.id,
                    "partner": row.partner,
                    "position": position,
                    "group_control": group.control_number[:35],
                    "control_number": t.control_number[:35],
                    "set_id": t.set_id[:8],
                    "version": (t.version or group.version)[:12],
                    "status": status,
                    "updated_at": now,
                }
            )
            if t.findings:
                found[position] = t.findings
    if txns:
        # One multi-row INSERT ... RETURNING of the interchange's transactions, not an ORM flush of each;
        # rows come back in no promised order, so each id is matched to its transaction by position.
        ids = {at: txn_id for at, txn_id in s.execute(_ADD_TRANSACTIONS, txns)}
        for at, findings in found.items():
            s.add_all(_finding_row(f, row.id, "process", now, ids[at]) for f in findings)
    received_acks = [t.business for g in r.groups if g.is_ack for t in g.transactions] + list(r.ta1s)
    if received_acks:
        _reconcile(gw, s, row, received_acks, now)
    audit(
        s,
        actor=gw.actor,
        entity=f"interchange:{row.id}",
        action="processed",
        at=now,
        status=row.status,
        partner=row.partner,
        standard=row.standard,
        sender=f"{row.sender_qualifier}:{row.sender}",
        control_number=row.control_number,
        usage=row.usage,
        transactions=position,
        accepted=accepted,
        findings=[f.code for f in r.all_findings()][:50],
        duplicate_of=row.duplicate_of,
        acks_received=len(received_acks),
    )
    for ack, control in acks:
        _queue_ack(gw, s, row, ack.kind, ack.payload, control, now)
    if accepted:
        chained.append(
            enqueue(s, "translate", row.id, now=now, policy=gw.retry_policy("translate"), claimed_by=gw.actor)
        )


def _same_bytes_before(s: Session, row: Interchange) -> int | None:
    """The first interchange received before ``row`` in another receipt with the same payload, if any."""
    return s.execute(
        select(Interchange.id)
        .where(
            Interchange.sha256 == row.sha256,
            Interchange.id < row.id,
            Interchange.direction == "in",
            Interchange.message_id != row.message_id,
        )
        .order_by(Interchange.id)
        .limit(1)
    ).scalar()


def _reconcile(gw: Gateway, s: Session, row: Interchange, acks: list[dict[str, Any]], now: datetime) -> None:
    """Link a received TA1/997/999/CONTRL to the interchange of ours it answers, when we can find it."""
    for ack in acks:
        reference = str(ack.get("control_number") or ack.get("interchange_reference") or "").strip()
        if not reference:
            continue
        ours = s.execute(
            select(Interchange)
            .where(Interchange.direction == "out", Interchange.partner == row.partner)
            .where(Interchange.control_number.in_({reference, reference.lstrip("0") or "0", reference.zfill(9)}))
            .order_by(Interchange.id.desc())
            .limit(1)
        ).scalar()
        if ours is None:
            continue
        row.acknowledges = row.acknowledges or ours.id
        audit(
            s,
            actor=gw.actor,
            entity=f"interchange:{ours.id}",
            action="acknowledged",
            at=now,
            by=f"interchange:{row.id}",
            ack=ack.get("type") or "TA1",
            status=ack.get("status") or ack.get("action") or ack.get("group_status"),
        )


def _queue_ack(
    gw: Gateway, s: Session, subject: Interchange, kind: str, payload: bytes, control: int, now: datetime
) -> None:
    digest = gw.archive.put(payload)
    partner = subject.partner or UNKNOWN_PARTNER
    p = gw.partners.get(partner)
    transport = p.profile.transport.kind if p is not None else "folder"
    number = f"{control:09d}" if subject.standard == "x12" else str(control)
    name = f"{kind}-{subject.control_number or subject.id}-{number}.edi"
    out = Interchange(
        direction="out",
        partner=partner,
        transport=transport,
        message_id=f"{partner}/{kind}/{subject.usage or 'P'}/{number}",
        file_name=name,
        standard=subject.standard,
        sender_qualifier=subject.receiver_qualifier,
        sender=subject.receiver,
        receiver_qualifier=subject.sender_qualifier,
        receiver=subject.sender,
        control_number=number,
        usage=subject.usage,
        kind=kind,
        sha256=digest,
        size=len(payload),
        status="queued",
        acknowledges=subject.id,
        created_at=now,
        updated_at=now,
    )
    s.add(out)
    s.flush()
    audit(
        s,
        actor=gw.actor,
        entity=f"interchange:{subject.id}",
        action="ack queued",
        at=now,
        kind=kind,
        control_number=number,
        outbound=f"interchange:{out.id}",
        file=name,
        sha256=digest,
    )
    enqueue(s, "deliver", out.id, now=now, policy=gw.retry_policy("deliver"))


# -------------------------------------------------------------------------------------------- translate


def identity(document: Any) -> tuple[DocType, str, str]:
    """A document's business identity: (document type, business number, purpose)."""
    cls = type(document).__name__
    return DOC_TYPES[cls], str(getattr(document, NUMBER_FIELDS[cls], "") or ""), str(document.purpose)


def business_key(partner: str, document: Any) -> BusinessKey:
    """The key that makes posting idempotent: partner + type + number, plus a content hash for a change."""
    doc_type, number, purpose = identity(document)
    revision = ""
    if purpose != "original":
        body = document.model_dump(mode="json", exclude={"provenance"})
        revision = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return BusinessKey(partner=partner, doc_type=doc_type, number=number, revision=revision)


def translate(gw: Gateway, job: Job) -> list[Job]:
    now = gw.clock()
    with gw.store.session() as s:
        ic = s.get(Interchange, job.ref_id)
        rows = list(
            s.execute(
                select(Transaction)
                .where(Transaction.interchange_id == job.ref_id, Transaction.status == "accepted")
                .order_by(Transaction.position)
            ).scalars()
        )
        if ic is None or not rows:
            finish(s, job.id, now)
            return []
        partner = gw.partners.get(ic.partner) if ic.partner else None
        if partner is None and ic.sender:  # a profile added since, for a reprocess
            partner = gw.partners.find_by_envelope(ic.standard, ic.sender_qualifier or None, ic.sender)
            if partner is not None:
                ic.partner = partner.name
                for row in rows:
                    row.partner = partner.name
        if partner is None:
            message = (
                f"No partner profile for sender {ic.sender_qualifier}:{ic.sender}: add one with "
                "`edigw partners add NAME` (its [[ids]] must list this sender), then reprocess."
            )
            for row in rows:
                _review(s, gw, row, [finding("partner.unknown", message)], now)
            finish(s, job.id, now)
            return []
        outcomes = _outcomes(gw, partner, ic)
        claimed: dict[str, tuple[int, int]] = {}  # posting keys taken in this interchange
        ready = False
        follow: list[Job] = []
        paired = [(row, _take(outcomes, row)) for row in rows]
        before = _before(s, gw, partner, ic, [outcome for _, outcome in paired])
        for row, outcome in paired:
            if outcome is None:
                _review(s, gw, row, [finding("mapping.missing", f"No map could read {row.set_id} {row.version}.")], now)
                continue
            if _translated(s, gw, partner, ic, row, outcome, now, claimed, before):
                ready = True
        if ready:
            follow.append(enqueue(s, "post", ic.id, now=now, policy=gw.retry_policy("post"), claimed_by=gw.actor))
        finish(s, job.id, now)
    return follow


def _outcomes(gw: Gateway, partner: Partner, ic: Interchange) -> dict[tuple[str, str], deque[Outcome]]:
    folder = partner.profile_file.parent
    named = {key: ref for key, ref in partner.profile.documents.inbound.items() if ref}
    crosswalks = partner.crosswalks

    def checker(document: Any) -> list[EdiFinding]:
        return check_document(document, crosswalks, folder)

    out: dict[tuple[str, str], deque[Outcome]] = defaultdict(deque)
    payload = gw.archive.read(ic.sha256)
    for outcome in translate_file(
        payload, maps_root=gw.maps_root, partner=partner.name, partner_dir=folder, named_maps=named, checker=checker
    ):
        if outcome.tx.interchange_control.strip() == ic.control_number:
            out[(outcome.tx.group_control[:35], outcome.tx.transaction_control[:35])].append(outcome)
    return out


def _take(outcomes: dict[tuple[str, str], deque[Outcome]], row: Transaction) -> Outcome | None:
    """The next translation of ``row``'s control numbers, or None when no map read it."""
    queue = outcomes.get((row.group_control, row.control_number))
    return queue.popleft() if queue else None


def _route(gw: Gateway, partner: Partner, ic: Interchange) -> str:
    """The connector an interchange's documents go to (``test`` or ``production``), or "" when they are held."""
    traffic = usage_of(ic.usage)
    expected = "T" if partner.profile.partner.usage == "test" else "P"
    if traffic == "T" and gw.test_connector is not None:
        return "test"
    if traffic != expected or traffic == "T":
        return ""
    return "production"


#: The transaction posted (or about to be) under a posting key, other than this one: built once, run per document
#: whose key :func:`_before` did not look up.
_EARLIER = (
    select(Transaction.id, Transaction.interchange_id)
    .where(
        Transaction.posting_key == bindparam("key"),
        Transaction.status.in_(("ready", "posted")),
        Transaction.id != bindparam("id"),
    )
    .limit(1)
)
#: The transactions under any of some posting keys: one query per translate job. Only the key is asked
#: for (the status is checked on the rows), so that the planner can only take the posting key's index.
_EARLIER_ALL = select(Transaction.posting_key, Transaction.id, Transaction.interchange_id, Transaction.status).where(
    Transaction.posting_key.in_(bindparam("keys", expanding=True))
)

#: Posting key → the (transaction, interchange) pairs posted or ready under it, oldest first.
Before = dict[str, list[tuple[int, int]]]


def _before(s: Session, gw: Gateway, partner: Partner, ic: Interchange, outcomes: list[Outcome | None]) -> Before:
    """What was posted (or made ready) before under the posting keys of ``outcomes``' documents, in one query."""
    route = _route(gw, partner, ic)
    if not route:
        return {}
    keys = {
        f"{route}:{business_key(partner.name, o.translation.document).text}"
        for o in outcomes
        if o is not None and o.ok and o.translation is not None and o.translation.document is not None
    }
    found: Before = {key: [] for key in keys}
    if keys:
        with s.no_autoflush:  # nothing of this job is written before its rows are settled
            rows = s.execute(_EARLIER_ALL, {"keys": sorted(keys)}).all()
        for row in sorted(rows, key=lambda r: r.id):
            if row.status in ("ready", "posted"):
                found[row.posting_key].append((row.id, row.interchange_id))
    return found


def _translated(
    s: Session,
    gw: Gateway,
    partner: Partner,
    ic: Interchange,
    row: Transaction,
    outcome: Outcome,
    now: datetime,
    claimed: dict[str, tuple[int, int]],
    before: Before,
) -> bool:
    """Record one translation; True when the document is ready to post. ``before`` holds what
    was posted before under the job's posting keys (:func:`_before`); a key it lacks is looked up here."""
    shown = [f for f in outcome.findings if f.code != "mapping.unused"]
    translation = outcome.translation
    if not outcome.ok or translation is None or translation.document is None:
        _review(s, gw, row, shown or [finding("mapping.invalid_document", "The map produced no document.")], now)
        return False
    document = translation.document
    document.provenance.archive_sha256 = ic.sha256
    document.provenance.received_at = ic.created_at
    row.doc_type, row.business_number, row.purpose = identity(document)
    row.document = json.loads(document.model_dump_json())
    row.updated_at = now
    route = _route(gw, partner, ic)
    if not route:
        traffic = usage_of(ic.usage)
        said = "test" if traffic == "T" else "production"
        f = finding(
            "usage.mismatch",
            f"The interchange is marked as {said} traffic (ISA15/UNB 0035) and the partner profile says "
            f'usage = "{partner.profile.partner.usage}": acknowledged, but not posted to the production ERP'
            + ("" if traffic == "T" else "; correct the profile or ask the partner to resend")
            + ".",
        )
        _settle(s, gw, row, "held", now, [f], interchange=ic.id, business_number=row.business_number)
        return False
    row.connector = route
    key = business_key(partner.name, document)
    row.posting_key = f"{row.connector}:{key.text}"
    earlier = claimed.get(row.posting_key)
    if earlier is None and row.posting_key in before:
        earlier = next((pair for pair in before[row.posting_key] if pair[0] != row.id), None)
    elif earlier is None:
        with s.no_autoflush:  # the rows of this job are looked up in ``claimed``, not flushed one by one
            earlier = s.execute(_EARLIER, {"key": row.posting_key, "id": row.id}).first()
    if earlier is not None:
        f = finding(
            "business.duplicate",
            f"{row.doc_type.replace('_', ' ')} {row.business_number} from {partner.name} was already received "
            f"(interchange {earlier[1]}, transaction {earlier[0]}) with other control numbers: not posted again. "
            "A change or cancellation must say so in its purpose code.",
        )
        _settle(s, gw, row, "duplicate", now, [f], key=row.posting_key, first=f"transaction:{earlier[0]}")
        return False
    claimed[row.posting_key] = (row.id, ic.id)
    gw.memo[row.id] = document  # for the post job this worker runs next
    _settle(
        s,
        gw,
        row,
        "ready",
        now,
        shown,
        interchange=ic.id,
        doc_type=row.doc_type,
        business_number=row.business_number,
        purpose=row.purpose,
        key=row.posting_key,
    )
    return True


#: The audit action for each status a transaction is moved to.
ACTIONS = {"ready": "translated", "posted": "posted", "review": "review", "duplicate": "duplicate", "held": "held"}


def _settle(
    s: Session,
    gw: Gateway,
    row: Transaction,
    status: str,
    now: datetime,
    findings: Sequence[EdiFinding] = (),
    *,
    stage: str = "translate",
    **detail: Any,
) -> None:
    """Move ``row`` to ``status``: its findings recorded, the change audited."""
    row.status = status
    row.updated_at = now
    for f in findings:
        s.add(_finding_row(f, row.interchange_id, stage, now, row.id))
    if findings:
        detail.setdefault("findings", [f.code for f in findings][:50])
    audit(s, actor=gw.actor, entity=f"transaction:{row.id}", action=ACTIONS[status], at=now, **detail)


def _review(s: Session, gw: Gateway, row: Transaction, findings: Sequence[EdiFinding], now: datetime) -> None:
    _settle(s, gw, row, "review", now, findings, set_id=row.set_id, control_number=row.control_number)


# ------------------------------------------------------------------------------------------------- post


def _connector(gw: Gateway, which: str) -> Connector:
    if which == "test":
        if gw.test_connector is None:
            raise Permanent("test traffic was routed to a test connector that is no longer configured")
        return gw.test_connector
    return gw.connector


def post(gw: Gateway, job: Job) -> list[Job]:
    """Post an interchange's ready documents, one connector call each, recorded in one commit.

    A transient failure records what was posted so far and retries the rest later; the
    connector's own idempotency (by business key) covers a crash between its write and our commit.
    """
    now = gw.clock()
    with gw.store.session() as s:
        rows = s.execute(
            select(
                Transaction.id,
                Transaction.posting_key,
                Transaction.partner,
                Transaction.connector,
                Transaction.doc_type,
            )
            .where(Transaction.interchange_id == job.ref_id, Transaction.status == "ready")
            .order_by(Transaction.position)
        ).all()
        keys = [r.posting_key for r in rows if r.posting_key]
        before: dict[str, int] = {
            key: txn for key, txn in s.execute(select(Posting.key, Posting.transaction_id).where(Posting.key.in_(keys)))
        }
        # A document translated by this worker is in memory: only the others are read (and decoded) from the store.
        unread = [r.id for r in rows if r.id not in gw.memo]
        stored: dict[int, Any] = {
            txn: document
            for txn, document in (
                s.execute(select(Transaction.id, Transaction.document).where(Transaction.id.in_(unread)))
                if unread
                else ()
            )
        }
        work = [
            (r.id, r.posting_key or "", r.partner or UNKNOWN_PARTNER, r.connector, r.doc_type or "", stored.get(r.id))
            for r in rows
            if (r.id in gw.memo or stored.get(r.id) is not None) and r.doc_type
        ]
    results: dict[int, Posted | ConnectorError | int] = {}
    failure: Transient | None = None
    for txn_id, posting_key, partner, which, doc_type, data in work:
        if before.get(posting_key, txn_id) != txn_id:
            results[txn_id] = before[posting_key]  # posted before as another transaction
            continue
        connector = _connector(gw, which)
        document = gw.memo.pop(txn_id, None) or document_class(DOC_CLASSES[doc_type]).model_validate(data)
        try:
            results[txn_id] = connector.post(business_key(partner, document), document)
        except ConnectorError as exc:
            if exc.transient:
                failure = Transient(f"{connector.name}: {exc}")
                break
            results[txn_id] = exc
    for connector in {_connector(gw, which) for _, _, _, which, _, _ in work}:
        flush = getattr(connector, "flush", None)  # a batching connector makes its writes durable here
        if flush is not None:
            try:
                flush()
            except ConnectorError as exc:
                raise Transient(f"{connector.name}: {exc}") from exc
    now = gw.clock()
    with gw.store.session() as s:
        fresh = (
            s.execute(
                select(Transaction).where(Transaction.id.in_(list(results))).options(defer(Transaction.document))
            ).scalars()
            if results
            else ()
        )
        postings: list[dict[str, Any]] = []
        for row in fresh:
            if row.status == "ready":
                _posted(s, gw, row, results[row.id], now, postings)
        # a document sent round again after review may have been posted (with findings) before: one row per key
        postings = [p for p in postings if before.get(p["key"]) is None]
        if postings:
            s.execute(insert(cast(Table, Posting.__table__)), postings)  # one executemany, not an ORM flush of each
        if failure is None:
            finish(s, job.id, now)
    if failure is not None:
        raise failure
    return []


def _posted(
    s: Session,
    gw: Gateway,
    row: Transaction,
    outcome: Posted | ConnectorError | int,
    now: datetime,
    postings: list[dict[str, Any]],
) -> None:
    """Record the outcome of posting ``row``; a posting's row is added to ``postings``, inserted by the caller."""
    name = _connector(gw, row.connector).name
    if isinstance(outcome, int):
        _settle(s, gw, row, "duplicate", now, stage="post", key=row.posting_key, first=f"transaction:{outcome}")
    elif isinstance(outcome, ConnectorError):
        refused = finding("post.rejected", f"not posted by the {name} connector: {outcome}")
        findings = list(outcome.findings) or [refused]
        _settle(s, gw, row, "review", now, findings, stage="post", error=str(outcome))
    else:
        # posted; findings the connector returns (a supplier's proposal) still need a person: review, refs kept
        references = list(outcome.references)
        postings.append(
            {"key": row.posting_key or "", "transaction_id": row.id, "references": references, "posted_at": now}
        )
        row.erp_refs = references
        _settle(
            s,
            gw,
            row,
            "review" if outcome.findings else "posted",
            now,
            outcome.findings,
            stage="post",
            connector=name,
            references=references,
            already=outcome.already,
            key=row.posting_key,
        )


# ---------------------------------------------------------------------------------------------- deliver


def deliver(gw: Gateway, job: Job) -> list[Job]:
    now = gw.clock()
    with gw.store.session() as s:
        out = s.get(Interchange, job.ref_id)
        if out is None or out.status != "queued":
            finish(s, job.id, now)
            return []
        transport, partner, name, digest = out.transport, out.partner or UNKNOWN_PARTNER, out.file_name, out.sha256
    sender = gw.sender_for(transport)
    if sender is None:
        raise Permanent(f"no sender is configured for the {transport} transport")
    payload = gw.archive.read(digest)
    try:
        reference = sender.send(partner, name, payload)
    except TransportError as exc:
        if exc.transient:
            raise Transient(f"{sender.name}: {exc}") from exc
        raise Permanent(f"{sender.name} refused to send {name}: {exc}") from exc
    now = gw.clock()
    with gw.store.session() as s:
        out = s.get(Interchange, job.ref_id)
        assert out is not None
        if out.status == "queued":
            out.status = "sent"
            out.reference = reference[:500]
            out.updated_at = now
            audit(
                s,
                actor=gw.actor,
                entity=f"interchange:{out.acknowledges or out.id}",
                action="ack sent",
                at=now,
                kind=out.kind,
                outbound=f"interchange:{out.id}",
                to=reference,
            )
        finish(s, job.id, now)
    return []


#: Each stage returns the jobs it created already claimed by this worker, to run next (see ``enqueue``).
HANDLERS: dict[str, Callable[[Gateway, Job], list[Job]]] = {
    "process": process,
    "translate": translate,
    "post": post,
    "deliver": deliver,
}


# ----------------------------------------------------------------------------------------------- review


def to_review(s: Session, gw: Gateway, job: Job, error: str, code: str, now: datetime) -> None:
    """A job that will not be tried again: mark what it worked on for a person, with the last error."""
    text = f"{job.kind} gave up after {job.attempts} attempt(s): {error}"
    f = finding(code, text)
    if job.kind in ("process", "translate"):
        ic = s.get(Interchange, job.ref_id)
        if ic is None:
            return
        if job.kind == "process":
            ic.status = "failed"
            ic.updated_at = now
            s.add(_finding_row(f, ic.id, job.kind, now))
            audit(s, actor=gw.actor, entity=f"interchange:{ic.id}", action="failed", at=now, error=text)
            return
        rows = s.execute(
            select(Transaction).where(Transaction.interchange_id == ic.id, Transaction.status == "accepted")
        ).scalars()
        for waiting in rows:
            _settle(s, gw, waiting, "review", now, [f], error=text)
    elif job.kind == "post":
        rows = s.execute(
            select(Transaction).where(Transaction.interchange_id == job.ref_id, Transaction.status == "ready")
        ).scalars()
        for row in rows:
            _settle(s, gw, row, "review", now, [f], stage="post", error=text)
    elif job.kind == "deliver":
        out = s.get(Interchange, job.ref_id)
        if out is not None and out.status == "queued":
            out.status = "failed"
            out.updated_at = now
            s.add(_finding_row(f, out.acknowledges or out.id, "deliver", now))
            audit(
                s,
                actor=gw.actor,
                entity=f"interchange:{out.acknowledges or out.id}",
                action="ack failed",
                at=now,
                outbound=f"interchange:{out.id}",
                error=text,
            )
