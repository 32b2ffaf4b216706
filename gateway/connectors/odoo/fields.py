"""Field names that differ between Odoo versions, in one place.

The gateway speaks Odoo 19 (the recorded contract, ../shared/odoo-contract/fields.json). When the server is
older, :class:`FieldMap` translates what the client sends (``vals`` / ``vals_list`` including x2many
commands, ``fields`` lists, domain leaves) to the server's names, and what ``read`` / ``search_read`` return
back to the 19 names, so the rest of the gateway never asks which version it talks to.

Each entry says where the name changed and how we know. "fields.json" means the 19 name is in the recorded
``fields_get`` and the old one is not; the old names are those of the 16.0-18.0 sources.

- ``purchase.order.line``: ``tax_ids`` was ``taxes_id`` before 19.0. Evidence: fields.json, contract README
  gotcha 4 and case ``create.unknown_field`` (19 refuses ``taxes_id`` with a 500).
- ``purchase.order.line``: ``product_uom_id`` was ``product_uom`` before 19.0 (the 19 UoM rework). Evidence:
  fields.json has ``product_uom_id`` and no ``product_uom`` on the line.
- ``product.product`` / ``product.template``: a storable product is ``type="consu"`` + ``is_storable=True`` from
  18.0 on; 16.0-17.0 say ``detailed_type="product"`` instead. Evidence: fields.json (``type`` is
  consu/service/combo, ``is_storable`` boolean); README "Storable products in 19.0 are consu + is_storable".
  This entry changes values as well as names, so it is code (``_old_products``), not a :class:`Rename`.
- ``stock.move.line``: ``quantity`` was ``qty_done`` before 17.0. Evidence: fields.json has ``quantity``
  (the flow's ``d.moveN.write_lots``) and no ``qty_done``.

Fields that kept their name (checked in fields.json, listed so nobody "fixes" them): ``stock.move.product_uom``,
``stock.move.line.product_uom_id``, ``account.move.line.tax_ids`` / ``product_uom_id``,
``product.supplierinfo.product_code``, ``stock.move.line.lot_name`` / ``expiration_date``.
``stock.move.picked`` is new in 17.0 and has no 16 equivalent: it is sent as is and a 16 server refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# the version the gateway's own field names come from
CURRENT = 19


@dataclass(frozen=True, slots=True)
class Rename:
    """``name`` (the 19 name) was ``old`` on servers older than ``since``."""

    model: str
    name: str
    old: str
    since: int


RENAMES: tuple[Rename, ...] = (
    Rename("purchase.order.line", "tax_ids", "taxes_id", 19),
    Rename("purchase.order.line", "product_uom_id", "product_uom", 19),
    Rename("stock.move.line", "quantity", "qty_done", 17),
)

# Products: 18.0 replaced detailed_type="product" by type="consu" + is_storable=True.
PRODUCT_MODELS = ("product.product", "product.template")
STORABLE_SINCE = 18

# x2many fields whose commands carry vals of another model, so nested vals are translated too
ONE2MANY: Mapping[tuple[str, str], str] = {
    ("purchase.order", "order_line"): "purchase.order.line",
    ("account.move", "invoice_line_ids"): "account.move.line",
    ("account.move", "line_ids"): "account.move.line",
    ("stock.picking", "move_ids"): "stock.move",
    ("stock.picking", "move_line_ids"): "stock.move.line",
    ("stock.move", "move_line_ids"): "stock.move.line",
    ("product.product", "seller_ids"): "product.supplierinfo",
    ("product.template", "seller_ids"): "product.supplierinfo",
}


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Translation between the gateway's (Odoo 19) field names and those of a server of ``version``."""

    version: int

    @property
    def identity(self) -> bool:
        return self.version >= CURRENT

    def _renames(self, model: str) -> list[Rename]:
        return [r for r in RENAMES if r.model == model and self.version < r.since]

    def _old_products(self, model: str) -> bool:
        return model in PRODUCT_MODELS and self.version < STORABLE_SINCE

    # ------------------------------------------------------------ names

    def name_to_server(self, model: str, name: str) -> str:
        for r in self._renames(model):
            if r.name == name:
                return r.old
        if self._old_products(model) and name == "is_storable":
            return "detailed_type"
        return name

    def name_from_server(self, model: str, name: str) -> str:
        for r in self._renames(model):
            if r.old == name:
                return r.name
        return name

    def fields_to_server(self, model: str, fields: Sequence[str]) -> list[str]:
        out: list[str] = []
        for name in fields:
            server = self.name_to_server(model, name)
            if server not in out:
                out.append(server)
        if self._old_products(model) and "type" in fields and "detailed_type" not in out:
            out.append("detailed_type")
        return out

    # ------------------------------------------------------------ values

    def vals_to_server(self, model: str, vals: Mapping[str, Any]) -> dict[str, Any]:
        """One record's vals, renamed; x2many commands of known relations translated recursively."""
        if self.identity:
            return dict(vals)
        out: dict[str, Any] = {}
        for name, value in vals.items():
            target = ONE2MANY.get((model, name))
            if target is not None and isinstance(value, list):
                value = [self._command_to_server(target, command) for command in value]
            out[self.name_to_server(model, name)] = value
        if self._old_products(model) and "detailed_type" in out:
            storable = out.pop("detailed_type")
            kind = out.pop("type", "consu")
            # 16-17: detailed_type drives type; sending both could contradict each other
            out["detailed_type"] = "product" if storable and kind == "consu" else kind
        return out

    def _command_to_server(self, model: str, command: Any) -> Any:
        if isinstance(command, list | tuple) and len(command) == 3 and isinstance(command[2], Mapping):
            return [command[0], command[1], self.vals_to_server(model, command[2])]
        return command

    def record_from_server(self, model: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """One record from ``read`` / ``search_read``, with the gateway's names."""
        if self.identity:
            return dict(record)
        out = {self.name_from_server(model, name): value for name, value in record.items()}
        if self._old_products(model) and "detailed_type" in out:
            detailed = out.pop("detailed_type")
            out["is_storable"] = detailed == "product"
            if "type" in out:
                out["type"] = "consu" if detailed == "product" else detailed
        return out

    def domain_to_server(self, model: str, domain: Sequence[Any]) -> list[Any]:
        """Domain leaves renamed (the first name of a dotted path); ``is_storable`` leaves on 16-17 products
        become ``detailed_type`` leaves."""
        out: list[Any] = []
        for leaf in domain:
            if isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str):
                head, dot, rest = leaf[0].partition(".")
                if self._old_products(model) and head == "is_storable" and leaf[1] in ("=", "!=") and not dot:
                    op = "=" if bool(leaf[2]) == (leaf[1] == "=") else "!="
                    out.append(["detailed_type", op, "product"])
                    continue
                out.append([self.name_to_server(model, head) + dot + rest, leaf[1], leaf[2]])
            else:
                out.append(leaf)
        return out
