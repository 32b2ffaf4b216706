"""EDIFACT checking end to end: envelope rules, message validation and the CONTRL we send back."""

from __future__ import annotations

from datetime import datetime

from gateway.edi.check import AckPolicy, Checked, Counter, check
from gateway.edi.results import Status

from .conftest import SAMPLES

ORDERS = (SAMPLES / "orders-d96a.edi").read_bytes()


def run(data: bytes, now: datetime, policy: AckPolicy | None = None) -> list[Checked]:
    return list(check(data, numbers=Counter(), now=now, policy=policy))


def test_sample_orders_is_accepted_with_decimal_comma_and_release_characters(now: datetime) -> None:
    [c] = run(ORDERS, now)
    assert c.result.status is Status.ACCEPTED
    assert c.result.version == "UNOC:3"
    [txn] = c.result.transactions
    assert (txn.set_id, txn.version, txn.control_number) == ("ORDERS", "D96A", "1")
    assert txn.findings == []
    assert c.acks == []  # accepted and no CONTRL asked for (UNB 0031 absent)


def test_contrl_when_asked_for_acknowledges_interchange_and_message(now: datetime) -> None:
    data = ORDERS.replace(b"+EU20261128A++ORDERS'", b"+EU20261128A++ORDERS++1'")
    data = data.replace(
        b"UNB+UNOC:3+4012345000009:14+5412345000013:14+261128:1015+EU20261128A'",
        b"UNB+UNOC:3+4012345000009:14+5412345000013:14+261128:1015+EU20261128A++++1'",
    )
    [c] = run(data, now)
    assert c.result.ack_requested
    [ack] = c.acks
    assert ack.kind == "CONTRL"
    assert ack.payload.decode() == (
        "UNA:+,? '"
        "UNB+UNOC:3+5412345000013:14+4012345000009:14+261128:1430+1'"
        "UNH+1+CONTRL:D:3:UN'"
        "UCI+EU20261128A+4012345000009:14+5412345000013:14+7'"
        "UCM+1+ORDERS:D:96A:UN:EAN008+7'"
        "UNT+4+1'"
        "UNZ+1+1'"
    )


def test_wrong_unt_count_rejects_the_message_with_code_29(now: datetime) -> None:
    [c] = run(ORDERS.replace(b"UNT+16+1'", b"UNT+15+1'"), now)
    assert c.result.status is Status.REJECTED
    [txn] = c.result.transactions
    assert [f.code for f in txn.findings] == ["transaction.count_mismatch"]
    [ack] = c.acks
    text = ack.payload.decode()
    assert "UCI+EU20261128A+4012345000009:14+5412345000013:14+7'" in text
    assert "UCM+1+ORDERS:D:96A:UN:EAN008+4+29'" in text


def test_unz_count_mismatch_rejects_the_interchange(now: datetime) -> None:
    [c] = run(ORDERS.replace(b"UNZ+1+", b"UNZ+3+"), now)
    assert c.result.status is Status.REJECTED
    assert [f.code for f in c.result.findings] == ["interchange.group_count"]
    assert "UCI+EU20261128A+4012345000009:14+5412345000013:14+4+29'" in c.acks[0].payload.decode()


def test_syntax_4_gets_contrl_4_1(now: datetime) -> None:
    data = ORDERS.replace(b"UNOC:3", b"UNOC:4").replace(b"261128:1015", b"20261128:1015")
    [c] = run(data, now, AckPolicy(contrl="always"))
    text = c.acks[0].payload.decode()
    assert "UNH+1+CONTRL:4:1:UN'" in text
    assert "UNB+UNOC:4+5412345000013:14+4012345000009:14+20261128:1430+1'" in text


def test_segment_and_element_errors_become_ucs_and_ucd(now: datetime) -> None:
    data = ORDERS.replace(b"QTY+21:24:PCE'", b"QTY+21:2A4:PCE'").replace(b"DTM+2:20261210:102'", b"DTM+2:20261310:102'")
    [c] = run(data, now)
    [txn] = c.result.transactions
    codes = [(f.code, f.segment_index, f.element_position, f.component_position) for f in txn.findings]
    assert ("element.invalid_date", 4, 1, 2) in codes
    assert ("element.invalid_number", 9, 1, 2) in codes
    text = c.acks[0].payload.decode()
    assert "UCM+1+ORDERS:D:96A:UN:EAN008+4'UCS+4'UCD+12+1:2'UCS+9'UCD+37+1:2'" in text


def test_missing_mandatory_segment(now: datetime) -> None:
    [c] = run(ORDERS.replace(b"BGM+220+PO-EU-88120+9'", b"").replace(b"UNT+16+1'", b"UNT+15+1'"), now)
    [txn] = c.result.transactions
    [f] = txn.findings
    assert (f.code, f.segment_tag, f.segment_index) == ("segment.missing", "BGM", 2)
    assert "UCS+2+13'" in c.acks[0].payload.decode()


def test_unsupported_directory_is_answered_as_unsupported_with_an_accepted_envelope(now: datetime) -> None:
    [c] = run(ORDERS.replace(b"ORDERS:D:96A:UN", b"ORDERS:D:93A:UN"), now)
    assert c.result.findings == []
    [txn] = c.result.transactions
    assert not txn.supported
    assert [f.code for f in txn.findings] == ["transaction.unsupported"]
    text = c.acks[0].payload.decode()
    assert "UCI+EU20261128A+4012345000009:14+5412345000013:14+7'" in text
    assert "UCM+1+ORDERS:D:93A:UN:EAN008+4+14'" in text


def test_release_character_keeps_delimiters_as_data(now: datetime) -> None:
    data = ORDERS.replace(b"Klinikum S?+D Nord", b"O??Brien?'s ?:Depot?+1")
    [c] = run(data, now)
    assert c.result.status is Status.ACCEPTED


def test_inbound_contrl_is_read_as_data_and_never_acknowledged(now: datetime) -> None:
    [first] = run(ORDERS.replace(b"UNT+16+1'", b"UNT+15+1'"), now)
    contrl = first.acks[0].payload
    [c] = run(contrl, now, AckPolicy(contrl="always"))
    assert c.result.status is Status.ACK
    assert c.acks == []
    [txn] = c.result.transactions
    assert txn.business["interchange_reference"] == "EU20261128A"
    assert txn.business["messages"][0]["action"] == "4"


def test_missing_unz_is_a_premature_end(now: datetime) -> None:
    [c] = run(ORDERS.replace(b"UNZ+1+EU20261128A'\n", b""), now)
    assert c.result.status is Status.REJECTED
    assert [f.code for f in c.result.findings] == ["interchange.trailer_missing"]
    assert "+4+13'" in c.acks[0].payload.decode()


def test_groups_get_ucf(now: datetime) -> None:
    data = ORDERS.replace(
        b"UNH+1+",
        b"UNG+ORDERS+4012345000009:14+5412345000013:14+261128:1015+G1+UN+D:96A'UNH+1+",
    ).replace(b"UNZ+1+", b"UNE+1+G1'UNZ+1+")
    [c] = run(data, now, AckPolicy(contrl="always"))
    assert c.result.status is Status.ACCEPTED
    assert "UCF+G1+4012345000009+5412345000013+7'UCM+1+ORDERS:D:96A:UN:EAN008+7'" in c.acks[0].payload.decode()
