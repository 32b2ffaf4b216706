"""What the Odoo connector's parts share: the records it reads from Odoo, a document line resolved through the
crosswalks, the context of one post, and small conversions of Odoo's values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...edi.findings import Finding
from ...partners import Partner
from ...partners.profile import OdooSettings
from ...partners.registry import CROSSWALKS
from ..base import BusinessKey, ConnectorError, PermanentError

PO = "purchase.order"
POL = "purchase.order.line"
#: PO states in which the PO is still an RFQ, to be confirmed ("to approve" waits for a person in Odoo)
DRAFT_STATES = frozenset({"draft", "sent"})
CONFIRMED_STATES = frozenset({"purchase", "done"})
#: document purposes that are the document itself, not a change or cancellation of one sent before
ORIGINALS = frozenset({"original"})
#: document parties that name the vendor, in the order they are trusted
VENDOR_ROLES = ("vendor", "seller", "supplier", "remit_to", "ship_from")
# a date-only value sent as midday UTC, so it shows as the same day in every timezone within ±11 h
MIDDAY = dt.time(12, 0, tzinfo=dt.UTC)
ORDER_LINE_FIELDS = (
    "product_id",
    "product_qty",
    "price_unit",
    "qty_received",
    "qty_invoiced",
    "date_planned",
    "product_uom_id",
    "tax_ids",
    "name",
)

#: partner name -> the trading partner (its profile and crosswalks); None when unknown
Resolver = Callable[[str], Partner | None]


@dataclass(frozen=True, slots=True)
class Order:
    """A purchase order as read from Odoo."""

    id: int
    name: str
    state: str


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A PO line as read from Odoo, in the PO line's unit."""

    id: int
    product: int
    quantity: Decimal
    price: Decimal
    received: Decimal
    invoiced: Decimal
    date_planned: str  # Odoo's naive UTC "YYYY-MM-DD HH:MM:SS"
    uom: str  # the unit's name
    uom_id: int
    taxes: tuple[int, ...]
    label: str


@dataclass(frozen=True, slots=True)
class Line:
    """One document line, resolved through the partner's crosswalks, in our units, before Odoo's ids are known."""

    number: str
    sku: str  # the vendor's code (product.supplierinfo product_code); "" when the line has none
    product_code: str  # our product code (product.product default_code)
    quantity: Decimal
    price: Decimal | None
    uom: str  # our unit's name in Odoo; "" for the product's purchase unit
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class Context:
    """What every post needs: the trading partner, its ``[odoo]`` settings and its vendor in Odoo."""

    key: BusinessKey
    partner: Partner
    settings: OdooSettings
    vendor: int
    vendor_ref: str
    what: str  # the document, as messages name it: "invoice MER-INV-5507731"


def unwrap(value: Any) -> int | None:
    """A many2one as read (``[id, "name"]`` or ``false``) as its id."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], int):
        return value[0]
    return None


def label_of(value: Any) -> str:
    """A many2one as read, as its display name ("" when empty)."""
    if isinstance(value, list | tuple) and len(value) > 1:
        return str(value[1])
    return ""


def number(value: Any) -> Decimal:
    """A float as Odoo sends it, as a Decimal of the same digits."""
    return Decimal(str(value)) if value not in (None, False) else Decimal(0)


def figure(value: Decimal | None) -> str:
    """A quantity or price as a person writes it: ``12``, ``4.21`` ("" for none)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def odoo_date(day: dt.date) -> dt.datetime:
    """A date-only value as the datetime the connector writes for it."""
    return dt.datetime.combine(day, MIDDAY)


def crosswalk_file(partner: Partner, name: str) -> Path:
    return partner.folder / CROSSWALKS / name


def refused(message: str, findings: Sequence[Finding]) -> PermanentError:
    """A PermanentError for a document that failed business checks: nothing was written."""
    details = "; ".join(f.message for f in findings[:5]) + ("; …" if len(findings) > 5 else "")
    return PermanentError(f"{message}: {details}", findings=tuple(findings))


def only(purpose: str, allowed: frozenset[str], what: str, rule: str) -> None:
    """Refuse a document whose purpose (original, change, cancel ...) the connector does not apply, saying ``rule``."""
    if purpose not in allowed:
        article = "an" if purpose[:1] in ("a", "e", "i", "o", "u") else "a"
        raise PermanentError(f"{what} is {article} {purpose}: {rule}")


def may_have_applied(exc: ConnectorError) -> bool:
    """Whether Odoo may have applied the call that failed (read again before anything else)."""
    return getattr(exc, "committed", False) is not False


def key_note(key: BusinessKey) -> str:
    """How a chatter note names a key: searchable with ``like``, and plain text (nothing HTML would escape)."""
    text = key.text
    for char in "&<>\"'":  # what Odoo's HTML escaping of a plain-text body would change
        text = text.replace(char, f"%{ord(char):02X}")
    return "edigw " + text
