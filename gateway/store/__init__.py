"""The store: state and work queue in one database (SQLite or PostgreSQL), the payload archive, and the audit chain.

* :func:`open_store` gives a migrated :class:`Store`; ``store.session()`` is one database
  transaction. Only :class:`StoreError`/:class:`StoreBusy` leave this package.
* :class:`Archive` keeps raw payloads by sha256, written once.
* :func:`audit` records a state change; :func:`verify_chain` walks the hash chain.
* :mod:`.queue` claims, finishes and retries jobs; :func:`allocate` hands out control numbers.
"""

from __future__ import annotations

from .archive import Archive, ArchiveError
from .audit import audit, timeline, verify_chain
from .db import Store, StoreBusy, StoreError, default_url, open_store
from .models import AuditEvent, ControlNumber, Finding, Interchange, Job, Posting, Transaction
from .numbers import allocate
from .queue import RetryPolicy

__all__ = [
    "Archive",
    "ArchiveError",
    "AuditEvent",
    "ControlNumber",
    "Finding",
    "Interchange",
    "Job",
    "Posting",
    "RetryPolicy",
    "Store",
    "StoreBusy",
    "StoreError",
    "Transaction",
    "allocate",
    "audit",
    "default_url",
    "open_store",
    "timeline",
    "verify_chain",
]
