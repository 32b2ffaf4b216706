"""Transactions with their segments, for the layers that need the content (maps), not just the verdict.

:func:`iter_transactions` reads X12 or EDIFACT and yields each transaction's segments with its
envelope identity and the dialect to read its values with. Validation and acks stay with
:func:`gateway.edi.check.check`; this is the reader's other face.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from .check import sniff
from .delimiters import EdifactDelimiters
from .edifact.dialect import EdifactDialect
from .edifact.tokenizer import EdifactTokenizer, ServiceAdvice, split_escaped, unescape
from .schema import TransactionSchema, edifact_schema, x12_base_version, x12_schema
from .source import Source
from .validation import Dialect
from .x12.dialect import X12Dialect
from .x12.envelope import InterchangeStart, TransactionRead, read_x12


@dataclass(slots=True)
class RawTransaction:
    """One ST..SE or UNH..UNT with who sent it, under which control numbers, and how to read it."""

    standard: str
    set_id: str
    version: str  # X12 base version (004010) or EDIFACT directory (D96A)
    segments: list[list[str]]
    dialect: Dialect
    sender: tuple[str, str]
    receiver: tuple[str, str]
    interchange_control: str
    group_control: str
    transaction_control: str
    usage: str

    @property
    def schema(self) -> TransactionSchema | None:
        if self.standard == "x12":
            return x12_schema(self.set_id, self.version)
        return edifact_schema(self.set_id, self.version)


def iter_transactions(source: Source) -> Iterator[RawTransaction]:
    """Every transaction in ``source``, in order. Envelope errors are :func:`check`'s business, not this."""
    data = source if isinstance(source, bytes | bytearray | memoryview) else source.read()
    head = bytes(data[:8192])
    if sniff(head) == "edifact":
        yield from _edifact(io.BytesIO(bytes(data)))
    else:
        yield from _x12(io.BytesIO(bytes(data)))


def _x12(stream: io.BytesIO) -> Iterator[RawTransaction]:
    dialects: dict[str, X12Dialect] = {}
    for event in read_x12(stream):
        if isinstance(event, InterchangeStart):
            dialects = {}
        if not isinstance(event, TransactionRead):
            continue
        txn = event.transaction
        group, ic = txn.group, txn.group.interchange
        h = ic.header
        version = x12_base_version(group.version)
        dialect = dialects.get(version)
        if dialect is None:
            dialect = dialects[version] = X12Dialect(h.delimiters, version)
        yield RawTransaction(
            standard="x12",
            set_id=txn.set_id,
            version=version,
            segments=txn.segments,
            dialect=dialect,
            sender=(h.value(5), h.value(6)),
            receiver=(h.value(7), h.value(8)),
            interchange_control=h.control_number,
            group_control=group.control_number,
            transaction_control=txn.control_number,
            usage=h.value(15),
        )


def _parts(value: str, d: EdifactDelimiters) -> list[str]:
    return [unescape(p, d.release) for p in split_escaped(value, d.component, d.release)]


def _edifact(stream: io.BytesIO) -> Iterator[RawTransaction]:
    d = EdifactDelimiters()
    unb: list[str] = []
    ung: list[str] = []
    message: list[list[str]] | None = None
    for tok in EdifactTokenizer(stream):
        if isinstance(tok, ServiceAdvice):
            d, unb, ung, message = tok.delimiters, [], [], None
            continue
        if not isinstance(tok, list):
            continue
        tag = tok[0]
        if tag == "UNB":
            unb = tok
        elif tag == "UNG":
            ung = tok
        elif tag == "UNH":
            message = [tok]
        elif message is not None:
            message.append(tok)
            if tag == "UNT":
                ident = _parts(message[0][2] if len(message[0]) > 2 else "", d)
                directory = (ident[1] + ident[2]).replace(" ", "") if len(ident) > 2 else ""
                sender = _parts(unb[2], d) if len(unb) > 2 else [""]
                receiver = _parts(unb[3], d) if len(unb) > 3 else [""]
                yield RawTransaction(
                    standard="edifact",
                    set_id=ident[0] if ident else "",
                    version=directory,
                    segments=message,
                    dialect=EdifactDialect(d, directory),
                    sender=(sender[1] if len(sender) > 1 else "", sender[0]),
                    receiver=(receiver[1] if len(receiver) > 1 else "", receiver[0]),
                    interchange_control=unb[5] if len(unb) > 5 else "",
                    group_control=ung[5] if len(ung) > 5 else "",
                    transaction_control=message[0][1] if len(message[0]) > 1 else "",
                    usage="T" if len(unb) > 11 and unb[11] == "1" else "P",
                )
                message = None
