"""Maps both ways: inbound, then outbound, then inbound again gives the same document.

Runs every base map over every file we have for its set and version: the repo's samples and
the shared corpus (read in place). Translation problems must be findings, never exceptions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.edi.delimiters import EdifactDelimiters, X12Delimiters
from gateway.edi.edifact.dialect import EdifactDialect
from gateway.edi.transactions import RawTransaction, iter_transactions
from gateway.edi.x12.dialect import X12Dialect
from gateway.mapping import load_map, render_transaction, translate_transaction
from gateway.mapping.maps import Map

from .conftest import ROOT, SAMPLES, corpus_files

BASE = ROOT / "maps" / "base"


def base_maps() -> list[Path]:
    return sorted(BASE.rglob("*.toml"))


def inputs() -> list[Path]:
    return sorted(SAMPLES.glob("*.edi")) + corpus_files()


def transactions_for(m: Map) -> list[tuple[Path, RawTransaction]]:
    out = []
    for path in inputs():
        for tx in iter_transactions(path.read_bytes()):
            if (tx.standard, tx.set_id, tx.version) == (m.standard, m.set_id, m.version) and tx.schema is not None:
                out.append((path, tx))
    return out


def borrowed(m: Map) -> list[tuple[Path, RawTransaction]]:
    """Transactions written by ``m`` from documents that a sibling map (same set, other version) read."""
    out = []
    for sibling_path in sorted((BASE / m.standard / m.set_id).glob("*.toml")):
        sibling = load_map(sibling_path)
        if sibling.version == m.version:
            continue
        for path, tx in transactions_for(sibling):
            first = translate_transaction(tx, sibling)
            if first.document is None:
                continue
            shell = synthetic(m)
            out.append((path, reread(m, render_transaction(first.document, m), shell)))
    return out


def synthetic(m: Map) -> RawTransaction:
    """An empty transaction of ``m``'s set and version, with default delimiters, to render into."""
    if m.standard == "x12":
        dialect: object = X12Dialect(X12Delimiters("*", ">", "~"), m.version)
        head, tail = ["ST", m.set_id, "0001"], ["SE", "0", "0001"]
    else:
        dialect = EdifactDialect(EdifactDelimiters(), m.version)
        head, tail = ["UNH", "1", f"{m.set_id}:D:{m.version[1:]}:UN"], ["UNT", "0", "1"]
    return RawTransaction(m.standard, m.set_id, m.version, [head, tail], dialect, ("", ""), ("", ""), "", "", "", "P")  # type: ignore[arg-type]


def reread(m: Map, body: list[list[str | tuple[str, ...]]], tx: RawTransaction) -> RawTransaction:
    """The rendered body as a transaction again, read with the same dialect."""
    d = tx.dialect
    escape = getattr(d, "escape", lambda v: v)  # EDIFACT values go back in escaped
    comp = d.delimiters.component  # type: ignore[attr-defined]
    segs: list[list[str]] = [tx.segments[0]]
    for seg in body:
        row = [str(seg[0])]
        for el in seg[1:]:
            row.append(comp.join(escape(c) for c in el) if isinstance(el, tuple) else escape(el))
        segs.append(row)
    segs.append(tx.segments[-1])
    return RawTransaction(
        tx.standard,
        tx.set_id,
        tx.version,
        segs,
        d,
        tx.sender,
        tx.receiver,
        tx.interchange_control,
        tx.group_control,
        tx.transaction_control,
        tx.usage,
    )


@pytest.mark.parametrize("map_path", base_maps(), ids=lambda p: str(p.relative_to(BASE)))
def test_base_map_round_trip(map_path: Path) -> None:
    m = load_map(map_path)
    cases = transactions_for(m)
    if not cases:
        cases = borrowed(m)  # no file in this version: documents read from the set's other version
    assert cases, f"no input at all for {m.standard} {m.set_id}"
    for path, tx in cases:
        first = translate_transaction(tx, m)
        if first.document is None:
            assert first.findings, path  # a document that cannot be built says why
            continue
        body = render_transaction(first.document, m)
        second = translate_transaction(reread(m, body, tx), m)
        assert second.document is not None, (path, second.findings)
        assert second.document == first.document, path
