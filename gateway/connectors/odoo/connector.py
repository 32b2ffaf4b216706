"""The Odoo connector: canonical documents posted to Odoo exactly once, behind the ``Connector`` protocol.

This first slice posts an 850 (:class:`~gateway.documents.PurchaseOrder`) as a ``purchase.order``:

1. **search by key**: ``purchase.order`` whose ``origin`` is the business key's text (one ``search_read``,
   which also gives the state to resume from);
2. **create** the PO with all its lines (one ``create``, one transaction);
3. **confirm** it (``button_confirm``), unless the connector leaves POs as RFQs.

On a warm cache (vendor, products and units already looked up by this connector) that is three calls.
A retry resumes at the step that did not happen: a PO found in draft is confirmed, never created again.

Why ``origin`` and not an ``ir.model.data`` external id: over JSON-2 each call is its own transaction, and
Odoo's ``create`` cannot give the new record an external id in the same call. Writing the external id
afterwards leaves a window (PO committed, id not yet) in which a crash makes the PO invisible to the next
search, so the retry would create a second PO, the one thing the key is for; it would also cost a fourth
call. ``origin`` ("Source Document") is written in the same transaction as the PO, is what Odoo means it
for, and is searchable together with the state. ``partner_ref`` (the vendor's order number) is left alone.

When a call fails and Odoo may have applied it (``committed`` is None or True: a timeout, a dropped
connection, a 500, an XML-RPC result lost after the commit), the connector searches by key again before
anything else, and carries on from what it finds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ...documents.models import PurchaseOrder, PurchaseOrderLine
from ...partners import Partner
from ...partners.crosswalks import ITEMS, PARTIES, UOM
from ..base import BusinessKey, ConnectorError, PermanentError, Posted
from .client import OdooClient

PO = "purchase.order"
#: PO states in which the PO is still an RFQ, to be confirmed ("to approve" waits for a person in Odoo)
DRAFT_STATES = frozenset({"draft", "sent"})
CONFIRMED_STATES = frozenset({"purchase", "done"})
#: document parties that name the vendor, in the order they are trusted
VENDOR_ROLES = ("vendor", "seller", "supplier")
# a date-only value sent as midday UTC, so it shows as the same day in every timezone within ±11 h
MIDDAY = dt.time(12, 0, tzinfo=dt.UTC)

#: partner name -> the trading partner (its profile and crosswalks); None when unknown
Resolver = Callable[[str], Partner | None]


@dataclass(frozen=True, slots=True)
class _Found:
    id: int
    name: str
    state: str


@dataclass(frozen=True, slots=True)
class _Line:
    """One document line, resolved through the crosswalks, before Odoo's ids are known."""

    number: str
    sku: str  # the vendor's code (product.supplierinfo product_code); "" when the line has none
    product_code: str  # our product code (product.product default_code)
    quantity: Decimal
    price: Decimal | None
    uom: str  # our unit's name in Odoo; "" for the product's purchase unit
    date: dt.date | None


def _unwrap(value: Any) -> int | None:
    """A many2one as read (``[id, "name"]`` or ``false``) as its id."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], int):
        return value[0]
    return None


class OdooConnector:
    """Posts canonical documents to Odoo through an :class:`~gateway.connectors.odoo.OdooClient`.

    ``resolve`` gives the trading partner (profile and crosswalks) a key names; ``confirm`` says whether a new
    PO is confirmed (``button_confirm``) or left as an RFQ. Vendor, product and unit ids are cached for the
    connector's lifetime; a failed lookup is not, so a fix in Odoo is seen by the next post.
    """

    name = "odoo"

    def __init__(self, client: OdooClient, *, resolve: Resolver, confirm: bool = True) -> None:
        self.client = client
        self._resolve = resolve
        self.confirm = confirm
        self._vendors: dict[str, int] = {}  # vendor reference -> res.partner id
        self._by_sku: dict[tuple[int, str], int] = {}  # (vendor id, vendor code) -> product.product id
        self._by_code: dict[str, int] = {}  # our product code -> product.product id
        self._uoms: dict[str, int] = {}  # unit name -> uom.uom id

    def __repr__(self) -> str:
        return f"OdooConnector({self.client!r}, confirm={self.confirm})"

    # ------------------------------------------------------------ the Connector protocol

    def post(self, key: BusinessKey, document: BaseModel) -> Posted:
        """Write ``document`` under ``key`` once. Raises TransientError (retry) or PermanentError (review)."""
        if not isinstance(document, PurchaseOrder) or key.doc_type != "purchase_order":
            raise PermanentError(
                f"the Odoo connector posts purchase orders only so far, not {key.doc_type} ({key.text}): "
                "handle this document by hand in Odoo"
            )
        return self._post_order(key, document)

    # ------------------------------------------------------------ 850 -> purchase.order

    def _post_order(self, key: BusinessKey, order: PurchaseOrder) -> Posted:
        found = self._find(key)
        if found is not None:
            return self._finish(key, found, already=True)
        if order.purpose != "original":
            raise PermanentError(
                f"PO {order.po_number} is a{'n' if order.purpose[0] in 'aeiou' else ''} {order.purpose} "
                f"(key {key.text}): the Odoo connector creates new orders only so far; apply it in Odoo by hand"
            )
        vals = self._order_vals(key, order)
        try:
            created = self.client.create(PO, [vals])
        except ConnectorError as exc:
            if getattr(exc, "committed", False) is False:
                raise
            # Odoo may have created it: look before anything else, never create again blindly
            found = self._find(key)
            if found is None:
                raise
            return self._finish(key, found, already=False)
        # a PO just created is a draft: no read needed before confirming it
        return self._finish(key, _Found(created[0], "", "draft"), already=False)

    def _find(self, key: BusinessKey) -> _Found | None:
        rows = self.client.search_read(PO, [["origin", "=", key.text]], ["name", "state"], limit=2, order="id")
        if len(rows) > 1:
            names = ", ".join(str(r["name"]) for r in rows)
            raise PermanentError(
                f"more than one purchase order in Odoo carries the key {key.text} as its source document "
                f"({names}): cancel the extra one and clear its Source Document, then post again"
            )
        if not rows:
            return None
        return _Found(int(rows[0]["id"]), str(rows[0]["name"]), str(rows[0]["state"]))

    def _finish(self, key: BusinessKey, found: _Found, *, already: bool) -> Posted:
        """Resume at the step that has not happened: confirm a draft PO when the connector confirms."""
        if found.state == "cancel":
            raise PermanentError(
                f"purchase order {found.name} (key {key.text}) was cancelled in Odoo; the partner sent it again: "
                "decide in Odoo whether to reopen it (Set to Draft) and post again"
            )
        if self.confirm and found.state in DRAFT_STATES:
            self._confirm(key, found.id)
        return Posted(references=(f"{PO},{found.id}",), already=already)

    def _confirm(self, key: BusinessKey, po_id: int) -> None:
        try:
            self.client.call(PO, "button_confirm", ids=[po_id])
        except ConnectorError as exc:
            if getattr(exc, "committed", False) is False:
                raise
            found = self._find(key)
            if found is None or found.state not in CONFIRMED_STATES:
                raise

    # ------------------------------------------------------------ building the PO

    def _order_vals(self, key: BusinessKey, order: PurchaseOrder) -> dict[str, Any]:
        partner = self._resolve(key.partner)
        if partner is None:
            raise PermanentError(f"no trading partner named {key.partner!r}: add its folder under partners/")
        vendor, vendor_ref = self._vendor(partner, order)
        lines = [self._line(partner, order, line) for line in order.lines]
        if not lines:
            raise PermanentError(f"PO {order.po_number} has no lines: nothing to order")
        products = self._products(partner, vendor, vendor_ref, lines)
        uoms = self._uom_ids(partner, {line.uom for line in lines if line.uom})
        vals: dict[str, Any] = {"partner_id": vendor, "origin": key.text}
        if order.order_date is not None:
            vals["date_order"] = dt.datetime.combine(order.order_date, MIDDAY)
        commands: list[list[Any]] = []
        for line, product in zip(lines, products):
            row: dict[str, Any] = {"product_id": product, "product_qty": line.quantity}
            if line.price is not None:
                row["price_unit"] = line.price
            if line.uom:
                row["product_uom_id"] = uoms[line.uom]
            if line.date is not None:
                row["date_planned"] = dt.datetime.combine(line.date, MIDDAY)
            commands.append([0, 0, row])
        vals["order_line"] = commands
        return vals

    def _vendor(self, partner: Partner, order: PurchaseOrder) -> tuple[int, str]:
        """The vendor's res.partner id and reference: from the profile's ``odoo_vendor_ref`` or the party crosswalk."""
        ref, source = partner.profile.partner.odoo_vendor_ref, str(partner.profile_file)
        if not ref:
            for party in sorted(
                (p for p in order.parties if p.role in VENDOR_ROLES), key=lambda p: VENDOR_ROLES.index(p.role)
            ):
                match = partner.crosswalks.party_for(party.id_qualifier, party.id)
                if match is not None and match.kind == "vendor":
                    ref, source = match.our_ref, str(_crosswalk(partner, PARTIES))
                    break
        if not ref:
            raise PermanentError(
                f"the vendor of PO {order.po_number} is unknown: set odoo_vendor_ref in {partner.profile_file}, or "
                f"add the vendor party the order names to {_crosswalk(partner, PARTIES)} with kind vendor"
            )
        if ref in self._vendors:
            return self._vendors[ref], ref
        ids = self.client.search("res.partner", [["ref", "=", ref]], limit=2)
        if len(ids) != 1:
            what = "no vendor" if not ids else "more than one contact"
            raise PermanentError(
                f"{what} with reference {ref} in Odoo: set it as the Reference of exactly one vendor contact in "
                f"Odoo, or fix it in {source}"
            )
        self._vendors[ref] = ids[0]
        return ids[0], ref

    def _line(self, partner: Partner, order: PurchaseOrder, line: PurchaseOrderLine) -> _Line:
        number = line.line_number or str(order.lines.index(line) + 1)
        match = partner.crosswalks.item_for(line.item_ids)
        if match is None:
            ids = ", ".join(f"{i.kind} {i.value}" for i in line.item_ids) or "no item id"
            raise PermanentError(
                f"PO {order.po_number} line {number}: no item crosswalk row for {ids}: add it to "
                f"{_crosswalk(partner, ITEMS)}"
            )
        sku = next((i.value for i in line.item_ids if i.kind == "vendor_sku"), "")
        quantity, price, uom = line.quantity, line.unit_price, ""
        if line.uom:
            unit = partner.crosswalks.uom_for(line.uom)
            if unit is None:
                raise PermanentError(
                    f"PO {order.po_number} line {number}: no unit crosswalk row for {line.uom}: add it to "
                    f"{_crosswalk(partner, UOM)}"
                )
            quantity, uom = unit.to_ours(line.quantity), unit.uom
            if price is not None:
                price = price / unit.factor
        date = line.requested_date or order.requested_delivery_date
        return _Line(number, sku, match.product_code, quantity, price, uom, date)

    def _products(self, partner: Partner, vendor: int, vendor_ref: str, lines: Sequence[_Line]) -> list[int]:
        """Each line's product.product id, by the vendor's code (supplierinfo) or else by our product code.

        One batched read per kind of lookup, and only for what the cache does not hold.
        """
        skus = sorted({li.sku for li in lines if li.sku and (vendor, li.sku) not in self._by_sku})
        if skus:
            self._read_supplierinfo(vendor, skus)
        codes = sorted({li.product_code for li in lines if not li.sku and li.product_code not in self._by_code})
        if codes:
            rows = self.client.search_read("product.product", [["default_code", "in", codes]], ["default_code"])
            for row in rows:
                self._by_code.setdefault(str(row["default_code"]), int(row["id"]))
        missing: list[str] = []
        out: list[int] = []
        for li in lines:
            product = self._by_sku.get((vendor, li.sku)) if li.sku else self._by_code.get(li.product_code)
            if product is None:
                if li.sku:
                    missing.append(
                        f"line {li.number}: no product.supplierinfo with product_code {li.sku} for vendor "
                        f"{vendor_ref}: add it in Odoo (the vendor line of product {li.product_code}) or fix "
                        f"{_crosswalk(partner, ITEMS)}"
                    )
                else:
                    missing.append(
                        f"line {li.number}: no product with internal reference {li.product_code} in Odoo: add it "
                        f"in Odoo or fix {_crosswalk(partner, ITEMS)}"
                    )
                continue
            out.append(product)
        if missing:
            raise PermanentError("; ".join(missing))
        return out

    def _read_supplierinfo(self, vendor: int, skus: Sequence[str]) -> None:
        rows = self.client.search_read(
            "product.supplierinfo",
            [["partner_id", "=", vendor], ["product_code", "in", list(skus)]],
            ["product_code", "product_id", "product_tmpl_id"],
        )
        templates: dict[int, str] = {}
        for row in rows:
            code, product = str(row["product_code"]), _unwrap(row.get("product_id"))
            if product is not None:
                self._by_sku.setdefault((vendor, code), product)
            elif (template := _unwrap(row.get("product_tmpl_id"))) is not None:
                templates.setdefault(template, code)
        pending = {t: c for t, c in templates.items() if (vendor, c) not in self._by_sku}
        if pending:
            # a vendor line on the template applies to every variant: usable when there is only one
            variants = self.client.search_read(
                "product.product", [["product_tmpl_id", "in", sorted(pending)]], ["product_tmpl_id"]
            )
            by_template: dict[int, list[int]] = {}
            for row in variants:
                template = _unwrap(row.get("product_tmpl_id"))
                if template is not None:
                    by_template.setdefault(template, []).append(int(row["id"]))
            for template, code in pending.items():
                found = by_template.get(template, [])
                if len(found) == 1:
                    self._by_sku[(vendor, code)] = found[0]

    def _uom_ids(self, partner: Partner, names: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(names) - set(self._uoms))
        if wanted:
            for row in self.client.search_read("uom.uom", [["name", "in", wanted]], ["name"]):
                self._uoms.setdefault(str(row["name"]), int(row["id"]))
        missing = [n for n in sorted(set(names)) if n not in self._uoms]
        if missing:
            raise PermanentError(
                f"no unit of measure named {', '.join(missing)} in Odoo: create it in Odoo (Inventory > "
                f"Configuration > Units of Measure) or fix the uom column of {_crosswalk(partner, UOM)}"
            )
        return {n: self._uoms[n] for n in names}


def _crosswalk(partner: Partner, name: str) -> Path:
    return partner.folder / "crosswalks" / name
