"""855 / ORDRSP → the acknowledgement of an existing purchase order in Odoo.

1. the vendor's PO that the acknowledgement names (one ``search_read``), and whether this key's note is already
   in its chatter (one ``search_read`` of ``mail.message``: then it was posted before, ``already``);
2. its lines (one ``search_read``); the document's lines are matched to them by product;
3. per line, a quantity or date change is written as ``product_qty`` **together with** ``date_planned``
   (contract gotcha 3: ``product_qty`` alone resets the price and the date, and splits the receipt);
4. ``partner_ref`` = the vendor's order number and ``acknowledged`` in one ``write`` (the XML-RPC run of the
   contract does the same: ``action_acknowledge`` returns None, which XML-RPC cannot send);
5. a chatter note that summarises every line's status and names the key, last, so it marks the whole as done.

Substitutions, rejected lines (or a rejected order) and new prices are never applied: they are in the note,
and come back as findings (``proposal.*``) with the proposed change, so the document goes to review once
posted. A line whose product is not on the PO, or a PO that is unknown or another vendor's, refuses the whole
document before any write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...documents.models import OrderAck, OrderAckLine
from ...edi.findings import Finding, finding
from ..base import Posted
from .match import pair
from .records import ORIGINALS, PO, POL, Context, Line, OrderLine, figure, odoo_date, only, refused

if TYPE_CHECKING:
    from .connector import OdooConnector

#: statuses whose quantity, when it differs from the PO line's, is the new ordered quantity
QUANTITY_STATUSES = frozenset({"accepted", "quantity_changed"})
#: statuses whose schedule date, when given, is the new planned date
DATE_STATUSES = frozenset({"accepted", "quantity_changed", "date_changed", "backordered"})
HALF_CENT = Decimal("0.005")  # prices closer than this are the same price
#: acknowledgement types that refuse the whole order: X12 BAK02 RD / RF / RJ, EDIFACT BGM 4343 27 ("not accepted")
REJECTED_ORDER = frozenset({"RD", "RF", "RJ", "27"})


def post_ack(conn: OdooConnector, ctx: Context, ack: OrderAck) -> Posted:
    """Apply ``ack`` to its PO once; see the module's docstring."""
    what = ctx.what
    only(
        ack.purpose,
        ORIGINALS | {"change", "replace", "confirmation", "duplicate"},  # each sets absolute values: safe again
        what,
        "the supplier withdraws its acknowledgement; nothing is changed in Odoo, check the PO with the supplier",
    )
    order = conn.purchase_order(ctx, ack.po_number, what)
    already = bool(conn.noted(PO, ctx.key, order.id))
    order_lines = conn.order_lines(order)
    lines = [
        conn.line(
            ctx.partner, what, al.line_number or str(n), al.item_ids, al.quantity or Decimal(0), al.uom, al.unit_price
        )
        for n, al in enumerate(ack.lines, start=1)
    ]
    matched = pair(lines, conn.products(ctx, lines), order_lines)
    missing = [
        finding(
            "business.not_on_po",
            f"{what}, line {m.line.number}: product {m.line.product_code} is not on PO {order.name}: check it with "
            "the supplier",
        )
        for m in matched
        if m.order_line is None
    ]
    if missing:
        raise refused(what, missing)
    writes: list[tuple[int, dict[str, Any]]] = []
    summary: list[str] = []
    proposals: list[Finding] = []
    for al, m in zip(ack.lines, matched, strict=True):
        assert m.order_line is not None  # lines not on the PO were refused above
        write, said, proposal = _line(order.name, al, m.line, m.order_line)
        if write:
            writes.append((m.order_line.id, write))
        summary.append(said)
        proposals.extend(proposal)
    if ack.ack_type in REJECTED_ORDER:
        summary.insert(0, "the supplier rejects the order")
        proposals.insert(
            0,
            finding(
                "proposal.rejected",
                f"PO {order.name}: the supplier rejects the whole order (acknowledgement type {ack.ack_type}). Not "
                "applied: cancel or re-source the PO in Odoo",
                extra={"figures": {"po": {"number": order.name}, "acknowledgement": {"type": ack.ack_type}}},
            ),
        )
    references = (f"{PO},{order.id}",)
    if already:
        return Posted(references=references, already=True, findings=tuple(proposals))
    for line_id, line_vals in writes:
        conn.client.write(POL, [line_id], line_vals)
    vals: dict[str, Any] = {"acknowledged": True}
    if ack.vendor_order_number:
        vals["partner_ref"] = ack.vendor_order_number
    conn.client.write(PO, [order.id], vals)
    head = f"EDI acknowledgement {ack.vendor_order_number or ''}".rstrip() + f" ({ack.ack_type or 'no type'})"
    conn.note(PO, order.id, ctx.key, f"{head}: " + "; ".join(summary))
    return Posted(references=references, findings=tuple(proposals))


def _line(po_name: str, al: OrderAckLine, line: Line, ol: OrderLine) -> tuple[dict[str, Any], str, list[Finding]]:
    """What one acknowledged line changes on its PO line, how the note says it, and the proposals it makes."""
    label = f"line {line.number} ({line.product_code})"
    where = f"PO {po_name} {label}"
    proposals: list[Finding] = []
    write: dict[str, Any] = {}
    said = f"{label} {al.status.replace('_', ' ')}"
    if al.status in QUANTITY_STATUSES and al.quantity is not None and line.quantity != ol.quantity:
        write["product_qty"] = line.quantity
        said += f", quantity {figure(ol.quantity)} -> {figure(line.quantity)} {ol.uom}"
    day = al.schedule_date
    if al.status in DATE_STATUSES and day is not None and ol.date_planned[:10] != day.isoformat():
        write["date_planned"] = odoo_date(day)
        said += f", date -> {day.isoformat()}"
    if write:
        # never one without the other: product_qty alone makes Odoo reprice and re-date the line
        write.setdefault("product_qty", ol.quantity)
        write.setdefault("date_planned", ol.date_planned)
    figures = {"po": {"number": po_name, "line": ol.label, "quantity": figure(ol.quantity), "price": figure(ol.price)}}
    if al.status == "substituted":
        offered = ", ".join(f"{i.kind} {i.value}" for i in al.substitute_item_ids) or "an item it does not name"
        quantity = f" x {figure(al.quantity)} {al.uom}" if al.quantity is not None else ""
        said += f": substitute proposed ({offered}{quantity}), not applied"
        proposals.append(
            finding(
                "proposal.substitution",
                f"{where}: the supplier proposes {offered}{quantity} instead. Not applied: if it is acceptable, "
                "change the PO line in Odoo (product, quantity, price), then reprocess or close this document",
                extra={"figures": {**figures, "proposed": {"items": offered, "quantity": figure(al.quantity)}}},
            )
        )
    elif al.status == "rejected":
        said += ", not applied"
        proposals.append(
            finding(
                "proposal.rejected",
                f"{where}: the supplier will not deliver this line. Not applied: cancel or re-source the line in "
                "Odoo (it stays open on the PO until then)",
                extra={"figures": figures},
            )
        )
    if line.price is not None and ol.price and abs(line.price - ol.price) > HALF_CENT:
        said += f", price {figure(ol.price)} -> {figure(line.price)} proposed, not applied"
        proposals.append(
            finding(
                "proposal.price_change",
                f"{where}: the supplier acknowledges unit price {figure(line.price)} per {ol.uom or 'unit'}, "
                f"the PO says {figure(ol.price)}. Not applied: accept it on the PO in Odoo, or dispute it with the "
                "supplier (the invoice will be matched against the PO price)",
                extra={"figures": {**figures, "proposed": {"price": figure(line.price)}}},
            )
        )
    return write, said, proposals
