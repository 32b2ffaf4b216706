"""856 / DESADV → the incoming receipt of the PO it ships, with lots and expiry dates.

For each PO the ship notice names (usually one):

1. the vendor's PO (one ``search_read``), its open incoming receipt and that receipt's moves (one ``search_read``
   each, batched over the POs), and the products' lot tracking and expiry settings (one ``read``, cached);
2. the checks, all before any write: a product that is not on the receipt, more shipped than is open, a lot or
   expiry date missing for a product Odoo tracks by lot with expiration, an expiry date already past;
3. one ``write`` per receipt (one transaction: all its lots or none), through its ``move_ids``: each move's
   lines set to the shipped lots (``lot_name``, quantity, ``expiration_date``, ``picked``), the pre-created
   line updated in place (``[1, id, …]``), more added (``[0, 0, …]``), the lines of a product that was not
   shipped removed (``[2, id]``), so what the dock sees is what was shipped;
4. a chatter note on the receipt that names the key: from here on a retry resumes instead of writing again;
5. when the partner's ``[odoo] validate_receipts`` is true, ``button_validate``, answering the wizards it
   returns with their action's ``context`` (contract gotcha 5): the backorder wizard (``process``: a partial
   shipment leaves a backorder for the rest) and the expiry wizard (``process``: the lots' removal date
   is near; an expiry already past was refused in step 2). Otherwise the receipt stays ready for the dock.

Lots are created by Odoo at validation from ``lot_name`` (receipts have ``use_create_lots``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...documents.models import ShipNotice, ShipNoticeItem
from ...edi.findings import Finding, finding
from ..base import PermanentError, Posted
from .records import ORIGINALS, Context, Line, Order, figure, label_of, number, odoo_date, only, refused, unwrap

if TYPE_CHECKING:
    from .connector import OdooConnector

PICKING = "stock.picking"
MOVE = "stock.move"
#: the wizards button_validate may open, and the method that goes on with the validation
WIZARDS = {"stock.backorder.confirmation": "process", "expiry.picking.confirmation": "process"}
MAX_WIZARDS = 4  # expiry, then backorder: two in practice
MOVE_FIELDS = [
    "picking_id",
    "product_id",
    "product_uom_qty",
    "move_line_ids",
    "location_id",
    "location_dest_id",
    "product_uom",
    "state",
]


@dataclass(slots=True)
class _Move:
    id: int
    picking: int
    product: int
    open: Decimal  # the demand still to receive, in the move's unit
    uom: int
    uom_name: str
    location: int
    destination: int
    line_ids: list[int]
    lots: list[dict[str, Any]]  # the move lines to write


def post_receipt(conn: OdooConnector, ctx: Context, asn: ShipNotice) -> Posted:
    """Receive ``asn`` on its PO's receipt once; see the module's docstring."""
    what = ctx.what
    only(
        asn.purpose,
        ORIGINALS | {"confirmation", "duplicate"},
        what,
        "the Odoo connector receives original ship notices only; a cancelled or changed shipment is handled in "
        "Odoo by hand (undo or adjust the receipt)",
    )
    groups = _by_po(asn, what)
    marked = conn.noted(PICKING, ctx.key)
    marked_rows = conn.client.read(PICKING, marked, ["state", "purchase_id"]) if marked else []
    received = {unwrap(r.get("purchase_id")) for r in marked_rows}
    resume = [int(r["id"]) for r in marked_rows if r["state"] not in ("done", "cancel")]
    if marked_rows and len(received) >= len(groups):
        if ctx.settings.validate_receipts:
            for picking in resume:
                _validate(conn, picking, what)
        return Posted(references=tuple(f"{PICKING},{r['id']}" for r in marked_rows), already=True)
    # (a crash between the notes of a notice for several POs: the receipts not yet noted are done again)
    todo = [(po, order) for po in groups if (order := conn.purchase_order(ctx, po, what)).id not in received]
    pickings = _open_receipts(conn, [order for _, order in todo], what)
    moves = _moves(conn, list(pickings.values()))
    items = [item for po, _ in todo for item in groups[po]]
    lines = [
        conn.line(ctx.partner, what, item.line_number or str(n), item.item_ids, item.quantity, item.uom)
        for n, item in enumerate(items, start=1)
    ]
    products = conn.products(ctx, lines)
    info = conn.product_info(products)
    today = conn.clock().date()
    findings: list[Finding] = []
    orders = [order for po, order in todo for _ in groups[po]]
    for order, item, line, product in zip(orders, items, lines, products, strict=True):
        findings.extend(_check(what, order, item, line, info.get(product, {}), today))
        mine = [m for m in moves if m.picking == pickings[order.id]]
        findings.extend(_place(what, order, line, product, item, mine))
    if findings:
        raise refused(what, findings)
    for picking in pickings.values():  # one write per receipt: all its lots, or none of them
        changes = [[1, m.id, vals] for m in moves if m.picking == picking and (vals := _lines(m))]
        if changes:
            conn.client.write(PICKING, [picking], {"move_ids": changes})
    for _, order in todo:
        picking = pickings[order.id]
        shipped = "; ".join(
            f"{info.get(m.product, {}).get('display_name') or m.product}: "
            + ", ".join(f"{figure(lot['quantity'])} {m.uom_name} lot {lot.get('lot_name') or '-'}" for lot in m.lots)
            for m in moves
            if m.picking == picking and m.lots
        )
        conn.note(PICKING, picking, ctx.key, f"EDI ship notice {asn.asn_number} for {order.name}: {shipped}")
    if ctx.settings.validate_receipts:
        for picking in [*resume, *pickings.values()]:
            _validate(conn, picking, what)
    return Posted(
        references=tuple(f"{PICKING},{p}" for p in [*(int(r["id"]) for r in marked_rows), *pickings.values()])
    )


def _by_po(asn: ShipNotice, what: str) -> dict[str, list[ShipNoticeItem]]:
    """The items by the PO they ship against (the notice's only PO when an item names none)."""
    default = asn.po_numbers[0] if len(set(asn.po_numbers)) == 1 else ""
    groups: dict[str, list[ShipNoticeItem]] = {}
    for item in asn.items:
        po = item.po_number or default
        if not po:
            raise refused(
                what,
                [finding("business.po_unknown", f"{what}, item {item.line_number or '?'}: names no purchase order")],
            )
        groups.setdefault(po, []).append(item)
    if not groups:
        raise PermanentError(f"{what} ships no items: nothing to receive")
    return groups


def _open_receipts(conn: OdooConnector, orders: Sequence[Order], what: str) -> dict[int, int]:
    """Each PO's open incoming receipt (the oldest when a backorder is open too)."""
    wanted = [o.id for o in orders]
    rows = conn.client.search_read(
        PICKING,
        [
            ["purchase_id", "in", wanted],
            ["picking_type_code", "=", "incoming"],
            ["state", "not in", ["done", "cancel"]],
        ],
        ["purchase_id", "state"],
        order="id",
    )
    found: dict[int, int] = {}
    for row in rows:
        po = unwrap(row.get("purchase_id"))
        if po is not None:
            found.setdefault(po, int(row["id"]))
    missing = [
        finding(
            "business.not_on_po",
            f"{what}: PO {o.name} has no open receipt in Odoo (it is {o.state}: not confirmed yet, or everything "
            "was received already): check the PO in Odoo",
        )
        for o in orders
        if o.id not in found
    ]
    if missing:
        raise refused(what, missing)
    return found


def _moves(conn: OdooConnector, pickings: Sequence[int]) -> list[_Move]:
    rows = conn.client.search_read(
        MOVE, [["picking_id", "in", list(pickings)], ["state", "not in", ["done", "cancel"]]], MOVE_FIELDS, order="id"
    )
    return [
        _Move(
            id=int(r["id"]),
            picking=unwrap(r.get("picking_id")) or 0,
            product=unwrap(r.get("product_id")) or 0,
            open=number(r.get("product_uom_qty")),
            uom=unwrap(r.get("product_uom")) or 0,
            uom_name=label_of(r.get("product_uom")),
            location=unwrap(r.get("location_id")) or 0,
            destination=unwrap(r.get("location_dest_id")) or 0,
            line_ids=[int(i) for i in r.get("move_line_ids") or ()],
            lots=[],
        )
        for r in rows
    ]


def _check(
    what: str, order: Order, item: ShipNoticeItem, line: Line, info: dict[str, Any], today: dt.date
) -> list[Finding]:
    """Lot and expiry of one shipped item, against how Odoo tracks the product."""
    label = f"{what}, item {line.number} ({line.product_code}, PO {order.name})"
    out: list[Finding] = []
    tracking = str(info.get("tracking") or "none")
    if tracking in ("lot", "serial") and not item.lot:
        out.append(
            finding(
                "business.lot_missing",
                f"{label}: Odoo tracks this product by {tracking} number, and the ship notice gives none: ask the "
                "supplier to resend the notice with lots",
            )
        )
    elif tracking == "serial" and line.quantity != 1:
        out.append(
            finding(
                "business.lot_missing",
                f"{label}: Odoo tracks this product by serial number, one per unit, but the notice gives serial "
                f"{item.lot} for {figure(line.quantity)} units: ask the supplier for one serial per unit",
            )
        )
    if info.get("use_expiration_date") and item.expiry_date is None:
        out.append(
            finding(
                "business.expiry_missing",
                f"{label}: Odoo tracks this product's expiration date, and the ship notice gives none for lot "
                f"{item.lot or '-'}: ask the supplier to resend the notice with expiry dates",
            )
        )
    if item.expiry_date is not None and item.expiry_date < today:
        out.append(
            finding(
                "business.expired",
                f"{label}: lot {item.lot or '-'} expired on {item.expiry_date.isoformat()}: refuse the goods, or "
                "receive them by hand in Odoo if they were accepted",
                extra={"lot": item.lot, "expiry": item.expiry_date.isoformat()},
            )
        )
    return out


def _place(
    what: str, order: Order, line: Line, product: int, item: ShipNoticeItem, moves: Sequence[_Move]
) -> list[Finding]:
    """Put the item's lot on the moves of its product in the receipt, filling their open quantity in turn."""
    label = f"{what}, item {line.number} ({line.product_code})"
    mine = [m for m in moves if m.product == product]
    if not mine:
        return [
            finding(
                "business.not_on_po",
                f"{label}: the product is not open on the receipt of PO {order.name} (not ordered, or received "
                "already): check it with the supplier",
            )
        ]
    units = {m.uom_name for m in mine}
    if line.uom and line.uom not in units:
        return [
            finding(
                "match.unit",
                f"{label}: shipped in {line.uom}, but PO {order.name} receives it in {', '.join(sorted(units))}: "
                "fix the unit crosswalk, or the PO line's unit in Odoo",
            )
        ]
    left = line.quantity
    for n, move in enumerate(mine):
        room = move.open - sum((number(lot["quantity"]) for lot in move.lots), Decimal(0))
        take = left if n == len(mine) - 1 else min(left, max(room, Decimal(0)))
        if take <= 0:
            continue
        lot: dict[str, Any] = {"quantity": take, "picked": True}
        if item.lot:
            lot["lot_name"] = item.lot
        if item.expiry_date is not None:
            lot["expiration_date"] = odoo_date(item.expiry_date)
        move.lots.append(lot)
        left -= take
        if left <= 0:
            break
    last = mine[-1]
    if sum((number(lot["quantity"]) for lot in last.lots), Decimal(0)) > last.open:
        still_open = figure(sum((m.open for m in mine), Decimal(0)))
        return [
            finding(
                "business.over_shipped",
                f"{label}: {figure(line.quantity)} {line.uom} shipped, more than the {still_open} still open on the "
                f"receipt of PO {order.name}: receive the surplus by hand, or refuse it",
                extra={
                    "figures": {
                        "po": {"number": order.name, "open": still_open},
                        "ship_notice": {"item": line.number, "quantity": figure(line.quantity)},
                    }
                },
            )
        ]
    return []


def _lines(move: _Move) -> dict[str, Any]:
    """The move's new lines, the shipped lots: existing lines updated, more added, the rest removed."""
    commands: list[list[Any]] = []
    for n, lot in enumerate(move.lots):
        if n < len(move.line_ids):
            commands.append([1, move.line_ids[n], lot])
        else:
            commands.append(
                [
                    0,
                    0,
                    {
                        **lot,
                        "product_id": move.product,
                        "picking_id": move.picking,
                        "location_id": move.location,
                        "location_dest_id": move.destination,
                        "product_uom_id": move.uom,
                    },
                ]
            )
    commands.extend([2, ml] for ml in move.line_ids[len(move.lots) :])
    return {"move_line_ids": commands, "picked": bool(move.lots)} if commands else {}


def _validate(conn: OdooConnector, picking: int, what: str) -> None:
    """``button_validate``, then each wizard it opens, with the action's context, until the receipt is done."""
    result: Any = conn.client.call(PICKING, "button_validate", ids=[picking])
    for _ in range(MAX_WIZARDS):
        if not (isinstance(result, dict) and result.get("type") == "ir.actions.act_window"):
            break
        model, context = str(result.get("res_model")), dict(result.get("context") or {})
        method = WIZARDS.get(model)
        if method is None:
            raise PermanentError(
                f"validating the receipt of {what} opened {model} ({result.get('name')}), which edigw does not "
                "answer: the receipt is prepared; validate it in Odoo"
            )
        wizard = conn.client.create(model, [{}], context=context)
        result = conn.client.call(model, method, ids=wizard, context=context)
    rows = conn.client.read(PICKING, [picking], ["name", "state"])
    if not rows or rows[0]["state"] != "done":
        state = rows[0]["state"] if rows else "gone"
        raise PermanentError(
            f"the receipt of {what} is {state} after validation, not done: validate it in Odoo (Inventory > Receipts)"
        )
