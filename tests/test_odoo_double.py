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

Two things the recording lost are given back: the wrong credentials of the auth cases (the redaction wrote the
deliberately wrong API key as ``<INVALID-API-KEY>`` but the wrong password as the same ``<PASSWORD>`` as the right
one; the case label says which it was), and the setup of the error cases whose setup calls were not recorded
(SETUPS rebuilds the state each case's note describes). The double's clock is frozen at the recording's server
date, and moved where a case's recorded dates say when it ran.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xmlrpc.client
from collections.abc import Callable, Iterator
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
# cases that still cannot be replayed, each with why (an expected, strict failure)
NOT_REPLAYABLE: dict[str, str] = {}
# The redaction wrote the wrong password of these cases as the same <PASSWORD> as the right one; their labels say
# it was the wrong one, so the replayer sends a wrong one, as it sends a wrong key for <INVALID-API-KEY>.
WRONG_PASSWORD_CASES = {"auth.wrong_password.authenticate", "auth.wrong_password.execute_kw"}
# the recording's server date (README: recorded on 2026-11-28), a little before the first flow call
RECORDED_AT = dt.datetime(2026, 11, 28, 17, 29, 30)


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
    def __init__(self, double: OdooDouble, run: str) -> None:
        self.double = double
        self.run = run
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
                self.context_ids(CONTEXT_IDS.get(key, ""), rctx[key], actx.get(key), f"{where} context {key}")
        else:
            self.plain(recorded, actual, where)

    def context_ids(self, model: str, recorded: Any, actual: Any, where: str) -> None:
        """A context value naming records: a list of ids, or of x2many commands ([4, id], [6, 0, ids])."""
        if not (model and isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == len(actual)):
            self.plain(recorded, actual, where)
            return
        for r, a in zip(recorded, actual, strict=True):
            if not isinstance(r, list):
                self.ids.bind(model, r, a, where)
            elif not (isinstance(a, list) and len(r) == len(a) and r[:1] == a[:1]):
                self.plain(r, a, where)
            elif r[0] == 6:
                self.plain(r[1], a[1], where)
                self.ids_list(model, r[2], a[2], where)
            elif len(r) > 1:
                self.ids.bind(model, r[1], a[1], where)
                self.plain(r[2:], a[2:], where)

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
        loaded, name = xmlrpc.client.loads(x["request_body"])
        params: tuple[Any, ...] = loaded
        if x.get("case") in WRONG_PASSWORD_CASES:
            # authenticate(db, login, password, ...) and execute_kw(db, uid, password, ...) alike
            params = (*params[:2], "not-" + str(params[2]), *params[3:])
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


# ---------------------------------------------------------------- setups of the error cases
# Some error cases needed setup calls that were not recorded; each case's note describes the state they built.
# A setup rebuilds that state through the double's ORM (the code both transports reach), binds the recorded ids
# that the case's requests quote to the double's records, and sets the sequences, and the clock, where the
# case's responses quote names, or dates computed from "now". It runs just before the case's first exchange.


def _orm(rep: Replayer, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
    return rep.double.call(model, method, ids, kwargs)


def _clock(rep: Replayer, stamp: str) -> None:
    at = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    rep.double.now = lambda: at


def _bind(rep: Replayer, model: str, recorded: dict[str, int], actual: int) -> None:
    """Bind the id the recording of this run (json2 or xmlrpc) gave the record."""
    rep.ids.bind(model, recorded[rep.run], actual, f"setup of {model} {recorded[rep.run]}")


def _confirmed_po(rep: Replayer, qty: float, **line: Any) -> tuple[int, int, int]:
    """A confirmed PO from the flow's vendor for its lot-tracked Saline (vendor price 9.5, lead time 3 days):
    (order, line, receipt)."""
    [seller] = _orm(
        rep,
        "product.supplierinfo",
        "search_read",
        domain=[["product_code", "=", "ACME-9001"]],
        fields=["partner_id", "product_id"],
    )
    partner, product = seller["partner_id"][0], seller["product_id"][0]
    vals = {"product_id": product, "product_qty": qty, **line}
    [order] = _orm(rep, "purchase.order", "create", vals_list=[{"partner_id": partner, "order_line": [[0, 0, vals]]}])
    _orm(rep, "purchase.order", "button_confirm", [order])
    [read] = _orm(rep, "purchase.order", "read", [order], fields=["order_line", "picking_ids"])
    return order, read["order_line"][0], read["picking_ids"][0]


def _receive(rep: Replayer, receipt: int, qty: float, expiration: str) -> None:
    """Put qty units of a new lot on the receipt's pre-created move line (the flow's d.moveN.write_lots)."""
    [move] = _orm(rep, "stock.move", "search_read", domain=[["picking_id", "=", receipt]], fields=["move_line_ids"])
    lot = {"lot_name": f"LOT-SETUP-{receipt}", "quantity": qty, "expiration_date": expiration, "picked": True}
    vals = {"picked": True, "move_line_ids": [[1, move["move_line_ids"][0], lot]]}
    _orm(rep, "stock.move", "write", [move["id"]], vals=vals)


def _setup_receipt_without_lot(rep: Replayer) -> None:
    """validate.tracked_product_without_lot: a confirmed receipt of a lot-tracked product, no lot given."""
    _, _, receipt = _confirmed_po(rep, 10)
    _bind(rep, "stock.picking", {"json2": 29, "xmlrpc": 4}, receipt)


def _setup_confirmed_po(rep: Replayer) -> None:
    """unlink.confirmed_po: a second confirmed PO. Over XML-RPC it is also the PO of xmlrpc.none_result (the same
    recorded id 7, which the failed unlink left in place), read back there as P00009."""
    if rep.run == "xmlrpc":
        rep.double.sequences["P"] = 9
    order, _, _ = _confirmed_po(rep, 10)
    _bind(rep, "purchase.order", {"json2": 23, "xmlrpc": 7}, order)


def _setup_unacknowledged_po(rep: Replayer) -> None:
    """xmlrpc.none_result: a confirmed PO not yet acknowledged, P00009. unlink.confirmed_po built it already."""
    if ("purchase.order", 7) not in rep.ids.to_double:
        _setup_confirmed_po(rep)


def _setup_expired_receipt(rep: Replayer) -> None:
    """wizard.expiry: receipt WH/IN/00026, received in full with a lot whose removal date (expiration - 15
    days) is past."""
    rep.double.sequences["WH/IN/"] = 26
    _, _, receipt = _confirmed_po(rep, 5)
    _receive(rep, receipt, 5, "2026-11-01 00:00:00")
    _bind(rep, "stock.picking", {"json2": 30}, receipt)


def _setup_backorder_wizard(rep: Replayer) -> None:
    """wizard.backorder.*: receipt WH/IN/00027 with 6 of 10 received, and the backorder wizard its
    button_validate asked for, created with the action's context. Both cases use the same receipt and wizard
    (recorded 31 and 10): the first validates nothing, so the second finds them as they were."""
    if ("stock.picking", 31) in rep.ids.to_double:
        return
    rep.double.sequences["WH/IN/"] = 27
    _, _, receipt = _confirmed_po(rep, 10)
    _receive(rep, receipt, 6, "2027-06-16 00:00:00")
    action = _orm(rep, "stock.picking", "button_validate", [receipt])
    [wizard] = _orm(rep, action["res_model"], "create", vals_list=[{}], context=action["context"])
    _bind(rep, "stock.picking", {"json2": 31}, receipt)
    _bind(rep, "stock.backorder.confirmation", {"json2": 10}, wizard)


def _setup_line_of_10(rep: Replayer) -> None:
    """behaviour.po_line_qty_without_date_planned: a confirmed PO with one line of 10, whose receipt WH/IN/00028
    holds one move of 10 dated 2026-12-01 17:30:01. The write came at 17:30:11 (its return move is dated now + the
    3 days' lead time, 2026-12-01 17:30:11) and the return picking is WH/OUT/00005."""
    rep.double.sequences.update({"WH/IN/": 28, "WH/OUT/": 5})
    order, line, _ = _confirmed_po(rep, 10, date_planned="2026-12-01 17:30:01")
    _clock(rep, "2026-11-28 17:30:11")
    _bind(rep, "purchase.order", {"json2": 26}, order)
    _bind(rep, "purchase.order.line", {"json2": 31}, line)


def _line_under_pricelist(rep: Replayer, recorded_line: int, receipt_number: int) -> None:
    """A confirmed PO line of 10 at 8.0 under the vendor's 9.5 (lead time 3 days), planned 2026-12-18 17:32:06.
    The writes came at 17:32:06 (a recomputed date_planned is now + 3 days, 2026-12-01 17:32:06)."""
    rep.double.sequences["WH/IN/"] = receipt_number
    _clock(rep, "2026-11-28 17:32:06")
    _, line, _ = _confirmed_po(rep, 10, price_unit=8.0, date_planned="2026-12-18 17:32:06")
    _bind(rep, "purchase.order.line", {"json2": recorded_line}, line)


def _setup_line_for_qty_only(rep: Replayer) -> None:
    """behaviour.po_line_qty_only_increase: line 37, receipt WH/IN/00034."""
    _line_under_pricelist(rep, 37, 34)


def _setup_line_for_qty_and_date(rep: Replayer) -> None:
    """behaviour.po_line_qty_with_date_planned: line 38, receipt WH/IN/00035."""
    _line_under_pricelist(rep, 38, 35)


SETUPS: dict[str, Callable[[Replayer], None]] = {
    "validate.tracked_product_without_lot": _setup_receipt_without_lot,
    "unlink.confirmed_po": _setup_confirmed_po,
    "xmlrpc.none_result": _setup_unacknowledged_po,
    "wizard.expiry": _setup_expired_receipt,
    "wizard.backorder.process_without_context": _setup_backorder_wizard,
    "wizard.backorder.process_cancel_backorder": _setup_backorder_wizard,
    "behaviour.po_line_qty_without_date_planned": _setup_line_of_10,
    "behaviour.po_line_qty_only_increase": _setup_line_for_qty_only,
    "behaviour.po_line_qty_with_date_planned": _setup_line_for_qty_and_date,
}


def _runs() -> Iterator[Any]:
    errors = load("errors.jsonl")
    yield pytest.param("json2", load("json2.jsonl"), [e for e in errors if e["transport"] == "json2"], id="json2")
    yield pytest.param("xmlrpc", load("xmlrpc.jsonl"), [e for e in errors if e["transport"] == "xmlrpc"], id="xmlrpc")


def _double(run: str) -> OdooDouble:
    # frozen, so that what the recording shows depends on no real date: lots' removal dates are compared with it
    # (the flow's lots, removal from 2027-03-13 on, were not expired)
    database = "edi_test" if run == "json2" else "edi_contract_xr"
    double = OdooDouble(database=database, now=lambda: RECORDED_AT)
    if run == "json2":
        double.sequences.update({"P": 20, "WH/IN/": 19, "BILL": 6})
        # error messages quote ids ("The entry BILL/2026/11/0006 (id 6)"), so the bill keeps its recorded id
        double.next_ids["account.move"] = 6
    return double


@pytest.fixture(scope="module")
def replays() -> dict[str, dict[str, list[str]]]:
    """Every run replayed once; per step, what did not match."""
    out: dict[str, dict[str, list[str]]] = {}
    for param in _runs():
        run, flow, errors = param.values
        replayer = Replayer(_double(run), run)
        steps: dict[str, list[str]] = {}
        set_up: set[str] = set()
        for x in [*flow, *errors]:
            before = len(replayer.ids.problems)
            case = x.get("case", "")
            try:
                if case in SETUPS and case not in set_up:
                    set_up.add(case)
                    SETUPS[case](replayer)
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
