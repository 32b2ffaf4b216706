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
        connector=JsonConnector(folder=tmp_path / "documents", batch=True),
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


class Flaky:
    """A connector that fails as told: a stand-in for an ERP that is down or says no."""

    name = "flaky"

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.calls = 0

    def post(self, key: object, document: object) -> object:
        from gateway.connectors import Posted

        self.calls += 1
        if self.error is not None:
            raise self.error
        return Posted(references=(f"erp:{self.calls}",))


def _statuses(gw: Gateway) -> list[str]:
    with gw.store.session() as s:
        return [t.status for t in s.execute(select(Transaction).order_by(Transaction.id)).scalars()]


def _findings(gw: Gateway) -> list[tuple[str, str]]:
    from gateway.store import Finding

    with gw.store.session() as s:
        return [(f.code, f.message) for f in s.execute(select(Finding).order_by(Finding.id)).scalars()]


def test_an_erp_that_stays_down_ends_in_review_with_the_last_error(gateway: Gateway) -> None:
    from gateway.connectors import TransientError
    from gateway.store import Job

    flaky = Flaky(TransientError("connection refused"))
    gateway.connector = flaky
    _feed(gateway, [SAMPLES["meridian"] / "810-invoice.edi"])
    clock = gateway.clock
    assert isinstance(clock, Clock)
    worker = Worker(gateway)
    for _ in range(20):  # let the backoff pass, again and again
        clock.now += timedelta(hours=1)
        worker.drain()
    assert flaky.calls == gateway.retry_policy("post").max_attempts
    assert _statuses(gateway) == ["review"]
    ((_code, message),) = [f for f in _findings(gateway) if f[0] == "job.failed"]
    assert "connection refused" in message and "8 attempt" in message
    with gateway.store.session() as s:
        job = s.execute(select(Job).where(Job.kind == "post")).scalar_one()
    assert job.status == "failed"


def test_an_erp_that_refuses_sends_the_document_to_review_at_once(gateway: Gateway) -> None:
    from gateway.connectors import PermanentError

    flaky = Flaky(PermanentError("vendor V10442 is archived"))
    gateway.connector = flaky
    _feed(gateway, [SAMPLES["meridian"] / "810-invoice.edi"])
    assert flaky.calls == 1
    assert _statuses(gateway) == ["review"]
    assert any(code == "post.rejected" and "archived" in msg for code, msg in _findings(gateway))


def test_a_transient_failure_is_retried_and_then_posted_once(gateway: Gateway) -> None:
    from gateway.connectors import TransientError

    flaky = Flaky(TransientError("timeout"))
    gateway.connector = flaky
    _feed(gateway, [SAMPLES["meridian"] / "810-invoice.edi"])
    flaky.error = None
    clock = gateway.clock
    assert isinstance(clock, Clock)
    clock.now += timedelta(hours=1)
    Worker(gateway).drain()
    assert _statuses(gateway) == ["posted"] and flaky.calls == 2


def _as_test_traffic(path: Path) -> bytes:
    data = path.read_bytes()
    return data.replace(b"*0*P*>~", b"*0*T*>~", 1).replace(b"*1*P*>~", b"*1*T*>~", 1)


def test_test_traffic_is_acknowledged_but_never_posted_to_production(gateway: Gateway) -> None:
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    data = _as_test_traffic(SAMPLES["meridian"] / "810-invoice.edi")
    assert b"*T*>~" in data
    memory.put(data, name="test.edi")
    receive(gateway, memory)
    Worker(gateway).drain()
    assert _statuses(gateway) == ["held"]
    assert any(code == "usage.mismatch" for code, _ in _findings(gateway))
    assert [name[:4] for _partner, name in memory.sent] == ["997-"]


def test_test_traffic_goes_to_the_test_connector_when_there_is_one(gateway: Gateway) -> None:
    test = Flaky(None)
    production = Flaky(None)
    gateway.test_connector = test
    gateway.connector = production
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    memory.put(_as_test_traffic(SAMPLES["meridian"] / "810-invoice.edi"), name="test.edi")
    receive(gateway, memory)
    Worker(gateway).drain()
    assert _statuses(gateway) == ["posted"] and (test.calls, production.calls) == (1, 0)


def test_ack_control_numbers_count_per_partner_and_usage(gateway: Gateway) -> None:
    from gateway.store import Interchange as Ic

    _feed(
        gateway,
        [
            SAMPLES["meridian"] / "810-invoice.edi",
            SAMPLES["meridian"] / "856-asn.edi",
            SAMPLES["stmary-eproc"] / "850-requisition-icu.edi",
        ],
    )
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    memory.put(_as_test_traffic(SAMPLES["meridian"] / "855-ack.edi"), name="t.edi")
    receive(gateway, memory)
    Worker(gateway).drain()
    with gateway.store.session() as s:
        sent = [
            (o.partner, o.usage, o.control_number)
            for o in s.execute(select(Ic).where(Ic.direction == "out").order_by(Ic.id)).scalars()
        ]
    assert sorted(sent) == [
        ("meridian", "P", "000000001"),
        ("meridian", "P", "000000002"),
        ("meridian", "T", "000000001"),
        ("stmary-eproc", "P", "000000001"),
    ]


def test_a_worker_survives_a_bug_in_a_stage_and_the_document_ends_in_review(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.pipeline import stages

    def broken(gw: Gateway, job: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(stages.HANDLERS, "translate", broken)
    _feed(gateway, [SAMPLES["meridian"] / "810-invoice.edi"])
    clock = gateway.clock
    assert isinstance(clock, Clock)
    for _ in range(10):
        clock.now += timedelta(hours=1)
        Worker(gateway).drain()
    assert _statuses(gateway) == ["review"]
    assert any("internal error: ZeroDivisionError" in msg for _code, msg in _findings(gateway))


def test_a_file_that_is_not_edi_is_rejected_and_the_same_bytes_again_are_a_duplicate(gateway: Gateway) -> None:
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    memory.put(b"%PDF-1.7 not an interchange", name="invoice.pdf")
    memory.put(b"%PDF-1.7 not an interchange", name="invoice-again.pdf")
    receive(gateway, memory)
    Worker(gateway).drain()
    with gateway.store.session() as s:
        rows = list(s.execute(select(Interchange).order_by(Interchange.id)).scalars())
    assert [(r.status, r.duplicate_of) for r in rows] == [("rejected", None), ("duplicate", rows[0].id)]
    assert any(code == "interchange.not_edi" for code, _ in _findings(gateway))
    assert memory.sent == {}


def test_the_envelope_decides_the_partner_not_the_inbox_folder(gateway: Gateway) -> None:
    memory = gateway.senders["memory"]
    assert isinstance(memory, MemoryTransport)
    memory.put(
        (SAMPLES["stmary-eproc"] / "850-requisition-icu.edi").read_bytes(), name="a.edi", partner_hint="meridian"
    )
    stranger = (SAMPLES["meridian"] / "810-invoice.edi").read_bytes().replace(b"MERIDIANMED    ", b"SOMEONEELSE    ")
    memory.put(stranger, name="b.edi", partner_hint="meridian")
    receive(gateway, memory)
    Worker(gateway).drain()
    with gateway.store.session() as s:
        rows = list(
            s.execute(select(Interchange).where(Interchange.direction == "in").order_by(Interchange.id)).scalars()
        )
    assert [r.partner for r in rows] == ["stmary-eproc", None]
    assert _statuses(gateway) == ["posted", "review"]
    assert any(code == "partner.unknown" and "ZZ:SOMEONEELSE" in msg for code, msg in _findings(gateway))
