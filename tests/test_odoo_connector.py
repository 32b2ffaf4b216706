"""The Odoo connector against the Odoo 19 double, over JSON-2 and XML-RPC: Meridian's 850 (translated with the
repo's maps) becomes one purchase.order, exactly once, through timeouts, commits whose answer was lost, a crash
between create and confirm, and resends with new control numbers; three calls per 850 on a warm cache; and
plain messages naming what to fix when Odoo lacks a vendor, product or unit."""

from __future__ import annotations

import xmlrpc.client
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from gateway.connectors.base import BusinessKey, PermanentError, Posted, TransientError
from gateway.connectors.odoo import OdooClient, OdooConfig
from gateway.connectors.odoo.connector import OdooConnector
from gateway.documents.models import PurchaseOrder
from gateway.mapping.service import translate_file
from gateway.partners import Partner, load_partner
from gateway.pipeline.stages import business_key

from .conftest import ROOT
from .support.odoo_double import OdooDouble, SyncASGITransport, UserError, serve_on_localhost

KEY = "k3y-0123456789abcdef-SECRET"
PROTOCOLS = ["json2", "xmlrpc"]
PO = "purchase.order"
VENDOR = 50  # res.partner id of Meridian in the double
BX, EA = 20, 21  # uom.uom ids
# Meridian's items as Odoo knows them: our product code, the vendor's code, and the product's id
PRODUCTS = {
    "GLOVE-NITRILE-M": ("MER-GLV-NIT-M", 100),
    "SYRINGE-10ML-LL": ("MER-SYR-10LL", 101),
    "MASK-PROCEDURE": ("MER-MASK-PROC", 102),
}


# ---------------------------------------------------------------- fixtures


def seeded_double(*, skip: str = "") -> OdooDouble:
    """The double with Meridian as vendor V10442, its three products with vendor lines, and the units BX, EA."""
    double = OdooDouble(api_key=KEY, password=KEY)
    double.put("res.partner", VENDOR, {"name": "Meridian Medical Supply", "ref": "V10442", "is_company": True})
    double.put("uom.uom", BX, {"name": "BX"})
    double.put("uom.uom", EA, {"name": "EA"})
    for n, (code, (sku, pid)) in enumerate(PRODUCTS.items()):
        product = {"name": code.title(), "default_code": code, "type": "consu", "is_storable": True}
        double.put("product.template", pid, dict(product))
        double.put("product.product", pid, {**product, "product_tmpl_id": pid, "uom_id": BX, "tracking": "none"})
        if code != skip:
            double.put(
                "product.supplierinfo",
                200 + n,
                {
                    "partner_id": VENDOR,
                    "product_id": pid,
                    "product_tmpl_id": pid,
                    "product_code": sku,
                    "price": 1.0,
                    "min_qty": 0.0,
                    "delay": 3,
                    "currency_id": 1,
                    "sequence": 1,
                },
            )
    return double


def meridian() -> Partner:
    partner, problems = load_partner(ROOT / "partners" / "meridian")
    assert partner is not None, problems
    return partner


def meridian_850() -> PurchaseOrder:
    """Meridian's VMI replenishment 850, translated with its map, as the pipeline does."""
    data = (ROOT / "partners" / "meridian" / "samples" / "850-vmi-replenishment.edi").read_bytes()
    outcomes = list(
        translate_file(data, maps_root=ROOT / "maps", partner="meridian", partner_dir=ROOT / "partners" / "meridian")
    )
    assert len(outcomes) == 1 and outcomes[0].ok, outcomes[0].findings
    translation = outcomes[0].translation
    assert translation is not None and isinstance(translation.document, PurchaseOrder)
    return translation.document


def resent(order: PurchaseOrder, **changes: Any) -> PurchaseOrder:
    """The same order in a new interchange: new control numbers (and any other changes)."""
    provenance = order.provenance.model_copy(
        update={"interchange_control": "000009999", "group_control": "9999", "transaction_control": "0042"}
    )
    return order.model_copy(update={"provenance": provenance, **changes})


class Tap(httpx.BaseTransport):
    """The in-process transport, with one-shot faults the double cannot make: a call that reaches Odoo and runs
    but whose answer never comes back (``lose_answer``), and a call that never leaves (``refuse``)."""

    def __init__(self, double: OdooDouble) -> None:
        self._inner = SyncASGITransport(double.app)
        self.rules: list[tuple[str, str, str]] = []

    def lose_answer(self, model: str, method: str) -> None:
        self.rules.append((model, method, "lose"))

    def refuse(self, model: str, method: str) -> None:
        self.rules.append((model, method, "refuse"))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = _target(request)
        for rule in self.rules:
            if rule[:2] == target:
                self.rules.remove(rule)
                if rule[2] == "refuse":
                    raise httpx.ConnectError("connection refused", request=request)
                self._inner.handle_request(request)
                raise httpx.ReadTimeout("timed out", request=request)
        return self._inner.handle_request(request)


def _target(request: httpx.Request) -> tuple[str, str]:
    parts = request.url.path.split("/")
    if request.url.path.startswith("/json/2/") and len(parts) == 5:
        return parts[3], parts[4]
    if request.url.path == "/xmlrpc/2/object":
        params, _ = xmlrpc.client.loads(request.read())
        return str(params[3]), str(params[4])
    return "", ""


def make_client(double: OdooDouble, protocol: str) -> tuple[OdooClient, Tap]:
    tap = Tap(double)
    config = OdooConfig("http://odoo", "edi_test", "admin", protocol=protocol)  # type: ignore[arg-type]
    return OdooClient(config, api_key=KEY, http=httpx.Client(transport=tap, base_url="http://odoo")), tap


def make_connector(double: OdooDouble, protocol: str, *, confirm: bool = True) -> tuple[OdooConnector, Tap]:
    client, tap = make_client(double, protocol)
    partners = {"meridian": meridian()}
    return OdooConnector(client, resolve=partners.get, confirm=confirm), tap


def orders(double: OdooDouble) -> list[dict[str, Any]]:
    return list(double.records[PO].values())


def only_order(double: OdooDouble) -> dict[str, Any]:
    found = orders(double)
    assert len(found) == 1, f"{len(found)} purchase orders in Odoo"
    return found[0]


# ---------------------------------------------------------------- the 850 as a purchase.order


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_850_becomes_one_confirmed_purchase_order(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    key = business_key("meridian", order)
    assert key.text == "meridian/purchase_order/MVMI-2026-0412"

    posted = connector.post(key, order)

    po = only_order(double)
    assert posted == Posted(references=(f"purchase.order,{po['id']}",), already=False)
    assert connector.name == "odoo"
    assert po["partner_id"] == VENDOR and po["state"] == "purchase"
    assert po["origin"] == key.text  # the business key, in the field Odoo searches; partner_ref untouched
    assert "partner_ref" not in po
    assert po["date_order"] == "2026-12-01 12:00:00"
    lines = sorted(double.records["purchase.order.line"].values(), key=lambda li: li["id"])
    got = [
        (li["product_id"], li["product_qty"], li["price_unit"], li["product_uom_id"], li["date_planned"])
        for li in lines
    ]
    assert got == [
        (100, 40.0, 8.95, BX, "2026-12-04 12:00:00"),
        (101, 120.0, 4.21, BX, "2026-12-04 12:00:00"),  # 12 CA = 120 BX at 42.10 / 10
        (102, 20.0, 6.8, BX, "2026-12-04 12:00:00"),
    ]
    assert double.records["stock.picking"], "confirming made the receipt"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_three_calls_per_850_on_a_warm_cache(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    connector.post(business_key("meridian", order), order)
    cold = double.count(protocol=protocol)
    double.calls.clear()

    second = order.model_copy(update={"po_number": "MVMI-2026-0413"})
    connector.post(business_key("meridian", second), second)

    assert double.count(protocol=protocol) == 3, double.calls
    assert double.count(protocol, PO, "search_read") == 1
    assert double.count(protocol, PO, "create") == 1
    assert double.count(protocol, PO, "button_confirm") == 1
    # cold: + vendor search, one batched supplierinfo read, one unit read (+ version and authenticate over XML-RPC)
    assert cold == 6 + (2 if protocol == "xmlrpc" else 0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_left_as_an_rfq_when_the_connector_does_not_confirm(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol, confirm=False)
    order = meridian_850()
    connector.post(business_key("meridian", order), order)
    double.calls.clear()
    second = order.model_copy(update={"po_number": "MVMI-2026-0413"})
    connector.post(business_key("meridian", second), second)

    assert double.count(protocol=protocol) == 2
    assert [po["state"] for po in orders(double)] == ["draft", "draft"]
    assert double.count(method="button_confirm") == 0


# ---------------------------------------------------------------- exactly once


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_resend_with_new_control_numbers_finds_the_po(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    first = connector.post(business_key("meridian", order), order)
    double.calls.clear()

    again = resent(order)
    assert business_key("meridian", again) == business_key("meridian", order)
    posted = connector.post(business_key("meridian", again), again)

    assert posted == Posted(references=first.references, already=True)
    assert len(orders(double)) == 1
    assert double.count(protocol=protocol) == 1  # the search by key, nothing else


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_create_committed_then_failed_is_found_not_repeated(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    double.commit_then_fail(PO, "create")  # Odoo created the PO, then answered 500 / fault 1

    posted = connector.post(business_key("meridian", order), order)

    po = only_order(double)
    assert posted == Posted(references=(f"purchase.order,{po['id']}",), already=False)
    assert po["state"] == "purchase"
    assert double.count(protocol, PO, "create") == 1
    assert double.count(protocol, PO, "search_read") == 2  # before creating, and again after the failure


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_create_whose_answer_was_lost_is_found_not_repeated(protocol: str) -> None:
    double = seeded_double()
    connector, tap = make_connector(double, protocol)
    order = meridian_850()
    tap.lose_answer(PO, "create")  # Odoo ran it; the gateway saw a read timeout

    posted = connector.post(business_key("meridian", order), order)

    assert only_order(double)["state"] == "purchase"
    assert not posted.already
    assert double.count(protocol, PO, "create") == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_timeout_on_create_is_transient_and_the_retry_creates_once(protocol: str) -> None:
    double = seeded_double()
    double.timeout_seconds = 1.5
    double.timeout_next(PO, "create")
    order = meridian_850()
    key = business_key("meridian", order)
    with serve_on_localhost(double) as url:
        config = OdooConfig(url, "edi_test", "admin", protocol=protocol, timeout=0.5)  # type: ignore[arg-type]
        client = OdooClient(config, api_key=KEY)
        connector = OdooConnector(client, resolve={"meridian": meridian()}.get)
        with client:
            with pytest.raises(TransientError) as info:
                connector.post(key, order)
            assert "did not answer" in info.value.message
            assert orders(double) == []  # the double never ran it; the connector looked again before saying so
            assert double.count(protocol, PO, "search_read") == 2

            posted = connector.post(key, order)  # the pipeline's retry

    assert only_order(double)["state"] == "purchase"
    assert not posted.already
    assert double.count(protocol, PO, "create") == 2  # the timed-out one (never applied) and the retry


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_crash_between_create_and_confirm_resumes_at_confirm(protocol: str) -> None:
    double = seeded_double()
    connector, tap = make_connector(double, protocol)
    order = meridian_850()
    key = business_key("meridian", order)
    tap.refuse(PO, "button_confirm")  # the PO is committed; the confirm never reaches Odoo

    with pytest.raises(TransientError):
        connector.post(key, order)
    assert only_order(double)["state"] == "draft"

    posted = connector.post(key, resent(order))

    po = only_order(double)
    assert po["state"] == "purchase"
    assert posted == Posted(references=(f"purchase.order,{po['id']}",), already=True)
    assert double.count(protocol, PO, "create") == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_refused_confirm_goes_to_review_and_the_next_post_confirms(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    key = business_key("meridian", order)
    double.fail_next(PO, "button_confirm", UserError("The vendor is blocked."))

    with pytest.raises(PermanentError, match="The vendor is blocked"):
        connector.post(key, order)
    assert only_order(double)["state"] == "draft"

    assert connector.post(key, order).already
    assert only_order(double)["state"] == "purchase"
    assert double.count(protocol, PO, "create") == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_confirm_committed_then_failed_counts_as_confirmed(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    double.commit_then_fail(PO, "button_confirm")

    posted = connector.post(business_key("meridian", order), order)

    assert only_order(double)["state"] == "purchase" and not posted.already
    assert double.count(protocol, PO, "button_confirm") == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_change_has_its_own_key_and_never_makes_a_second_po(protocol: str) -> None:
    double = seeded_double()
    connector, _ = make_connector(double, protocol)
    order = meridian_850()
    original = connector.post(business_key("meridian", order), order)

    change = resent(order, purpose="change")
    key = business_key("meridian", change)
    assert key.revision and key.text != business_key("meridian", order).text
    assert key.text.startswith("meridian/purchase_order/MVMI-2026-0412/")

    refused = r"is a change: the Odoo connector creates new orders only; apply it in Odoo by hand"
    with pytest.raises(PermanentError, match=refused):
        connector.post(key, change)
    assert len(orders(double)) == 1
    assert only_order(double)["origin"] == "meridian/purchase_order/MVMI-2026-0412"
    assert original.references == (f"purchase.order,{only_order(double)['id']}",)


def test_a_cancelled_po_sent_again_goes_to_review() -> None:
    double = seeded_double()
    connector, _ = make_connector(double, "json2")
    order = meridian_850()
    connector.post(business_key("meridian", order), order)
    only_order(double)["state"] = "cancel"

    with pytest.raises(PermanentError, match="was cancelled in Odoo"):
        connector.post(business_key("meridian", order), resent(order))
    assert len(orders(double)) == 1


# ---------------------------------------------------------------- what a person must fix


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_unknown_vendor_product_names_what_to_fix(protocol: str) -> None:
    double = seeded_double(skip="SYRINGE-10ML-LL")
    connector, _ = make_connector(double, protocol)
    order = meridian_850()

    with pytest.raises(PermanentError) as info:
        connector.post(business_key("meridian", order), order)

    assert not info.value.transient
    assert (
        "line 2: no product.supplierinfo with product_code MER-SYR-10LL for vendor V10442: add it in Odoo "
        "(the vendor line of product SYRINGE-10ML-LL) or fix " in info.value.message
    )
    assert info.value.message.endswith("partners/meridian/crosswalks/items.csv")
    assert orders(double) == [] and double.count(method="create") == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_vendor_missing_in_odoo_names_what_to_fix(protocol: str) -> None:
    double = seeded_double()
    double.records["res.partner"][VENDOR]["ref"] = "V-OTHER"
    connector, _ = make_connector(double, protocol)
    order = meridian_850()

    with pytest.raises(PermanentError) as info:
        connector.post(business_key("meridian", order), order)

    assert info.value.message.startswith("no vendor with reference V10442 in Odoo: set it as the Reference of")
    assert info.value.message.endswith("partners/meridian/partner.toml")
    assert orders(double) == []


def test_the_vendor_comes_from_the_party_crosswalk_when_the_profile_has_none() -> None:
    double = seeded_double()
    partner = meridian()
    info = partner.profile.partner.model_copy(update={"odoo_vendor_ref": ""})
    profile = partner.profile.model_copy(update={"partner": info})
    hub = Partner(profile=profile, folder=partner.folder, crosswalks=partner.crosswalks)
    client, _ = make_client(double, "json2")
    connector = OdooConnector(client, resolve={"meridian": hub}.get)
    order = meridian_850()  # names the vendor as 92/V10442, which parties.csv maps to V10442

    connector.post(business_key("meridian", order), order)
    assert only_order(double)["partner_id"] == VENDOR

    no_vendor = resent(order, po_number="X-1", parties=[p for p in order.parties if p.role != "vendor"])
    with pytest.raises(PermanentError, match="the vendor of PO X-1 is unknown: set odoo_vendor_ref in"):
        connector.post(business_key("meridian", no_vendor), no_vendor)


def test_an_item_or_unit_missing_from_the_crosswalks_names_the_file() -> None:
    double = seeded_double()
    connector, _ = make_connector(double, "json2")
    order = meridian_850()
    line = order.lines[0].model_copy(
        update={"item_ids": [order.lines[0].item_ids[0].model_copy(update={"value": "NEW-1"})]}
    )
    unknown_item = resent(order, po_number="X-2", lines=[line])
    with pytest.raises(
        PermanentError, match=r"line 1: no item crosswalk row for vendor_sku NEW-1: add it to .*items\.csv"
    ):
        connector.post(business_key("meridian", unknown_item), unknown_item)

    odd_unit = resent(order, po_number="X-3", lines=[order.lines[0].model_copy(update={"uom": "DZ"})])
    with pytest.raises(PermanentError, match=r"line 1: no unit crosswalk row for DZ: add it to .*uom\.csv"):
        connector.post(business_key("meridian", odd_unit), odd_unit)
    assert orders(double) == []


def test_other_documents_are_refused_plainly() -> None:
    class Remittance(BaseModel):
        number: str

    connector, _ = make_connector(seeded_double(), "json2")
    with pytest.raises(PermanentError, match="does not post Remittance"):
        connector.post(BusinessKey("meridian", "invoice", "INV-1"), Remittance(number="1"))


def test_quantities_and_prices_leave_as_floats_from_decimals() -> None:
    double = seeded_double()
    connector, _ = make_connector(double, "json2")
    order = meridian_850()
    line = order.lines[0].model_copy(update={"quantity": Decimal("2.5"), "unit_price": Decimal("0.1")})
    small = resent(order, po_number="X-4", lines=[line])
    connector.post(business_key("meridian", small), small)
    (po_line,) = double.records["purchase.order.line"].values()
    assert (po_line["product_qty"], po_line["price_unit"]) == (2.5, 0.1)
