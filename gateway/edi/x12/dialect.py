"""How X12 values split and type-check, for the validation engine."""

from __future__ import annotations

from collections.abc import Sequence

from ..delimiters import X12Delimiters
from ..schema import ElementDef, x12_known_segment
from ..validation import check_x12_value, x12_value_length


class X12Dialect:
    """The :class:`~gateway.edi.validation.Dialect` of one X12 interchange and version."""

    standard = "x12"

    def __init__(self, delimiters: X12Delimiters, version: str) -> None:
        self.delimiters = delimiters
        self.version = version
        self._component = delimiters.component
        self._repetition = delimiters.repetition

    def components(self, value: str) -> list[str]:
        return value.split(self._component) if self._component in value else [value]

    def repetitions(self, value: str) -> list[str]:
        rep = self._repetition
        return value.split(rep) if rep and rep in value else [value]

    def unescape(self, value: str) -> str:
        return value

    def raw(self, seg: Sequence[str]) -> str:
        return self.delimiters.element.join(seg)

    def known_segment(self, tag: str) -> bool:
        return x12_known_segment(tag, self.version)

    def check_value(self, value: str, element: ElementDef) -> str | None:
        return check_x12_value(value, element)

    def value_length(self, value: str, element: ElementDef) -> int:
        return x12_value_length(value, element)

    def check_composite(self, composite_id: str, parts: list[str]) -> list[tuple[str, int, str]]:
        return []
