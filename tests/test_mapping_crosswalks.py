"""A line that names our own product code (the buyer item id: PO1 IN/BP, PIA IN/BP) is matched by it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gateway.documents import Invoice, ItemId, PurchaseOrder
from gateway.edi.transactions import iter_transactions
from gateway.mapping import load_map, translate_transaction
from gateway.mapping.service import translate_file
from gateway.partners.crosswalks import load_crosswalks
from gateway.partners.rules import check_document, invoice_total

from .conftest import ROOT

ITEMS = "vendor_sku,gtin,product_code,description\nMER-GLV-NIT-M,10614141001016,GLOVE-NITRILE-M,Gloves M\n"


def crosswalks(tmp_path: Path) -> Path:
    folder = tmp_path / "crosswalks"
    folder.mkdir()
    (folder / "items.csv").write_text(ITEMS)
    return folder


def test_a_buyer_item_that_is_our_product_code_matches(tmp_path: Path) -> None:
    cw, problems = load_crosswalks(crosswalks(tmp_path))
    assert problems == []
    match = cw.item_for([ItemId(kind="buyer_item", value=" GLOVE-NITRILE-M ", qualifier="IN")])
    assert match is not None
    assert (match.product_code, match.matched_by, match.value) == ("GLOVE-NITRILE-M", "buyer_item", "GLOVE-NITRILE-M")


def test_the_partners_own_ids_come_first(tmp_path: Path) -> None:
    cw, _ = load_crosswalks(crosswalks(tmp_path))
    ids = [ItemId(kind="buyer_item", value="GLOVE-NITRILE-M"), ItemId(kind="vendor_sku", value="MER-GLV-NIT-M")]
    match = cw.item_for(ids)
    assert match is not None and match.matched_by == "vendor_sku"


def test_a_buyer_item_we_do_not_have_is_not_matched(tmp_path: Path) -> None:
    cw, _ = load_crosswalks(crosswalks(tmp_path))
    assert cw.item_for([ItemId(kind="buyer_item", value="MER-GLV-NIT-M")]) is None  # a SKU is not our code
    assert cw.item_for([ItemId(kind="vendor_sku", value="GLOVE-NITRILE-M")]) is None  # our code is not their SKU


def test_an_order_naming_only_our_codes_passes_the_crosswalk_check(tmp_path: Path) -> None:
    """An 850 whose PO1 carries only BP (our code): no unknown-item finding; a code not ours still gets one."""
    x12 = (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261201*0900*U*00401*000000001*0*P*>~"
        "GS*PO*SENDER*RECEIVER*20261201*0900*1*X*004010~ST*850*0001~BEG*00*SA*PO-1**20261201~"
        "PO1*1*4*BX*8.95**BP*GLOVE-NITRILE-M~CTT*1~SE*5*0001~GE*1*1~IEA*1*000000001~"
    )
    [tx] = list(iter_transactions(x12.encode()))
    doc = translate_transaction(tx, load_map(ROOT / "maps" / "base" / "x12" / "850" / "004010.toml")).document
    assert isinstance(doc, PurchaseOrder)
    assert doc.lines[0].item_ids[0].kind == "buyer_item"
    cw, _ = load_crosswalks(crosswalks(tmp_path))
    assert check_document(doc, cw, tmp_path) == []

    unknown = doc.model_copy(deep=True)
    unknown.lines[0].item_ids[0].value = "NOT-OURS"
    [f] = check_document(unknown, cw, tmp_path)
    assert f.code == "crosswalk.unknown_item"


def test_an_invoice_whose_total_is_not_its_lines_and_charges_is_a_finding_with_the_figures() -> None:
    for name in ("meridian/samples/810-invoice.edi", "alpenmed/samples/invoic-d96a.edi"):
        partner = (ROOT / "partners" / name).parent.parent
        (outcome,) = translate_file(
            (ROOT / "partners" / name).read_bytes(), maps_root=ROOT / "maps", partner=partner.name, partner_dir=partner
        )
        invoice = outcome.translation.document if outcome.translation else None
        assert isinstance(invoice, Invoice)
        assert invoice_total(invoice) == [], name  # the samples add up
    assert isinstance(invoice, Invoice)
    wrong = invoice.model_copy(update={"total": (invoice.total or Decimal(0)) + Decimal("10.00")})
    (f,) = invoice_total(wrong)
    assert f.code == "invoice.total"
    assert "a difference of 10.00" in f.message
    assert f.extra["figures"]["stated"] == str(wrong.total)
    assert invoice_total(invoice.model_copy(update={"total": None})) == []
