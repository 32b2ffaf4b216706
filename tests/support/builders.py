"""Builders for inline X12 and EDIFACT test input.

Tests never read the real-world corpus: every interchange is written here, from parts, so
that a test shows exactly which bytes it feeds the reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: The fixed widths of ISA01..ISA16 (the ISA is 106 characters with its terminator).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def isa_elements(
    *,
    control: str = "000000001",
    version: str = "00401",
    repetition: str = "U",
    component: str = ":",
    sender: str = "SENDER",
    receiver: str = "RECEIVER",
    date: str = "240315",
    time: str = "1200",
    ack_requested: str = "0",
    usage: str = "P",
    pad: str = " ",
) -> list[str]:
    """ISA00..ISA16, each value padded with ``pad`` to its fixed width (``ISA`` first)."""
    values = [
        "00",
        "",
        "00",
        "",
        "ZZ",
        sender,
        "ZZ",
        receiver,
        date,
        time,
        repetition,
        version,
        control,
        ack_requested,
        usage,
        component,
    ]
    return ["ISA", *(v.ljust(w, pad) for v, w in zip(values, ISA_WIDTHS))]


def isa(element: str = "*", terminator: str = "~", **fields: str) -> str:
    """A standard ISA segment, 106 characters including ``terminator`` (no suffix)."""
    text = element.join(isa_elements(**fields))
    return text + terminator


def segments(segs: Iterable[Sequence[str]], element: str = "*", terminator: str = "~", suffix: str = "") -> str:
    """Segments (tag first) joined by ``element``, each followed by ``terminator`` and ``suffix``."""
    return "".join(element.join(seg) + terminator + suffix for seg in segs)


def transaction(control: str = "0001", body: Sequence[Sequence[str]] = (), set_id: str = "850") -> list[list[str]]:
    """ST, ``body`` and an SE whose count and control number match."""
    segs = [["ST", set_id, control], *[list(s) for s in body]]
    segs.append(["SE", str(len(segs) + 1), control])
    return segs


DEFAULT_BODY = (("BEG", "00", "SA", "PO1", "", "20240315"), ("CUR", "BY", "USD"))


def group(
    control: str = "1",
    transactions: Sequence[Sequence[Sequence[str]]] | None = None,
    functional_id: str = "PO",
    version: str = "004010",
) -> list[list[str]]:
    """GS, the transactions and a GE whose count and control number match."""
    if transactions is None:
        transactions = [transaction(body=DEFAULT_BODY)]
    segs = [["GS", functional_id, "SENDER", "RECEIVER", "20240315", "1200", control, "X", version]]
    for txn in transactions:
        segs.extend(list(s) for s in txn)
    segs.append(["GE", str(len(transactions)), control])
    return segs


def x12(
    groups: Sequence[Sequence[Sequence[str]]] | None = None,
    *,
    element: str = "*",
    terminator: str = "~",
    suffix: str = "",
    control: str = "000000001",
    trailer: bool = True,
    **isa_fields: str,
) -> str:
    """One whole interchange as text: ISA, the groups (one 850 group by default) and IEA."""
    if groups is None:
        groups = [group()]
    text = isa(element, terminator, control=control, **isa_fields) + suffix
    body: list[Sequence[str]] = [s for g in groups for s in g]
    if trailer:
        body.append(["IEA", str(len(groups)), control])
    return text + segments(body, element, terminator, suffix)


def x12_bytes(groups: Sequence[Sequence[Sequence[str]]] | None = None, **kwargs: str) -> bytes:
    """:func:`x12` encoded as UTF-8."""
    return x12(groups, **kwargs).encode("utf-8")


EdifactElement = str | tuple[str, ...]

DEFAULT_MESSAGE: tuple[tuple[EdifactElement, ...], ...] = (
    ("UNH", "1", ("ORDERS", "D", "96A", "UN")),
    ("BGM", "220", "PO1", "9"),
    ("DTM", ("137", "20240315", "102")),
    ("UNT", "4", "1"),
)


def edifact(
    messages: Sequence[Sequence[Sequence[EdifactElement]]] | None = None,
    *,
    una: str | None = "UNA:+.? '",
    control: str = "1",
    suffix: str = "",
    trailer: bool = True,
) -> str:
    """One EDIFACT interchange: optional UNA, UNB, the messages and UNZ.

    Segments are written with the service characters of ``una`` (the syntax defaults when it
    is None); an element is a string or a tuple of components. Values are written as given:
    escape them yourself.
    """
    component, element, terminator = (una[3], una[4], una[8]) if una else (":", "+", "'")
    if messages is None:
        messages = [DEFAULT_MESSAGE]
    segs: list[Sequence[EdifactElement]] = [
        ("UNB", ("UNOC", "3"), ("SENDER", "ZZ"), ("RECEIVER", "ZZ"), ("240315", "1200"), control)
    ]
    for m in messages:
        segs.extend(m)
    if trailer:
        segs.append(("UNZ", str(len(messages)), control))
    text = una + suffix if una else ""
    for seg in segs:
        parts = [p if isinstance(p, str) else component.join(p) for p in seg]
        text += element.join(parts) + terminator + suffix
    return text
