"""The syntax layer: X12 and EDIFACT reading, schema validation, acknowledgements. Pure.

Bytes in, objects and findings out, and back to bytes: no files, network, database or clock
(the caller passes the time and the control numbers in). The public surface:

* :func:`check` reads a stream, validates every transaction and builds the acks a policy asks
  for, one :class:`Checked` per interchange.
* :func:`read_x12` and :class:`EdifactTokenizer` are the streaming readers underneath.
* :func:`validate` is the one engine over the schema data (:func:`x12_schema`,
  :func:`edifact_schema`).
* :class:`Finding` and :data:`KINDS` are validation results as data, with their wire codes.
"""

from __future__ import annotations

from .check import Ack, AckPolicy, Checked, Counter, check
from .delimiters import EdifactDelimiters, X12Delimiters
from .edifact.tokenizer import EdifactTokenizer
from .errors import CharacterSetError, EdiError, SchemaError, WriteError
from .findings import KINDS, Finding, Severity
from .results import GroupResult, InterchangeResult, Status, TransactionResult
from .schema import edifact_schema, x12_schema
from .validation import validate
from .x12.envelope import read_x12
from .x12.tokenizer import X12Tokenizer

__all__ = [
    "KINDS",
    "Ack",
    "AckPolicy",
    "CharacterSetError",
    "Checked",
    "Counter",
    "EdiError",
    "EdifactDelimiters",
    "EdifactTokenizer",
    "Finding",
    "GroupResult",
    "InterchangeResult",
    "SchemaError",
    "Severity",
    "Status",
    "TransactionResult",
    "WriteError",
    "X12Delimiters",
    "X12Tokenizer",
    "check",
    "edifact_schema",
    "read_x12",
    "validate",
    "x12_schema",
]
