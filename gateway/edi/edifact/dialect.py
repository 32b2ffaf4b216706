"""How EDIFACT values split, unescape and type-check, for the validation engine.

Numbers accept either decimal mark (ISO 9735 allows both; the UNA names the one the sender
prefers), and lengths leave out the sign and the mark. Dates in C507 are checked against
their format qualifier (2379), so ``DTM+137:19999715:102`` is an invalid date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..delimiters import EdifactDelimiters
from ..schema import ElementDef, edifact_known_segment
from .tokenizer import escape, split_escaped, unescape

_NUMBER = re.compile(r"-?(\d+[.,]?\d*|[.,]\d+)\Z")

#: 2379 format qualifier → (length, has date part, has time part) for the formats checked.
DATE_FORMATS: dict[str, tuple[int, bool, bool]] = {
    "101": (6, True, False),  # YYMMDD
    "102": (8, True, False),  # CCYYMMDD
    "201": (10, True, True),  # YYMMDDHHMM
    "203": (12, True, True),  # CCYYMMDDHHMM
    "204": (14, True, True),  # CCYYMMDDHHMMSS
    "401": (4, False, True),  # HHMM
}


def valid_date_value(value: str, fmt: str) -> bool | None:
    """True/False for a value in a format we check; None for a format we do not check."""
    spec = DATE_FORMATS.get(fmt)
    if spec is None:
        return None
    length, has_date, has_time = spec
    if len(value) != length or not value.isdigit():
        return False
    rest = value
    if has_date:
        n = 6 if length in (6, 10) else 8
        ymd = ("20" + rest[:6]) if n == 6 else rest[:8]
        try:
            date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
        except ValueError:
            return False
        rest = rest[n:]
    return not (
        has_time and rest and (int(rest[:2]) > 24 or int(rest[2:4]) > 59 or (len(rest) >= 6 and int(rest[4:6]) > 59))
    )


class EdifactDialect:
    """The :class:`~gateway.edi.validation.Dialect` of one EDIFACT interchange and directory."""

    standard = "edifact"

    def __init__(self, delimiters: EdifactDelimiters, directory: str) -> None:
        self.delimiters = delimiters
        self.version = directory
        self._comp = delimiters.component
        self._rel = delimiters.release
        rep = delimiters.repetition
        self._rep = rep if rep.strip() else None

    def components(self, value: str) -> list[str]:
        if self._comp not in value:
            return [value]
        return split_escaped(value, self._comp, self._rel)

    def repetitions(self, value: str) -> list[str]:
        rep = self._rep
        if rep is None or rep not in value:
            return [value]
        return split_escaped(value, rep, self._rel)

    def unescape(self, value: str) -> str:
        return unescape(value, self._rel)

    def raw(self, seg: Sequence[str]) -> str:
        return self.delimiters.element.join(seg)

    def known_segment(self, tag: str) -> bool:
        return edifact_known_segment(tag, self.version)

    def check_value(self, value: str, element: ElementDef) -> str | None:
        t = element.type
        if t == "n":
            return None if value.isdigit() or _NUMBER.match(value) else "element.invalid_number"
        if t == "a" and any(ch.isdigit() for ch in value):
            return "element.invalid_character"
        return None

    def value_length(self, value: str, element: ElementDef) -> int:
        if element.type == "n":
            return sum(1 for ch in value if ch.isdigit())
        return len(value)

    def check_composite(self, composite_id: str, parts: list[str]) -> list[tuple[str, int, str]]:
        is_c507 = composite_id == "C507" and len(parts) >= 3 and bool(parts[1]) and bool(parts[2])
        if is_c507 and valid_date_value(parts[1], parts[2]) is False:
            return [("element.invalid_date", 2, f"is '{parts[1]}', not a valid date in format {parts[2]}")]
        return []

    def escape(self, value: str) -> str:
        return escape(value, self.delimiters)
