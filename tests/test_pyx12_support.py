"""Tests for tests/support/pyx12_check.py, the pyx12-based 997/999 checker.

The fixtures are hand-written acknowledgments for an 850 purchase-order group
(GS01 ``PO``), the case pyx12's bundled HIPAA maps reject and the widened maps
in tests/data/pyx12_maps accept.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.pyx12_check import PYX12_MAP_DIR, pyx12_errors

GS_997_4010 = "GS*FA*EDIGWSENDER*PARTNERRCVR*20240315*1200*1*X*004010~"
GS_997_5010 = "GS*FA*EDIGWSENDER*PARTNERRCVR*20240315*1200*1*X*005010~"
GS_999 = "GS*FA*EDIGWSENDER*PARTNERRCVR*20240315*1200*1*X*005010X231A1~"
TRAILER = "GE*1*1~IEA*1*000000001~"


def isa(version: str = "00401", control: str = "000000001") -> str:
    """Build a fixed-width ISA segment (106 characters including the ``~``).

    ISA11 is the repetition separator ``^`` for 00501 and the standards id ``U``
    for 00401; ISA16 (component separator) is ``:``.
    """
    isa11 = "^" if version == "00501" else "U"
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "EDIGW".ljust(15),
        "ZZ",
        "PARTNER".ljust(15),
        "240315",
        "1200",
        isa11,
        version,
        control.rjust(9, "0"),
        "0",
        "T",
        ":",
    ]
    segment = "*".join(fields) + "~"
    assert len(segment) == 106, len(segment)
    return segment


def interchange(version: str, group_header: str, transaction_set: str) -> bytes:
    return (isa(version) + group_header + transaction_set + TRAILER).encode("ascii")


def ack_997_4010(*, ak9: str = "AK9*A*1*1*1~", se_count: int | None = None, ak1: str = "AK1*PO*1~") -> bytes:
    body = ak1 + "AK2*850*0001~AK5*A~" + ak9
    segments = 2 + body.count("~")  # ST + body + SE
    return interchange(
        "00401",
        GS_997_4010,
        f"ST*997*0001~{body}SE*{segments if se_count is None else se_count}*0001~",
    )


def ack_999(*, ik5: str = "A", st03: str = "005010X231A1") -> bytes:
    body = f"AK1*PO*1*005010~AK2*850*0001~IK5*{ik5}~AK9*A*1*1*1~"
    segments = 2 + body.count("~")
    return interchange("00501", GS_999, f"ST*999*0001*{st03}~{body}SE*{segments}*0001~")


def test_isa_helper_is_fixed_width() -> None:
    assert len(isa("00401")) == 106
    assert len(isa("00501")) == 106
    assert isa("00501")[82] == "^"


def test_map_folder_is_complete() -> None:
    names = {p.name for p in PYX12_MAP_DIR.iterdir()}
    assert {
        "maps.xml",
        "dataele.xml",
        "codes.xml",
        "x12.control.00401.xml",
        "x12.control.00501.xml",
        "997.4010.xml",
        "997.5010.xml",
        "999.5010X231.A1.xml",
        "README.md",
    } <= names


# -- 004010 997 ---------------------------------------------------------------


def test_valid_4010_997_for_850_group() -> None:
    assert pyx12_errors(ack_997_4010()) == []


@pytest.mark.parametrize("fid, ts", [("PO", "850"), ("PR", "855"), ("SH", "856"), ("IN", "810"), ("FA", "997")])
def test_widened_codes_accepted_in_4010_997(fid: str, ts: str) -> None:
    ack = ack_997_4010(ak1=f"AK1*{fid}*1~").replace(b"AK2*850*", f"AK2*{ts}*".encode())
    assert pyx12_errors(ack) == []


def test_valid_4010_997_rejection_with_ak3_ak4() -> None:
    body = "AK1*PO*1~AK2*850*0001~AK3*BEG*3**8~AK4*2*353*7*XX~AK5*R*5~AK9*R*1*1*0~"
    ack = interchange("00401", GS_997_4010, f"ST*997*0001~{body}SE*8*0001~")
    assert pyx12_errors(ack) == []


def test_wrong_se_count_is_reported() -> None:
    errors = pyx12_errors(ack_997_4010(se_count=9))
    assert any("SE count of 9" in e for e in errors), errors


def test_bad_ak9_code_is_reported() -> None:
    errors = pyx12_errors(ack_997_4010(ak9="AK9*Z*1*1*1~"))
    assert any("AK9" in e for e in errors), errors


def test_missing_ak9_is_reported() -> None:
    errors = pyx12_errors(ack_997_4010(ak9=""))
    assert any("AK9" in e and "missing" in e for e in errors), errors


def test_unknown_functional_id_is_reported() -> None:
    assert pyx12_errors(ack_997_4010(ak1="AK1*XX*1~")) != []


def test_element_level_error_is_reported() -> None:
    # AK902 is numeric (N0); a letter is an element-level data type error.
    errors = pyx12_errors(ack_997_4010(ak9="AK9*A*X*1*1~"))
    assert any("element 02" in e and "AK9" in e for e in errors), errors


def test_group_level_error_is_reported() -> None:
    ack = ack_997_4010().replace(b"GE*1*1~", b"GE*2*1~")
    errors = pyx12_errors(ack)
    assert any(e.startswith("group 1") and "GE count" in e for e in errors), errors


def test_interchange_level_error_is_reported() -> None:
    ack = ack_997_4010().replace(b"IEA*1*000000001~", b"IEA*1*000000002~")
    errors = pyx12_errors(ack)
    assert any(e.startswith("interchange") and "IEA id" in e for e in errors), errors


def test_isa_element_error_is_reported() -> None:
    ack = ack_997_4010().replace(b"*0*T*:~", b"*0*X*:~", 1)  # ISA15 must be P or T
    errors = pyx12_errors(ack)
    assert any("ISA element 15" in e for e in errors), errors


def test_ak9_counts_are_not_cross_checked_by_pyx12() -> None:
    # Documented pyx12 limitation: AK902-AK904 are only checked for syntax.
    assert pyx12_errors(ack_997_4010(ak9="AK9*A*5*3*9~")) == []


def test_garbage_is_reported_not_raised() -> None:
    assert pyx12_errors(b"this is not X12") != []


# -- 005010 997 ---------------------------------------------------------------


def test_valid_5010_997() -> None:
    body = "AK1*PO*1*005010~AK2*850*0001~AK5*A~AK9*A*1*1*1~"
    ack = interchange("00501", GS_997_5010, f"ST*997*0001~{body}SE*6*0001~")
    assert pyx12_errors(ack) == []


def test_5010_only_elements_accepted_in_5010_997_but_not_in_4010() -> None:
    body = "AK1*PO*1*005010~AK2*850*0001*X~AK3*BEG*3**8~AK4*2:0:1*353*7*XX~AK5*R*5~AK9*R*1*1*0~"
    ack = interchange("00501", GS_997_5010, f"ST*997*0001*X~{body}SE*8*0001~")
    assert pyx12_errors(ack) == []
    errors = pyx12_errors(ack_997_4010(ak1="AK1*PO*1*004010~"))
    assert any("Too many elements" in e and "AK1" in e for e in errors), errors


def test_5010_997_bad_ak5_code_is_reported() -> None:
    body = "AK1*PO*1*005010~AK2*850*0001~AK5*Q~AK9*A*1*1*1~"
    ack = interchange("00501", GS_997_5010, f"ST*997*0001~{body}SE*6*0001~")
    assert pyx12_errors(ack) != []


# -- 005010X231A1 999 ---------------------------------------------------------


def test_valid_999_for_850_group() -> None:
    assert pyx12_errors(ack_999()) == []


def test_valid_999_rejection_with_ik3_ik4() -> None:
    body = "AK1*PO*1*005010~AK2*850*0001~IK3*BEG*3**8~IK4*2*353*7*XX~IK5*R*5~AK9*R*1*1*0~"
    ack = interchange("00501", GS_999, f"ST*999*0001*005010X231A1~{body}SE*8*0001~")
    assert pyx12_errors(ack) == []


def test_999_bad_ik5_code_is_reported() -> None:
    errors = pyx12_errors(ack_999(ik5="Q"))
    assert any("IK5" in e for e in errors), errors


def test_999_bad_st03_is_reported() -> None:
    errors = pyx12_errors(ack_999(st03="005010X231"))
    assert any("ST element 03" in e for e in errors), errors


def test_999_needs_00501_interchange() -> None:
    ack = ack_999().replace(b"*^*00501*", b"*U*00401*", 1)
    errors = pyx12_errors(ack)
    assert any("Map not found" in e for e in errors), errors


# -- hygiene --------------------------------------------------------------------


def test_checker_is_quiet_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert pyx12_errors(ack_997_4010()) == []
    assert pyx12_errors(ack_997_4010(se_count=9)) != []
    assert pyx12_errors(b"this is not X12") != []
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
    assert os.listdir(tmp_path) == []
