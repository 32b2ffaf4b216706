"""The pure builder of EDIFACT CONTRL messages.

* The CONTRL version follows the inbound syntax: ``CONTRL:D:3:UN`` up to syntax 3,
  ``CONTRL:4:1:UN`` for syntax 4.
* The UNB of the CONTRL is addressed back to the sender; its UCI copies the subject
  interchange's sender and recipient as they were (not swapped).
* UCF per UNG group when groups are present, UCM per message, UCS/UCD for segment and element
  errors. Action codes: 4 rejected, 7 acknowledged, 8 received only (UCI).
* Syntax error codes (0085) come from the finding catalogue.

The caller supplies control references and the time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..delimiters import EDIFACT_DEFAULT, EdifactDelimiters
from ..edifact.tokenizer import split_escaped, unescape
from ..edifact.writer import Element as Composite
from ..edifact.writer import serialize
from ..findings import Finding, Level, Severity
from ..results import GroupResult, InterchangeResult, Status, TransactionResult
from ..source import to_bytes

Numbers = Callable[[str], int]


def _contrl_code(f: Finding) -> str:
    return f.ack_code or f.kind.contrl or "18"


def _syntax(ic: InterchangeResult) -> tuple[str, str]:
    ident, _, version = ic.version.partition(":")
    return (ident or "UNOA"), (version or "3")


def _raw_parts(value: str, d: EdifactDelimiters) -> tuple[str, ...]:
    """Split a raw (still escaped) composite from the inbound header, unescaped."""
    return tuple(unescape(p, d.release) for p in split_escaped(value, d.component, d.release))


def _message_segments(txn: TransactionResult) -> list[list[Composite]]:
    out: list[list[Composite]] = []
    errors = [f for f in txn.findings if f.severity is Severity.ERROR]
    by_segment: dict[int, list[Finding]] = {}
    for f in errors:
        if f.kind.level in (Level.SEGMENT, Level.ELEMENT) and f.segment_index is not None:
            by_segment.setdefault(f.segment_index, []).append(f)
    for index in sorted(by_segment):
        found = by_segment[index]
        seg_level = [f for f in found if f.kind.level is Level.SEGMENT]
        out.append(["UCS", str(index), _contrl_code(seg_level[0]) if seg_level else ""])
        for f in found:
            if f.kind.level is Level.ELEMENT:
                where: tuple[str, ...] = (str(f.element_position or 1),)
                if f.component_position:
                    where += (str(f.component_position),)
                out.append(["UCD", _contrl_code(f), where])
    return out


def _ucm(txn: TransactionResult, header: tuple[str, ...]) -> list[list[Composite]]:
    rejected = txn.status is Status.REJECTED
    msg_errors = [f for f in txn.findings if f.is_error and f.kind.level is Level.TRANSACTION]
    ucm: list[Composite] = ["UCM", txn.control_number, header, "4" if rejected else "7"]
    if msg_errors:
        ucm.append(_contrl_code(msg_errors[0]))
    return [ucm, *(_message_segments(txn) if rejected else [])]


def build_contrl(
    ic: InterchangeResult,
    numbers: Numbers,
    now: datetime,
    *,
    delimiters: EdifactDelimiters | None = None,
    received_only: bool = False,
    una: bool | None = None,
) -> bytes:
    """A CONTRL interchange answering ``ic``, in ``delimiters`` or else the inbound ones.

    ``una``: write a UNA or not; None writes one when the delimiters are not the syntax defaults.
    """
    inbound = ic.edifact_delimiters or EDIFACT_DEFAULT
    d = delimiters or inbound
    ident, version = _syntax(ic)
    four = version == "4"
    unb_date = now.strftime("%Y%m%d" if four else "%y%m%d")
    control = str(numbers("interchange"))
    message_ref = str(numbers("transaction"))
    header = ic.header  # the inbound UNB as raw elements
    sender = _raw_parts(header[2], inbound) if len(header) > 2 else ("",)
    recipient = _raw_parts(header[3], inbound) if len(header) > 3 else ("",)
    segs: list[list[Composite]] = [
        ["UNB", (ident, version), recipient, sender, (unb_date, now.strftime("%H%M")), control],
        ["UNH", message_ref, ("CONTRL", "4", "1", "UN") if four else ("CONTRL", "D", "3", "UN")],
    ]
    ic_errors = [f for f in ic.findings if f.is_error]
    duplicate = not ic_errors and any(f.code == "interchange.duplicate" for f in ic.findings)
    if duplicate:  # answered "rejected, 26" at the interchange: its messages are not processed again
        ic_errors = [f for f in ic.findings if f.code == "interchange.duplicate"]
        action = "4"
    elif received_only:
        action = "8"
    elif ic.status is Status.REJECTED and (ic_errors or not ic.transactions):
        action = "4"
    else:
        action = "7"
    uci: list[Composite] = ["UCI", ic.control_number, sender, recipient, action]
    if ic_errors and action == "4":
        uci.append(_contrl_code(ic_errors[0]))
    segs.append(uci)
    if not (received_only or duplicate):
        for group in ic.groups:
            segs += _group_segments(group)
    segs.append(["UNT", "", message_ref])
    segs[-1][1] = str(len(segs) - 1)  # UNH..UNT inclusive: every segment after UNB
    segs.append(["UNZ", "1", control])
    return to_bytes(serialize(segs, d, una=una))


def _group_segments(group: GroupResult) -> list[list[Composite]]:
    out: list[list[Composite]] = []
    if group.explicit:
        errors = [f for f in group.findings if f.is_error]
        ucf: list[Composite] = [
            "UCF",
            group.control_number,
            (group.sender,),
            (group.receiver,),
            "4" if group.status is Status.REJECTED else "7",
        ]
        if errors:
            ucf.append(_contrl_code(errors[0]))
        out.append(ucf)
    for txn in group.transactions:
        header = tuple(txn.business.get("message_identifier", (txn.set_id,)))
        out += _ucm(txn, header)
    return out
