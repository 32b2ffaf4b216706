"""The shared durable writes, and the sweep of what a killed writer leaves behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

from gateway.connectors import JsonConnector
from gateway.files import TEMP_PREFIX, sweep_temp, write_atomic, write_new
from gateway.store import Archive
from gateway.transports import FolderTransport


def test_write_atomic_replaces_and_write_new_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "a.edi"
    write_atomic(target, b"one", mode=0o444)
    assert target.read_bytes() == b"one" and (target.stat().st_mode & 0o777) == 0o444
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert write_new(tmp_path / "b.json", b"first") is True
    assert write_new(tmp_path / "b.json", b"second") is False
    assert (tmp_path / "b.json").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)] == []


def _orphan(folder: Path, age: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{TEMP_PREFIX}dead"
    path.write_bytes(b"half")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_sweep_removes_only_old_temporary_files(tmp_path: Path) -> None:
    old = _orphan(tmp_path / "x", 7200)
    young = tmp_path / "x" / f"{TEMP_PREFIX}writing"
    young.write_bytes(b"in progress")
    keep = tmp_path / "x" / "real.edi"
    keep.write_bytes(b"ISA")
    assert sweep_temp(tmp_path) == [old]
    assert young.exists() and keep.exists() and not old.exists()


def test_every_writer_sweeps_its_own_folder(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.put(b"payload")
    _orphan(tmp_path / "archive" / "ab" / "cd", 7200)
    assert archive.sweep() == 1
    (tmp_path / "inbox").mkdir()
    transport = FolderTransport(tmp_path / "inbox", tmp_path / "outbox")
    _orphan(tmp_path / "outbox" / "meridian", 7200)
    assert transport.sweep() == 1
    (tmp_path / "feed").mkdir()
    _orphan(tmp_path / "feed" / "meridian" / "invoice", 7200)
    assert JsonConnector(folder=tmp_path / "feed").sweep() == 1


def test_a_batching_feed_syncs_each_folder_once_on_flush(tmp_path: Path, monkeypatch: object) -> None:
    """Where syncfs is not available: each file fsynced as it is written, each folder once on flush."""
    import pytest

    from gateway import files
    from gateway.connectors import BusinessKey
    from gateway.documents import Invoice

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr("gateway.files._SYNCFS", None)
    synced: list[Path] = []
    real = files.fsync_dir
    monkeypatch.setattr("gateway.connectors.json_feed.fsync_dir", lambda d: (synced.append(d), real(d)))
    monkeypatch.setattr("gateway.files.fsync_dir", lambda d: (synced.append(d), real(d)))
    (tmp_path / "feed").mkdir()
    feed = JsonConnector(folder=tmp_path / "feed", batch=True)
    for n in range(5):
        feed.post(BusinessKey("meridian", "invoice", f"INV-{n}"), Invoice(invoice_number=f"INV-{n}"))
    assert synced == []
    feed.flush()
    assert synced == [tmp_path / "feed" / "meridian" / "invoice"]
    feed.flush()
    assert len(synced) == 1


def test_a_batching_feed_names_its_files_on_flush_after_one_syncfs_of_their_bytes(tmp_path: Path) -> None:
    """With syncfs: nothing is visible until flush; then every file is whole, under its name, once."""
    import json

    from gateway import files
    from gateway.connectors import BusinessKey
    from gateway.documents import Invoice

    if files._SYNCFS is None:
        return  # no O_TMPFILE or syncfs here: the test above covers the way taken
    (tmp_path / "feed").mkdir()
    feed = JsonConnector(folder=tmp_path / "feed", batch=True)
    posted = [
        feed.post(BusinessKey("meridian", "invoice", f"INV-{n}"), Invoice(invoice_number=f"INV-{n}")) for n in range(3)
    ]
    again = feed.post(BusinessKey("meridian", "invoice", "INV-1"), Invoice(invoice_number="INV-1"))
    folder = tmp_path / "feed" / "meridian" / "invoice"
    assert list(folder.iterdir()) == [] and again.already  # written, not yet named; the same key once
    feed.flush()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["INV-0.json", "INV-1.json", "INV-2.json"]
    assert [p.already for p in posted] == [False, False, False]
    assert json.loads((folder / "INV-1.json").read_bytes())["key"] == "meridian/invoice/INV-1"
    resent = feed.post(BusinessKey("meridian", "invoice", "INV-1"), Invoice(invoice_number="INV-1"))
    assert resent.already and not list(tmp_path.rglob(".edigw-tmp-*"))
    feed.close()
