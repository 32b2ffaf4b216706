"""Crash test: a worker killed with SIGKILL at random points while 200 interchanges flow in loses and doubles nothing.

The worker is a subprocess (:mod:`tests.support.crash_worker`) on a folder inbox and outbox,
the JSON connector and the store (SQLite, or PostgreSQL through ``database_url``). The test
drops 200 distinct interchanges into the inbox, some before the first start and the rest
while the worker runs, and kills the worker again and again: from outside, with SIGKILL at
a random moment, and from inside, where the worker kills itself at precise points (after
intake commits but before the claimed file is removed, after the connector wrote a document
but before the posting commits, after an ack is written but before it is marked sent, ...).
After each kill it is restarted; at the end it runs, without kill points, until drained.

Then every interchange must be archived and recorded once, every transaction posted once
(one JSON file, one posting, one ``posted`` event), every ack written once (one outbound
interchange, one file, one ``ack sent`` event), and the archive must verify.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gateway.connectors import JsonConnector
from gateway.files import TEMP_PREFIX, sweep_temp
from gateway.partners import load_partners
from gateway.pipeline import Gateway, Worker
from gateway.pipeline.history import verify
from gateway.pipeline.receive import receive
from gateway.store import Archive, AuditEvent, Interchange, Job, Posting, Transaction, open_store
from gateway.transports import MemoryTransport

from .conftest import ROOT
from .support import crash_worker

pytestmark = pytest.mark.slow

TOTAL = 200
#: The chance that the worker kills itself at each of its kill points, and the most it dawdles at each step.
KILL_RATE = 0.003
PAUSE = 0.001
#: The kill points every run dies at at least once: the windows between two durable steps.
AIMED = [
    "archive:put",  # payload archived, interchange not recorded
    "receive:committed",  # intake committed, claimed file not removed
    "receive:accepted",  # claimed file removed
    "job:claimed",  # job running, stage not started
    "process:before-commit",  # interchange checked, acks queued: not committed
    "translate:before-commit",
    "post:before-write",
    "post:written",  # JSON written, posting not committed
    "post:before-commit",
    "deliver:sent",  # ack file written, not marked sent
    "deliver:before-commit",
]
#: The hidden temporary name every writer uses (the folder transport's send, the JSON feed, the archive).
TEMP_FILE = re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-f]{32}")
TEMPLATES = (
    ROOT / "partners/meridian/samples/810-invoice.edi",
    ROOT / "partners/meridian/samples/850-vmi-replenishment.edi",
    ROOT / "partners/meridian/samples/855-ack.edi",
    ROOT / "partners/meridian/samples/856-asn.edi",
    ROOT / "partners/stmary-eproc/samples/850-requisition-icu.edi",
    ROOT / "partners/stmary-eproc/samples/850-requisition-or.edi",
    ROOT / "partners/alpenmed/samples/desadv-d96a.edi",
    ROOT / "partners/alpenmed/samples/invoic-d96a.edi",
)
#: The element that holds each document's own business number: (tag, element position).
BUSINESS_NUMBER = {b"BEG": 3, b"BIG": 2, b"BSN": 2, b"BAK": 3, b"BGM": 2}


@dataclass(frozen=True, slots=True)
class Drop:
    """One interchange for the inbox."""

    name: str
    partner_hint: str | None  # dropped in inbox/<partner>/ rather than inbox/
    template: Path
    payload: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


def renumber(template: bytes, n: int) -> bytes:
    """``template`` as the ``n``-th distinct interchange: new control numbers and a new business number."""
    if template.startswith(b"ISA"):
        element, terminator = template[3:4], template[105:106]
    else:  # EDIFACT with a UNA, as all the samples are
        assert template.startswith(b"UNA")
        element, terminator = template[4:5], template[8:9]
    isa13 = f"{700000000 + n:09d}".encode()
    gs06 = str(7000 + n).encode()
    unb = f"CRASH{n:06d}".encode()
    out: list[bytes] = []
    for segment in template.split(terminator):
        lead = segment[: len(segment) - len(segment.lstrip())]
        parts = segment.lstrip().split(element)
        tag = parts[0]
        if tag == b"ISA":
            assert len(parts[13]) == 9
            parts[13] = isa13
        elif tag == b"IEA" or tag == b"UNZ":
            parts[2] = isa13 if tag == b"IEA" else unb
        elif tag in (b"GS", b"GE"):
            parts[6 if tag == b"GS" else 2] = gs06
        elif tag == b"UNB":
            parts[5] = unb
        if tag in BUSINESS_NUMBER:
            position = BUSINESS_NUMBER[tag]
            parts[position] = parts[position] + f"-C{n:03d}".encode()
        out.append(lead + element.join(parts))
    renumbered = terminator.join(out)
    assert len(renumbered.split(terminator, 1)[0]) == len(template.split(terminator, 1)[0])  # ISA stays fixed width
    return renumbered


def interchanges(rng: random.Random) -> list[Drop]:
    drops = []
    for n in range(TOTAL):
        template = TEMPLATES[n % len(TEMPLATES)]
        partner = template.parent.parent.name
        hint = partner if rng.random() < 0.25 else None
        drops.append(Drop(f"{n:03d}-{template.name}", hint, template, renumber(template.read_bytes(), n)))
    rng.shuffle(drops)
    return drops


def put(inbox: Path, drop: Drop) -> None:
    """Drop a file the way an uploader should: under a temporary name, then renamed."""
    folder = inbox / drop.partner_hint if drop.partner_hint else inbox
    folder.mkdir(exist_ok=True)
    temp = folder / f"{drop.name}.part"
    temp.write_bytes(drop.payload)
    os.replace(temp, folder / drop.name)


@cache
def reference_acks(tmp: Path) -> dict[Path, list[str]]:
    """The ack kinds each template gets, from a crash-free in-process run."""
    memory = MemoryTransport()
    (tmp / "documents").mkdir(parents=True)
    gw = Gateway(
        store=open_store(f"sqlite:///{tmp / 'reference.db'}"),
        archive=Archive(tmp / "archive"),
        partners=load_partners(ROOT / "partners"),
        partners_root=ROOT / "partners",
        maps_root=ROOT / "maps",
        connector=JsonConnector(folder=tmp / "documents"),
        senders={"folder": memory},
    )
    for template in TEMPLATES:
        memory.put(template.read_bytes(), name=str(template))
    receive(gw, memory)
    Worker(gw).drain()
    with gw.store.session() as s:
        rows = s.execute(
            select(Interchange.file_name, Interchange.status, Interchange.id).where(Interchange.direction == "in")
        ).all()
        assert all(status == "accepted" for _name, status, _id in rows), rows
        kinds = {
            ic_id: sorted(s.execute(select(Interchange.kind).where(Interchange.acknowledges == ic_id)).scalars())
            for _name, _status, ic_id in rows
        }
        out = {Path(name): kinds[ic_id] for name, _status, ic_id in rows}
    gw.store.dispose()
    return out


# -------------------------------------------------------------------------------------------- the run

#: Workers fork from a server that has imported the gateway once: a restart costs ~0.2 s, not ~1.3 s.
_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(["tests.support.crash_worker"])


@dataclass(slots=True)
class Run:
    """The worker processes of one test, and where each one died."""

    work: Path
    database_url: str
    seed: int
    starts: int = 0
    external: Counter[str] = field(default_factory=Counter)  # where the worker was when killed from outside
    internal: Counter[str] = field(default_factory=Counter)  # the kill points where it killed itself

    def start(self, *, forever: bool, kill_rate: float = 0.0, pause: float = 0.0, die_at: str = "") -> BaseProcess:
        self.starts += 1
        (self.work / "step").unlink(missing_ok=True)
        argv = [str(self.work), "--db", self.database_url, "--log", str(self.log())]
        argv += ["--seed", str(self.seed * 1000 + self.starts), "--kill-rate", str(kill_rate), "--pause", str(pause)]
        argv += ["--forever"] if forever else ["--timeout", "90"]
        argv += ["--die-at", die_at] if die_at else []
        proc = _FORKS.Process(target=crash_worker.run, args=(argv,), name=f"crash-worker-{self.starts}")
        proc.start()
        return proc

    @property
    def kills(self) -> int:
        return self.external.total() + self.internal.total()

    def kills_logged(self) -> list[str]:
        """The kill points where the worker killed itself so far, in order."""
        path = self.work / "kills.log"
        return path.read_text().split() if path.exists() else []

    def log(self) -> Path:
        return self.work / f"worker-{self.starts:02d}.log"

    def tail(self) -> str:
        return self.log().read_text()[-4000:] if self.log().exists() else ""

    def step(self) -> str:
        try:
            return (self.work / "step").read_bytes().decode().strip() or "?"
        except FileNotFoundError:
            return "not started"

    def wait_ready(self, proc: BaseProcess, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while proc.is_alive() and self.step() in ("not started", "?", "start") and time.monotonic() < deadline:
            time.sleep(0.005)


def posted(work: Path) -> int:
    """How many documents the JSON connector holds."""
    return sum(1 for p in (work / "var" / "documents").rglob("*.json") if not p.name.startswith("."))


def test_the_renumbered_interchanges_are_distinct() -> None:
    drops = interchanges(random.Random(1))
    assert len({d.payload for d in drops}) == TOTAL
    assert len({d.name for d in drops}) == TOTAL
    sample = renumber(TEMPLATES[0].read_bytes(), 7)
    assert b"*700000007*" in sample and b"IEA*1*700000007~" in sample and b"MER-INV-5507731-C007" in sample
    edifact = renumber(TEMPLATES[-1].read_bytes(), 12)
    assert (
        b"+CRASH000012'" in edifact
        and b"UNZ+1+CRASH000012'" in edifact
        and b"BGM+380+RE-2026-300981-C012+9'" in edifact
    )


@pytest.mark.parametrize(
    ("database_url", "seed"),
    [("sqlite", 7), ("sqlite", 2026), ("postgresql", 7)],
    indirect=["database_url"],
)
def test_a_worker_killed_at_random_loses_and_doubles_nothing(
    database_url: str, seed: int, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rng = random.Random(seed)
    work = tmp_path / "work"
    inbox = work / "inbox"
    for folder in (inbox, work / "outbox", work / "var" / "documents"):
        folder.mkdir(parents=True)
    drops = interchanges(rng)
    expected_acks = reference_acks(tmp_path_factory.getbasetemp() / "crash-reference")

    # Some interchanges wait in the inbox before the first start; the rest arrive while the worker runs.
    first = rng.randint(40, 80)
    for drop in drops[:first]:
        put(inbox, drop)
    later = drops[first:]
    run = Run(work, database_url, seed)
    aimed = rng.sample(AIMED, len(AIMED))  # each of these once, for sure; random kills before, between and after
    fresh = [later.pop() for _ in range(3 * len(AIMED))]  # new work for each aimed round, whenever it comes
    missed = []
    least = len(AIMED) + rng.randint(4, 8)  # kills at the least; more while most of the work is still to do
    started = time.monotonic()
    while aimed or run.kills < least or (posted(work) < TOTAL * 0.9 and run.kills < 3 * least):
        target = aimed.pop() if aimed and rng.random() < 0.6 else ""
        if target:
            for _ in range(3):
                put(inbox, fresh.pop())
        proc = run.start(
            forever=True,
            kill_rate=0.0 if target else KILL_RATE,
            pause=PAUSE,
            die_at=f"{target}@{rng.randint(1, 3)}" if target else "",
        )
        run.wait_ready(proc)
        # This round's share of the interchanges arrives while the worker runs; it is killed after a random
        # while, or, when aimed at a kill point, once it has got there.
        share = len(later) // max(1, least - run.kills)
        deadline = time.monotonic() + (8.0 if target else rng.uniform(0.2, 1.5))
        while proc.is_alive() and time.monotonic() < deadline:
            if share and later:
                put(inbox, later.pop(0))
                share -= 1
            time.sleep(rng.uniform(0, 0.02))
        where = run.step()
        proc.kill()  # when it is still alive: a kill from outside
        proc.join()
        assert proc.exitcode == -signal.SIGKILL, (proc.exitcode, run.tail())
        logged = run.kills_logged()
        if len(logged) > run.internal.total():  # it killed itself (perhaps just before we did)
            run.internal[logged[-1]] += 1
            if target and logged[-1] != target:
                missed.append(target)
        else:
            run.external[where] += 1
            if target:
                missed.append(target)
    for drop in later + fresh:  # what the rounds did not get to
        put(inbox, drop)
    killing = time.monotonic() - started
    posted_while_killing = posted(work)

    final = run.start(forever=False)
    final.join(timeout=120)
    assert final.exitcode == 0, (final.exitcode, run.tail())
    elapsed = time.monotonic() - started

    assert missed == [], f"the worker never got to {missed}"
    temps = check_exactly_once(work, database_url, drops, expected_acks)
    print(
        f"\nseed {seed} on {database_url.split(':')[0]}: {run.external.total()} external kills "
        f"{dict(run.external)}, {run.internal.total()} internal kills {dict(run.internal)}; "
        f"{posted_while_killing}/{TOTAL} posted in {killing:.1f}s of kills, drained after {elapsed:.1f}s; "
        "temporary files left by killed writers: "
        f"{[str(p.relative_to(work)) for p in temps]}"
    )


# ---------------------------------------------------------------------------------------- the checks


def check_exactly_once(
    work: Path, database_url: str, drops: list[Drop], expected_acks: dict[Path, list[str]]
) -> list[Path]:
    """Assert that everything happened once; returns the temporary files killed writers left behind."""
    inbox, outbox, home = work / "inbox", work / "outbox", work / "var"
    store = open_store(database_url)
    archive = Archive(home / "archive")
    by_name = {d.name: d for d in drops}
    try:
        # Every inbox file received once: the inbox (and its .claimed/) empty, one inbound row each, archived.
        left = [p for p in inbox.rglob("*") if p.is_file()]
        assert left == []
        with store.session() as s:
            inbound = list(s.execute(select(Interchange).where(Interchange.direction == "in")).scalars())
            outbound = list(s.execute(select(Interchange).where(Interchange.direction == "out")).scalars())
            txns = list(s.execute(select(Transaction)).scalars())
            postings = list(s.execute(select(Posting)).scalars())
            jobs = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            events = Counter(
                (action, entity)
                for action, entity in s.execute(
                    select(AuditEvent.action, AuditEvent.entity).where(AuditEvent.action.in_(("posted", "ack sent")))
                ).all()
            )
        names = Counter(ic.file_name for ic in inbound)
        assert names == Counter(list(by_name)), (names - Counter(list(by_name)), Counter(list(by_name)) - names)
        for ic in inbound:
            drop = by_name[ic.file_name]
            assert ic.position == 1
            assert ic.sha256 == drop.sha256
            assert ic.status == "accepted", (ic.file_name, ic.status)
            assert archive.read(ic.sha256) == drop.payload
        assert len({ic.message_id for ic in inbound}) == len(inbound)

        # Every transaction posted once: one posting, one JSON file, one "posted" event.
        assert jobs.keys() == {"done"}, jobs
        assert len(txns) == len(drops)  # one transaction per sample
        assert Counter(t.status for t in txns) == Counter({"posted": len(txns)})
        assert len(postings) == len(txns)
        assert {p.transaction_id for p in postings} == {t.id for t in txns}
        assert len({p.key for p in postings}) == len(postings)
        documents = home / "documents"
        written = sorted(p for p in documents.rglob("*") if p.is_file() and not p.name.startswith("."))
        assert len(written) == len(postings)
        assert {str(p) for p in written} == {ref for p in postings for ref in p.references}
        assert all(events[("posted", f"transaction:{t.id}")] == 1 for t in txns)

        # Every ack written once: the expected kinds per interchange, sent, one file each, one "ack sent" event.
        acks: dict[int, list[str]] = {}
        for out in outbound:
            assert out.acknowledges is not None
            acks.setdefault(out.acknowledges, []).append(out.kind)
        for ic in inbound:
            assert sorted(acks.get(ic.id, [])) == expected_acks[by_name[ic.file_name].template], ic.file_name
        assert Counter(out.status for out in outbound) == Counter({"sent": len(outbound)})
        files = sorted(p for p in outbox.rglob("*") if p.is_file() and not p.name.startswith("."))
        assert Counter(str(p.relative_to(outbox)) for p in files) == Counter(
            f"{out.partner}/{out.file_name}" for out in outbound
        )
        for out in outbound:
            assert (outbox / (out.partner or "") / out.file_name).read_bytes() == archive.read(out.sha256)
            subject = out.acknowledges or 0
            assert events[("ack sent", f"interchange:{subject}")] == len(acks[subject])

        # Nothing half-written where a partner or the ERP would look. A SIGKILL while a file is being
        # written leaves the writer's hidden temporary file behind: only those are allowed, and the
        # sweep a worker runs at start (for files older than an hour; here at once) removes them.
        temps = [p for p in (*outbox.rglob(".*"), *documents.rglob(".*"), *archive.root.rglob(".*")) if p.is_file()]
        assert [p for p in temps if not TEMP_FILE.fullmatch(p.name)] == []
        for root in (outbox, documents, archive.root):
            sweep_temp(root, older_than=0)
        assert [
            p for p in (*outbox.rglob(".*"), *documents.rglob(".*"), *archive.root.rglob(".*")) if p.is_file()
        ] == []
        # The audit chain is unbroken and every payload intact.
        verification = verify(store, archive)
        assert verification.ok, (verification.chain_break, verification.payload_problems)
    finally:
        store.dispose()
    return temps
