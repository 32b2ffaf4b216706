"""What checking an interchange produces: statuses and findings per interchange, group and transaction.

These are plain records, the shared currency between the checker (``check.py``), the ack
builders (``acks/``) and the faces. They hold no segments: a file of any size yields results
of bounded size per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .delimiters import EdifactDelimiters, X12Delimiters
from .findings import Finding, Severity


class Status(StrEnum):
    """Outcome of checking one interchange, group or transaction."""

    ACCEPTED = "accepted"
    PARTIAL = "partially accepted"
    REJECTED = "rejected"
    ACK = "acknowledgement"  # an inbound 997/999/TA1/CONTRL: read as data, never acknowledged


@dataclass(slots=True)
class TransactionResult:
    """One ST..SE or UNH..UNT."""

    set_id: str
    control_number: str
    version: str = ""
    guide: str = ""
    status: Status = Status.ACCEPTED
    findings: list[Finding] = field(default_factory=list)
    segment_count: int = 0
    supported: bool = True
    business: dict[str, Any] = field(default_factory=dict)  # e.g. an inbound ack's content

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


@dataclass(slots=True)
class GroupResult:
    """One GS..GE or UNG..UNE; for EDIFACT without UNG, a group stands for the bare messages."""

    functional_id: str
    control_number: str
    version: str
    sender: str = ""
    receiver: str = ""
    header: list[str] | None = None
    status: Status = Status.ACCEPTED
    findings: list[Finding] = field(default_factory=list)
    transactions: list[TransactionResult] = field(default_factory=list)
    declared_count: int | None = None
    supported: bool = True
    is_ack: bool = False
    explicit: bool = True  # False for EDIFACT messages that sit directly in the interchange

    @property
    def accepted_count(self) -> int:
        return sum(1 for t in self.transactions if t.status is Status.ACCEPTED)

    def settle(self) -> None:
        """Set the group's status from its own findings and its transactions'."""
        if self.is_ack:
            self.status = Status.ACK
        elif any(f.is_error for f in self.findings):
            self.status = Status.REJECTED
        else:
            accepted, total = self.accepted_count, len(self.transactions)
            self.status = Status.ACCEPTED if accepted == total else Status.REJECTED if not accepted else Status.PARTIAL


@dataclass(slots=True)
class InterchangeResult:
    """One ISA..IEA or UNB..UNZ, or a run of bytes outside any envelope (``standard`` = ``unknown``)."""

    standard: str  # "x12", "edifact" or "unknown"
    control_number: str = ""
    sender: tuple[str, str] = ("", "")  # (qualifier, id)
    receiver: tuple[str, str] = ("", "")
    date: str = ""
    time: str = ""
    version: str = ""  # ISA12, or the EDIFACT syntax identifier and version "UNOC:3"
    usage: str = "P"  # P production, T test (ISA15 / UNB 0035)
    ack_requested: bool = False
    status: Status = Status.ACCEPTED
    findings: list[Finding] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)
    x12_delimiters: X12Delimiters | None = None
    edifact_delimiters: EdifactDelimiters | None = None
    header: list[str] = field(default_factory=list)
    offset: int = 0
    preview: str = ""
    ta1s: list[dict[str, str]] = field(default_factory=list)

    @property
    def transactions(self) -> list[TransactionResult]:
        return [t for g in self.groups for t in g.transactions]

    def settle(self) -> None:
        """Set the interchange's status: rejected on any envelope error, else from its trading groups."""
        trading = [g for g in self.groups if not g.is_ack]
        if any(f.is_error for f in self.findings):
            self.status = Status.REJECTED
        elif not trading and (self.groups or self.ta1s):
            self.status = Status.ACK
        elif all(g.status is Status.ACCEPTED for g in trading):
            self.status = Status.ACCEPTED
        elif all(g.status is Status.REJECTED for g in trading):
            self.status = Status.REJECTED
        else:
            self.status = Status.PARTIAL

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for g in self.groups:
            out += g.findings
            for t in g.transactions:
                out += t.findings
        return out
