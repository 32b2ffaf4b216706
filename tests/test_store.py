"""The store, on SQLite and PostgreSQL: migrations, UTC times, archive, audit chain, job queue, numbers, errors."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, inspect, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.store import (
    Archive,
    ArchiveError,
    AuditEvent,
    ControlNumber,
    Interchange,
    Job,
    Posting,
    RetryPolicy,
    Store,
    StoreBusy,
    StoreError,
    allocate,
    audit,
    open_store,
    verify_chain,
)
from gateway.store import queue as jobs
from gateway.store.audit import GENESIS
from gateway.store.models import AuditHead, Base

T0 = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))
POLICY = RetryPolicy(max_attempts=3, base_seconds=2.0, cap_seconds=10.0)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.dispose()


def enqueue(s: Session, kind: str, ref_id: int, delay: float = 0.0) -> int:
    """Queue a job at T0 and return its id."""
    job = jobs.enqueue(s, kind, ref_id, now=T0, policy=POLICY, delay=delay)
    s.flush()
    return job.id


def make_interchange(at: datetime, message_id: str = "m-1") -> Interchange:
    return Interchange(
        direction="in",
        transport="as2",
        message_id=message_id,
        sha256="0" * 64,
        size=1,
        status="received",
        created_at=at,
        updated_at=at,
    )


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """Run ``work(i)`` in ``count`` threads started together; re-raise the first failure."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]


# --- migrations ---------------------------------------------------------------------------------


def test_migrations_create_every_table_and_match_the_models(database_url: str) -> None:
    store = open_store(database_url, migrate=False)
    try:
        assert not store.is_migrated()
        store.migrate()
        assert store.is_migrated()
        tables = set(inspect(store.engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        store.dispose()


def test_migrating_twice_is_a_no_op(store: Store) -> None:
    with store.session() as s:
        s.add(make_interchange(T0))
    store.migrate()
    assert open_store(store.url).is_migrated()
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Interchange)) == 1
        assert list(s.execute(text("SELECT version_num FROM alembic_version")).scalars()) == [_head()]


# --- times --------------------------------------------------------------------------------------


def test_aware_times_come_back_equal_and_in_utc(store: Store) -> None:
    at = datetime(2026, 11, 28, 16, 30, 5, 123456, tzinfo=PLUS_TWO)
    with store.session() as s:
        row = make_interchange(at)
        s.add(row)
        s.flush()
        row_id = row.id
    with store.session() as s:
        got = s.get(Interchange, row_id)
        assert got is not None
        assert got.created_at == at
        assert got.created_at.tzinfo is not None
        assert got.created_at.utcoffset() == timedelta(0)
        assert got.created_at.replace(tzinfo=None) == datetime(2026, 11, 28, 14, 30, 5, 123456)
        # the stored value is UTC, so comparisons in SQL order times across zones correctly
        assert s.scalar(select(func.count()).where(Interchange.created_at < T0 + timedelta(seconds=6))) == 1


def test_a_naive_time_is_refused_at_the_session_boundary(store: Store) -> None:
    with pytest.raises(StoreError, match="naive") as info, store.session() as s:
        s.add(make_interchange(datetime(2026, 11, 28, 14, 30)))
    assert isinstance(info.value.__cause__, SQLAlchemyError)
    with pytest.raises(StoreError, match="naive"):
        jobs.claim(store, "w1", datetime(2026, 11, 28, 14, 30))
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Interchange)) == 0


# --- archive ------------------------------------------------------------------------------------


def test_archive_is_content_addressed_idempotent_and_read_only(tmp_path: Path) -> None:
    import hashlib

    archive = Archive(tmp_path / "archive")
    payload = b"ISA*00*          *00*          *ZZ*SENDER~"
    digest = archive.put(payload)
    assert digest == hashlib.sha256(payload).hexdigest()
    path = archive.path(digest)
    assert path == tmp_path / "archive" / digest[:2] / digest[2:4] / digest
    assert path.stat().st_mode & 0o777 == 0o444
    assert archive.put(payload) == digest
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no stray temporary file
    assert archive.read(digest) == payload
    assert archive.exists(digest)
    assert archive.verify(digest) is None


def test_archive_verify_names_altered_and_missing_payloads(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    altered = archive.put(b"first payload")
    missing = archive.put(b"second payload")
    path = archive.path(altered)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    problem = archive.verify(altered)
    assert problem is not None and altered in problem and "altered" in problem
    archive.path(missing).chmod(0o644)
    archive.path(missing).unlink()
    problem = archive.verify(missing)
    assert problem is not None and missing in problem and "missing" in problem
    with pytest.raises(ArchiveError):
        archive.read(missing)


def test_archive_refuses_what_is_not_a_digest_and_removes(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    for bad in ("", "abc", "A" * 64, "g" * 64, "../" + "0" * 61):
        with pytest.raises(ArchiveError):
            archive.path(bad)
        with pytest.raises(ArchiveError):
            archive.verify(bad)
    digest = archive.put(b"retained for a while")
    assert archive.remove(digest) is True
    assert not archive.exists(digest)
    assert archive.remove(digest) is False


# --- audit --------------------------------------------------------------------------------------


def add_events(store: Store) -> list[int]:
    """Four events from three sessions, one of them in +02:00; their ids."""
    with store.session() as s:
        audit(s, actor="intake", entity="interchange:1", action="received", at=T0, size=10)
        audit(s, actor="intake", entity="interchange:1", action="archived", at=T0, sha256="ab" * 32)
    with store.session() as s:
        audit(s, actor="worker", entity="interchange:1", action="accepted", at=T0.astimezone(PLUS_TWO), sets=["850"])
    with store.session() as s:
        audit(s, actor="alice", entity="transaction:1", action="resolved", at=T0 + timedelta(minutes=5), note="ok")
    with store.session() as s:
        return list(s.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def chain(store: Store) -> list[tuple[int, str | None]]:
    with store.session() as s:
        return list(verify_chain(s))


def test_events_from_several_sessions_form_one_chain(store: Store) -> None:
    ids = add_events(store)
    assert len(ids) == 4
    assert chain(store) == [(i, None) for i in ids]
    with store.session() as s:
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        head = s.get(AuditHead, 1)
        assert head is not None and head.hash == events[-1].hash and head.count == 4
        assert events[2].at == T0 and events[2].detail == {"sets": ["850"]}


def test_an_altered_event_is_found_at_its_id(store: Store) -> None:
    ids = add_events(store)
    with store.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(detail={"sha256": "cd" * 32}))
    result = chain(store)
    assert result[:-1] == [(ids[0], None)]
    bad_id, problem = result[-1]
    assert bad_id == ids[1] and problem is not None and "altered" in problem


def test_a_deleted_last_event_is_found_by_the_head(store: Store) -> None:
    ids = add_events(store)
    with store.session() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id == ids[-1]))
    result = chain(store)
    assert result[:-1] == [(i, None) for i in ids[:-1]]
    last_id, problem = result[-1]
    assert last_id == ids[-2] and problem is not None and "removed" in problem


def test_a_rolled_back_session_records_no_events(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        audit(s, actor="intake", entity="interchange:9", action="received", at=T0)
        raise RuntimeError("crash before commit")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
        audit(s, actor="intake", entity="interchange:9", action="received", at=T0)
    with store.session() as s:
        assert [e.action for e in s.execute(select(AuditEvent)).scalars()] == ["received"]
    assert [problem for _, problem in chain(store)] == [None]


def test_a_head_read_earlier_in_the_session_is_not_chained_on(store: Store) -> None:
    """The head is re-read under its lock, not taken from what the session saw before another writer committed."""
    if store.is_sqlite:
        pytest.skip("SQLite's BEGIN IMMEDIATE makes the other writer wait for this one")
    add_events(store)
    with store.session() as s:
        assert s.get(AuditHead, 1) is not None
        with store.session() as other:
            audit(other, actor="worker", entity="interchange:2", action="received", at=T0)
        audit(s, actor="alice", entity="interchange:1", action="viewed", at=T0)
    result = chain(store)
    assert len(result) == 6 and all(problem is None for _, problem in result)


def test_concurrent_writers_keep_one_unbroken_chain(store: Store) -> None:
    def work(worker: int) -> None:
        for n in range(25):
            with store.session() as s:
                audit(s, actor=f"worker-{worker}", entity=f"interchange:{n}", action="processed", at=T0, n=n)

    run_threads(4, work)
    result = chain(store)
    assert len(result) == 100
    assert all(problem is None for _, problem in result)
    with store.session() as s:
        head = s.get(AuditHead, 1)
        assert head is not None and head.count == 100


# --- queue --------------------------------------------------------------------------------------


def test_enqueue_claim_finish(store: Store) -> None:
    with store.session() as s:
        job_id = enqueue(s, "process", 7)
    job = jobs.claim(store, "w1", T0)
    assert job is not None
    assert (job.id, job.kind, job.ref_id) == (job_id, "process", 7)
    assert (job.status, job.attempts, job.locked_by) == ("running", 1, "w1")
    assert job.locked_at == T0
    assert jobs.claim(store, "w2", T0) is None
    with store.session() as s:
        assert jobs.depth(s) == {"running": 1}
        jobs.finish(s, job_id, T0 + timedelta(seconds=1))
    with store.session() as s:
        done = s.get(Job, job_id)
        assert done is not None and done.status == "done" and done.finished_at == T0 + timedelta(seconds=1)
        assert done.locked_by == ""
        assert jobs.depth(s) == {"done": 1}


def test_claim_takes_only_due_jobs_of_the_asked_kinds(store: Store) -> None:
    assert jobs.claim(store, "w1", T0) is None
    with store.session() as s:
        later = enqueue(s, "deliver", 1, delay=60)
    assert jobs.claim(store, "w1", T0) is None
    assert jobs.claim(store, "w1", T0 + timedelta(seconds=59)) is None
    with store.session() as s:
        process = enqueue(s, "process", 2)
        post = enqueue(s, "post", 3)
    got = jobs.claim(store, "w1", T0, kinds=("post",))
    assert got is not None and got.id == post
    assert jobs.claim(store, "w1", T0, kinds=("post", "deliver")) is None
    got = jobs.claim(store, "w1", T0 + timedelta(seconds=60), kinds=("post", "deliver"))
    assert got is not None and got.id == later
    got = jobs.claim(store, "w1", T0 + timedelta(seconds=60))
    assert got is not None and got.id == process
    with store.session() as s:
        assert jobs.depth(s) == {"running": 3}


@pytest.mark.parametrize("attempts", range(1, 9))
def test_backoff_is_between_half_and_all_of_the_capped_exponential(attempts: int) -> None:
    full = min(POLICY.cap_seconds, POLICY.base_seconds * 2 ** (attempts - 1))
    rng = random.Random(attempts)
    for _ in range(200):
        seconds = POLICY.delay(attempts, rng).total_seconds()
        assert full / 2 <= seconds <= full
    assert POLICY.delay(attempts, rng).total_seconds() <= POLICY.cap_seconds


def test_retry_or_fail_backs_off_then_fails_with_the_last_error(store: Store) -> None:
    with store.session() as s:
        job_id = enqueue(s, "post", 1)
    now = T0
    for attempt in (1, 2):
        job = jobs.claim(store, "w1", now)
        assert job is not None and job.id == job_id and job.attempts == attempt
        with store.session() as s:
            assert jobs.retry_or_fail(s, job_id, f"odoo down {attempt}", now, POLICY) is True
        with store.session() as s:
            queued = s.get(Job, job_id)
            assert queued is not None and queued.status == "queued" and queued.locked_by == ""
            full = POLICY.base_seconds * 2 ** (attempt - 1)
            wait = (queued.run_after - now).total_seconds()
            assert full / 2 <= wait <= full
        assert jobs.claim(store, "w1", now + timedelta(seconds=full / 2 - 0.01)) is None
        now = queued.run_after
    job = jobs.claim(store, "w1", now)
    assert job is not None and job.attempts == 3
    with store.session() as s:
        assert jobs.retry_or_fail(s, job_id, "odoo down 3", now, POLICY) is False
    with store.session() as s:
        failed = s.get(Job, job_id)
        assert failed is not None
        assert (failed.status, failed.last_error, failed.finished_at) == ("failed", "odoo down 3", now)
        assert jobs.retry_or_fail(s, 999_999, "no such job", now, POLICY) is False
    assert jobs.claim(store, "w1", now + timedelta(days=1)) is None


def test_give_up_fails_a_job_at_once(store: Store) -> None:
    with store.session() as s:
        job_id = enqueue(s, "translate", 1)
    assert jobs.claim(store, "w1", T0) is not None
    with store.session() as s:
        jobs.give_up(s, job_id, "no map for this partner", T0)
    with store.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        assert (job.status, job.last_error) == ("failed", "no map for this partner")
        assert (job.attempts, job.finished_at) == (1, T0)
    assert jobs.claim(store, "w1", T0 + timedelta(days=1)) is None


def test_release_stale_requeues_only_jobs_past_their_lease(store: Store) -> None:
    with store.session() as s:
        old = enqueue(s, "process", 1)
        fresh = enqueue(s, "process", 2)
        waiting = enqueue(s, "process", 3, delay=7200)
    claimed_old = jobs.claim(store, "dead", T0)
    claimed_fresh = jobs.claim(store, "alive", T0 + timedelta(minutes=50))
    assert claimed_old is not None and claimed_old.id == old
    assert claimed_fresh is not None and claimed_fresh.id == fresh
    now = T0 + timedelta(hours=1)
    assert jobs.release_stale(store, now, timedelta(minutes=30)) == 1
    with store.session() as s:
        statuses = {j.id: (j.status, j.locked_by) for j in s.execute(select(Job)).scalars()}
        assert statuses == {old: ("queued", ""), fresh: ("running", "alive"), waiting: ("queued", "")}
        assert jobs.depth(s) == {"queued": 2, "running": 1}
    again = jobs.claim(store, "w2", now)
    assert again is not None and again.id == old and again.attempts == 2
    assert jobs.release_stale(store, now, timedelta(minutes=30)) == 0


def test_concurrent_workers_never_claim_the_same_job(store: Store) -> None:
    with store.session() as s:
        queued = [jobs.enqueue(s, "process", n, now=T0, policy=POLICY) for n in range(50)]
        s.flush()
        ids = sorted(j.id for j in queued)
    claimed: dict[int, list[int]] = {0: [], 1: []}

    def work(worker: int) -> None:
        while (job := jobs.claim(store, f"w{worker}", T0)) is not None:
            claimed[worker].append(job.id)

    run_threads(2, work)
    assert sorted(claimed[0] + claimed[1]) == ids
    with store.session() as s:
        assert jobs.depth(s) == {"running": 50}
        assert s.scalar(select(func.count()).where(Job.attempts != 1)) == 0


def test_a_job_locked_by_another_worker_is_skipped_not_waited_for(store: Store) -> None:
    if not store.skip_locked:
        pytest.skip("SQLite runs one worker: BEGIN IMMEDIATE serializes claims")
    with store.session() as s:
        first, second = enqueue(s, "process", 1), enqueue(s, "process", 2)
    got: list[Job | None] = []
    with store.session() as s:
        s.execute(select(Job).where(Job.id == first).with_for_update())  # a worker in the middle of its claim
        claimer = threading.Thread(target=lambda: got.append(jobs.claim(store, "w2", T0)))
        claimer.start()
        claimer.join(timeout=10)
        assert not claimer.is_alive(), "claim waited for the locked job instead of skipping it"
    assert len(got) == 1 and got[0] is not None and got[0].id == second


# --- control numbers ----------------------------------------------------------------------------


def test_control_numbers_are_sequential_per_partner_usage_and_kind(store: Store) -> None:
    with store.session() as s:
        assert [allocate(s, "acme", "P", "interchange") for _ in range(3)] == [1, 2, 3]
        assert allocate(s, "acme", "P", "group") == 1
        assert allocate(s, "acme", "T", "interchange") == 1
        assert allocate(s, "globex", "P", "interchange") == 1
    with store.session() as s:
        assert allocate(s, "acme", "P", "interchange") == 4
        assert allocate(s, "acme", "P", "group") == 2


def test_concurrent_first_allocations_share_one_counter(store: Store) -> None:
    got: list[int] = []

    def work(_: int) -> None:
        with store.session() as s:
            got.append(allocate(s, "newpartner", "P", "interchange"))

    run_threads(4, work)
    assert sorted(got) == [1, 2, 3, 4]


def test_control_numbers_roll_over_to_one(store: Store) -> None:
    with store.session() as s:
        s.add(ControlNumber(partner="acme", usage="P", kind="interchange", next_value=999_999_998))
    with store.session() as s:
        assert [allocate(s, "acme", "P", "interchange") for _ in range(4)] == [999_999_998, 999_999_999, 1, 2]


def test_a_rolled_back_session_gives_the_same_number_again(store: Store) -> None:
    with store.session() as s:
        assert allocate(s, "acme", "P", "interchange") == 1
    with pytest.raises(RuntimeError), store.session() as s:
        assert allocate(s, "acme", "P", "interchange") == 2
        raise RuntimeError("the message was never queued")
    with store.session() as s:
        assert allocate(s, "acme", "P", "interchange") == 2


# --- errors -------------------------------------------------------------------------------------


def test_an_unreachable_server_raises_store_errors_only() -> None:
    url = "postgresql+psycopg://edigw:nothing@127.0.0.1:1/edigw?connect_timeout=2"
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert "SELECT" not in str(info.value)
    store = open_store(url, migrate=False)
    try:
        with pytest.raises(StoreBusy), store.session() as s:
            s.execute(select(Job))
    finally:
        store.dispose()


def test_a_constraint_violation_is_a_store_error_not_busy(store: Store) -> None:
    with store.session() as s:
        s.add(make_interchange(T0, "m-1"))
    with pytest.raises(StoreError) as info, store.session() as s:
        s.add(make_interchange(T0, "m-1"))
    assert not isinstance(info.value, StoreBusy)
    assert isinstance(info.value.__cause__, SQLAlchemyError)
    with pytest.raises(StoreError), store.session() as s:
        s.add(Posting(key="odoo:acme:850:1", transaction_id=12345, references=[], posted_at=T0))


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from gateway.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head
