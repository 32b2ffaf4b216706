"""The pipeline end to end through the in-memory transport and the JSON connector, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gateway.connectors import JsonConnector
from gateway.partners import load_partners
from gateway.pipeline import Gateway, Worker
from gateway.pipeline.receive import receive
from gateway.store import Archive, Interchange, Posting, Transaction, open_store
from gateway.transports import MemoryTransport

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {
    "meridian": ROOT / "partners/meridian/samples",
    "alpenmed": ROOT / "partners/alpenmed/samples",
    "stmary-eproc": ROOT / "partners/stmary-eproc/samples",
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def gateway(database_url: str, tmp_path: Path) -> Gateway:
    memory = MemoryTransport()
    (tmp_path / "documents").mkdir()
    return Gateway(
        store=open_store(database_url),
        archive=Archive(tmp_path / "archive"),
        partners=load_partners(ROOT / "partners"),
        partners_root=ROOT / "partners",
        maps_root=ROOT / "maps",
        connector=JsonConnector(folder=tmp_path / "documents"),
        senders={"folder": memory, "memory": memory},
        clock=Clock(),
    )


def _feed(gw: Gateway, files: list[Path]) -> MemoryTransport:
    memory = gw.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    for f in files:
        memory.put(f.read_bytes(), name=f.name)
    receive(gw, memory)
    Worker(gw).drain()
    return memory


#: The ORDERS sample is one we send to AlpenMed, not one we receive.
OUTBOUND_SAMPLES = {SAMPLES["alpenmed"] / "orders-d96a.edi"}


def _all_samples() -> list[Path]:
    return sorted(p for folder in SAMPLES.values() for p in folder.glob("*.edi") if p not in OUTBOUND_SAMPLES)


def test_every_example_file_is_posted_once_and_acknowledged(gateway: Gateway, tmp_path: Path) -> None:
    memory = _feed(gateway, _all_samples())
    with gateway.store.session() as s:
        statuses = dict(s.execute(select(Transaction.status, func.count()).group_by(Transaction.status)).all())
        posted = s.execute(select(func.count()).select_from(Posting)).scalar()
        inbound = s.execute(select(func.count()).select_from(Interchange).where(Interchange.direction == "in")).scalar()
        sent = list(s.execute(select(Interchange).where(Interchange.direction == "out")).scalars())
    assert statuses == {"posted": posted}, statuses
    assert inbound == len(_all_samples())
    assert all(out.status == "sent" for out in sent)
    assert len(memory.sent) == len(sent) >= inbound
    written = sorted((tmp_path / "documents").rglob("*.json"))
    assert len(written) == posted
    body = json.loads(written[0].read_text())
    assert body["document"]["provenance"]["archive_sha256"]


def test_a_resent_interchange_is_a_duplicate_and_is_answered_but_not_posted_again(gateway: Gateway) -> None:
    f = SAMPLES["meridian"] / "810-invoice.edi"
    _feed(gateway, [f])
    memory = _feed(gateway, [f])
    with gateway.store.session() as s:
        rows = list(
            s.execute(select(Interchange).where(Interchange.direction == "in").order_by(Interchange.id)).scalars()
        )
        posted = s.execute(select(func.count()).select_from(Posting)).scalar()
    assert [r.status for r in rows] == ["accepted", "duplicate"]
    assert rows[1].duplicate_of == rows[0].id
    assert posted == 1
    assert any(name.startswith("TA1") for _partner, name in memory.sent)


def test_a_resent_document_with_new_control_numbers_is_a_business_duplicate(gateway: Gateway) -> None:
    data = (SAMPLES["meridian"] / "810-invoice.edi").read_bytes()
    renumbered = data.replace(b"*000004104*", b"*000004199*").replace(b"IEA*1*000004104", b"IEA*1*000004199")
    assert renumbered.count(b"000004199") == 2  # a new ISA13 and IEA02: the same invoice resent
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    memory.put(data, name="a.edi")
    memory.put(renumbered, name="b.edi")
    receive(gateway, memory)
    Worker(gateway).drain()
    with gateway.store.session() as s:
        txns = list(s.execute(select(Transaction).order_by(Transaction.id)).scalars())
    assert [t.status for t in txns] == ["posted", "duplicate"]


def test_an_unknown_item_sends_the_document_to_review_with_a_finding(gateway: Gateway, tmp_path: Path) -> None:
    data = (SAMPLES["meridian"] / "810-invoice.edi").read_bytes()
    _feed_bytes = data
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    partners = tmp_path / "partners"
    shutil.copytree(ROOT / "partners", partners)
    items = partners / "meridian" / "crosswalks" / "items.csv"
    items.write_text(items.read_text().splitlines()[0] + "\n")
    gateway.partners = load_partners(partners)
    gateway.partners_root = partners
    memory.put(_feed_bytes, name="inv.edi")
    receive(gateway, memory)
    Worker(gateway).drain()
    from gateway.pipeline.history import story

    with gateway.store.session() as s:
        (txn,) = s.execute(select(Transaction)).scalars()
    assert txn.status == "review"
    found = story(gateway.store, gateway.archive, txn.interchange_id)
    assert found is not None
    codes = {f.code for f in found.findings}
    assert "crosswalk.unknown_item" in codes
    assert any("items.csv" in f.message for f in found.findings)


def test_an_interchange_addressed_to_someone_else_is_refused_with_contrl_7(gateway: Gateway) -> None:
    memory = _feed(gateway, list(OUTBOUND_SAMPLES))
    with gateway.store.session() as s:
        (ic,) = s.execute(select(Interchange).where(Interchange.direction == "in")).scalars()
        (txn,) = s.execute(select(Transaction)).scalars()
    assert (ic.status, txn.status) == ("rejected", "rejected")
    (((_partner, name), payload),) = memory.sent.items()
    assert name.startswith("CONTRL") and b"+4+7'" in payload
