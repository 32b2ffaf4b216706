"""An interchange received in an earlier run is a duplicate: TA1 025 or CONTRL 26, never processed again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gateway.edi.check import AckPolicy, Counter, check, is_duplicate

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _run(data: bytes, seen: set[tuple[str, str]], policy: AckPolicy | None = None) -> list:
    return list(check(data, numbers=Counter(), now=NOW, policy=policy, seen=seen))


def test_x12_repeat_from_an_earlier_run_gets_ta1_025_and_no_997() -> None:
    data = (ROOT / "samples/850-requisition.edi").read_bytes()
    seen: set[tuple[str, str]] = set()
    first = _run(data, seen)
    assert [a.kind for a in first[0].acks] == ["TA1", "997"]  # ISA14=1 asks for a TA1
    again = _run(data, seen)
    assert is_duplicate(again[0].result)
    kinds = [a.kind for a in again[0].acks]
    assert kinds == ["TA1"]
    assert b"*R*025" in again[0].acks[0].payload


def test_x12_repeat_without_ta1_gets_the_positive_functional_ack() -> None:
    data = (ROOT / "samples/850-requisition.edi").read_bytes()
    seen: set[tuple[str, str]] = set()
    _run(data, seen)
    again = _run(data, seen, AckPolicy(ta1="never"))
    assert is_duplicate(again[0].result)
    assert [a.kind for a in again[0].acks] == ["997"]


def test_edifact_repeat_gets_contrl_rejected_26() -> None:
    data = (ROOT / "samples/orders-d96a.edi").read_bytes()
    seen: set[tuple[str, str]] = set()
    _run(data, seen)
    again = _run(data, seen)
    assert is_duplicate(again[0].result)
    (ack,) = again[0].acks
    assert ack.kind == "CONTRL"
    assert b"+4+26'" in ack.payload
    assert b"UCM" not in ack.payload
