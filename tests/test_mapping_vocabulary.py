"""One vocabulary in documents whatever the standard, and long texts split and joined without loss."""

from __future__ import annotations

import pytest

from gateway.documents.models import CHARGE_CODES, ORDER_TYPES
from gateway.mapping import load_map
from gateway.mapping.engine import join_text, split_text

from .conftest import ROOT

BASE = ROOT / "maps" / "base"


@pytest.mark.parametrize(
    ("maps", "group", "field", "words"),
    [
        (
            ["x12/850/004010", "x12/850/005010", "edifact/ORDERS/D96A", "edifact/ORDERS/D01B"],
            "",
            "order_type",
            ORDER_TYPES,
        ),
        (
            ["x12/810/004010", "x12/810/005010", "edifact/INVOIC/D96A", "edifact/INVOIC/D01B"],
            "allowances_charges",
            "code",
            CHARGE_CODES,
        ),
    ],
)
def test_code_tables_speak_the_canonical_words(maps: list[str], group: str, field: str, words: tuple[str, ...]) -> None:
    for ref in maps:
        m = load_map(BASE / f"{ref}.toml")
        rule = m.groups[group].fields[field] if group else m.fields[field]
        assert rule.lookup is not None and rule.default == "other", ref
        assert set(rule.lookup.values()) <= set(words), ref


@pytest.mark.parametrize(
    "text",
    [
        "NITRILE EXAM GLOVES POWDER-FREE MEDIUM 100/BX",
        "Baterie stativa bideu Deco, crom cu ventil",  # a word ending exactly at 35
        "A" * 50,  # no space at all: a hard cut
        "SHORT",
        "WORD " + "B" * 40,
    ],
)
def test_a_split_text_joins_back_to_itself(text: str) -> None:
    parts = split_text(text, 35, 2)
    assert all(len(p) <= 35 for p in parts)
    assert join_text(parts, 35) == text
