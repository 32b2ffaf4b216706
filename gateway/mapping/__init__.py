"""Maps: declarative rules between transactions and canonical documents, in both directions.

* :func:`load_map` reads a base or partner map (TOML, ``maps/FORMAT.md``) with its ``extends``.
* :func:`translate_transaction` turns one transaction into a document, with findings and the
  input no rule used; :func:`render_transaction` writes a document back as a transaction.
"""

from __future__ import annotations

from typing import Any

from ..edi.transactions import RawTransaction
from .engine import Translation, Unused, render, translate
from .maps import Map, MapError, base_map_path, load_map

__all__ = [
    "Map",
    "MapError",
    "Translation",
    "Unused",
    "base_map_path",
    "load_map",
    "render_transaction",
    "translate_transaction",
]


def translate_transaction(
    tx: RawTransaction, m: Map, *, partner: str = "", archive_sha256: str | None = None
) -> Translation:
    """Translate one transaction with ``m``; the document's provenance names where it came from."""
    schema = tx.schema
    if schema is None:
        raise MapError(f"{m.source}: no schema for {tx.standard} {tx.set_id} {tx.version}")
    provenance: dict[str, Any] = {
        "partner": partner,
        "standard": tx.standard,
        "set_id": tx.set_id,
        "version": tx.version,
        "interchange_control": tx.interchange_control,
        "group_control": tx.group_control,
        "transaction_control": tx.transaction_control,
        "archive_sha256": archive_sha256,
    }
    return translate(tx.segments, m, schema, tx.dialect, provenance=provenance)


def render_transaction(document: Any, m: Map) -> list[list[str | tuple[str, ...]]]:
    """The segments between ST and SE (or UNH and UNT) that ``m`` writes for ``document``."""
    from ..edi.schema import edifact_schema, x12_schema

    schema = x12_schema(m.set_id, m.version) if m.standard == "x12" else edifact_schema(m.set_id, m.version)
    if schema is None:
        raise MapError(f"{m.source}: no schema for {m.standard} {m.set_id} {m.version}")
    return render(document, m, schema)
