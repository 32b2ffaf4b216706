"""The error tree of the syntax layer.

::

    EdiError                      anything the syntax layer refuses to do
    ├── SchemaError               a schema data file is missing or malformed (a bug in our data)
    └── WriteError                a value cannot be serialized with the given delimiters
        └── CharacterSetError     a character outside the X12 basic/extended set (or the
                                  declared EDIFACT repertoire) and no substitution was asked for

Reading never raises for bad *input*: a malformed interchange becomes findings and a reject.
These errors are for programming and configuration mistakes, and for writing.
"""

from __future__ import annotations


class EdiError(Exception):
    """Base class of every error raised by ``gateway.edi``."""


class SchemaError(EdiError):
    """A schema data file is missing, unreadable or refers to something undefined."""


class WriteError(EdiError):
    """A value cannot be written with the delimiters in force."""


class CharacterSetError(WriteError):
    """A value holds a character the target character set does not allow."""
