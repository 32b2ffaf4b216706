"""810 / INVOIC → a vendor bill (``account.move``, ``move_type="in_invoice"``), after the three-way match.

1. the vendor's PO (one ``search_read``) and any bill of this vendor (or one of its contacts) with the same
   ``ref`` (the supplier invoice number: Odoo's own vendor-reference rule, one ``search_read``). A bill
   found for the same PO is this invoice, posted before (``already``; a draft is posted now when the partner
   posts bills). A bill found for another PO is a duplicate invoice number: a finding, nothing written;
2. the PO's lines (one ``search_read``) and the products' billing policy (one ``read``, cached); the
   three-way match (:mod:`.match`), every mismatch a finding, nothing written;
3. one ``create``: ``ref``, ``invoice_origin`` = the PO, ``invoice_date``, lines linked with
   ``purchase_line_id`` and the PO line's taxes (Odoo's own for this purchase) unless the invoice carries
   its own tax as a charge, and a line per allowance or charge;
4. ``action_post`` when the partner's ``[odoo] post_bills`` is true (it returns false on success: contract
   gotcha 7); otherwise the bill waits as a draft for accounts payable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...documents.models import Invoice
from ...edi.findings import finding
from ..base import ConnectorError, PermanentError, Posted
from .match import pair, three_way
from .records import ORIGINALS, Context, Order, figure, may_have_applied, number, only, refused

if TYPE_CHECKING:
    from .connector import OdooConnector

MOVE = "account.move"
POSTED = frozenset({"posted"})
BILL_FIELDS = ["name", "state", "invoice_origin", "amount_untaxed", "amount_total", "invoice_date"]


def post_bill(conn: OdooConnector, ctx: Context, invoice: Invoice) -> Posted:
    """Bill ``invoice`` once; see the module's docstring."""
    what = ctx.what
    only(
        invoice.purpose,
        ORIGINALS | {"duplicate"},  # a copy of an invoice is billed once, by its vendor reference
        what,
        "the Odoo connector bills original invoices only; enter it in Odoo by hand (a credit note or a correction)",
    )
    order = conn.purchase_order(ctx, invoice.po_number, what)
    found = _find(conn, ctx, invoice)
    if found is not None:
        return _known(conn, ctx, invoice, order, found)
    order_lines = conn.order_lines(order)
    lines = [
        conn.line(ctx.partner, what, il.line_number or str(n), il.item_ids, il.quantity, il.uom, il.unit_price)
        for n, il in enumerate(invoice.lines, start=1)
    ]
    if not lines:
        raise PermanentError(f"{what} has no lines: nothing to bill")
    products = conn.products(ctx, lines)
    info = conn.product_info(products)
    matched = pair(lines, products, order_lines)
    billed_on = {p: str(i.get("purchase_method") or "receive") for p, i in info.items()}
    findings = three_way(invoice.invoice_number, order, matched, billed_on, ctx.settings.price_tolerance_percent)
    if findings:
        raise refused(f"{what} does not match PO {order.name}", findings)
    own_tax = any(ac.code == "tax" for ac in invoice.allowances_charges)
    commands: list[list[Any]] = []
    for m in matched:
        assert m.order_line is not None and m.line.price is not None
        row: dict[str, Any] = {
            "product_id": m.product,
            "quantity": m.line.quantity,
            "price_unit": m.line.price,
            "purchase_line_id": m.order_line.id,
        }
        if m.order_line.uom_id:  # billed in the PO line's unit (checked equal to the invoice's by the match)
            row["product_uom_id"] = m.order_line.uom_id
        row["tax_ids"] = [[6, 0, [] if own_tax else list(m.order_line.taxes)]]
        commands.append([0, 0, row])
    for ac in invoice.allowances_charges:
        sign = Decimal(-1) if ac.kind == "allowance" else Decimal(1)
        name = ac.description or f"{ac.kind}: {ac.code or ac.qualifier}"
        commands.append([0, 0, {"name": name, "quantity": 1, "price_unit": sign * ac.amount, "tax_ids": [[6, 0, []]]}])
    vals: dict[str, Any] = {
        "move_type": "in_invoice",
        "partner_id": ctx.vendor,
        "ref": invoice.invoice_number,
        "invoice_origin": order.name,
        "invoice_line_ids": commands,
    }
    if invoice.invoice_date is not None:
        vals["invoice_date"] = invoice.invoice_date
    try:
        bill = conn.client.create(MOVE, [vals])[0]
    except ConnectorError as exc:
        if not may_have_applied(exc):
            raise
        again = _find(conn, ctx, invoice)
        if again is None:
            raise
        return _known(conn, ctx, invoice, order, again, already=False)
    if ctx.settings.post_bills:
        _post(conn, bill)
    return Posted(references=(f"{MOVE},{bill}",))


def _find(conn: OdooConnector, ctx: Context, invoice: Invoice) -> dict[str, Any] | None:
    rows = conn.client.search_read(
        MOVE,
        [
            ["move_type", "=", "in_invoice"],
            ["commercial_partner_id", "=", ctx.vendor],  # a bill entered for one of the vendor's contacts too
            ["ref", "=", invoice.invoice_number],
            ["state", "!=", "cancel"],
        ],
        BILL_FIELDS,
        order="id",
        limit=2,
    )
    return rows[0] if rows else None


def _known(
    conn: OdooConnector, ctx: Context, invoice: Invoice, order: Order, bill: dict[str, Any], *, already: bool = True
) -> Posted:
    """A bill of this vendor with this invoice number exists: this invoice (same PO), or a duplicate number."""
    if str(bill.get("invoice_origin") or "") != order.name:
        raise refused(
            f"invoice {invoice.invoice_number}",
            [
                finding(
                    "business.duplicate_invoice",
                    f"vendor {ctx.vendor_ref} already has a bill with invoice number {invoice.invoice_number} in Odoo "
                    f"({bill.get('name') or 'draft'}, {bill.get('state')}, "
                    f"for {bill.get('invoice_origin') or 'no PO'}, total {figure(number(bill.get('amount_total')))}); "
                    f"this invoice is for PO {order.name}, total {figure(invoice.total)}: ask the supplier whether it "
                    "is a duplicate, or a new invoice that needs its own number",
                    extra={
                        "figures": {
                            "odoo_bill": {
                                "name": bill.get("name") or "",
                                "state": bill.get("state"),
                                "po": bill.get("invoice_origin") or "",
                                "total": figure(number(bill.get("amount_total"))),
                            },
                            "invoice": {
                                "number": invoice.invoice_number,
                                "po": order.name,
                                "total": figure(invoice.total),
                            },
                        }
                    },
                )
            ],
        )
    if ctx.settings.post_bills and bill.get("state") == "draft":
        _post(conn, int(bill["id"]))
    return Posted(references=(f"{MOVE},{bill['id']}",), already=already)


def _post(conn: OdooConnector, bill: int) -> None:
    """``action_post`` (false is its answer on success)."""
    conn.transition(MOVE, bill, "action_post", POSTED)
