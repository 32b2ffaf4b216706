"""Connectors: the ERP side, behind one small interface (a JSON feed to a folder or URL for now).

See :mod:`gateway.connectors.base` for the interface and the error tree.
"""

from __future__ import annotations

from .base import DOC_TYPES, BusinessKey, Connector, ConnectorError, DocType, PermanentError, Posted, TransientError
from .json_feed import JsonConnector

__all__ = [
    "DOC_TYPES",
    "BusinessKey",
    "Connector",
    "ConnectorError",
    "DocType",
    "JsonConnector",
    "PermanentError",
    "Posted",
    "TransientError",
]
