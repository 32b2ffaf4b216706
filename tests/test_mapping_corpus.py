"""The corpus's purchasing files translate with the base maps without a crash: a failure is a finding."""

from __future__ import annotations

from pathlib import Path

from gateway.mapping.service import translate_file

from .conftest import ROOT, corpus_files

PURCHASING = ("850", "855", "856", "810", "ORDERS", "ORDRSP", "DESADV", "INVOIC")


def test_every_purchasing_file_translates_or_says_why(corpus: Path) -> None:
    documents = failures = 0
    for path in corpus_files():
        if path.parent.name not in PURCHASING and path.parent.name != "mixed":
            continue
        for outcome in translate_file(path.read_bytes(), maps_root=ROOT / "maps"):
            if outcome.translation is not None and outcome.translation.document is not None:
                documents += 1
                assert outcome.translation.document.provenance.set_id == outcome.tx.set_id
            else:
                failures += 1
                assert outcome.findings, f"{path.name}: no document and no finding"
                assert all(f.message for f in outcome.findings)
    # most real files map cleanly; the rest are the broken or mislabelled ones, each with its reasons
    assert documents >= 56
    assert failures <= 8
