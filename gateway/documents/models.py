"""The canonical document models (pydantic v2).

Field names are meanings (``po_number``), never element references (``BEG03``): maps connect
the two. Unknown fields are refused, so a map that writes a misspelt field fails loudly.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ItemKind = Literal[
    "vendor_sku",
    "buyer_item",
    "gtin",
    "upc",
    "ean",
    "ndc",
    "hibc",
    "manufacturer_part",
    "catalog",
    "other",
]
PartyRole = Literal[
    "buyer",
    "seller",
    "vendor",
    "supplier",
    "ship_to",
    "ship_from",
    "bill_to",
    "remit_to",
    "manufacturer",
    "carrier",
    "other",
]
Purpose = Literal["original", "change", "cancel", "replace", "confirmation", "duplicate", "other"]
#: What kind of order (X12 BEG02, EDIFACT BGM 1001), one vocabulary for both standards. Each map
#: lists its codes for these words; a code no map lists reads as "other", its raw code kept in
#: ``order_type_code``.
ORDER_TYPES = ("standalone", "blanket", "release", "rush", "consignment", "dropship", "other")
#: What an allowance or charge is for (X12 SAC02, EDIFACT ALC 7161), one vocabulary for both.
CHARGE_CODES = ("freight", "handling", "packing", "insurance", "tax", "discount", "other")
LineStatus = Literal[
    "accepted",
    "rejected",
    "backordered",
    "quantity_changed",
    "price_changed",
    "substituted",
    "date_changed",
    "other",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Provenance(_Model):
    """Where a document came from: partner, envelope control numbers and the archived bytes."""

    partner: str = ""
    standard: Literal["x12", "edifact", ""] = ""
    set_id: str = ""
    version: str = ""
    interchange_control: str = ""
    group_control: str = ""
    transaction_control: str = ""
    archive_sha256: str | None = None
    received_at: datetime | None = None


class ItemId(_Model):
    """One identifier of an item, by kind (vendor SKU, GTIN, NDC, ...)."""

    kind: ItemKind
    value: str
    qualifier: str = ""  # the code it came with (VP, EN, SA ...), kept for the way back


class Party(_Model):
    """A party with its role, identifiers and address."""

    role: PartyRole
    name: str = ""
    id_qualifier: str = ""
    id: str = ""
    address: list[str] = Field(default_factory=list)
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    qualifier: str = ""  # the raw role code (N101, NAD01)


class PurchaseOrderLine(_Model):
    line_number: str = ""
    quantity: Decimal
    uom: str = ""
    unit_price: Decimal | None = None
    item_ids: list[ItemId] = Field(default_factory=list)
    description: str = ""
    requested_date: date | None = None


class PurchaseOrder(_Model):
    """An order: from a hospital system or a vendor-managed-inventory supplier (850 / ORDERS)."""

    document_type: Literal["purchase_order"] = "purchase_order"
    po_number: str
    purpose: Purpose = "original"
    order_type: str = ""  # one of ORDER_TYPES, or "" when the order does not say
    order_type_code: str = ""  # the raw code (BEG02, BGM 1001), kept for the way back
    order_date: date | None = None
    requested_delivery_date: date | None = None
    currency: str = ""
    department: str = ""
    contract_number: str = ""
    parties: list[Party] = Field(default_factory=list)
    lines: list[PurchaseOrderLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)


class OrderAckLine(_Model):
    line_number: str = ""
    status: LineStatus = "accepted"
    status_code: str = ""  # the raw code (ACK01, or EDIFACT 1229/4343)
    quantity: Decimal | None = None
    ordered_quantity: Decimal | None = None
    uom: str = ""  # the unit of ``quantity``
    ordered_uom: str = ""  # the unit of ``ordered_quantity`` (PO103, QTY 21)
    unit_price: Decimal | None = None
    item_ids: list[ItemId] = Field(default_factory=list)
    substitute_item_ids: list[ItemId] = Field(default_factory=list)
    schedule_date: date | None = None
    description: str = ""


class OrderAck(_Model):
    """A supplier's acknowledgement of a PO, line by line (855 / ORDRSP)."""

    document_type: Literal["order_ack"] = "order_ack"
    po_number: str
    vendor_order_number: str = ""
    purpose: Purpose = "original"
    ack_type: str = ""  # BAK02 (AC, AD, RD...) or BGM 1225/4343
    ack_date: date | None = None
    po_date: date | None = None
    currency: str = ""
    parties: list[Party] = Field(default_factory=list)
    lines: list[OrderAckLine] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)


class ShipNoticeItem(_Model):
    po_number: str = ""
    line_number: str = ""
    item_ids: list[ItemId] = Field(default_factory=list)
    quantity: Decimal
    uom: str = ""
    lot: str = ""
    expiry_date: date | None = None
    pack_id: str = ""  # the SSCC/MAN or package mark it was packed under, when given


class ShipNotice(_Model):
    """An advance ship notice with lots and expiry dates (856 / DESADV)."""

    document_type: Literal["ship_notice"] = "ship_notice"
    asn_number: str
    purpose: Purpose = "original"
    asn_date: date | None = None  # when the notice itself was made (BSN03, DTM 137)
    asn_time: time | None = None  # its time of day, as the sender states it (BSN04)
    ship_date: date | None = None
    delivery_date: date | None = None
    carrier: str = ""
    tracking_number: str = ""
    po_numbers: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    items: list[ShipNoticeItem] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)


class InvoiceLine(_Model):
    line_number: str = ""
    quantity: Decimal
    uom: str = ""
    unit_price: Decimal
    item_ids: list[ItemId] = Field(default_factory=list)
    description: str = ""
    amount: Decimal | None = None


class AllowanceCharge(_Model):
    kind: Literal["allowance", "charge"]
    code: str = ""  # one of CHARGE_CODES
    qualifier: str = ""  # the raw code (SAC02, ALC 7161), kept for the way back
    amount: Decimal
    description: str = ""


class Invoice(_Model):
    """A vendor bill (810 / INVOIC)."""

    document_type: Literal["invoice"] = "invoice"
    invoice_number: str
    invoice_date: date | None = None
    purpose: Purpose = "original"
    po_number: str = ""
    po_date: date | None = None
    currency: str = ""
    terms: str = ""
    terms_net_days: int | None = None
    parties: list[Party] = Field(default_factory=list)
    lines: list[InvoiceLine] = Field(default_factory=list)
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    total: Decimal | None = None
    provenance: Provenance = Field(default_factory=Provenance)


Document = PurchaseOrder | OrderAck | ShipNotice | Invoice

DOCUMENT_TYPES: dict[str, type[PurchaseOrder] | type[OrderAck] | type[ShipNotice] | type[Invoice]] = {
    "PurchaseOrder": PurchaseOrder,
    "OrderAck": OrderAck,
    "ShipNotice": ShipNotice,
    "Invoice": Invoice,
}


def document_class(name: str) -> type[PurchaseOrder] | type[OrderAck] | type[ShipNotice] | type[Invoice]:
    """The model class for a map's ``document`` name."""
    return DOCUMENT_TYPES[name]
