"""Meridian's whole flow through the Odoo connector, against the Odoo 19 double, over JSON-2 and XML-RPC:
850 → PO; 855 with a quantity change and a substitution → the change applied (quantity with its date), the
substitution a finding, never applied; 856 shipping two of three lines, with lots and expiry → the receipt
validated with a backorder for the rest; 810 → one clean bill, and one with a price variance refused with the
PO, receipt and invoice figures side by side. Then each document's exactly-once and business checks:
resends, lost answers, unknown or foreign POs, missing lots, expired lots, over-shipping, over-billing and a
duplicate invoice number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.connectors.base import BusinessKey, PermanentError, Posted, TransientError
from gateway.connectors.odoo import OdooClient, OdooConfig
from gateway.connectors.odoo.connector import OdooConnector
from gateway.connectors.odoo.records import key_note
from gateway.documents.models import Invoice, OrderAck, PurchaseOrder, ShipNotice
from gateway.mapping.service import translate_file
from gateway.partners import Partner, load_partner
from gateway.partners.profile import OdooSettings
from gateway.pipeline.stages import business_key

from .conftest import ROOT
from .support.odoo_double import OdooDouble, serve_on_localhost
from .test_odoo_connector import BX, KEY, PROTOCOLS, VENDOR, make_client, meridian, seeded_double

TODAY = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
GLOVES, SYRINGES, MASKS = 100, 101, 102
OTHER_VENDOR = 51


def translated(name: str, partner: str = "meridian") -> Any:
    """One of a partner's samples, translated with its map, as the pipeline does."""
    folder = ROOT / "partners" / partner
    (outcome,) = translate_file(
        (folder / "samples" / name).read_bytes(), maps_root=ROOT / "maps", partner=partner, partner_dir=folder
    )
    assert outcome.ok and outcome.translation is not None, outcome.findings
    return outcome.translation.document


def flow_double() -> OdooDouble:
    """Meridian's products as a hospital keeps them: gloves and syringes tracked by lot with expiry, masks not."""
    double = seeded_double()
    for pid in (GLOVES, SYRINGES):
        tracked = {
            "tracking": "lot",
            "use_expiration_date": True,
            "expiration_time": 365,
            "use_time": 30,
            "removal_time": 15,
            "alert_time": 45,
        }
        double.records["product.product"][pid].update(tracked)
    double.put("res.partner", OTHER_VENDOR, {"name": "Other Supply Co", "ref": "V20001", "is_company": True})
    double.now = lambda: TODAY.replace(tzinfo=None)  # Odoo's clock and the connector's agree
    return double


def with_settings(partner: Partner, **settings: Any) -> Partner:
    """The partner with ``[odoo]`` settings of the test's choosing."""
    return dataclasses.replace(partner, profile=partner.profile.model_copy(update={"odoo": OdooSettings(**settings)}))


class Flow:
    """A connector for Meridian (receipts validated, bills posted unless told otherwise) and its double."""

    def __init__(self, protocol: str, *, double: OdooDouble | None = None, url: str = "", **settings: Any) -> None:
        self.double = double or flow_double()
        client, self.tap = make_client(self.double, protocol)
        if url:  # over HTTP on loopback, to the double served by uvicorn
            config = OdooConfig(url, "edi_test", "admin", protocol=protocol)  # type: ignore[arg-type]
            client = OdooClient(config, api_key=KEY, http=httpx.Client(base_url=url, timeout=10))
        chosen = {"validate_receipts": True, "post_bills": True, **settings}
        self.partner = with_settings(meridian(), **chosen)
        self.connector = OdooConnector(client, resolve={"meridian": self.partner}.get, clock=lambda: TODAY)

    def post(self, document: Any) -> Posted:
        return self.connector.post(business_key("meridian", document), document)

    def records(self, model: str) -> list[dict[str, Any]]:
        return sorted(self.double.records[model].values(), key=lambda r: r["id"])

    def po(self) -> dict[str, Any]:
        (po,) = self.records("purchase.order")
        return po

    def po_lines(self) -> dict[int, dict[str, Any]]:
        return {li["product_id"]: li for li in self.records("purchase.order.line")}

    def notes(self, model: str) -> list[str]:
        return [m["body"] for m in self.records("mail.message") if m["model"] == model]

    def receipts(self) -> list[dict[str, Any]]:
        return [p for p in self.records("stock.picking") if p["picking_type_id"] == 1]


def refused(flow: Flow, document: Any) -> PermanentError:
    with pytest.raises(PermanentError) as caught:
        flow.post(document)
    return caught.value


def codes(error: PermanentError) -> list[str]:
    return [f.code for f in error.findings]


# ---------------------------------------------------------------- the whole flow


@pytest.fixture(params=["in-process", "loopback"])
def over(request: pytest.FixtureRequest) -> Iterator[tuple[OdooDouble, str]]:
    """The double, and its URL when it is served over HTTP on loopback ("" in process)."""
    double = flow_double()
    if request.param == "in-process":
        yield double, ""
    else:
        with serve_on_localhost(double) as url:
            yield double, url


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_meridians_850_855_856_810_flow(protocol: str, over: tuple[OdooDouble, str]) -> None:
    double, url = over
    flow = Flow(protocol, double=double, url=url)
    order: PurchaseOrder = translated("850-vmi-replenishment.edi")
    assert flow.post(order).already is False
    po = flow.po()
    assert po["state"] == "purchase"

    # 855: line 2 12 CA -> 10 CA (= 100 BX), line 3 substituted by the anti-fog masks
    ack: OrderAck = translated("855-ack.edi")
    posted = flow.post(ack)
    assert posted.references == (f"purchase.order,{po['id']}",) and posted.already is False
    lines = flow.po_lines()
    assert (lines[SYRINGES]["product_qty"], lines[SYRINGES]["price_unit"]) == (100.0, 4.21)  # the price is kept
    assert lines[SYRINGES]["date_planned"] == "2026-12-04 12:00:00"
    assert (lines[MASKS]["product_id"], lines[MASKS]["product_qty"]) == (MASKS, 20.0)  # the substitution: not applied
    assert lines[GLOVES]["product_qty"] == 40.0
    po = flow.po()
    assert po["partner_ref"] == "MER-SO-7781204" and po["acknowledged"] is True
    (note,) = flow.notes("purchase.order")
    assert "line 2 (SYRINGE-10ML-LL) quantity changed, quantity 120 -> 100 BX" in note
    assert "line 3 (MASK-PROCEDURE) substituted: substitute proposed" in note
    assert "edigw meridian/order_ack/MVMI-2026-0412" in note
    (substitution,) = posted.findings
    assert substitution.code == "proposal.substitution"
    assert "vendor_sku MER-MASK-PROC-AF" in substitution.message and "Not applied" in substitution.message
    receipt_moves = [m for m in flow.records("stock.move") if m["state"] == "assigned"]
    assert sorted(m["product_uom_qty"] for m in receipt_moves) == [20.0, 40.0, 100.0]  # resized in place

    # 856: gloves and syringes shipped with lots; masks not: the receipt is validated with a backorder
    asn: ShipNotice = translated("856-asn.edi")
    posted = flow.post(asn)
    first, backorder = flow.receipts()
    assert posted == Posted(references=(f"stock.picking,{first['id']}",))
    assert first["state"] == "done" and backorder["state"] == "assigned" and backorder["backorder_id"] == first["id"]
    lots = {lot["name"]: lot for lot in flow.records("stock.lot")}
    assert lots.keys() == {"GN2611M187", "SY2610A042"}
    assert lots["GN2611M187"]["expiration_date"] == "2029-10-31 12:00:00"
    assert lots["SY2610A042"]["product_id"] == SYRINGES
    done = {m["product_id"]: m["quantity"] for m in flow.records("stock.move") if m["state"] == "done"}
    assert done == {GLOVES: 40.0, SYRINGES: 100.0, MASKS: 0.0}
    left = [m for m in flow.records("stock.move") if m["picking_id"] == backorder["id"]]
    assert [(m["product_id"], m["product_uom_qty"]) for m in left] == [(MASKS, 20.0)]
    assert "edigw meridian/ship_notice/MER-ASN-0098812" in flow.notes("stock.picking")[0]

    # 810 with a price variance (gloves at 9.50, not 8.95): refused, nothing written
    invoice: Invoice = translated("810-invoice.edi")
    dear = invoice.model_copy(
        update={
            "invoice_number": "MER-INV-5507799",
            "lines": [invoice.lines[0].model_copy(update={"unit_price": Decimal("9.50")})],
            "allowances_charges": [],
            "total": Decimal("380.00"),
        }
    )
    error = refused(flow, dear)
    assert codes(error) == ["match.price"]
    (price,) = error.findings
    assert "unit price 9.5 per BX is 6.1 % off the PO price 8.95" in price.message
    assert price.extra["figures"] == {
        "po": {"number": po["name"], "line": lines[GLOVES]["name"], "ordered": "40", "unit": "BX", "price": "8.95"},
        "receipt": {"received": "40", "already_invoiced": "0"},
        "invoice": {"number": "MER-INV-5507799", "line": "1", "quantity": "40", "unit": "BX", "price": "9.5"},
    }
    assert flow.records("account.move") == []

    # the clean 810: one posted bill, lines linked to the PO lines, the PO's taxes, the freight as its own line
    posted = flow.post(invoice)
    (bill,) = flow.records("account.move")
    assert posted == Posted(references=(f"account.move,{bill['id']}",))
    assert (bill["move_type"], bill["ref"], bill["invoice_origin"], bill["state"]) == (
        "in_invoice",
        "MER-INV-5507731",
        po["name"],
        "posted",
    )
    assert bill["partner_id"] == VENDOR and bill["invoice_date"] == "2026-12-05"
    bill_lines = [li for li in flow.records("account.move.line") if li["move_id"] == bill["id"]]
    got = [(li.get("product_id"), li["quantity"], li["price_unit"], li.get("purchase_line_id")) for li in bill_lines]
    assert got == [
        (GLOVES, 40.0, 8.95, lines[GLOVES]["id"]),
        (SYRINGES, 100.0, 4.21, lines[SYRINGES]["id"]),
        (None, 1, 25.5, None),
    ]
    assert bill_lines[0]["tax_ids"] == [2] and bill_lines[1]["product_uom_id"] == BX  # the PO line's unit


# ---------------------------------------------------------------- 855


def ordered(protocol: str, **settings: Any) -> Flow:
    """Meridian's 850 posted: a confirmed PO with its receipt."""
    flow = Flow(protocol, **settings)
    flow.post(translated("850-vmi-replenishment.edi"))
    return flow


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_posted_again_is_found_by_its_note_and_writes_nothing(protocol: str) -> None:
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    flow.post(ack)
    writes = flow.double.count(method="write") + flow.double.count(method="message_post")
    again = flow.post(ack)
    assert again.already is True and [f.code for f in again.findings] == ["proposal.substitution"]
    assert flow.double.count(method="write") + flow.double.count(method="message_post") == writes
    assert len(flow.notes("purchase.order")) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_whose_note_was_lost_in_transit_is_not_noted_twice(protocol: str) -> None:
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    flow.tap.lose_answer("purchase.order", "message_post")
    with pytest.raises(TransientError):  # the answer was lost: the pipeline retries
        flow.post(ack)
    assert flow.post(ack).already is True
    assert len(flow.notes("purchase.order")) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_proposing_a_new_price_or_rejecting_a_line_is_not_applied(protocol: str) -> None:
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    first, second = ack.lines[0], ack.lines[1]
    changed = ack.model_copy(
        update={
            "lines": [
                first.model_copy(update={"unit_price": Decimal("9.40")}),
                second.model_copy(update={"status": "rejected", "quantity": Decimal(0)}),
            ]
        }
    )
    posted = flow.post(changed)
    assert [f.code for f in posted.findings] == ["proposal.price_change", "proposal.rejected"]
    assert "unit price 9.4 per BX, the PO says 8.95" in posted.findings[0].message
    lines = flow.po_lines()
    assert (lines[GLOVES]["price_unit"], lines[SYRINGES]["product_qty"]) == (8.95, 120.0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_rejecting_the_whole_order_is_a_proposal_for_review(protocol: str) -> None:
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    posted = flow.post(ack.model_copy(update={"ack_type": "RJ", "lines": []}))
    (rejected,) = posted.findings
    assert (
        rejected.code == "proposal.rejected" and "rejects the whole order (acknowledgement type RJ)" in rejected.message
    )
    assert flow.po()["state"] == "purchase"  # never cancelled by the gateway
    assert "the supplier rejects the order" in flow.notes("purchase.order")[0]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_for_an_unknown_po_or_another_vendors_po_is_refused_before_any_write(protocol: str) -> None:
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    error = refused(flow, ack.model_copy(update={"po_number": "MVMI-2026-9999"}))
    assert codes(error) == ["business.po_unknown"]
    assert "names PO MVMI-2026-9999, which is not in Odoo" in str(error)
    po = flow.po()
    flow.double.records["purchase.order"][po["id"]]["partner_id"] = OTHER_VENDOR
    error = refused(flow, ack)
    assert codes(error) == ["business.po_other_vendor"]
    assert "Other Supply Co" in str(error)
    assert flow.double.count(method="write") == 0 and flow.notes("purchase.order") == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_855_found_by_odoos_po_reference(protocol: str) -> None:
    """A PO made in Odoo (sent to the supplier as P000nn) is found by its name, not only by an 850's key."""
    flow = ordered(protocol)
    ack: OrderAck = translated("855-ack.edi")
    posted = flow.post(ack.model_copy(update={"po_number": flow.po()["name"]}))
    assert posted.references == (f"purchase.order,{flow.po()['id']}",)


# ---------------------------------------------------------------- 856


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_856_posted_again_or_after_a_lost_validation_receives_once(protocol: str) -> None:
    flow = ordered(protocol)
    asn: ShipNotice = translated("856-asn.edi")
    flow.tap.lose_answer("stock.picking", "button_validate")
    with pytest.raises(TransientError):  # the answer was lost: the pipeline retries
        flow.post(asn)
    again = flow.post(asn)
    assert again.already is True
    receipts = flow.receipts()
    assert [r["state"] for r in receipts] == ["done", "assigned"]  # one receipt done, one backorder: not two
    assert len(flow.records("stock.lot")) == 2
    assert flow.post(asn).already is True
    assert len(flow.receipts()) == 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_856_is_only_prepared_when_the_partner_leaves_validation_to_the_dock(protocol: str) -> None:
    flow = ordered(protocol, validate_receipts=False)
    posted = flow.post(translated("856-asn.edi"))
    (receipt,) = flow.receipts()
    assert receipt["state"] == "assigned" and posted.references == (f"stock.picking,{receipt['id']}",)
    lines = [ml for ml in flow.records("stock.move.line") if ml["picking_id"] == receipt["id"]]
    assert sorted((ml["product_id"], ml["lot_name"], ml["quantity"]) for ml in lines) == [
        (GLOVES, "GN2611M187", 40.0),
        (SYRINGES, "SY2610A042", 120.0 - 20.0),
    ]
    assert flow.double.count(method="button_validate") == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_856_with_a_missing_lot_an_expired_lot_or_too_much_is_refused_before_any_write(protocol: str) -> None:
    flow = ordered(protocol)
    asn: ShipNotice = translated("856-asn.edi")
    gloves, syringes = asn.items
    bad = asn.model_copy(
        update={
            "items": [
                gloves.model_copy(update={"lot": "", "expiry_date": None}),
                syringes.model_copy(update={"expiry_date": dt.date(2026, 11, 30), "quantity": Decimal(13)}),
            ]
        }
    )
    error = refused(flow, bad)
    assert codes(error) == [
        "business.lot_missing",
        "business.expiry_missing",
        "business.expired",
        "business.over_shipped",
    ]
    assert "lot SY2610A042 expired on 2026-11-30" in str(error)
    assert "130 BX shipped, more than the 120 still open" in error.findings[3].message
    assert flow.double.count(method="write") == 0 and flow.notes("stock.picking") == []


# ---------------------------------------------------------------- 810


def received(protocol: str, **settings: Any) -> Flow:
    flow = ordered(protocol, **settings)
    flow.post(translated("856-asn.edi"))
    return flow


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_810_whose_create_answer_was_lost_is_found_by_its_vendor_reference(protocol: str) -> None:
    flow = received(protocol)
    invoice: Invoice = translated("810-invoice.edi")
    flow.tap.lose_answer("account.move", "create")
    posted = flow.post(invoice)  # the create ran; the connector finds the bill by ref before anything else
    (bill,) = flow.records("account.move")
    assert posted == Posted(references=(f"account.move,{bill['id']}",)) and bill["state"] == "posted"
    assert flow.post(invoice).already is True
    assert len(flow.records("account.move")) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_810_is_left_a_draft_unless_the_partner_posts_bills(protocol: str) -> None:
    flow = received(protocol, post_bills=False)
    flow.post(translated("810-invoice.edi"))
    (bill,) = flow.records("account.move")
    assert bill["state"] == "draft" and flow.double.count(method="action_post") == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_810_billing_more_than_was_received_is_refused_with_the_figures(protocol: str) -> None:
    flow = ordered(protocol)  # nothing received yet
    error = refused(flow, translated("810-invoice.edi"))
    assert codes(error) == ["match.quantity", "match.quantity"]
    message = error.findings[0].message
    assert "bills 40 BX" in message and "has 0 received and 0 already invoiced, so at most 0 may be billed" in message
    assert error.findings[1].extra["figures"]["invoice"]["quantity"] == "100"
    assert flow.records("account.move") == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_810_reusing_an_invoice_number_of_the_vendor_is_a_duplicate(protocol: str) -> None:
    flow = received(protocol)
    invoice: Invoice = translated("810-invoice.edi")
    contact = flow.double.put("res.partner", 60, {"name": "Meridian AR", "parent_id": VENDOR})
    flow.double.put(
        "account.move",
        900,
        {
            "move_type": "in_invoice",
            "partner_id": contact,  # entered by hand for the vendor's accounts-receivable contact
            "ref": invoice.invoice_number,
            "state": "posted",
            "name": "BILL/2026/10/0007",
            "invoice_origin": "P00003",
        },
    )
    error = refused(flow, invoice)
    assert codes(error) == ["business.duplicate_invoice"]
    assert "already has a bill with invoice number MER-INV-5507731 in Odoo (BILL/2026/10/0007" in str(error)
    assert len(flow.records("account.move")) == 1


def test_the_odoo_settings_of_a_partner_default_to_preparing_and_drafting() -> None:
    settings = OdooSettings()
    assert (settings.confirm_orders, settings.validate_receipts, settings.post_bills) == (None, False, False)
    assert settings.price_tolerance_percent == Decimal(2)
    assert BusinessKey("meridian", "invoice", "A/1").text == "meridian/invoice/A%2F1"
    assert BX == 20


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_partner_that_leaves_its_orders_as_rfqs_gets_a_draft_po(protocol: str) -> None:
    flow = ordered(protocol, confirm_orders=False)  # the connector's own default confirms
    assert flow.connector.confirm is True and flow.po()["state"] == "draft"
    assert flow.double.count(method="button_confirm") == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_lot_near_its_expiry_opens_odoos_expiry_wizard_then_the_backorder_wizard(protocol: str) -> None:
    """Syringes expiring in a week are not expired (edigw lets them in) but past their removal date (expiry - 15
    days): Odoo asks to confirm with its expiry wizard, then asks about the backorder; both are answered."""
    flow = ordered(protocol)
    asn: ShipNotice = translated("856-asn.edi")
    gloves, syringes = asn.items
    soon = asn.model_copy(
        update={"items": [gloves, syringes.model_copy(update={"expiry_date": dt.date(2026, 12, 12)})]}
    )
    flow.post(soon)
    wizards = [model for (_, model, method) in flow.double.calls if method == "process"]
    assert wizards == ["expiry.picking.confirmation", "stock.backorder.confirmation"]
    first, backorder = flow.receipts()
    assert (first["state"], backorder["state"]) == ("done", "assigned")
    (lot,) = [lot for lot in flow.records("stock.lot") if lot["product_id"] == SYRINGES]
    assert lot["expiration_date"] == "2026-12-12 12:00:00" and lot["removal_date"] == "2026-11-27 12:00:00"


def test_the_key_in_a_chatter_note_is_plain_text_that_odoos_html_escaping_leaves_alone() -> None:
    note = key_note(BusinessKey("meridian", "ship_notice", "A&B<1>\"'"))
    assert note == "edigw meridian/ship_notice/A%26B%3C1%3E%22%27"
    assert html.escape(note, quote=True) == note


# ---------------------------------------------------------------- EDIFACT: AlpenMed's DESADV and INVOIC


def alpenmed_double() -> tuple[OdooDouble, int]:
    """AlpenMed as vendor V20871, its two products (lot and expiry tracked), and our PO to it, made in Odoo
    (and sent as ORDERS): PO-EU-2026-0518, confirmed, 40 EA dressings at 4.85 and 6 BX sutures at 118.40."""
    double = seeded_double()
    double.now = lambda: TODAY.replace(tzinfo=None)
    double.put("res.partner", 70, {"name": "AlpenMed GmbH", "ref": "V20871", "is_company": True})
    for pid, code, sku, uom in ((110, "DRESSING-FOAM-10X10", "AM-48213", 21), (111, "SUTURE-PGA-3-0", "AM-33020", BX)):
        product = {"name": code.title(), "default_code": code, "type": "consu", "is_storable": True}
        double.put("product.template", pid, dict(product))
        double.put(
            "product.product",
            pid,
            {
                **product,
                "product_tmpl_id": pid,
                "uom_id": uom,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 730,
                "removal_time": 30,
            },
        )
        double.put(
            "product.supplierinfo",
            pid + 200,
            {"partner_id": 70, "product_id": pid, "product_tmpl_id": pid, "product_code": sku, "price": 1.0},
        )
    (po,) = double.orm_create(
        "purchase.order",
        [
            {
                "name": "PO-EU-2026-0518",
                "partner_id": 70,
                "order_line": [
                    [
                        0,
                        0,
                        {
                            "product_id": 110,
                            "product_qty": 40,
                            "price_unit": 4.85,
                            "product_uom_id": 21,
                            "date_planned": "2026-12-15 12:00:00",
                        },
                    ],
                    [
                        0,
                        0,
                        {
                            "product_id": 111,
                            "product_qty": 6,
                            "price_unit": 118.40,
                            "product_uom_id": BX,
                            "date_planned": "2026-12-15 12:00:00",
                        },
                    ],
                ],
            }
        ],
    )
    double.m_purchase_order__button_confirm("purchase.order", [po], {})
    return double, po


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_alpenmeds_desadv_and_invoic_receive_and_bill_a_po_made_in_odoo(protocol: str) -> None:
    double, po = alpenmed_double()
    client, _ = make_client(double, protocol)
    partner = with_settings(load_alpenmed(), validate_receipts=True, post_bills=True)
    connector = OdooConnector(client, resolve={"alpenmed": partner}.get, clock=lambda: TODAY)

    def post(name: str) -> Posted:
        document = translated(name, "alpenmed")
        return connector.post(business_key("alpenmed", document), document)

    post("desadv-d96a.edi")
    (receipt,) = [p for p in double.records["stock.picking"].values() if p["purchase_id"] == po]
    assert receipt["state"] == "done"  # everything shipped: no backorder
    lots = {lot["name"]: lot["expiration_date"] for lot in double.records["stock.lot"].values()}
    assert lots == {"FD2611-0457": "2029-06-30 12:00:00", "SU2609-1183": "2029-11-30 12:00:00"}

    post("invoic-d96a.edi")
    (bill,) = double.records["account.move"].values()
    assert (bill["ref"], bill["invoice_origin"], bill["state"]) == ("RE-2026-300981", "PO-EU-2026-0518", "posted")
    lines = [li for li in double.records["account.move.line"].values() if li["move_id"] == bill["id"]]
    assert [(li.get("product_id"), li["quantity"], li["price_unit"]) for li in lines] == [
        (110, 40.0, 4.85),
        (111, 6.0, 118.4),
        (None, 1, 18.5),  # ALC FC "Fracht und Verpackung"
    ]


def load_alpenmed() -> Partner:
    partner, problems = load_partner(ROOT / "partners" / "alpenmed")
    assert partner is not None, problems
    return partner


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_cancelled_ship_notice_or_acknowledgement_changes_nothing_in_odoo(protocol: str) -> None:
    flow = ordered(protocol)
    asn: ShipNotice = translated("856-asn.edi")
    with pytest.raises(PermanentError, match=r"ship notice MER-ASN-0098812 is a cancel: .* receives original ship"):
        flow.post(asn.model_copy(update={"purpose": "cancel"}))
    ack: OrderAck = translated("855-ack.edi")
    with pytest.raises(PermanentError, match="is a cancel: the supplier withdraws its acknowledgement"):
        flow.post(ack.model_copy(update={"purpose": "cancel"}))
    assert flow.double.count(method="write") == 0 and flow.records("mail.message") == []
    assert flow.post(ack.model_copy(update={"purpose": "change"})).references  # a changed ack sets values again
