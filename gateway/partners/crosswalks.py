"""Crosswalks: a partner's codes to ours, kept as CSV files in ``partners/<name>/crosswalks/``.

* ``items.csv``: ``vendor_sku,gtin,product_code,description``: the partner's SKU or the GTIN
  (one of them at least) to our product code. A buyer item id (X12 ``IN``/``BP``, EDIFACT PIA
  ``IN``/``BP``) is our own code: it matches when it is one of the file's product codes;
* ``uom.csv``: ``code,uom,factor``: the partner's unit to ours, ``CA,BX,10`` meaning 1 CA = 10 BX;
* ``parties.csv``: ``qualifier,id,kind,our_ref``: the partner's party identifiers (kind
  ``vendor``, ``location`` or ``buyer``) to our reference.

Every file starts with its header line; a missing file is an empty crosswalk. Loading checks
every row and collects every problem (file, line, column, fix) instead of stopping at the
first. A row in error is left out. A key found on two rows is an error and is left out of
the lookups altogether, so a document that needs it goes to review instead of being matched
by a guess.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, cast

from ..documents.models import ItemId
from .profile import Problem, Severity

ITEMS, UOM, PARTIES = "items.csv", "uom.csv", "parties.csv"

#: Each crosswalk file and its columns, in the order a new file lists them.
HEADERS: dict[str, tuple[str, ...]] = {
    ITEMS: ("vendor_sku", "gtin", "product_code", "description"),
    UOM: ("code", "uom", "factor"),
    PARTIES: ("qualifier", "id", "kind", "our_ref"),
}

PartyKind = Literal["vendor", "location", "buyer"]
PARTY_KINDS: tuple[PartyKind, ...] = ("vendor", "location", "buyer")

#: Item id kinds that carry a GTIN (UPC-A is a GTIN-12, EAN-13 a GTIN-13).
GTIN_KINDS = frozenset({"gtin", "upc", "ean"})


@dataclass(frozen=True, slots=True)
class ItemMatch:
    """Our product for one of a line's item ids, and which id matched."""

    product_code: str
    description: str
    matched_by: Literal["vendor_sku", "gtin", "buyer_item"]
    value: str


@dataclass(frozen=True, slots=True)
class UomMatch:
    """The partner's unit ``code`` is ``factor`` of our ``uom``."""

    code: str
    uom: str
    factor: Decimal

    def to_ours(self, quantity: Decimal) -> Decimal:
        """A quantity in the partner's unit, in ours."""
        return quantity * self.factor


@dataclass(frozen=True, slots=True)
class PartyMatch:
    """Our reference for a party identifier the partner uses."""

    qualifier: str
    id: str
    kind: PartyKind
    our_ref: str


def normalize_gtin(value: str) -> str:
    """A GTIN as 14 digits (GTIN-8/12/13 padded with zeros), so a UPC and its GTIN-14 compare equal."""
    value = value.strip()
    return value.zfill(14) if value.isdigit() and len(value) <= 14 else value


def _gtin_check_digit(body: str) -> int:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


class Crosswalks:
    """A partner's crosswalks, loaded and checked: lookups by the partner's codes."""

    def __init__(
        self,
        items_by_sku: dict[str, ItemMatch] | None = None,
        items_by_gtin: dict[str, ItemMatch] | None = None,
        uoms: dict[str, UomMatch] | None = None,
        parties: dict[tuple[str, str], PartyMatch] | None = None,
        counts: dict[str, int] | None = None,
        items_by_product: dict[str, ItemMatch] | None = None,
    ) -> None:
        self._by_sku = items_by_sku or {}
        self._by_gtin = items_by_gtin or {}
        self._by_product = items_by_product or {}
        self._uoms = uoms or {}
        self._parties = parties or {}
        self.counts: dict[str, int] = counts or {"items": 0, "uom": 0, "parties": 0}

    def item_for(self, ids: Iterable[ItemId]) -> ItemMatch | None:
        """Our product for a line's item ids: by vendor SKU first, then by GTIN (or UPC/EAN), then by our own code."""
        ids = list(ids)
        ways: tuple[tuple[Literal["vendor_sku", "gtin", "buyer_item"], frozenset[str], dict[str, ItemMatch]], ...] = (
            ("vendor_sku", frozenset({"vendor_sku"}), self._by_sku),
            ("gtin", GTIN_KINDS, self._by_gtin),
            ("buyer_item", frozenset({"buyer_item"}), self._by_product),
        )
        for matched_by, kinds, index in ways:
            for item_id in ids:
                value = item_id.value.strip()
                key = normalize_gtin(value) if matched_by == "gtin" else value
                if item_id.kind in kinds and (hit := index.get(key)):
                    return ItemMatch(hit.product_code, hit.description, matched_by, value)
        return None

    def uom_for(self, code: str) -> UomMatch | None:
        """Our unit and factor for the partner's unit code."""
        return self._uoms.get(code.strip())

    def party_for(self, qualifier: str, id: str) -> PartyMatch | None:
        """Our reference for a party id. A row with an empty qualifier matches the id under any qualifier."""
        q, i = qualifier.strip(), id.strip()
        return self._parties.get((q, i)) or self._parties.get(("", i))


# --- loading ----------------------------------------------------------------------------------


class _Rows:
    """One CSV file's rows as ``(line, {column: value})``, with the problems of its shape."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.file = str(path)
        self.rows: list[tuple[int, dict[str, str]]] = []
        self.problems: list[Problem] = []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            self.problem(
                None, "", f"cannot read the crosswalk ({reason})", "save it as UTF-8 CSV", "crosswalk.unreadable"
            )
            return
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in next(reader, [])]
        except csv.Error as exc:
            self.problem(
                1, "", f"the header is not CSV ({exc})", f"write the header {','.join(columns)}", "crosswalk.header"
            )
            return
        if not any(header):
            if text.strip():
                self.problem(
                    1,
                    "",
                    "the first line is empty",
                    f"write the header {','.join(columns)} on line 1",
                    "crosswalk.header",
                )
            return
        while header and not header[-1]:
            header.pop()
        unknown = [h for h in header if h not in columns]
        missing = [c for c in columns if c not in header]
        if unknown or missing or len(set(header)) != len(header):
            what = []
            if missing:
                what.append(f"misses {', '.join(missing)}")
            if unknown:
                what.append(f"has unknown column {', '.join(repr(u) for u in unknown)}")
            if len(set(header)) != len(header):
                what.append("names a column twice")
            self.problem(
                1, "", f"the header {' and '.join(what)}", f"write the header {','.join(columns)}", "crosswalk.header"
            )
            return
        line = reader.line_num + 1
        try:
            for cells in reader:
                start, line = line, reader.line_num + 1
                while len(cells) > len(header) and not cells[-1].strip():
                    cells.pop()
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    self.problem(
                        start,
                        "",
                        f"the row has {len(cells)} values but the header names {len(header)} columns",
                        "give every column a value (empty values are allowed: a,,c) and quote values holding commas",
                        "crosswalk.row",
                    )
                    continue
                self.rows.append((start, {h: c.strip() for h, c in zip(header, cells)}))
        except csv.Error as exc:
            self.problem(line, "", f"the row is not CSV ({exc})", "close the quotes of the value", "crosswalk.row")

    def problem(
        self,
        line: int | None,
        column: str,
        message: str,
        fix: str,
        code: str = "crosswalk.value",
        severity: Severity = "error",
    ) -> None:
        self.problems.append(Problem(code, self.file, message, fix, line, column, severity))


def _duplicate(rows: _Rows, line: int, column: str, value: str, first: int) -> None:
    rows.problem(
        line,
        column,
        f"{column} '{value}' is already on line {first}",
        "keep one row for it (a duplicate is left out of the lookups until then)",
        "crosswalk.duplicate",
    )


def _load_items(
    path: Path,
) -> tuple[dict[str, ItemMatch], dict[str, ItemMatch], dict[str, ItemMatch], int, list[Problem]]:
    rows = _Rows(path, HEADERS[ITEMS])
    by_sku: dict[str, tuple[int, ItemMatch]] = {}
    by_gtin: dict[str, tuple[int, ItemMatch]] = {}
    by_product: dict[str, ItemMatch] = {}  # rows naming one product twice (by SKU and by GTIN) agree
    ambiguous_sku: set[str] = set()
    ambiguous_gtin: set[str] = set()
    count = 0
    for line, row in rows.rows:
        sku, gtin, product = row["vendor_sku"], row["gtin"], row["product_code"]
        ok = True
        if not sku and not gtin:
            rows.problem(
                line, "vendor_sku", "neither vendor_sku nor gtin is set", "write the partner's SKU, the GTIN, or both"
            )
            ok = False
        if not product:
            rows.problem(
                line,
                "product_code",
                "product_code is empty",
                "write our product's code (its internal reference in Odoo)",
            )
            ok = False
        if gtin:
            if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
                rows.problem(line, "gtin", f"gtin '{gtin}' is not a GTIN", "write its 8, 12, 13 or 14 digits")
                ok = False
            elif _gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
                rows.problem(
                    line,
                    "gtin",
                    f"gtin '{gtin}' has a wrong check digit (expected {_gtin_check_digit(gtin[:-1])})",
                    "copy the GTIN again from the partner's catalogue",
                    severity="warning",
                )
        if not ok:
            continue
        count += 1
        by_product.setdefault(product, ItemMatch(product, row["description"], "buyer_item", product))
        match = ItemMatch(product, row["description"], "vendor_sku", sku)
        if sku:
            if sku in by_sku:
                _duplicate(rows, line, "vendor_sku", sku, by_sku[sku][0])
                ambiguous_sku.add(sku)
            else:
                by_sku[sku] = (line, match)
        if gtin:
            key = normalize_gtin(gtin)
            if key in by_gtin:
                _duplicate(rows, line, "gtin", gtin, by_gtin[key][0])
                ambiguous_gtin.add(key)
            else:
                by_gtin[key] = (line, ItemMatch(product, row["description"], "gtin", gtin))
    return (
        {k: m for k, (_, m) in by_sku.items() if k not in ambiguous_sku},
        {k: m for k, (_, m) in by_gtin.items() if k not in ambiguous_gtin},
        by_product,
        count,
        rows.problems,
    )


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _load_uoms(path: Path) -> tuple[dict[str, UomMatch], int, list[Problem]]:
    rows = _Rows(path, HEADERS[UOM])
    found: dict[str, tuple[int, UomMatch]] = {}
    ambiguous: set[str] = set()
    count = 0
    for line, row in rows.rows:
        code, uom, text = row["code"], row["uom"], row["factor"]
        ok = True
        if not code:
            rows.problem(line, "code", "code is empty", "write the partner's unit code, such as CA")
            ok = False
        if not uom:
            rows.problem(line, "uom", "uom is empty", "write our unit of measure, such as BX")
            ok = False
        factor = _decimal(text)
        if factor is None or not factor.is_finite():
            rows.problem(line, "factor", f"factor '{text}' is not a number", "write a decimal such as 10 or 0.5")
            ok = False
        elif factor <= 0:
            rows.problem(
                line, "factor", f"factor '{text}' is not above zero", "write a positive decimal such as 10 or 0.5"
            )
            ok = False
        if not ok or factor is None:
            continue
        count += 1
        if code in found:
            _duplicate(rows, line, "code", code, found[code][0])
            ambiguous.add(code)
        else:
            found[code] = (line, UomMatch(code, uom, factor))
    return {k: m for k, (_, m) in found.items() if k not in ambiguous}, count, rows.problems


def _load_parties(path: Path) -> tuple[dict[tuple[str, str], PartyMatch], int, list[Problem]]:
    rows = _Rows(path, HEADERS[PARTIES])
    found: dict[tuple[str, str], tuple[int, PartyMatch]] = {}
    ambiguous: set[tuple[str, str]] = set()
    count = 0
    for line, row in rows.rows:
        qualifier, id, kind, ref = row["qualifier"], row["id"], row["kind"], row["our_ref"]
        ok = True
        if not id:
            rows.problem(
                line, "id", "id is empty", "write the party's identifier as the partner sends it (N104, NAD02)"
            )
            ok = False
        if kind not in PARTY_KINDS:
            rows.problem(
                line, "kind", f"kind '{kind}' is not one of {', '.join(PARTY_KINDS)}", "write vendor, location or buyer"
            )
            ok = False
        if not ref:
            rows.problem(line, "our_ref", "our_ref is empty", "write our reference for the party (the record in Odoo)")
            ok = False
        if not ok:
            continue
        count += 1
        key = (qualifier, id)
        if key in found:
            shown = f"{qualifier}:{id}" if qualifier else id
            _duplicate(rows, line, "id", shown, found[key][0])
            ambiguous.add(key)
        else:
            found[key] = (line, PartyMatch(qualifier, id, cast(PartyKind, kind), ref))
    return {k: m for k, (_, m) in found.items() if k not in ambiguous}, count, rows.problems


def load_crosswalks(folder: Path) -> tuple[Crosswalks, list[Problem]]:
    """Load a partner's ``crosswalks/`` folder (``folder`` is that folder). Missing files are empty."""
    by_sku, by_gtin, by_product, n_items, p_items = _load_items(folder / ITEMS)
    uoms, n_uom, p_uom = _load_uoms(folder / UOM)
    parties, n_parties, p_parties = _load_parties(folder / PARTIES)
    counts = {"items": n_items, "uom": n_uom, "parties": n_parties}
    crosswalks = Crosswalks(by_sku, by_gtin, uoms, parties, counts, items_by_product=by_product)
    return crosswalks, [*p_items, *p_uom, *p_parties]


def empty_file(name: str) -> str:
    """A new crosswalk file: its header line."""
    return ",".join(HEADERS[name]) + "\n"
