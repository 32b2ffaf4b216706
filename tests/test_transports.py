"""The folder and memory transports: settling, claiming, crash recovery, rejects and sending."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import gateway.transports
from gateway.transports import (
    FolderTransport,
    MemoryTransport,
    Refused,
    TooLarge,
    TransportError,
    check_file_name,
    check_partner_name,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    return tmp_path / "inbox", tmp_path / "outbox"


def make(folders: tuple[Path, Path], clock: Clock, **kw: int) -> FolderTransport:
    return FolderTransport(*folders, settle_seconds=2.0, clock=clock, **kw)


def settle(t: FolderTransport, clock: Clock) -> list[gateway.transports.Claim]:
    """Two polls, the settle time apart: what is stable gets claimed on the second."""
    first = t.poll()
    clock.now += 2.0
    return first + t.poll()


def test_public_api_is_pinned() -> None:
    assert sorted(gateway.transports.__all__) == [
        "Claim",
        "FolderClaim",
        "FolderTransport",
        "Inbound",
        "MemoryClaim",
        "MemoryTransport",
        "Receiver",
        "Refused",
        "Rejected",
        "Sender",
        "TooLarge",
        "TransportError",
        "check_file_name",
        "check_partner_name",
    ]


# -- settling ----------------------------------------------------------------------------------


def test_a_file_is_claimed_only_once_it_has_been_stable_for_the_settle_time(folders, clock) -> None:
    inbox, _ = folders
    t = make(folders, clock)
    (inbox / "a.edi").write_bytes(b"ISA*one")
    assert t.poll() == []  # first sight
    clock.now += 1.0
    assert t.poll() == []  # not yet settled
    clock.now += 1.0
    [claim] = t.poll()
    assert claim.inbound.payload == b"ISA*one"
    assert claim.inbound.name == "a.edi"
    assert claim.inbound.partner_hint is None
    assert claim.inbound.transport == "folder"
    assert not (inbox / "a.edi").exists()


def test_a_growing_file_is_left_alone(folders, clock) -> None:
    inbox, _ = folders
    t = make(folders, clock)
    path = inbox / "big.edi"
    path.write_bytes(b"ISA*")
    assert t.poll() == []
    for _ in range(3):
        clock.now += 5.0
        with path.open("ab") as f:
            f.write(b"more")
        assert t.poll() == []  # changed since the last look: the clock starts again
    clock.now += 2.0
    [claim] = t.poll()
    assert claim.inbound.payload == b"ISA*" + b"more" * 3


def test_a_file_replaced_by_one_of_the_same_size_and_mtime_starts_again(folders, clock) -> None:
    inbox, _ = folders
    t = make(folders, clock)
    path = inbox / "a.edi"
    path.write_bytes(b"AAAA")
    st = path.stat()
    assert t.poll() == []
    path.unlink()
    (inbox / "other").write_bytes(b"keeps the old inode busy")
    path.write_bytes(b"BBBB")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    clock.now += 2.0
    if path.stat().st_ino != st.st_ino:
        assert [c.inbound.name for c in t.poll()] == []


def test_hidden_and_temporary_names_are_never_read(folders, clock) -> None:
    inbox, _ = folders
    names = [".hidden", "a.tmp", "a.part", "a.PARTIAL", "a.filepart", "a.crdownload", "a.edi~"]
    for name in names:
        (inbox / name).write_bytes(b"half")
    (inbox / "ok.edi").write_bytes(b"whole")
    t = make(folders, clock)
    assert [c.inbound.name for c in settle(t, clock)] == ["ok.edi"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == sorted(names)


def test_a_partner_subfolder_gives_the_partner_hint(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "meridian").mkdir()
    (inbox / "meridian" / "po.edi").write_bytes(b"ISA*m")
    (inbox / "not a partner").mkdir()
    (inbox / "not a partner" / "po.edi").write_bytes(b"ISA*x")
    (inbox / "meridian" / "deeper").mkdir()
    t = make(folders, clock)
    [claim] = settle(t, clock)
    assert claim.inbound.partner_hint == "meridian"
    assert claim.inbound.name == "po.edi"
    assert (inbox / "not a partner" / "po.edi").exists()  # left where it is, never read


def test_symlinks_are_not_followed(folders, clock, tmp_path) -> None:
    inbox, _ = folders
    secret = tmp_path / "secret"
    secret.write_bytes(b"not for partners")
    (inbox / "link.edi").symlink_to(secret)
    t = make(folders, clock)
    assert settle(t, clock) == []


# -- claims --------------------------------------------------------------------------------------


def test_accept_removes_the_claimed_file_for_good(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "a.edi").write_bytes(b"x")
    t = make(folders, clock)
    [claim] = settle(t, clock)
    held = list((inbox / ".claimed").iterdir())
    assert [p.name for p in held] == [f"{claim.inbound.message_id}--a.edi"]
    claim.accept()
    claim.accept()  # idempotent
    assert list((inbox / ".claimed").iterdir()) == []
    clock.now += 10
    assert t.poll() == [] and t.poll() == []
    with pytest.raises(Refused):
        claim.release()


def test_release_puts_the_file_back_to_be_read_again(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "p1").mkdir()
    (inbox / "p1" / "a.edi").write_bytes(b"x")
    t = make(folders, clock)
    [claim] = settle(t, clock)
    claim.release()
    claim.release()  # idempotent
    assert (inbox / "p1" / "a.edi").read_bytes() == b"x"
    with pytest.raises(Refused):
        claim.accept()
    [again] = settle(t, clock)
    assert again.inbound.payload == b"x"
    assert again.inbound.partner_hint == "p1"
    assert again.inbound.message_id != claim.inbound.message_id  # a new receipt


def test_release_never_overwrites_a_file_that_arrived_meanwhile(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "a.edi").write_bytes(b"first")
    t = make(folders, clock)
    [claim] = settle(t, clock)
    (inbox / "a.edi").write_bytes(b"second")
    claim.release()
    assert (inbox / "a.edi").read_bytes() == b"second"
    assert (inbox / "a.1.edi").read_bytes() == b"first"


def test_after_a_crash_claimed_files_come_back_with_the_same_message_id(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "a.edi").write_bytes(b"root")
    (inbox / "acme").mkdir()
    (inbox / "acme" / "b.edi").write_bytes(b"partner")
    crashed = make(folders, clock)
    before = {c.inbound.name: c.inbound for c in settle(crashed, clock)}
    assert set(before) == {"a.edi", "b.edi"}
    del crashed  # neither accepted nor released

    restarted = make(folders, clock)
    after = {c.inbound.name: c for c in restarted.poll()}
    assert {n: c.inbound for n, c in after.items()} == before
    assert restarted.poll() == []  # held now: not delivered twice by one process
    after["b.edi"].release()
    assert (inbox / "acme" / "b.edi").read_bytes() == b"partner"
    after["a.edi"].accept()
    assert not any((inbox / ".claimed").rglob("*.edi"))


def test_a_stray_file_in_claimed_is_moved_aside_and_reported(folders, clock) -> None:
    inbox, _ = folders
    (inbox / ".claimed").mkdir()
    (inbox / ".claimed" / "no-claim-id.edi").write_bytes(b"?")
    t = make(folders, clock)
    assert t.poll() == []
    [rejected] = t.take_rejected()
    assert rejected.name == "no-claim-id.edi"
    assert Path(rejected.path).read_bytes() == b"?"


# -- size limit ----------------------------------------------------------------------------------


def test_an_oversize_file_is_moved_aside_with_a_reason_and_reported(folders, clock) -> None:
    inbox, _ = folders
    (inbox / "acme").mkdir()
    (inbox / "acme" / "huge.edi").write_bytes(b"x" * 101)
    (inbox / "small.edi").write_bytes(b"x" * 100)
    t = make(folders, clock, max_bytes=100)
    assert [c.inbound.name for c in settle(t, clock)] == ["small.edi"]
    [rejected] = t.take_rejected()
    assert t.take_rejected() == []  # reported once
    assert (rejected.name, rejected.partner_hint, rejected.size) == ("huge.edi", "acme", 101)
    assert "101 bytes" in rejected.reason and "100 bytes" in rejected.reason
    kept = inbox / ".rejected" / "acme" / "huge.edi"
    assert rejected.path == str(kept)
    assert kept.read_bytes() == b"x" * 101
    assert "100 bytes" in (inbox / ".rejected" / "acme" / "huge.edi.reason.txt").read_text()


def test_an_oversize_file_is_never_read_whole(folders, clock, monkeypatch) -> None:
    inbox, _ = folders
    (inbox / "huge.edi").write_bytes(b"x" * 5000)
    t = make(folders, clock, max_bytes=100)
    reads: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args, **kw):
        reads.append(self)
        return real_open(self, *args, **kw)

    monkeypatch.setattr(Path, "open", spy)
    assert settle(t, clock) == []
    assert not [p for p in reads if p.name.endswith("huge.edi")]
    assert [r.name for r in t.take_rejected()] == ["huge.edi"]


def test_a_second_reject_of_the_same_name_keeps_both(folders, clock) -> None:
    inbox, _ = folders
    t = make(folders, clock, max_bytes=1)
    for payload in (b"first", b"second"):
        (inbox / "a.edi").write_bytes(payload)
        settle(t, clock)
    assert (inbox / ".rejected" / "a.edi").read_bytes() == b"first"
    assert (inbox / ".rejected" / "a.1.edi").read_bytes() == b"second"
    assert (inbox / ".rejected" / "a.1.edi.reason.txt").exists()
    assert len(t.take_rejected()) == 2


def test_a_missing_inbox_is_a_transport_error(tmp_path, clock) -> None:
    t = FolderTransport(tmp_path / "nope", tmp_path, clock=clock)
    with pytest.raises(TransportError) as info:
        t.poll()
    assert info.value.transient
    assert not isinstance(info.value, OSError)


# -- sending -------------------------------------------------------------------------------------


def test_send_writes_atomically_into_the_partner_outbox(folders, clock) -> None:
    _, outbox = folders
    t = make(folders, clock)
    ref = t.send("meridian", "997_0001.edi", b"ISA*ack")
    assert ref == str(outbox / "meridian" / "997_0001.edi")
    assert Path(ref).read_bytes() == b"ISA*ack"
    assert os.listdir(outbox / "meridian") == ["997_0001.edi"]  # no temporary file left behind


def test_sending_the_same_bytes_again_is_a_no_op(folders, clock) -> None:
    _, outbox = folders
    t = make(folders, clock)
    ref = t.send("meridian", "a.edi", b"same")
    mtime = Path(ref).stat().st_mtime_ns
    os.utime(ref, ns=(mtime - 10**9, mtime - 10**9))
    assert t.send("meridian", "a.edi", b"same") == ref
    assert Path(ref).stat().st_mtime_ns == mtime - 10**9  # not rewritten
    assert t.send("meridian", "a.edi", b"different") == ref
    assert Path(ref).read_bytes() == b"different"
    assert os.listdir(outbox / "meridian") == ["a.edi"]


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "a\\b", ".hidden", "a\x00b", "a\nb", "x" * 201])
def test_unsafe_file_names_are_refused(folders, clock, name) -> None:
    t = make(folders, clock)
    with pytest.raises(Refused):
        t.send("meridian", name, b"x")
    assert not any(folders[1].rglob("*"))


@pytest.mark.parametrize("partner", ["", ".", "..", ".hidden", "a/b", "../etc", "a b", "ä"])
def test_unsafe_partner_names_are_refused(folders, clock, partner) -> None:
    t = make(folders, clock)
    with pytest.raises(Refused):
        t.send(partner, "a.edi", b"x")


def test_names_that_are_fine() -> None:
    assert check_partner_name("st-mary_2.eu") == "st-mary_2.eu"
    assert check_file_name("997 0001 (copy).edi") == "997 0001 (copy).edi"


def test_an_oversize_send_is_refused(folders, clock) -> None:
    t = make(folders, clock, max_bytes=3)
    with pytest.raises(TooLarge) as info:
        t.send("meridian", "a.edi", b"four")
    assert (info.value.size, info.value.limit, info.value.transient) == (4, 3, False)


def test_a_missing_outbox_is_a_transport_error_not_an_oserror(tmp_path, clock) -> None:
    (tmp_path / "inbox").mkdir()
    t = FolderTransport(tmp_path / "inbox", tmp_path / "missing", clock=clock)
    with pytest.raises(TransportError) as info:
        t.send("meridian", "a.edi", b"x")
    assert not isinstance(info.value, OSError)
    assert info.value.__cause__ is not None


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_outbox_is_a_permanent_error(folders, clock) -> None:
    _, outbox = folders
    (outbox / "meridian").mkdir()
    (outbox / "meridian").chmod(0o500)
    try:
        with pytest.raises(TransportError) as info:
            make(folders, clock).send("meridian", "a.edi", b"x")
        assert not info.value.transient
    finally:
        (outbox / "meridian").chmod(0o700)


# -- memory --------------------------------------------------------------------------------------


def test_memory_transport_claims_and_books() -> None:
    t = MemoryTransport()
    first = t.put(b"one", name="a.edi", partner_hint="acme")
    t.put(b"two")
    a, b = t.poll()
    assert a.inbound.message_id == first
    assert (a.inbound.payload, a.inbound.name, a.inbound.partner_hint) == (b"one", "a.edi", "acme")
    assert t.poll() == []
    a.accept()
    a.accept()
    b.release()
    assert t.accepted == [first]
    assert t.released == [b.inbound.message_id]
    [again] = t.poll()
    assert again.inbound.payload == b"two"
    assert again.inbound.message_id != b.inbound.message_id


def test_memory_transport_restart_redelivers_held_claims_with_the_same_id() -> None:
    t = MemoryTransport()
    message_id = t.put(b"one")
    [claim] = t.poll()
    assert t.held == [message_id]
    t.restart()
    [again] = t.poll()
    assert again.inbound == claim.inbound
    with pytest.raises(Refused):
        claim.accept()  # the crashed process's claim is gone


def test_memory_transport_sends_rejects_and_fails_on_request() -> None:
    t = MemoryTransport(max_bytes=4)
    assert t.put(b"too big") == ""
    [rejected] = t.take_rejected()
    assert rejected.size == 7
    assert t.send("acme", "a.edi", b"ack") == "memory:acme/a.edi"
    assert t.sent == {("acme", "a.edi"): b"ack"}
    t.fail_next_send(TransportError("down", transient=True))
    with pytest.raises(TransportError):
        t.send("acme", "b.edi", b"ack")
    assert t.send("acme", "b.edi", b"ack")
    with pytest.raises(Refused):
        t.send("acme", "../x", b"ack")
    with pytest.raises(TooLarge):
        t.send("acme", "c.edi", b"12345")
