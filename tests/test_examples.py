"""The example partners in ``partners/``, driven through the CLI as an engineer would.

* meridian: a US distributor over X12 004010 (850 VMI replenishment, 855, 856 with lots, 810);
* alpenmed: a European supplier over EDIFACT D.96A with a decimal comma (ORDERS, DESADV, INVOIC);
* stmary-eproc: the hospital's own eProcurement system, requisitions as 850s, with a partner map.

For each: ``partners check`` is clean, every sample validates ACCEPTED, ``maps test`` matches the
golden files in ``partners/NAME/expected`` with no findings, and ``translate`` without
``--partner`` finds the partner from the envelope.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.cli.main import cli
from gateway.edi.transactions import iter_transactions
from gateway.partners import load_partners

from .conftest import ROOT

PARTNERS = ROOT / "partners"
MAPS = ROOT / "maps"
EXAMPLES = ("meridian", "alpenmed", "stmary-eproc")

#: What each partner sends us, and the map that reads it (the eProcurement system's own map).
INBOUND: dict[str, tuple[str, str]] = {
    "meridian/samples/850-vmi-replenishment.edi": ("meridian", "maps/base/x12/850/004010.toml"),
    "meridian/samples/855-ack.edi": ("meridian", "maps/base/x12/855/004010.toml"),
    "meridian/samples/856-asn.edi": ("meridian", "maps/base/x12/856/004010.toml"),
    "meridian/samples/810-invoice.edi": ("meridian", "maps/base/x12/810/004010.toml"),
    "alpenmed/samples/desadv-d96a.edi": ("alpenmed", "maps/base/edifact/DESADV/D96A.toml"),
    "alpenmed/samples/invoic-d96a.edi": ("alpenmed", "maps/base/edifact/INVOIC/D96A.toml"),
    "stmary-eproc/samples/850-requisition-icu.edi": ("stmary-eproc", "partners/stmary-eproc/maps/850-004010.toml"),
    "stmary-eproc/samples/850-requisition-or.edi": ("stmary-eproc", "partners/stmary-eproc/maps/850-004010.toml"),
}
#: What we send (its golden checks the ORDERS map read inbound).
OUTBOUND = {"alpenmed/samples/orders-d96a.edi": "alpenmed"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"EDIGW_PARTNERS": str(PARTNERS), "EDIGW_MAPS": str(MAPS)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = run(*args)
    data: dict[str, Any] = json.loads(out)
    return code, data


def samples(name: str) -> list[Path]:
    return sorted((PARTNERS / name / "samples").glob("*.edi"))


def test_every_sample_is_listed_here() -> None:
    listed = {*INBOUND, *OUTBOUND}
    found = {str(p.relative_to(PARTNERS)) for name in EXAMPLES for p in samples(name)}
    assert found == listed


@pytest.mark.parametrize("name", EXAMPLES)
def test_partner_checks_clean(name: str) -> None:
    code, report = run_json("partners", "check", name, "--root", str(PARTNERS), "--maps", str(MAPS), "--json")
    assert code == 0, report
    assert report["ok"] is True
    assert report["problems"] == []  # no warnings either


@pytest.mark.parametrize("name", EXAMPLES)
def test_samples_validate_accepted(name: str) -> None:
    inbound = [str(PARTNERS / s) for s in INBOUND if s.startswith(f"{name}/")]
    code, out = run("validate", *inbound)
    assert code == 0, out
    assert "REJECTED" not in out
    assert out.count("ACCEPTED") >= 3 * len(inbound)  # interchange, group/messages, transaction


@pytest.mark.parametrize("sample", sorted(OUTBOUND))
def test_what_we_send_is_valid_and_not_addressed_to_us(sample: str, tmp_path: Path) -> None:
    # as syntax, with no partners folder: accepted
    code, out = run("validate", "--partners", str(tmp_path), str(PARTNERS / sample))
    assert code == 0, out
    # received by us, it would be refused: it is addressed to the partner, not to us
    code, out = run("validate", str(PARTNERS / sample))
    assert code == 1
    assert "interchange.not_addressed_to_us" in out


@pytest.mark.parametrize("name", EXAMPLES)
def test_translations_match_golden_files(name: str) -> None:
    files = [str(p) for p in samples(name)]
    code, report = run_json(
        "maps",
        "test",
        "--partner",
        name,
        "--root",
        str(PARTNERS),
        "--maps",
        str(MAPS),
        "--expect",
        str(PARTNERS / name / "expected"),
        "--json",
        *files,
    )
    assert code == 0, json.dumps(report, indent=2)
    golden: set[str] = set()
    for entry in report["files"]:
        assert entry["syntax"]["rejected"] == 0, entry["file"]
        assert len(entry["transactions"]) == 1, entry["file"]
        for txn in entry["transactions"]:
            assert txn["golden"]["status"] == "same", txn["golden"].get("diff")
            assert txn["findings"] == [], txn["findings"]  # the crosswalks know every item and unit
            assert txn["document"]["provenance"]["partner"] == name
            golden.add(Path(txn["golden"]["file"]).name)
    stale = {p.name for p in (PARTNERS / name / "expected").glob("*.json")} - golden
    assert stale == set(), f"golden files without a sample: {stale}"


@pytest.mark.parametrize(("sample", "expected"), sorted(INBOUND.items()))
def test_translate_finds_the_partner_from_the_envelope(sample: str, expected: tuple[str, str]) -> None:
    partner, map_file = expected
    code, out = run_json("translate", str(PARTNERS / sample), "--root", str(PARTNERS), "--maps", str(MAPS), "--json")
    assert code == 0, out
    assert out["partner"] == partner
    [txn] = out["transactions"]
    assert Path(txn["map"]) == ROOT / map_file
    assert txn["findings"] == []


@pytest.mark.parametrize(("sample", "partner"), sorted(OUTBOUND.items()))
def test_translate_finds_the_partner_of_what_we_send(sample: str, partner: str) -> None:
    code, out = run_json("translate", str(PARTNERS / sample), "--root", str(PARTNERS), "--maps", str(MAPS), "--json")
    assert code == 0, out
    assert out["partner"] == partner


def test_samples_are_between_us_and_the_partner() -> None:
    """Inbound samples are addressed to an id of ``_self.toml``; what we send comes from one."""
    registry = load_partners(PARTNERS)
    assert registry.problems == []
    for sample, (partner, _map) in INBOUND.items():
        for tx in iter_transactions((PARTNERS / sample).read_bytes()):
            found = registry.find_by_envelope(tx.standard, *tx.sender)
            assert found is not None and found.name == partner, sample
            assert registry.is_addressed_to_us(tx.standard, *tx.receiver), sample
    for sample, partner in OUTBOUND.items():
        for tx in iter_transactions((PARTNERS / sample).read_bytes()):
            assert registry.is_addressed_to_us(tx.standard, *tx.sender), sample
            found = registry.find_by_envelope(tx.standard, *tx.receiver)
            assert found is not None and found.name == partner, sample


def test_the_eproc_partner_map_is_needed(tmp_path: Path) -> None:
    """With the base map alone, the requisition's need-by date (DTM*106) and its total (AMT) go unused."""
    (tmp_path / "partners").mkdir()
    sample = PARTNERS / "stmary-eproc" / "samples" / "850-requisition-or.edi"
    code, out = run_json("translate", str(sample), "--root", str(tmp_path / "partners"), "--maps", str(MAPS), "--json")
    assert code == 0, out
    assert out["partner"] is None
    [txn] = out["transactions"]
    assert txn["document"]["requested_delivery_date"] is None
    unused = {(u["element"], u["value"]) for u in txn["unused"]}
    assert {("DTM01", "106"), ("DTM02", "20261207"), ("AMT01", "TT")} <= unused

    code, out = run_json("translate", str(sample), "--root", str(PARTNERS), "--maps", str(MAPS), "--json")
    [txn] = out["transactions"]
    assert txn["document"]["requested_delivery_date"] == "2026-12-07"
    assert [line["requested_date"] for line in txn["document"]["lines"]] == [None, None, None, "2026-12-04"]
    assert txn["unused"] == []
