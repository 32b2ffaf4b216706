"""The three-way match of an invoice against its PO and what was received, as pure functions over what the
connector read from Odoo: findings out, each with the PO, receipt and invoice figures side by side.

- **Quantity:** what a PO line may still be billed for is what was received (or ordered, when the product is
  billed on ordered quantities: ``purchase_method = "purchase"``), less what is already invoiced.
- **Price:** the invoiced unit price, in our unit, within the partner's tolerance of the PO price
  (``[odoo] price_tolerance_percent``, 2 % by default).
- **Unit:** an invoice line in another unit than its PO line is not compared: it is a finding of its own.
- A line whose product is on no line of the PO is a finding too.

The invoice's own arithmetic (total = lines ± allowances and charges) needs no ERP and is checked at
translation (:func:`gateway.partners.rules.check_document`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...edi.findings import Finding, finding
from .records import Line, Order, OrderLine, figure

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Matched:
    """A document line (in our units) and the PO line it was matched to (None: its product is not on the PO)."""

    line: Line
    product: int
    order_line: OrderLine | None


def pair(lines: Sequence[Line], products: Sequence[int], order_lines: Sequence[OrderLine]) -> list[Matched]:
    """Each document line with the PO line of the same product; several PO lines of one product are used in turn,
    one document line each, the last one taking any further lines."""
    by_product: dict[int, list[OrderLine]] = {}
    for ol in order_lines:
        by_product.setdefault(ol.product, []).append(ol)
    used: dict[int, int] = {}
    out: list[Matched] = []
    for line, product in zip(lines, products, strict=True):
        candidates = by_product.get(product, [])
        if not candidates:
            out.append(Matched(line, product, None))
            continue
        n = used.get(product, 0)
        used[product] = n + 1
        out.append(Matched(line, product, candidates[min(n, len(candidates) - 1)]))
    return out


def three_way(
    invoice_number: str,
    order: Order,
    matched: Sequence[Matched],
    billed_on: Mapping[int, str],
    tolerance_percent: Decimal,
) -> list[Finding]:
    """The mismatches between an invoice's lines (matched to ``order``'s lines) and the PO and its receipts.

    ``billed_on`` gives each product's ``purchase_method`` ("receive" or "purchase").
    """
    out: list[Finding] = []
    billed: dict[int, Decimal] = {}
    numbers: dict[int, list[str]] = {}
    for m in matched:
        label = f"Invoice {invoice_number} line {m.line.number}"
        ol = m.order_line
        if ol is None:
            out.append(
                finding(
                    "business.not_on_po",
                    f"{label}: product {m.line.product_code} is not on PO {order.name}: ask the supplier for a "
                    "credit note, or add the line to the PO in Odoo if it was really ordered",
                    extra={"figures": {"po": {"number": order.name}, "invoice": _invoice(invoice_number, m.line)}},
                )
            )
            continue
        if m.line.uom and ol.uom and m.line.uom != ol.uom:
            out.append(
                finding(
                    "match.unit",
                    f"{label}: billed in {m.line.uom}, but PO {order.name} orders {m.line.product_code} in {ol.uom}: "
                    "fix the unit crosswalk, or the PO line's unit in Odoo",
                    extra={"figures": _figures(order, ol, invoice_number, m.line)},
                )
            )
            continue
        billed[ol.id] = billed.get(ol.id, Decimal(0)) + m.line.quantity
        numbers.setdefault(ol.id, []).append(m.line.number)
        price = m.line.price
        if price is not None and ol.price:
            allowed = abs(ol.price) * tolerance_percent / HUNDRED
            if abs(price - ol.price) > allowed:
                change = figure(((price - ol.price) / ol.price * HUNDRED).quantize(Decimal("0.1")))
                out.append(
                    finding(
                        "match.price",
                        f"{label}: unit price {figure(price)} per {ol.uom or 'unit'} is {change} % off the PO price "
                        f"{figure(ol.price)} (PO {order.name}); the tolerance is {figure(tolerance_percent)} %: "
                        "accept the new price on the PO in Odoo, or ask the supplier for a corrected invoice",
                        extra={"figures": _figures(order, ol, invoice_number, m.line)},
                    )
                )
    lines_by_id = {m.order_line.id: m.order_line for m in matched if m.order_line is not None}
    for ol_id, quantity in billed.items():
        ol = lines_by_id[ol_id]
        policy = billed_on.get(ol.product, "receive")
        basis, basis_name = (ol.quantity, "ordered") if policy == "purchase" else (ol.received, "received")
        open_quantity = basis - ol.invoiced
        if quantity > open_quantity:
            which = ", ".join(numbers[ol_id])
            out.append(
                finding(
                    "match.quantity",
                    f"Invoice {invoice_number} line {which}: bills {figure(quantity)} {ol.uom} of "
                    f"{ol.label or ol.product}, but PO {order.name} has {figure(basis)} {basis_name} and "
                    f"{figure(ol.invoiced)} already invoiced, so at most {figure(max(open_quantity, Decimal(0)))} may "
                    "be billed: wait for the receipt, or ask the supplier for a corrected invoice",
                    extra={
                        "figures": {
                            "po": {
                                "number": order.name,
                                "line": ol.label,
                                "ordered": figure(ol.quantity),
                                "unit": ol.uom,
                            },
                            "receipt": {"received": figure(ol.received), "already_invoiced": figure(ol.invoiced)},
                            "invoice": {
                                "number": invoice_number,
                                "lines": numbers[ol_id],
                                "quantity": figure(quantity),
                            },
                            "billed_on": basis_name,
                        }
                    },
                )
            )
    return out


def _invoice(invoice_number: str, line: Line) -> dict[str, Any]:
    return {
        "number": invoice_number,
        "line": line.number,
        "quantity": figure(line.quantity),
        "unit": line.uom,
        "price": figure(line.price) if line.price is not None else None,
    }


def _figures(order: Order, ol: OrderLine, invoice_number: str, line: Line) -> dict[str, Any]:
    return {
        "po": {
            "number": order.name,
            "line": ol.label,
            "ordered": figure(ol.quantity),
            "unit": ol.uom,
            "price": figure(ol.price),
        },
        "receipt": {"received": figure(ol.received), "already_invoiced": figure(ol.invoiced)},
        "invoice": _invoice(invoice_number, line),
    }
