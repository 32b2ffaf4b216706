"""The EDIFACT tokenizer (gateway.edi.edifact.tokenizer) and its escaping helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.edi.check import Counter, check
from gateway.edi.delimiters import EDIFACT_DEFAULT, EdifactDelimiters
from gateway.edi.edifact.tokenizer import (
    MISSING_UNZ,
    EdifactTokenizer,
    Junk,
    ServiceAdvice,
    Token,
    escape,
    split_escaped,
    unescape,
)
from gateway.edi.source import CHUNK_SIZE
from tests.support.builders import edifact

#: The segment tokens of the default interchange built by ``edifact()``.
SEGMENTS = [
    ["UNB", "UNOC:3", "SENDER:ZZ", "RECEIVER:ZZ", "240315:1200", "1"],
    ["UNH", "1", "ORDERS:D:96A:UN"],
    ["BGM", "220", "PO1", "9"],
    ["DTM", "137:20240315:102"],
    ["UNT", "4", "1"],
    ["UNZ", "1", "1"],
]


def tokens(data: bytes | str, chunk_size: int = CHUNK_SIZE) -> list[Token]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(EdifactTokenizer(data, chunk_size=chunk_size))


def comparable(toks: list[Token]) -> list[object]:
    out: list[object] = []
    for t in toks:
        if isinstance(t, ServiceAdvice):
            out.append(("UNA", t.delimiters, t.una, t.offset, [f.code for f in t.findings]))
        elif isinstance(t, Junk):
            out.append(("JUNK", t.preview, t.length, t.offset, [f.code for f in t.findings]))
        else:
            out.append(t)
    return out


def message(*segs: tuple[str | tuple[str, ...], ...]) -> list[tuple[str | tuple[str, ...], ...]]:
    """UNH, ``segs`` and a UNT that counts them."""
    return [("UNH", "1", ("ORDERS", "D", "96A", "UN")), *segs, ("UNT", str(len(segs) + 2), "1")]


# -- UNA -------------------------------------------------------------------------------------------


def test_default_una() -> None:
    toks = tokens(edifact())
    advice = toks[0]
    assert isinstance(advice, ServiceAdvice)
    assert advice.una == "UNA:+.? '"
    assert advice.delimiters == EDIFACT_DEFAULT
    assert advice.offset == 0
    assert advice.findings == []
    assert toks[1:] == SEGMENTS


def test_una_is_optional() -> None:
    toks = tokens(edifact(una=None))
    advice = toks[0]
    assert isinstance(advice, ServiceAdvice)
    assert advice.una is None
    assert advice.delimiters == EdifactDelimiters(
        component=":", element="+", decimal=".", release="?", repetition=" ", segment="'"
    )
    assert toks[1:] == SEGMENTS


def test_custom_una() -> None:
    text = edifact(una="UNA=*.? ~")
    assert text.startswith("UNA=*.? ~UNB*UNOC=3*SENDER=ZZ*")
    toks = tokens(text)
    advice = toks[0]
    assert isinstance(advice, ServiceAdvice)
    assert advice.delimiters == EdifactDelimiters(
        component="=", element="*", decimal=".", release="?", repetition=" ", segment="~"
    )
    assert advice.delimiters.una() == "UNA=*.? ~"
    assert toks[1:] == [[s.replace(":", "=") for s in seg] for seg in SEGMENTS]


def test_una_with_repetition_separator_and_other_release() -> None:
    advice = tokens(edifact(una="UNA:+,!*'"))[0]
    assert isinstance(advice, ServiceAdvice)
    assert advice.delimiters == EdifactDelimiters(
        component=":", element="+", decimal=",", release="!", repetition="*", segment="'"
    )
    assert advice.delimiters.specials() == ":+!'*"


def test_malformed_una_is_junk() -> None:
    toks = tokens("UNA:+.? +UNB+X'")
    assert isinstance(toks[0], Junk)
    assert toks[0].preview == "UNA:+.? +"
    assert toks[0].length == 9
    assert [f.code for f in toks[0].findings] == ["interchange.element_separator"]
    assert isinstance(toks[1], ServiceAdvice)
    assert toks[1].una is None
    assert toks[1].offset == 9
    assert toks[2:] == [["UNB", "X"], MISSING_UNZ]


# -- the release character -------------------------------------------------------------------------


def test_release_character_protects_every_service_character() -> None:
    text = edifact([message(("FTX", "AAA", "", "", "a?'b?+c?:d??"), ("FTX", "AAA", "", "", "end??"))])
    assert "FTX+AAA+++a?'b?+c?:d??'FTX+AAA+++end??'UNT" in text
    toks = tokens(text)
    assert toks[3:5] == [["FTX", "AAA", "", "", "a?'b?+c?:d??"], ["FTX", "AAA", "", "", "end??"]]
    value = toks[3][4]
    assert isinstance(value, str)
    assert split_escaped(value, ":", "?") == ["a?'b?+c?:d??"]
    assert unescape(value, "?") == "a'b+c:d?"
    assert unescape("end??", "?") == "end?"


def test_released_terminator_before_unz_is_data() -> None:
    text = edifact([message(("FTX", "AAA", "", "", "x?'UNZ?+1?+1?'"))])
    toks = tokens(text)
    assert toks[3] == ["FTX", "AAA", "", "", "x?'UNZ?+1?+1?'"]
    assert toks[-1] == ["UNZ", "1", "1"]
    assert MISSING_UNZ not in toks


def test_release_character_with_custom_una() -> None:
    text = edifact([message(("FTX", "AAA", "", "", "a!~b!*c!=d!!"))], una="UNA=*.! ~")
    toks = tokens(text)
    assert toks[3] == ["FTX", "AAA", "", "", "a!~b!*c!=d!!"]
    assert unescape("a!~b!*c!=d!!", "!") == "a~b*c=d!"
    assert toks[-1] == ["UNZ", "1", "1"]


@pytest.mark.parametrize(
    ("text", "sep", "expected"),
    [
        ("a+b+c", "+", ["a", "b", "c"]),
        ("a?+b+c", "+", ["a?+b", "c"]),
        ("a??+b", "+", ["a??", "b"]),
        ("a???+b", "+", ["a???+b"]),
        ("a????+b", "+", ["a????", "b"]),
        ("+a+", "+", ["", "a", ""]),
        ("a?+", "+", ["a?+"]),
        ("?:x:y", ":", ["?:x", "y"]),
        ("no separator", "+", ["no separator"]),
    ],
)
def test_split_escaped(text: str, sep: str, expected: list[str]) -> None:
    assert split_escaped(text, sep, "?") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("a?+b", "a+b"),
        ("a?:b?'c", "a:b'c"),
        ("a??b", "a?b"),
        ("????", "??"),
        ("?a", "a"),
    ],
)
def test_unescape(value: str, expected: str) -> None:
    assert unescape(value, "?") == expected


def test_escape_with_default_service_characters() -> None:
    assert escape("plain text 1.5", EDIFACT_DEFAULT) == "plain text 1.5"  # space, decimal: not escaped
    assert escape("a+b:c?d'e", EDIFACT_DEFAULT) == "a?+b?:c??d?'e"


def test_escape_with_repetition_separator() -> None:
    d = EdifactDelimiters(repetition="*")
    assert escape("a*b", d) == "a?*b"
    assert escape("a*b", EDIFACT_DEFAULT) == "a*b"


@pytest.mark.parametrize("value", ["", "x", "a+b:c?d'e", "???", "'''", "?", "end?"])
def test_escape_then_unescape_is_identity(value: str) -> None:
    escaped = escape(value, EDIFACT_DEFAULT)
    assert unescape(escaped, "?") == value
    assert split_escaped(escaped, "+", "?") == [escaped]
    assert split_escaped(escaped, ":", "?") == [escaped]
    assert split_escaped(escaped, "'", "?") == [escaped]


# -- layout ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["\n", "\r\n"])
def test_line_break_after_each_segment(suffix: str) -> None:
    toks = tokens(edifact(suffix=suffix))
    assert toks[1:] == SEGMENTS


@pytest.mark.parametrize(("width", "newline"), [(80, "\n"), (80, "\r\n"), (20, "\n"), (33, "\r\n")])
def test_hard_wrapped_file(width: int, newline: str) -> None:
    flat = edifact()
    text = newline.join(flat[i : i + width] for i in range(0, len(flat), width))
    assert text != flat
    toks = tokens(text)
    assert toks[0] == tokens(flat)[0]
    assert toks[1:] == SEGMENTS


def test_indented_segments() -> None:
    text = "UNA:+.? '\n" + "".join("  " + "+".join(seg) + "'\n" for seg in SEGMENTS)
    assert tokens(text)[1:] == SEGMENTS


def test_doubled_terminator_gives_an_empty_segment() -> None:
    text = edifact().replace("'UNT+4+1'", "'UNT+4+1''")
    toks = tokens(text)
    assert toks[1:] == [*SEGMENTS[:5], [""], SEGMENTS[5]]


def test_bom_and_leading_white_space() -> None:
    toks = tokens(b"\xef\xbb\xbf\r\n" + edifact().encode())
    assert isinstance(toks[0], ServiceAdvice)
    assert toks[0].offset == 0  # offsets count the text without line breaks (and without the BOM)
    assert toks[1:] == SEGMENTS


# -- interchanges ------------------------------------------------------------------------------------


def test_missing_unz() -> None:
    toks = tokens(edifact(trailer=False))
    assert toks[1:] == [*SEGMENTS[:-1], MISSING_UNZ]


def test_missing_unz_with_unterminated_last_segment() -> None:
    toks = tokens(edifact(trailer=False)[:-1])
    assert toks[1:] == [*SEGMENTS[:-1], MISSING_UNZ]


def test_unz_without_terminator_at_end() -> None:
    toks = tokens(edifact()[:-1])
    assert toks[1:] == SEGMENTS


def test_several_interchanges_with_different_unas() -> None:
    first = edifact(una="UNA=*,!_~", suffix="\n")
    second = edifact(control="2")
    third = edifact(una=None, control="3")
    toks = tokens(first + second + third)
    advices = [t for t in toks if isinstance(t, ServiceAdvice)]
    # offsets count the text without line breaks
    flat = [len(x.replace("\n", "")) for x in (first, second)]
    assert [(a.una, a.offset) for a in advices] == [
        ("UNA=*,!_~", 0),
        ("UNA:+.? '", flat[0]),
        (None, flat[0] + flat[1]),
    ]
    assert advices[0].delimiters == EdifactDelimiters(
        component="=", element="*", decimal=",", release="!", repetition="_", segment="~"
    )
    assert advices[1].delimiters == EDIFACT_DEFAULT
    assert advices[2].delimiters == EDIFACT_DEFAULT
    unzs = [t for t in toks if isinstance(t, list) and t[0] == "UNZ"]
    assert unzs == [["UNZ", "1", "1"], ["UNZ", "1", "2"], ["UNZ", "1", "3"]]
    assert toks[1] == ["UNB", "UNOC=3", "SENDER=ZZ", "RECEIVER=ZZ", "240315=1200", "1"]
    assert len(toks) == 3 * 7


def test_junk_between_interchanges() -> None:
    first = edifact()
    toks = tokens("hello\n" + first + "garbage\n" + edifact(control="2"))
    junk = [t for t in toks if isinstance(t, Junk)]
    # offsets and lengths count the text without line breaks
    assert [(j.offset, j.length) for j in junk] == [(0, 5), (5 + len(first.replace("\n", "")), 7)]
    assert all([f.code for f in j.findings] == ["interchange.not_edi"] for j in junk)
    assert [t for t in toks if isinstance(t, list) and t[0] == "UNZ"] == [["UNZ", "1", "1"], ["UNZ", "1", "2"]]


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 1 << 20])
def test_chunk_size_does_not_change_tokens(chunk_size: int) -> None:
    text = (
        edifact(una="UNA=*,!_~", suffix="\r\n")
        + "junk\n"
        + edifact([message(("FTX", "AAA", "", "", "a?'b?+c?:d??"))], control="2")
        + edifact(una=None, control="3", trailer=False)
    )
    expected = comparable(tokens(text))
    assert comparable(tokens(text, chunk_size)) == expected
    assert expected[-1] is MISSING_UNZ


# -- known defects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("broken", ["U\nNZ+", "UN\nZ+", "UNZ\n+"])
def test_line_break_inside_unz(broken: str) -> None:
    text = edifact().replace("UNZ+", broken) + "\n" + edifact(una=None, control="2")
    toks = tokens(text)
    advices = [t for t in toks if isinstance(t, ServiceAdvice)]
    assert len(advices) == 2
    assert MISSING_UNZ not in toks


def test_check_keeps_interchange_after_wrapped_unz() -> None:
    text = edifact().replace("UNZ+", "U\nNZ+") + "\n" + edifact(una=None, control="2")
    results = list(check(text.encode(), numbers=Counter(), now=datetime(2024, 3, 15, 12, 0, tzinfo=UTC)))
    assert [r.result.control_number for r in results] == ["1", "2"]


def test_new_una_without_previous_unz() -> None:
    text = edifact(trailer=False) + edifact(una="UNA=*.? ~", control="2")
    toks = tokens(text)
    assert toks[:6] == tokens(edifact(trailer=False))[:6]
    assert toks[6] is MISSING_UNZ
    second = toks[7]
    assert isinstance(second, ServiceAdvice)
    assert second.una == "UNA=*.? ~"
    assert toks[8] == ["UNB", "UNOC=3", "SENDER=ZZ", "RECEIVER=ZZ", "240315=1200", "2"]
