"""The Odoo connector: canonical documents posted to Odoo exactly once, behind the ``Connector`` protocol.

What each document becomes (the calls are those of ../shared/odoo-contract/README.md):

- **850** → a ``purchase.order`` (this module): search by key, create with its lines, confirm.
- **855** → the acknowledgement of an existing PO (:mod:`.acks`).
- **856** → the PO's incoming receipt, with lots and expiry (:mod:`.receipts`).
- **810** → a vendor bill, after the three-way match (:mod:`.bills`, :mod:`.match`).

Where the key lives, so that a retry finds the record instead of making a second one:

- **850:** in the PO's ``origin`` ("Source Document"). It is written in the same transaction as the PO, is
  what Odoo means it for, and is searchable together with the state. An ``ir.model.data`` external id cannot
  be given in the same ``create`` call over JSON-2, so writing it afterwards would leave a window (PO
  committed, id not yet) in which a crash makes the PO invisible to the retry; it also costs a call and
  rights the integration user should not need. ``partner_ref`` (the vendor's order number) is left alone.
- **855 / 856:** in a chatter note on the PO / receipt that names the key, posted last (855) or before the
  receipt is validated (856). Every write before it sets absolute values, so repeating them is harmless.
- **810:** Odoo's own vendor-reference rule: one bill per vendor and ``ref`` (the supplier invoice number).

When a call fails and Odoo may have applied it (``committed`` is None or True: a timeout, a dropped
connection, a 500, an XML-RPC result lost after the commit), the connector reads again before anything else
and carries on from what it finds. Every business check runs before the first write, so a document that
fails one leaves nothing half-posted; a supplier's proposal (a substitution, a rejected line, a new price)
is never applied: the document is posted with it as a finding, and goes to review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ...documents.models import Invoice, ItemId, OrderAck, Party, PurchaseOrder, ShipNotice
from ...edi.findings import finding
from ...partners import Partner
from ...partners.crosswalks import ITEMS, PARTIES, UOM
from ..base import BusinessKey, ConnectorError, PermanentError, Posted, key_part
from .acks import post_ack
from .bills import post_bill
from .client import OdooClient
from .receipts import post_receipt
from .records import (
    CONFIRMED_STATES,
    DRAFT_STATES,
    ORDER_LINE_FIELDS,
    ORIGINALS,
    PO,
    POL,
    VENDOR_ROLES,
    Context,
    Line,
    Order,
    OrderLine,
    Resolver,
    crosswalk_file,
    key_note,
    label_of,
    may_have_applied,
    number,
    odoo_date,
    only,
    refused,
    unwrap,
)


class OdooConnector:
    """Posts canonical documents to Odoo through an :class:`~gateway.connectors.odoo.OdooClient`.

    ``resolve`` gives the trading partner (profile and crosswalks) a key names; ``confirm`` says whether a new
    PO is confirmed (``button_confirm``) or left as an RFQ when the partner's ``[odoo]`` table does not say.
    ``clock`` gives today for the expiry checks. Vendor, product and unit ids are cached for the connector's
    lifetime; a failed lookup is not, so a fix in Odoo is seen by the next post.
    """

    name = "odoo"

    def __init__(
        self,
        client: OdooClient,
        *,
        resolve: Resolver,
        confirm: bool = True,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.client = client
        self._resolve = resolve
        self.confirm = confirm
        self.clock = clock
        self._vendors: dict[str, int] = {}  # vendor reference -> res.partner id
        self._by_sku: dict[tuple[int, str], int] = {}  # (vendor id, vendor code) -> product.product id
        self._by_code: dict[str, int] = {}  # our product code -> product.product id
        self._uoms: dict[str, int] = {}  # unit name -> uom.uom id
        self._product_info: dict[int, dict[str, Any]] = {}  # product.product id -> tracking, expiry, billing

    def __repr__(self) -> str:
        return f"OdooConnector({self.client!r}, confirm={self.confirm})"

    # ------------------------------------------------------------ the Connector protocol

    def post(self, key: BusinessKey, document: BaseModel) -> Posted:
        """Write ``document`` under ``key`` once. Raises TransientError (retry) or PermanentError (review)."""
        if isinstance(document, PurchaseOrder):
            return self._post_order(key, document)
        if isinstance(document, OrderAck):
            return post_ack(
                self, self.context(key, document.parties, f"the acknowledgement of PO {document.po_number}"), document
            )
        if isinstance(document, ShipNotice):
            return post_receipt(
                self, self.context(key, document.parties, f"ship notice {document.asn_number}"), document
            )
        if isinstance(document, Invoice):
            return post_bill(self, self.context(key, document.parties, f"invoice {document.invoice_number}"), document)
        raise PermanentError(f"the Odoo connector does not post {type(document).__name__} ({key.text})")

    # ------------------------------------------------------------ shared: partner, vendor, products, units

    def partner(self, key: BusinessKey) -> Partner:
        partner = self._resolve(key.partner)
        if partner is None:
            raise PermanentError(f"no trading partner named {key.partner!r}: add its folder under partners/")
        return partner

    def context(self, key: BusinessKey, parties: Sequence[Party], what: str) -> Context:
        partner = self.partner(key)
        vendor, ref = self.vendor(partner, parties, what)
        return Context(key, partner, partner.profile.odoo, vendor, ref, what)

    def vendor(self, partner: Partner, parties: Sequence[Party], what: str) -> tuple[int, str]:
        """The vendor's res.partner id and reference: from the profile's ``odoo_vendor_ref`` or the party crosswalk."""
        ref, source = partner.profile.partner.odoo_vendor_ref, str(partner.profile_file)
        if not ref:
            for party in sorted(
                (p for p in parties if p.role in VENDOR_ROLES), key=lambda p: VENDOR_ROLES.index(p.role)
            ):
                match = partner.crosswalks.party_for(party.id_qualifier, party.id)
                if match is not None and match.kind == "vendor":
                    ref, source = match.our_ref, str(crosswalk_file(partner, PARTIES))
                    break
        if not ref:
            raise PermanentError(
                f"the vendor of {what} is unknown: set odoo_vendor_ref in {partner.profile_file}, or "
                f"add the vendor party the document names to {crosswalk_file(partner, PARTIES)} with kind vendor"
            )
        if ref in self._vendors:
            return self._vendors[ref], ref
        ids = self.client.search("res.partner", [["ref", "=", ref]], limit=2)
        if len(ids) != 1:
            kind = "no vendor" if not ids else "more than one contact"
            raise PermanentError(
                f"{kind} with reference {ref} in Odoo: set it as the Reference of exactly one vendor contact in "
                f"Odoo, or fix it in {source}"
            )
        self._vendors[ref] = ids[0]
        return ids[0], ref

    def line(
        self,
        partner: Partner,
        what: str,
        number: str,
        item_ids: Sequence[ItemId],
        quantity: Decimal,
        uom: str,
        price: Decimal | None = None,
        date: dt.date | None = None,
    ) -> Line:
        """A document line in our product and unit, through the partner's item and unit crosswalks."""
        match = partner.crosswalks.item_for(item_ids)
        if match is None:
            ids = ", ".join(f"{i.kind} {i.value}" for i in item_ids) or "no item id"
            raise PermanentError(
                f"{what} line {number}: no item crosswalk row for {ids}: add it to {crosswalk_file(partner, ITEMS)}"
            )
        sku = next((i.value for i in item_ids if i.kind == "vendor_sku"), "")
        ours = ""
        if uom:
            unit = partner.crosswalks.uom_for(uom)
            if unit is None:
                raise PermanentError(
                    f"{what} line {number}: no unit crosswalk row for {uom}: add it to {crosswalk_file(partner, UOM)}"
                )
            quantity, ours = unit.to_ours(quantity), unit.uom
            if price is not None:
                price = price / unit.factor
        return Line(number, sku, match.product_code, quantity, price, ours, date)

    def products(self, ctx: Context, lines: Sequence[Line]) -> list[int]:
        """Each line's product.product id, by the vendor's code (supplierinfo) or else by our product code.

        One batched read per kind of lookup, and only for what the cache does not hold.
        """
        vendor = ctx.vendor
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
        items = crosswalk_file(ctx.partner, ITEMS)
        for li in lines:
            product = self._by_sku.get((vendor, li.sku)) if li.sku else self._by_code.get(li.product_code)
            if product is None:
                if li.sku:
                    missing.append(
                        f"line {li.number}: no product.supplierinfo with product_code {li.sku} for vendor "
                        f"{ctx.vendor_ref}: add it in Odoo (the vendor line of product {li.product_code}) or "
                        f"fix {items}"
                    )
                else:
                    missing.append(
                        f"line {li.number}: no product with internal reference {li.product_code} in Odoo: add it "
                        f"in Odoo or fix {items}"
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
            code, product = str(row["product_code"]), unwrap(row.get("product_id"))
            if product is not None:
                self._by_sku.setdefault((vendor, code), product)
            elif (template := unwrap(row.get("product_tmpl_id"))) is not None:
                templates.setdefault(template, code)
        pending = {t: c for t, c in templates.items() if (vendor, c) not in self._by_sku}
        if pending:
            # a vendor line on the template applies to every variant: usable when there is only one
            variants = self.client.search_read(
                "product.product", [["product_tmpl_id", "in", sorted(pending)]], ["product_tmpl_id"]
            )
            by_template: dict[int, list[int]] = {}
            for row in variants:
                template = unwrap(row.get("product_tmpl_id"))
                if template is not None:
                    by_template.setdefault(template, []).append(int(row["id"]))
            for template, code in pending.items():
                found = by_template.get(template, [])
                if len(found) == 1:
                    self._by_sku[(vendor, code)] = found[0]

    def uom_ids(self, partner: Partner, names: Iterable[str]) -> dict[str, int]:
        names = set(names)
        wanted = sorted(names - set(self._uoms))
        if wanted:
            for row in self.client.search_read("uom.uom", [["name", "in", wanted]], ["name"]):
                self._uoms.setdefault(str(row["name"]), int(row["id"]))
        missing = [n for n in sorted(names) if n not in self._uoms]
        if missing:
            raise PermanentError(
                f"no unit of measure named {', '.join(missing)} in Odoo: create it in Odoo (Inventory > "
                f"Configuration > Units of Measure) or fix the uom column of {crosswalk_file(partner, UOM)}"
            )
        return {n: self._uoms[n] for n in names}

    def product_info(self, products: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Lot tracking, expiry and billing policy of ``products`` (one read for those not cached)."""
        wanted = sorted(set(products) - set(self._product_info))
        if wanted:
            fields = ["display_name", "tracking", "use_expiration_date", "purchase_method"]
            for row in self.client.read("product.product", wanted, fields):
                self._product_info[int(row["id"])] = row
        return {p: self._product_info.get(p, {}) for p in products}

    # ------------------------------------------------------------ shared: the PO a document refers to

    def purchase_order(self, ctx: Context, po_number: str, what: str) -> Order:
        """The vendor's PO that ``what`` names: by Odoo's PO reference, or by the key an 850 left in ``origin``.

        Refused with a finding when there is none, or when it is another vendor's.
        """
        if not po_number:
            raise refused(what, [finding("business.po_unknown", f"{what} names no purchase order")])
        suffix = f"/purchase_order/{key_part(po_number)}"
        rows = self.client.search_read(
            PO,
            ["|", ["name", "=", po_number], ["origin", "like", suffix]],
            ["name", "state", "partner_id", "origin"],
            order="id",
        )
        rows = [r for r in rows if r["name"] == po_number or str(r.get("origin") or "").endswith(suffix)]
        ours = [r for r in rows if unwrap(r.get("partner_id")) == ctx.vendor and r["state"] != "cancel"]
        if len(ours) > 1:
            names = ", ".join(str(r["name"]) for r in ours)
            raise PermanentError(
                f"{what}: PO number {po_number} matches more than one purchase order in Odoo ({names})"
            )
        if ours:
            row = ours[0]
            return Order(int(row["id"]), str(row["name"]), str(row["state"]))
        if rows:
            others = ", ".join(
                f"{r['name']} ({label_of(r.get('partner_id')) or 'no vendor'}, {r['state']})" for r in rows
            )
            f = finding(
                "business.po_other_vendor",
                f"{what} names PO {po_number}, but in Odoo that is {others}, not an open order of vendor "
                f"{ctx.vendor_ref}: check the PO number with the supplier",
                extra={"po_number": po_number, "vendor": ctx.vendor_ref},
            )
        else:
            f = finding(
                "business.po_unknown",
                f"{what} names PO {po_number}, which is not in Odoo (neither as a PO reference nor as an EDI order): "
                "check the PO number with the supplier",
                extra={"po_number": po_number},
            )
        raise refused(what, [f])

    def order_lines(self, order: Order) -> list[OrderLine]:
        rows = self.client.search_read(POL, [["order_id", "=", order.id]], list(ORDER_LINE_FIELDS), order="id")
        return [
            OrderLine(
                id=int(r["id"]),
                product=unwrap(r.get("product_id")) or 0,
                quantity=number(r.get("product_qty")),
                price=number(r.get("price_unit")),
                received=number(r.get("qty_received")),
                invoiced=number(r.get("qty_invoiced")),
                date_planned=str(r.get("date_planned") or ""),
                uom=label_of(r.get("product_uom_id")),
                uom_id=unwrap(r.get("product_uom_id")) or 0,
                taxes=tuple(int(t) for t in r.get("tax_ids") or ()),
                label=str(r.get("name") or ""),
            )
            for r in rows
        ]

    # ------------------------------------------------------------ shared: the key in the chatter

    def noted(self, model: str, key: BusinessKey, res_id: int | None = None) -> list[int]:
        """The records of ``model`` whose chatter holds a note naming ``key``, oldest first."""
        domain: list[Any] = [["model", "=", model], ["body", "like", key_note(key)]]
        if res_id is not None:
            domain.append(["res_id", "=", res_id])
        rows = self.client.search_read("mail.message", domain, ["res_id"], order="id")
        return list(dict.fromkeys(int(r["res_id"]) for r in rows))

    def note(self, model: str, res_id: int, key: BusinessKey, text: str) -> None:
        """A chatter note (not a message to followers) that names ``key``."""
        body = f"{text} [{key_note(key)}]"
        self.client.call(
            model, "message_post", ids=[res_id], body=body, message_type="comment", subtype_xmlid="mail.mt_note"
        )

    # ------------------------------------------------------------ 850 -> purchase.order

    def _post_order(self, key: BusinessKey, order: PurchaseOrder) -> Posted:
        found = self._find(key)
        if found is not None:
            return self._finish(key, found, already=True)
        only(
            order.purpose,
            ORIGINALS,
            f"PO {order.po_number} (key {key.text})",
            "the Odoo connector creates new orders only; apply it in Odoo by hand",
        )
        vals = self._order_vals(key, order)
        try:
            created = self.client.create(PO, [vals])
        except ConnectorError as exc:
            if not may_have_applied(exc):
                raise
            # Odoo may have created it: look before anything else, never create again blindly
            found = self._find(key)
            if found is None:
                raise
            return self._finish(key, found, already=False)
        # a PO just created is a draft: no read needed before confirming it
        return self._finish(key, Order(created[0], "", "draft"), already=False)

    def _find(self, key: BusinessKey) -> Order | None:
        rows = self.client.search_read(PO, [["origin", "=", key.text]], ["name", "state"], limit=2, order="id")
        if len(rows) > 1:
            names = ", ".join(str(r["name"]) for r in rows)
            raise PermanentError(
                f"more than one purchase order in Odoo carries the key {key.text} as its source document "
                f"({names}): cancel the extra one and clear its Source Document, then post again"
            )
        if not rows:
            return None
        return Order(int(rows[0]["id"]), str(rows[0]["name"]), str(rows[0]["state"]))

    def _finish(self, key: BusinessKey, found: Order, *, already: bool) -> Posted:
        """Resume at the step that has not happened: confirm a draft PO when the connector confirms."""
        if found.state == "cancel":
            raise PermanentError(
                f"purchase order {found.name} (key {key.text}) was cancelled in Odoo; the partner sent it again: "
                "decide in Odoo whether to reopen it (Set to Draft) and post again"
            )
        partner = self._resolve(key.partner)
        confirm = partner.profile.odoo.confirm_orders if partner is not None else None
        if (self.confirm if confirm is None else confirm) and found.state in DRAFT_STATES:
            self.transition(PO, found.id, "button_confirm", CONFIRMED_STATES)
        return Posted(references=(f"{PO},{found.id}",), already=already)

    def transition(self, model: str, record: int, method: str, reached: frozenset[str]) -> None:
        """Call ``method`` on one record to move it to a state in ``reached``. When the call fails in a way Odoo
        may have applied (a lost answer), the record's state settles it: reached, or the error stands."""
        try:
            self.client.call(model, method, ids=[record])
        except ConnectorError as exc:
            if not may_have_applied(exc):
                raise
            rows = self.client.read(model, [record], ["state"])
            if not rows or rows[0]["state"] not in reached:
                raise

    def _order_vals(self, key: BusinessKey, order: PurchaseOrder) -> dict[str, Any]:
        ctx = self.context(key, order.parties, f"PO {order.po_number}")
        what = ctx.what
        lines = [
            self.line(
                ctx.partner,
                what,
                line.line_number or str(n),
                line.item_ids,
                line.quantity,
                line.uom,
                line.unit_price,
                line.requested_date or order.requested_delivery_date,
            )
            for n, line in enumerate(order.lines, start=1)
        ]
        if not lines:
            raise PermanentError(f"PO {order.po_number} has no lines: nothing to order")
        products = self.products(ctx, lines)
        uoms = self.uom_ids(ctx.partner, {line.uom for line in lines if line.uom})
        vals: dict[str, Any] = {"partner_id": ctx.vendor, "origin": key.text}
        if order.order_date is not None:
            vals["date_order"] = odoo_date(order.order_date)
        commands: list[list[Any]] = []
        for line, product in zip(lines, products):
            row: dict[str, Any] = {"product_id": product, "product_qty": line.quantity}
            if line.price is not None:
                row["price_unit"] = line.price
            if line.uom:
                row["product_uom_id"] = uoms[line.uom]
            if line.date is not None:
                row["date_planned"] = odoo_date(line.date)
            commands.append([0, 0, row])
        vals["order_line"] = commands
        return vals
