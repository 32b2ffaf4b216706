"""Pure builders of outbound envelopes: ISA/GS/ST..SE/GE/IEA and UNA/UNB/UNH..UNT/UNZ.

Control numbers come from the caller (``numbers(kind)``) and so does the time: the store's
allocator takes a number in the same transaction that queues the message, so a crash never
reuses one. The acks use :func:`isa_segment` too, so every ISA edigw writes is built in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .delimiters import EdifactDelimiters, X12Delimiters
from .edifact.writer import serialize as edifact_serialize
from .source import to_bytes
from .x12.writer import Element, isa_field, serialize_bytes

Numbers = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Address:
    """Who an interchange comes from or goes to: ISA qualifier + id (or UNB id + qualifier), GS id."""

    qualifier: str
    id: str
    group_id: str = ""


def isa_segment(
    sender: Address,
    receiver: Address,
    d: X12Delimiters,
    control: int,
    now: datetime,
    version: str,
    *,
    usage: str = "P",
    ack_requested: bool = False,
) -> list[Element]:
    """An ISA with every field at its fixed width."""
    return [
        "ISA",
        "00",
        isa_field("", 10),
        "00",
        isa_field("", 10),
        isa_field(sender.qualifier or "ZZ", 2),
        isa_field(sender.id, 15),
        isa_field(receiver.qualifier or "ZZ", 2),
        isa_field(receiver.id, 15),
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        d.repetition if version >= "00402" and d.repetition else "U",
        version,
        f"{control:09d}",
        "1" if ack_requested else "0",
        usage if usage in ("P", "T", "I") else "P",
        d.component,
    ]


def x12_interchange(
    functional_id: str,
    version: str,
    transactions: Sequence[tuple[str, Sequence[Sequence[Element]]]],
    *,
    sender: Address,
    receiver: Address,
    d: X12Delimiters,
    numbers: Numbers,
    now: datetime,
    usage: str = "P",
    ack_requested: bool = False,
) -> bytes:
    """One interchange with one group holding ``transactions`` ((set id, body segments) each)."""
    isa_version = "00501" if version >= "005010" else "00401"
    isa_control = numbers("interchange")
    group_control = numbers("group")
    segs: list[Sequence[Element]] = [
        isa_segment(sender, receiver, d, isa_control, now, isa_version, usage=usage, ack_requested=ack_requested),
        [
            "GS",
            functional_id,
            sender.group_id or sender.id,
            receiver.group_id or receiver.id,
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            str(group_control),
            "X",
            version,
        ],
    ]
    for set_id, body in transactions:
        control = f"{numbers('transaction'):04d}"
        segs.append(["ST", set_id, control])
        segs += list(body)
        segs.append(["SE", str(len(body) + 2), control])
    segs.append(["GE", str(len(transactions)), str(group_control)])
    segs.append(["IEA", "1", f"{isa_control:09d}"])
    return serialize_bytes(segs, d)


def edifact_interchange(
    messages: Sequence[tuple[tuple[str, ...], Sequence[Sequence[Element]]]],
    *,
    sender: Address,
    receiver: Address,
    d: EdifactDelimiters,
    numbers: Numbers,
    now: datetime,
    syntax: tuple[str, str] = ("UNOC", "3"),
    test: bool = False,
    una: bool | None = None,
) -> bytes:
    """One interchange of ``messages`` ((message identifier such as ("ORDERS","D","96A","UN"), body) each).

    ``una``: write the UNA service string advice or not; None writes it when ``d`` are not the defaults.
    """
    control = str(numbers("interchange"))
    four = syntax[1] == "4"
    unb: list[Element] = [
        "UNB",
        syntax,
        (sender.id, sender.qualifier),
        (receiver.id, receiver.qualifier),
        (now.strftime("%Y%m%d" if four else "%y%m%d"), now.strftime("%H%M")),
        control,
    ]
    if test:
        unb += ["", "", "", "", "", "1"]
    segs: list[Sequence[Element]] = [unb]
    for ident, body in messages:
        ref = str(numbers("transaction"))
        segs.append(["UNH", ref, ident])
        segs += list(body)
        segs.append(["UNT", str(len(body) + 2), ref])
    segs.append(["UNZ", str(len(messages)), control])
    return to_bytes(edifact_serialize(segs, d, una=una))
