"""Order-ack line statuses both ways: what each 855 and ORDRSP map keeps, and what EDIFACT loses.

The 855 has a code for every canonical status (ACK01). EDIFACT ORDRSP has one "changed" code
(LIN 1229 = 3) for five of them: a substitution survives (PIA 3 says so), a quantity change is
what code 3 reads as, and a price, date or backorder change comes back as a quantity change,
its new price, date and quantity intact. ``LOSSY`` is that documented loss (see the ORDRSP maps'
comment); every other status must come back as it went out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from gateway.documents import OrderAck
from gateway.documents.models import LineStatus
from gateway.mapping import load_map, render_transaction, translate_transaction

from .conftest import ROOT
from .test_mapping_roundtrip import reread, synthetic

MAPS = [
    ROOT / "maps" / "base" / "x12" / "855" / "004010.toml",
    ROOT / "maps" / "base" / "x12" / "855" / "005010.toml",
    ROOT / "maps" / "base" / "edifact" / "ORDRSP" / "D96A.toml",
    ROOT / "maps" / "base" / "edifact" / "ORDRSP" / "D01B.toml",
]
STATUSES: tuple[str, ...] = get_args(LineStatus)

#: (standard, status written) -> status read back, where the standard cannot say more.
LOSSY = {
    ("edifact", "price_changed"): "quantity_changed",
    ("edifact", "date_changed"): "quantity_changed",
    ("edifact", "backordered"): "quantity_changed",
}


def ack(status: str) -> OrderAck:
    line = {
        "line_number": "1",
        "status": status,
        "quantity": "10",
        "uom": "BX",
        "ordered_quantity": "12",
        "ordered_uom": "BX",
        "unit_price": "8.95",
        "schedule_date": "2026-12-04",
        "item_ids": [{"kind": "vendor_sku", "value": "MER-GLV-NIT-M"}],
        "description": "NITRILE EXAM GLOVES POWDER-FREE MEDIUM 100/BX",
    }
    if status == "substituted":
        line["substitute_item_ids"] = [{"kind": "vendor_sku", "value": "MER-GLV-NIT-L"}]
    return OrderAck.model_validate({"po_number": "PO-1", "lines": [line]})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("map_path", MAPS, ids=lambda p: str(p.relative_to(ROOT / "maps" / "base")))
def test_line_status_round_trip(map_path: Path, status: str) -> None:
    m = load_map(map_path)
    sent = ack(status)
    back = translate_transaction(reread(m, render_transaction(sent, m), synthetic(m)), m).document
    assert back is not None
    [line] = back.lines
    assert line.status == LOSSY.get((m.standard, status), status)
    # what changed travels in its own segments, whatever the status code could say
    assert (line.quantity, line.ordered_quantity, line.unit_price) == (Decimal("10"), Decimal("12"), Decimal("8.95"))
    assert (line.uom, line.ordered_uom, line.schedule_date) == ("BX", "BX", date(2026, 12, 4))
    assert line.description == "NITRILE EXAM GLOVES POWDER-FREE MEDIUM 100/BX"
    assert [i.value for i in line.substitute_item_ids] == (["MER-GLV-NIT-L"] if status == "substituted" else [])


def test_lossy_statuses_are_the_documented_ones() -> None:
    """Each lossy status is named in the ORDRSP maps' comment, so a reader of the map learns it."""
    for version in ("D96A", "D01B"):
        text = (ROOT / "maps" / "base" / "edifact" / "ORDRSP" / f"{version}.toml").read_text()
        for _, status in LOSSY:
            assert status in text.split("status = {")[0], (version, status)


def test_a_raw_status_code_goes_back_as_it_came() -> None:
    """A document read from ORDRSP keeps LIN 1229 in status_code: written with the same map, it is unchanged."""
    m = load_map(MAPS[2])
    sent = ack("price_changed").model_copy(deep=True)
    sent.lines[0].status_code = "6"
    [lin] = [seg for seg in render_transaction(sent, m) if seg[0] == "LIN"]
    assert lin[:3] == ["LIN", "1", "6"]
