"""Translating files for the faces: find each transaction's map, translate, compare with golden files;
and the way out, a document written as a whole interchange for a partner.

A partner's map for a set and version is ``partners/<name>/maps/<set>-<version>.toml`` when it
exists (or the file its profile names), else the base map ``maps/base/<standard>/<set>/<version>.toml``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..edi.delimiters import EDIFACT_OUTBOUND, X12_OUTBOUND, EdifactDelimiters, X12Delimiters
from ..edi.envelopes import Address, edifact_interchange, x12_interchange
from ..edi.findings import Finding, finding
from ..edi.transactions import RawTransaction, iter_transactions
from . import translate_transaction
from .engine import Translation
from .maps import Map, MapError, base_map_path, shared_map

Checker = Callable[[Any], list[Finding]]


def partner_map_path(partner_dir: Path, set_id: str, version: str) -> Path:
    return partner_dir / "maps" / f"{set_id}-{version}.toml"


def resolve_map(
    tx: RawTransaction, maps_root: Path, partner_dir: Path | None = None, named: dict[str, str] | None = None
) -> Path | None:
    """The map file for ``tx``: the partner's own, then the base map; None when there is neither."""
    if partner_dir is not None:
        ref = (named or {}).get(tx.set_id) or (named or {}).get(f"{tx.set_id}/{tx.version}")
        if ref:
            return base_map_path(ref[5:], maps_root) if ref.startswith("base:") else partner_dir / ref
        own = partner_map_path(partner_dir, tx.set_id, tx.version)
        if own.is_file():
            return own
    base = base_map_path(f"{tx.standard}/{tx.set_id}/{tx.version}", maps_root)
    return base if base.is_file() else None


@dataclass(slots=True)
class Outcome:
    """One transaction's translation, ready to print."""

    index: int
    tx: RawTransaction
    map_path: Path | None
    translation: Translation | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.translation is not None
            and self.translation.document is not None
            and not any(f.is_error for f in self.findings)
        )

    def document_json(self) -> dict[str, Any] | None:
        if self.translation is None or self.translation.document is None:
            return None
        data: dict[str, Any] = json.loads(self.translation.document.model_dump_json())
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction": self.index,
            "set": self.tx.set_id,
            "version": self.tx.version,
            "control_number": self.tx.transaction_control,
            "map": str(self.map_path) if self.map_path else None,
            "document": self.document_json(),
            "unused": [u.to_dict() for u in self.translation.unused] if self.translation else [],
            "findings": [f.to_dict() for f in self.findings],
        }


def translate_file(
    data: bytes,
    *,
    maps_root: Path,
    partner: str = "",
    partner_dir: Path | None = None,
    named_maps: dict[str, str] | None = None,
    checker: Checker | None = None,
) -> Iterator[Outcome]:
    """Translate every transaction of ``data``; acks and unsupported sets are passed over."""
    loaded: dict[Path, Map] = {}
    for n, tx in enumerate(iter_transactions(data), start=1):
        if tx.set_id in ("997", "999", "CONTRL", "APERAK") or tx.schema is None:
            continue
        path = resolve_map(tx, maps_root, partner_dir, named_maps)
        if path is None:
            yield Outcome(
                n,
                tx,
                None,
                None,
                [
                    finding(
                        "mapping.missing",
                        f"No map for {tx.standard} {tx.set_id} {tx.version}: add one with "
                        f"`edigw maps new --partner NAME --from {tx.standard}/{tx.set_id}/{tx.version}`.",
                    )
                ],
            )
            continue
        try:
            if path not in loaded:  # one look per map and file: a file's transactions mostly share one
                loaded[path] = shared_map(path, maps_root)
            m = loaded[path]
        except MapError as exc:
            yield Outcome(n, tx, path, None, [finding("mapping.invalid_document", str(exc))])
            continue
        t = translate_transaction(tx, m, partner=partner)
        found = list(t.findings)
        if t.document is not None and checker is not None:
            found += checker(t.document)
        yield Outcome(n, tx, path, t, found)


def golden_path(expect_dir: Path, source: Path, index: int) -> Path:
    return expect_dir / f"{source.stem}.{index}.json"


def golden_text(outcome: Outcome) -> str:
    """What a golden file holds: the document, the unused input and the findings, stably sorted."""
    body = {
        "document": outcome.document_json(),
        "unused": [u.to_dict() for u in outcome.translation.unused] if outcome.translation else [],
        "findings": [{"code": f.code, "message": f.message} for f in outcome.findings],
    }
    return json.dumps(body, indent=2, sort_keys=True, default=str) + "\n"


def golden_diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"{name} (expected)", f"{name} (now)"
        )
    )


# -- outbound ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who an outbound interchange is from and to, and the delimiters it is written with."""

    sender: Address
    receiver: Address
    delimiters: X12Delimiters | EdifactDelimiters
    una: bool | None = None  # EDIFACT: send the UNA or not; None sends it when the delimiters are not the defaults


def delimiters_of(data: bytes, standard: str) -> X12Delimiters | EdifactDelimiters | None:
    """The delimiters of the first ``standard`` transaction in ``data`` (a file the partner sent)."""
    for tx in iter_transactions(data):
        if tx.standard == standard:
            found = getattr(tx.dialect, "delimiters", None)
            if isinstance(found, X12Delimiters | EdifactDelimiters):
                return found
    return None


def default_delimiters(standard: str) -> X12Delimiters | EdifactDelimiters:
    """What edigw writes when a partner has stated no delimiters of its own (``* > ^ ~``, ``+ : ? '``)."""
    return X12_OUTBOUND if standard == "x12" else EDIFACT_OUTBOUND


def render_interchange(document: Any, m: Map, envelope: Envelope, *, now: datetime, control: int = 1) -> bytes:
    """``document`` written with ``m`` as one transaction in a whole interchange (a preview: every
    control number is ``control``; the outbound queue takes real ones from the store's allocator)."""
    from . import render_transaction

    body = render_transaction(document, m)

    def numbers(kind: str) -> int:
        return control

    d = envelope.delimiters
    if isinstance(d, X12Delimiters):
        functional_id = FUNCTIONAL_IDS.get(m.set_id, "")
        return x12_interchange(
            functional_id,
            m.version,
            [(m.set_id, body)],
            sender=envelope.sender,
            receiver=envelope.receiver,
            d=d,
            numbers=numbers,
            now=now,
        )
    ident = (m.set_id, m.version[:1], m.version[1:], "UN")
    return edifact_interchange(
        [(ident, body)],
        sender=envelope.sender,
        receiver=envelope.receiver,
        d=d,
        numbers=numbers,
        now=now,
        una=envelope.una,
    )


#: GS01 for the sets the base maps cover.
FUNCTIONAL_IDS = {"850": "PO", "855": "PR", "856": "SH", "810": "IN"}
