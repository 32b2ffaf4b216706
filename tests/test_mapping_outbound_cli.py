"""``edigw translate --outbound``: a canonical document written as the EDI a partner receives.

The partner's outbound map writes it, our ids and the partner's address the envelope, the
delimiters (and the EDIFACT decimal mark) are the profile's [envelope], or edigw's defaults
without one, and our own schema validates the result.
Exit codes: 0 valid, 1 written but not valid, 2 usage.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from gateway.cli.main import cli

from .conftest import ROOT

PARTNERS = ROOT / "partners"
MAPS = ROOT / "maps"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["translate", *args, "--root", str(PARTNERS), "--maps", str(MAPS)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def document(tmp_path: Path, golden: str, **changes: Any) -> Path:
    """A document as the ERP would hand it over: one the example partners' golden files hold."""
    doc = json.loads((PARTNERS / golden).read_text())["document"]
    doc.update(changes)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    return path


def test_an_order_to_alpenmed_is_edifact_with_its_delimiters(tmp_path: Path) -> None:
    doc = document(tmp_path, "alpenmed/expected/orders-d96a.1.json")
    result = run("--outbound", str(doc), "--partner", "alpenmed", "--set", "ORDERS")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "UNA:+,? '"  # the decimal comma of AlpenMed's [envelope]
    assert lines[1].startswith("UNB+UNOC:3+5412345000013:14+4012345000009:14+")  # from us, to AlpenMed
    assert lines[2] == "UNH+1+ORDERS:D:96A:UN'"
    assert "BGM+220+PO-EU-2026-0518+9'" in lines
    assert "FTX+AAI+++DELIVER TO CENTRAL RECEIVING DOCK 2, MON-FRI 07?:00-15?:00'" in lines  # released ':'
    assert "PIA+5+AM-48213:SA+DRESSING-FOAM-10X10:IN'" in lines
    numbers = [line for line in lines if line.startswith(("QTY", "PRI"))]
    assert numbers == ["QTY+21:40:PCE'", "PRI+AAA:4,85'", "QTY+21:6:BX'", "PRI+AAA:118,4'"]  # AlpenMed's comma
    assert result.stderr.splitlines() == [
        f"ORDERS for alpenmed with {MAPS / 'base/edifact/ORDERS/D96A.toml'} "
        f"(delimiters from {PARTNERS / 'alpenmed/partner.toml'} [envelope])",
        "valid against our schema; control numbers are a preview (the outbound queue allocates them)",
    ]


def test_without_an_envelope_the_defaults_and_a_hint_from_the_samples(tmp_path: Path) -> None:
    partners = tmp_path / "partners"
    shutil.copytree(PARTNERS, partners)
    profile = partners / "alpenmed" / "partner.toml"
    text = profile.read_text()
    start = text.index("# The delimiters we write to AlpenMed")
    profile.write_text(text[:start] + text[text.index("[transport]") :])
    doc = document(tmp_path, "alpenmed/expected/orders-d96a.1.json")
    where = ["--root", str(partners), "--maps", str(MAPS)]
    args = ["translate", "--outbound", str(doc), "--partner", "alpenmed", "--set", "ORDERS", "--json", *where]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["delimiters_from"] == f"the defaults: {profile} has no [envelope]"
    assert report["delimiters_hint"] == (
        f"  ! {partners / 'alpenmed/samples/desadv-d96a.edi'} uses other delimiters (UNA:+,? '): "
        f"if the partner expects them, state them in [envelope] in {profile}"
    )
    assert "PRI+AAA:4.85'" in report["edi"].splitlines()


def test_an_order_to_meridian_is_x12(tmp_path: Path) -> None:
    doc = document(tmp_path, "meridian/expected/850-vmi-replenishment.1.json")
    result = run("--outbound", str(doc), "--partner", "meridian", "--set", "850", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["valid"], report["findings"], report["exit_code"]) == (True, [], 0)
    edi = report["edi"].splitlines()
    assert edi[0].startswith("ISA*00*          *00*          *ZZ*STMARYCENTRAL  *ZZ*MERIDIANMED    *")
    assert edi[1].startswith("GS*PO*STMARYCENTRAL*MERIDIANMED*")
    assert edi[2] == "ST*850*0001~"
    assert edi[3].startswith("BEG*00*SA*MVMI-2026-0412*")


def test_written_but_not_valid_exits_1_and_says_what_to_do(tmp_path: Path) -> None:
    doc = tmp_path / "po.json"
    doc.write_text(json.dumps({"po_number": "PO-1"}))  # no date, no lines: BEG05 and PO1 are mandatory
    result = run("--outbound", str(doc), "--partner", "meridian", "--set", "850")
    assert result.exit_code == 1
    assert "ST*850*0001~" in result.stdout  # what was written is still shown
    assert "BEG05" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"written but NOT valid: complete {doc} (or fix the map {MAPS / 'base/x12/850/004010.toml'}) and run again"
    )


def test_usage_problems_exit_2_with_what_to_give(tmp_path: Path) -> None:
    doc = document(tmp_path, "meridian/expected/850-vmi-replenishment.1.json")
    cases = [
        (["--outbound", str(doc), "--partner", "meridian"], "--outbound needs --partner NAME and --set SET"),
        (["--outbound", str(doc), "--partner", "nobody", "--set", "850"], "no partner 'nobody'"),
        (
            ["--outbound", str(doc), "--partner", "meridian", "--set", "856"],
            f"meridian receives no 856: add it to [documents] outbound in {PARTNERS / 'meridian/partner.toml'}",
        ),
        (["--outbound", str(doc), "--partner", "meridian", "--set", "997"], "built by the gateway"),
        (["--outbound", str(tmp_path / "none.json"), "--partner", "meridian", "--set", "850"], "cannot read"),
        ([str(doc), "--outbound", str(doc)], "not both"),
        ([], "give the EDI FILE to translate"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_a_document_of_the_wrong_shape_is_a_usage_problem(tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"po_number": "PO-1", "lines": [{"quantity": "many"}]}))
    result = run("--outbound", str(doc), "--partner", "meridian", "--set", "850")
    assert result.exit_code == 2
    assert "is not a PurchaseOrder (lines.0.quantity: Input should be a valid decimal)" in result.output
    assert "schemas/documents/PurchaseOrder.schema.json" in result.output
