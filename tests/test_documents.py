"""Canonical documents: JSON in and out, Decimal money, and published JSON Schemas kept current."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from gateway.documents import DOCUMENT_TYPES, PurchaseOrder
from gateway.documents.jsonschema import DEFAULT_DIR, schemas


def test_published_json_schemas_are_current() -> None:
    for name, text in schemas().items():
        path = DEFAULT_DIR / name
        assert path.is_file(), f"{path} missing: run python -m gateway.documents.jsonschema"
        assert path.read_text() == text, f"{path} is stale: run python -m gateway.documents.jsonschema"


def test_json_round_trip_keeps_decimals_exact() -> None:
    po = PurchaseOrder.model_validate(
        {"po_number": "PO-1", "lines": [{"quantity": "12", "unit_price": "42.10", "uom": "CA"}]}
    )
    again = PurchaseOrder.model_validate_json(po.model_dump_json())
    assert again == po
    assert again.lines[0].unit_price == Decimal("42.10")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="ponumber"):
        PurchaseOrder.model_validate({"po_number": "1", "ponumber": "2"})


def test_every_document_carries_provenance() -> None:
    for cls in DOCUMENT_TYPES.values():
        assert "provenance" in cls.model_fields
