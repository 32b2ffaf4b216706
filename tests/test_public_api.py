"""The public surface of gateway.edi changes only on purpose."""

from __future__ import annotations

import gateway.edi


def test_all_is_pinned() -> None:
    assert sorted(gateway.edi.__all__) == [
        "Ack",
        "AckPolicy",
        "CharacterSetError",
        "Checked",
        "Counter",
        "EdiError",
        "EdifactDelimiters",
        "EdifactTokenizer",
        "Finding",
        "GroupResult",
        "InterchangeResult",
        "KINDS",
        "SchemaError",
        "Severity",
        "Status",
        "TransactionResult",
        "WriteError",
        "X12Delimiters",
        "X12Tokenizer",
        "check",
        "edifact_schema",
        "read_x12",
        "validate",
        "x12_schema",
    ]
    for name in gateway.edi.__all__:
        assert getattr(gateway.edi, name) is not None
