"""Scaffolding a partner map from a base map: every base rule, commented, under its own table."""

from __future__ import annotations

from pathlib import Path


def scaffold(base_file: Path, base_ref: str, partner: str) -> str:
    """The text of a new partner map that extends ``base_ref`` and overrides nothing yet."""
    standard, set_id, version = base_ref.strip("/").split("/")
    lines = [
        f"# Partner map for {partner}: {standard.upper()} {set_id} {version}.",
        f"# It inherits every rule of {base_file.as_posix()}; write here only what {partner} does differently.",
        "# Each base rule is below, commented out. To override one, uncomment it and change it, e.g.",
        '#   po_number = { path = "REF02", where = { REF01 = "PO" } }      # PO number in REF*PO, not BEG03',
        '#   item_ids = { pairs = ["PO106:PO107"], kinds = { ZZ = "vendor_sku" } }   # SKU under an odd qualifier',
        '#   order_date = { path = "BEG05", type = "date", format = "YYMMDD" }',
        '#   source = { const = "edi" }                                    # a constant',
        "# Rule keys are explained in maps/FORMAT.md. Check the result with `edigw maps test`.",
        "",
        "[map]",
        f'extends = "{base_ref}"',
        f'standard = "{standard}"',
        f'set = "{set_id}"',
        f'version = "{version}"',
        "# document comes from the base map",
        '# hook = "hooks.py:adjust"   # a Python function beside this file, for what data cannot say',
        "ignore = []                  # segment tags this partner sends that we deliberately do not use",
        "",
    ]
    in_map = False
    for raw in base_file.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("["):
            in_map = stripped == "[map]"
            if not in_map:
                lines.append("")
                lines.append(line)
            continue
        if in_map or not stripped:
            continue
        lines.append(line if stripped.startswith("#") else f"# {line}")
    return "\n".join(lines).rstrip() + "\n"
