"""Mapping engine details: partner overrides, hooks, lookups with defaults, unused input, map errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.edi.transactions import iter_transactions
from gateway.mapping import MapError, load_map, translate_transaction

from .conftest import ROOT, SAMPLES

PO = (SAMPLES / "850-requisition.edi").read_bytes()


@pytest.fixture
def maps(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    (tmp_path / "partner").mkdir()
    return tmp_path


def partner_map(maps: Path, body: str) -> Path:
    path = maps / "partner" / "850-004010.toml"
    path.write_text('[map]\nextends = "x12/850/004010"\n' + body)
    return path


def translate(path: Path, data: bytes = PO):  # type: ignore[no-untyped-def]
    m = load_map(path, path.parents[1] / "maps")
    [tx] = list(iter_transactions(data))
    return translate_transaction(tx, m, partner="p")


def test_a_partner_map_overrides_one_rule_and_keeps_the_rest(maps: Path) -> None:
    t = translate(partner_map(maps, '[fields]\npo_number = { path = "REF02", where = { REF01 = "DP" } }\n'))
    assert t.document.po_number == "ICU-4"
    assert t.document.currency == "USD"  # still the base rule
    assert len(t.document.lines) == 2


def test_a_hook_can_adjust_the_document(maps: Path) -> None:
    (maps / "partner" / "hooks.py").write_text(
        "def adjust(document, transaction):\n"
        "    document['notes'] = [f'{len(transaction)} segments']\n"
        "    return document\n"
    )
    t = translate(partner_map(maps, 'hook = "hooks.py:adjust"\n'))
    assert t.document.notes == ["17 segments"]
    assert t.findings == []


def test_a_failing_hook_is_a_finding_not_a_crash(maps: Path) -> None:
    (maps / "partner" / "hooks.py").write_text("def adjust(document, transaction):\n    raise ValueError('boom')\n")
    t = translate(partner_map(maps, 'hook = "hooks.py:adjust"\n'))
    assert t.document is not None
    [f] = t.findings
    assert f.code == "mapping.hook_failed"
    assert "ValueError: boom" in f.message


def test_unused_input_is_reported_element_by_element(maps: Path) -> None:
    t = translate(partner_map(maps, ""))
    unused = {(u.segment_index, u.element) for u in t.unused}
    base = load_map(maps / "maps" / "base" / "x12" / "850" / "004010.toml")
    if "PER" not in base.ignore:
        assert (5, "PER02") in unused
    # and an ignored segment is not reported
    t = translate(partner_map(maps, 'ignore = ["PER"]\n'))
    assert all(u.tag != "PER" for u in t.unused)


def test_a_missing_required_field_says_where_the_map_looks(maps: Path) -> None:
    t = translate(partner_map(maps, '[fields]\npo_number = { path = "REF02", where = { REF01 = "PO" } }\n'))
    assert t.document is None
    [f] = t.findings
    assert f.code == "mapping.missing"
    assert "po_number" in f.message and "REF02" in f.message


def test_lookup_default_for_an_unlisted_code(maps: Path) -> None:
    rule = '[fields]\npurpose = { path = "BEG01", lookup = { "01" = "cancel" }, default = "other" }\n'
    assert translate(partner_map(maps, rule)).document.purpose == "other"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[fields]\npo_number = "BEG3"\n', "'BEG3' is not an element path"),
        ('[fields]\nponumber = "BEG03"\n', "'ponumber' is not a field of PurchaseOrder"),
        ('[fields]\npo_number = { path = "BEG03", typ = "date" }\n', "unknown key(s) typ"),
        ('[fields]\norder_date = { path = "BEG05", type = "clock" }\n', "type 'clock' is not one of"),
    ],
)
def test_map_errors_name_the_file_and_the_rule(maps: Path, body: str, message: str) -> None:
    path = partner_map(maps, body)
    with pytest.raises(MapError) as err:
        load_map(path, maps / "maps")
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_extends_a_base_map_that_does_not_exist(maps: Path) -> None:
    path = maps / "partner" / "x.toml"
    path.write_text('[map]\nextends = "x12/850/009999"\n')
    with pytest.raises(MapError, match="no such map file"):
        load_map(path, maps / "maps")


def test_a_shared_map_is_parsed_again_when_it_or_its_base_changes(maps: Path) -> None:
    from gateway.mapping.maps import shared_map

    path = partner_map(maps, '[fields]\npo_number = { path = "REF02", where = { REF01 = "DP" } }\n')
    root = maps / "maps"
    first = shared_map(path, root)
    assert shared_map(path, root) is first  # unchanged files: the parsed map is reused
    partner_map(maps, '[fields]\npo_number = "BEG03"\n')
    edited = shared_map(path, root)
    assert edited is not first and edited.fields["po_number"].paths[0].tag == "BEG"
    base = root / "base" / "x12" / "850" / "004010.toml"
    base.write_text(base.read_text().replace('order_type_code = "BEG02"\n', ""))
    rebased = shared_map(path, root)
    assert rebased is not edited and "order_type_code" not in rebased.fields
    assert "order_type_code" in edited.fields  # what callers hold is never changed under them
