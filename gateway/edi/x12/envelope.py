"""The X12 envelope reader: tokens in, interchanges, groups and transactions out, as events.

:func:`read_x12` turns a byte stream into a flat sequence of events, so that a file of any
size is read one transaction at a time::

    InterchangeStart  ISA read (with its findings)
      GroupStart      GS read
        TransactionRead   one whole ST..SE, with envelope findings (counts, control numbers)
      GroupEnd        GE read or missing, with the group's findings
    InterchangeEnd    IEA read or missing, with the interchange's findings
    JunkRead          bytes outside any interchange

Every envelope rule that does not need a schema lives here: trailers present, counts and
control numbers matching, control numbers unique, ISA and GS values well formed. A malformed
envelope never raises: it becomes findings. ``ISB``/``ISE`` are skipped; a ``TA1`` is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from ..findings import Finding, Severity, finding
from ..source import CHUNK_SIZE, Source
from .tokenizer import MISSING_IEA, IsaHeader, Junk, X12Tokenizer

_DIGITS = re.compile(r"\d+\Z", re.ASCII)
_AUTH_QUALIFIERS = frozenset({"00", "01", "02", "03", "04", "05", "06"})
_ISA_QUALIFIERS = frozenset(
    [
        "01",
        "02",
        "03",
        "04",
        "07",
        "08",
        "09",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "28",
        "29",
        "30",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "38",
        "AM",
        "NR",
        "SA",
        "SN",
        "ZZ",
    ]
)


@dataclass(slots=True)
class Interchange:
    """One ISA..IEA as read. ``trailer`` is None until (or unless) the IEA is read."""

    header: IsaHeader
    trailer: list[str] | None = None
    findings: list[Finding] = field(default_factory=list)
    group_count: int = 0
    ta1s: list[list[str]] = field(default_factory=list)
    group_controls: set[str] = field(default_factory=set)

    @property
    def control_number(self) -> str:
        return self.header.control_number

    @property
    def sender(self) -> tuple[str, str]:
        return self.header.value(5), self.header.value(6)

    @property
    def receiver(self) -> tuple[str, str]:
        return self.header.value(7), self.header.value(8)


@dataclass(slots=True)
class Group:
    """One GS..GE. ``header`` is None for transactions found outside any group."""

    header: list[str] | None
    interchange: Interchange
    trailer: list[str] | None = None
    findings: list[Finding] = field(default_factory=list)
    transaction_count: int = 0
    transaction_controls: set[str] = field(default_factory=set)

    def value(self, n: int) -> str:
        h = self.header
        return h[n] if h is not None and n < len(h) else ""

    @property
    def functional_id(self) -> str:
        return self.value(1)

    @property
    def control_number(self) -> str:
        return self.value(6)

    @property
    def version(self) -> str:
        return self.value(8)


@dataclass(slots=True)
class Transaction:
    """One ST..SE: its segments as read (``seg[0]`` is the tag) and its envelope findings."""

    segments: list[list[str]]
    group: Group
    findings: list[Finding] = field(default_factory=list)

    @property
    def set_id(self) -> str:
        st = self.segments[0]
        return st[1] if len(st) > 1 else ""

    @property
    def control_number(self) -> str:
        st = self.segments[0]
        return st[2] if len(st) > 2 else ""

    @property
    def guide(self) -> str:
        """ST03, the implementation convention reference (005010 on)."""
        st = self.segments[0]
        return st[3] if len(st) > 3 else ""


@dataclass(slots=True)
class InterchangeStart:
    interchange: Interchange


@dataclass(slots=True)
class GroupStart:
    group: Group


@dataclass(slots=True)
class TransactionRead:
    transaction: Transaction


@dataclass(slots=True)
class GroupEnd:
    group: Group


@dataclass(slots=True)
class InterchangeEnd:
    interchange: Interchange


@dataclass(slots=True)
class JunkRead:
    junk: Junk


Event = InterchangeStart | GroupStart | TransactionRead | GroupEnd | InterchangeEnd | JunkRead


def _valid_date(value: str) -> bool:
    if not _DIGITS.match(value) or len(value) not in (6, 8):
        return False
    if len(value) == 6:
        value = "20" + value
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return True


def _valid_time(value: str) -> bool:
    if not _DIGITS.match(value) or len(value) not in (4, 6, 7, 8):
        return False
    return int(value[:2]) < 24 and int(value[2:4]) < 60 and (len(value) < 6 or int(value[4:6]) < 60)


def check_isa(header: IsaHeader) -> list[Finding]:
    """Rules on the ISA's values, each finding carrying its TA1 note code."""
    out: list[Finding] = []
    if len(header.elements) != 17:
        out.append(
            finding(
                "interchange.header_invalid",
                f"The ISA has {len(header.elements) - 1} elements instead of 16.",
                segment=header.raw,
            )
        )
        return out
    d = header.delimiters
    seps = [d.element, d.component, d.segment]
    if len(set(seps)) != 3 or (d.repetition is not None and d.repetition in seps):
        out.append(
            finding(
                "interchange.component_separator",
                "The ISA declares the same character for two different delimiters.",
                segment=header.raw,
            )
        )
    v = header.value
    rules: list[tuple[bool, str, str]] = [
        (v(1) in _AUTH_QUALIFIERS, "interchange.auth_qualifier", f"ISA01 '{v(1)}' is not 00 to 06."),
        (v(3) in ("00", "01"), "interchange.security_qualifier", f"ISA03 '{v(3)}' must be 00 or 01."),
        (v(5) in _ISA_QUALIFIERS, "interchange.sender_qualifier", f"ISA05 '{v(5)}' is not an ID qualifier."),
        (bool(v(6)), "interchange.sender_id", "ISA06 (sender ID) is empty."),
        (v(7) in _ISA_QUALIFIERS, "interchange.receiver_qualifier", f"ISA07 '{v(7)}' is not an ID qualifier."),
        (bool(v(8)), "interchange.receiver_id", "ISA08 (receiver ID) is empty."),
        (
            _valid_date(v(9)) and len(v(9)) == 6,
            "interchange.date",
            f"ISA09 '{v(9)}' is not a date (YYMMDD).",
        ),
        (_valid_time(v(10)) and len(v(10)) == 4, "interchange.time", f"ISA10 '{v(10)}' is not a time (HHMM)."),
        (
            bool(_DIGITS.match(v(12))) and len(v(12)) == 5,
            "interchange.version",
            f"ISA12 '{v(12)}' is not an interchange control version number.",
        ),
        (
            bool(_DIGITS.match(v(13))) and len(v(13)) == 9,
            "interchange.control_number",
            f"ISA13 '{v(13)}' must be exactly nine digits.",
        ),
        (v(14) in ("0", "1"), "interchange.ack_requested", f"ISA14 '{v(14)}' must be 0 or 1."),
        (v(15) in ("P", "T", "I"), "interchange.usage", f"ISA15 '{v(15)}' must be P, T or I."),
    ]
    if header.version < "00402":
        rules.append((v(11) == "U", "interchange.standards_id", f"ISA11 '{v(11)}' must be U before 00402."))
    for ok, code, message in rules:
        if not ok:
            out.append(finding(code, message, segment=header.raw))
    return out


def _check_gs(gs: list[str]) -> list[Finding]:
    problems: list[str] = []
    if len(gs) < 9:
        problems.append(f"GS has {len(gs) - 1} elements; 8 are required.")
    else:
        if not (len(gs[1]) == 2 and gs[1].isalnum()):
            problems.append(f"GS01 '{gs[1]}' is not a functional identifier code.")
        for n in (2, 3):
            if not 2 <= len(gs[n]) <= 15:
                problems.append(f"GS0{n} '{gs[n]}' must be 2 to 15 characters.")
        if not _valid_date(gs[4]):
            problems.append(f"GS04 '{gs[4]}' is not a date (CCYYMMDD).")
        if not _valid_time(gs[5]):
            problems.append(f"GS05 '{gs[5]}' is not a time (HHMM[SS[D..]]).")
        if not (_DIGITS.match(gs[6]) and len(gs[6]) <= 9):
            problems.append(f"GS06 '{gs[6]}' must be 1 to 9 digits.")
        if gs[7] not in ("X", "T"):
            problems.append(f"GS07 '{gs[7]}' must be X.")
    return [finding("group.header_invalid", p) for p in problems]


def _number(value: str) -> int | None:
    value = value.strip()
    return int(value) if _DIGITS.match(value) else None


class _Reader:
    def __init__(self, source: Source, chunk_size: int) -> None:
        self.tokens = X12Tokenizer(source, chunk_size=chunk_size)
        self.ic: Interchange | None = None
        self.group: Group | None = None
        self.txn: list[list[str]] | None = None

    def events(self) -> Iterator[Event]:
        for tok in self.tokens:
            if isinstance(tok, list) and self.ic is None:
                # only after a trailer the tokenizer could not tell apart (an IEA it took for data)
                text = "*".join(tok)
                yield JunkRead(
                    Junk(
                        text[:80],
                        len(text),
                        0,
                        [finding("interchange.invalid_content", f"Segment {tok[0]} stands outside any interchange.")],
                    )
                )
            elif isinstance(tok, list):
                if self.txn is not None and tok[0] not in ("ST", "GE", "GS", "IEA"):
                    self.txn.append(tok)
                    if tok[0] == "SE":
                        yield self._close_transaction()
                    continue
                yield from self._segment(tok)
            elif isinstance(tok, IsaHeader):
                self.ic = Interchange(tok, findings=[*tok.findings, *check_isa(tok)])
                yield InterchangeStart(self.ic)
            elif tok is MISSING_IEA:
                yield from self._close_interchange(None)
            elif isinstance(tok, Junk):
                yield JunkRead(tok)

    def _segment(self, seg: list[str]) -> Iterator[Event]:
        tag = seg[0]
        ic = self.ic
        assert ic is not None
        if tag == "ST":
            if self.txn is not None:
                yield self._close_transaction(missing_trailer=True)
            if self.group is None:
                ic.findings.append(
                    finding(
                        "interchange.invalid_content",
                        "A transaction (ST) appears outside a functional group (GS).",
                        segment=ic.header.delimiters.element.join(seg),
                    )
                )
                self.group = Group(None, ic)
                yield GroupStart(self.group)
            self.txn = [seg]
        elif tag == "GS":
            if self.txn is not None:
                yield self._close_transaction(missing_trailer=True)
            if self.group is not None:
                yield self._close_group(None)
            group = Group(seg, ic, findings=_check_gs(seg))
            ic.group_count += 1
            control = group.control_number
            if control in ic.group_controls:
                group.findings.append(
                    finding(
                        "group.control_not_unique",
                        f"Group control number GS06 '{control}' is used twice in this interchange.",
                    )
                )
            ic.group_controls.add(control)
            self.group = group
            yield GroupStart(group)
        elif tag == "GE":
            if self.txn is not None:
                yield self._close_transaction(missing_trailer=True)
            if self.group is None:
                ic.findings.append(
                    finding(
                        "interchange.invalid_content",
                        "GE without a matching GS.",
                        segment=ic.header.delimiters.element.join(seg),
                    )
                )
            else:
                yield self._close_group(seg)
        elif tag == "IEA":
            yield from self._close_interchange(seg)
        elif tag == "TA1":
            ic.ta1s.append(seg)
        elif tag in ("ISB", "ISE"):
            pass
        else:
            ic.findings.append(
                finding(
                    "interchange.invalid_content",
                    f"Segment {tag} appears outside a transaction set.",
                    segment=tag,
                )
            )

    def _close_transaction(self, missing_trailer: bool = False) -> TransactionRead:
        segs = self.txn
        group = self.group
        assert segs is not None and group is not None
        self.txn = None
        txn = Transaction(segs, group)
        group.transaction_count += 1
        st = segs[0]
        control = txn.control_number
        if missing_trailer:
            txn.findings.append(
                finding(
                    "transaction.trailer_missing",
                    f"Transaction {txn.set_id} {control} has no SE trailer.",
                )
            )
        else:
            se = segs[-1]
            count = _number(se[1]) if len(se) > 1 else None
            if count != len(segs):
                txn.findings.append(
                    finding(
                        "transaction.count_mismatch",
                        f"SE01 says {se[1] if len(se) > 1 else 'nothing'} segments, but the transaction "
                        f"has {len(segs)} (ST to SE).",
                        segment_index=len(segs),
                        segment_tag="SE",
                    )
                )
            if len(se) < 3 or se[2] != control:
                txn.findings.append(
                    finding(
                        "transaction.control_mismatch",
                        f"SE02 '{se[2] if len(se) > 2 else ''}' does not match ST02 '{control}'.",
                        segment_index=len(segs),
                        segment_tag="SE",
                    )
                )
        if len(st) < 2 or not st[1]:
            txn.findings.append(finding("transaction.set_id", "ST01 (transaction set identifier) is missing."))
        if not (4 <= len(control) <= 9) or not control.strip():
            txn.findings.append(
                finding(
                    "transaction.control_number",
                    f"ST02 '{control}' must be 4 to 9 characters.",
                    segment_index=1,
                    segment_tag="ST",
                )
            )
        elif control in group.transaction_controls:
            txn.findings.append(
                finding(
                    "transaction.control_not_unique",
                    f"Transaction control number ST02 '{control}' is used twice in this group.",
                    segment_index=1,
                    segment_tag="ST",
                )
            )
        group.transaction_controls.add(control)
        return TransactionRead(txn)

    def _close_group(self, ge: list[str] | None) -> GroupEnd:
        group = self.group
        assert group is not None
        self.group = None
        group.trailer = ge
        if group.header is None:
            return GroupEnd(group)
        if ge is None:
            group.findings.append(finding("group.trailer_missing", f"Group {group.control_number} has no GE trailer."))
        else:
            count = _number(ge[1]) if len(ge) > 1 else None
            if count != group.transaction_count:
                group.findings.append(
                    finding(
                        "group.count_mismatch",
                        f"GE01 says {ge[1] if len(ge) > 1 else 'nothing'} transaction sets, but the group "
                        f"has {group.transaction_count}.",
                    )
                )
            if len(ge) < 3 or _number(ge[2]) != _number(group.control_number):
                group.findings.append(
                    finding(
                        "group.control_mismatch",
                        f"GE02 '{ge[2] if len(ge) > 2 else ''}' does not match GS06 '{group.control_number}'.",
                    )
                )
        return GroupEnd(group)

    def _close_interchange(self, iea: list[str] | None) -> Iterator[Event]:
        ic = self.ic
        if ic is None:
            return
        if self.txn is not None:
            yield self._close_transaction(missing_trailer=True)
        if self.group is not None:
            yield self._close_group(None)
        ic.trailer = iea
        if iea is None:
            ic.findings.append(
                finding(
                    "interchange.trailer_missing",
                    f"Interchange {ic.control_number} ends without an IEA (premature end of file).",
                )
            )
        else:
            count = _number(iea[1]) if len(iea) > 1 else None
            # some senders count a TA1 as a group; accept that when the interchange holds only TA1s
            if count != ic.group_count and not (ic.group_count == 0 and count == len(ic.ta1s)):
                ic.findings.append(
                    finding(
                        "interchange.group_count",
                        f"IEA01 says {iea[1] if len(iea) > 1 else 'nothing'} groups, but the interchange "
                        f"has {ic.group_count}.",
                    )
                )
            iea02 = iea[2].strip() if len(iea) > 2 else ""
            if iea02 != ic.control_number:
                same = _number(iea02) is not None and _number(iea02) == _number(ic.control_number)
                ic.findings.append(
                    Finding(
                        "interchange.control_mismatch",
                        f"IEA02 '{iea02}' is not zero-padded like ISA13 '{ic.control_number}'; same number."
                        if same
                        else f"IEA02 '{iea02}' does not match ISA13 '{ic.control_number}'.",
                        Severity.WARNING if same else Severity.ERROR,
                    )
                )
        self.ic = None
        yield InterchangeEnd(ic)


def read_x12(source: Source, *, chunk_size: int = CHUNK_SIZE) -> Iterator[Event]:
    """Read an X12 stream as events. Never raises for bad input; see the module docstring."""
    return _Reader(source, chunk_size).events()
