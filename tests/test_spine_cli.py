"""The spine's faces as a new user meets them: ``edigw demo``, ``process``, ``archive``, and ``serve`` over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like a clone: partners, maps, samples, and empty drop folders."""
    for name in ("partners", "maps", "samples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    for key in list(os.environ):
        if key.startswith("EDIGW_") and key != "EDIGW_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_demo_shows_where_each_document_went_and_why_the_bad_one_was_rejected(workdir: Path) -> None:
    code, out = _run("demo")
    assert code == 0, out
    assert out.count(" posted  ") == 8  # the status column
    assert "rejected" in out and "Mandatory segment BEG is missing" in out
    assert "var/documents/meridian/invoice/MER-INV-5507731.json" in out
    assert "outbox/meridian/997-" in out and "outbox/alpenmed/CONTRL-" in out
    assert "edigw archive show" in out and "edigw archive search" in out
    assert len(list((workdir / "var/documents").rglob("*.json"))) == 8
    assert not [p for p in (workdir / "inbox").iterdir() if not p.name.startswith(".")]
    code, again = _run("demo")  # a second run starts afresh instead of reporting duplicates
    assert code == 0 and again.count(" posted  ") == 8


def test_demo_refuses_to_reset_a_real_working_folder(workdir: Path) -> None:
    (workdir / "var").mkdir()
    (workdir / "var" / "edigw.db").write_bytes(b"")
    code, out = _CliRunner_err("demo")
    assert code == 2 and "not the demo's" in out


def _CliRunner_err(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_process_exit_codes_and_archive_show_tell_the_story(workdir: Path) -> None:
    good = workdir / "partners/meridian/samples/810-invoice.edi"
    code, out = _run("process", str(good))
    assert code == 0, out
    assert "posted" in out
    code, out = _run("process", str(workdir / "samples/broken-bad-date.edi"), "--json")
    assert code == 1
    (bad,) = json.loads(out)
    code, story = _run("archive", "show", str(bad["id"]))
    assert code == 0
    for part in ("Findings", "Timeline", "received", "processed", "ack sent", "20261305", "Payload", "ISA*00*"):
        assert part in story, part
    code, story = _run("archive", "show", "1", "--json")
    data = json.loads(story)
    actions = [e["action"] for e in data["timeline"]]
    assert actions[:2] == ["received", "processed"] and "posted" in actions and "ack sent" in actions
    assert data["documents"][0]["erp"][0].endswith("MER-INV-5507731.json")
    code, _ = _run("archive", "show", "999")
    assert code == 2


def test_archive_search_filters(workdir: Path) -> None:
    _run("process", str(workdir / "partners/meridian/samples/810-invoice.edi"))
    _run("process", str(workdir / "partners/meridian/samples/850-vmi-replenishment.edi"))
    code, out = _run("archive", "search", "--number", "MER-INV-5507731", "--json")
    assert code == 0
    (hit,) = json.loads(out)
    assert hit["documents"][0]["set"] == "810"
    code, out = _run("archive", "search", "--set", "850", "--direction", "in", "--json")
    assert [d["set"] for h in json.loads(out) for d in h["documents"]] == ["850"]
    code, out = _run("archive", "search", "--direction", "out", "--set", "997", "--json")
    assert len(json.loads(out)) == 2
    code, out = _run("archive", "search", "--partner", "nobody")
    assert code == 1 and "Nothing matches" in out
    code, out = _run("archive", "search", "--since", "2000-01-01", "--until", "2000-01-02")
    assert code == 1


def test_archive_verify_names_a_changed_byte_and_a_changed_event(workdir: Path) -> None:
    _run("process", str(workdir / "partners/meridian/samples/810-invoice.edi"))
    code, out = _run("archive", "verify")
    assert code == 0 and "OK" in out
    payload = next(p for p in (workdir / "var/archive").rglob("*") if p.is_file())
    payload.chmod(0o644)
    data = bytearray(payload.read_bytes())
    data[40] ^= 0x01
    payload.write_bytes(bytes(data))
    code, out = _run("archive", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["chain_break"] is None
    assert [payload.name in p for p in report["payload_problems"]] == [True]
    db = sqlite3.connect(workdir / "var/edigw.db")
    db.execute('UPDATE audit_events SET detail = \'{"status": "posted"}\' WHERE id = 2')
    db.commit()
    db.close()
    code, out = _run("archive", "verify")
    assert code == 1 and "audit event 2" in out and "altered" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_serve_takes_files_from_the_inbox_serves_health_and_metrics_and_stops_on_sigterm(workdir: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli.main", "serve", "--port", str(port)],
        cwd=workdir,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["status"] == "ok"
        meridian = workdir / "inbox" / "meridian"
        meridian.mkdir()
        (meridian / ".upload.tmp").write_bytes(b"half written")
        shutil.copy(workdir / "partners/meridian/samples/856-asn.edi", meridian / "asn.edi")
        ack_dir = workdir / "outbox" / "meridian"
        deadline = time.monotonic() + 60  # a settled file is claimed on the second poll, a second apart
        while time.monotonic() < deadline and not (ack_dir.is_dir() and any(ack_dir.iterdir())):
            time.sleep(0.2)
        assert [p.name[:4] for p in ack_dir.iterdir()] == ["997-"]
        while time.monotonic() < deadline:
            _, metrics = _get(f"http://127.0.0.1:{port}/metrics")
            if 'edigw_documents{partner="meridian",set="856",status="posted"} 1.0' in metrics:
                break
            time.sleep(0.2)
        assert 'edigw_documents{partner="meridian",set="856",status="posted"} 1.0' in metrics
        assert "edigw_oldest_job_age_seconds" in metrics and "edigw_queue_depth" in metrics
        assert (meridian / ".upload.tmp").exists()  # never read
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_fix_the_crosswalk_then_reprocess_posts_the_document_once(workdir: Path) -> None:
    items = workdir / "partners/meridian/crosswalks/items.csv"
    original = items.read_text()
    items.write_text(original.splitlines()[0] + "\n")
    code, out = _run("process", str(workdir / "partners/meridian/samples/810-invoice.edi"), "--json")
    assert code == 1
    (doc,) = json.loads(out)[0]["documents"]
    assert doc["status"] == "review"
    code, story = _run("archive", "show", "1", "--no-payload")
    assert "crosswalk.unknown_item" in story and "items.csv" in story
    items.write_text(original)
    code, out = _run("reprocess", "--json")
    assert code == 0, out
    assert [d["status"] for d in json.loads(out)] == ["posted"]
    code, out = _run("reprocess")
    assert code == 0 and "Nothing to reprocess" in out
    assert len(list((workdir / "var/documents").rglob("*.json"))) == 1


def test_a_ta1_from_the_partner_is_linked_to_the_interchange_it_answers(workdir: Path) -> None:
    _run("process", str(workdir / "partners/meridian/samples/810-invoice.edi"))
    ta1 = (
        "ISA*00*          *00*          *ZZ*MERIDIANMED    *ZZ*STMARYCENTRAL  *261206*0900*U*00401*000004200*0*P*>~"
        "TA1*000000001*261205*0200*A*000~IEA*0*000004200~"
    )
    path = workdir / "ta1.edi"
    path.write_text(ta1)
    _run("process", str(path))
    _code, out = _run("archive", "show", "2", "--json")  # our 997 to Meridian
    data = json.loads(out)
    assert data["direction"] == "out"
    assert [(a["id"], a["direction"], a["status"]) for a in data["acks"]] == [(3, "in", "acknowledgement")]
    assert any(e["action"] == "acknowledged" and e["detail"]["by"] == "interchange:3" for e in data["timeline"])


def test_archive_show_lays_a_findings_figures_side_by_side() -> None:
    from gateway.cli.archive import _figures

    location = {
        "extra": {
            "figures": {
                "po": {"number": "P00001", "ordered": "40", "price": "8.95"},
                "receipt": {"received": "40", "already_invoiced": "0"},
                "invoice": {"number": "INV-9", "quantity": "40", "price": "9.5", "unit": ""},
            }
        }
    }
    assert _figures(location) == [
        "po       number P00001, ordered 40, price 8.95",
        "receipt  received 40, already_invoiced 0",
        "invoice  number INV-9, quantity 40, price 9.5",
    ]
    assert _figures(None) == [] and _figures({"element_ref": "BEG03"}) == []


def test_a_document_settled_elsewhere_is_resolved_with_a_note(workdir: Path) -> None:
    items = workdir / "partners/meridian/crosswalks/items.csv"
    items.write_text(items.read_text().splitlines()[0] + "\n")
    code, out = _run("process", str(workdir / "partners/meridian/samples/810-invoice.edi"), "--json")
    (doc,) = json.loads(out)[0]["documents"]
    assert doc["status"] == "review"  # document #1 of a fresh store
    result = CliRunner().invoke(cli, ["resolve", "1"])
    assert result.exit_code == 2 and "--note" in result.output  # a note is required
    code, out = _run("resolve", "1", "999", "--note", "supplier sends a corrected invoice")
    assert code == 1  # 999 is not in review
    assert "#1: resolved" in out and "#999: not in review" in out
    code, story = _run("archive", "show", "1", "--no-payload")
    assert "resolved" in story and "note=supplier sends a corrected invoice" in story
    code, out = _run("reprocess")
    assert "Nothing to reprocess" in out  # resolved is not in review any more
    assert not (workdir / "var/documents").exists() or not list((workdir / "var/documents").rglob("*.json"))
