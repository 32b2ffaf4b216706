"""Tried as a new user would: onboard a partner with an odd SKU qualifier and its PO number in a REF.

Only the CLI and text files: `partners add`, `maps new`, an edited TOML map, `maps test --expect`.
No Python is written. An unknown SKU then shows up as a finding naming the crosswalk file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.main import cli

from .conftest import ROOT

# The partner puts its PO number in REF*PO (BEG03 carries its own release number) and its SKU
# under qualifier ZZ instead of VP.
ODD_850 = (
    "ISA*00*          *00*          *ZZ*NORTHWINDMED   *ZZ*STMARYCENTRAL  *261128*0930*U*00401*000000311*0*P*>~\n"
    "GS*PO*NORTHWINDMED*STMARYCENTRAL*20261128*0930*311*X*004010~\n"
    "ST*850*0001~\n"
    "BEG*00*SA*REL-7781**20261128~\n"
    "REF*PO*NW-PO-55120~\n"
    "N1*VN*NORTHWIND MEDICAL*92*NW01~\n"
    "PO1*1*10*BX*12.50**ZZ*NW-GAUZE-4X4~\n"
    "PO1*2*5*CA*80**ZZ*NW-UNKNOWN-1~\n"
    "CTT*2~\n"
    "SE*8*0001~\n"
    "GE*1*311~\n"
    "IEA*1*000000311~\n"
)


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, catch_exceptions=False, env={"EDIGW_PARTNERS": str(cwd / "partners")})
    return result.exit_code, result.output


def test_onboard_a_partner_without_writing_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    (tmp_path / "partners").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out = run(
        [
            "partners",
            "add",
            "northwind",
            "--no-input",
            "--display-name",
            "Northwind Medical",
            "--standard",
            "x12",
            "--qualifier",
            "ZZ",
            "--id",
            "NORTHWINDMED",
        ],
        tmp_path,
    )
    assert code == 0, out
    code, out = run(["maps", "new", "--partner", "northwind", "--from", "x12/850/004010"], tmp_path)
    assert code == 0, out
    map_file = tmp_path / "partners" / "northwind" / "maps" / "850-004010.toml"
    text = map_file.read_text()
    assert 'extends = "x12/850/004010"' in text
    # the engineer overrides two rules, in the tables the scaffold already has
    text = text.replace("[fields]\n", "[fields]\n" + 'po_number = { path = "REF02", where = { REF01 = "PO" } }\n', 1)
    text = text.replace(
        "[groups.lines.fields]\n",
        "[groups.lines.fields]\n" + 'item_ids = { pairs = ["PO106:PO107"], kinds = { ZZ = "vendor_sku" } }\n',
        1,
    )
    map_file.write_text(text)
    items = tmp_path / "partners" / "northwind" / "crosswalks" / "items.csv"
    items.write_text(items.read_text() + "NW-GAUZE-4X4,,GAUZE-4X4-STERILE,Gauze pad 4x4 sterile\n")
    sample = tmp_path / "po.edi"
    sample.write_text(ODD_850)

    code, out = run(
        ["maps", "test", "--partner", "northwind", "--expect", "expected", "--update", "--json", str(sample)], tmp_path
    )
    report = json.loads(out)
    txn = report["files"][0]["transactions"][0]
    doc = txn["document"]
    assert doc["po_number"] == "NW-PO-55120"
    assert doc["lines"][0]["item_ids"] == [{"kind": "vendor_sku", "value": "NW-GAUZE-4X4", "qualifier": "ZZ"}]
    unknown = [f for f in txn["findings"] if f["code"] == "crosswalk.unknown_item"]
    assert len(unknown) == 1
    assert "NW-UNKNOWN-1" in unknown[0]["message"]
    assert "partners/northwind/crosswalks/items.csv" in unknown[0]["message"]
    assert code == 1  # the unknown SKU is a problem to fix
    assert txn["golden"]["status"] == "written"

    # the golden file now pins the translation: a second run compares and finds it the same
    code, out = run(["maps", "test", "--partner", "northwind", "--expect", "expected", "--json", str(sample)], tmp_path)
    assert json.loads(out)["files"][0]["transactions"][0]["golden"]["status"] == "same"

    # adding the crosswalk row clears the finding
    items.write_text(items.read_text() + "NW-UNKNOWN-1,,SPONGE-LAP-18,Laparotomy sponge\n")
    code, out = run(["maps", "test", "--partner", "northwind", "--json", str(sample)], tmp_path)
    txn = json.loads(out)["files"][0]["transactions"][0]
    assert [f for f in txn["findings"] if f["code"].startswith("crosswalk.")] == []
    assert code == 0, out
