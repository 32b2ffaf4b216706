"""An in-memory Odoo 19 test double for the connector's tests, kept honest by the recorded contract.

It serves what ../shared/odoo-contract/ shows a real Odoo 19 server serving: ``/web/webclient/version_info``,
JSON-2 (``POST /json/2/<model>/<method>``) and XML-RPC (``/xmlrpc/2/common``, ``/xmlrpc/2/object``), over one
in-memory record store with the business methods the EDI flow uses. Errors come back in the recorded shapes:

    OdooError                      JSON-2 status / body name           XML-RPC fault
    ├── UserError                  422 odoo.exceptions.UserError        2, message
    ├── ValidationError            422 odoo.exceptions.ValidationError  2, message
    ├── MissingError               404 odoo.exceptions.MissingError     2, message
    ├── AccessError                403 odoo.exceptions.AccessError      4, message
    ├── HttpError (werkzeug.*)     400/401/404/422, arguments [msg, st] 1, traceback (or 2 for a missing model)
    └── PythonError (builtins.*)   500 builtins.ValueError/TypeError    1, traceback

``OdooDouble.app`` is an ASGI app: use it in-process through ``httpx.ASGITransport`` or serve it with uvicorn
(``serve_on_localhost``). Fault injection (``fail_next``, ``timeout_next``, ``commit_then_fail``) and the call
counter (``calls``) are for the connector's exactly-once and call-budget tests. See ODOO_DOUBLE.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import socket
import threading
import xmlrpc.client
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "odoo-contract"

JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"

HTML_DB_NOT_SERVED = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n"
    "<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n"
    "<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)
HTML_UNSUPPORTED_MEDIA = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n"
    "<p>Request inferred type is compatible with [&#39;http&#39;] but "
    "&#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;.<br><br>"
    "Please verify the Content-Type request header and try again.</p>\n"
)
VERSION_INFO = {
    "server_version": "19.0",
    "server_version_info": [19, 0, 0, "final", 0, ""],
    "server_serie": "19.0",
    "protocol_version": 1,
}


# ---------------------------------------------------------------- errors


class OdooError(Exception):
    """An error the double answers with; subclasses carry their wire shape."""

    name = "odoo.exceptions.UserError"
    status = 422
    fault_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def arguments(self) -> list[Any]:
        return [self.message]

    def fault_string(self) -> str:
        return self.message

    def debug_line(self) -> str:
        """The last line of the server traceback in the JSON-2 ``debug`` member."""
        return f"{self.name}: {self.message}"


class UserError(OdooError):
    pass


class ValidationError(OdooError):
    name = "odoo.exceptions.ValidationError"


class MissingError(OdooError):
    name = "odoo.exceptions.MissingError"
    status = 404


class AccessError(OdooError):
    name = "odoo.exceptions.AccessError"
    status = 403
    fault_code = 4


class HttpError(OdooError):
    """A werkzeug HTTP exception: its arguments are ``[description, status]``."""

    fault_code = 1

    def __init__(self, message: str, status: int, name: str, fault: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.name = f"werkzeug.exceptions.{name}"
        self._fault = fault

    @property
    def arguments(self) -> list[Any]:
        return [self.message, self.status]

    def fault_string(self) -> str:
        return traceback_text(self._fault or f"{self.name}: {self.message}")

    def debug_line(self) -> str:
        phrase = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 422: "Unprocessable Entity"}
        return f"{self.name}: {self.status} {phrase.get(self.status, '')}: {self.message}"


class PythonError(OdooError):
    """A builtin exception escaping the ORM: 500 over JSON-2, fault 1 with a traceback over XML-RPC."""

    status = 500
    fault_code = 1

    def __init__(self, kind: str, message: str, fault_last_line: str | None = None) -> None:
        super().__init__(message)
        self.name = f"builtins.{kind}"
        self._last = fault_last_line or f"{kind}: {message}"

    def fault_string(self) -> str:
        return traceback_text(self._last)

    def debug_line(self) -> str:
        return f"{self.name.removeprefix('builtins.')}: {self.message}"


class FaultOnly(OdooError):
    """An XML-RPC-only fault (e.g. ``cannot marshal None``); ``code`` and the full fault string are given."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.fault_code = code

    def fault_string(self) -> str:
        return self.message


class InjectedTimeout(Exception):
    """Raised inside the app when a timeout was injected: the response never comes."""


def traceback_text(last_line: str) -> str:
    return f'Traceback (most recent call last):\n  File "<odoo-double>", line 1, in dispatch\n{last_line}\n'


def not_found(message: str) -> HttpError:
    return HttpError(message, 404, "NotFound")


def unprocessable(message: str, fault: str | None = None) -> HttpError:
    return HttpError(message, 422, "UnprocessableEntity", fault)


# ---------------------------------------------------------------- fault injection


@dataclass
class Injection:
    """What the next ``times`` calls of (model, method) do instead of (or after) running normally."""

    model: str
    method: str
    times: int
    error: OdooError | None = None
    timeout: bool = False
    commit_first: bool = False


# ---------------------------------------------------------------- store

# one2many fields computed from their inverse many2one
INVERSES: dict[tuple[str, str], tuple[str, str]] = {
    ("purchase.order", "order_line"): ("purchase.order.line", "order_id"),
    ("purchase.order", "picking_ids"): ("stock.picking", "purchase_id"),
    ("stock.picking", "move_ids"): ("stock.move", "picking_id"),
    ("stock.picking", "move_line_ids"): ("stock.move.line", "picking_id"),
    ("stock.picking", "backorder_ids"): ("stock.picking", "backorder_id"),
    ("stock.move", "move_line_ids"): ("stock.move.line", "move_id"),
    ("account.move", "invoice_line_ids"): ("account.move.line", "move_id"),
    ("account.move", "line_ids"): ("account.move.line", "move_id"),
    ("product.product", "seller_ids"): ("product.supplierinfo", "product_id"),
    ("product.template", "seller_ids"): ("product.supplierinfo", "product_tmpl_id"),
}
# models that are not in fields.json but that the flow touches
EXTRA_MODELS = ("res.users", "res.currency", "stock.location", "mail.message", "ir.model.data")
MODEL_METHODS = {"search", "search_read", "search_count", "create", "fields_get", "context_get", "name_search"}
METHOD_KWARGS: dict[str, set[str]] = {
    "search": {"domain", "offset", "limit", "order", "context"},
    "read": {"fields", "load", "context"},
    "write": {"vals", "context"},
    "create": {"vals_list", "context"},
    "unlink": {"context"},
    "search_count": {"domain", "limit", "context"},
    "fields_get": {"allfields", "attributes", "context"},
    "name_search": {"name", "domain", "operator", "limit", "context"},
}
PRIVATE_OK = {"__init__"}


def _r2(value: float) -> float:
    return float(f"{value + 1e-9:.2f}")


@dataclass
class OdooDouble:
    """An Odoo 19 server in memory. Build one per test; ``app`` is its ASGI application."""

    database: str = "edi_test"
    api_key: str = "<API-KEY>"
    login: str = "admin"
    password: str = "<PASSWORD>"
    served_databases: tuple[str, ...] = ()
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=lambda: {"P": 1, "WH/IN/": 1, "WH/OUT/": 1, "BILL": 1})
    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    injections: list[Injection] = field(default_factory=list)
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        self.fields: dict[str, dict[str, dict[str, Any]]] = json.loads((CONTRACT / "fields.json").read_text())["models"]
        for model in [*self.fields, *EXTRA_MODELS]:
            self.records.setdefault(model, {})
        self.served = {self.database, *self.served_databases}
        self._lock = threading.RLock()
        self._seed()
        self.app = Starlette(
            routes=[
                Route("/web/webclient/version_info", self._version_info, methods=["POST"]),
                Route("/json/2/{model}/{method}", self._json2, methods=["GET", "POST", "PUT", "DELETE"]),
                Route("/json/2/{model}", self._json2_no_method, methods=["GET", "POST"]),
                Route("/xmlrpc/2/common", self._xmlrpc_common, methods=["POST"]),
                Route("/xmlrpc/2/object", self._xmlrpc_object, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------ seeding

    def _seed(self) -> None:
        """The master data of a clean Odoo 19 database with purchase, stock, account and product_expiry."""
        self.put("res.users", 2, {"login": self.login, "name": "Administrator"})
        self.put("res.currency", 1, {"name": "USD"})
        self.put("uom.uom", 1, {"name": "Units"})
        self.put("account.tax", 2, {"name": "15%", "amount": 15.0, "type_tax_use": "purchase"})
        self.put("stock.location", 1, {"name": "Vendors", "complete_name": "Vendors"})
        self.put("stock.location", 2, {"name": "Customers", "complete_name": "Customers"})
        self.put("stock.location", 5, {"name": "Stock", "complete_name": "WH/Stock"})
        self.put(
            "stock.picking.type",
            1,
            {
                "name": "Receipts",
                "code": "incoming",
                "sequence_code": "IN",
                "use_create_lots": True,
                "use_existing_lots": False,
                "default_location_src_id": 1,
                "default_location_dest_id": 5,
            },
        )
        self.put(
            "stock.picking.type",
            2,
            {
                "name": "Delivery Orders",
                "code": "outgoing",
                "sequence_code": "OUT",
                "use_create_lots": False,
                "use_existing_lots": True,
                "default_location_src_id": 5,
                "default_location_dest_id": 2,
            },
        )

    def put(self, model: str, rid: int, vals: dict[str, Any]) -> int:
        """Store a record with a chosen id (seeding); later ids of that model follow it."""
        self.records.setdefault(model, {})[rid] = {"id": rid, **vals}
        self.next_ids[model] = max(self.next_ids.get(model, 1), rid + 1)
        return rid

    def _new_id(self, model: str) -> int:
        rid = self.next_ids.get(model, 1)
        self.next_ids[model] = rid + 1
        return rid

    def _seq(self, prefix: str, width: int) -> str:
        n = self.sequences[prefix]
        self.sequences[prefix] = n + 1
        return f"{prefix}{n:0{width}d}"

    def _stamp(self) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S")

    # ------------------------------------------------------------ fault injection and counters

    def fail_next(self, model: str, method: str, error: OdooError, *, times: int = 1) -> None:
        """The next ``times`` calls of model.method answer ``error`` without running."""
        self.injections.append(Injection(model, method, times, error=error))

    def timeout_next(self, model: str, method: str, *, times: int = 1) -> None:
        """The next ``times`` calls never answer (the ASGI app waits ``timeout_seconds``; set a client timeout)."""
        self.injections.append(Injection(model, method, times, timeout=True))

    def commit_then_fail(self, model: str, method: str, error: OdooError | None = None, *, times: int = 1) -> None:
        """The next ``times`` calls run and commit, then answer ``error`` (default: a 500 / fault 1)."""
        err = error or PythonError("RuntimeError", "connection lost after commit")
        self.injections.append(Injection(model, method, times, error=err, commit_first=True))

    def _take_injection(self, model: str, method: str) -> Injection | None:
        for inj in self.injections:
            if inj.model == model and inj.method == method and inj.times > 0:
                inj.times -= 1
                return inj
        return None

    def count(self, protocol: str | None = None, model: str | None = None, method: str | None = None) -> int:
        """Calls counted so far, filtered by any of protocol ('json2'/'xmlrpc'), model, method."""
        return sum(
            n
            for (p, m, f), n in self.calls.items()
            if (protocol is None or p == protocol) and (model is None or m == model) and (method is None or f == method)
        )

    # ------------------------------------------------------------ HTTP: version, JSON-2

    async def _version_info(self, request: Request) -> Response:
        self.calls["http", "", "version_info"] += 1
        return Response(json.dumps({"jsonrpc": "2.0", "id": None, "result": VERSION_INFO}), media_type=JSON)

    @staticmethod
    def _json_error(err: OdooError) -> Response:
        body = {
            "name": err.name,
            "message": err.message,
            "arguments": err.arguments,
            "context": {},
            "debug": traceback_text(err.debug_line()),
        }
        headers = {"WWW-Authenticate": "Bearer "} if err.status == 401 else {}
        return Response(json.dumps(body), status_code=err.status, media_type=JSON, headers=headers)

    async def _json2_no_method(self, request: Request) -> Response:
        return self._json_error(not_found("Did you mean POST /json/2/<model>/<method>?"))

    async def _json2(self, request: Request) -> Response:
        model, method = request.path_params["model"], request.path_params["method"]
        db = request.headers.get("x-odoo-database")
        if db is not None and db not in self.served:
            return Response(HTML_DB_NOT_SERVED, status_code=404, media_type=HTML)
        if request.method != "POST":
            return self._json_error(not_found("Did you mean POST /json/2/<model>/<method>?"))
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return Response(HTML_UNSUPPORTED_MEDIA, status_code=415, media_type=HTML)
        auth = request.headers.get("authorization")
        if auth is None or not auth.lower().startswith("bearer "):
            return self._json_error(
                HttpError(
                    "User not authenticated, use an API Key with a Bearer Authorization header.", 401, "Unauthorized"
                )
            )
        if auth[7:] != self.api_key:
            return self._json_error(HttpError("Invalid apikey", 401, "Unauthorized"))
        raw = await request.body()
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            return self._json_error(HttpError(f"could not parse the body as json: {exc}", 400, "BadRequest"))
        if not isinstance(body, dict):
            return self._json_error(HttpError("request body is not a JSON object", 400, "BadRequest"))
        self.calls["json2", model, method] += 1
        try:
            result = await self._guarded(model, method, lambda: self._dispatch_json2(model, method, body))
        except OdooError as err:
            return self._json_error(err)
        return Response(json.dumps(result), media_type=JSON)

    async def _guarded(self, model: str, method: str, run: Callable[[], Any]) -> Any:
        inj = self._take_injection(model, method)
        if inj is not None and inj.timeout:
            await asyncio.sleep(self.timeout_seconds)
            raise InjectedTimeout(f"{model}.{method}")
        if inj is not None and not inj.commit_first and inj.error is not None:
            raise inj.error
        with self._lock:
            result = run()
        if inj is not None and inj.error is not None:
            raise inj.error
        return result

    def _dispatch_json2(self, model: str, method: str, body: dict[str, Any]) -> Any:
        if model not in self.records:
            raise not_found(f"the model {model!r} does not exist")
        self._check_method(model, method)
        kwargs = dict(body)
        ids = kwargs.pop("ids", None)
        if method in MODEL_METHODS and ids is not None:
            raise unprocessable(f"cannot call {model}.{method} with ids")
        allowed = METHOD_KWARGS.get(method)
        if allowed is not None:
            for key in kwargs:
                if key not in allowed:
                    raise unprocessable(f"got an unexpected keyword argument {key!r}")
        return self.call(model, method, ids, kwargs)

    def _check_method(self, model: str, method: str) -> None:
        if method.startswith("_") and method not in PRIVATE_OK:
            raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
        if self._handler(model, method) is None:
            raise not_found(f"The method '{model}.{method}' does not exist")

    # ------------------------------------------------------------ HTTP: XML-RPC

    @staticmethod
    def _xml(value: Any) -> Response:
        return Response(xmlrpc.client.dumps((value,), methodresponse=True), media_type=XML)

    @staticmethod
    def _fault(code: int, text: str) -> Response:
        return Response(xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True), media_type=XML)

    async def _xmlrpc_common(self, request: Request) -> Response:
        params, name = xmlrpc.client.loads(await request.body())
        self.calls["xmlrpc", "common", name or ""] += 1
        if name == "version":
            return self._xml(VERSION_INFO)
        if name == "authenticate" or name == "login":
            db, login, password = params[0], params[1], params[2]
            ok = db in self.served and login == self.login and password == self.password
            return self._xml(2 if ok else False)
        return self._fault(1, traceback_text(f"NameError: method {name!r} is not supported"))

    async def _xmlrpc_object(self, request: Request) -> Response:
        params, name = xmlrpc.client.loads(await request.body())
        if name != "execute_kw" or len(params) < 6:
            return self._fault(1, traceback_text(f"KeyError: {name!r}"))
        db, uid, password, model, method, args = params[:6]
        kwargs: dict[str, Any] = dict(params[6]) if len(params) > 6 else {}
        self.calls["xmlrpc", model, method] += 1
        if db not in self.served:
            return self._fault(
                1,
                traceback_text(
                    f'psycopg2.OperationalError: connection to server at "<db-host>", port <db-port> failed: '
                    f'FATAL:  database "{db}" does not exist'
                ),
            )
        if uid != 2 or password != self.password:
            return self._fault(3, "Access Denied")
        try:
            result = await self._guarded(model, method, lambda: self._dispatch_xmlrpc(model, method, args, kwargs))
        except OdooError as err:
            return self._fault(err.fault_code, err.fault_string())
        if result is None:
            return self._fault(1, traceback_text("TypeError: cannot marshal None unless allow_none is enabled"))
        return self._xml(result)

    def _dispatch_xmlrpc(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if model not in self.records:
            raise OdooError(f"Object {model} doesn't exist")
        if method.startswith("_"):
            raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
        if self._handler(model, method) is None:
            raise PythonError("AttributeError", "", f"AttributeError: The method '{model}.{method}' does not exist")
        if method == "create":
            if not args:
                raise PythonError("IndexError", "", "IndexError: list index out of range")
            return self.call(model, method, None, {"vals_list": args[0], **kwargs})
        ids: list[int] | None = None
        if method not in MODEL_METHODS:
            ids = list(args[0]) if args else []
        allowed = METHOD_KWARGS.get(method)
        if allowed is not None:
            for key in kwargs:
                if key not in allowed:
                    owner = "BaseModel." + method
                    last = f"TypeError: {owner}() got an unexpected keyword argument {key!r}"
                    raise PythonError("TypeError", "", last)
        return self.call(model, method, ids, kwargs)

    # ------------------------------------------------------------ ORM

    def _handler(self, model: str, method: str) -> Callable[..., Any] | None:
        specific = getattr(self, f"m_{model.replace('.', '_')}__{method}", None)
        if specific is not None:
            return specific  # type: ignore[no-any-return]
        generic = getattr(self, f"orm_{method}", None)
        return generic  # type: ignore[no-any-return]

    def call(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        """Run model.method the way both transports do, after dispatch checks."""
        handler = self._handler(model, method)
        assert handler is not None
        kwargs = {k: v for k, v in kwargs.items() if k != "context"} | {"context": kwargs.get("context") or {}}
        if method in MODEL_METHODS:
            return handler(model, **kwargs)
        return handler(model, list(ids or []), **kwargs)

    def field_def(self, model: str, name: str) -> dict[str, Any] | None:
        return self.fields.get(model, {}).get(name)

    def exists(self, model: str, ids: list[int]) -> list[int]:
        return [i for i in ids if i in self.records[model]]

    def _browse(self, model: str, ids: list[int]) -> list[dict[str, Any]]:
        missing = [i for i in ids if i not in self.records[model]]
        if missing:
            raise MissingError(f"Record does not exist or has been deleted.\n(Record: {model}({missing[0]},), User: 2)")
        return [self.records[model][i] for i in ids]

    # -- values

    def get(self, model: str, rid: int, name: str) -> Any:
        """The raw value of a field: many2one as an id or False, x2many as a list of ids."""
        rec = self.records[model][rid]
        compute = getattr(self, f"c_{model.replace('.', '_')}__{name}", None)
        if compute is not None:
            return compute(rec)
        if (model, name) in INVERSES:
            comodel, inverse = INVERSES[(model, name)]
            return sorted(r["id"] for r in self.records[comodel].values() if r.get(inverse) == rid)
        if name in rec:
            return rec[name]
        fdef = self.field_def(model, name) or {}
        kind = fdef.get("type")
        if kind in ("one2many", "many2many"):
            return []
        if kind == "float" or kind == "monetary":
            return 0.0
        if kind == "integer":
            return 0
        return False

    def display_name(self, model: str, rid: int) -> str:
        rec = self.records[model][rid]
        if model in ("product.product", "product.template"):
            code = rec.get("default_code")
            return f"[{code}] {rec['name']}" if code else str(rec["name"])
        if model == "stock.picking.type":
            return f"My Company: {rec['name']}"
        if model == "stock.location":
            return str(rec["complete_name"])
        if model == "stock.move":
            product = self.records["product.product"][rec["product_id"]]
            src = self.records["stock.location"][rec["location_id"]]["name"]
            dst = self.records["stock.location"][rec["location_dest_id"]]["name"]
            return f"{rec.get('reference') or ''}/{product.get('default_code')}: {src}>{dst}"
        if model == "account.move":
            return str(rec.get("name") or "Draft Bill")
        return str(rec.get("name") or f"{model},{rid}")

    def render(self, model: str, rid: int, name: str) -> Any:
        if name == "id":
            return rid
        if name == "display_name":
            return self.display_name(model, rid)
        value = self.get(model, rid, name)
        fdef = self.field_def(model, name) or {}
        if fdef.get("type") == "many2one" or (
            fdef == {}
            and name.endswith("_id")
            and name != "res_id"  # mail.message.res_id is a Many2oneReference: a plain integer
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            comodel = fdef.get("relation") or ""
            if value and comodel in self.records and value in self.records[comodel]:
                return [value, self.display_name(comodel, value)]
            return False
        if fdef.get("type") == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    # -- domains

    def _match(self, model: str, rid: int, domain: list[Any]) -> bool:
        stack: list[bool] = []
        for leaf in reversed(domain):
            if leaf == "&":
                stack.append(stack.pop() & stack.pop())
            elif leaf == "|":
                stack.append(stack.pop() | stack.pop())
            elif leaf == "!":
                stack.append(not stack.pop())
            else:
                stack.append(self._leaf(model, rid, leaf))
        return all(stack)

    def _leaf(self, model: str, rid: int, leaf: list[Any]) -> bool:
        name, op, value = leaf
        actual = rid if name == "id" else self.get(model, rid, name)
        if isinstance(actual, list):
            values = actual
        else:
            values = [actual]
        if op == "=":
            return value in values if isinstance(actual, list) else actual == value
        if op == "!=":
            return actual != value
        if op == "in":
            return any(v in value for v in values)
        if op == "not in":
            return not any(v in value for v in values)
        if op in ("like", "ilike"):
            return isinstance(actual, str) and (
                str(value) in actual if op == "like" else str(value).lower() in actual.lower()
            )
        if op in ("<", "<=", ">", ">="):
            return bool(
                actual is not False
                and {"<": actual < value, "<=": actual <= value, ">": actual > value, ">=": actual >= value}[op]
            )
        raise PythonError("ValueError", f"Invalid leaf {leaf!r}")

    def _order_key(self, model: str) -> Callable[[int], Any]:
        if model == "product.supplierinfo":
            return lambda rid: (
                self.get(model, rid, "sequence") or 1,
                -float(self.get(model, rid, "min_qty")),
                float(self.get(model, rid, "price")),
                rid,
            )
        return lambda rid: rid

    # -- generic methods

    def orm_search(
        self,
        model: str,
        domain: list[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        ids = [rid for rid in self.records[model] if self._match(model, rid, domain or [])]
        ids.sort(key=self._order_key(model))
        ids = ids[offset:]
        return ids[:limit] if limit else ids

    def orm_search_count(
        self,
        model: str,
        domain: list[Any] | None = None,
        limit: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> int:
        return len(self.orm_search(model, domain, limit=limit))

    def orm_read(
        self,
        model: str,
        ids: list[int],
        fields: list[str] | None = None,
        load: str = "_classic_read",
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        names = fields or [n for n in self.fields.get(model, {}) if n != "id"]
        out = []
        for rid in self.exists(model, ids):
            row: dict[str, Any] = {"id": rid}
            for name in names:
                if name != "id":
                    row[name] = self.render(model, rid, name)
            out.append(row)
        return out

    def orm_search_read(
        self,
        model: str,
        domain: list[Any] | None = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: dict[str, Any] | None = None,
        **extra: Any,
    ) -> list[dict[str, Any]]:
        if extra:
            key = next(iter(extra))
            raise PythonError("TypeError", f"BaseModel._read_format() got an unexpected keyword argument {key!r}")
        return self.orm_read(model, self.orm_search(model, domain, offset, limit, order), fields)

    def orm_fields_get(
        self,
        model: str,
        allfields: list[str] | None = None,
        attributes: list[str] | None = None,
        context: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, attrs in self.fields.get(model, {}).items():
            if allfields and name not in allfields:
                continue
            out[name] = {k: v for k, v in attrs.items() if not attributes or k in attributes}
        return out

    def orm_name_search(
        self,
        model: str,
        name: str = "",
        domain: list[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
        context: dict[str, Any] | None = None,
    ) -> list[list[Any]]:
        ids = self.orm_search(model, domain)
        hits = [rid for rid in ids if not name or name.lower() in self.display_name(model, rid).lower()]
        return [[rid, self.display_name(model, rid)] for rid in hits[:limit]]

    def orm_context_get(self, model: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"lang": "en_US", "tz": False, "uid": 2}

    def orm_create(
        self, model: str, vals_list: list[dict[str, Any]] | dict[str, Any], context: dict[str, Any] | None = None
    ) -> list[int] | int:
        single = isinstance(vals_list, dict)
        rows = [vals_list] if isinstance(vals_list, dict) else vals_list
        ids = [self.create_one(model, dict(vals), context or {}) for vals in rows]
        return ids[0] if single else ids

    def orm_write(
        self, model: str, ids: list[int], vals: dict[str, Any], context: dict[str, Any] | None = None
    ) -> bool:
        for rec in self._browse(model, ids):
            self.check_write(model, rec, vals)
        for rid in ids:
            self.write_one(model, rid, dict(vals))
        return True

    def orm_unlink(self, model: str, ids: list[int], context: dict[str, Any] | None = None) -> bool:
        for rec in self._browse(model, ids):
            if model == "purchase.order" and rec.get("state") in ("purchase", "done"):
                raise UserError("In order to delete a purchase order, you must cancel it first.")
            if model == "stock.picking" and rec.get("state") == "done":
                raise UserError(
                    "You cannot cancel a stock move that has been set to 'Done'. "
                    "Create a return in order to reverse the moves which took place."
                )
            if model == "account.move" and rec.get("state") == "posted":
                raise UserError("You cannot delete an entry which has been posted once.")
        for rid in ids:
            del self.records[model][rid]
        return True

    def _check_vals(self, model: str, vals: dict[str, Any], *, writing: bool = False) -> None:
        if model not in self.fields:
            return
        for name, value in vals.items():
            fdef = self.field_def(model, name)
            if fdef is None:
                where = f"in {model!r}" if writing else f"on model {model!r}"
                raise PythonError("ValueError", f"Invalid field {name!r} {where}")
            if fdef["type"] == "selection" and value is not False and value not in [s[0] for s in fdef["selection"]]:
                owner = "product.template" if model == "product.product" else model
                raise PythonError("ValueError", f"Wrong value for {owner}.{name}: {value!r}")
            comodel = fdef.get("relation")
            if fdef["type"] == "many2one" and value and comodel in self.records and value not in self.records[comodel]:
                raise MissingError(
                    f"Record does not exist or has been deleted.\n(Record: {comodel}({value},), User: 2)"
                )

    def _check_required(self, model: str, rec: dict[str, Any]) -> None:
        for name in REQUIRED.get(model, ()):
            if not rec.get(name):
                fdef = self.fields[model][name]
                raise ValidationError(
                    f"The operation cannot be completed: Missing required value for the field "
                    f"'{fdef['string']}' ({name}).\nModel: '{MODEL_LABELS.get(model, model)}' ({model})\n"
                    "- create/update: a mandatory field is not set\n"
                    "- delete: another model requires the record being deleted, you can archive it instead\n"
                )

    def create_one(self, model: str, vals: dict[str, Any], context: dict[str, Any]) -> int:
        subs = {k: vals.pop(k) for k in list(vals) if (model, k) in INVERSES or self._is_x2m_command(model, k, vals)}
        self._check_vals(model, {**vals, **subs})
        for key, value in context.items():
            if key.startswith("default_") and key[8:] not in vals:
                vals[key[8:]] = value
        self._defaults(model, vals)
        self._check_required(model, vals)
        self._unique(model, vals)
        rid = self._new_id(model)
        self.records[model][rid] = {"id": rid, **vals}
        self._after_create(model, rid, context)
        for name, commands in subs.items():
            self._x2m(model, rid, name, commands)
        return rid

    def _is_x2m_command(self, model: str, name: str, vals: dict[str, Any]) -> bool:
        fdef = self.field_def(model, name) or {}
        return fdef.get("type") in ("one2many", "many2many") and name not in ("tax_ids",)

    def write_one(self, model: str, rid: int, vals: dict[str, Any]) -> None:
        rec = self.records[model][rid]
        subs = {k: vals.pop(k) for k in list(vals) if (model, k) in INVERSES}
        self._check_vals(model, {**vals, **subs}, writing=True)
        self._before_write(model, rec, vals)
        rec.update(vals)
        for name, commands in subs.items():
            self._x2m(model, rid, name, commands)

    def _x2m(self, model: str, rid: int, name: str, commands: list[Any]) -> None:
        comodel, inverse = INVERSES[(model, name)]
        for command in commands:
            op = command[0]
            if op == 0:
                self.create_one(comodel, {inverse: rid, **command[2]}, {})
            elif op == 1:
                self.write_one(comodel, command[1], dict(command[2]))
            elif op in (2, 3):
                self.records[comodel].pop(command[1], None)

    # ------------------------------------------------------------ business rules

    def _defaults(self, model: str, vals: dict[str, Any]) -> None:
        if "tax_ids" in vals:
            vals["tax_ids"] = _m2m(vals["tax_ids"])
        if model == "res.partner":
            vals.setdefault("active", True)
        elif model == "product.product":
            vals.setdefault("uom_id", 1)
            vals.setdefault("type", "consu")
            vals.setdefault("tracking", "none")
            vals.setdefault("purchase_method", "receive")
        elif model == "product.supplierinfo":
            vals.setdefault("min_qty", 0.0)
            vals.setdefault("delay", 1)
            vals.setdefault("currency_id", 1)
            vals.setdefault("sequence", 1)
            if vals.get("product_id"):
                product = self.records["product.product"][vals["product_id"]]
                vals.setdefault("product_tmpl_id", product["product_tmpl_id"])
        elif model == "purchase.order":
            vals.setdefault("state", "draft")
            vals.setdefault("currency_id", 1)
            vals.setdefault("acknowledged", False)
            vals.setdefault("date_order", self._stamp())
            vals.setdefault("name", "New")
        elif model == "purchase.order.line":
            vals.setdefault("product_uom_id", 1)
            vals.setdefault("tax_ids", [2])
            vals.setdefault("discount", 0.0)
            seller = self._seller(vals.get("order_id"), vals.get("product_id"))
            if seller is not None:  # Odoo names the line "[vendor code] vendor name", each falling back
                product = self.records["product.product"].get(vals.get("product_id") or 0, {})
                label = seller.get("product_name") or product.get("name", "")
                code = seller.get("product_code")
                vals.setdefault("name", f"[{code}] {label}" if code else label)
                vals.setdefault("price_unit", seller["price"])
            if "date_planned" not in vals:  # Odoo computes it: now plus the vendor's lead time
                lead = dt.timedelta(days=int(seller.get("delay", 0)) if seller is not None else 0)
                vals["date_planned"] = (self.now() + lead).strftime("%Y-%m-%d %H:%M:%S")
        elif model == "stock.move.line":
            vals.setdefault("picked", False)
            vals.setdefault("lot_name", False)
            vals.setdefault("lot_id", False)
            if vals.get("move_id"):
                move = self.records["stock.move"][vals["move_id"]]
                for key in ("product_id", "picking_id", "location_id", "location_dest_id"):
                    vals.setdefault(key, move[key])
                vals.setdefault("product_uom_id", move["product_uom"])
        elif model == "account.move":
            vals.setdefault("state", "draft")
            vals.setdefault("name", False)
            vals.setdefault("payment_state", "not_paid")
            vals.setdefault("move_type", "entry")
        elif model == "account.move.line":
            vals.setdefault("display_type", "product")
            vals.setdefault("tax_ids", [])

    def _unique(self, model: str, vals: dict[str, Any]) -> None:
        if model == "stock.lot":
            for lot in self.records["stock.lot"].values():
                if lot["name"] == vals.get("name") and lot["product_id"] == vals.get("product_id"):
                    product = self.display_name("product.product", lot["product_id"])
                    raise ValidationError(
                        "The combination of lot/serial number and product must be unique within a company including "
                        "when no company is defined.\nThe following combinations contain duplicates:\n"
                        f" - Product: {product}, Lot/Serial Number: {lot['name']}"
                    )

    def _after_create(self, model: str, rid: int, context: dict[str, Any]) -> None:
        rec = self.records[model][rid]
        if model == "product.product":
            tmpl = self.put("product.template", rid, {k: v for k, v in rec.items() if k in ("name", "default_code")})
            rec["product_tmpl_id"] = tmpl
        elif model == "purchase.order" and rec["name"] == "New":
            rec["name"] = self._seq("P", 5)
        elif model == "stock.backorder.confirmation":
            rec["pick_ids"] = _m2m(context.get("default_pick_ids", []))
        elif model == "expiry.picking.confirmation":
            rec["picking_ids"] = _m2m(context.get("default_picking_ids", []))

    def check_write(self, model: str, rec: dict[str, Any], vals: dict[str, Any]) -> None:
        if model == "stock.picking" and rec.get("state") == "done" and "picking_type_id" in vals:
            raise UserError("Changing the operation type of this record is forbidden at this point.")
        if model == "stock.move" and rec.get("state") == "done" and "product_uom" in vals:
            raise UserError("You cannot change the UoM for a stock move that has been set to 'Done'.")
        if model == "account.move" and rec.get("state") == "posted":
            locked = [k for k in vals if k in ("invoice_line_ids", "line_ids", "partner_id", "invoice_date")]
            if locked:
                raise UserError(
                    f"You cannot modify the following readonly fields on a posted move: {', '.join(locked)}"
                )

    def _before_write(self, model: str, rec: dict[str, Any], vals: dict[str, Any]) -> None:
        if model == "purchase.order.line" and "product_qty" in vals:
            order = self.records["purchase.order"][rec["order_id"]]
            in_place = "date_planned" in vals and "price_unit" not in vals
            if "date_planned" not in vals:
                # Odoo re-runs the vendor-pricelist compute (contract gotcha 3)
                seller = self._seller(rec["order_id"], rec["product_id"])
                if seller is not None:
                    vals.setdefault("price_unit", seller["price"])
                    vals.setdefault("discount", float(seller.get("discount") or 0.0))
                    lead = dt.timedelta(days=int(seller.get("delay", 0)))
                    vals["date_planned"] = (self.now() + lead).strftime("%Y-%m-%d %H:%M:%S")
            if order["state"] == "purchase":
                self._resize_moves(rec, float(vals["product_qty"]), vals.get("date_planned"), in_place)

    def _resize_moves(self, line: dict[str, Any], qty: float, date: str | None, in_place: bool) -> None:
        moves = [
            m
            for m in self.records["stock.move"].values()
            if m.get("purchase_line_id") == line["id"] and m["state"] not in ("done", "cancel")
        ]
        if not moves:
            return
        move = moves[0]
        if in_place:
            move["product_uom_qty"] = qty
            move["quantity"] = qty
            move["date"] = date or move["date"]
            for ml in self.records["stock.move.line"].values():
                if ml.get("move_id") == move["id"]:
                    ml["quantity"] = qty
            return
        delta = qty - float(line["product_qty"])
        # the delta's move is planned at the line's new date_planned (behaviour.po_line_qty_* moves)
        date = date or self._stamp()
        if delta > 0:
            self._new_move(move["picking_id"], line, delta, date)
        elif delta < 0:
            order = self.records["purchase.order"][line["order_id"]]
            out = self.create_one(
                "stock.picking",
                {
                    "name": self._seq("WH/OUT/", 5),
                    "picking_type_id": 2,
                    "state": "assigned",
                    "location_id": 5,
                    "location_dest_id": 1,
                    "purchase_id": order["id"],
                    "origin": order["name"],
                    "scheduled_date": date,
                },
                {},
            )
            self._new_move(out, line, -delta, date, src=5, dst=1)

    def _seller(self, order_id: int | None, product_id: int | None) -> dict[str, Any] | None:
        if not product_id:
            return None
        partner = self.records["purchase.order"].get(order_id or 0, {}).get("partner_id")
        for s in self.records["product.supplierinfo"].values():
            if s.get("product_id") == product_id and (partner is None or s.get("partner_id") == partner):
                return s
        return None

    # -- computed fields

    def c_product_product__product_tmpl_id(self, rec: dict[str, Any]) -> Any:
        return rec.get("product_tmpl_id", False)

    def c_purchase_order_line__price_subtotal(self, rec: dict[str, Any]) -> float:
        return _r2(float(rec.get("product_qty", 0)) * float(rec.get("price_unit", 0)))

    def c_purchase_order_line__qty_received(self, rec: dict[str, Any]) -> float:
        return sum(
            float(m.get("quantity", 0))
            for m in self.records["stock.move"].values()
            if m.get("purchase_line_id") == rec["id"] and m["state"] == "done"
        )

    def c_purchase_order_line__qty_invoiced(self, rec: dict[str, Any]) -> float:
        return sum(
            float(aml.get("quantity", 0))
            for aml in self.records["account.move.line"].values()
            if aml.get("purchase_line_id") == rec["id"]
            and self.records["account.move"][aml["move_id"]]["state"] != "cancel"
        )

    def c_purchase_order_line__qty_to_invoice(self, rec: dict[str, Any]) -> float:
        return self.c_purchase_order_line__qty_received(rec) - self.c_purchase_order_line__qty_invoiced(rec)

    def _lines(self, model: str, inverse: str, rid: int) -> list[dict[str, Any]]:
        return [r for r in self.records[model].values() if r.get(inverse) == rid]

    def c_purchase_order__amount_untaxed(self, rec: dict[str, Any]) -> float:
        lines = self._lines("purchase.order.line", "order_id", rec["id"])
        return _r2(sum(self.c_purchase_order_line__price_subtotal(li) for li in lines))

    def c_purchase_order__amount_total(self, rec: dict[str, Any]) -> float:
        lines = self._lines("purchase.order.line", "order_id", rec["id"])
        return _r2(sum(_r2(self.c_purchase_order_line__price_subtotal(li) * (1 + self._tax_rate(li))) for li in lines))

    def _tax_rate(self, line: dict[str, Any]) -> float:
        return sum(float(self.records["account.tax"][t]["amount"]) for t in line.get("tax_ids", [])) / 100

    def c_purchase_order__date_planned(self, rec: dict[str, Any]) -> Any:
        dates = [li["date_planned"] for li in self._lines("purchase.order.line", "order_id", rec["id"])]
        return min(dates) if dates else False

    def c_purchase_order__invoice_ids(self, rec: dict[str, Any]) -> list[int]:
        lines = {li["id"] for li in self._lines("purchase.order.line", "order_id", rec["id"])}
        return sorted(
            {
                aml["move_id"]
                for aml in self.records["account.move.line"].values()
                if aml.get("purchase_line_id") in lines
            }
        )

    def c_purchase_order__invoice_status(self, rec: dict[str, Any]) -> str:
        if rec["state"] != "purchase":
            return "no"
        lines = self._lines("purchase.order.line", "order_id", rec["id"])
        if any(self.c_purchase_order_line__qty_to_invoice(li) > 0 for li in lines):
            return "to invoice"
        if any(self.c_purchase_order_line__qty_invoiced(li) > 0 for li in lines):
            return "invoiced"
        return "no"

    def c_purchase_order__receipt_status(self, rec: dict[str, Any]) -> Any:
        pickings = [p for p in self.records["stock.picking"].values() if p.get("purchase_id") == rec["id"]]
        if not pickings:
            return False
        done = [p for p in pickings if p["state"] == "done"]
        return "full" if len(done) == len(pickings) else ("partial" if done else "pending")

    def c_stock_picking__picking_type_code(self, rec: dict[str, Any]) -> str:
        return str(self.records["stock.picking.type"][rec["picking_type_id"]]["code"])

    def c_stock_move__has_tracking(self, rec: dict[str, Any]) -> str:
        return str(self.records["product.product"][rec["product_id"]].get("tracking", "none"))

    def c_account_move_line__price_subtotal(self, rec: dict[str, Any]) -> float:
        return _r2(float(rec.get("quantity", 0)) * float(rec.get("price_unit", 0)))

    def _commercial(self, partner: Any) -> Any:
        """A contact's company (its topmost parent), as Odoo computes commercial_partner_id."""
        seen: set[int] = set()
        while partner and partner not in seen:
            seen.add(partner)
            parent = self.records["res.partner"].get(partner, {}).get("parent_id")
            if not parent:
                return partner
            partner = parent
        return partner or False

    def c_res_partner__commercial_partner_id(self, rec: dict[str, Any]) -> Any:
        return self._commercial(rec["id"])

    def c_account_move__commercial_partner_id(self, rec: dict[str, Any]) -> Any:
        return self._commercial(rec.get("partner_id"))

    def c_account_move__amount_untaxed(self, rec: dict[str, Any]) -> float:
        return _r2(
            sum(
                self.c_account_move_line__price_subtotal(li)
                for li in self._lines("account.move.line", "move_id", rec["id"])
            )
        )

    def c_account_move__amount_tax(self, rec: dict[str, Any]) -> float:
        return _r2(
            sum(
                self.c_account_move_line__price_subtotal(li) * self._tax_rate(li)
                for li in self._lines("account.move.line", "move_id", rec["id"])
            )
        )

    def c_account_move__amount_total(self, rec: dict[str, Any]) -> float:
        return _r2(self.c_account_move__amount_untaxed(rec) + self.c_account_move__amount_tax(rec))

    # -- purchase

    def m_purchase_order__button_confirm(self, model: str, ids: list[int], context: dict[str, Any]) -> bool:
        for order in self._browse(model, ids):
            if order["state"] not in ("draft", "sent"):
                continue
            order["state"] = "purchase"
            lines = self._lines("purchase.order.line", "order_id", order["id"])
            storable = [li for li in lines if self.records["product.product"][li["product_id"]].get("is_storable")]
            if not storable:
                continue
            picking = self.create_one(
                "stock.picking",
                {
                    "name": self._seq("WH/IN/", 5),
                    "picking_type_id": 1,
                    "state": "assigned",
                    "location_id": 1,
                    "location_dest_id": 5,
                    "purchase_id": order["id"],
                    "origin": order["name"],
                    "scheduled_date": min(li["date_planned"] for li in storable),
                },
                {},
            )
            for li in storable:
                self._new_move(picking, li, float(li["product_qty"]), li["date_planned"])
        return True

    def _new_move(
        self, picking: int, line: dict[str, Any], qty: float, date: str, *, src: int = 1, dst: int = 5
    ) -> int:
        order = self.records["purchase.order"][line["order_id"]]
        move = self.create_one(
            "stock.move",
            {
                "picking_id": picking,
                "product_id": line["product_id"],
                "product_uom_qty": qty,
                "quantity": qty,
                "purchase_line_id": line["id"],
                "location_id": src,
                "location_dest_id": dst,
                "product_uom": line.get("product_uom_id") or 1,  # Odoo moves the PO line's unit
                "state": "assigned",
                "date": date,
                "reference": order["name"],
                "picked": False,
            },
            {},
        )
        product = self.records["product.product"][line["product_id"]]
        expiry: Any = False
        if product.get("use_expiration_date"):
            when = dt.datetime.strptime(date, "%Y-%m-%d %H:%M:%S") + dt.timedelta(days=product["expiration_time"])
            expiry = when.strftime("%Y-%m-%d %H:%M:%S")
        self.create_one("stock.move.line", {"move_id": move, "quantity": qty, "expiration_date": expiry}, {})
        return move

    def m_purchase_order__action_acknowledge(self, model: str, ids: list[int], context: dict[str, Any]) -> None:
        for order in self._browse(model, ids):
            order["acknowledged"] = True
        return None

    def m_purchase_order__message_post(
        self, model: str, ids: list[int], body: str = "", context: Any = None, **kwargs: Any
    ) -> list[int]:
        return self._message_post(model, ids, body, kwargs)

    def _message_post(self, model: str, ids: list[int], body: str, kwargs: dict[str, Any]) -> list[int]:
        self._browse(model, ids)
        return [
            self.create_one(
                "mail.message",
                {
                    "model": model,
                    "res_id": rid,
                    "body": body,
                    "message_type": kwargs.get("message_type", "notification"),
                },
                {},
            )
            for rid in ids
        ]

    def m_stock_picking__message_post(
        self, model: str, ids: list[int], body: str = "", context: Any = None, **kwargs: Any
    ) -> list[int]:
        return self._message_post(model, ids, body, kwargs)

    def m_account_move__message_post(
        self, model: str, ids: list[int], body: str = "", context: Any = None, **kwargs: Any
    ) -> list[int]:
        return self._message_post(model, ids, body, kwargs)

    # -- stock

    def m_stock_picking__button_validate(self, model: str, ids: list[int], context: dict[str, Any]) -> Any:
        pickings = self._browse(model, ids)
        for picking in pickings:
            missing = [
                self.display_name("product.product", ml["product_id"])
                for ml in self._lines("stock.move.line", "picking_id", picking["id"])
                if self.records["product.product"][ml["product_id"]].get("tracking") != "none"
                and not ml.get("lot_name")
                and not ml.get("lot_id")
            ]
            if missing:
                raise UserError("You need to supply a Lot/Serial Number for product:\n- " + "\n- ".join(missing))
        if not context.get("skip_expired"):
            expired = [p["id"] for p in pickings if self._expired_lines(p)]
            if expired:
                return {
                    "name": "Confirmation",
                    "type": "ir.actions.act_window",
                    "res_model": "expiry.picking.confirmation",
                    "view_mode": "form",
                    "views": [[1077, "form"]],
                    "view_id": 1077,
                    "target": "new",
                    "context": {  # Odoo builds it from the caller's context, which a wizard passes along
                        **_passed(context),
                        "button_validate_picking_ids": ids,
                        "default_picking_ids": [[6, 0, expired]],
                        "default_lot_ids": [[6, 0, []]],
                    },
                }
        if not context.get("skip_backorder"):
            short = [p["id"] for p in pickings if self._short(p)]
            if short:
                return {
                    "name": "Create Backorder?",
                    "type": "ir.actions.act_window",
                    "view_mode": "form",
                    "res_model": "stock.backorder.confirmation",
                    "views": [[905, "form"]],
                    "view_id": 905,
                    "target": "new",
                    "context": {
                        **_passed(context),
                        "button_validate_picking_ids": ids,
                        "default_show_transfers": False,
                        "default_pick_ids": [[4, i] for i in short],
                    },
                }
        for picking in pickings:
            self._done(picking, backorder=not context.get("cancel_backorder"))
        return True

    def _expired_lines(self, picking: dict[str, Any]) -> bool:
        today = self.now().strftime("%Y-%m-%d %H:%M:%S")
        for ml in self._lines("stock.move.line", "picking_id", picking["id"]):
            product = self.records["product.product"][ml["product_id"]]
            if ml.get("expiration_date") and product.get("use_expiration_date"):
                removal = dt.datetime.strptime(ml["expiration_date"], "%Y-%m-%d %H:%M:%S") - dt.timedelta(
                    days=int(product.get("removal_time", 0))
                )
                if removal.strftime("%Y-%m-%d %H:%M:%S") <= today:
                    return True
        return False

    def _short(self, picking: dict[str, Any]) -> bool:
        for move in self._lines("stock.move", "picking_id", picking["id"]):
            done = sum(float(ml["quantity"]) for ml in self._lines("stock.move.line", "move_id", move["id"]))
            if done < float(move["product_uom_qty"]):
                return True
        return False

    def _done(self, picking: dict[str, Any], *, backorder: bool) -> None:
        leftovers: list[tuple[dict[str, Any], float]] = []
        for move in self._lines("stock.move", "picking_id", picking["id"]):
            lines = self._lines("stock.move.line", "move_id", move["id"])
            done = sum(float(ml["quantity"]) for ml in lines)
            for ml in lines:
                if ml.get("lot_name") and not ml.get("lot_id"):
                    ml["lot_id"] = self._lot(ml)
            if done < float(move["product_uom_qty"]):
                leftovers.append((move, float(move["product_uom_qty"]) - done))
            move["product_uom_qty"] = done
            move["quantity"] = done
            move["state"] = "done"
        picking["state"] = "done"
        picking["date_done"] = self._stamp()
        if backorder and leftovers:
            bo = self.create_one(
                "stock.picking",
                {
                    **{
                        k: picking[k]
                        for k in (
                            "picking_type_id",
                            "location_id",
                            "location_dest_id",
                            "purchase_id",
                            "origin",
                            "scheduled_date",
                        )
                    },
                    "name": self._seq("WH/IN/", 5),
                    "state": "assigned",
                    "backorder_id": picking["id"],
                },
                {},
            )
            for move, qty in leftovers:
                line = self.records["purchase.order.line"][move["purchase_line_id"]]
                self._new_move(bo, line, qty, move["date"])

    def _lot(self, ml: dict[str, Any]) -> int:
        product = self.records["product.product"][ml["product_id"]]
        expiry = ml.get("expiration_date")
        vals: dict[str, Any] = {"name": ml["lot_name"], "product_id": ml["product_id"], "expiration_date": expiry}
        if expiry:
            base = dt.datetime.strptime(expiry, "%Y-%m-%d %H:%M:%S")
            for name, days in (
                ("use_date", "use_time"),
                ("removal_date", "removal_time"),
                ("alert_date", "alert_time"),
            ):
                vals[name] = (base - dt.timedelta(days=int(product.get(days, 0)))).strftime("%Y-%m-%d %H:%M:%S")
        return self.create_one("stock.lot", vals, {})

    def c_stock_lot__product_qty(self, rec: dict[str, Any]) -> float:
        return sum(
            float(ml["quantity"])
            for ml in self.records["stock.move.line"].values()
            if ml.get("lot_id") == rec["id"] and self.records["stock.move"][ml["move_id"]]["state"] == "done"
        )

    def _wizard_pickings(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        return self._browse(
            "stock.picking", self.exists("stock.picking", list(context.get("button_validate_picking_ids", [])))
        )

    def m_stock_backorder_confirmation__process(self, model: str, ids: list[int], context: dict[str, Any]) -> bool:
        self._browse(model, ids)
        for picking in self._wizard_pickings(context):
            self.m_stock_picking__button_validate("stock.picking", [picking["id"]], {**context, "skip_backorder": True})
        return True

    def m_stock_backorder_confirmation__process_cancel_backorder(
        self, model: str, ids: list[int], context: dict[str, Any]
    ) -> bool:
        self._browse(model, ids)
        for picking in self._wizard_pickings(context):
            self.m_stock_picking__button_validate(
                "stock.picking", [picking["id"]], {**context, "skip_backorder": True, "cancel_backorder": True}
            )
        return True

    def m_expiry_picking_confirmation__process(self, model: str, ids: list[int], context: dict[str, Any]) -> Any:
        self._browse(model, ids)
        result: Any = True
        for picking in self._wizard_pickings(context):
            result = self.m_stock_picking__button_validate(
                "stock.picking", [picking["id"]], {**context, "skip_expired": True}
            )
        return result

    # -- account

    def m_account_move__action_post(self, model: str, ids: list[int], context: dict[str, Any]) -> bool:
        for move in self._browse(model, ids):
            if move["state"] != "draft":
                raise UserError(f"The entry {move['name']} (id {move['id']}) must be in draft.")
        for move in self._browse(model, ids):
            move["state"] = "posted"
            date = str(move.get("invoice_date") or self._stamp()[:10])
            move["date"] = date
            move["name"] = f"BILL/{date[:4]}/{date[5:7]}/{self._seq('BILL', 4)[4:]}"
        return False  # Odoo's action_post returns False on success (contract gotcha 7)


REQUIRED: dict[str, tuple[str, ...]] = {
    "purchase.order": ("partner_id",),
    "res.partner": ("name",),
    "product.product": ("name",),
    "stock.lot": ("name", "product_id"),
}
MODEL_LABELS = {
    "purchase.order": "Purchase Order",
    "res.partner": "Contact",
    "product.product": "Product",
    "stock.lot": "Lot/Serial",
}


def _passed(context: dict[str, Any]) -> dict[str, Any]:
    """What of a call's context Odoo carries into the action it returns: the skip flags a wizard set."""
    return {k: v for k, v in context.items() if k in ("skip_expired", "skip_backorder")}


def _m2m(commands: list[Any]) -> list[int]:
    """Apply x2many commands (4 link, 6 replace) or a plain id list to an empty set."""
    ids: list[int] = []
    for command in commands:
        if isinstance(command, int):
            ids.append(command)
        elif command[0] == 4:
            ids.append(command[1])
        elif command[0] == 6:
            ids = list(command[2])
    return ids


# ---------------------------------------------------------------- in-process and on a real port


class SyncASGITransport(httpx.BaseTransport):
    """httpx's ASGITransport for a synchronous ``httpx.Client``: each request runs the app in its own loop."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def run() -> httpx.Response:
            request.read()
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(run())


def in_process_client(double: OdooDouble, **kwargs: Any) -> httpx.Client:
    """A synchronous httpx client wired to the double without a socket."""
    return httpx.Client(transport=SyncASGITransport(double.app), base_url="http://odoo", **kwargs)


@contextlib.contextmanager
def serve_on_localhost(double: OdooDouble) -> Iterator[str]:
    """Serve the double with uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(double.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    while not server.started:
        if dt.datetime.now(dt.UTC) > deadline:
            raise RuntimeError("the Odoo double did not start")
        threading.Event().wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
