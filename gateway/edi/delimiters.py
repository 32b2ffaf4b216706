"""Delimiters as frozen value objects.

X12 delimiters are read from the ISA at named offsets (element separator right after ``ISA``,
component separator in ISA16, terminator right after it, repetition separator in ISA11 only
from version 00402 on). EDIFACT service characters come from UNA, or the syntax defaults.
They are never module constants: every reader and writer takes them as values.

A number in an outbound segment is a :class:`Number`: text with ``.`` as its decimal mark,
which the EDIFACT writer gives the mark of the delimiters it writes with (``12.5`` is
``12,5`` for a partner whose UNA names the comma). Documents keep ``Decimal``; the mark is a
matter of serialization only.
"""

from __future__ import annotations

from dataclasses import dataclass

#: ISA12 versions from which ISA11 is the repetition separator rather than the standards id ``U``.
X12_REPETITION_FROM = "00402"


class Number(str):
    """A decimal value in an outbound segment, written with ``.``: a writer gives it its own mark."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class X12Delimiters:
    """The four X12 delimiters, plus what follows each terminator in the source (``\\n``, ``\\r\\n``)."""

    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = None
    suffix: str = ""

    def specials(self) -> str:
        """Every character that may not appear inside a data value."""
        chars = self.element + self.component + self.segment
        return chars + (self.repetition or "")


@dataclass(frozen=True, slots=True)
class EdifactDelimiters:
    """EDIFACT service characters (ISO 9735): UNA positions 4 to 9."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    segment: str = "'"
    suffix: str = ""

    @classmethod
    def from_una(cls, una: str, suffix: str = "") -> EdifactDelimiters:
        """Read the six service characters that follow ``UNA``."""
        body = una[3:9]
        return cls(
            component=body[0],
            element=body[1],
            decimal=body[2],
            release=body[3],
            repetition=body[4],
            segment=body[5],
            suffix=suffix,
        )

    def una(self) -> str:
        """The UNA service string advice for these characters."""
        return f"UNA{self.component}{self.element}{self.decimal}{self.release}{self.repetition}{self.segment}"

    def number(self, value: str) -> str:
        """A :class:`Number` (or any text with ``.`` as the mark) with this decimal mark."""
        return value.replace(".", self.decimal) if self.decimal != "." else value

    def specials(self) -> str:
        """Every character the writer must escape with the release character."""
        chars = self.component + self.element + self.release + self.segment
        if self.repetition.strip():
            chars += self.repetition
        return chars


EDIFACT_DEFAULT = EdifactDelimiters()

#: What edigw writes to a partner that states no delimiters of its own (``[envelope]`` in its profile).
X12_OUTBOUND = X12Delimiters(element="*", component=">", segment="~", repetition="^", suffix="\n")
EDIFACT_OUTBOUND = EdifactDelimiters(suffix="\n")
