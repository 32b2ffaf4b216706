"""Transports: how bytes arrive from partners and leave for them (a folder, or memory for tests).

See :mod:`gateway.transports.base` for the interface and the error tree.
"""

from __future__ import annotations

from .base import (
    Claim,
    Inbound,
    Receiver,
    Refused,
    Rejected,
    Sender,
    TooLarge,
    TransportError,
    check_file_name,
    check_partner_name,
)
from .folder import FolderClaim, FolderTransport
from .memory import MemoryClaim, MemoryTransport

__all__ = [
    "Claim",
    "FolderClaim",
    "FolderTransport",
    "Inbound",
    "MemoryClaim",
    "MemoryTransport",
    "Receiver",
    "Refused",
    "Rejected",
    "Sender",
    "TooLarge",
    "TransportError",
    "check_file_name",
    "check_partner_name",
]
