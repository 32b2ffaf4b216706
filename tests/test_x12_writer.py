"""The X12 writer (gateway.edi.x12.writer)."""

from __future__ import annotations

import pytest

from gateway.edi.delimiters import X12Delimiters
from gateway.edi.errors import CharacterSetError, EdiError, WriteError
from gateway.edi.x12.tokenizer import IsaHeader, X12Tokenizer
from gateway.edi.x12.writer import clean_value, format_segment, isa_field, serialize, serialize_bytes
from tests.support.builders import isa_elements, x12

D = X12Delimiters()
D5010 = X12Delimiters(repetition="^")
TAIL = (
    " cannot be written in X12 with these delimiters (no release character; outside the "
    "basic/extended set). Remove it, or set a substitution character for this partner."
)


def test_plain_segment() -> None:
    assert format_segment(["N1", "ST", "ACME INC", "92", "1234"], D) == "N1*ST*ACME INC*92*1234"


def test_error_hierarchy() -> None:
    assert issubclass(CharacterSetError, WriteError)
    assert issubclass(WriteError, EdiError)


@pytest.mark.parametrize(
    ("seg", "d", "message"),
    [
        (["N1", "ST", "A*B"], D, "N102: '*'"),
        (["N1", "ST", "A:B"], D, "N102: ':'"),
        (["N1", "ST", "A~B"], D, "N102: '~'"),
        (["N1", "ST", "ACME", "92", "A^B"], D5010, "N104: '^'"),
        (["N1", "ST", "Café"], D, "N102: 'é'"),
        (["N1", "ST", "tab\there"], D, "N102: '\\t'"),
        (["N1", "ST", "line\nbreak"], D, "N102: '\\n'"),
        (["N1", "ST", "no\u00a0break"], D, "N102: '\\xa0'"),
        (["REF", "ZZ", "ok", "x|y"], X12Delimiters(element="|"), "REF03: '|'"),
    ],
)
def test_refuses_delimiters_and_non_ascii(seg: list[str], d: X12Delimiters, message: str) -> None:
    with pytest.raises(CharacterSetError) as info:
        format_segment(seg, d)
    assert str(info.value) == message + TAIL


def test_refuses_bad_character_in_a_component() -> None:
    with pytest.raises(CharacterSetError) as info:
        format_segment(["SV1", ("HC", "99213", "Ü"), "40"], D)
    assert str(info.value) == "SV101-03: 'Ü'" + TAIL


def test_caret_is_data_when_there_is_no_repetition_separator() -> None:
    assert format_segment(["N1", "ST", "A^B"], D) == "N1*ST*A^B"


def test_substitution_folds_accents() -> None:
    assert format_segment(["N1", "ST", "Café Crème"], D, substitute=" ") == "N1*ST*Cafe Creme"
    assert format_segment(["N1", "ST", "Ångström"], D, substitute=" ") == "N1*ST*Angstrom"


def test_substitution_replaces_what_cannot_be_folded() -> None:
    assert format_segment(["N1", "ST", "Ærø*A~B:C"], D, substitute=" ") == "N1*ST* r  A B C"
    assert format_segment(["N1", "ST", "日本"], D, substitute="?") == "N1*ST*??"
    assert format_segment(["N1", "ST", "A^B"], D5010, substitute=" ") == "N1*ST*A B"


def test_substitution_in_components() -> None:
    assert format_segment(["SV1", ("HC", "naïve"), "40"], D, substitute=" ") == "SV1*HC:naive*40"


def test_substitute_that_is_a_delimiter_is_refused() -> None:
    with pytest.raises(WriteError):
        format_segment(["N1", "ST", "a~b"], D, substitute="*")


def test_clean_value_direct() -> None:
    assert clean_value("ABC", "*:~", None, "X01") == "ABC"
    assert clean_value("A*C", "*:~", "-", "X01") == "A-C"
    with pytest.raises(CharacterSetError, match=r"^X01: '\*'"):
        clean_value("A*C", "*:~", None, "X01")


def test_trim_drops_trailing_empty_elements() -> None:
    assert format_segment(["REF", "ZZ", "A", "", ""], D) == "REF*ZZ*A"
    assert format_segment(["REF", "ZZ", "", "B", ""], D) == "REF*ZZ**B"
    assert format_segment(["REF", "", ""], D) == "REF"


def test_trim_false_keeps_trailing_empty_elements() -> None:
    assert format_segment(["REF", "ZZ", "A", "", ""], D, trim=False) == "REF*ZZ*A**"
    assert format_segment(["REF", "", ""], D, trim=False) == "REF**"


def test_composites_as_tuples() -> None:
    assert format_segment(["SV1", ("HC", "99213", "25"), "40"], D) == "SV1*HC:99213:25*40"
    assert format_segment(["SV1", ("HC", "99213", "", ""), "40"], D) == "SV1*HC:99213*40"
    assert format_segment(["SV1", ("", "99213"), "40"], D) == "SV1*:99213*40"
    assert format_segment(["SV1", ("HC", "", "25")], D) == "SV1*HC::25"
    assert format_segment(["SV1", ("HC",), ("", "")], D) == "SV1*HC"
    assert format_segment(["SV1", ("HC", "99213")], X12Delimiters(component=">")) == "SV1*HC>99213"


def test_isa_is_written_whole() -> None:
    fields = isa_elements()
    text = format_segment(fields, D)
    assert text == x12()[:105]
    assert len(text) == 105
    # ISA16 is the component separator itself, and trailing padding is never trimmed
    assert text.endswith("*P*:")
    spaced = format_segment(["ISA", *fields[1:15], "", ":"], D)
    assert spaced.endswith("**:")


def test_serialize_adds_terminator_and_suffix() -> None:
    segs = [["ST", "850", "0001"], ["SE", "2", "0001"]]
    assert serialize(segs, D) == "ST*850*0001~SE*2*0001~"
    assert serialize(segs, X12Delimiters(suffix="\r\n")) == "ST*850*0001~\r\nSE*2*0001~\r\n"
    assert serialize(segs, X12Delimiters(segment="\n")) == "ST*850*0001\nSE*2*0001\n"


def test_serialize_bytes_encodes_multi_byte_terminator() -> None:
    d = X12Delimiters(segment="\u2026")
    assert serialize_bytes([["N1", "ST", "x"]], d) == b"N1*ST*x\xe2\x80\xa6"
    assert serialize_bytes([["N1", "ST", "x"]], X12Delimiters(element="\x1d", segment="\x1c")) == (b"N1\x1dST\x1dx\x1c")


def test_serialize_passes_substitute_and_trim() -> None:
    assert serialize([["N1", "ST", "Zoë", ""]], D, substitute=" ") == "N1*ST*Zoe~"
    assert serialize([["N1", "ST", "Zoe", ""]], D, trim=False) == "N1*ST*Zoe*~"


def test_isa_field_pads_and_cuts() -> None:
    assert isa_field("AB", 5) == "AB   "
    assert isa_field("ABCDEFG", 5) == "ABCDE"
    assert isa_field("", 2) == "  "


def test_written_interchange_reads_back() -> None:
    d = X12Delimiters(element="|", component="\\", segment="\x1c", repetition="^", suffix="\n")
    segs = [
        isa_elements(version="00501", repetition="^", component="\\"),
        ["GS", "PO", "S", "R", "20240315", "1200", "1", "X", "005010"],
        ["ST", "850", "0001"],
        ["SV1", ("HC", "99213"), "40", ""],
        ["SE", "3", "0001"],
        ["GE", "1", "1"],
        ["IEA", "1", "000000001"],
    ]
    text = serialize(segs, d)
    toks = list(X12Tokenizer(text.encode()))
    header = toks[0]
    assert isinstance(header, IsaHeader)
    assert header.delimiters == d
    assert toks[1:] == [
        ["GS", "PO", "S", "R", "20240315", "1200", "1", "X", "005010"],
        ["ST", "850", "0001"],
        ["SV1", "HC\\99213", "40"],
        ["SE", "3", "0001"],
        ["GE", "1", "1"],
        ["IEA", "1", "000000001"],
    ]
