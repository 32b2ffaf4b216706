"""The Odoo double replays the recorded Odoo 19 contract, and its fault injection and counters work.

Replay: each run (the JSON-2 flow, then its error cases; the XML-RPC flow, then its error cases) is sent, in
recorded order, to one fresh double, and every response is compared with the recording. Normalisations, each
because the contract says the value is not a property of the API:
- ids: records get the double's own ids. The comparison is equal up to one consistent renaming per model (a
  recorded id seen once must always be the same double id), and request bodies are translated through it. The
  contract says ids vary per database (the JSON-2 run starts at P00020, the XML-RPC run at 1, with gaps).
- "now" datetimes (DATETIME_NOW fields): only their shape is compared; they are the server's clock.
- JSON-2 ``debug`` and XML-RPC fault-1 tracebacks: only the last line (the exception) is compared; the rest is
  the server's source tree. The recorded XML of such faults is not well-formed (the redaction wrote ``<odoo>``
  unescaped), so faults are read with a regular expression rather than an XML parser.
- XML bodies are compared as unmarshalled values, not as text (Odoo's ``<?xml version="1.0"?>`` vs ours).
"""

from __future__ import annotations

import html
import json
import re
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from .support.odoo_double import CONTRACT, OdooDouble, UserError, in_process_client, serve_on_localhost

DATETIME_NOW = {"date_order", "date_done"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
CONTEXT_IDS = {
    "button_validate_picking_ids": "stock.picking",
    "default_pick_ids": "stock.picking",
    "default_picking_ids": "stock.picking",
    "default_lot_ids": "stock.lot",
}
# cases whose setup calls were not recorded (the note describes them); the double cannot reach their state
# by replaying alone, so they must fail until a setup helper rebuilds it
_SETUP = "its setup calls were not recorded (see the case's note) and no setup helper rebuilds that state yet"
NOT_REPLAYABLE: dict[str, str] = {
    "validate.tracked_product_without_lot": _SETUP + " (a confirmed receipt without lots)",
    "unlink.confirmed_po": _SETUP + " (a second confirmed PO)",
    "xmlrpc.none_result": _SETUP + " (a fresh confirmed PO, P00009, not yet acknowledged)",
    "wizard.expiry": _SETUP + " (a receipt whose lot is past its removal date)",
    "wizard.backorder.process_without_context": _SETUP + " (a partial receipt and its backorder wizard)",
    "wizard.backorder.process_cancel_backorder": _SETUP + " (the same partial receipt and wizard)",
    "behaviour.po_line_qty_without_date_planned": _SETUP + " (a confirmed PO with one line of 10)",
    "behaviour.po_line_qty_only_increase": _SETUP + " (a confirmed PO line at 8.0 under a 9.5 pricelist)",
    "behaviour.po_line_qty_with_date_planned": _SETUP + " (a confirmed PO line at 8.0 under a 9.5 pricelist)",
    "auth.wrong_password.authenticate": "the redaction replaced the wrong password by the same <PASSWORD> as the "
    "right one, so the recorded request cannot be told apart from a good one",
}
NOT_REPLAYABLE["auth.wrong_password.execute_kw"] = NOT_REPLAYABLE["auth.wrong_password.authenticate"]


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CONTRACT / name).read_text().splitlines() if line.strip()]


@dataclass
class IdMap:
    """Recorded id -> double id, per model, learnt from responses."""

    to_double: dict[tuple[str, int], int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def map(self, model: str, rid: Any) -> Any:
        if isinstance(rid, int) and not isinstance(rid, bool):
            return self.to_double.get((model, rid), rid)
        return rid

    def bind(self, model: str, recorded: Any, actual: Any, where: str) -> None:
        if not isinstance(recorded, int) or isinstance(recorded, bool):
            if recorded != actual:
                self.problems.append(f"{where}: {recorded!r} != {actual!r}")
            return
        known = self.to_double.get((model, recorded))
        if known is None:
            if any(m == model and v == actual for (m, _), v in self.to_double.items()):
                self.problems.append(f"{where}: {model} id {actual} already stands for another recorded id")
            self.to_double[(model, recorded)] = actual
        elif known != actual:
            self.problems.append(f"{where}: {model} {recorded} is {known} here, got {actual!r}")


class Replayer:
    def __init__(self, double: OdooDouble) -> None:
        self.double = double
        self.fields = double.fields
        self.ids = IdMap()
        self.client = in_process_client(double)

    # -- requests

    def rel(self, model: str, name: str) -> str | None:
        if name == "id":
            return model
        fdef = self.fields.get(model, {}).get(name, {})
        return fdef.get("relation")

    def vals(self, model: str, vals: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in vals.items():
            comodel = self.rel(model, name)
            out[name] = self.value(comodel, value) if comodel else value
        return out

    def value(self, comodel: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self.command(comodel, c) if isinstance(c, list) else self.ids.map(comodel, c) for c in value]
        return self.ids.map(comodel, value)

    def command(self, comodel: str, c: list[Any]) -> list[Any]:
        if c[0] == 0:
            return [0, 0, self.vals(comodel, c[2])]
        if c[0] == 1:
            return [1, self.ids.map(comodel, c[1]), self.vals(comodel, c[2])]
        if c[0] == 6:
            return [6, 0, [self.ids.map(comodel, i) for i in c[2]]]
        return [c[0], self.ids.map(comodel, c[1]), *c[2:]]

    def body(self, model: str, body: dict[str, Any]) -> dict[str, Any]:
        out = dict(body)
        if isinstance(out.get("ids"), list):
            out["ids"] = [self.ids.map(model, i) for i in out["ids"]]
        if isinstance(out.get("domain"), list):
            out["domain"] = [self.leaf(model, leaf) for leaf in out["domain"]]
        if isinstance(out.get("vals"), dict):
            out["vals"] = self.vals(model, out["vals"])
        if isinstance(out.get("vals_list"), list):
            out["vals_list"] = [self.vals(model, v) for v in out["vals_list"]]
        if isinstance(out.get("context"), dict):
            out["context"] = {
                k: self.value(CONTEXT_IDS[k], v) if k in CONTEXT_IDS else v for k, v in out["context"].items()
            }
        return out

    def leaf(self, model: str, leaf: Any) -> Any:
        if not isinstance(leaf, list):
            return leaf
        comodel = self.rel(model, leaf[0])
        return [leaf[0], leaf[1], self.value(comodel, leaf[2])] if comodel else leaf

    # -- responses

    def compare(self, model: str, method: str, recorded: Any, actual: Any, where: str) -> None:
        if method in ("create", "search") and isinstance(recorded, list):
            self.ids_list(model, recorded, actual, where)
        elif method == "message_post":
            self.ids_list("mail.message", recorded, actual, where)
        elif method in ("read", "search_read") and isinstance(recorded, list) and isinstance(actual, list):
            if len(recorded) != len(actual):
                self.ids.problems.append(f"{where}: {len(recorded)} rows recorded, {len(actual)} served")
                return
            for rrow, arow in zip(recorded, actual, strict=True):
                self.row(model, rrow, arow, where)
        elif (
            isinstance(recorded, dict) and recorded.get("type") == "ir.actions.act_window" and isinstance(actual, dict)
        ):
            self.plain(
                {k: v for k, v in recorded.items() if k != "context"},
                {k: v for k, v in actual.items() if k != "context"},
                where,
            )
            rctx, actx = recorded["context"], actual.get("context", {})
            self.plain(sorted(rctx), sorted(actx), where + " context keys")
            for key in rctx:
                self.nested_ids(CONTEXT_IDS.get(key, ""), rctx[key], actx.get(key), f"{where} context {key}")
        else:
            self.plain(recorded, actual, where)

    def nested_ids(self, model: str, recorded: Any, actual: Any, where: str) -> None:
        if isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == len(actual):
            for index, (r, a) in enumerate(zip(recorded, actual, strict=True)):
                if isinstance(r, list):
                    self.nested_ids(model, r, a, where)
                elif (model and index > 0) or (
                    model
                    and not any(isinstance(x, list) for x in recorded)
                    and (len(recorded) != 3 or recorded[0] != 6)
                ):
                    self.ids.bind(model, r, a, where)
                else:
                    self.plain(r, a, where)
        else:
            self.plain(recorded, actual, where)

    def ids_list(self, model: str, recorded: Any, actual: Any, where: str) -> None:
        if not isinstance(actual, list) or len(actual) != len(recorded):
            self.ids.problems.append(f"{where}: ids {recorded!r} != {actual!r}")
            return
        for r, a in zip(recorded, actual, strict=True):
            self.ids.bind(model, r, a, where)

    def row(self, model: str, recorded: dict[str, Any], actual: Any, where: str) -> None:
        if not isinstance(actual, dict) or list(recorded) != list(actual):
            self.ids.problems.append(f"{where}: fields {list(recorded)} != {actual!r}")
            return
        for name, rvalue in recorded.items():
            avalue = actual[name]
            comodel = self.rel(model, name)
            spot = f"{where} {model}.{name}"
            if name in DATETIME_NOW:
                if not (isinstance(avalue, str) and STAMP.match(avalue)) and rvalue != avalue:
                    self.ids.problems.append(f"{spot}: {avalue!r} is not a datetime")
            elif comodel and isinstance(rvalue, list) and len(rvalue) == 2 and isinstance(rvalue[1], str):
                if not (isinstance(avalue, list) and len(avalue) == 2):
                    self.ids.problems.append(f"{spot}: {rvalue!r} != {avalue!r}")
                    continue
                self.ids.bind(comodel, rvalue[0], avalue[0], spot)
                self.plain(rvalue[1], avalue[1], spot)
            elif comodel and isinstance(rvalue, list):
                self.ids_list(comodel, rvalue, avalue, spot)
            elif comodel and isinstance(rvalue, int) and not isinstance(rvalue, bool):
                self.ids.bind(comodel, rvalue, avalue, spot)
            else:
                self.plain(rvalue, avalue, spot)

    def plain(self, recorded: Any, actual: Any, where: str) -> None:
        if recorded != actual or type(recorded) is not type(actual):
            self.ids.problems.append(f"{where}: recorded {recorded!r}, served {actual!r}")

    # -- one exchange

    def replay(self, x: dict[str, Any]) -> None:
        where = x["step"]
        if x["path"].startswith("/xmlrpc/"):
            self.replay_xmlrpc(x, where)
            return
        headers = {k: v.replace("<INVALID-API-KEY>", "wrong") for k, v in x["request_headers"].items()}
        parts = x["path"].split("/")
        model, method = (parts[3], parts[4]) if len(parts) > 4 else ("", "")
        body = x["request_body"]
        if isinstance(body, dict) and model:
            content: str = json.dumps(self.body(model, body))
        else:
            content = body if isinstance(body, str) else ("" if body is None else json.dumps(body))
        response = self.client.request(x["method"], x["path"], content=content.encode(), headers=headers)
        self.plain(x["status"], response.status_code, where + " status")
        for name, value in x["response_headers"].items():
            self.plain(value, response.headers.get(name), f"{where} header {name}")
        recorded = x["response_body"]
        if isinstance(recorded, str):
            self.plain(recorded, response.text, where + " body")
            return
        actual = response.json()
        if isinstance(recorded, dict) and "debug" in recorded:
            self.plain(_last_line(recorded["debug"]), _last_line(actual.get("debug", "")), where + " debug")
            self.plain(
                {k: v for k, v in recorded.items() if k != "debug"},
                {k: v for k, v in actual.items() if k != "debug"},
                where + " error",
            )
            return
        self.compare(model, method, recorded, actual, where)

    def replay_xmlrpc(self, x: dict[str, Any], where: str) -> None:
        params, name = xmlrpc.client.loads(x["request_body"])
        model = method = ""
        if name == "execute_kw":
            model, method = params[3], params[4]
            args, kwargs = list(params[5]), dict(params[6]) if len(params) > 6 else {}
            if method == "create" and args:
                args = [[self.vals(model, v) for v in args[0]]]
            elif args and isinstance(args[0], list):
                args = [[self.ids.map(model, i) for i in args[0]], *args[1:]]
            kwargs = self.body(model, kwargs)
            params = (*params[:5], args, kwargs)
        request = xmlrpc.client.dumps(tuple(params), name)
        response = self.client.post(x["path"], content=request.encode(), headers=x["request_headers"])
        self.plain(x["status"], response.status_code, where + " status")
        self.plain(x["response_headers"]["Content-Type"], response.headers["content-type"], where + " type")
        recorded_fault = _fault(x["response_body"])
        actual_fault = _fault(response.text)
        if recorded_fault or actual_fault:
            self.plain(recorded_fault, actual_fault, where + " fault")
            return
        recorded = xmlrpc.client.loads(x["response_body"])[0][0]
        actual = xmlrpc.client.loads(response.text)[0][0]
        self.compare(model, method, recorded, actual, where)


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def _fault(text: str) -> tuple[int, str] | None:
    """(faultCode, faultString) with a traceback cut to its last line; None when not a fault."""
    code = re.search(r"<name>faultCode</name>\s*<value><int>(\d+)</int>", text)
    if code is None:
        return None
    found = re.search(r"<name>faultString</name>\s*<value>(?:<string>)?(.*?)(?:</string>)?</value>", text, re.S)
    message = html.unescape(found.group(1)) if found else ""
    if message.startswith("Traceback"):
        message = _last_line(message)
    return int(code.group(1)), message


def _runs() -> Iterator[Any]:
    errors = load("errors.jsonl")
    yield pytest.param("json2", load("json2.jsonl"), [e for e in errors if e["transport"] == "json2"], id="json2")
    yield pytest.param("xmlrpc", load("xmlrpc.jsonl"), [e for e in errors if e["transport"] == "xmlrpc"], id="xmlrpc")


def _double(run: str) -> OdooDouble:
    if run == "json2":
        double = OdooDouble(database="edi_test")
        double.sequences.update({"P": 20, "WH/IN/": 19, "BILL": 6})
        # error messages quote ids ("The entry BILL/2026/11/0006 (id 6)"), so the bill keeps its recorded id
        double.next_ids["account.move"] = 6
    else:
        double = OdooDouble(database="edi_contract_xr")
    return double


@pytest.fixture(scope="module")
def replays() -> dict[str, dict[str, list[str]]]:
    """Every run replayed once; per step, what did not match."""
    out: dict[str, dict[str, list[str]]] = {}
    for param in _runs():
        run, flow, errors = param.values
        replayer = Replayer(_double(run))
        steps: dict[str, list[str]] = {}
        for x in [*flow, *errors]:
            before = len(replayer.ids.problems)
            try:
                replayer.replay(x)
            except Exception as exc:  # a crash of the double is a mismatch to report
                replayer.ids.problems.append(f"{x['step']}: {type(exc).__name__}: {exc}")
            steps[f"{x.get('case', 'flow')}::{x['step']}"] = replayer.ids.problems[before:]
        out[run] = steps
    return out


def _all_steps() -> Iterator[Any]:
    for param in _runs():
        run, flow, errors = param.values
        seen: set[str] = set()
        for x in [*flow, *errors]:
            case = x.get("case", "")
            reason = NOT_REPLAYABLE.get(case)
            if reason:
                # a case that cannot be replayed is one expected failure, whichever of its steps fail
                if case not in seen:
                    seen.add(case)
                    mark = pytest.mark.xfail(strict=True, reason=reason)
                    yield pytest.param(run, f"{case}::*", id=f"{run}:{case}::*", marks=[mark])
                continue
            key = f"{case or 'flow'}::{x['step']}"
            yield pytest.param(run, key, id=f"{run}:{key}")


def test_contract_counts() -> None:
    assert len(load("json2.jsonl")) == 48
    assert len(load("xmlrpc.jsonl")) == 47
    errors = load("errors.jsonl")
    assert len(errors) == 73
    assert len({e["case"] for e in errors}) == 46


@pytest.mark.parametrize(("run", "key"), list(_all_steps()))
def test_replay(replays: dict[str, dict[str, list[str]]], run: str, key: str) -> None:
    if key.endswith("::*"):
        problems = [p for k, found in replays[run].items() if k.startswith(key[:-1]) for p in found]
        assert problems == []
    else:
        assert replays[run][key] == []


# ---------------------------------------------------------------- fault injection and counters


def _client(double: OdooDouble, timeout: float = 5.0) -> httpx.Client:
    return in_process_client(
        double, headers={"Authorization": "bearer <API-KEY>", "X-Odoo-Database": "edi_test"}, timeout=timeout
    )


def _partner(client: httpx.Client) -> httpx.Response:
    return client.post("/json/2/res.partner/create", json={"vals_list": [{"name": "Acme", "ref": "R1"}]})


def test_fail_next_answers_the_error_without_writing() -> None:
    double = OdooDouble()
    double.fail_next("res.partner", "create", UserError("boom"), times=2)
    with _client(double) as client:
        for _ in range(2):
            response = _partner(client)
            assert response.status_code == 422
            assert response.json()["message"] == "boom"
        assert double.records["res.partner"] == {}
        assert _partner(client).json() == [1]


def test_commit_then_fail_writes_and_answers_an_error() -> None:
    double = OdooDouble()
    double.commit_then_fail("res.partner", "create")
    with _client(double) as client:
        response = _partner(client)
        assert response.status_code == 500
        found = client.post("/json/2/res.partner/search", json={"domain": [["ref", "=", "R1"]]})
        assert found.json() == [1]


def test_commit_then_fail_over_xmlrpc_is_a_fault_after_the_write() -> None:
    double = OdooDouble()
    double.commit_then_fail("res.partner", "create")
    with _client(double) as client:
        body = xmlrpc.client.dumps(
            ("edi_test", 2, "<PASSWORD>", "res.partner", "create", [[{"name": "A"}]], {}), "execute_kw"
        )
        response = client.post("/xmlrpc/2/object", content=body.encode(), headers={"Content-Type": "text/xml"})
        with pytest.raises(xmlrpc.client.Fault) as fault:
            xmlrpc.client.loads(response.text)
        assert fault.value.faultCode == 1
        assert list(double.records["res.partner"]) == [1]


def test_timeout_next_never_answers() -> None:
    double = OdooDouble()
    double.timeout_seconds = 0.3
    double.timeout_next("res.partner", "search")
    with (
        serve_on_localhost(double) as url,
        httpx.Client(base_url=url, headers={"Authorization": "bearer <API-KEY>"}, timeout=0.1) as client,
    ):
        with pytest.raises(httpx.TimeoutException):
            client.post("/json/2/res.partner/search", json={"domain": []})
        assert client.post("/json/2/res.partner/search", json={"domain": []}).json() == []


def test_counter_per_protocol_model_method() -> None:
    double = OdooDouble()
    with _client(double) as client:
        _partner(client)
        client.post("/json/2/res.partner/search", json={"domain": []})
        client.post("/json/2/res.partner/search", json={"domain": []})
        body = xmlrpc.client.dumps(
            ("edi_test", 2, "<PASSWORD>", "res.partner", "search", [], {"domain": []}), "execute_kw"
        )
        client.post("/xmlrpc/2/object", content=body.encode(), headers={"Content-Type": "text/xml"})
    assert double.calls["json2", "res.partner", "search"] == 2
    assert double.count(protocol="json2") == 3
    assert double.count(model="res.partner", method="search") == 3
    assert double.count(protocol="xmlrpc") == 1


def test_served_on_a_real_port() -> None:
    double = OdooDouble()
    with serve_on_localhost(double) as url:
        response = httpx.post(url + "/web/webclient/version_info", json={})
    assert response.json()["result"]["server_version"] == "19.0"
