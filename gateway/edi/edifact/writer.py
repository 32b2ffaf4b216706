"""The EDIFACT writer: segments in, text out, every service character escaped with the release character.

An element is a string, or a tuple of strings for a composite. Trailing empty elements and
components are not written (ISO 9735 forbids trailing separators). A UNA is written first
when asked for, which a caller does whenever the delimiters are not the syntax defaults.
A :class:`~gateway.edi.delimiters.Number` is written with the delimiters' decimal mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..delimiters import EDIFACT_DEFAULT, EdifactDelimiters, Number
from .tokenizer import escape

Element = str | tuple[str, ...]


def _value(value: str, d: EdifactDelimiters) -> str:
    return escape(d.number(value) if isinstance(value, Number) else value, d)


def format_segment(elements: Sequence[Element], d: EdifactDelimiters) -> str:
    """One segment (tag first, written as is) without its terminator."""
    parts: list[str] = []
    for el in elements:
        if isinstance(el, tuple):
            comps = [_value(c, d) for c in el]
            while comps and not comps[-1]:
                comps.pop()
            parts.append(d.component.join(comps))
        else:
            parts.append(_value(el, d) if parts else el)
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return d.element.join(parts)


def serialize(segments: Iterable[Sequence[Element]], d: EdifactDelimiters, *, una: bool | None = None) -> str:
    """Segments as text; ``una`` None writes a UNA only when the delimiters are not the defaults."""
    end = d.segment + d.suffix
    head = d.una() + d.suffix if (una or (una is None and d != EDIFACT_DEFAULT)) else ""
    return head + "".join(format_segment(seg, d) + end for seg in segments)
