"""Canonical business documents: PurchaseOrder, OrderAck, ShipNotice, Invoice.

Typed with pydantic v2. Money and quantities are ``Decimal``; dates are ``date``, times are
timezone-aware. Every document carries its :class:`Provenance`. JSON in and out with a stable
schema; ``python -m gateway.documents.jsonschema`` writes the published JSON Schema files.
"""

from __future__ import annotations

from .models import (
    DOCUMENT_TYPES,
    AllowanceCharge,
    Document,
    Invoice,
    InvoiceLine,
    ItemId,
    OrderAck,
    OrderAckLine,
    Party,
    Provenance,
    PurchaseOrder,
    PurchaseOrderLine,
    ShipNotice,
    ShipNoticeItem,
    document_class,
)

__all__ = [
    "DOCUMENT_TYPES",
    "AllowanceCharge",
    "Document",
    "Invoice",
    "InvoiceLine",
    "ItemId",
    "OrderAck",
    "OrderAckLine",
    "Party",
    "Provenance",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ShipNotice",
    "ShipNoticeItem",
    "document_class",
]
