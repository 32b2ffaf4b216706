"""Pure builders of X12 acknowledgements: 997, 999 and TA1.

The caller supplies the control numbers (``numbers("interchange" | "group" | "transaction")``)
and the time: nothing here reads a clock or a counter. Each builder returns a whole
interchange as bytes, addressed back to the sender (ISA05/06 and ISA07/08 swapped, qualifiers
included), with the inbound delimiters unless others are given.

* 997: GS08 is the inbound group's version; AK3/AK4 for segment and element errors (each AK4
  under the AK3 of its segment), AK5 per transaction, AK9 with A/E/P/R, the counts and the
  group codes.
* 999 (005010X231A1): GS08 = ST03 = ``005010X231A1``, the inbound GS08 in AK103, IK3/IK4/IK5.
* TA1: TA101..TA103 are the inbound ISA13/09/10, TA104 A/E/R and TA105 the note code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from ..delimiters import X12Delimiters
from ..envelopes import Address, isa_segment
from ..findings import Finding, Level, Severity, x12_code
from ..results import GroupResult, InterchangeResult, Status, TransactionResult
from ..x12.tokenizer import NO_COMPONENT
from ..x12.writer import Element, serialize_bytes

Numbers = Callable[[str], int]

GUIDE_999 = "005010X231A1"
_FALLBACK_COMPONENTS = ">:^{`|"
_FALLBACK_REPETITIONS = "^{`|!"


def ack_delimiters(
    ic: InterchangeResult, override: X12Delimiters | None = None, *, repetition: bool = False
) -> X12Delimiters:
    """The delimiters for an ack to ``ic``: the inbound ones, made whole where the inbound ISA was not."""
    d = override or ic.x12_delimiters or X12Delimiters(element="*", component=">", segment="~")
    used = {d.element, d.segment}
    component = d.component
    if component == NO_COMPONENT or component in used:
        component = next(c for c in _FALLBACK_COMPONENTS if c not in used)
    rep = d.repetition
    if repetition and (rep is None or rep in used or rep == component):
        rep = next(c for c in _FALLBACK_REPETITIONS if c not in used and c != component)
    return X12Delimiters(element=d.element, component=component, segment=d.segment, repetition=rep, suffix=d.suffix)


def _isa(ic: InterchangeResult, d: X12Delimiters, control: int, now: datetime, version: str) -> list[Element]:
    """The ack's ISA: the inbound sender and receiver swapped, qualifiers included."""
    (sq, sid), (rq, rid) = ic.sender, ic.receiver
    return isa_segment(Address(rq, rid), Address(sq, sid), d, control, now, version, usage=ic.usage)


def _interchange_version(ic: InterchangeResult, minimum: str = "") -> str:
    v = ic.version if len(ic.version) == 5 and ic.version.isdigit() else "00401"
    return max(v, minimum) if minimum else v


def _gs(group: GroupResult, ic: InterchangeResult, control: int, now: datetime, version: str) -> list[Element]:
    sender = group.receiver or ic.receiver[1]
    receiver = group.sender or ic.sender[1]
    return ["GS", "FA", sender, receiver, now.strftime("%Y%m%d"), now.strftime("%H%M"), str(control), "X", version]


def _safe_copy(value: str | None, d: X12Delimiters) -> str:
    if value is None or len(value) > 99 or not value.isascii() or not value.isprintable():
        return ""
    return "" if any(ch in value for ch in d.specials()) else value


def _unique(codes: Sequence[str | None], limit: int = 5) -> list[str]:
    out: list[str] = []
    for c in codes:
        if c and c not in out:
            out.append(c)
    return out[:limit]


def _segment_errors(txn: TransactionResult, version: str, d: X12Delimiters, for_999: bool) -> list[list[Element]]:
    """AK3/AK4 (or IK3/IK4) for one transaction, in segment order, each AK4 under its AK3."""
    by_segment: dict[tuple[int, str], list[Finding]] = {}
    for f in txn.findings:
        if f.severity is not Severity.ERROR or f.kind.level not in (Level.SEGMENT, Level.ELEMENT):
            continue
        if f.segment_index is None:
            continue
        by_segment.setdefault((f.segment_index, f.segment_tag or ""), []).append(f)
    out: list[list[Element]] = []
    seg_tag, elem_tag = ("IK3", "IK4") if for_999 else ("AK3", "AK4")
    five = version >= "005010" or for_999
    for (index, tag), found in sorted(by_segment.items(), key=lambda kv: kv[0][0]):
        seg_level = [f for f in found if f.kind.level is Level.SEGMENT]
        elem_level = [f for f in found if f.kind.level is Level.ELEMENT]
        first = seg_level[0] if seg_level else found[0]
        loop = first.loop_path[-1] if first.loop_path else ""
        for f in seg_level:
            code = x12_code(f, version, for_999=for_999) or "8"
            out.append([seg_tag, f.segment_tag or tag, str(index), loop[:4], code])
        if elem_level:
            if not seg_level:
                out.append([seg_tag, tag, str(index), loop[:4], "8"])
            for f in elem_level[:99]:
                code = x12_code(f, version, for_999=for_999) or "6"
                if not five and code in ("12", "13"):
                    code = "6"  # 004010 has no repetition/component-count codes
                position: list[str] = [str(f.element_position or 1)]
                if f.component_position or (five and f.repetition):
                    position.append(str(f.component_position or ""))
                if five and f.repetition:
                    position.append(str(f.repetition))
                out.append(
                    [
                        elem_tag,
                        tuple(position) if len(position) > 1 else position[0],
                        f.data_element or "",
                        code,
                        _safe_copy(_bad_value(f, d), d),
                    ]
                )
    return out


def _bad_value(f: Finding, d: X12Delimiters) -> str | None:
    if f.segment is None or f.element_position is None:
        return None
    elements = f.segment.split(d.element)
    if f.element_position >= len(elements):
        return None
    value = elements[f.element_position]
    if f.component_position and d.component in value:
        parts = value.split(d.component)
        return parts[f.component_position - 1] if f.component_position <= len(parts) else None
    return value or None


def _transaction_ack(txn: TransactionResult, version: str, d: X12Delimiters, for_999: bool) -> list[list[Element]]:
    ak2: list[Element] = ["AK2", txn.set_id, txn.control_number]
    if (version >= "005010" or for_999) and txn.guide:
        ak2.append(txn.guide)
    segs: list[list[Element]] = [ak2]
    segs += _segment_errors(txn, version, d, for_999)
    codes = [
        x12_code(f, version, for_999=for_999) for f in txn.findings if f.is_error and f.kind.level is Level.TRANSACTION
    ]
    if txn.status is Status.REJECTED and any(
        f.is_error and f.kind.level in (Level.SEGMENT, Level.ELEMENT) for f in txn.findings
    ):
        codes.append("5")
    accepted = txn.status is Status.ACCEPTED
    segs.append(["IK5" if for_999 else "AK5", "A" if accepted else "R", *_unique(codes)])
    return segs


def group_ack_status(group: GroupResult) -> str:
    """AK901: A all accepted, P some, R none (or the group itself is in error)."""
    if any(f.is_error for f in group.findings) or not group.supported:
        return "R"
    accepted = group.accepted_count
    if accepted == len(group.transactions) and accepted:
        return "A"
    if accepted == 0:
        return "R"
    return "P"


def build_functional_ack(
    ic: InterchangeResult,
    groups: Sequence[GroupResult],
    numbers: Numbers,
    now: datetime,
    *,
    flavour: str = "997",
    delimiters: X12Delimiters | None = None,
) -> bytes:
    """One interchange holding a 997 (or 999) for each of ``groups``."""
    for_999 = flavour == "999"
    version = _interchange_version(ic, "00501" if for_999 else "")
    d = ack_delimiters(ic, delimiters, repetition=version >= "00402")
    isa_control = numbers("interchange")
    segs: list[list[Element]] = [_isa(ic, d, isa_control, now, version)]
    for group in groups:
        gversion = group.version or "004010"
        gs_version = GUIDE_999 if for_999 else gversion
        gcontrol = numbers("group")
        tcontrol = f"{numbers('transaction'):04d}"
        body: list[list[Element]] = []
        st: list[Element] = ["ST", flavour, tcontrol]
        if for_999:
            st.append(GUIDE_999)
        body.append(st)
        ak1: list[Element] = ["AK1", group.functional_id, group.control_number]
        if for_999 or gversion >= "005010":
            ak1.append(gversion)
        body.append(ak1)
        ack_version = "005010" if for_999 else gversion[:6]
        if group.supported:
            for txn in group.transactions:
                body += _transaction_ack(txn, ack_version, d, for_999)
        received = len(group.transactions)
        included = group.declared_count if group.declared_count is not None else received
        group_codes = _unique(
            [x12_code(f, ack_version) for f in group.findings if f.is_error and f.kind.level is Level.GROUP]
        )
        status = group_ack_status(group)
        accepted = 0 if status == "R" else group.accepted_count  # a rejected group accepts nothing
        body.append(["AK9", status, str(included), str(received), str(accepted), *group_codes])
        body.append(["SE", str(len(body) + 1), tcontrol])
        segs.append(_gs(group, ic, gcontrol, now, gs_version))
        segs += body
        segs.append(["GE", "1", str(gcontrol)])
    segs.append(["IEA", str(len(groups)), f"{isa_control:09d}"])
    return serialize_bytes(segs, d)


def ta1_note(ic: InterchangeResult) -> tuple[str, str]:
    """TA104 and TA105 for ``ic``: A/000 when clean, R and the first error's note code otherwise.

    A duplicate (a warning: the interchange was received, not lost) is answered R/025.
    """
    for f in ic.findings:
        if f.is_error and f.kind.ta1:
            return "R", f.ack_code or f.kind.ta1
    if any(f.is_error for f in ic.findings):
        return "R", "024"
    for f in ic.findings:
        if f.code == "interchange.duplicate":
            return "R", "025"
    return "A", "000"


def can_send_ta1(ic: InterchangeResult) -> bool:
    """A TA1 needs a readable ISA13 (nine digits) and a sender to address it to."""
    return len(ic.control_number) == 9 and ic.control_number.isdigit() and bool(ic.sender[1])


def build_ta1(
    ic: InterchangeResult, numbers: Numbers, now: datetime, *, delimiters: X12Delimiters | None = None
) -> bytes | None:
    """An interchange holding the TA1 for ``ic``, or None when no TA1 can be addressed."""
    if not can_send_ta1(ic):
        return None
    version = _interchange_version(ic)
    d = ack_delimiters(ic, delimiters, repetition=version >= "00402")
    control = numbers("interchange")
    status, note = ta1_note(ic)
    date = ic.date if len(ic.date) == 6 and ic.date.isdigit() else now.strftime("%y%m%d")
    time = ic.time if len(ic.time) == 4 and ic.time.isdigit() else now.strftime("%H%M")
    segs: list[list[Element]] = [
        _isa(ic, d, control, now, version),
        ["TA1", ic.control_number, date, time, status, note],
        ["IEA", "0", f"{control:09d}"],
    ]
    return serialize_bytes(segs, d)
