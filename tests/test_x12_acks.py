"""997, 999 and TA1 as a partner receives them, checked exactly and by pyx12 as an outside validator.

The three hand-broken files in samples/ are the "tried as a new user would" check of the
issue: a missing mandatory segment, a bad date and a wrong SE count each get the codes the
standard prescribes.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from gateway.edi.check import AckPolicy, Checked, Counter, check
from gateway.edi.results import Status

from .conftest import SAMPLES
from .support.pyx12_check import pyx12_errors

GOOD = (SAMPLES / "850-requisition.edi").read_bytes()


def run(data: bytes, now: datetime, policy: AckPolicy | None = None) -> Checked:
    [checked] = list(check(data, numbers=Counter(), now=now, policy=policy))
    return checked


def segments(payload: bytes) -> list[str]:
    return [s.strip() for s in payload.decode().split("~") if s.strip()]


def ack(checked: Checked, kind: str) -> bytes:
    [found] = [a.payload for a in checked.acks if a.kind == kind]
    return found


def body_997(checked: Checked) -> list[str]:
    """The 997's segments between GS and GE."""
    segs = segments(ack(checked, "997"))
    return segs[2:-2]


def test_clean_850_gets_an_accepting_997_and_ta1(now: datetime) -> None:
    c = run(GOOD, now)
    assert c.result.status is Status.ACCEPTED
    ta1, fa = segments(ack(c, "TA1")), segments(ack(c, "997"))
    assert ta1 == [
        "ISA*00*          *00*          *ZZ*STMARYCENTRAL  *ZZ*STMARYEPROC    *261128*1430*U*00401*000000001*0*P*>",
        "TA1*000000101*261128*0930*A*000",
        "IEA*0*000000001",
    ]
    assert fa == [
        "ISA*00*          *00*          *ZZ*STMARYCENTRAL  *ZZ*STMARYEPROC    *261128*1430*U*00401*000000002*0*P*>",
        "GS*FA*STMARYCENTRAL*STMARYEPROC*20261128*1430*1*X*004010",
        "ST*997*0001",
        "AK1*PO*101",
        "AK2*850*0001",
        "AK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
        "GE*1*1",
        "IEA*1*000000002",
    ]
    assert pyx12_errors(ack(c, "997")) == []


def test_missing_mandatory_segment_is_ak3_code_3(now: datetime) -> None:
    c = run((SAMPLES / "broken-missing-beg.edi").read_bytes(), now)
    assert body_997(c) == [
        "ST*997*0001",
        "AK1*PO*102",
        "AK2*850*0001",
        "AK3*BEG*2**3",
        "AK5*R*5",
        "AK9*R*1*1*0",
        "SE*7*0001",
    ]
    [f] = c.result.transactions[0].findings
    assert f.message == "Mandatory segment BEG is missing before segment 2 (CUR)."
    assert pyx12_errors(ack(c, "997")) == []


def test_bad_date_is_ak4_code_8_under_the_ak3_of_its_segment(now: datetime) -> None:
    c = run((SAMPLES / "broken-bad-date.edi").read_bytes(), now)
    assert body_997(c) == [
        "ST*997*0001",
        "AK1*PO*103",
        "AK2*850*0001",
        "AK3*DTM*6**8",
        "AK4*2*373*8*20261305",
        "AK5*R*5",
        "AK9*R*1*1*0",
        "SE*8*0001",
    ]
    [f] = c.result.transactions[0].findings
    assert f.message == "DTM (segment 6): Date (DTM02) is '20261305': a valid date was expected."
    assert pyx12_errors(ack(c, "997")) == []


def test_wrong_se_count_is_ak5_code_4(now: datetime) -> None:
    c = run((SAMPLES / "broken-se-count.edi").read_bytes(), now)
    assert body_997(c) == ["ST*997*0001", "AK1*PO*104", "AK2*850*0001", "AK5*R*4", "AK9*R*1*1*0", "SE*6*0001"]
    [f] = c.result.transactions[0].findings
    assert f.message == "SE01 says 15 segments, but the transaction has 17 (ST to SE)."
    assert pyx12_errors(ack(c, "997")) == []


def test_999_carries_the_guide_and_the_inbound_version(now: datetime) -> None:
    data = (SAMPLES / "broken-bad-date.edi").read_bytes().replace(b"00401", b"00501").replace(b"004010", b"005010")
    data = data.replace(b"*U*00501*", b"*^*00501*")
    c = run(data, now, AckPolicy(functional="999"))
    segs = segments(ack(c, "999"))
    assert segs[1] == "GS*FA*STMARYCENTRAL*STMARYEPROC*20261128*1430*1*X*005010X231A1"
    assert segs[2:-2] == [
        "ST*999*0001*005010X231A1",
        "AK1*PO*103*005010",
        "AK2*850*0001",
        "IK3*DTM*6**8",
        "IK4*2*373*8*20261305",
        "IK5*R*5",
        "AK9*R*1*1*0",
        "SE*8*0001",
    ]
    assert pyx12_errors(ack(c, "999")) == []


def test_5010_997_has_ak103_and_is_valid_for_pyx12(now: datetime) -> None:
    data = GOOD.replace(b"00401", b"00501").replace(b"004010", b"005010").replace(b"*U*00501*", b"*^*00501*")
    c = run(data, now)
    segs = segments(ack(c, "997"))
    assert "AK1*PO*101*005010" in segs
    assert segs[1].endswith("*X*005010")
    assert pyx12_errors(ack(c, "997")) == []


def test_unsupported_set_is_ak5_code_1_with_an_accepted_envelope(now: datetime) -> None:
    data = GOOD.replace(b"ST*850*0001", b"ST*940*0001")
    c = run(data, now)
    assert c.result.findings == []
    assert segments(ack(c, "TA1"))[1].endswith("*A*000")
    assert body_997(c)[2:4] == ["AK2*940*0001", "AK5*R*1"]


def test_unsupported_version_is_ak9_code_2(now: datetime) -> None:
    data = GOOD.replace(b"*X*004010~", b"*X*003040~")
    c = run(data, now, AckPolicy(ta1="never"))
    assert body_997(c) == ["ST*997*0001", "AK1*PO*101", "AK9*R*1*1*0*2", "SE*4*0001"]


def test_duplicate_st02_in_a_group_is_ak5_code_23(now: datetime) -> None:
    txn = GOOD[GOOD.index(b"ST*850") : GOOD.index(b"GE*")]
    data = GOOD.replace(b"GE*1*101", txn.decode().rstrip("\n").encode() + b"\nGE*2*101")
    c = run(data, now, AckPolicy(ta1="never"))
    assert body_997(c)[-4:] == ["AK2*850*0001", "AK5*R*23", "AK9*P*2*2*1", "SE*8*0001"]


def test_envelope_error_gets_a_ta1_reject_and_no_997(now: datetime) -> None:
    c = run(GOOD.replace(b"IEA*1*000000101", b"IEA*2*000000101"), now)
    assert c.result.status is Status.REJECTED
    assert [a.kind for a in c.acks] == ["TA1"]
    assert segments(ack(c, "TA1"))[1] == "TA1*000000101*261128*0930*R*021"


@pytest.mark.parametrize(
    ("change", "note"),
    [
        ((b"IEA*1*000000101", b"IEA*1*000000999"), "001"),
        ((b"*261128*0930*U*", b"*261328*0930*U*"), "014"),
        ((b"*0930*U*00401*000000101*1*P", b"*0930*U*00401*000000101*1*Q"), "020"),
        ((b"IEA*1*000000101~\n", b""), "023"),
    ],
)
def test_ta1_note_codes(now: datetime, change: tuple[bytes, bytes], note: str) -> None:
    c = run(GOOD.replace(*change), now)
    assert segments(ack(c, "TA1"))[1].endswith(f"*R*{note}")


def test_no_ta1_when_the_control_number_cannot_be_read(now: datetime) -> None:
    c = run(GOOD.replace(b"*000000101*1*P", b"*00000010X*1*P"), now)
    assert c.result.status is Status.REJECTED
    assert c.acks == []


def test_acks_swap_sender_and_receiver_qualifiers(now: datetime) -> None:
    data = GOOD.replace(b"*ZZ*STMARYEPROC    *ZZ*", b"*01*STMARYEPROC    *12*")
    segs = segments(ack(run(data, now), "997"))
    assert segs[0].startswith("ISA*00*          *00*          *12*STMARYCENTRAL  *01*STMARYEPROC    *")


def test_inbound_997_is_read_as_data_and_not_acknowledged(now: datetime) -> None:
    first = run((SAMPLES / "broken-bad-date.edi").read_bytes(), now)
    c = run(ack(first, "997"), now)
    assert c.result.status is Status.ACK
    assert c.acks == []
    [txn] = c.result.transactions
    assert txn.business["group_control_number"] == "103"
    assert txn.business["transactions"][0]["status"] == "R"


def test_999_answers_an_unsupported_guide_with_ik5_i6(now: datetime) -> None:
    data = GOOD.replace(b"*X*004010~", b"*X*005010X222A1~").replace(b"*U*00401*", b"*^*00501*")
    c = run(data, now, AckPolicy(functional="999", ta1="never"))
    assert segments(ack(c, "999"))[2:-2] == [
        "ST*999*0001*005010X231A1",
        "AK1*PO*101*005010X222A1",
        "AK2*850*0001",
        "IK5*R*I6",
        "AK9*R*1*1*0",
        "SE*6*0001",
    ]
