"""The Odoo client against the Odoo 19 double and the recorded contract: both protocols, probing, every
recorded error shape mapped onto the project's errors, the committed-then-failed fault, timeouts, the key
kept out of messages and logs, and the per-version field map."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import xmlrpc.client
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

import gateway.connectors.odoo
from gateway.connectors.base import PermanentError, TransientError
from gateway.connectors.odoo import (
    FieldMap,
    OdooClient,
    OdooCommittedError,
    OdooConfig,
    OdooPermanentError,
    OdooTransientError,
    load_api_key,
)

from .support.odoo_double import (
    CONTRACT,
    AccessError,
    MissingError,
    OdooDouble,
    OdooError,
    PythonError,
    UserError,
    ValidationError,
    in_process_client,
    serve_on_localhost,
)

KEY = "k3y-0123456789abcdef-SECRET"
PROTOCOLS = ["json2", "xmlrpc"]


def make_double() -> OdooDouble:
    # XML-RPC authenticates with the API key as the password, so the double accepts the same secret on both
    return OdooDouble(api_key=KEY, password=KEY)


def make_client(double: OdooDouble, protocol: str, **config: Any) -> OdooClient:
    key = config.pop("api_key", KEY)
    settings: dict[str, Any] = {"url": "http://odoo", "database": "edi_test", "login": "admin", "protocol": protocol}
    settings.update(config)
    return OdooClient(OdooConfig(**settings), api_key=key, http=in_process_client(double))


@pytest.fixture
def double() -> OdooDouble:
    return make_double()


def test_public_api_is_pinned() -> None:
    assert sorted(gateway.connectors.odoo.__all__) == [
        "FieldMap",
        "OdooClient",
        "OdooCommittedError",
        "OdooConfig",
        "OdooConnector",
        "OdooPermanentError",
        "OdooTransientError",
        "check_key_expiry",
        "load_api_key",
    ]


# ---------------------------------------------------------------- both protocols, one interface


def _vendor_and_product(client: OdooClient) -> tuple[int, int]:
    [vendor] = client.create(
        "res.partner", [{"name": "ACME Medical", "is_company": True, "ref": "EDI-ACME", "supplier_rank": 1}]
    )
    [product] = client.create(
        "product.product",
        [
            {
                "name": "Saline 500ml",
                "default_code": "EDI-SKU-1",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "standard_price": Decimal("8.50"),
                "seller_ids": [
                    [
                        0,
                        0,
                        {
                            "partner_id": vendor,
                            "product_code": "ACME-9001",
                            "product_name": "Saline",
                            "price": Decimal("8.5"),
                        },
                    ]
                ],
            }
        ],
    )
    return vendor, product


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_search_create_read_write_over(protocol: str, double: OdooDouble) -> None:
    with make_client(double, protocol) as client:
        assert client.protocol == protocol
        assert client.search("res.partner", [["ref", "=", "EDI-ACME"]], limit=1) == []
        vendor, product = _vendor_and_product(client)
        assert client.search("res.partner", [["ref", "=", "EDI-ACME"]], limit=1) == [vendor]
        found = client.search_read(
            "product.supplierinfo", [["partner_id", "=", vendor], ["product_code", "=", "ACME-9001"]], ["product_id"]
        )
        assert len(found) == 1 and found[0]["product_id"][0] == product
        [po] = client.create(
            "purchase.order",
            [
                {
                    "partner_id": vendor,
                    "origin": "EDI850-ACME-4500012345",
                    "order_line": [
                        [
                            0,
                            0,
                            {
                                "product_id": product,
                                "product_qty": 12,
                                "price_unit": Decimal("8.00"),
                                "date_planned": dt.datetime(2026, 12, 18, 17, 0, tzinfo=dt.UTC),
                            },
                        ]
                    ],
                }
            ],
        )
        assert client.call("purchase.order", "button_confirm", ids=[po]) is True
        [read] = client.read("purchase.order", [po], ["state", "partner_id", "order_line"])
        assert read["id"] == po and read["state"] == "purchase" and read["partner_id"][0] == vendor
        [line] = client.read("purchase.order.line", read["order_line"], ["price_unit", "date_planned", "tax_ids"])
        assert line["price_unit"] == 8.0 and line["date_planned"] == "2026-12-18 17:00:00"
        assert client.write("purchase.order", [po], {"partner_ref": "SO-778"}) is True
        assert client.read("purchase.order", [po], ["partner_ref"])[0]["partner_ref"] == "SO-778"
        # reads of missing ids are not errors: [] alone, dropped silently in a mixed list
        assert client.read("purchase.order", [999999], ["name"]) == []
        assert [r["id"] for r in client.read("purchase.order", [po, 999999], ["name"])] == [po]
    assert double.count(protocol=protocol, model="purchase.order", method="create") == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_action_post_false_is_success(protocol: str, double: OdooDouble) -> None:
    with make_client(double, protocol) as client:
        vendor, product = _vendor_and_product(client)
        [bill] = client.create(
            "account.move",
            [
                {
                    "move_type": "in_invoice",
                    "partner_id": vendor,
                    "invoice_date": dt.date(2026, 11, 28),
                    "ref": "INV-1",
                    "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 1, "price_unit": 8.0}]],
                }
            ],
        )
        assert client.call("account.move", "action_post", ids=[bill]) is False
        assert client.read("account.move", [bill], ["state"])[0]["state"] == "posted"
        with pytest.raises(OdooPermanentError) as info:  # posting twice: Odoo's message kept
            client.call("account.move", "action_post", ids=[bill])
        assert info.value.kind == "business" and "must be in draft" in info.value.message


def test_xmlrpc_authenticates_once(double: OdooDouble) -> None:
    with make_client(double, "xmlrpc", version=19) as client:
        client.search("res.partner", [])
        client.search("res.partner", [])
    assert double.count(model="common", method="authenticate") == 1


def test_model_methods_refuse_ids_and_write_needs_ids(double: OdooDouble) -> None:
    with make_client(double, "json2") as client:
        with pytest.raises(OdooPermanentError, match="takes no ids"):
            client.call("purchase.order", "search", ids=[1], domain=[])
        with pytest.raises(OdooPermanentError, match="needs ids"):
            client.write("purchase.order", [], {"origin": "x"})
    assert double.count() == 0


# ---------------------------------------------------------------- choosing the protocol


def test_auto_probes_version_info_once_and_picks_json2(double: OdooDouble) -> None:
    with make_client(double, "auto") as client:
        assert client.protocol == "json2" and client.version == 19
        client.search("res.partner", [])
        client.search("res.partner", [])
    assert double.count(protocol="http", method="version_info") == 1
    assert double.count(protocol="json2") == 2 and double.count(protocol="xmlrpc") == 0


@pytest.mark.parametrize(
    ("info", "protocol", "major"),
    [
        ([17, 0, 0, "final", 0, ""], "xmlrpc", 17),
        (["saas~18", 2, 0, "final", 0, ""], "xmlrpc", 18),
        ([19, 0, 0, "final", 0, ""], "json2", 19),
        ([20, 0, 0, "alpha", 1, ""], "json2", 20),
    ],
)
def test_auto_picks_the_protocol_by_major_version(info: list[Any], protocol: str, major: int) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/web/webclient/version_info"
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": None, "result": {"server_version_info": info}})

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://odoo")
    client = OdooClient(OdooConfig("http://odoo", database="db", login="edi"), api_key=KEY, http=http)
    assert (client.protocol, client.version) == (protocol, major)


def test_configured_xmlrpc_reads_the_version_from_common(double: OdooDouble) -> None:
    with make_client(double, "xmlrpc") as client:
        assert client.version == 19
    assert double.count(model="common", method="version") == 1


def test_auto_probe_of_something_that_is_not_odoo_is_permanent() -> None:
    http = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html/>")), base_url="http://x"
    )
    client = OdooClient(OdooConfig("http://x"), api_key=KEY, http=http)
    with pytest.raises(OdooPermanentError, match="version_info"):
        client.search("res.partner", [])


# ---------------------------------------------------------------- every recorded error shape

# (case label, transport) -> (error class, kind) for each failing exchange of errors.jsonl
EXPECTED: dict[tuple[str, str], tuple[type[Exception], str]] = {
    ("auth.bad_api_key", "json2"): (OdooPermanentError, "auth"),
    ("auth.missing_authorization_header", "json2"): (OdooPermanentError, "auth"),
    ("db.database_not_served", "json2"): (OdooPermanentError, "database"),
    ("http.invalid_json_body", "json2"): (OdooPermanentError, "request"),
    ("http.wrong_content_type", "json2"): (OdooPermanentError, "request"),
    ("http.get_instead_of_post", "json2"): (OdooPermanentError, "not_found"),
    ("http.path_without_method", "json2"): (OdooPermanentError, "not_found"),
    ("dispatch.private_method", "json2"): (OdooPermanentError, "access"),
    ("dispatch.private_method", "xmlrpc"): (OdooPermanentError, "access"),
    ("dispatch.missing_model", "json2"): (OdooPermanentError, "not_found"),
    ("dispatch.missing_model", "xmlrpc"): (OdooPermanentError, "not_found"),
    ("dispatch.missing_method", "json2"): (OdooPermanentError, "not_found"),
    ("dispatch.missing_method", "xmlrpc"): (OdooPermanentError, "not_found"),
    ("dispatch.keyword_typo", "json2"): (OdooPermanentError, "request"),
    ("dispatch.keyword_typo", "xmlrpc"): (OdooPermanentError, "request"),
    ("dispatch.keyword_typo_strict_signature", "json2"): (OdooPermanentError, "request"),
    ("dispatch.keyword_typo_strict_signature", "xmlrpc"): (OdooPermanentError, "request"),
    ("dispatch.keyword_typo_read", "json2"): (OdooPermanentError, "request"),
    ("dispatch.positional_args_in_body", "json2"): (OdooPermanentError, "request"),
    ("dispatch.model_method_with_ids", "json2"): (OdooPermanentError, "request"),
    ("record.write_missing_id", "json2"): (OdooPermanentError, "missing_record"),
    ("record.write_missing_id", "xmlrpc"): (OdooPermanentError, "missing_record"),
    ("create.missing_required_field", "json2"): (OdooPermanentError, "business"),
    ("create.missing_required_field", "xmlrpc"): (OdooPermanentError, "business"),
    ("create.unknown_field", "json2"): (OdooPermanentError, "request"),
    ("create.unknown_field", "xmlrpc"): (OdooPermanentError, "request"),
    ("write.unknown_field", "json2"): (OdooPermanentError, "request"),
    ("create.bad_selection_value", "json2"): (OdooPermanentError, "request"),
    ("create.wrong_many2one_id", "json2"): (OdooPermanentError, "missing_record"),
    ("create.vals_list_as_keyword", "xmlrpc"): (OdooPermanentError, "request"),
    ("write.done_picking_operation_type", "json2"): (OdooPermanentError, "business"),
    ("write.done_picking_operation_type", "xmlrpc"): (OdooPermanentError, "business"),
    ("write.done_move_uom", "json2"): (OdooPermanentError, "business"),
    ("unlink.done_picking", "json2"): (OdooPermanentError, "business"),
    ("validate.tracked_product_without_lot", "json2"): (OdooPermanentError, "business"),
    ("validate.tracked_product_without_lot", "xmlrpc"): (OdooPermanentError, "business"),
    ("unlink.confirmed_po", "json2"): (OdooPermanentError, "business"),
    ("unlink.confirmed_po", "xmlrpc"): (OdooPermanentError, "business"),
    ("post.already_posted_bill", "json2"): (OdooPermanentError, "business"),
    ("post.already_posted_bill", "xmlrpc"): (OdooPermanentError, "business"),
    ("write.posted_bill_lines", "json2"): (OdooPermanentError, "business"),
    ("validation.duplicate_lot", "json2"): (OdooPermanentError, "business"),
    ("validation.duplicate_lot", "xmlrpc"): (OdooPermanentError, "business"),
    ("xmlrpc.none_result", "xmlrpc"): (OdooCommittedError, "committed"),
    ("auth.wrong_password.authenticate", "xmlrpc"): (OdooPermanentError, "auth"),
    ("auth.wrong_password.execute_kw", "xmlrpc"): (OdooPermanentError, "auth"),
    ("db.unknown_database", "xmlrpc"): (OdooPermanentError, "database"),
}
# the redaction wrote these placeholders unescaped into XML-RPC fault strings, so the recorded XML is not
# well-formed; a real server escapes them, and so does the replay
_REDACTED = re.compile(r"<(odoo|site-packages|python-stdlib|db-host|db-port)>")


def _recorded() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CONTRACT / "errors.jsonl").read_text().splitlines() if line.strip()]


def _is_failure(line: dict[str, Any]) -> bool:
    body = line["response_body"]
    if line["transport"] == "xmlrpc":
        return "<fault>" in body or line["step"] == "auth.wrong_password.authenticate"
    return bool(line["status"] != 200)


RECORDED = _recorded()
FAILURES = [line for line in RECORDED if _is_failure(line)]
SUCCESSES = [line for line in RECORDED if not _is_failure(line)]


def _replaying(line: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """A transport answering the recorded response (and, for XML-RPC, a good authenticate before it)."""
    headers = dict(line["response_headers"])
    body = line["response_body"]
    content = json.dumps(body) if not isinstance(body, str) else _REDACTED.sub(r"&lt;\1&gt;", body)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/xmlrpc/2/common" and line["path"] != "/xmlrpc/2/common":
            return httpx.Response(200, content=xmlrpc.client.dumps((2,), methodresponse=True))
        return httpx.Response(line["status"], headers=headers, content=content.encode("utf-8"))

    return answer


def _recorded_call(line: dict[str, Any]) -> tuple[str, str]:
    if line["transport"] == "json2":
        parts = [*line["path"].split("/")[3:], "search"]
        return parts[0], parts[1]
    if line["path"] == "/xmlrpc/2/common":
        return "res.partner", "search"
    params, _ = xmlrpc.client.loads(line["request_body"])
    return str(params[3]), str(params[4])


def _replay_client(line: dict[str, Any]) -> OdooClient:
    http = httpx.Client(transport=httpx.MockTransport(_replaying(line)), base_url="http://odoo")
    config = OdooConfig("http://odoo", "edi_test", "admin", protocol=line["transport"], version=19)
    return OdooClient(config, api_key=KEY, http=http)


def test_every_recorded_failure_has_an_expectation() -> None:
    assert sorted({(line["case"], line["transport"]) for line in FAILURES}) == sorted(EXPECTED)


@pytest.mark.parametrize("line", FAILURES, ids=[f"{x['transport']}:{x['step']}" for x in FAILURES])
def test_recorded_failure_maps_onto_the_project_errors(line: dict[str, Any]) -> None:
    cls, kind = EXPECTED[line["case"], line["transport"]]
    model, method = _recorded_call(line)
    with _replay_client(line) as client, pytest.raises(cls) as info:
        client.call(model, method)
    err = info.value
    assert isinstance(err, PermanentError) and not err.transient
    assert isinstance(err, OdooPermanentError) and err.kind == kind
    assert err.committed is (kind == "committed")
    body = line["response_body"]
    if kind == "business" and isinstance(body, dict):  # Odoo's message is kept for review
        assert body["message"] in err.message
    if kind == "business" and isinstance(body, str):
        fault = re.search(r"<name>faultString</name>\s*<value><string>(.*?)</string>", body, re.S)
        assert fault is not None and " ".join(fault.group(1).split()) in " ".join(err.message.split())
    if kind == "auth":
        assert "API key" in err.message
    if kind == "access":
        assert "access rights" in err.message
    if line["status"] == 500:
        assert _last_exception(body["debug"]) in err.message
    assert KEY not in str(err)


def _last_exception(debug: str) -> str:
    last = debug.strip().splitlines()[-1]
    return last.split(": ", 1)[1]


@pytest.mark.parametrize("line", SUCCESSES, ids=[f"{x['transport']}:{x['step']}" for x in SUCCESSES])
def test_recorded_successes_are_returned_as_they_are(line: dict[str, Any]) -> None:
    model, method = _recorded_call(line)
    with _replay_client(line) as client:
        result = client.call(model, method)
    expected = line["response_body"]
    if line["transport"] == "xmlrpc":
        expected = xmlrpc.client.loads(expected)[0][0]
    assert result == expected


# ---------------------------------------------------------------- errors through the double


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (UserError("In order to delete a purchase order, you must cancel it first."), "business"),
        (ValidationError("Missing required value for the field 'Vendor' (partner_id)"), "business"),
        (
            MissingError("Record does not exist or has been deleted.\n(Record: purchase.order(9,), User: 2)"),
            "missing_record",
        ),
        (AccessError("You are not allowed to modify 'Purchase Order' (purchase.order) records."), "access"),
        (PythonError("ValueError", "Invalid field 'taxes_id' on model 'purchase.order.line'"), "request"),
    ],
    ids=["UserError", "ValidationError", "MissingError", "AccessError", "ValueError"],
)
def test_injected_odoo_errors_map_alike_on_both_protocols(
    protocol: str, error: OdooError, kind: str, double: OdooDouble
) -> None:
    double.fail_next("purchase.order", "write", error)
    with make_client(double, protocol, version=19) as client, pytest.raises(OdooPermanentError) as info:
        client.write("purchase.order", [1], {"origin": "x"})
    assert info.value.kind == kind and info.value.committed is False
    assert error.message.splitlines()[0] in info.value.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_wrong_key_is_permanent_and_says_what_to_check(protocol: str, double: OdooDouble) -> None:
    with (
        make_client(double, protocol, version=19, api_key="wrong-key-000") as client,
        pytest.raises(OdooPermanentError) as info,
    ):
        client.search("res.partner", [])
    assert info.value.kind == "auth" and "API key" in info.value.message and "wrong-key-000" not in str(info.value)


def test_database_not_served_over_json2(double: OdooDouble) -> None:
    with make_client(double, "json2", database="other_db") as client, pytest.raises(OdooPermanentError) as info:
        client.search("res.partner", [])
    assert info.value.kind == "database" and "dbfilter" in info.value.message


def test_xmlrpc_none_result_is_flagged_committed_and_was_applied(double: OdooDouble) -> None:
    with make_client(double, "xmlrpc") as client:
        vendor, _ = _vendor_and_product(client)
        [po] = client.create("purchase.order", [{"partner_id": vendor}])
        with pytest.raises(OdooCommittedError) as info:
            client.call("purchase.order", "action_acknowledge", ids=[po])
        assert info.value.committed is True and not info.value.transient
        assert "re-read" in info.value.message
        assert client.read("purchase.order", [po], ["acknowledged"])[0]["acknowledged"] is True
        # the caller that knows the method returns None gets None
        assert client.call("purchase.order", "action_acknowledge", ids=[po], returns_none=True) is None


def test_json2_none_result_is_null(double: OdooDouble) -> None:
    with make_client(double, "json2") as client:
        vendor, _ = _vendor_and_product(client)
        [po] = client.create("purchase.order", [{"partner_id": vendor}])
        assert client.call("purchase.order", "action_acknowledge", ids=[po]) is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_failure_after_commit_is_not_marked_as_not_applied(protocol: str, double: OdooDouble) -> None:
    double.commit_then_fail("res.partner", "create")
    with make_client(double, protocol, version=19) as client, pytest.raises(OdooPermanentError) as info:
        client.create("res.partner", [{"name": "ACME"}])
    # nobody can tell whether it was applied: the connector searches for its key before creating again
    assert info.value.kind == "server" and info.value.committed is None
    with make_client(double, protocol, version=19) as client:
        assert len(client.search("res.partner", [["name", "=", "ACME"]])) == 1


# ---------------------------------------------------------------- transient failures


def test_timeout_on_a_real_port_is_transient() -> None:
    double = make_double()
    double.timeout_seconds = 1.0
    double.timeout_next("res.partner", "search")
    with serve_on_localhost(double) as url:
        config = OdooConfig(url, "edi_test", protocol="json2", timeout=0.2)
        with OdooClient(config, api_key=KEY) as client:
            with pytest.raises(OdooTransientError) as info:
                client.search("res.partner", [])
            assert info.value.kind == "timeout" and info.value.committed is None
            assert client.search("res.partner", [["ref", "=", "none"]]) == []  # the next call goes through
    assert isinstance(info.value, TransientError) and info.value.transient
    assert KEY not in str(info.value)


def _failing(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return answer


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("answer", "kind", "committed"),
    [
        (lambda r: httpx.Response(502, text="Bad Gateway"), "unavailable", None),
        (
            lambda r: httpx.Response(503, headers={"Retry-After": "30"}, text="<html>maintenance</html>"),
            "unavailable",
            None,
        ),
        (lambda r: httpx.Response(504, text="Gateway Timeout"), "unavailable", None),
        (lambda r: httpx.Response(500, text="<html>Internal Server Error</html>"), "unavailable", None),
        (
            lambda r: httpx.Response(429, headers={"Retry-After": "5"}, json={"message": "slow down"}),
            "unavailable",
            False,
        ),
        (_failing(httpx.ReadTimeout("read timed out")), "timeout", None),
        (_failing(httpx.ConnectTimeout("connect timed out")), "timeout", False),
        (_failing(httpx.ConnectError("connection refused")), "connection", False),
        (_failing(httpx.RemoteProtocolError("server disconnected")), "connection", None),
    ],
    ids=["502", "503", "504", "500-html", "429", "read-timeout", "connect-timeout", "refused", "disconnected"],
)
def test_unavailable_odoo_is_transient(
    protocol: str, answer: Callable[[httpx.Request], httpx.Response], kind: str, committed: bool | None
) -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://odoo")
    client = OdooClient(OdooConfig("http://odoo", "db", "edi", protocol=protocol, version=17), api_key=KEY, http=http)
    with pytest.raises(OdooTransientError) as info:
        client.search("res.partner", [])
    assert info.value.kind == kind and info.value.committed is committed


def test_retry_after_is_kept() -> None:
    http = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(503, headers={"Retry-After": "30"})),
        base_url="http://odoo",
    )
    client = OdooClient(OdooConfig("http://odoo", protocol="json2"), api_key=KEY, http=http)
    with pytest.raises(OdooTransientError) as info:
        client.search("res.partner", [])
    assert info.value.retry_after == 30.0 and info.value.status == 503


def test_xmlrpc_database_down_is_transient() -> None:
    fault = xmlrpc.client.Fault(
        1, "Traceback...\npsycopg2.OperationalError: connection to server failed: Connection refused"
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/xmlrpc/2/common":
            return httpx.Response(200, content=xmlrpc.client.dumps((2,), methodresponse=True))
        return httpx.Response(200, content=xmlrpc.client.dumps(fault, methodresponse=True))

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://odoo")
    client = OdooClient(OdooConfig("http://odoo", "db", "edi", protocol="xmlrpc", version=17), api_key=KEY, http=http)
    with pytest.raises(OdooTransientError, match="database is unavailable"):
        client.search("res.partner", [])


# ---------------------------------------------------------------- the key stays secret


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_key_never_reaches_a_message_or_a_log(
    protocol: str, double: OdooDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    double.fail_next("res.partner", "search", UserError(f"the server echoed {KEY} back"))
    errors: list[Exception] = []
    with make_client(double, protocol, version=19) as client:
        for call in (
            lambda: client.search("res.partner", []),
            lambda: client.call("no.such.model", "search", domain=[]),
            lambda: client.write("res.partner", [424242], {"name": "x"}),
            lambda: client.call("res.partner", "_private"),
        ):
            with pytest.raises(OdooPermanentError) as info:
                call()
            errors.append(info.value)
        assert KEY not in repr(client)
    assert errors[0].message.startswith("Odoo: the server echoed <API-KEY>")
    for err in errors:
        assert KEY not in str(err) and KEY not in repr(err) and KEY not in err.message
    assert KEY not in caplog.text


# ---------------------------------------------------------------- the API key and its expiry


def test_key_from_the_environment() -> None:
    config = OdooConfig("http://odoo", api_key_env="EDIGW_ODOO_KEY")
    assert load_api_key(config, environ={"EDIGW_ODOO_KEY": KEY}) == KEY
    with pytest.raises(OdooPermanentError, match="EDIGW_ODOO_KEY is not set"):
        load_api_key(config, environ={})


def test_key_from_a_file_only_its_owner_reads(tmp_path: Path) -> None:
    path = tmp_path / "odoo.key"
    path.write_text(KEY + "\n")
    os.chmod(path, 0o600)
    config = OdooConfig("http://odoo", api_key_file=str(path))
    assert load_api_key(config) == KEY
    os.chmod(path, 0o644)
    with pytest.raises(OdooPermanentError, match="chmod 600") as info:
        load_api_key(config)
    assert KEY not in str(info.value)


def test_key_needs_exactly_one_source() -> None:
    with pytest.raises(OdooPermanentError, match="exactly one"):
        load_api_key(OdooConfig("http://odoo"))


@pytest.mark.parametrize(
    ("expires", "warned"),
    [(dt.date(2026, 12, 31), False), (dt.date(2026, 12, 10), True), (dt.date(2026, 11, 1), True)],
)
def test_a_key_close_to_expiry_is_warned_about(
    expires: dt.date, warned: bool, double: OdooDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.connectors.odoo")
    config = OdooConfig("http://odoo", protocol="json2", api_key_expires=expires, expiry_warning_days=14)
    OdooClient(config, api_key=KEY, http=in_process_client(double), today=dt.date(2026, 11, 28))
    assert ("API key expire" in caplog.text) is warned
    assert KEY not in caplog.text


def test_a_running_client_is_reminded_of_the_expiry_the_next_day(
    double: OdooDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.connectors.odoo")
    today = dt.datetime.now(dt.UTC).date()
    config = OdooConfig("http://odoo", protocol="json2", api_key_expires=today + dt.timedelta(days=3))
    client = OdooClient(config, api_key=KEY, http=in_process_client(double), today=today - dt.timedelta(days=30))
    assert "API key expire" not in caplog.text  # a month before: no warning at the start
    client.search("res.partner", [])  # the next call is on another day: checked again
    assert "expires on" in caplog.text and re.search(r"\(in [23] days\)", caplog.text)  # 2 across midnight
    caplog.clear()
    client.search("res.partner", [])
    assert "API key expire" not in caplog.text  # once a day, not on every call


# ---------------------------------------------------------------- the per-version field map

PO_LINE = {"product_id": 5, "product_qty": 12.0, "product_uom_id": 1, "tax_ids": [[6, 0, [2]]], "price_unit": 8.0}


@pytest.mark.parametrize("version", [16, 17, 18])
def test_field_map_renames_po_line_fields_for_older_servers_and_back(version: int) -> None:
    fmap = FieldMap(version)
    po = fmap.vals_to_server("purchase.order", {"partner_id": 9, "order_line": [[0, 0, PO_LINE]]})
    sent = po["order_line"][0][2]
    assert sent["taxes_id"] == [[6, 0, [2]]] and sent["product_uom"] == 1
    assert "tax_ids" not in sent and "product_uom_id" not in sent
    assert fmap.record_from_server("purchase.order.line", sent) == PO_LINE
    assert fmap.fields_to_server("purchase.order.line", ["tax_ids", "product_uom_id"]) == ["taxes_id", "product_uom"]
    assert fmap.domain_to_server("purchase.order.line", [["product_uom_id.name", "=", "Units"], "|"]) == [
        ["product_uom.name", "=", "Units"],
        "|",
    ]


def test_field_map_is_the_identity_on_19() -> None:
    fmap = FieldMap(19)
    product = {"type": "consu", "is_storable": True}
    assert fmap.vals_to_server("purchase.order.line", PO_LINE) == PO_LINE
    assert fmap.vals_to_server("product.product", product) == product
    assert fmap.fields_to_server("stock.move.line", ["quantity"]) == ["quantity"]


@pytest.mark.parametrize(
    ("version", "sent"),
    [
        (16, {"detailed_type": "product"}),
        (17, {"detailed_type": "product"}),
        (18, {"type": "consu", "is_storable": True}),
    ],
)
def test_field_map_storable_products(version: int, sent: dict[str, Any]) -> None:
    fmap = FieldMap(version)
    storable = {"name": "Saline", "type": "consu", "is_storable": True}
    assert fmap.vals_to_server("product.product", storable) == {"name": "Saline", **sent}
    assert fmap.record_from_server("product.product", {"id": 5, "type": "product", **sent})["is_storable"] is True
    consumable = fmap.vals_to_server("product.template", {"type": "consu", "is_storable": False})
    assert consumable == ({"detailed_type": "consu"} if version < 18 else {"type": "consu", "is_storable": False})
    if version < 18:
        assert fmap.fields_to_server("product.product", ["type", "is_storable"]) == ["type", "detailed_type"]
        assert fmap.domain_to_server("product.product", [["is_storable", "=", True]]) == [
            ["detailed_type", "=", "product"]
        ]


def test_move_line_quantity_was_qty_done_on_16() -> None:
    assert FieldMap(16).vals_to_server("stock.move", {"move_line_ids": [[1, 7, {"quantity": 3.0}]]}) == {
        "move_line_ids": [[1, 7, {"qty_done": 3.0}]]
    }
    assert FieldMap(17).vals_to_server("stock.move.line", {"quantity": 3.0}) == {"quantity": 3.0}


def test_client_translates_for_an_older_server_over_xmlrpc() -> None:
    sent: list[tuple[Any, ...]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        params, name = xmlrpc.client.loads(request.content)
        if name == "authenticate":
            return httpx.Response(200, content=xmlrpc.client.dumps((2,), methodresponse=True))
        sent.append(params)
        result: Any = [7] if params[4] == "create" else [{"id": 3, "taxes_id": [2], "product_uom": [1, "Units"]}]
        return httpx.Response(200, content=xmlrpc.client.dumps((result,), methodresponse=True))

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="http://odoo")
    config = OdooConfig("http://odoo", "odoo17", "edi", protocol="xmlrpc", version=17)
    with OdooClient(config, api_key=KEY, http=http) as client:
        assert client.create("purchase.order", [{"partner_id": 9, "order_line": [[0, 0, PO_LINE]]}]) == [7]
        rows = client.search_read("purchase.order.line", [["order_id", "=", 7]], ["tax_ids", "product_uom_id"])
    create, search_read = sent
    assert create[5][0][0]["order_line"][0][2]["taxes_id"] == [[6, 0, [2]]] and create[6] == {}
    assert search_read[6]["fields"] == ["taxes_id", "product_uom"]
    assert rows == [{"id": 3, "tax_ids": [2], "product_uom_id": [1, "Units"]}]
