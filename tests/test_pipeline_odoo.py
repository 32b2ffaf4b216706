"""The pipeline with the Odoo connector chosen by settings, over the Odoo 19 double in process (JSON-2 and
XML-RPC): an 850 dropped in the folder inbox becomes exactly one purchase.order; a resend with new control
numbers is a business duplicate; Meridian's 850 → 855 → 856 → 810 flow, dropped file by file; St Mary's
eProcurement requisitions (no vendor) and an invoice for a PO Odoo lacks end in review with a plain finding;
an incomplete Odoo setting stops the start-up with a message naming the variable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli.main import cli
from gateway.connectors.odoo import OdooConnector
from gateway.partners import load_partners
from gateway.pipeline import Gateway, Settings, SettingsError, Worker
from gateway.pipeline.context import connectors_from
from gateway.pipeline.receive import receive
from gateway.store import Archive, Finding, Transaction, open_store
from gateway.transports import FolderTransport

from .support.odoo_double import OdooDouble, in_process_client
from .test_odoo_connector import KEY, seeded_double

ROOT = Path(__file__).resolve().parents[1]
MERIDIAN = ROOT / "partners/meridian/samples"
STMARY = ROOT / "partners/stmary-eproc/samples"
KEY_VARIABLE = "EDIGW_TEST_ODOO_KEY"
PO = "purchase.order"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def odoo_env(protocol: str, **changes: str) -> dict[str, str]:
    env = {
        "EDIGW_CONNECTOR": "odoo",
        "EDIGW_ODOO_URL": "http://odoo",
        "EDIGW_ODOO_DATABASE": "edi_test",
        "EDIGW_ODOO_LOGIN": "admin",
        "EDIGW_ODOO_PROTOCOL": protocol,
        "EDIGW_ODOO_KEY_ENV": KEY_VARIABLE,
        "EDIGW_ODOO_KEY_EXPIRES": "2027-06-30",
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v}


@pytest.fixture(params=["json2", "xmlrpc"])
def odoo(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> tuple[Gateway, OdooDouble, Path]:
    """A gateway whose production connector is Odoo (from settings), the double behind it, and the inbox."""
    double = seeded_double()
    settings = Settings.from_env(base=tmp_path, env=odoo_env(str(request.param)))
    partners = load_partners(ROOT / "partners")
    production, test = connectors_from(settings, partners, http=in_process_client(double), environ={KEY_VARIABLE: KEY})
    assert isinstance(production, OdooConnector) and test is None
    folder = FolderTransport(tmp_path / "inbox", tmp_path / "outbox", settle_seconds=0.0)
    gw = Gateway(
        store=open_store(database_url),
        archive=Archive(tmp_path / "archive"),
        partners=partners,
        partners_root=ROOT / "partners",
        maps_root=ROOT / "maps",
        connector=production,
        senders={"folder": folder},
        clock=Clock(),
    )
    return gw, double, tmp_path / "inbox"


def drop(gw: Gateway, inbox: Path, files: dict[str, bytes]) -> list[Transaction]:
    """Drop ``files`` in the folder inbox, take them in and drain the workers; every transaction, oldest first."""
    folder = gw.senders["folder"]
    assert isinstance(folder, FolderTransport)
    for where in (folder.inbox, folder.outbox):
        where.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    receive(gw, folder)  # the first look sees the files, the second claims them (settled: unchanged since)
    receive(gw, folder)
    Worker(gw).drain()
    with gw.store.session() as s:
        return list(s.execute(select(Transaction).order_by(Transaction.id)).scalars())


def findings(gw: Gateway, txn: Transaction) -> list[str]:
    with gw.store.session() as s:
        rows = s.execute(select(Finding).where(Finding.transaction_id == txn.id).order_by(Finding.id)).scalars()
        return [f"{f.code}: {f.message}" for f in rows]


def renumbered(data: bytes, interchange: str, group: str) -> bytes:
    """The same interchange resent with new control numbers (ISA13/IEA02 and GS06/GE02)."""
    segments = data.split(b"~")
    for i, segment in enumerate(segments):
        fields = segment.strip().split(b"*")
        if fields[0] == b"ISA":
            fields[13] = interchange.encode()
        elif fields[0] == b"IEA":
            fields[2] = interchange.encode()
        elif fields[0] == b"GS":
            fields[6] = group.encode()
        elif fields[0] == b"GE":
            fields[2] = group.encode()
        else:
            continue
        segments[i] = segment[: len(segment) - len(segment.lstrip())] + b"*".join(fields)
    return b"~".join(segments)


def purchase_orders(double: OdooDouble) -> dict[int, dict[str, object]]:
    return dict(double.records[PO])


def test_an_850_in_the_folder_inbox_becomes_one_purchase_order_exactly_once(
    odoo: tuple[Gateway, OdooDouble, Path],
) -> None:
    gw, double, inbox = odoo
    data = (MERIDIAN / "850-vmi-replenishment.edi").read_bytes()
    (txn,) = drop(gw, inbox, {"850.edi": data})
    assert txn.status == "posted", findings(gw, txn)
    pos = purchase_orders(double)
    assert len(pos) == 1
    ((po_id, po),) = pos.items()
    assert txn.erp_refs == [f"{PO},{po_id}"]
    assert po["origin"] == "meridian/purchase_order/MVMI-2026-0412"  # the business key, searched before create
    assert po["state"] == "purchase"  # confirmed (EDIGW_ODOO_CONFIRM defaults to true)
    assert po["partner_id"] == 50  # Meridian, vendor V10442

    # the same order resent in a new interchange: a business duplicate, no second PO, no call to create
    creates = double.count(model=PO, method="create")
    again = drop(gw, inbox, {"850-resent.edi": renumbered(data, "000004199", "4199")})
    assert [t.status for t in again] == ["posted", "duplicate"]
    assert purchase_orders(double).keys() == pos.keys()
    assert double.count(model=PO, method="create") == creates == 1


def test_requisitions_without_a_vendor_and_an_invoice_for_an_unknown_po_end_in_review(
    odoo: tuple[Gateway, OdooDouble, Path],
) -> None:
    gw, double, inbox = odoo
    files = {
        "810.edi": (MERIDIAN / "810-invoice.edi").read_bytes(),
        "icu.edi": (STMARY / "850-requisition-icu.edi").read_bytes(),
        "or.edi": (STMARY / "850-requisition-or.edi").read_bytes(),
    }
    txns = drop(gw, inbox, files)
    by_set = {(t.partner, t.set_id, t.business_number): t for t in txns}
    assert {t.status for t in txns} == {"review"}, [(k, t.status) for k, t in by_set.items()]
    invoice = next(t for t in txns if t.set_id == "810")
    (text,) = findings(gw, invoice)
    assert text.startswith("business.po_unknown: invoice MER-INV-5507731 names PO MVMI-2026-0412, which is not in Odoo")
    # St Mary's requisitions name no vendor (their profile has no odoo_vendor_ref, by design): review, not a guess
    for txn in (t for t in txns if t.partner == "stmary-eproc"):
        (text,) = findings(gw, txn)
        assert f"the vendor of PO {txn.business_number} is unknown" in text
        assert "odoo_vendor_ref" in text
    assert purchase_orders(double) == {}
    assert double.count(model=PO, method="create") == 0
    assert double.records["account.move"] == {}


def test_meridians_flow_through_the_folder_inbox_posts_each_document_once_and_reviews_the_substitution(
    odoo: tuple[Gateway, OdooDouble, Path],
) -> None:
    """850 → PO, 855 → acknowledged with its substitution in review, 856 → receipt prepared, an 810 with a price
    variance → review, the clean 810 → draft bill (Meridian's [odoo] settings); each file dropped again with new
    control numbers is a business duplicate, and nothing in Odoo is doubled."""
    gw, double, inbox = odoo
    names = ("850-vmi-replenishment.edi", "855-ack.edi", "856-asn.edi")
    for name in names:
        drop(gw, inbox, {name: (MERIDIAN / name).read_bytes()})
    # the 810 needs the goods received: the dock validates the receipt in Odoo
    (receipt,) = double.records["stock.picking"].values()
    assert receipt["state"] == "assigned"
    lines = [ml for ml in double.records["stock.move.line"].values() if ml["picking_id"] == receipt["id"]]
    assert sorted(str(ml["lot_name"]) for ml in lines) == ["GN2611M187", "SY2610A042"]
    double.m_stock_picking__button_validate("stock.picking", [receipt["id"]], {"skip_backorder": True})
    invoice = (MERIDIAN / "810-invoice.edi").read_bytes()
    # first an invoice with the gloves at 9.50 instead of 8.95 (and its own number): refused, nothing written
    dear = invoice.replace(b"MER-INV-5507731", b"MER-INV-5507799").replace(b"*BX*8.95*", b"*BX*9.50*")
    dear = renumbered(dear.replace(b"TDS*80450", b"TDS*82650"), "000004300", "4300")
    drop(gw, inbox, {"810-dear.edi": dear})
    assert double.records["account.move"] == {}
    txns = drop(gw, inbox, {"810-invoice.edi": invoice})

    status = {(t.set_id, t.business_number): t.status for t in txns}
    assert status == {
        ("850", "MVMI-2026-0412"): "posted",
        ("855", "MVMI-2026-0412"): "review",
        ("856", "MER-ASN-0098812"): "posted",
        ("810", "MER-INV-5507799"): "review",
        ("810", "MER-INV-5507731"): "posted",
    }, [(t.set_id, findings(gw, t)) for t in txns]
    (variance,) = findings(gw, next(t for t in txns if t.business_number == "MER-INV-5507799"))
    assert variance.startswith("match.price: Invoice MER-INV-5507799 line 1: unit price 9.5 per BX is 6.1 % off")
    ack = next(t for t in txns if t.set_id == "855")
    (text,) = findings(gw, ack)
    assert text.startswith("proposal.substitution: PO P00001 line 3 (MASK-PROCEDURE): the supplier proposes")
    ((po_id, po),) = purchase_orders(double).items()
    assert ack.erp_refs == [f"{PO},{po_id}"] and po["acknowledged"] is True
    (bill,) = double.records["account.move"].values()
    assert bill["state"] == "draft" and bill["ref"] == "MER-INV-5507731"

    # everything again, in new interchanges: business duplicates, nothing new in Odoo
    before = {model: len(double.records[model]) for model in ("purchase.order", "stock.picking", "account.move")}
    for n, name in enumerate((*names, "810-invoice.edi")):
        data = renumbered((MERIDIAN / name).read_bytes(), f"00000{5000 + n}", str(5000 + n))
        drop(gw, inbox, {f"again-{name}": data})
    with gw.store.session() as s:
        statuses = [t.status for t in s.execute(select(Transaction).order_by(Transaction.id)).scalars()]
    assert statuses[5:] == ["duplicate"] * 4
    assert {model: len(double.records[model]) for model in before} == before


# ---------------------------------------------------------------- settings


def test_the_odoo_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(base=tmp_path, env=odoo_env("xmlrpc", EDIGW_ODOO_CONFIRM="false"))
    assert settings.connector == "odoo" and settings.odoo is not None
    assert settings.odoo.url == "http://odoo" and settings.odoo.protocol == "xmlrpc"
    assert settings.odoo.api_key_env == KEY_VARIABLE and settings.odoo.api_key_file is None
    assert settings.odoo.api_key_expires is not None and settings.odoo.api_key_expires.isoformat() == "2027-06-30"
    assert settings.odoo_confirm is False
    assert Settings.from_env(base=tmp_path, env={}).connector == "json"
    key_file = Settings.from_env(
        base=tmp_path, env=odoo_env("auto", EDIGW_ODOO_KEY_ENV="", EDIGW_ODOO_KEY_FILE="odoo.key")
    )
    assert key_file.odoo is not None and key_file.odoo.api_key_file == str(tmp_path / "odoo.key")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"EDIGW_ODOO_URL": ""}, "EDIGW_ODOO_URL is not set"),
        ({"EDIGW_ODOO_URL": "odoo.example.com"}, "EDIGW_ODOO_URL"),
        ({"EDIGW_CONNECTOR": "sap"}, "EDIGW_CONNECTOR"),
        ({"EDIGW_ODOO_PROTOCOL": "soap"}, "EDIGW_ODOO_PROTOCOL"),
        ({"EDIGW_ODOO_LOGIN": ""}, "EDIGW_ODOO_LOGIN"),
        ({"EDIGW_ODOO_KEY_ENV": ""}, "EDIGW_ODOO_KEY_ENV"),
        ({"EDIGW_ODOO_KEY_FILE": "odoo.key"}, "exactly one of EDIGW_ODOO_KEY_ENV"),
        ({"EDIGW_ODOO_KEY_ENV": "0123456789abcdef-secret"}, "not the key itself"),
        ({"EDIGW_ODOO_KEY_EXPIRES": "30/06/2027"}, "EDIGW_ODOO_KEY_EXPIRES"),
        ({"EDIGW_ODOO_CONFIRM": "maybe"}, "EDIGW_ODOO_CONFIRM"),
    ],
)
def test_a_missing_or_invalid_odoo_setting_is_a_clear_error(
    tmp_path: Path, changes: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named) as caught:
        Settings.from_env(base=tmp_path, env=odoo_env("xmlrpc", **changes))
    assert "secret" not in str(caught.value)  # a key written in the wrong place is not repeated


def test_an_unset_key_variable_stops_the_start_up_naming_it(tmp_path: Path) -> None:
    settings = Settings.from_env(base=tmp_path, env=odoo_env("json2"))
    with pytest.raises(SettingsError, match=f"EDIGW_ODOO_KEY_ENV: .*{KEY_VARIABLE} is not set"):
        connectors_from(settings, load_partners(ROOT / "partners"), environ={})


def test_the_cli_prints_a_settings_error_and_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("EDIGW_ODOO_URL", "EDIGW_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDIGW_CONNECTOR", "odoo")
    result = CliRunner().invoke(cli, ["worker", "--drain"])
    assert result.exit_code == 2, result.output
    assert "error: EDIGW_CONNECTOR is odoo but EDIGW_ODOO_URL is not set" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
