"""The Odoo side: a client for Odoo's external API (JSON-2 or XML-RPC), its errors, the per-version field map,
and the connector that posts documents through it exactly once (purchase orders so far).

See :mod:`gateway.connectors.odoo.client` for the client and :mod:`gateway.connectors.odoo.errors` for how
Odoo's answers map onto :mod:`gateway.connectors.base`'s errors.
"""

from __future__ import annotations

from .client import OdooClient, OdooConfig, check_key_expiry, load_api_key
from .connector import OdooConnector
from .errors import OdooCommittedError, OdooPermanentError, OdooTransientError
from .fields import FieldMap

__all__ = [
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
