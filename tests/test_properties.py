"""Property tests: exact round trips through the readers and writers, and no crash on any input.

* X12: random interchanges with random legal delimiters, serialized here byte by byte, read by
  X12Tokenizer at a random chunk size and written back with the writer: the same bytes.
* EDIFACT: random interchanges with a random UNA and values holding service characters
  (escaped with the release character): tokenize, split, unescape, escape, join: the same bytes.
* check(): random bytes, and valid interchanges with bytes flipped, inserted or deleted, are
  read to the end (acks included) and raise nothing but EdiError.
"""

from __future__ import annotations

import string
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.edi.check import Counter, check
from gateway.edi.delimiters import EdifactDelimiters, X12Delimiters
from gateway.edi.edifact.tokenizer import (
    EdifactTokenizer,
    ServiceAdvice,
    escape,
    split_escaped,
    unescape,
)
from gateway.edi.errors import EdiError
from gateway.edi.source import to_bytes
from gateway.edi.x12.tokenizer import MISSING_IEA, IsaHeader, X12Tokenizer
from gateway.edi.x12.writer import format_segment, serialize
from tests.support.builders import ISA_WIDTHS, edifact, group, isa, transaction, x12

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)

#: Legal delimiters: printable punctuation and a few control characters; never alphanumeric or space.
DELIMITER_CHARS = string.punctuation + "\x1c\x1d\x1e\x1f"
#: What values are drawn from (the writer's set: printable ASCII), minus the delimiters in force.
PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
TAG_CHARS = string.ascii_uppercase + string.digits


# -- X12 ---------------------------------------------------------------------------------------------


@dataclass
class X12Case:
    delimiters: X12Delimiters
    isa: list[str]  # ISA00..ISA16
    segments: list[list[str | tuple[str, ...]]]
    trailer: bool


def _value(draw: st.DrawFn, alphabet: str, max_size: int = 8) -> str:
    return draw(st.text(alphabet=alphabet, max_size=max_size))


@st.composite
def x12_cases(draw: st.DrawFn) -> X12Case:
    element, component, terminator = draw(
        st.lists(st.sampled_from(DELIMITER_CHARS), min_size=3, max_size=3, unique=True)
    )
    suffix = draw(st.sampled_from(["", "\n", "\r\n"]))
    version = draw(st.sampled_from(["00401", "00501"]))
    used = element + component + terminator
    repetition: str | None = None
    isa11 = "U"
    if version == "00501" and draw(st.booleans()):
        repetition = draw(st.sampled_from([c for c in DELIMITER_CHARS if c not in used]))
        isa11 = repetition
    d = X12Delimiters(element, component, terminator, repetition, suffix)
    plain = "".join(c for c in PRINTABLE if c not in d.specials())
    fields = []
    for n, width in enumerate(ISA_WIDTHS, 1):
        if n == 11:
            fields.append(isa11)
        elif n == 12:
            fields.append(version)
        elif n == 16:
            fields.append(component)
        else:
            fields.append(
                draw(st.text(alphabet=string.ascii_uppercase + string.digits + " ", min_size=width, max_size=width))
            )
    segs: list[list[str | tuple[str, ...]]] = []
    for _ in range(draw(st.integers(0, 6))):
        tag = draw(st.text(alphabet=TAG_CHARS, min_size=2, max_size=3).filter(lambda t: t not in ("ISA", "IEA")))
        seg: list[str | tuple[str, ...]] = [tag]
        for _ in range(draw(st.integers(0, 6))):
            if draw(st.integers(0, 4)) == 0:
                comps = [_value(draw, plain, 4) for _ in range(draw(st.integers(1, 3)))]
                comps.append(draw(st.text(alphabet=plain, min_size=1, max_size=4)))  # no trailing ':'
                seg.append(tuple(comps))
            else:
                seg.append(_value(draw, plain))
        segs.append(seg)
    trailer = draw(st.booleans())
    if trailer:
        segs.append(["IEA", "1", fields[12]])
    return X12Case(d, ["ISA", *fields], segs, trailer)


def x12_text(case: X12Case) -> str:
    """Serialize a case by hand (not with the writer under test)."""
    d = case.delimiters
    end = d.segment + d.suffix
    out = d.element.join(case.isa) + end
    for seg in case.segments:
        parts = [p if isinstance(p, str) else d.component.join(p) for p in seg]
        out += d.element.join(parts) + end
    return out


def write_back_x12(data: bytes, chunk_size: int) -> tuple[bytes, list[IsaHeader]]:
    out = ""
    headers: list[IsaHeader] = []
    d: X12Delimiters | None = None
    for tok in X12Tokenizer(data, chunk_size=chunk_size):
        if isinstance(tok, IsaHeader):
            headers.append(tok)
            d = tok.delimiters
            out += tok.raw + d.segment + d.suffix
        elif isinstance(tok, list):
            assert d is not None
            seg = [tok[0], *(tuple(v.split(d.component)) if d.component in v else v for v in tok[1:])]
            out += serialize([seg], d, trim=False)
        else:
            assert tok is MISSING_IEA, tok
    return to_bytes(out), headers


@given(cases=st.lists(x12_cases(), min_size=1, max_size=3), chunk_size=st.sampled_from([1, 2, 3, 7, 64, 1 << 20]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_x12_write_of_read_is_identity(cases: list[X12Case], chunk_size: int) -> None:
    data = "".join(x12_text(c) for c in cases).encode("utf-8")
    written, headers = write_back_x12(data, chunk_size)
    assert written == data
    assert [h.delimiters for h in headers] == [c.delimiters for c in cases]
    for h, c in zip(headers, cases):
        assert h.elements == c.isa
        assert h.findings == []
        assert format_segment(h.elements, h.delimiters, trim=False) == h.raw


@given(cases=st.lists(x12_cases(), min_size=1, max_size=2))
@settings(max_examples=40, deadline=None)
def test_x12_tokens_do_not_depend_on_chunk_size(cases: list[X12Case]) -> None:
    data = "".join(x12_text(c) for c in cases).encode("utf-8")

    def plain(chunk_size: int) -> list[object]:
        return [
            (t.elements, t.delimiters, t.raw, t.offset) if isinstance(t, IsaHeader) else t
            for t in X12Tokenizer(data, chunk_size=chunk_size)
        ]

    expected = plain(1 << 20)
    for size in (3, 4, 5, 8, 13, 100):
        assert plain(size) == expected


# -- EDIFACT -----------------------------------------------------------------------------------------


@dataclass
class EdifactCase:
    delimiters: EdifactDelimiters
    segments: list[list[list[str]]]  # segment -> element -> component, unescaped values


@st.composite
def edifact_cases(draw: st.DrawFn) -> EdifactCase:
    component, element, decimal, release, segment = draw(
        st.lists(st.sampled_from(DELIMITER_CHARS), min_size=5, max_size=5, unique=True)
    )
    used = component + element + decimal + release + segment
    repetition = draw(st.sampled_from([" ", *(c for c in DELIMITER_CHARS if c not in used)]))
    d = EdifactDelimiters(component, element, decimal, release, repetition, segment)
    # values may hold any printable character, service characters included (they get escaped)
    alphabet = PRINTABLE
    segs: list[list[list[str]]] = [[["UNB"], ["UNOC", "3"], ["S"], ["R"], ["240315", "1200"], ["1"]]]
    for _ in range(draw(st.integers(0, 6))):
        tag = draw(
            st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3).filter(lambda t: t not in ("UNA", "UNZ"))
        )
        seg = [[tag]]
        for _ in range(draw(st.integers(0, 5))):
            n = draw(st.integers(1, 3))
            comps = [draw(st.text(alphabet=alphabet, max_size=6)) for _ in range(n)]
            seg.append(comps)
        segs.append(seg)
    segs.append([["UNZ"], ["1"], ["1"]])
    return EdifactCase(d, segs)


def edifact_text(case: EdifactCase) -> str:
    d = case.delimiters
    out = d.una()
    for seg in case.segments:
        out += d.element.join(d.component.join(escape(c, d) for c in el) for el in seg) + d.segment
    return out


@given(cases=st.lists(edifact_cases(), min_size=1, max_size=3), chunk_size=st.sampled_from([1, 5, 64, 1 << 20]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_edifact_escape_of_unescape_is_identity(cases: list[EdifactCase], chunk_size: int) -> None:
    data = "".join(edifact_text(c) for c in cases).encode("utf-8")
    out = ""
    advices: list[ServiceAdvice] = []
    read: list[list[list[str]]] = []
    d: EdifactDelimiters | None = None
    for tok in EdifactTokenizer(data, chunk_size=chunk_size):
        if isinstance(tok, ServiceAdvice):
            d = tok.delimiters
            advices.append(tok)
            assert tok.una is not None
            out += tok.una
        elif isinstance(tok, list):
            assert d is not None
            values = [[unescape(c, d.release) for c in split_escaped(el, d.component, d.release)] for el in tok]
            read.append(values)
            out += d.element.join(d.component.join(escape(c, d) for c in el) for el in values) + d.segment
        else:
            raise AssertionError(f"unexpected token {tok!r}")
    assert out.encode("utf-8") == data
    assert [a.delimiters for a in advices] == [c.delimiters for c in cases]
    assert read == [seg for c in cases for seg in c.segments]


@given(value=st.text(alphabet=PRINTABLE + "\x1c\x1d", max_size=20), case=edifact_cases())
@settings(max_examples=200, deadline=None)
def test_edifact_escape_round_trip_of_any_value(value: str, case: EdifactCase) -> None:
    d = case.delimiters
    escaped = escape(value, d)
    assert unescape(escaped, d.release) == value
    for sep in (d.component, d.element, d.segment):
        assert split_escaped(escaped, sep, d.release) == [escaped]
        assert split_escaped(escaped + sep + escaped, sep, d.release) == [escaped, escaped]


# -- check() never crashes -----------------------------------------------------------------------------

SEEDS = [
    x12().encode(),
    x12(
        [group(transactions=[transaction("0001"), transaction("0002")])], version="00501", repetition="^", suffix="\r\n"
    ).encode(),
    x12(element="\x1d", terminator="\x1c", trailer=False).encode(),
    (x12(terminator="\u2026") + x12(control="000000002")).encode(),
    edifact().encode(),
    edifact(una="UNA=*,!_~", suffix="\n").encode(),
    edifact(una=None, trailer=False).encode(),
]


#: Crashes already reported, by (exception, innermost function). The fuzzers tolerate these so
#: that they keep hunting for new ones; each has a strict xfail regression test below. Remove an
#: entry when its bug is fixed.
KNOWN_CRASHES = {}


def run_check(data: bytes) -> None:
    """Consume check() to the end, acks included; only EdiError (or a known crash) may come out."""
    try:
        for checked in check(data, numbers=Counter(), now=NOW):
            assert checked.result.standard in ("x12", "edifact", "unknown")
            for ack in checked.acks:
                assert isinstance(ack.payload, bytes)
    except EdiError:
        pass
    except (IndexError, AssertionError) as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1].name
        if (type(exc), where) not in KNOWN_CRASHES:
            raise


#: Bytes a mutation may write over one byte: delimiters, line breaks, tag letters, bad UTF-8.
FLIP_BYTES = b"\x00\n\r\x1c *:~'+?ISA\xc3\xff"
#: Fragments a mutation may insert: delimiters, tags, a multi-byte character, bad UTF-8.
INSERTS = [
    *(bytes([b]) for b in b"~*'+:?^\n"),
    *(tag.encode() for tag in ("ISA", "IEA*", "IEA~", "GS*", "ST*", "SE*", "GE*", "TA1*")),
    *(tag.encode() for tag in ("UNA", "UNB+", "UNG+", "UNH+", "UNT+", "UNE+", "UNZ+")),
    b"\xe2\x80\xa6",
    b"\xff",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid interchange with one to six bytes flipped, fragments inserted, runs deleted or doubled."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] = draw(st.sampled_from([*FLIP_BYTES, data[i] ^ 0x01]))
        elif op == "insert":
            data[i:i] = draw(st.sampled_from(INSERTS))
        elif op == "delete" and data:
            del data[i : i + draw(st.integers(1, 20))]
        elif op == "dup":
            j = draw(st.integers(i, len(data)))
            data[j:j] = data[i:j]
    return bytes(data)


X12_SEGMENTS = [
    "GS*PO*S*R*20240315*1200*1*X*004010",
    "GS*FA*S*R*20240315*1200*2*X*005010X231A1",
    "ST*850*0001",
    "ST*997*0002",
    "ST*999*0003",
    "SE*2*0001",
    "SE*x",
    "GE*1*1",
    "GE",
    "IEA*1*000000001",
    "TA1*000000001*240315*1200*A*000",
    "BEG*00*SA*PO1**20240315",
    "AK1*PO*1",
    "AK2*850*0001",
    "AK3*N1*3**8",
    "AK4*1*66*1",
    "AK5*A",
    "IK5*R*5",
    "AK9*A*1*1*1",
    "N1*ST*X",
    "ISB*1",
    "",
]
EDIFACT_SEGMENTS = [
    "UNB+UNOC:3+S:ZZ+R:ZZ+240315:1200+1",
    "UNB+UNOA:4+S+R+240315:1200+2++++1",
    "UNG+ORDERS+S+R+240315:1200+1+UN+D:96A",
    "UNE+1+1",
    "UNH+1+ORDERS:D:96A:UN",
    "UNH+2+CONTRL:D:3:UN",
    "UNT+2+1",
    "UCI+1+S+R+7",
    "UCM+1+ORDERS:D:96A:UN+4",
    "UCS+2+12",
    "BGM+220+PO1+9",
    "DTM+137:20249999:102",
    "UNZ+1+1",
    "",
]


@st.composite
def segment_soup(draw: st.DrawFn) -> bytes:
    """Envelope and ack segments in any order and number, after an ISA or a UNA (or nothing)."""
    if draw(st.booleans()):
        head = draw(st.sampled_from([isa(), isa(version="00501", repetition="^", ack_requested="1"), ""]))
        body = draw(st.lists(st.sampled_from(X12_SEGMENTS), max_size=14))
        return (head + "".join(s + "~" for s in body)).encode()
    head = draw(st.sampled_from(["UNA:+.? '", ""]))
    body = draw(st.lists(st.sampled_from(EDIFACT_SEGMENTS), max_size=14))
    return (head + "".join(s + "'" for s in body)).encode()


@given(data=st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_check_survives_random_bytes(data: bytes) -> None:
    run_check(data)


@given(data=st.binary(max_size=300).map(lambda b: b"ISA*" + b))
@settings(max_examples=100, deadline=None)
def test_check_survives_random_bytes_after_isa(data: bytes) -> None:
    run_check(data)


@given(data=mutated())
@settings(max_examples=400, deadline=None)
def test_check_survives_mutated_interchanges(data: bytes) -> None:
    run_check(data)


@given(data=segment_soup())
@settings(max_examples=300, deadline=None)
def test_check_survives_envelope_segments_in_any_order(data: bytes) -> None:
    run_check(data)


def test_seeds_are_valid_input() -> None:
    for seed in SEEDS:
        results = list(check(seed, numbers=Counter(), now=NOW))
        assert results
        assert all(r.result.standard in ("x12", "edifact") for r in results)


# -- crashes found by the fuzzers (deterministic regressions) -----------------------------------------


def _consume(data: bytes) -> list[object]:
    return [c.result.control_number for c in check(data, numbers=Counter(), now=NOW)]


@pytest.mark.parametrize(
    "data",
    [
        b"UNB+UNOC:3+S+R+240315:1200+1'UNH+1+ORDERS:D:96A:UN'UNB+UNOC:3+S+R+240315:1200+2'UNZ+0+2'",
        b"UNH+1+ORDERS:D:96A:UN'UNB+UNOC:3+S+R+240315:1200+2'",
        b"UNH+2+CONTRL:D:3:UN'UNB+UNOC:3+S:ZZ+R:ZZ+240315:1200+1'",
    ],
)
def test_unb_while_a_message_is_open_does_not_crash(data: bytes) -> None:
    assert _consume(data)


def test_segment_after_iea_without_elements_does_not_crash() -> None:
    data = (x12().replace("IEA*1*000000001~", "IEA~") + "SE*x~").encode()
    assert _consume(data)
