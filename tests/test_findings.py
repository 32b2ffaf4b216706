"""The finding catalogue (``gateway/edi/findings.py``): levels, wire codes, x12_code, to_dict.

The wire code lists come from the shipped data dictionaries, not from this file: AK304 is
element 720, AK403 is 723, AK502 is 718, AK905 is 716 (X12), the 999's IK codes are in the
005010 999 set, and CONTRL's syntax error codes are EDIFACT service element 0085.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from gateway.edi.delimiters import X12Delimiters
from gateway.edi.findings import KINDS, Kind, Level, Severity, finding, has_errors, x12_code
from gateway.edi.schema import x12_schema
from gateway.edi.validation import validate
from gateway.edi.x12.dialect import X12Dialect

SCHEMAS = resources.files("gateway.edi").joinpath("schemas")
GATEWAY = Path(__file__).resolve().parent.parent / "gateway"


def _codes(*parts: str, element: str) -> frozenset[str]:
    node = SCHEMAS
    for part in parts:
        node = node.joinpath(part)
    return frozenset(json.loads(node.read_text(encoding="utf-8"))[element]["codes"])


AK304 = _codes("x12", "elements.json", element="720")
AK403 = _codes("x12", "elements.json", element="723")
AK502 = _codes("x12", "elements.json", element="718")
AK905 = _codes("x12", "elements.json", element="716")
CONTRL_0085 = _codes("edifact", "service", "elements.json", element="0085")
_999 = json.loads(SCHEMAS.joinpath("x12", "005010", "999.json").read_text(encoding="utf-8"))["codes"]
IK304, IK403, IK502 = (frozenset(_999[k]) for k in ("IK304", "IK403", "IK502"))

#: Interchange kinds no ack can carry: there is no readable envelope to answer.
UNANSWERABLE = {"interchange.unreadable", "interchange.not_edi"}

PREFIX = {
    "interchange": Level.INTERCHANGE,
    "group": Level.GROUP,
    "transaction": Level.TRANSACTION,
    "segment": Level.SEGMENT,
    "element": Level.ELEMENT,
    "mapping": Level.DOCUMENT,
    "crosswalk": Level.DOCUMENT,
    "partner": Level.DOCUMENT,
    "business": Level.DOCUMENT,
    "usage": Level.DOCUMENT,
    "post": Level.DOCUMENT,
    "job": Level.DOCUMENT,
    "match": Level.DOCUMENT,
    "invoice": Level.DOCUMENT,
    "proposal": Level.DOCUMENT,
}


def kinds_at(level: Level) -> list[Kind]:
    return [k for k in KINDS.values() if k.level is level]


def test_catalogue_has_every_level() -> None:
    assert {k.level for k in KINDS.values()} == set(Level)


@pytest.mark.parametrize("code", sorted(KINDS))
def test_kind_has_a_level_and_severity_matching_its_code(code: str) -> None:
    kind = KINDS[code]
    assert kind.code == code
    assert isinstance(kind.level, Level)
    assert isinstance(kind.severity, Severity)
    prefix, _, name = code.partition(".")
    assert PREFIX[prefix] is kind.level
    assert re.fullmatch(r"[a-z0-9_]+", name)


@pytest.mark.parametrize("kind", kinds_at(Level.SEGMENT), ids=lambda k: k.code)
def test_segment_kinds_have_an_ak304_code(kind: Kind) -> None:
    assert kind.x12 is not None
    assert 1 <= int(kind.x12) <= 8
    assert kind.x12 in AK304 and kind.x12 in IK304
    assert kind.x12_999 is None or kind.x12_999 in IK304


@pytest.mark.parametrize("kind", kinds_at(Level.ELEMENT), ids=lambda k: k.code)
def test_element_kinds_have_an_ak403_code(kind: Kind) -> None:
    if kind.severity is Severity.ERROR:
        assert kind.x12 is not None, "an element error must be answerable in AK4"
    if kind.x12 is not None:
        assert 1 <= int(kind.x12) <= 13
        assert kind.x12 in AK403 and kind.x12 in IK403
    assert kind.x12 is not None or kind.contrl is not None


#: AK905 has no code for a malformed GS value (a bad GS04 date, say): AK9 R says it, AK905 stays empty.
_GROUP_NO_AK905 = {"group.header_invalid"}


@pytest.mark.parametrize(
    "kind", [k for k in kinds_at(Level.GROUP) if k.code not in _GROUP_NO_AK905], ids=lambda k: k.code
)
def test_group_kinds_have_an_ak905_code(kind: Kind) -> None:
    assert kind.x12 is not None
    assert kind.x12 in AK905


def test_group_header_invalid_rejects_the_group_without_an_ak905_code() -> None:
    kind = KINDS["group.header_invalid"]
    assert kind.x12 is None
    assert kind.contrl == "12"
    assert kind.x12_5010 is None or kind.x12_5010 in AK905


@pytest.mark.parametrize("kind", kinds_at(Level.TRANSACTION), ids=lambda k: k.code)
def test_transaction_kinds_have_an_ak502_code(kind: Kind) -> None:
    assert kind.x12 is not None
    assert kind.x12 in AK502 and kind.x12 in IK502
    assert kind.x12_999 is None or kind.x12_999 in IK502
    assert kind.x12_5010 is None or kind.x12_5010 in AK502


@pytest.mark.parametrize("kind", kinds_at(Level.INTERCHANGE), ids=lambda k: k.code)
def test_interchange_kinds_have_a_ta1_or_contrl_code_or_are_unanswerable(kind: Kind) -> None:
    assert kind.x12 is None and kind.x12_999 is None and kind.x12_5010 is None  # never in a 997/999
    if kind.ta1 is not None:
        assert re.fullmatch(r"\d{3}", kind.ta1)
        assert 1 <= int(kind.ta1) <= 31  # TA105 note codes; 000 is "no error"
    if kind.code in UNANSWERABLE:
        assert kind.ta1 is None and kind.contrl is None
        assert kind.severity is Severity.ERROR
    elif kind.severity is Severity.ERROR:
        assert kind.ta1 is not None or kind.contrl is not None


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.contrl is not None], ids=lambda k: k.code)
def test_contrl_codes_are_0085_codes(kind: Kind) -> None:
    assert kind.contrl in CONTRL_0085


def test_warnings_are_few_and_never_rejections() -> None:
    warnings = {k.code for k in KINDS.values() if k.severity is Severity.WARNING}
    assert warnings == {
        "interchange.isa_width",
        "interchange.isa_padding",
        "interchange.isa16_missing",
        "interchange.duplicate",
        "interchange.character_set",
        "element.character_set",
        "element.trailing_separator",
        "business.duplicate",  # the first one was posted: nothing is lost, a person may look
        "usage.mismatch",  # acknowledged and kept, only not posted to production
    }
    assert not has_errors([finding(code, "w") for code in warnings])
    assert has_errors([finding("element.missing", "e")])


# -- x12_code ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [("003010", "6"), ("004010", "6"), ("004010VICS", "6"), ("005010", "19"), ("005010X231A1", "19")],
)
def test_group_control_not_unique_changes_code_in_005010(version: str, expected: str) -> None:
    f = finding("group.control_not_unique", "GS06 used twice")
    assert x12_code(f, version) == expected


def test_x12_code_for_the_999_uses_the_ik_code_where_it_differs() -> None:
    f = finding("transaction.guide_unsupported", "guide")
    assert x12_code(f, "005010") == "1"
    assert x12_code(f, "005010", for_999=True) == "I6"
    g = finding("element.invalid_date", "date")
    assert x12_code(g, "005010", for_999=True) == "8"


def test_x12_code_prefers_the_findings_own_ack_code() -> None:
    f = finding("element.invalid_code", "hierarchy").at(ack_code="5")
    assert x12_code(f, "004010") == "5"
    assert x12_code(f, "005010", for_999=True) == "5"


def test_x12_code_is_none_for_interchange_kinds() -> None:
    assert x12_code(finding("interchange.date", "ISA09"), "004010") is None


def test_element_codes_are_the_same_in_both_versions() -> None:
    for kind in kinds_at(Level.ELEMENT):
        f = finding(kind.code, "x")
        assert x12_code(f, "004010") == x12_code(f, "005010") == kind.x12


# -- Finding ---------------------------------------------------------------------------------------


def test_finding_takes_the_catalogue_severity() -> None:
    assert finding("interchange.isa_width", "w").severity is Severity.WARNING
    assert finding("element.missing", "e").severity is Severity.ERROR
    assert finding("element.missing", "e").kind is KINDS["element.missing"]


def test_finding_with_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        finding("element.nonsense", "x")


def test_to_dict_leaves_out_empty_fields() -> None:
    f = finding("transaction.count_mismatch", "SE01 says 5; 6 segments counted.")
    assert f.to_dict() == {
        "code": "transaction.count_mismatch",
        "severity": "error",
        "message": "SE01 says 5; 6 segments counted.",
    }


def test_to_dict_writes_every_field_that_is_set_and_joins_the_loop_path() -> None:
    f = finding(
        "element.missing",
        "SLN05-01 is missing.",
        segment_index=4,
        segment_tag="SLN",
        element_position=5,
        component_position=1,
        repetition=2,
        element_ref="SLN05-01",
        data_element="355",
        loop_path=("PO1", "SLN"),
        segment="SLN*1**I*2*:2",
        ack_code="1",
        extra={"figures": {"po": "10"}},
    )
    d = f.to_dict()
    assert d == {
        "code": "element.missing",
        "severity": "error",
        "message": "SLN05-01 is missing.",
        "segment_index": 4,
        "segment_tag": "SLN",
        "element_position": 5,
        "component_position": 1,
        "repetition": 2,
        "element_ref": "SLN05-01",
        "data_element": "355",
        "segment": "SLN*1**I*2*:2",
        "loop_path": "PO1/SLN",
        "extra": {"figures": {"po": "10"}},
    }
    assert json.loads(json.dumps(d)) == d


def test_to_dict_of_a_warning() -> None:
    assert finding("element.trailing_separator", "w").to_dict()["severity"] == "warning"


def test_to_dict_of_an_empty_segment_leaves_out_the_empty_tag() -> None:
    schema = x12_schema("850", "004010")
    assert schema is not None
    segs = [["ST", "850", "0001"], ["BEG", "00", "SA", "PO-1", "", "20261128"], ["PO1", "1"], [""], ["SE", "5", "0001"]]
    [f] = validate(segs, schema, X12Dialect(X12Delimiters(), "004010"))
    assert f.code == "segment.empty"
    d = f.to_dict()
    assert "segment_tag" not in d and "segment" not in d


def test_at_moves_a_finding_without_changing_the_original() -> None:
    f = finding("segment.missing", "m", segment_index=3)
    g = f.at(segment_index=7, loop_path=("N1",))
    assert (f.segment_index, f.loop_path) == (3, ())
    assert (g.segment_index, g.loop_path, g.code, g.message) == (7, ("N1",), "segment.missing", "m")


# -- every code the gateway uses is in the catalogue ---------------------------------------------

_QUOTED_CODE = re.compile(r"""["']((?:interchange|group|transaction|segment|element)\.[a-z0-9_]+)["']""")
_FINDING_CALL = re.compile(r"""finding\(\s*["']([^"']+)["']""")


def _gateway_sources() -> list[Path]:
    files = sorted(GATEWAY.rglob("*.py"))
    assert any(p.name == "validation.py" for p in files)
    return files


def test_every_code_used_in_gateway_is_in_kinds() -> None:
    used: dict[str, set[str]] = {}
    for path in _gateway_sources():
        text = path.read_text(encoding="utf-8")
        for rx in (_QUOTED_CODE, _FINDING_CALL):
            for code in rx.findall(text):
                used.setdefault(code, set()).add(str(path.relative_to(GATEWAY)))
    unknown = {code: sorted(where) for code, where in used.items() if code not in KINDS}
    assert unknown == {}
    # the scan sees the engine's codes, including those passed around as data rather than to finding()
    engine = {code for code, where in used.items() if "edi/validation.py" in where}
    assert {
        "segment.missing",
        "segment.empty",
        "element.conditional_missing",
        "element.exclusion",
        "element.invalid_number",
        "element.too_many_repetitions",
    } <= engine
    assert "element.invalid_date" in {c for c, w in used.items() if "edi/edifact/dialect.py" in w}


@pytest.mark.parametrize("kind", kinds_at(Level.DOCUMENT), ids=lambda k: k.code)
def test_document_kinds_never_reach_the_wire(kind: Kind) -> None:
    assert (kind.x12, kind.x12_999, kind.ta1, kind.contrl) == (None, None, None, None)
