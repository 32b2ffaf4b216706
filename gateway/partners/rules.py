"""Business checks that need no ERP: a translated document against its partner's crosswalks, and an
invoice against its own arithmetic.

Each unknown item or unit becomes a finding that names the crosswalk file to edit and the row to
add, so an onboarding engineer or an accounts-payable clerk can fix it without reading code. An
invoice whose stated total is not its lines plus charges less allowances is a finding with the
figures (the checks that need Odoo, such as the three-way match, are the connector's).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ..documents.models import Invoice
from ..edi.findings import Finding, finding
from .crosswalks import Crosswalks
from .registry import CROSSWALKS, load_partner

Checker = Callable[[Any], list[Finding]]


def check_document(document: Any, crosswalks: Crosswalks, folder: Path) -> list[Finding]:
    """Findings for the lines (or shipped items) whose item or unit the partner's crosswalks do not know."""
    items_file = (folder / CROSSWALKS / "items.csv").as_posix()
    uom_file = (folder / CROSSWALKS / "uom.csv").as_posix()
    check_units = crosswalks.counts.get("uom", 0) > 0  # an empty uom.csv: the partner's codes are ours
    out: list[Finding] = []
    lines = getattr(document, "lines", None) or getattr(document, "items", None) or []
    for n, line in enumerate(lines, start=1):
        label = f"Line {getattr(line, 'line_number', '') or n}"
        ids = list(getattr(line, "item_ids", []) or [])
        if ids and crosswalks.item_for(ids) is None:
            shown = ", ".join(f"{i.kind} {i.value}" for i in ids)
            sku = next((i.value for i in ids if i.kind == "vendor_sku"), "")
            gtin = next((i.value for i in ids if i.kind in ("gtin", "upc", "ean")), "")
            out.append(
                finding(
                    "crosswalk.unknown_item",
                    f"{label}: no product of ours for {shown}. Add a row to {items_file}: "
                    f"{sku},{gtin},<our product code>,<description>",
                    extra={"file": items_file},
                )
            )
        uom = getattr(line, "uom", "")
        if check_units and uom and crosswalks.uom_for(uom) is None:
            out.append(
                finding(
                    "crosswalk.unknown_uom",
                    f"{label}: unit '{uom}' is not in {uom_file}. Add a row: {uom},<our unit>,<factor>",
                    extra={"file": uom_file},
                )
            )
    if isinstance(document, Invoice):
        out.extend(invoice_total(document))
    return out


CENT = Decimal("0.01")


def invoice_total(invoice: Invoice) -> list[Finding]:
    """A finding when the invoice's stated total is not the sum of its lines, plus charges, less allowances.

    A line's amount is the one it states, else quantity x unit price, rounded to the cent.
    """
    if invoice.total is None:
        return []
    lines = sum(
        (
            (line.amount if line.amount is not None else line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
            for line in invoice.lines
        ),
        Decimal(0),
    )
    charges = sum((ac.amount for ac in invoice.allowances_charges if ac.kind == "charge"), Decimal(0))
    allowances = sum((ac.amount for ac in invoice.allowances_charges if ac.kind == "allowance"), Decimal(0))
    computed = lines + charges - allowances
    if abs(computed - invoice.total) < CENT:
        return []
    return [
        finding(
            "invoice.total",
            f"Invoice {invoice.invoice_number} states a total of {invoice.total}, but its lines come to {lines}, "
            f"plus {charges} in charges, less {allowances} in allowances: {computed} (a difference of "
            f"{invoice.total - computed}). Ask the supplier for a corrected invoice; if the difference is tax the "
            "invoice states in a segment the map does not read, add it to the partner's map",
            extra={
                "figures": {
                    "lines": str(lines),
                    "charges": str(charges),
                    "allowances": str(allowances),
                    "computed": str(computed),
                    "stated": str(invoice.total),
                }
            },
        )
    ]


def crosswalk_checker(partners_root: Path, name: str) -> tuple[Checker | None, dict[str, str]]:
    """The checker for partner ``name`` and the maps its profile names (set id → reference)."""
    folder = partners_root / name
    partner, _problems = load_partner(folder)
    if partner is None:
        return None, {}
    named = {key: ref for key, ref in partner.profile.documents.inbound.items() if ref}
    crosswalks = partner.crosswalks

    def check(document: Any) -> list[Finding]:
        return check_document(document, crosswalks, folder)

    return check, named
