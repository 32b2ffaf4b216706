"""The tables: interchanges, transactions (with their documents), postings, acks, findings, audit events, jobs.

Typed SQLAlchemy 2.0 declarative models. Times are stored as UTC and always come back
timezone-aware (:class:`UTCDateTime`), on SQLite as on PostgreSQL. JSON columns hold data
that is read whole (a canonical document, a finding's location, ERP references).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as naive UTC (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pass a timezone-aware time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The declarative base; every table of the store derives from it."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Interchange(Base):
    """One interchange received or sent, as archived: who, how, which control number, what became of it.

    Inbound statuses: ``received`` (archived, not yet processed), ``accepted``,
    ``partially accepted``, ``rejected``, ``duplicate``, ``acknowledgement`` (an ack we
    received), ``failed`` (processing gave up: see its findings). Outbound: ``queued``, ``sent``.
    """

    __tablename__ = "interchanges"
    __table_args__ = (
        UniqueConstraint("direction", "transport", "message_id", "position", name="uq_interchange_receipt"),
        Index("ix_interchange_sender_control", "direction", "sender", "control_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    partner: Mapped[str | None] = mapped_column(String(64), index=True)
    transport: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[int] = mapped_column(Integer, default=1)  # the nth interchange of the payload
    standard: Mapped[str] = mapped_column(String(8), default="")
    sender_qualifier: Mapped[str] = mapped_column(String(4), default="")  # ISA05, UNB 0007
    sender: Mapped[str] = mapped_column(String(80), default="")  # ISA06 trimmed, UNB 0004
    receiver_qualifier: Mapped[str] = mapped_column(String(4), default="")
    receiver: Mapped[str] = mapped_column(String(80), default="")
    control_number: Mapped[str] = mapped_column(String(35), default="")
    usage: Mapped[str] = mapped_column(String(1), default="")  # P | T (ISA15, UNB 0035)
    kind: Mapped[str] = mapped_column(String(8), default="")  # for outbound: 997, 999, TA1, CONTRL, 850...
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    acknowledges: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))  # outbound ack: its subject
    reference: Mapped[str] = mapped_column(String(500), default="")  # outbound: where the transport put it
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class Transaction(Base):
    """One transaction of an interchange and the document it became.

    Statuses: ``accepted``/``rejected`` (syntax), ``unsupported``, ``ready`` (translated and
    checked, waiting to post), ``posted``, ``review`` (a person must act: see findings),
    ``duplicate`` (the same business document was posted before), ``held`` (test traffic
    with no test connector: acknowledged, never posted to production).
    """

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transaction_business", "partner", "doc_type", "business_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"), index=True)
    partner: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in interchange order
    group_control: Mapped[str] = mapped_column(String(35), default="")
    control_number: Mapped[str] = mapped_column(String(35), default="")
    set_id: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[str] = mapped_column(String(12), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(24))
    business_number: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(16), default="")  # original | change | cancellation
    posting_key: Mapped[str | None] = mapped_column(String(400), index=True)
    connector: Mapped[str] = mapped_column(String(32), default="")
    document: Mapped[dict[str, Any] | None]
    erp_refs: Mapped[list[Any] | None]
    updated_at: Mapped[datetime]


class Posting(Base):
    """A business document posted to a connector: the unique business key is what makes posting exactly-once."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)  # connector + partner/type/number[/revision]
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id"))
    references: Mapped[list[Any]]
    posted_at: Mapped[datetime]


class Finding(Base):
    """A finding kept for a person: from the syntax check, translation, business rules, posting or delivery."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"), index=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # process | translate | post | deliver
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    location: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """One state change: who, when, what; ``hash`` chains it to the event before."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), index=True)  # "interchange:12", "transaction:40"
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's head: one row, locked by every transaction that appends events."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class Job(Base):
    """Work to do: ``queued`` → ``running`` → ``done``, or ``failed`` once its retries are spent."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_job_ready", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # process | translate | post | deliver
    ref_id: Mapped[int] = mapped_column(Integer)  # the interchange (or transaction) it works on
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime]
    locked_by: Mapped[str] = mapped_column(String(64), default="")
    locked_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class ControlNumber(Base):
    """The next outbound control number per partner, usage (P/T) and kind (interchange, group, transaction)."""

    __tablename__ = "control_numbers"

    partner: Mapped[str] = mapped_column(String(64), primary_key=True)
    usage: Mapped[str] = mapped_column(String(1), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
