"""The demo: the example partners' files through the whole pipeline, on the embedded defaults.

:func:`prepare` makes (or, when it is the demo's own, resets) the working folder and drops
the example files into the inbox, with one deliberately broken file; :func:`run` takes them
through intake, acks, translation and the JSON connector; :func:`rows` summarises one line
per document for the table ``edigw demo`` prints.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Finding, Interchange, Transaction
from ..transports import FolderTransport
from .context import Gateway, build
from .run import run_until_idle
from .settings import Settings

MARKER = ".edigw-demo"

#: (partner folder, sample file) pairs that partners send us; ``samples/`` holds the broken one.
EXAMPLES = [
    ("meridian", "850-vmi-replenishment.edi"),
    ("meridian", "855-ack.edi"),
    ("meridian", "856-asn.edi"),
    ("meridian", "810-invoice.edi"),
    ("stmary-eproc", "850-requisition-icu.edi"),
    ("stmary-eproc", "850-requisition-or.edi"),
    ("alpenmed", "desadv-d96a.edi"),
    ("alpenmed", "invoic-d96a.edi"),
]
BROKEN = "broken-missing-beg.edi"


class DemoError(Exception):
    """The demo cannot run here; the message says what to do."""


def prepare(settings: Settings, repo: Path) -> list[Path]:
    """A fresh demo working folder and inbox with the example files; returns the files dropped."""
    home = settings.home
    if home.exists() and any(home.iterdir()) and not (home / MARKER).exists():
        raise DemoError(
            f"{home} holds a working folder that is not the demo's: run the demo in another folder, "
            "or point EDIGW_HOME elsewhere."
        )
    if (home / MARKER).exists():  # the demo's own folders from an earlier run: start afresh
        for folder in (home, settings.outbox):
            for child in folder.iterdir() if folder.exists() else ():
                if child.name != ".gitkeep":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("made by `edigw demo`: it may be reset by the next demo run\n")
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.outbox.mkdir(parents=True, exist_ok=True)
    dropped = []
    for partner, name in EXAMPLES:
        source = settings.partners / partner / "samples" / name
        if not source.is_file():
            raise DemoError(f"example file {source} is missing: run the demo from a clone of the repository")
        target = settings.inbox / f"{partner}-{name}"
        shutil.copyfile(source, target)
        dropped.append(target)
    broken = repo / "samples" / BROKEN
    if broken.is_file():
        target = settings.inbox / BROKEN
        shutil.copyfile(broken, target)
        dropped.append(target)
    return dropped


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the demo's table."""

    interchange: int
    file: str
    partner: str
    set_id: str
    control: str  # interchange / transaction
    business_number: str
    status: str
    went_to: str  # the ERP reference, or why not
    ack: str


def run(settings: Settings) -> Gateway:
    # the demo feeds the JSON connector only, whatever EDIGW_CONNECTOR says: it never writes to an ERP
    gw = build(replace(settings, connector="json", odoo=None))
    inbox = FolderTransport(settings.inbox, settings.outbox, max_bytes=settings.max_bytes, settle_seconds=0.0)
    run_until_idle(gw, [inbox])
    return gw


def rows(gw: Gateway, base: Path) -> list[Row]:
    """One row per transaction (or per interchange that has none), oldest first."""

    def rel(text: str) -> str:
        try:
            return str(Path(text).resolve().relative_to(base.resolve()))
        except ValueError:
            return text

    out: list[Row] = []
    with gw.store.session() as s:
        inbound = s.execute(select(Interchange).where(Interchange.direction == "in").order_by(Interchange.id))
        for ic in inbound.scalars():
            acks = s.execute(select(Interchange).where(Interchange.acknowledges == ic.id).order_by(Interchange.id))
            ack = ", ".join(f"{a.kind} {rel(a.reference) if a.reference else a.status}" for a in acks.scalars()) or "-"
            txns: list[Transaction | None] = list(
                s.execute(
                    select(Transaction).where(Transaction.interchange_id == ic.id).order_by(Transaction.position)
                ).scalars()
            )
            for t in txns or [None]:
                why = _why(s, ic, t)
                out.append(
                    Row(
                        interchange=ic.id,
                        file=ic.file_name,
                        partner=ic.partner or "?",
                        set_id=t.set_id if t else "-",
                        control=f"{ic.control_number}/{t.control_number}" if t else ic.control_number,
                        business_number=(t.business_number or "-") if t else "-",
                        status=t.status if t else ic.status,
                        went_to=why if t is None or t.status != "posted" else rel(str((t.erp_refs or ["?"])[0])),
                        ack=ack,
                    )
                )
    return out


def _why(s: Session, ic: Interchange, t: Transaction | None) -> str:
    q = select(Finding).where(Finding.interchange_id == ic.id, Finding.severity == "error")
    q = q.where(Finding.transaction_id == t.id) if t is not None else q.where(Finding.transaction_id.is_(None))
    first = s.execute(q.order_by(Finding.id).limit(1)).scalar()
    return first.message if first is not None else "-"
