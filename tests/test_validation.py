"""The validation engine (``gateway/edi/validation.py``), rule by rule, against the real schemas.

Every input is written here: a transaction is a list of segments (``seg[0]`` the tag), run
through :func:`validate` with the shipped 004010/005010 X12 schemas or the D96A ORDERS
message, or a whole interchange run through :func:`check` where the ack matters. Positions
are asserted as the standard counts them (ST/UNH is segment 1, the first element after the
tag is element 1), together with the wire code each finding becomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pytest

from gateway.edi.check import Checked, Counter, check
from gateway.edi.delimiters import EdifactDelimiters, X12Delimiters
from gateway.edi.edifact.dialect import EdifactDialect
from gateway.edi.edifact.tokenizer import split_escaped
from gateway.edi.findings import Finding, Level, x12_code
from gateway.edi.results import Status
from gateway.edi.schema import TransactionSchema, edifact_schema, x12_schema
from gateway.edi.validation import MAX_FINDINGS, validate
from gateway.edi.x12.dialect import X12Dialect

Segments = list[list[str]]

X12_4010 = X12Dialect(X12Delimiters(element="*", component=":", segment="~"), "004010")
X12_5010 = X12Dialect(X12Delimiters(element="*", component=":", segment="~", repetition="^"), "005010")


def schema(set_id: str, version: str = "004010") -> TransactionSchema:
    found = x12_schema(set_id, version)
    assert found is not None, f"no schema for {set_id} {version}"
    return found


# The clean 850 of samples/850-requisition.edi, ST..SE, written out: PO1 #1 is segment 12.
CLEAN_850: tuple[tuple[str, ...], ...] = (
    ("ST", "850", "0001"),
    ("BEG", "00", "SA", "PO-2026-00417", "", "20261128"),
    ("CUR", "BY", "USD"),
    ("REF", "DP", "ICU-4"),
    ("PER", "BD", "DANA LOPEZ", "TE", "6175550142"),
    ("DTM", "002", "20261205"),
    ("N1", "BY", "ST MARY MEDICAL CENTER", "92", "STM001"),
    ("N3", "1200 HARBOR AVE"),
    ("N4", "BOSTON", "MA", "02118", "US"),
    ("N1", "ST", "ST MARY CENTRAL RECEIVING", "92", "STM-DOCK2"),
    ("N1", "VN", "MERIDIAN MEDICAL SUPPLY", "92", "V10442"),
    ("PO1", "1", "40", "BX", "18.75", "", "VP", "NIT-GLV-M", "UP", "007012345678"),
    ("PID", "F", "", "", "", "NITRILE EXAM GLOVES MEDIUM 100/BX"),
    ("PO1", "2", "12", "CA", "42.10", "", "VP", "SYR-10ML-LL"),
    ("PID", "F", "", "", "", "SYRINGE 10ML LUER LOCK 100/CA"),
    ("CTT", "2"),
    ("SE", "17", "0001"),
)


def clean_850(**changes: Sequence[str]) -> Segments:
    """The clean 850 with segments replaced by position: ``clean_850(s12=["PO1", ...])``."""
    segs = [list(s) for s in CLEAN_850]
    for key, seg in changes.items():
        segs[int(key[1:]) - 1] = list(seg)
    return segs


def txn(*body: Sequence[str], set_id: str = "850", control: str = "0001") -> Segments:
    """ST, ``body``, and an SE whose count matches."""
    segs = [["ST", set_id, control], *[list(s) for s in body]]
    segs.append(["SE", str(len(segs) + 1), control])
    return segs


BEG = ("BEG", "00", "SA", "PO-1", "", "20261128")
PO1 = ("PO1", "1", "40", "BX", "18.75", "", "VP", "NIT-GLV-M")


def run(segs: Segments, set_id: str = "850", version: str = "004010") -> list[Finding]:
    dialect = X12_4010 if version == "004010" else X12_5010
    return validate(segs, schema(set_id, version), dialect)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.to_dict() for f in findings]
    return findings[0]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# -- clean input -------------------------------------------------------------------------------


def test_clean_sample_850_has_no_findings() -> None:
    assert run(clean_850()) == []


def test_clean_minimal_transactions_of_each_set_have_no_findings() -> None:
    assert run(txn(BEG, PO1)) == []
    assert run(txn(("BAK", "00", "AC", "PO-1", "20261128"), PO1, set_id="855"), "855") == []
    assert (
        run(txn(("BIG", "20261128", "INV-1"), ("IT1", "1", "2", "EA", "3.5"), ("TDS", "700"), set_id="810"), "810")
        == []
    )
    assert (
        run(
            txn(
                ("BSN", "00", "SHIP-1", "20261128", "1200"),
                ("HL", "1", "", "S"),
                ("HL", "2", "1", "O"),
                ("HL", "3", "2", "I"),
                set_id="856",
            ),
            "856",
        )
        == []
    )


# -- segments ------------------------------------------------------------------------------------


def test_mandatory_segment_missing_is_ak304_3() -> None:
    f = only(run(txn(("CUR", "BY", "USD"), PO1)))
    assert f.code == "segment.missing"
    assert x12_code(f, "004010") == "3"
    assert f.kind.level is Level.SEGMENT
    assert (f.segment_index, f.segment_tag, f.loop_path) == (2, "BEG", ())
    assert f.message == "Mandatory segment BEG is missing before segment 2 (CUR)."


def test_mandatory_loop_missing_names_the_loop_and_its_trigger() -> None:
    f = only(run(txn(BEG)))
    assert f.code == "segment.missing"
    assert (f.segment_index, f.segment_tag) == (3, "PO1")
    assert f.message == "Mandatory loop PO1 (starting with PO1) is missing before segment 3 (SE)."


def test_mandatory_loop_missing_at_the_end_without_trailer() -> None:
    # the missing SE itself is the envelope's finding (AK502 2), not a segment finding
    f = only(run([["ST", "850", "0001"], list(BEG)]))
    assert f.code == "segment.missing"
    assert f.segment_tag == "PO1"
    assert f.message == "Mandatory loop PO1 (starting with PO1) is missing at the end of the transaction."


def test_mandatory_segment_inside_a_loop_missing_when_the_loop_closes() -> None:
    # LM loop (heading): LM, then LQ mandatory
    f = only(run(txn(BEG, ("LM", "AB"), PO1)))
    assert f.code == "segment.missing"
    assert (f.segment_index, f.segment_tag) == (4, "LQ")
    assert f.message == "Mandatory segment LQ is missing before segment 4 (PO1)."


def test_segment_missing_inside_a_loop_carries_that_loop_in_its_path() -> None:
    f = only(run(txn(BEG, ("LM", "AB"), PO1)))
    assert f.loop_path == ("LM",)


def test_unrecognized_segment_tag_is_ak304_1() -> None:
    f = only(run(clean_850(s13=["ZZZ", "1"])))
    assert f.code == "segment.unrecognized"
    assert x12_code(f, "004010") == "1"
    assert (f.segment_index, f.segment_tag, f.loop_path, f.segment) == (13, "ZZZ", ("PO1",), "ZZZ*1")
    assert f.message == "Segment 13 has an unknown tag 'ZZZ'."


def test_segment_known_to_the_dictionary_but_not_in_this_set_is_ak304_6() -> None:
    f = only(run(txn(BEG, PO1, ("BSN", "00", "SHIP-1", "20261128", "1200"))))
    assert f.code == "segment.not_in_set"
    assert x12_code(f, "004010") == "6"
    assert (f.segment_index, f.segment_tag) == (4, "BSN")
    assert f.message == "Segment BSN (segment 4) is not used in 850."


def test_segment_of_the_set_in_the_wrong_place_is_ak304_7() -> None:
    f = only(run(txn(BEG, PO1, ("BEG", "00", "SA", "PO-2", "", "20261128"))))
    assert f.code == "segment.out_of_order"
    assert x12_code(f, "004010") == "7"
    assert (f.segment_index, f.segment_tag, f.loop_path) == (4, "BEG", ("PO1",))
    assert f.message == "Segment BEG (segment 4) is out of place: 850 does not allow it here."


def test_heading_segment_after_the_detail_is_out_of_order_even_when_it_repeats_in_heading() -> None:
    # CUR is in the heading (max 1) and in the PO1 loop; a second PO1-loop CUR is over max use, not out of order
    found = run(txn(BEG, PO1, ("CUR", "BY", "USD"), ("CUR", "BY", "EUR")))
    f = only(found)
    assert f.code == "segment.over_max_use"
    assert (f.segment_index, f.loop_path) == (5, ("PO1",))
    assert f.message == "CUR (segment 5, PO1 loop #1) appears 2 times here; at most 1 allowed."


def test_segment_over_max_use_is_ak304_5() -> None:
    f = only(run(txn(BEG, ("CUR", "BY", "USD"), ("CUR", "BY", "EUR"), PO1)))
    assert f.code == "segment.over_max_use"
    assert x12_code(f, "004010") == "5"
    assert (f.segment_index, f.segment_tag, f.segment) == (4, "CUR", "CUR*BY*EUR")
    assert f.message == "CUR (segment 4) appears 2 times here; at most 1 allowed."


def test_per_may_appear_three_times_but_not_four() -> None:
    per = ("PER", "BD", "DANA LOPEZ")
    assert run(txn(BEG, per, per, per, PO1)) == []
    f = only(run(txn(BEG, per, per, per, per, PO1)))
    assert f.code == "segment.over_max_use"
    assert f.segment_index == 6
    assert f.message == "PER (segment 6) appears 4 times here; at most 3 allowed."


def test_loop_over_max_repeat_is_ak304_4() -> None:
    # the CTT loop repeats at most once
    f = only(run(txn(BEG, PO1, ("CTT", "1"), ("CTT", "1"))))
    assert f.code == "segment.loop_over_max"
    assert x12_code(f, "004010") == "4"
    assert (f.segment_index, f.segment_tag) == (5, "CTT")
    assert f.message == "Loop CTT repeats 2 times; at most 1 allowed."


def test_loop_over_max_carries_the_loop_in_its_path() -> None:
    f = only(run(txn(BEG, PO1, ("CTT", "1"), ("CTT", "1"))))
    assert f.loop_path == ("CTT",)


def test_loop_trigger_starts_a_new_iteration() -> None:
    # two PO1 loops, each with a PID loop: iteration numbers count per enclosing loop
    found = run(
        clean_850(
            s14=["PO1", "2", "1O", "CA", "42.10"],
            s15=["PID", "F", "", "", "", "SYRINGE\x07"],
        )
    )
    qty, pid = found
    assert (qty.code, qty.segment_index, qty.loop_path) == ("element.invalid_number", 14, ("PO1",))
    assert qty.message == "PO1 (segment 14, PO1 loop #2): Quantity Ordered (PO102) is '1O': a number was expected."
    assert (pid.code, pid.segment_index, pid.loop_path) == ("element.invalid_character", 15, ("PO1", "PID"))
    assert pid.message == "PID (segment 15, PID loop #1): Description (PID05) holds a control character."


def test_segment_after_a_loop_closes_it_and_is_found_in_the_parent() -> None:
    # N1 loops, then PO1: nothing is reported, and an error in the PO1 is in the PO1 loop only
    f = only(run(clean_850(s12=["PO1", "1", "40", "BX", "X"])))
    assert f.loop_path == ("PO1",)
    assert f.element_ref == "PO104"


def test_empty_segment_tag() -> None:
    f = only(run(txn(BEG, PO1, ("", "X"))))
    assert f.code == "segment.empty"
    assert x12_code(f, "004010") == "8"
    assert (f.segment_index, f.segment_tag, f.loop_path) == (4, "", ("PO1",))
    assert f.message == "Segment 4 is empty."


def test_findings_stop_at_max_findings() -> None:
    bad = [["PO1", str(n), "X", "EA"] for n in range(1, 301)]
    found = run(txn(BEG, *bad))
    assert MAX_FINDINGS == 200
    assert len(found) == MAX_FINDINGS
    assert set(codes(found)) == {"element.invalid_number"}
    # the 200th bad PO1 is segment 202 (ST, BEG, then the PO1s)
    assert found[-1].segment_index == 202
    assert found[-1].message.startswith("PO1 (segment 202, PO1 loop #200):")


# -- elements: presence and count ----------------------------------------------------------------


def test_mandatory_element_missing_is_ak403_1() -> None:
    f = only(run(clean_850(s2=["BEG", "00", "SA", "", "", "20261128"])))
    assert f.code == "element.missing"
    assert x12_code(f, "004010") == "1"
    assert f.kind.level is Level.ELEMENT
    assert (f.segment_index, f.segment_tag, f.element_position, f.component_position) == (2, "BEG", 3, None)
    assert (f.element_ref, f.data_element, f.loop_path) == ("BEG03", "324", ())
    assert f.message == "BEG (segment 2): mandatory Purchase Order Number (BEG03) is missing."


def test_mandatory_element_missing_when_the_segment_is_cut_short() -> None:
    found = run(clean_850(s2=["BEG", "00", "SA"]))
    assert [(f.code, f.element_ref, f.data_element) for f in found] == [
        ("element.missing", "BEG03", "324"),
        ("element.missing", "BEG05", "373"),
    ]


def test_too_many_elements_is_ak403_3() -> None:
    # N3 defines two elements
    f = only(run(clean_850(s8=["N3", "1200 HARBOR AVE", "SUITE 4", "EXTRA"])))
    assert f.code == "element.too_many"
    assert x12_code(f, "004010") == "3"
    assert (f.segment_index, f.element_position, f.element_ref, f.loop_path) == (8, 3, "N303", ("N1",))
    assert f.message == "N3 (segment 8, N1 loop #1) has 3 elements; N3 defines 2."


def test_trailing_empty_elements_past_the_definition_are_not_too_many() -> None:
    assert run(clean_850(s8=["N3", "1200 HARBOR AVE", "", "", ""])) == []


def test_too_many_elements_points_at_the_first_extra_value() -> None:
    f = only(run(clean_850(s8=["N3", "1200 HARBOR AVE", "", "", "X"])))
    assert (f.code, f.element_position, f.element_ref) == ("element.too_many", 4, "N304")


# -- elements: length ----------------------------------------------------------------------------


def test_too_short_is_ak403_4() -> None:
    f = only(run(clean_850(s1=["ST", "850", "001"])))
    assert f.code == "element.too_short"
    assert x12_code(f, "004010") == "4"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element) == (1, 2, "ST02", "329")
    assert (
        f.message
        == "ST (segment 1): Transaction Set Control Number (ST02) is '001', 3 characters; at least 4 required."
    )


def test_too_long_is_ak403_5() -> None:
    f = only(run(clean_850(s2=["BEG", "00", "SA", "P" * 23, "", "20261128"])))
    assert f.code == "element.too_long"
    assert x12_code(f, "004010") == "5"
    assert (f.element_position, f.element_ref, f.data_element) == (3, "BEG03", "324")
    assert f.message == "BEG (segment 2): Purchase Order Number (BEG03) is 23 characters long; at most 22 allowed."


def test_numeric_length_leaves_out_sign_and_decimal_point() -> None:
    # PO102 Quantity Ordered is R 1/15: fifteen digits with a sign and a point fit
    assert run(clean_850(s12=["PO1", "1", "-123456789012.345", "BX"])) == []
    f = only(run(clean_850(s12=["PO1", "1", "1234567890123456", "BX"])))
    assert (f.code, f.element_ref, f.data_element) == ("element.too_long", "PO102", "330")
    assert (
        f.message
        == "PO1 (segment 12, PO1 loop #1): Quantity Ordered (PO102) is 16 characters long; at most 15 allowed."
    )


def test_six_digit_date_in_an_eight_digit_element_is_too_short_not_invalid() -> None:
    f = only(run(clean_850(s2=["BEG", "00", "SA", "PO-1", "", "261128"])))
    assert (f.code, f.element_ref) == ("element.too_short", "BEG05")


# -- elements: type ------------------------------------------------------------------------------


def test_bad_number_in_r_element_is_ak403_6() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "1O", "BX", "18.75", "", "VP", "NIT-GLV-M"])))
    assert f.code == "element.invalid_number"
    assert x12_code(f, "004010") == "6"
    assert (f.segment_index, f.segment_tag, f.element_position, f.component_position) == (12, "PO1", 2, None)
    assert (f.element_ref, f.data_element, f.loop_path) == ("PO102", "330", ("PO1",))
    assert f.segment == "PO1*1*1O*BX*18.75**VP*NIT-GLV-M"
    assert f.message == "PO1 (segment 12, PO1 loop #1): Quantity Ordered (PO102) is '1O': a number was expected."


@pytest.mark.parametrize("value", ["40", "-1.5", ".5", "1.", "0.0001", "1E3", "1e-3", "-2.5E10", "007"])
def test_r_accepts_decimal_forms(value: str) -> None:
    assert run(clean_850(s12=["PO1", "1", value, "BX"])) == []


@pytest.mark.parametrize("value", ["+1", "1,5", "1.2.3", ".", "-", "E3", "1E", "--1", "1 ", " 1", "1-", "0x1F", "½"])
def test_r_rejects_malformed_numbers(value: str) -> None:
    f = only(run(clean_850(s12=["PO1", "1", value, "BX"])))
    assert (f.code, f.element_ref) == ("element.invalid_number", "PO102")


@pytest.mark.parametrize("value", ["2", "-3", "000123"])
def test_n0_accepts_integers(value: str) -> None:
    assert run(clean_850(s16=["CTT", value])) == []


@pytest.mark.parametrize("value", ["1.5", "2.", "1E3", "+2", "two", "1,0"])
def test_n0_rejects_decimals_and_letters(value: str) -> None:
    f = only(run(clean_850(s16=["CTT", value])))
    assert (f.code, f.element_ref, f.data_element, f.loop_path) == ("element.invalid_number", "CTT01", "354", ("CTT",))
    assert (
        f.message == f"CTT (segment 16, CTT loop #1): Number of Line Items (CTT01) is '{value}': a number was expected."
    )


def test_n2_has_implied_decimals_so_a_decimal_point_is_invalid() -> None:
    # 810 TDS01 Amount is N2: 1234.50 is written 123450
    inv = (("BIG", "20261128", "INV-1"), ("IT1", "1", "2", "EA", "3.5"))
    assert run(txn(*inv, ("TDS", "123450"), set_id="810"), "810") == []
    assert run(txn(*inv, ("TDS", "-700"), set_id="810"), "810") == []
    f = only(run(txn(*inv, ("TDS", "1234.50"), set_id="810"), "810"))
    assert (f.code, f.segment_index, f.element_ref, f.data_element) == ("element.invalid_number", 4, "TDS01", "610")
    assert f.message == "TDS (segment 4): Amount (TDS01) is '1234.50': a number was expected."


def test_n0_rejects_non_ascii_digits() -> None:
    f = only(run(clean_850(s16=["CTT", "²"])))
    assert f.code == "element.invalid_number"


def test_r_rejects_non_ascii_digits() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "٣", "BX"])))
    assert f.code == "element.invalid_number"


def test_dt_rejects_non_ascii_digits() -> None:
    f = only(run(clean_850(s2=["BEG", "00", "SA", "PO-1", "", "２０２６１１２８"])))
    assert f.code == "element.invalid_date"


def test_control_character_is_invalid_character_ak403_6() -> None:
    f = only(run(clean_850(s13=["PID", "F", "", "", "", "GLOVES\x01MEDIUM"])))
    assert f.code == "element.invalid_character"
    assert x12_code(f, "004010") == "6"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element) == (13, 5, "PID05", "352")
    assert f.loop_path == ("PO1", "PID")
    assert f.message == "PID (segment 13, PID loop #1): Description (PID05) holds a control character."


def test_invalid_date_is_ak403_8() -> None:
    f = only(run(clean_850(s2=["BEG", "00", "SA", "PO-2026-00417", "", "20260230"])))
    assert f.code == "element.invalid_date"
    assert x12_code(f, "004010") == "8"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element) == (2, 5, "BEG05", "373")
    assert f.message == "BEG (segment 2): Date (BEG05) is '20260230': a valid date was expected."


@pytest.mark.parametrize(
    "value", ["20260229", "2026113", "202611281", "2026-11-28", "20261300", "20261100", "ABCDEFGH"]
)
def test_invalid_dates(value: str) -> None:
    f = only(run(clean_850(s6=["DTM", "002", value])))
    assert (f.code, f.element_ref) == ("element.invalid_date", "DTM02")


def test_leap_day_is_a_valid_date() -> None:
    assert run(clean_850(s6=["DTM", "002", "20280229"])) == []


@pytest.mark.parametrize("value", ["0000", "2359", "235959", "2359590", "23595999"])
def test_valid_times(value: str) -> None:
    assert run(clean_850(s6=["DTM", "002", "20261205", value])) == []


def test_invalid_time_is_ak403_9() -> None:
    f = only(run(clean_850(s6=["DTM", "002", "20261205", "2460"])))
    assert f.code == "element.invalid_time"
    assert x12_code(f, "004010") == "9"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element) == (6, 3, "DTM03", "337")
    assert f.message == "DTM (segment 6): Time (DTM03) is '2460': a valid time was expected."


@pytest.mark.parametrize("value", ["123", "1260", "2400", "235960", "12.30", "12305"])
def test_invalid_times(value: str) -> None:
    f = only(run(clean_850(s6=["DTM", "002", "20261205", value])))
    assert (f.code, f.element_ref) == ("element.invalid_time", "DTM03")


# -- elements: codes -----------------------------------------------------------------------------


def test_code_outside_the_dictionary_list_is_ak403_7() -> None:
    f = only(run(clean_850(s2=["BEG", "99", "SA", "PO-1", "", "20261128"])))
    assert f.code == "element.invalid_code"
    assert x12_code(f, "004010") == "7"
    assert (f.element_position, f.element_ref, f.data_element) == (1, "BEG01", "353")
    assert f.message == "BEG (segment 2): Transaction Set Purpose Code (BEG01) is '99', which is not a valid code here."


def test_element_without_a_code_list_takes_any_value_of_the_right_form() -> None:
    # PER01 Contact Function Code (366) has no codes in the dictionary
    assert run(clean_850(s5=["PER", "ZQ", "DANA LOPEZ"])) == []


def test_set_level_codes_narrow_the_dictionary() -> None:
    # 735 lists V, but the 856 accepts only E F I O P Q S T in HL03
    hl03 = schema("856").segments["HL"].elements[2].element
    assert hl03 is not None and hl03.codes is not None and "V" in hl03.codes
    found = run(
        txn(("BSN", "00", "SHIP-1", "20261128", "1200"), ("HL", "1", "", "S"), ("HL", "2", "1", "V"), set_id="856"),
        "856",
    )
    f = only(found)
    assert f.code == "element.invalid_code"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element, f.loop_path) == (
        4,
        3,
        "HL03",
        "735",
        ("HL",),
    )
    assert (
        f.message
        == "HL (segment 4, HL loop #2): Hierarchical Level Code (HL03) is 'V', which is not a valid code here."
    )


def test_set_level_codes_for_a_component_use_the_composite_reference() -> None:
    # FORMAT.md: "C082.3055" style keys name a component; narrow C001/355 to EA for this test
    narrowed = replace(schema("850"), codes={"C001.355": frozenset({"EA"})})
    ok = txn(BEG, PO1, ("SLN", "1", "", "I", "2", "EA"))
    bad = txn(BEG, PO1, ("SLN", "1", "", "I", "2", "BX"))
    assert validate(ok, narrowed, X12_4010) == []
    f = only(validate(bad, narrowed, X12_4010))
    assert (f.code, f.element_ref, f.component_position, f.data_element) == (
        "element.invalid_code",
        "SLN05-01",
        1,
        "355",
    )
    # the real 850 takes BX from the dictionary
    assert run(bad) == []


# -- syntax notes --------------------------------------------------------------------------------


def test_paired_p0607_in_po1_is_ak403_2() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "40", "BX", "18.75", "", "VP"])))
    assert f.code == "element.conditional_missing"
    assert x12_code(f, "004010") == "2"
    assert (f.segment_index, f.element_position, f.element_ref, f.data_element) == (12, 7, "PO107", "234")
    assert (
        f.message == "PO1 (segment 12, PO1 loop #1): syntax rule P0607: PO106, PO107 are used together or not at all."
    )


def test_paired_rule_reports_the_missing_one_either_way() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "40", "BX", "18.75", "", "", "NIT-GLV-M"])))
    assert (f.code, f.element_ref) == ("element.conditional_missing", "PO106")


def test_paired_p0304_in_n1() -> None:
    f = only(run(clean_850(s7=["N1", "BY", "ST MARY MEDICAL CENTER", "92"])))
    assert (f.code, f.segment_index, f.element_position, f.element_ref, f.loop_path) == (
        "element.conditional_missing",
        7,
        4,
        "N104",
        ("N1",),
    )
    assert f.message == "N1 (segment 7, N1 loop #1): syntax rule P0304: N103, N104 are used together or not at all."


def test_required_r0203_in_n1() -> None:
    f = only(run(clean_850(s7=["N1", "BY"])))
    assert (f.code, f.element_position, f.element_ref) == ("element.conditional_missing", 2, "N102")
    assert f.message == "N1 (segment 7, N1 loop #1): syntax rule R0203: N102, N103 need at least one of them present."


def test_required_rule_with_three_positions_in_dtm() -> None:
    f = only(run(clean_850(s6=["DTM", "002"])))
    assert (f.code, f.element_ref) == ("element.conditional_missing", "DTM02")
    assert f.message == "DTM (segment 6): syntax rule R020305: DTM02, DTM03, DTM05 need at least one of them present."


def test_exclusion_e0204_in_qty_is_ak403_10() -> None:
    f = only(run(txn(BEG, PO1, ("QTY", "01", "5", "", "FIVE"))))
    assert f.code == "element.exclusion"
    assert x12_code(f, "004010") == "10"
    assert (f.segment_index, f.element_position, f.element_ref, f.loop_path) == (4, 4, "QTY04", ("PO1", "QTY"))
    assert f.message == "QTY (segment 4, QTY loop #1): syntax rule E0204: QTY02, QTY04 allow at most one of them."


def test_conditional_c0302_in_po1() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "", "BX"])))
    assert (f.code, f.element_position, f.element_ref) == ("element.conditional_missing", 2, "PO102")
    assert f.message == (
        "PO1 (segment 12, PO1 loop #1): syntax rule C0302: PO103, PO102 require the others when the first is present."
    )


def test_conditional_rule_is_silent_when_its_first_element_is_absent() -> None:
    # C0302: PO102 without PO103 is fine
    assert run(clean_850(s12=["PO1", "1", "40"])) == []


def test_list_conditional_l101112_in_cur() -> None:
    f = only(run(clean_850(s3=["CUR", "BY", "USD", "", "", "", "", "", "", "", "007"])))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == (
        "element.conditional_missing",
        3,
        11,
        "CUR11",
    )
    assert f.message == (
        "CUR (segment 3): syntax rule L101112: CUR10, CUR11, CUR12 require at least one of the others when the "
        "first is present."
    )
    assert run(clean_850(s3=["CUR", "BY", "USD", "", "", "", "", "", "", "", "007", "20261128"])) == []


# -- composites ----------------------------------------------------------------------------------


def sln(c001: str) -> Segments:
    """An 850 with one PO1 and one SLN whose SLN05 (C001) is ``c001``: SLN is segment 4."""
    return txn(BEG, PO1, ("SLN", "1", "", "I", "2", c001))


def test_clean_composite() -> None:
    assert run(sln("EA")) == []
    assert run(sln("EA:2:1.5")) == []


def test_composite_mandatory_component_missing_carries_component_position() -> None:
    f = only(run(sln(":2")))
    assert f.code == "element.missing"
    assert (f.segment_index, f.element_position, f.component_position) == (4, 5, 1)
    assert (f.element_ref, f.data_element, f.loop_path) == ("SLN05-01", "355", ("PO1", "SLN"))
    assert (
        f.message == "SLN (segment 4, SLN loop #1): mandatory Unit or Basis for Measurement Code (SLN05-01) is missing."
    )


def test_composite_component_invalid_code() -> None:
    f = only(run(sln("Q9")))
    assert (f.code, f.element_position, f.component_position, f.element_ref, f.data_element) == (
        "element.invalid_code",
        5,
        1,
        "SLN05-01",
        "355",
    )
    assert f.message == (
        "SLN (segment 4, SLN loop #1): Unit or Basis for Measurement Code (SLN05-01) is 'Q9', which is not a valid "
        "code here."
    )


def test_composite_component_bad_number() -> None:
    f = only(run(sln("EA:X")))
    assert (f.code, f.element_position, f.component_position, f.element_ref, f.data_element) == (
        "element.invalid_number",
        5,
        2,
        "SLN05-02",
        "1018",
    )
    assert f.message == "SLN (segment 4, SLN loop #1): Exponent (SLN05-02) is 'X': a number was expected."


def test_composite_syntax_note_positions_count_within_the_composite() -> None:
    # C001 C0504: component 5 (Exponent) needs component 4 (a second unit)
    f = only(run(sln("EA::::2")))
    assert f.code == "element.conditional_missing"
    assert (f.element_position, f.component_position, f.element_ref) == (5, 4, "SLN05-04")
    assert f.message == (
        "SLN (segment 4, SLN loop #1): syntax rule C0504: SLN05-05, SLN05-04 require the others when the first is "
        "present."
    )


def test_composite_with_too_many_components_is_code_13() -> None:
    f = only(run(sln("EA" + ":" * 15 + "X")))
    assert f.code == "element.too_many_components"
    assert x12_code(f, "004010") == "13"
    assert (f.element_position, f.component_position, f.element_ref) == (5, None, "SLN05")
    assert f.message == "SLN (segment 4, SLN loop #1): Composite Unit of Measure (SLN05) has 16 components; 15 defined."


def test_composite_trailing_empty_components_are_not_too_many() -> None:
    assert run(sln("EA" + ":" * 20)) == []


def test_simple_element_holding_a_component_separator() -> None:
    f = only(run(clean_850(s12=["PO1", "1", "40", "BX:EA"])))
    assert (f.code, f.element_position, f.element_ref) == ("element.too_many_components", 3, "PO103")
    assert f.message == (
        "PO1 (segment 12, PO1 loop #1): Unit or Basis for Measurement Code (PO103) is a simple element but holds a "
        "component separator: 'BX:EA'."
    )


def test_paired_segment_rule_over_a_composite_position() -> None:
    # SLN P0405: SLN04 quantity and SLN05 unit together
    f = only(run(txn(BEG, PO1, ("SLN", "1", "", "I", "2"))))
    assert (f.code, f.element_ref) == ("element.conditional_missing", "SLN05")


# -- repetitions (005010) ------------------------------------------------------------------------


def inv_5010(dmg05: str, big02: str = "INV-1") -> Segments:
    """A 005010 810 with a DMG in the N1 loop (segment 4); DMG05 is C056, repeatable 10 times."""
    return txn(
        ("BIG", "20261128", big02),
        ("N1", "BY", "ST MARY", "92", "STM001"),
        ("DMG", "D8", "19800101", "F", "", dmg05),
        ("TDS", "1000"),
        set_id="810",
    )


def test_repeatable_composite_takes_up_to_its_repeat() -> None:
    assert run(inv_5010("A"), "810", "005010") == []
    assert run(inv_5010("^".join("ABCDEFGHIJ")), "810", "005010") == []


def test_error_in_a_repetition_carries_its_number() -> None:
    f = only(run(inv_5010("A^BB"), "810", "005010"))
    assert f.code == "element.too_long"
    assert (f.segment_index, f.element_position, f.component_position, f.repetition) == (4, 5, 1, 2)
    assert (f.element_ref, f.data_element, f.loop_path) == ("DMG05-01", "1109", ("N1",))
    assert (
        f.message
        == "DMG (segment 4, N1 loop #1): Race or Ethnicity Code (DMG05-01) is 2 characters long; at most 1 allowed."
    )


def test_too_many_repetitions_is_code_12() -> None:
    f = only(run(inv_5010("^".join("ABCDEFGHIJK")), "810", "005010"))
    assert f.code == "element.too_many_repetitions"
    assert x12_code(f, "005010") == "12"
    assert (f.segment_index, f.element_position, f.repetition, f.element_ref) == (4, 5, None, "DMG05")
    assert f.message == (
        "DMG (segment 4, N1 loop #1): Composite Race or Ethnicity Information (DMG05) repeats 11 times; at most 10 "
        "allowed."
    )


def test_repetition_in_a_non_repeatable_element() -> None:
    f = only(run(inv_5010("A", big02="INV^2"), "810", "005010"))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == (
        "element.too_many_repetitions",
        2,
        2,
        "BIG02",
    )
    assert f.message == "BIG (segment 2): Invoice Number (BIG02) repeats 2 times; at most 1 allowed."


def test_004010_has_no_repetition_separator_so_the_character_is_data() -> None:
    assert run(clean_850(s2=["BEG", "00", "SA", "PO^1", "", "20261128"])) == []


# -- 856 hierarchy -------------------------------------------------------------------------------


def asn(*hls: tuple[str, str, str], version: str = "004010") -> list[Finding]:
    """An 856 with these HL01/HL02/HL03: the first HL is segment 3."""
    body = [("HL", *hl) for hl in hls]
    return run(txn(("BSN", "00", "SHIP-1", "20261128", "1200"), *body, set_id="856"), "856", version)


def test_hl01_must_count_up_from_one() -> None:
    f = only(asn(("1", "", "S"), ("3", "1", "O")))
    assert f.code == "element.invalid_code"
    assert (f.segment_index, f.segment_tag, f.element_position, f.element_ref) == (4, "HL", 1, "HL01")
    assert f.message == "HL (segment 4): HL01 is '3'; HL numbers run 1, 2, 3… so 2 was expected."


def test_hl02_must_name_an_earlier_hl() -> None:
    f = only(asn(("1", "", "S"), ("2", "5", "O")))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == ("element.invalid_code", 4, 2, "HL02")
    assert f.message == "HL (segment 4): HL02 '5' names no earlier HL as parent."


def test_hl02_may_not_point_at_itself() -> None:
    f = only(asn(("1", "", "S"), ("2", "2", "O")))
    assert (f.code, f.element_ref) == ("element.invalid_code", "HL02")


def test_level_that_needs_a_parent_without_hl02() -> None:
    f = only(asn(("1", "", "S"), ("2", "", "O")))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == ("element.missing", 4, 2, "HL02")
    assert f.message == "HL (segment 4): level 'O' needs a parent in HL02 (E, S, T)."


def test_level_under_a_parent_the_schema_does_not_allow() -> None:
    # 004010 856: an Order (O) may sit under S, E or T, not under a Pack (P)
    f = only(asn(("1", "", "S"), ("2", "1", "P"), ("3", "2", "O")))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == ("element.invalid_code", 5, 3, "HL03")
    assert f.message == "HL (segment 5): a level 'O' cannot sit under a level 'P' (allowed parents: E, S, T)."


def test_item_directly_under_shipment_follows_each_versions_hierarchy() -> None:
    # 004010 856 allows I under S; the 005010 856 allows I only under O, P or T
    assert asn(("1", "", "S"), ("2", "1", "I")) == []
    f = only(asn(("1", "", "S"), ("2", "1", "I"), version="005010"))
    assert (f.code, f.segment_index, f.element_position, f.element_ref) == ("element.invalid_code", 4, 3, "HL03")
    assert f.message == "HL (segment 4): a level 'I' cannot sit under a level 'S' (allowed parents: O, P, T)."
    assert x12_code(f, "005010") == "7"


def test_standard_pick_and_pack_hierarchy_is_clean() -> None:
    assert (
        asn(("1", "", "S"), ("2", "1", "O"), ("3", "2", "P"), ("4", "3", "I"), ("5", "2", "P"), ("6", "5", "I")) == []
    )


def test_top_level_shipment_may_not_have_a_parent() -> None:
    found = asn(("1", "", "S"), ("2", "1", "O"), ("3", "2", "S"))
    f = only(found)
    assert (f.code, f.segment_index) == ("element.invalid_code", 5)
    assert f.element_ref in ("HL02", "HL03")


def test_unknown_hl03_is_reported_once_by_the_code_check() -> None:
    found = asn(("1", "", "S"), ("2", "1", "ZZ"))
    assert [(f.code, f.element_ref) for f in found] == [("element.invalid_code", "HL03")]


# -- EDIFACT (D96A ORDERS) -----------------------------------------------------------------------

ORDERS_D96A = """\
UNH+1+ORDERS:D:96A:UN:EAN008
BGM+220+PO-EU-88120+9
DTM+137:20261128:102
DTM+2:20261210:102
NAD+BY+5412345000013::9++Klinikum S?+D Nord
NAD+SU+4012345000009::9
CUX+2:EUR:9
LIN+1++4012345678901:EN
QTY+21:24:PCE
PRI+AAA:12,45
LIN+2++4012345678918:EN
QTY+21:6:BX
PRI+AAA:103,90
UNS+S
CNT+2:2
UNT+16+1"""

UNA_COMMA = EdifactDelimiters.from_una("UNA:+,? '")


def orders(replace_lines: dict[int, str] | None = None, delimiters: EdifactDelimiters = UNA_COMMA) -> list[Finding]:
    """Validate the ORDERS above (segment n is line n), with lines replaced by number."""
    lines = ORDERS_D96A.splitlines()
    for n, text in (replace_lines or {}).items():
        lines[n - 1] = text
    segs = [split_escaped(line, delimiters.element, delimiters.release) for line in lines]
    found = edifact_schema("ORDERS", "D96A")
    assert found is not None
    return validate(segs, found, EdifactDialect(delimiters, "D96A"))


def test_clean_orders_d96a() -> None:
    assert orders() == []


def test_edifact_invalid_date_in_format_102_points_at_component_2() -> None:
    f = only(orders({3: "DTM+137:20260230:102"}))
    assert f.code == "element.invalid_date"
    assert f.kind.contrl == "12"
    assert (f.segment_index, f.segment_tag, f.element_position, f.component_position) == (3, "DTM", 1, 2)
    assert (f.element_ref, f.loop_path, f.segment) == ("DTM01-02", (), "DTM+137:20260230:102")
    assert f.message == "DTM (segment 3): Date/time/period (DTM01-02) is '20260230', not a valid date in format 102."


def test_edifact_date_format_not_checked_when_unknown() -> None:
    # 2379 format 718 (CCYYMMDD-CCYYMMDD) is not among the checked formats
    assert orders({3: "DTM+137:20261128-20261130:718"}) == []


def test_edifact_release_character_is_not_counted_in_length() -> None:
    # C080 3036 Party name is an..35: 34 letters and an escaped '+' are 35 characters, 36 raw
    name35 = "A" * 33 + "?+B"
    name36 = "A" * 34 + "?+B"
    assert len(name35) == 36
    assert orders({6: f"NAD+SU+4012345000009::9++{name35}"}) == []
    f = only(orders({6: f"NAD+SU+4012345000009::9++{name36}"}))
    assert f.code == "element.too_long"
    assert (f.segment_index, f.element_position, f.component_position, f.element_ref, f.data_element) == (
        6,
        4,
        1,
        "NAD04-01",
        "3036",
    )
    assert f.loop_path == ("SG2",)
    assert f.message == "NAD (segment 6, SG2 loop #2): Party name (NAD04-01) is 36 characters long; at most 35 allowed."


def test_edifact_escaped_component_separator_stays_in_one_component() -> None:
    assert orders({5: "NAD+BY+5412345000013::9++Klinikum S?:D Nord"}) == []


@pytest.mark.parametrize("price", ["12,45", "12.45", ",5", "-3", "1234567890,12345"])
def test_edifact_numbers_accept_either_decimal_mark(price: str) -> None:
    assert orders({10: f"PRI+AAA:{price}"}) == []


def test_edifact_number_with_two_marks_is_invalid() -> None:
    f = only(orders({10: "PRI+AAA:1,2,3"}))
    assert (f.code, f.segment_index, f.element_ref, f.component_position, f.data_element) == (
        "element.invalid_number",
        10,
        "PRI01-02",
        2,
        "5118",
    )
    assert f.loop_path == ("SG25", "SG28")
    assert f.kind.contrl == "37"
    assert f.message == "PRI (segment 10, SG28 loop #1): Price (PRI01-02) is '1,2,3': a number was expected."


def test_edifact_number_length_leaves_out_the_decimal_mark() -> None:
    # 5118 Price is n..15
    assert orders({10: "PRI+AAA:12345678901234,5"}) == []
    f = only(orders({10: "PRI+AAA:123456789012345,6"}))
    assert (f.code, f.element_ref) == ("element.too_long", "PRI01-02")


def test_edifact_alphabetic_element_with_digits_is_invalid_character() -> None:
    f = only(orders({14: "UNS+1"}))
    assert f.code == "element.invalid_character"
    assert f.kind.contrl == "21"
    assert (f.segment_index, f.element_position, f.component_position, f.element_ref, f.data_element) == (
        14,
        1,
        None,
        "UNS01",
        "0081",
    )
    assert (
        f.message
        == "UNS (segment 14): Section identification (UNS01) is '1': it holds a character that is not allowed."
    )


def test_edifact_missing_mandatory_segment() -> None:
    # UNS replaced by a summary MOA, which sits after UNS: the walk steps over UNS
    f = only(orders({14: "MOA+86:100"}))
    assert (f.code, f.segment_index, f.segment_tag, f.loop_path) == ("segment.missing", 14, "UNS", ())
    assert f.kind.contrl == "13"
    assert f.message == "Mandatory segment UNS is missing before segment 14 (MOA)."


def test_edifact_code_list() -> None:
    # 3035 Party qualifier is an..3 with a code list: ZZZZ is too long and not a code
    found = orders({5: "NAD+ZZZZ+5412345000013::9"})
    assert [(f.code, f.element_ref) for f in found] == [
        ("element.too_long", "NAD01"),
        ("element.invalid_code", "NAD01"),
    ]
    f = only(orders({5: "NAD+QQQ+5412345000013::9"}))
    assert (f.code, f.element_ref, f.data_element) == ("element.invalid_code", "NAD01", "3035")


# -- through check(): the 997 ------------------------------------------------------------------


def isa(version: str, repetition: str, control: str = "000000101") -> str:
    widths = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
    values = ("00", "", "00", "", "ZZ", "SENDER", "ZZ", "RECEIVER", "261128", "0930", repetition, version, control)
    values += ("0", "P", ":")
    return "*".join(["ISA", *(v.ljust(w) for v, w in zip(values, widths))]) + "~"


def interchange(gs08: str, *segs: str, isa_version: str = "00501", repetition: str = "^") -> bytes:
    st = [s for s in segs]
    body = "~".join(["ST*850*0001", *st, f"SE*{len(st) + 2}*0001"]) + "~"
    text = isa(isa_version, repetition)
    text += f"GS*PO*SENDER*RECEIVER*20261128*0930*101*X*{gs08}~" + body + "GE*1*101~IEA*1*000000101~"
    return text.encode()


def run_check(data: bytes, now: datetime) -> Checked:
    [checked] = list(check(data, numbers=Counter(), now=now))
    return checked


def ak_segments(checked: Checked) -> list[str]:
    [payload] = [a.payload for a in checked.acks if a.kind == "997"]
    return [s for s in payload.decode().split("~") if s.startswith(("AK3", "AK4", "AK5", "AK9"))]


def test_repetition_in_004010_group_is_ak403_6(now: datetime) -> None:
    # a 00501 ISA declares '^'; the group is 004010, whose AK403 has no code 12
    c = run_check(interchange("004010", "BEG*00*SA*PO^1**20261128", "PO1*1*40*BX"), now)
    [txn_result] = c.result.transactions
    f = only(txn_result.findings)
    assert (f.code, f.element_ref) == ("element.too_many_repetitions", "BEG03")
    assert ak_segments(c) == ["AK3*BEG*2**8", "AK4*3*324*6", "AK5*R*5", "AK9*R*1*1*0"]


def test_repetition_in_005010_group_is_ak403_12(now: datetime) -> None:
    c = run_check(interchange("005010", "BEG*00*SA*PO^1**20261128", "PO1*1*40*BX"), now)
    assert ak_segments(c) == ["AK3*BEG*2**8", "AK4*3*324*12", "AK5*R*5", "AK9*R*1*1*0"]


def test_element_and_segment_errors_in_the_997(now: datetime) -> None:
    c = run_check(
        interchange(
            "004010",
            "BEG*00*SA*PO-1**20260230",
            "PO1*1*1O*BX",
            "ZZZ*1",
            "QTY*01*5**FIVE",
            isa_version="00401",
            repetition="U",
        ),
        now,
    )
    assert c.result.status is Status.REJECTED
    assert ak_segments(c) == [
        "AK3*BEG*2**8",
        "AK4*5*373*8*20260230",
        "AK3*PO1*3*PO1*8",
        "AK4*2*330*6*1O",
        "AK3*ZZZ*4*PO1*1",
        "AK3*QTY*5*QTY*8",
        "AK4*4*61*10*FIVE",
        "AK5*R*5",
        "AK9*R*1*1*0",
    ]


def test_composite_component_position_in_the_997(now: datetime) -> None:
    c = run_check(
        interchange(
            "004010", "BEG*00*SA*PO-1**20261128", "PO1*1*40*BX", "SLN*1**I*2*Q9", isa_version="00401", repetition="U"
        ),
        now,
    )
    assert ak_segments(c) == ["AK3*SLN*4*SLN*8", "AK4*5:1*355*7*Q9", "AK5*R*5", "AK9*R*1*1*0"]
