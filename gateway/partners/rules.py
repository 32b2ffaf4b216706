"""Business checks that need no ERP: a translated document against its partner's crosswalks.

Each unknown item or unit becomes a finding that names the crosswalk file to edit and the row to
add, so an onboarding engineer or an accounts-payable clerk can fix it without reading code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    return out


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
