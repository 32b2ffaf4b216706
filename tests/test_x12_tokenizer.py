"""The X12 tokenizer (gateway.edi.x12.tokenizer) and the envelope reader (gateway.edi.x12.envelope).

All input is written inline with the builders in tests/support/builders.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.edi.check import Counter, check
from gateway.edi.delimiters import X12Delimiters
from gateway.edi.source import CHUNK_SIZE
from gateway.edi.x12.dialect import X12Dialect
from gateway.edi.x12.envelope import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    JunkRead,
    TransactionRead,
    read_x12,
)
from gateway.edi.x12.tokenizer import MISSING_IEA, IsaHeader, Junk, Token, X12Tokenizer
from tests.support.builders import DEFAULT_BODY, group, isa, isa_elements, segments, transaction, x12

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
STD = X12Delimiters(element="*", component=":", segment="~", repetition=None, suffix="")

#: The body tokens of the default interchange built by ``x12()``.
BODY = [
    ["GS", "PO", "SENDER", "RECEIVER", "20240315", "1200", "1", "X", "004010"],
    ["ST", "850", "0001"],
    ["BEG", "00", "SA", "PO1", "", "20240315"],
    ["CUR", "BY", "USD"],
    ["SE", "4", "0001"],
    ["GE", "1", "1"],
    ["IEA", "1", "000000001"],
]


def tokens(data: bytes | str, chunk_size: int = CHUNK_SIZE) -> list[Token]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(X12Tokenizer(data, chunk_size=chunk_size))


def header_of(toks: list[Token], n: int = 0) -> IsaHeader:
    headers = [t for t in toks if isinstance(t, IsaHeader)]
    return headers[n]


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def comparable(toks: list[Token]) -> list[object]:
    """Tokens as plain values, so that two token lists compare field by field."""
    out: list[object] = []
    for t in toks:
        if isinstance(t, IsaHeader):
            out.append(("ISA", t.elements, t.delimiters, t.raw, t.offset, codes(t.findings)))
        elif isinstance(t, Junk):
            out.append(("JUNK", t.preview, t.length, t.offset, codes(t.findings)))
        else:
            out.append(t)
    return out


def wrap(text: str, width: int = 80, newline: str = "\n") -> str:
    return newline.join(text[i : i + width] for i in range(0, len(text), width))


# -- delimiters from the ISA ---------------------------------------------------------------------


def test_standard_isa_gives_delimiters_elements_and_raw() -> None:
    toks = tokens(x12())
    header = toks[0]
    assert isinstance(header, IsaHeader)
    assert header.delimiters == STD
    assert header.elements == [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "SENDER         ",
        "ZZ",
        "RECEIVER       ",
        "240315",
        "1200",
        "U",
        "00401",
        "000000001",
        "0",
        "P",
        ":",
    ]
    assert header.raw == isa()[:-1]
    assert len(header.raw) == 105
    assert header.offset == 0
    assert header.findings == []
    assert header.control_number == "000000001"
    assert header.version == "00401"
    assert header.value(6) == "SENDER"
    assert header.value(99) == ""
    assert toks[1:] == BODY


def test_element_component_and_terminator_are_read_by_position() -> None:
    text = x12(element="|", terminator="!", component="^")
    header = header_of(tokens(text))
    assert header.delimiters == X12Delimiters(element="|", component="^", segment="!")
    assert header.elements[16] == "^"
    assert tokens(text)[1:] == BODY


@pytest.mark.parametrize(
    ("version", "isa11", "repetition"),
    [
        ("00401", "U", None),
        ("00401", "^", None),  # before 00402 ISA11 is never the repetition separator
        ("00402", "^", "^"),
        ("00501", "^", "^"),
        ("00501", "{", "{"),
        ("00501", "U", None),  # alphanumeric: not a separator even in 00501
    ],
)
def test_repetition_separator_only_from_00402(version: str, isa11: str, repetition: str | None) -> None:
    header = header_of(tokens(x12(version=version, repetition=isa11)))
    assert header.delimiters.repetition == repetition
    assert header.version == version


def test_u_in_00401_does_not_split_usd() -> None:
    toks = tokens(x12(version="00401", repetition="U"))
    header = header_of(toks)
    assert ["CUR", "BY", "USD"] in toks
    dialect = X12Dialect(header.delimiters, "004010")
    assert dialect.repetitions("USD") == ["USD"]
    assert header.delimiters.specials() == "*:~"


def test_repetition_separator_in_00501_splits_values() -> None:
    g = group(transactions=[transaction(body=[["N1", "ST", "A^B"], ["CUR", "BY", "USD"]])], version="005010")
    toks = tokens(x12([g], version="00501", repetition="^"))
    header = header_of(toks)
    assert ["N1", "ST", "A^B"] in toks  # the tokenizer leaves repetitions to the dialect
    dialect = X12Dialect(header.delimiters, "005010")
    assert dialect.repetitions("A^B") == ["A", "B"]
    assert dialect.repetitions("USD") == ["USD"]
    assert dialect.components("A:B") == ["A", "B"]


# -- line endings, encodings, odd ISAs ------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["\n", "\r\n"])
def test_terminator_followed_by_line_break_records_suffix(suffix: str) -> None:
    toks = tokens(x12(suffix=suffix))
    header = header_of(toks)
    assert header.delimiters == X12Delimiters(element="*", component=":", segment="~", suffix=suffix)
    assert header.raw == isa()[:-1]
    assert toks[1:] == BODY


def test_newline_as_terminator() -> None:
    text = x12(terminator="\n")
    toks = tokens(text)
    header = header_of(toks)
    assert header.delimiters == X12Delimiters(element="*", component=":", segment="\n", suffix="")
    assert header.raw == isa()[:-1]
    assert toks[1:] == BODY


def test_crlf_as_terminator_reads_cr_with_lf_suffix() -> None:
    toks = tokens(x12(terminator="\r", suffix="\n"))
    header = header_of(toks)
    assert header.delimiters == X12Delimiters(element="*", component=":", segment="\r", suffix="\n")
    assert toks[1:] == BODY


def test_utf8_bom_is_skipped() -> None:
    toks = tokens(b"\xef\xbb\xbf" + x12().encode())
    header = header_of(toks)
    assert header.delimiters == STD
    assert header.offset == 0
    assert header.findings == []
    assert toks[1:] == BODY


@pytest.mark.parametrize(
    ("sender", "receiver", "width"),
    [
        ("SENDER".ljust(13), "RECEIVER".ljust(14), 103),  # IDs padded to 13 and 14 instead of 15
        ("SENDER".ljust(12), "RECEIVER".ljust(15), 103),
        ("SENDER".ljust(16), "RECEIVER".ljust(15), 107),  # one space too many
    ],
)
def test_isa_of_wrong_width_is_read_with_a_warning(sender: str, receiver: str, width: int) -> None:
    fields = isa_elements()
    fields[6] = sender
    fields[8] = receiver
    text = "*".join(fields) + "~" + segments(BODY)
    assert len("*".join(fields)) + 1 == width
    toks = tokens(text)
    header = header_of(toks)
    assert codes(header.findings) == ["interchange.isa_width"]
    assert header.findings[0].severity == "warning"
    assert header.findings[0].message == (f"The ISA is {width} characters long instead of 106; read by its separators.")
    assert header.delimiters == STD
    assert header.value(6) == "SENDER"
    assert header.value(8) == "RECEIVER"
    assert header.control_number == "000000001"
    assert toks[1:] == BODY


def test_isa_padded_with_no_break_spaces_is_read_with_a_warning() -> None:
    text = x12(pad="\u00a0")
    assert "\u00a0" in text
    toks = tokens(text)
    header = header_of(toks)
    assert codes(header.findings) == ["interchange.isa_padding"]
    assert header.findings[0].severity == "warning"
    assert header.delimiters == STD
    assert header.elements[2] == "\u00a0" * 10
    assert header.value(2) == ""
    assert header.value(6) == "SENDER"
    assert header.value(8) == "RECEIVER"
    assert len(header.raw) == 105  # 105 characters, though more bytes
    assert toks[1:] == BODY


def test_tab_indented_segments() -> None:
    text = isa() + "\n" + "".join("\t" + "*".join(seg) + "~\n" for seg in BODY)
    toks = tokens(text)
    assert header_of(toks).delimiters == X12Delimiters(element="*", component=":", segment="~", suffix="\n")
    assert toks[1:] == BODY


def test_hard_wrapped_at_80_columns() -> None:
    flat = x12()
    text = wrap(flat, 80)
    assert "\n" in text[:106]  # a line break inside the ISA (after ISA10 starts)
    assert "~GS*PO*SENDER*RECEIVER*20240315*1200*1*X*004010~ST*850*\n0001~" in text  # and inside ST
    toks = tokens(text)
    header = header_of(toks)
    assert header.raw == isa()[:-1]
    assert header.elements == isa_elements()
    assert header.delimiters == STD
    assert header.findings == []
    assert toks[1:] == BODY


def test_hard_wrapped_at_80_columns_with_crlf() -> None:
    toks = tokens(wrap(x12(), 80, "\r\n"))
    assert header_of(toks).raw == isa()[:-1]
    assert header_of(toks).delimiters == STD
    assert toks[1:] == BODY


def test_multi_byte_terminator() -> None:
    data = x12(terminator="\u2026").encode("utf-8")
    assert b"\xe2\x80\xa6GS*" in data
    toks = tokens(data)
    header = header_of(toks)
    assert header.delimiters == X12Delimiters(element="*", component=":", segment="\u2026")
    assert toks[1:] == BODY


def test_binary_control_character_delimiters() -> None:
    data = x12(element="\x1d", terminator="\x1c").encode()
    assert data[3:4] == b"\x1d"
    toks = tokens(data)
    header = header_of(toks)
    assert header.delimiters == X12Delimiters(element="\x1d", component=":", segment="\x1c")
    assert header.elements == isa_elements()
    assert toks[1:] == BODY


# -- several interchanges, groups and transactions --------------------------------------------------


def test_several_interchanges_with_different_delimiters() -> None:
    text = (
        x12(suffix="\n")
        + x12(element="|", component="^", terminator="\u2026", control="000000002")
        + "\r\n"
        + x12(element="\x1d", component="\x1f", terminator="\x1c", suffix="\r\n", control="000000003")
    )
    toks = tokens(text)
    headers = [t for t in toks if isinstance(t, IsaHeader)]
    assert [h.delimiters for h in headers] == [
        X12Delimiters(element="*", component=":", segment="~", suffix="\n"),
        X12Delimiters(element="|", component="^", segment="\u2026"),
        X12Delimiters(element="\x1d", component="\x1f", segment="\x1c", suffix="\r\n"),
    ]
    assert [h.control_number for h in headers] == ["000000001", "000000002", "000000003"]
    # offsets count characters: the eight U+2026 terminators count one each, not three bytes
    assert [h.offset for h in headers] == [0, 241, 241 + 233 + 2]
    assert len(text.encode()) == len(text) + 8 * 2
    ieas = [t for t in toks if isinstance(t, list) and t[0] == "IEA"]
    assert ieas == [["IEA", "1", "000000001"], ["IEA", "1", "000000002"], ["IEA", "1", "000000003"]]
    assert MISSING_IEA not in toks
    assert len(toks) == 3 * 8


def test_several_groups_and_transactions() -> None:
    g1 = group("1", [transaction("0001"), transaction("0002", [["REF", "ZZ", "X"]])])
    g2 = group("2", [transaction("0003")], functional_id="IN")
    toks = tokens(x12([g1, g2]))
    assert toks[1:] == [
        ["GS", "PO", "SENDER", "RECEIVER", "20240315", "1200", "1", "X", "004010"],
        ["ST", "850", "0001"],
        ["SE", "2", "0001"],
        ["ST", "850", "0002"],
        ["REF", "ZZ", "X"],
        ["SE", "3", "0002"],
        ["GE", "2", "1"],
        ["GS", "IN", "SENDER", "RECEIVER", "20240315", "1200", "2", "X", "004010"],
        ["ST", "850", "0003"],
        ["SE", "2", "0003"],
        ["GE", "1", "2"],
        ["IEA", "2", "000000001"],
    ]


# -- chunk size --------------------------------------------------------------------------------------

MIXED = (
    x12(suffix="\n")
    + x12(element="|", component="^", terminator="\u2026", control="000000002")
    + wrap(x12(control="000000003"), 80)
    + "\n"
    + x12(element="\x1d", terminator="\x1c", suffix="\r\n", control="000000004", trailer=False)
    + x12(pad="\u00a0", control="000000005")
).encode()


@pytest.mark.parametrize(
    "chunk_size",
    [
        1,
        2,
        7,
        64,
        1 << 20,
    ],
)
def test_chunk_size_does_not_change_tokens(chunk_size: int) -> None:
    expected = comparable(tokens(MIXED))
    assert len(expected) == 5 * 8
    assert comparable(tokens(MIXED, chunk_size)) == expected


@given(chunk_size=st.integers(min_value=8, max_value=700))
@settings(max_examples=60, deadline=None)
def test_chunk_size_does_not_change_tokens_any_size(chunk_size: int) -> None:
    assert comparable(tokens(MIXED, chunk_size)) == comparable(tokens(MIXED))


@pytest.mark.parametrize(("lead", "chunk_size"), [(b"", 2), (b"\xef\xbb\xbf", 4), (b"\r\n", 3)])
def test_no_empty_junk_before_first_isa_with_small_chunks(lead: bytes, chunk_size: int) -> None:
    toks = tokens(lead + x12().encode(), chunk_size)
    assert not any(isinstance(t, Junk) for t in toks)
    assert toks[1:] == BODY


# -- trailers and junk -------------------------------------------------------------------------------


def test_missing_iea_at_end_of_input() -> None:
    toks = tokens(x12(trailer=False))
    assert toks[1:] == [*BODY[:-1], MISSING_IEA]


def test_missing_iea_at_end_of_input_with_unterminated_segment() -> None:
    toks = tokens(x12(trailer=False) + "GE*1*1")
    assert toks[-2:] == [["GE", "1", "1"], MISSING_IEA]


def test_new_isa_without_previous_iea() -> None:
    text = x12(trailer=False) + "\n" + x12(element="|", control="000000002")
    toks = tokens(text)
    assert toks[1:7] == BODY[:-1]
    assert toks[7] is MISSING_IEA
    second = toks[8]
    assert isinstance(second, IsaHeader)
    assert second.control_number == "000000002"
    assert second.delimiters.element == "|"
    assert second.offset == len(x12(trailer=False)) + 1
    assert toks[9:] == [*BODY[:-1], ["IEA", "1", "000000002"]]
    assert toks.count(MISSING_IEA) == 1


def test_iea_without_terminator_at_end_of_input() -> None:
    text = x12()
    assert text.endswith("~")
    toks = tokens(text[:-1])
    assert toks[1:] == BODY
    assert MISSING_IEA not in toks


def test_junk_before_between_and_after_interchanges() -> None:
    first = x12()
    text = "hello world\n" + first + "garbage after\n" + x12(control="000000002") + "\nTHE END"
    toks = tokens(text)
    kinds = [type(t).__name__ if not isinstance(t, list) else t[0] for t in toks]
    assert kinds == [
        "Junk",
        "IsaHeader",
        *[s[0] for s in BODY],
        "Junk",
        "IsaHeader",
        *[s[0] for s in BODY],
        "Junk",
    ]
    junk = [t for t in toks if isinstance(t, Junk)]
    assert [(j.length, j.offset) for j in junk] == [
        (12, 0),
        (14, 12 + len(first)),
        (7, 12 + len(first) + 14 + len(x12()) + 1),
    ]
    assert junk[0].preview == text[:80]
    assert junk[1].preview.startswith("garbage after\nISA*")
    assert junk[2].preview == "THE END"
    for j in junk:
        assert codes(j.findings) == ["interchange.not_edi"]
        assert j.findings[0].message == "Data outside an interchange: expected an ISA segment."
        assert j.findings[0].severity == "error"


def test_only_junk() -> None:
    toks = tokens(b"\x00\x01not edi at all\xff\xfe")
    assert len(toks) == 1
    junk = toks[0]
    assert isinstance(junk, Junk)
    assert junk.offset == 1  # the NUL is skipped as padding
    assert junk.length == 17
    assert codes(junk.findings) == ["interchange.not_edi"]


def test_unreadable_isa_is_junk() -> None:
    toks = tokens("ISA*00*only*a*few*fields~")
    assert len(toks) == 1
    assert isinstance(toks[0], Junk)
    assert codes(toks[0].findings) == ["interchange.unreadable"]
    assert toks[0].length == 25


def test_empty_input_and_white_space_give_no_tokens() -> None:
    assert tokens(b"") == []
    assert tokens(b"\r\n \t\r\n") == []


# -- known defects -----------------------------------------------------------------------------------


def _second_isa_straddling_column_80() -> str:
    """Two interchanges, wrapped at 80 columns, the second "ISA" starting at column 80 of a line."""
    n = (79 - len(x12()) - len("REF*ZZ*~")) % 80
    body = [*DEFAULT_BODY, ("REF", "ZZ", "X" * n)]
    first = x12([group(transactions=[transaction(body=body)])])
    assert len(first) % 80 == 79
    return wrap(first + x12(control="000000002"), 80)


def test_hard_wrap_inside_second_isa_tag() -> None:
    text = _second_isa_straddling_column_80()
    assert "~I\nSA*" in text
    toks = tokens(text)
    assert not any(isinstance(t, Junk) for t in toks)
    assert [h.control_number for h in toks if isinstance(h, IsaHeader)] == ["000000001", "000000002"]


def test_line_break_after_iea_tag_is_still_the_trailer() -> None:
    toks = tokens(x12().replace("~IEA*", "~IEA\n*"))
    assert toks[1:] == BODY


def test_segment_after_unrecognised_iea_does_not_crash_check() -> None:
    data = (x12().replace("~IEA*", "~IEA\n*") + "GS*PO*S*R*20240315*1200*2*X*004010~").encode()
    results = list(check(data, numbers=Counter(), now=NOW))
    assert results


# -- the envelope reader -----------------------------------------------------------------------------


def events(text: str) -> list[tuple[object, ...]]:
    """The events of read_x12 as (kind, control number, finding codes) tuples."""
    out: list[tuple[object, ...]] = []
    for e in read_x12(text.encode()):
        if isinstance(e, InterchangeStart):
            out.append(("ISA", e.interchange.control_number))
        elif isinstance(e, GroupStart):
            out.append(("GS", e.group.control_number))
        elif isinstance(e, TransactionRead):
            out.append(("ST", e.transaction.control_number, codes(e.transaction.findings)))
        elif isinstance(e, GroupEnd):
            out.append(("GE", e.group.control_number, codes(e.group.findings)))
        elif isinstance(e, InterchangeEnd):
            out.append(("IEA", e.interchange.control_number, codes(e.interchange.findings)))
        elif isinstance(e, JunkRead):
            out.append(("JUNK", codes(e.junk.findings)))
    return out


def findings_of(text: str, kind: type) -> list:
    for e in read_x12(text.encode()):
        if isinstance(e, kind):
            if isinstance(e, TransactionRead):
                return e.transaction.findings
            if isinstance(e, GroupEnd):
                return e.group.findings
            if isinstance(e, InterchangeEnd):
                return e.interchange.findings
    raise AssertionError(f"no {kind.__name__}")


def test_clean_interchange_has_no_findings() -> None:
    assert events(x12()) == [
        ("ISA", "000000001"),
        ("GS", "1"),
        ("ST", "0001", []),
        ("GE", "1", []),
        ("IEA", "000000001", []),
    ]


def test_se_count_mismatch() -> None:
    t = transaction(body=DEFAULT_BODY)
    t[-1] = ["SE", "5", "0001"]
    found = findings_of(x12([group(transactions=[t])]), TransactionRead)
    assert codes(found) == ["transaction.count_mismatch"]
    assert found[0].message == "SE01 says 5 segments, but the transaction has 4 (ST to SE)."
    assert (found[0].segment_index, found[0].segment_tag) == (4, "SE")


def test_se02_does_not_match_st02() -> None:
    t = transaction(body=DEFAULT_BODY)
    t[-1] = ["SE", "4", "0002"]
    found = findings_of(x12([group(transactions=[t])]), TransactionRead)
    assert codes(found) == ["transaction.control_mismatch"]
    assert found[0].message == "SE02 '0002' does not match ST02 '0001'."


def test_ge_count_and_control_mismatch() -> None:
    g = group(transactions=[transaction("0001"), transaction("0002")])
    g[-1] = ["GE", "3", "7"]
    found = findings_of(x12([g]), GroupEnd)
    assert codes(found) == ["group.count_mismatch", "group.control_mismatch"]
    assert found[0].message == "GE01 says 3 transaction sets, but the group has 2."
    assert found[1].message == "GE02 '7' does not match GS06 '1'."


def test_iea_count_and_control_mismatch() -> None:
    text = x12([group("1"), group("2")]).replace("IEA*2*000000001", "IEA*1*000000009")
    found = findings_of(text, InterchangeEnd)
    assert codes(found) == ["interchange.group_count", "interchange.control_mismatch"]
    assert found[0].message == "IEA01 says 1 groups, but the interchange has 2."
    assert found[1].message == "IEA02 '000000009' does not match ISA13 '000000001'."


def test_duplicate_gs06_in_one_interchange() -> None:
    assert events(x12([group("5"), group("5")])) == [
        ("ISA", "000000001"),
        ("GS", "5"),
        ("ST", "0001", []),
        ("GE", "5", []),
        ("GS", "5"),
        ("ST", "0001", []),
        ("GE", "5", ["group.control_not_unique"]),
        ("IEA", "000000001", []),
    ]


def test_duplicate_st02_in_one_group() -> None:
    g = group(transactions=[transaction("0001"), transaction("0002"), transaction("0001")])
    assert events(x12([g]))[2:5] == [
        ("ST", "0001", []),
        ("ST", "0002", []),
        ("ST", "0001", ["transaction.control_not_unique"]),
    ]


def test_same_st02_in_different_groups_is_fine() -> None:
    evs = events(x12([group("1"), group("2")]))
    assert [e for e in evs if e[0] == "ST"] == [("ST", "0001", []), ("ST", "0001", [])]


def test_missing_se() -> None:
    t = transaction(body=DEFAULT_BODY)[:-1]
    found = findings_of(x12([group(transactions=[t])]), TransactionRead)
    assert codes(found) == ["transaction.trailer_missing"]
    assert found[0].message == "Transaction 850 0001 has no SE trailer."


def test_missing_se_before_next_st() -> None:
    g = group(transactions=[transaction("0001")[:-1], transaction("0002")])
    assert events(x12([g]))[2:5] == [
        ("ST", "0001", ["transaction.trailer_missing"]),
        ("ST", "0002", []),
        ("GE", "1", []),  # both transactions count: GE01 2 matches
    ]


def test_missing_ge() -> None:
    g = group()[:-1]
    evs = events(x12([g]))
    assert evs[3] == ("GE", "1", ["group.trailer_missing"])
    assert findings_of(x12([g]), GroupEnd)[0].message == "Group 1 has no GE trailer."


def test_missing_iea_finding() -> None:
    evs = events(x12(trailer=False))
    assert evs[-1] == ("IEA", "000000001", ["interchange.trailer_missing"])


def test_missing_ge_and_iea_at_end_of_input() -> None:
    text = x12([group()[:-1]], trailer=False)
    assert events(text)[-2:] == [
        ("GE", "1", ["group.trailer_missing"]),
        ("IEA", "000000001", ["interchange.trailer_missing"]),
    ]


@pytest.mark.parametrize("date", ["241315", "240100", "2403", "24031A", "20240315"])
def test_bad_isa_date(date: str) -> None:
    found = findings_of(x12(date=date), InterchangeEnd)
    assert "interchange.date" in codes(found)
    assert f"ISA09 '{date}' is not a date (YYMMDD)." in [f.message for f in found]


@pytest.mark.parametrize("date", ["240230", "240431"])
def test_impossible_isa_date(date: str) -> None:
    assert "interchange.date" in codes(findings_of(x12(date=date), InterchangeEnd))


def test_isa13_with_eleven_digits() -> None:
    text = x12(control="00000000001")
    found = findings_of(text, InterchangeEnd)
    assert codes(found) == ["interchange.isa_width", "interchange.control_number"]
    assert found[0].message == "The ISA is 108 characters long instead of 106; read by its separators."
    assert found[1].message == "ISA13 '00000000001' must be exactly nine digits."


def test_isa_value_checks() -> None:
    fields = {"time": "2460", "ack_requested": "2", "usage": "X"}
    found = findings_of(x12(**fields), InterchangeEnd)
    assert codes(found) == ["interchange.time", "interchange.ack_requested", "interchange.usage"]


def test_junk_becomes_junk_read() -> None:
    assert events("garbage\n" + x12())[0] == ("JUNK", ["interchange.not_edi"])
