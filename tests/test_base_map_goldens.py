"""Golden files per base map: what each map writes for a known document, and what it reads back.

For every base map, a document of its type, read from our own samples, is written with the map
and read again. The golden file pins both the segments written and the document read. Set
``EDIGW_UPDATE_GOLDEN=1`` to rewrite them after a deliberate change, and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gateway.edi.transactions import iter_transactions
from gateway.mapping import load_map, render_transaction, translate_transaction
from gateway.mapping.maps import Map

from .conftest import ROOT, SAMPLES
from .test_mapping_roundtrip import reread, synthetic

BASE = ROOT / "maps" / "base"
GOLDEN = Path(__file__).parent / "golden" / "base"
SOURCES = [
    SAMPLES / "850-requisition.edi",
    *sorted((ROOT / "partners" / "meridian" / "samples").glob("*.edi")),
    *sorted((ROOT / "partners" / "alpenmed" / "samples").glob("*.edi")),
]


def documents() -> dict[str, Any]:
    """One document per type, from our own samples, each read with its own base map."""
    found: dict[str, Any] = {}
    for path in SOURCES:
        for tx in iter_transactions(path.read_bytes()):
            base = BASE / tx.standard / tx.set_id / f"{tx.version}.toml"
            if not base.is_file():
                continue
            m = load_map(base)
            doc = translate_transaction(tx, m).document
            if doc is not None:
                found.setdefault(m.document, doc)
    return found


#: Fields that keep the code a value came with, for writing back with the same map.
RAW_CODES = ("qualifier", "status_code", "order_type_code")


def canonical(doc: Any) -> Any:
    """The document without the raw codes it came with (qualifiers, status codes): as an ERP would send it."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in RAW_CODES}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return type(doc).model_validate(strip(doc.model_dump(exclude_unset=True)))


DOCUMENTS = {name: canonical(doc) for name, doc in documents().items()}


def text(segments: list[list[str | tuple[str, ...]]], m: Map) -> list[str]:
    sep, comp = ("*", ">") if m.standard == "x12" else ("+", ":")
    return [sep.join(comp.join(e) if isinstance(e, tuple) else e for e in seg) for seg in segments]


@pytest.mark.parametrize("map_path", sorted(BASE.rglob("*.toml")), ids=lambda p: str(p.relative_to(BASE)))
def test_base_map_golden(map_path: Path) -> None:
    m = load_map(map_path)
    source = DOCUMENTS[m.document]
    body = render_transaction(source, m)
    again = translate_transaction(reread(m, body, synthetic(m)), m)
    assert again.document is not None, again.findings
    actual = {
        "written": text(body, m),
        "read_back": json.loads(again.document.model_copy(update={"provenance": source.provenance}).model_dump_json()),
    }
    golden = GOLDEN / map_path.relative_to(BASE).with_suffix(".json")
    rendered = json.dumps(actual, indent=2, sort_keys=True) + "\n"
    if os.environ.get("EDIGW_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered)
    assert golden.is_file(), f"{golden} missing: run with EDIGW_UPDATE_GOLDEN=1 and review it"
    assert golden.read_text() == rendered


#: Base maps whose outbound transactions are not yet valid against their own schema, and why.
OUTBOUND_INVALID: dict[str, str] = {}


def _valid_case(path: Path) -> object:
    name = str(path.relative_to(BASE))
    marks = [pytest.mark.xfail(strict=True, reason=OUTBOUND_INVALID[name])] if name in OUTBOUND_INVALID else []
    return pytest.param(path, id=name, marks=marks)


@pytest.mark.parametrize("map_path", [_valid_case(p) for p in sorted(BASE.rglob("*.toml"))])
def test_what_a_base_map_writes_is_valid(map_path: Path) -> None:
    from gateway.edi.validation import validate

    m = load_map(map_path)
    tx = reread(m, render_transaction(DOCUMENTS[m.document], m), synthetic(m))
    segments = tx.segments
    segments[-1][1] = str(len(segments))
    assert tx.schema is not None
    errors = [f.message for f in validate(segments, tx.schema, tx.dialect) if f.is_error]
    assert errors == []
