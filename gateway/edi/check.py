"""Check a stream of EDI: read it, validate every transaction, and build the acks to send.

:func:`check` is the syntax layer's one entry point for a caller (the CLI, the pipeline). It
detects the standard, reads interchange after interchange, validates each transaction
against its schema, reads inbound acks as data instead of acknowledging them, and yields a
:class:`Checked` per interchange: the results and the ack interchanges (997/999, TA1,
CONTRL) that the policy asks for. Control numbers and the time come from the caller.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Protocol

from .acks.reading import read_x12_ack
from .acks.x12 import build_functional_ack, build_ta1
from .delimiters import EdifactDelimiters, X12Delimiters
from .findings import Finding, Severity, finding
from .results import GroupResult, InterchangeResult, Status, TransactionResult
from .schema import x12_base_version, x12_guides, x12_schema, x12_versions
from .source import Source
from .validation import validate
from .x12.dialect import X12Dialect
from .x12.envelope import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    JunkRead,
    TransactionRead,
    read_x12,
)

Numbers = Callable[[str], int]


class Seen(Protocol):
    """Interchanges already received, by (sender id, control number): a set, or the store's view."""

    def __contains__(self, key: object) -> bool: ...

    def add(self, key: tuple[str, str]) -> None: ...


ACK_SETS = frozenset({"997", "999", "TA1", "CONTRL"})


@dataclass(frozen=True, slots=True)
class AckPolicy:
    """What to send back. The defaults are those of a gateway with no partner profile.

    ``functional``: ``997``, ``999`` or ``none``. ``ta1``: ``requested`` (when ISA14=1 or the
    envelope is in error), ``always``, ``errors`` (only on envelope errors) or ``never``.
    ``contrl``: ``requested`` (when UNB 0031 asks, or the interchange is rejected),
    ``always`` or ``never``. ``numbers``, when set, numbers this sender's acks (the pipeline
    keeps one counter per partner and usage) instead of the counter given to :func:`check`.
    ``x12_delimiters`` / ``edifact_delimiters``, when set, write the acks (a partner's own,
    from its profile); when None an ack mirrors the delimiters of the interchange it answers.
    ``edifact_una``: whether a CONTRL opens with a UNA (None: when its delimiters are not the defaults).
    """

    functional: str = "997"
    ta1: str = "requested"
    contrl: str = "requested"
    x12_delimiters: X12Delimiters | None = None
    edifact_delimiters: EdifactDelimiters | None = None
    edifact_una: bool | None = None
    numbers: Numbers | None = None


class Directory(Protocol):
    """Who is who, from the partner profiles: which ack policy a sender gets, and which ids are ours."""

    def policy_for(self, standard: str, sender: tuple[str, str], usage: str = "") -> AckPolicy: ...

    def is_ours(self, standard: str, receiver: tuple[str, str]) -> bool: ...


def addressed(ic: InterchangeResult, policy: AckPolicy, directory: Directory | None) -> AckPolicy:
    """The policy for ``ic``'s sender; an interchange not addressed to us gets TA1 009 / CONTRL 7."""
    if directory is None or (not ic.control_number and not ic.sender[1]):
        return policy
    if ic.receiver[1] and not directory.is_ours(ic.standard, ic.receiver):
        qualifier, ident = ic.receiver
        ic.findings.append(
            finding(
                "interchange.not_addressed_to_us",
                f"The interchange is addressed to {qualifier + ':' if qualifier else ''}{ident}, which is not one "
                "of our identifiers (partners/_self.toml): refused.",
            )
        )
    return directory.policy_for(ic.standard, ic.sender, ic.usage)


@dataclass(frozen=True, slots=True)
class Ack:
    """One ack interchange to send: its kind (``997``, ``999``, ``TA1``, ``CONTRL``) and bytes."""

    kind: str
    payload: bytes
    acknowledges: str  # the inbound interchange control number


@dataclass(slots=True)
class Checked:
    """One interchange's results and the acks it gets."""

    result: InterchangeResult
    acks: list[Ack] = field(default_factory=list)


class Counter:
    """Control numbers from 1, per kind: for ``edigw validate`` and tests (the pipeline uses the store)."""

    def __init__(self, start: int = 1) -> None:
        self._next: dict[str, int] = {}
        self._start = start

    def __call__(self, kind: str) -> int:
        n = self._next.get(kind, self._start)
        self._next[kind] = n + 1
        return n


class _Peeked(io.RawIOBase):
    """A binary stream with its first bytes already read (for sniffing the standard)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                out, self._head = self._head, b""
                if size < 0:
                    return out + self._rest.read()
                return out + self._rest.read(size - len(out))
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def sniff(head: bytes) -> str:
    """``x12``, ``edifact`` or ``unknown`` from the first bytes of a stream."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if text.startswith(b"ISA"):
        return "x12"
    if text.startswith((b"UNA", b"UNB")):
        return "edifact"
    if b"ISA" in text[:4096] and b"UNB" not in text[:4096]:
        return "x12"
    if b"UNB" in text[:4096] or b"UNH" in text[:4096]:
        return "edifact"
    return "unknown"


def check(
    source: Source,
    *,
    numbers: Numbers,
    now: datetime,
    policy: AckPolicy | None = None,
    directory: Directory | None = None,
    seen: Seen | None = None,
) -> Iterator[Checked]:
    """Check every interchange in ``source`` (bytes or a binary file object). Never raises for bad input.

    With a ``directory`` (the partner profiles), each sender gets its own ack policy and an
    interchange not addressed to one of our identifiers is refused. ``seen`` holds the
    (sender, control number) pairs received before this run; a repeat is a duplicate,
    answered with TA1 025 (or CONTRL 26) unless the policy turns TA1s off.
    """
    policy = policy or AckPolicy()
    stream: BinaryIO
    if isinstance(source, bytes | bytearray | memoryview):
        head = bytes(source[:8192])
        stream = io.BytesIO(bytes(source))
    else:
        head = source.read(8192)
        stream = _Peeked(head, source)  # type: ignore[assignment]
    standard = sniff(head)
    if standard == "edifact":
        from .edifact.check import check_edifact

        yield from check_edifact(stream, numbers=numbers, now=now, policy=policy, directory=directory, seen=seen)
    else:
        yield from check_x12(stream, numbers=numbers, now=now, policy=policy, directory=directory, seen=seen)


def is_duplicate(ic: InterchangeResult) -> bool:
    """Whether ``ic`` repeats an interchange received before (same sender and control number)."""
    return any(f.code == "interchange.duplicate" for f in ic.findings)


def _status(findings: list[Finding]) -> Status:
    return Status.REJECTED if any(f.severity is Severity.ERROR for f in findings) else Status.ACCEPTED


def check_x12(
    source: Source,
    *,
    numbers: Numbers,
    now: datetime,
    policy: AckPolicy,
    directory: Directory | None = None,
    seen: Seen | None = None,
) -> Iterator[Checked]:
    """The X12 half of :func:`check`."""
    if seen is None:
        seen = set()
    ic: InterchangeResult | None = None
    group: GroupResult | None = None
    dialects: dict[str, X12Dialect] = {}
    for event in read_x12(source):
        if isinstance(event, TransactionRead):
            assert group is not None and ic is not None
            group.transactions.append(_check_transaction(event, group, ic, dialects, policy))
        elif isinstance(event, InterchangeStart):
            h = event.interchange.header
            ic = InterchangeResult(
                standard="x12",
                control_number=h.control_number,
                sender=(h.value(5), h.value(6)),
                receiver=(h.value(7), h.value(8)),
                date=h.value(9),
                time=h.value(10),
                version=h.version,
                usage=h.value(15),
                ack_requested=h.value(14) == "1",
                x12_delimiters=h.delimiters,
                header=list(h.elements),
                offset=h.offset,
                preview=h.raw[:120],
            )
            dialects = {}
        elif isinstance(event, GroupStart):
            assert ic is not None
            g = event.group
            version = g.version
            group = GroupResult(
                functional_id=g.functional_id,
                control_number=g.control_number,
                version=version,
                sender=g.value(2),
                receiver=g.value(3),
                header=g.header,
                explicit=g.header is not None,
            )
            group.is_ack = group.functional_id == "FA"
            if g.header is not None and not group.is_ack and x12_base_version(version) not in x12_versions():
                group.supported = False
                group.findings.append(
                    finding(
                        "group.version_unsupported",
                        f"Group {g.control_number} is version '{version}', which this gateway does not "
                        f"support (supported: {', '.join(sorted(x12_versions()))}).",
                    )
                )
            ic.groups.append(group)
        elif isinstance(event, GroupEnd):
            assert group is not None
            g = event.group
            group.findings = [*group.findings, *g.findings]
            if g.trailer is not None and len(g.trailer) > 1 and g.trailer[1].strip().isdigit():
                group.declared_count = int(g.trailer[1])
            group.settle()
            group = None
        elif isinstance(event, InterchangeEnd):
            assert ic is not None
            src = event.interchange
            ic.findings = list(src.findings)
            ic.ta1s = [_ta1(seg) for seg in src.ta1s]
            key = (ic.sender[1], ic.control_number)
            if key in seen:
                ic.findings.append(
                    finding(
                        "interchange.duplicate",
                        f"Interchange control number {ic.control_number} from {ic.sender[1]} was already "
                        "received: its transactions are not processed again.",
                    )
                )
            seen.add(key)
            yield _finish_x12(ic, numbers, now, addressed(ic, policy, directory))
            ic = None
        elif isinstance(event, JunkRead):
            junk = event.junk
            yield Checked(
                InterchangeResult(
                    standard="unknown",
                    status=Status.REJECTED,
                    findings=list(junk.findings),
                    offset=junk.offset,
                    preview=junk.preview,
                )
            )


def _ta1(seg: list[str]) -> dict[str, str]:
    names = ("control_number", "date", "time", "status", "note")
    return {name: seg[i + 1] for i, name in enumerate(names) if i + 1 < len(seg)}


def _guide(txn_guide: str, gs08: str) -> str:
    """The implementation guide a transaction claims: ST03, or GS08 when it names one (``005010X222A1``)."""
    if txn_guide:
        return txn_guide
    return gs08 if gs08[6:7] == "X" else ""


def _check_transaction(
    event: TransactionRead,
    group: GroupResult,
    ic: InterchangeResult,
    dialects: dict[str, X12Dialect],
    policy: AckPolicy,
) -> TransactionResult:
    txn = event.transaction
    result = TransactionResult(
        set_id=txn.set_id,
        control_number=txn.control_number,
        version=group.version,
        guide=txn.guide,
        findings=list(txn.findings),
        segment_count=len(txn.segments),
    )
    base = x12_base_version(group.version)
    if group.is_ack or txn.set_id in ACK_SETS:
        result.status = Status.ACK
        result.business = read_x12_ack(txn.segments)
        return result
    if not group.supported:
        result.supported = False
        result.status = Status.REJECTED
        return result
    schema = x12_schema(txn.set_id, base)
    guide = _guide(txn.guide, group.version)
    if policy.functional == "999" and guide and guide not in x12_guides():
        # a 999 answers for the implementation guide, and we ship none for this transaction
        result.findings.append(
            finding(
                "transaction.guide_unsupported",
                f"Transaction {txn.set_id} {txn.control_number} follows implementation guide {guide}, "
                "which this gateway does not support.",
            )
        )
    elif schema is None:
        result.supported = False
        result.findings.append(
            finding(
                "transaction.unsupported",
                f"Transaction set {txn.set_id} (version {group.version}) is not supported by this gateway.",
            )
        )
    else:
        dialect = dialects.get(base)
        if dialect is None:
            assert ic.x12_delimiters is not None
            dialect = dialects[base] = X12Dialect(ic.x12_delimiters, base)
        result.findings += validate(txn.segments, schema, dialect)
    result.status = _status(result.findings)
    return result


def _finish_x12(ic: InterchangeResult, numbers: Numbers, now: datetime, policy: AckPolicy) -> Checked:
    numbers = policy.numbers or numbers
    envelope_errors = any(f.is_error for f in ic.findings)
    trading = [g for g in ic.groups if not g.is_ack]
    ic.settle()
    out = Checked(ic)
    only_acks = not trading
    duplicate = is_duplicate(ic)
    want_ta1 = policy.ta1 == "always" or (
        policy.ta1 != "never"
        and (
            (envelope_errors and policy.ta1 in ("requested", "errors"))
            or duplicate
            or (ic.ack_requested and policy.ta1 == "requested" and not only_acks)
        )
    )
    if want_ta1:
        ta1 = build_ta1(ic, numbers, now, delimiters=policy.x12_delimiters)
        if ta1 is not None:
            out.acks.append(Ack("TA1", ta1, ic.control_number))
    if duplicate and out.acks:
        return out  # TA1 025 answers a duplicate; without a TA1, the functional ack below is the answer
    if not envelope_errors and trading and policy.functional in ("997", "999"):
        payload = build_functional_ack(
            ic, trading, numbers, now, flavour=policy.functional, delimiters=policy.x12_delimiters
        )
        out.acks.append(Ack(policy.functional, payload, ic.control_number))
    return out
