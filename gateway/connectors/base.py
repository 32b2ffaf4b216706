"""The connector interface: how a canonical document is posted to the ERP, idempotently.

Every post carries a :class:`BusinessKey`. Its :attr:`~BusinessKey.text` is the idempotency key:
posting the same key twice finds the first record (``Posted(already=True)``) instead of
creating a second one.

The error tree::

    ConnectorError      the ERP side could not take the document; ``message`` keeps what the
    │                   remote side said (never a secret)
    ├── TransientError  worth retrying with backoff: the ERP is down, busy, or the disk is full
    └── PermanentError  a person must look: the ERP refused the document, or the feed is misconfigured

Connectors raise these, never ``OSError`` or an HTTP library's exceptions.

Business checks against the ERP speak in findings (:class:`gateway.edi.findings.Finding`, document
level): a :class:`PermanentError` may carry several (each mismatch of a three-way match, with the
figures side by side), and a :class:`Posted` may carry what was posted but still needs a person
(a supplier's proposed substitution that the gateway never applies by itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, get_args
from urllib.parse import quote

from pydantic import BaseModel

from ..edi.findings import Finding

DocType = Literal["purchase_order", "order_ack", "ship_notice", "invoice"]
DOC_TYPES: tuple[str, ...] = get_args(DocType)

# Printable ASCII stays as it is, except the two characters that would make the text ambiguous.
_KEEP = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "%/")


def key_part(text: str) -> str:
    """One part of a key's text, as :attr:`BusinessKey.text` writes it (to search for keys by their number)."""
    return quote(text, safe=_KEEP)


@dataclass(frozen=True, slots=True)
class BusinessKey:
    """What a posted document is, for the ERP: partner, document type, number and revision."""

    partner: str
    doc_type: DocType
    number: str  # PO / ASN / invoice number
    revision: str = ""  # "" for an original; for a change or cancellation a content hash given by the caller

    def __post_init__(self) -> None:
        if not self.partner or not self.number:
            raise ValueError("a business key needs a partner and a number")
        if self.doc_type not in DOC_TYPES:
            raise ValueError(f"unknown document type {self.doc_type!r}; expected one of {', '.join(DOC_TYPES)}")

    @property
    def text(self) -> str:
        """``partner/doc_type/number[/revision]``: stable, ASCII, and distinct for distinct keys.

        ``%``, ``/``, spaces and anything outside printable ASCII are percent-encoded (UTF-8), so
        a number holding a slash cannot pass for a revision, and the text fits an HTTP header.
        """
        parts = [self.partner, self.doc_type, self.number] + ([self.revision] if self.revision else [])
        return "/".join(key_part(part) for part in parts)


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome of a post: the ERP's record references, and whether the record already existed."""

    references: tuple[str, ...]  # e.g. the file path, or the HTTP Location / id
    already: bool = False  # an idempotent hit: nothing new was written
    findings: tuple[Finding, ...] = ()  # posted, but a person must decide on these (the document goes to review)


class Connector(Protocol):
    """The ERP side."""

    name: str

    def post(self, key: BusinessKey, document: BaseModel) -> Posted:
        """Write ``document`` under ``key`` once; raises :class:`ConnectorError`."""
        ...


class ConnectorError(Exception):
    """The ERP side could not take the document. ``transient`` says whether a retry may help."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # the HTTP status, when there was one
        self.retry_after = retry_after  # seconds, when the remote side said (HTTP Retry-After)
        self.findings = findings  # what exactly is wrong, one finding each, when the connector checked


class TransientError(ConnectorError):
    """Worth retrying with backoff."""

    transient = True


class PermanentError(ConnectorError):
    """Retrying will not help: the document goes to review with this message."""

    transient = False
