"""One client for Odoo's external API, over JSON-2 (Odoo 19+) or XML-RPC (Odoo 16-18), with the same interface.

``OdooClient.call(model, method, ids=..., **kwargs)`` runs one ORM method; ``search``, ``search_read``,
``read``, ``create`` and ``write`` are the usual shapes of it. Arguments are always named, as JSON-2 wants;
for XML-RPC the client puts ``ids`` (or ``create``'s ``vals_list``) in the positional ``args`` and the rest
in ``kwargs``, which is what Odoo expects there (contract README, gotcha 1).

The protocol comes from :class:`OdooConfig` (``json2``, ``xmlrpc``) or, with ``auto``, from the server's
``/web/webclient/version_info``: 19 and later speak JSON-2. The server's major version also picks the
:class:`~gateway.connectors.odoo.fields.FieldMap`, so callers always use Odoo 19 field names.

Both protocols go through one ``httpx.Client`` (XML-RPC is marshalled with :mod:`xmlrpc.client` and posted
like any other body), so timeouts, proxies and the test double's in-process transport are shared. Every
failure leaves as an error of :mod:`gateway.connectors.odoo.errors`; httpx's and xmlrpc's own exceptions
never pass through. The API key never appears in a message or a log line.

What the client does *not* decide: falsy results are results (``action_post`` answers ``false`` when it
posted, ``read`` of missing ids answers ``[]``), and a record method called without ids runs on an empty
recordset in Odoo (gotcha 9), so :meth:`OdooClient.read` and :meth:`OdooClient.write` require ids.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import xmlrpc.client
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from xml.parsers.expat import ExpatError

import httpx

from ...partners.profile import SecretRef
from ...partners.secrets import SecretError, read_secret
from .errors import Kind, OdooCommittedError, OdooPermanentError, OdooTransientError, _OdooDetail
from .fields import CURRENT, FieldMap

log = logging.getLogger("gateway.connectors.odoo")

ProtocolName = Literal["json2", "xmlrpc", "auto"]
JSON2_SINCE = 19  # the first major version that serves /json/2
# ORM methods decorated @api.model: JSON-2 refuses ``ids`` for them, XML-RPC takes no ids in ``args``
MODEL_METHODS = frozenset(
    {"search", "search_read", "search_count", "create", "fields_get", "context_get", "name_search", "default_get"}
)
RETRY_STATUSES = frozenset({409, 429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class OdooConfig:
    """Where Odoo is and how to talk to it. Holds where the API key is, never the key itself."""

    url: str
    database: str = ""  # JSON-2: the X-Odoo-Database header (optional); XML-RPC: required
    login: str = ""  # XML-RPC only: the integration user's login, authenticated with the API key
    protocol: ProtocolName = "auto"
    version: int | None = None  # the server's major version; None: asked from the server when needed
    api_key_env: str | None = None  # the environment variable holding the key ...
    api_key_file: str | None = None  # ... or a file (mode 0600 or stricter) holding it
    api_key_expires: dt.date | None = None  # the expiry date chosen when the key was made
    expiry_warning_days: int = 14
    timeout: float = 30.0  # seconds, for connecting, reading and writing


def load_api_key(config: OdooConfig, *, environ: Mapping[str, str] | None = None, folder: Path | None = None) -> str:
    """The API key from the environment variable or the file the config names (trailing newline dropped)."""
    if (config.api_key_env is None) == (config.api_key_file is None):
        raise OdooPermanentError(
            "the Odoo settings need exactly one of api_key_env (an environment variable) or api_key_file",
            kind="auth",
        )
    ref = SecretRef(env=config.api_key_env) if config.api_key_env is not None else SecretRef(file=config.api_key_file)
    try:
        raw = read_secret(ref, folder=folder or Path.cwd(), environ=environ)
    except SecretError as exc:
        raise OdooPermanentError(f"cannot read the Odoo API key: {exc}", kind="auth") from exc
    key = raw.decode("utf-8").strip()
    if not key:
        raise OdooPermanentError(f"the Odoo API key ({ref}) is empty", kind="auth")
    return key


def check_key_expiry(config: OdooConfig, today: dt.date) -> int | None:
    """Days until the configured key expiry (negative once past); logs a warning within the warning window."""
    if config.api_key_expires is None:
        return None
    left = (config.api_key_expires - today).days
    if left < 0:
        log.warning(
            "the Odoo API key expired on %s; make a new key for the integration user and update the settings",
            config.api_key_expires.isoformat(),
        )
    elif left <= config.expiry_warning_days:
        log.warning(
            "the Odoo API key expires on %s (in %d days); make a new key for the integration user before then",
            config.api_key_expires.isoformat(),
            left,
        )
    return left


def major_version(info: Sequence[Any] | str) -> int:
    """19 from ``[19, 0, 0, "final", 0, ""]``, ``["saas~18", 2, ...]`` or ``"17.0+e"``."""
    head = info[0] if not isinstance(info, str) else info
    match = re.search(r"\d+", str(head))
    if match is None:
        raise OdooPermanentError(f"cannot read Odoo's version from {info!r}", kind="protocol")
    return int(match.group())


# ---------------------------------------------------------------- values on the wire


def to_wire(value: Any) -> Any:
    """Decimal -> float, dates -> Odoo's strings (datetimes as naive UTC), tuples -> lists, recursively."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    raise OdooPermanentError(f"cannot send a {type(value).__name__} to Odoo", kind="request")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------- error translation

_AUTH_HINT = (
    "check the API key edigw is configured with: it must belong to the integration user of this database, "
    "and must not be expired or revoked"
)
_ACCESS_HINT = "check the integration user's access rights (groups) for this model"
_NOT_FOUND_HINT = "check that the Odoo module providing it is installed (purchase, stock, account, product_expiry)"
# builtin exceptions that Odoo raises for a wrong request (unknown field, bad keyword, bad value), before any write
_REQUEST_EXCEPTIONS = frozenset({"ValueError", "TypeError", "KeyError", "IndexError", "AttributeError"})
_REQUEST_HINT = "this is a gateway bug or a field-map gap for this Odoo version"


def error_from_status(response: httpx.Response, model: str, method: str) -> _OdooDetail:
    """A non-200 HTTP answer (JSON-2 body, an HTML page, or a proxy's) as a project error."""
    status = response.status_code
    where = f"{model}.{method}" if model else "the version probe"
    body: Any = None
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
    name = str(body.get("name", "")) if isinstance(body, dict) else ""
    message = ""
    if isinstance(body, dict):
        message = str(body.get("message") or "") or _last_line(str(body.get("debug") or ""))
    odoo: dict[str, Any] = {"odoo_name": name, "model": model, "method": method, "status": status}
    retry_after = _retry_after(response)

    def permanent(kind: Kind, text: str, committed: bool | None = False) -> OdooPermanentError:
        return OdooPermanentError(text, kind=kind, committed=committed, **odoo)

    if status in RETRY_STATUSES or (status >= 500 and body is None):
        text = f"Odoo is unavailable ({status} on {where}){': ' + message if message else ''}; retry later"
        committed = False if status in (409, 429) else None
        return OdooTransientError(
            text,
            kind="unavailable",
            retry_after=retry_after,
            committed=committed,
            **odoo,
        )
    if status == 401:
        return permanent("auth", f"Odoo refused the API key ({message or 'unauthorized'}): {_AUTH_HINT}")
    if status == 403:
        return permanent("access", f"Odoo refused {where} ({message or 'forbidden'}): {_ACCESS_HINT}")
    if status == 404 and body is None:
        if "No database is selected" in response.text:
            return permanent(
                "database",
                f"Odoo does not serve the database named in X-Odoo-Database (404 on {where}): check the "
                "database name and the server's dbfilter",
            )
        return permanent(
            "not_found",
            f"Odoo answered 404 with a web page on {where}: check the URL, and that the server is Odoo "
            f"{JSON2_SINCE} or later (older servers need protocol xmlrpc)",
        )
    if status == 404:
        if name.endswith("MissingError"):
            return permanent("missing_record", f"Odoo: {message}")
        return permanent("not_found", f"Odoo: {message}: {_NOT_FOUND_HINT}")
    if status == 415:
        return permanent("request", f"Odoo refused the request's Content-Type (415 on {where}): {_REQUEST_HINT}")
    if status == 422:
        if name.startswith("werkzeug."):
            return permanent("request", f"Odoo refused the arguments of {where}: {message} ({_REQUEST_HINT})")
        return permanent("business", f"Odoo: {message}")
    if status == 500:
        exc_class = name.removeprefix("builtins.")
        if name.startswith("builtins.") and exc_class in _REQUEST_EXCEPTIONS:
            return permanent("request", f"Odoo failed on {where}: {exc_class}: {message} ({_REQUEST_HINT})")
        return permanent("server", f"Odoo failed on {where}: {message or name}", committed=None)
    if status >= 500:
        return OdooTransientError(
            f"Odoo failed ({status} on {where}): {message}", kind="unavailable", committed=None, **odoo
        )
    return permanent("request", f"Odoo refused {where} ({status}){': ' + message if message else ''}")


def error_from_fault(code: int, text: str, model: str, method: str) -> _OdooDetail:
    """An XML-RPC fault as a project error. Fault 1 carries a traceback: its last line is the exception."""
    where = f"{model}.{method}"
    odoo: dict[str, Any] = {"model": model, "method": method, "fault_code": code}
    if code == 3:
        return OdooPermanentError(f"Odoo refused the API key (Access Denied): {_AUTH_HINT}", kind="auth", **odoo)
    if code == 4:
        return OdooPermanentError(
            f"Odoo refused {where} ({text}): {_ACCESS_HINT}",
            kind="access",
            odoo_name="odoo.exceptions.AccessError",
            **odoo,
        )
    if code == 2:
        if text.startswith("Object ") and text.endswith("doesn't exist"):
            return OdooPermanentError(f"Odoo: {text}: {_NOT_FOUND_HINT}", kind="not_found", **odoo)
        if text.startswith("Record does not exist or has been deleted"):
            return OdooPermanentError(
                f"Odoo: {text}", kind="missing_record", odoo_name="odoo.exceptions.MissingError", **odoo
            )
        return OdooPermanentError(f"Odoo: {text}", kind="business", **odoo)
    last = _last_line(text)
    exc_class = last.split(":", 1)[0].strip()
    odoo["odoo_name"] = exc_class
    if "cannot marshal None" in last:
        return OdooCommittedError(
            f"Odoo applied {where} but could not send its result back (XML-RPC cannot carry None): "
            "re-read the records instead of calling it again",
            kind="committed",
            committed=True,
            **odoo,
        )
    if exc_class.startswith("psycopg2"):
        if re.search(r'database ".*" does not exist', last):
            return OdooPermanentError(
                f"Odoo has no such database ({last}): check the database name", kind="database", **odoo
            )
        return OdooTransientError(f"Odoo's database is unavailable: {last}; retry later", kind="unavailable", **odoo)
    if exc_class == "AttributeError" and "does not exist" in last:
        return OdooPermanentError(f"Odoo: {last.split(':', 1)[1].strip()}: {_NOT_FOUND_HINT}", kind="not_found", **odoo)
    if exc_class in _REQUEST_EXCEPTIONS:
        return OdooPermanentError(f"Odoo failed on {where}: {last} ({_REQUEST_HINT})", kind="request", **odoo)
    return OdooPermanentError(f"Odoo failed on {where}: {last or text}", kind="server", committed=None, **odoo)


def error_from_httpx(exc: httpx.HTTPError, model: str, method: str) -> _OdooDetail:
    """A failure to exchange with Odoo at all."""
    where = f"{model}.{method}" if model else "the version probe"
    odoo: dict[str, Any] = {"model": model, "method": method}
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return OdooPermanentError(f"the Odoo URL is not usable ({exc}): check the url setting", kind="request", **odoo)
    if isinstance(exc, httpx.ConnectTimeout):
        return OdooTransientError(f"Odoo did not accept a connection in time ({where})", kind="timeout", **odoo)
    if isinstance(exc, httpx.TimeoutException):
        return OdooTransientError(
            f"Odoo did not answer {where} in time; it may still have applied it: re-read before repeating",
            kind="timeout",
            committed=None,
            **odoo,
        )
    if isinstance(exc, httpx.ConnectError):
        return OdooTransientError(f"cannot connect to Odoo ({exc})", kind="connection", **odoo)
    return OdooTransientError(
        f"the connection to Odoo failed during {where} ({type(exc).__name__}); it may have applied it",
        kind="connection",
        committed=None,
        **odoo,
    )


# ---------------------------------------------------------------- the two protocols


class Json2:
    """``POST /json/2/<model>/<method>`` with named arguments and a bearer key."""

    name = "json2"

    def __init__(self, http: httpx.Client, database: str, key: str) -> None:
        self._http = http
        self._headers = {"Authorization": f"bearer {key}", "Content-Type": "application/json; charset=utf-8"}
        if database:
            self._headers["X-Odoo-Database"] = database

    def execute(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        body = ({"ids": ids} if ids is not None else {}) | kwargs
        try:
            response = self._http.post(f"/json/2/{model}/{method}", content=json.dumps(body), headers=self._headers)
        except httpx.HTTPError as exc:
            raise error_from_httpx(exc, model, method) from exc
        if response.status_code != 200:
            raise error_from_status(response, model, method)
        try:
            return response.json()
        except ValueError as exc:
            raise OdooPermanentError(
                f"Odoo's answer to {model}.{method} is not JSON: check the URL", kind="protocol", model=model
            ) from exc


def _xmlrpc_post(http: httpx.Client, path: str, name: str, params: tuple[Any, ...], model: str, method: str) -> Any:
    content = xmlrpc.client.dumps(params, methodname=name, allow_none=True)
    try:
        response = http.post(path, content=content.encode("utf-8"), headers={"Content-Type": "text/xml"})
    except httpx.HTTPError as exc:
        raise error_from_httpx(exc, model, method) from exc
    if response.status_code != 200:
        raise error_from_status(response, model, method)
    try:
        values, _ = xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        raise error_from_fault(fault.faultCode, str(fault.faultString), model, method) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError) as exc:
        raise OdooPermanentError(
            f"Odoo's answer to {model}.{method} is not XML-RPC: check the URL", kind="protocol", model=model
        ) from exc
    return values[0] if values else None


class XmlRpc:
    """``/xmlrpc/2/common`` authenticate once, then ``/xmlrpc/2/object`` ``execute_kw`` per call."""

    name = "xmlrpc"

    def __init__(self, http: httpx.Client, database: str, login: str, key: str) -> None:
        if not database or not login:
            raise OdooPermanentError("XML-RPC needs the database and login settings", kind="auth")
        self._http = http
        self._database = database
        self._login = login
        self._key = key
        self._uid: int | None = None

    def version(self) -> Any:
        return _xmlrpc_post(self._http, "/xmlrpc/2/common", "version", (), "common", "version")

    def uid(self) -> int:
        if self._uid is None:
            uid = _xmlrpc_post(
                self._http,
                "/xmlrpc/2/common",
                "authenticate",
                (self._database, self._login, self._key, {}),
                "common",
                "authenticate",
            )
            if not isinstance(uid, int) or isinstance(uid, bool):
                raise OdooPermanentError(
                    f"Odoo refused the login {self._login!r} on database {self._database!r}: check the login and "
                    f"the API key (XML-RPC uses it as the password), and that the database exists",
                    kind="auth",
                    model="common",
                    method="authenticate",
                )
            self._uid = uid
        return self._uid

    def execute(self, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any]) -> Any:
        kwargs = dict(kwargs)
        if method == "create":
            args: list[Any] = [kwargs.pop("vals_list", [])]  # positional only (gotcha 1)
        elif ids is not None:
            args = [ids]
        else:
            args = []
        params = (self._database, self.uid(), self._key, model, method, args, kwargs)
        return _xmlrpc_post(self._http, "/xmlrpc/2/object", "execute_kw", params, model, method)


# ---------------------------------------------------------------- the client


class OdooClient:
    """Odoo's ORM over JSON-2 or XML-RPC. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        config: OdooConfig,
        *,
        api_key: str | None = None,
        http: httpx.Client | None = None,
        today: dt.date | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self._key = api_key if api_key is not None else load_api_key(config, environ=environ)
        self._checked_on = today or dt.datetime.now(dt.UTC).date()
        check_key_expiry(config, self._checked_on)
        self._own_http = http is None
        self._http = http or httpx.Client(base_url=config.url, timeout=config.timeout)
        self._protocol: Json2 | XmlRpc | None = None
        self._version: int | None = config.version

    def __repr__(self) -> str:
        return f"OdooClient({self.config.url!r}, database={self.config.database!r})"

    def __enter__(self) -> OdooClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    # ------------------------------------------------------------ protocol and version

    def probe_version(self) -> int:
        """The server's major version from ``POST /web/webclient/version_info`` (JSON-RPC, no auth)."""
        try:
            response = self._http.post(
                "/web/webclient/version_info", content=b"{}", headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise self._scrubbed(error_from_httpx(exc, "", "version_info")) from exc
        if response.status_code != 200:
            raise self._scrubbed(error_from_status(response, "", "version_info"))
        try:
            info = response.json()["result"]["server_version_info"]
        except (ValueError, KeyError, TypeError) as exc:
            raise OdooPermanentError(
                "the server's /web/webclient/version_info is not Odoo's: check the url setting", kind="protocol"
            ) from exc
        return major_version(info)

    def _ready(self) -> Json2 | XmlRpc:
        if self._protocol is not None:
            return self._protocol
        choice = self.config.protocol
        if choice == "auto":
            if self._version is None:
                self._version = self.probe_version()
            choice = "json2" if self._version >= JSON2_SINCE else "xmlrpc"
        protocols: dict[str, Any] = {
            "json2": lambda: Json2(self._http, self.config.database, self._key),
            "xmlrpc": lambda: XmlRpc(self._http, self.config.database, self.config.login, self._key),
        }
        protocol: Json2 | XmlRpc = protocols[choice]()
        if self._version is None:
            if isinstance(protocol, XmlRpc):
                try:
                    info = protocol.version()
                except _OdooDetail as exc:
                    raise self._scrubbed(exc) from None
                self._version = major_version(info.get("server_version_info") or info.get("server_version", ""))
            else:
                self._version = CURRENT  # JSON-2 exists from 19 on; the map is the identity there
        self._protocol = protocol
        log.info("Odoo at %s: Odoo %d over %s", self.config.url, self._version, protocol.name)
        return protocol

    @property
    def protocol(self) -> str:
        """``json2`` or ``xmlrpc`` (probes the server on first use when configured ``auto``)."""
        return self._ready().name

    @property
    def version(self) -> int:
        self._ready()
        assert self._version is not None
        return self._version

    @property
    def fields(self) -> FieldMap:
        return FieldMap(self.version)

    # ------------------------------------------------------------ calls

    def call(
        self, model: str, method: str, *, ids: Sequence[int] | None = None, returns_none: bool = False, **kwargs: Any
    ) -> Any:
        """Run ``model.method`` with named arguments; ``ids`` for record methods, none for @api.model ones.

        ``vals``, ``vals_list``, ``fields`` and ``domain`` use Odoo 19 field names and are translated for older
        servers, as are the records ``read``/``search_read`` return. ``returns_none``: the method is known to
        return None (``purchase.order.action_acknowledge``), so XML-RPC's "cannot marshal None" fault, which
        Odoo sends after committing, means it succeeded: None is returned instead of raising
        :class:`OdooCommittedError`.
        """
        if ids is not None and method in MODEL_METHODS:
            raise OdooPermanentError(f"{model}.{method} takes no ids", kind="request", model=model, method=method)
        today = dt.datetime.now(dt.UTC).date()
        if today != self._checked_on:  # a long-running service is reminded every day, not only at its start
            self._checked_on = today
            check_key_expiry(self.config, today)
        protocol = self._ready()
        fmap = FieldMap(self.version)
        wire = {k: to_wire(v) for k, v in self._translate(fmap, model, kwargs).items() if v is not None}
        id_list = [int(i) for i in ids] if ids is not None else None
        started = time.monotonic()
        try:
            result = protocol.execute(model, method, id_list, wire)
        except OdooCommittedError as exc:
            if returns_none:
                result = None
            else:
                raise self._scrubbed(exc) from None
        except _OdooDetail as exc:
            log.info("Odoo %s.%s failed (%s, %s)", model, method, exc.kind, protocol.name)
            raise self._scrubbed(exc) from exc.__cause__
        log.debug("Odoo %s.%s over %s in %.3fs", model, method, protocol.name, time.monotonic() - started)
        if method in ("read", "search_read") and not fmap.identity and isinstance(result, list):
            result = [fmap.record_from_server(model, r) if isinstance(r, dict) else r for r in result]
        return result

    @staticmethod
    def _translate(fmap: FieldMap, model: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        if fmap.identity:
            return kwargs
        out = dict(kwargs)
        if isinstance(out.get("vals"), Mapping):
            out["vals"] = fmap.vals_to_server(model, out["vals"])
        if isinstance(out.get("vals_list"), list):
            out["vals_list"] = [fmap.vals_to_server(model, v) for v in out["vals_list"]]
        if isinstance(out.get("fields"), list):
            out["fields"] = fmap.fields_to_server(model, out["fields"])
        if isinstance(out.get("domain"), list):
            out["domain"] = fmap.domain_to_server(model, out["domain"])
        return out

    def _scrubbed(self, exc: _OdooDetail) -> _OdooDetail:
        """The same error with the key blanked out of its message, should any layer have echoed it."""
        if len(self._key) >= 4 and self._key in exc.message:
            exc.message = exc.message.replace(self._key, "<API-KEY>")
            exc.args = (exc.message,)
        return exc

    # ------------------------------------------------------------ the usual shapes

    def search(
        self,
        model: str,
        domain: Sequence[Any],
        *,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        result = self.call(model, "search", domain=list(domain), limit=limit, order=order, context=context)
        return list(result)

    def search_read(
        self,
        model: str,
        domain: Sequence[Any],
        fields: Sequence[str],
        *,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        result = self.call(
            model, "search_read", domain=list(domain), fields=list(fields), limit=limit, order=order, context=context
        )
        return list(result)

    def read(
        self, model: str, ids: Sequence[int], fields: Sequence[str], *, context: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The records that exist among ``ids`` (Odoo drops missing ones silently; none left is ``[]``)."""
        if not ids:
            return []
        return list(self.call(model, "read", ids=ids, fields=list(fields), context=context))

    def create(
        self, model: str, vals_list: Sequence[Mapping[str, Any]], *, context: Mapping[str, Any] | None = None
    ) -> list[int]:
        """New records' ids, in order: one call, one transaction, however many records."""
        result = self.call(model, "create", vals_list=[dict(v) for v in vals_list], context=context)
        return [result] if isinstance(result, int) else list(result)

    def write(
        self, model: str, ids: Sequence[int], vals: Mapping[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> bool:
        if not ids:
            raise OdooPermanentError(f"{model}.write needs ids", kind="request", model=model, method="write")
        return bool(self.call(model, "write", ids=ids, vals=dict(vals), context=context))
