"""Odoo's answers, translated into the project's errors (:mod:`gateway.connectors.base`).

The tree::

    ConnectorError
    ├── TransientError
    │   └── OdooTransientError     502/503/504/429/409, timeouts, connection errors, a database that is down
    └── PermanentError
        └── OdooPermanentError     401/403 (key, rights), 404 (model, method, record, database), 400, 415,
            │                      422 (Odoo's business message), 500 (Odoo's message), XML-RPC faults 1-4
            └── OdooCommittedError XML-RPC fault "cannot marshal None": the method ran and COMMITTED, only its
                                   result could not be sent. Re-read; never repeat the call blindly.

Every Odoo error carries ``kind`` (what went wrong, for the connector to branch on), ``odoo_name`` (Odoo's
exception class, e.g. ``odoo.exceptions.UserError``), ``model``/``method``, and ``committed``: ``False`` when
Odoo certainly did not apply the call (it refused it, or the transaction rolled back), ``None`` when nobody
can tell (timeout, a dropped connection, a 500 after the method ran), ``True`` when it certainly did.
"""

from __future__ import annotations

from typing import Literal

from ..base import ConnectorError, PermanentError, TransientError

Kind = Literal[
    "auth",  # the API key / password was refused
    "access",  # the user may not do this
    "not_found",  # model or method unknown (module not installed?), or wrong URL
    "database",  # the database is not served / does not exist
    "missing_record",  # a record the call names does not exist (MissingError)
    "business",  # UserError / ValidationError: Odoo's business rules refused the call
    "request",  # the request itself is wrong (bad argument, unknown field, bad body): a gateway bug
    "server",  # an exception inside Odoo
    "protocol",  # the answer is not what the protocol promises
    "unavailable",  # Odoo or a proxy is down or busy
    "timeout",
    "connection",
    "committed",  # applied, but the answer was lost (XML-RPC None result)
]


class _OdooDetail(ConnectorError):
    def __init__(
        self,
        message: str,
        *,
        kind: Kind,
        status: int | None = None,
        retry_after: float | None = None,
        odoo_name: str = "",
        model: str = "",
        method: str = "",
        committed: bool | None = False,
        fault_code: int | None = None,
    ) -> None:
        super().__init__(message, status=status, retry_after=retry_after)
        self.kind: Kind = kind
        self.odoo_name = odoo_name
        self.model = model
        self.method = method
        self.committed = committed
        self.fault_code = fault_code


class OdooTransientError(_OdooDetail, TransientError):
    """Odoo could not be reached or was busy: retry with backoff (after re-reading if ``committed`` is None)."""


class OdooPermanentError(_OdooDetail, PermanentError):
    """Odoo refused the call, or the gateway is misconfigured: review, with Odoo's message."""


class OdooCommittedError(OdooPermanentError):
    """The call was applied, but its result was lost on the way back. Re-read the records it touched."""
