"""The X12 writer: segments in, text out, with the delimiters given.

X12 has no release character. A value holding a delimiter, or a character outside the X12
basic and extended sets (printable ASCII), cannot be written faithfully: the writer raises
:class:`~gateway.edi.errors.CharacterSetError` naming the segment and element, unless the
caller asked for substitution (a partner setting), in which case accents are folded
(``é`` → ``e``) and whatever is still not writable becomes the substitute character.
Nothing is ever written out silently altered without that request.

An element is a string, or a tuple of strings for a composite. ``ISA16`` is the component
separator itself and is written as is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from ..delimiters import X12Delimiters
from ..errors import CharacterSetError
from ..source import to_bytes

Element = str | tuple[str, ...]


def _printable(value: str) -> bool:
    return value.isascii() and value.isprintable()


def clean_value(value: str, forbidden: str, substitute: str | None, where: str) -> str:
    """``value`` if it is writable; else its substitution, or :class:`CharacterSetError`."""
    if _printable(value) and not any(ch in value for ch in forbidden):
        return value
    if substitute is not None and (len(substitute) != 1 or not _printable(substitute) or substitute in forbidden):
        raise CharacterSetError(
            f"{where}: the substitution character {substitute!r} is itself not writable with these delimiters."
        )
    if substitute is None:
        bad = next(ch for ch in value if not _printable(ch) or ch in forbidden)
        raise CharacterSetError(
            f"{where}: {bad!r} cannot be written in X12 with these delimiters "
            "(no release character; outside the basic/extended set). "
            "Remove it, or set a substitution character for this partner."
        )
    folded = unicodedata.normalize("NFKD", value)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "".join(ch if _printable(ch) and ch not in forbidden else substitute for ch in folded)


def format_segment(
    elements: Sequence[Element], d: X12Delimiters, *, substitute: str | None = None, trim: bool = True
) -> str:
    """One segment (tag first) as text, without the terminator; ``trim`` drops trailing empty elements."""
    tag = elements[0]
    assert isinstance(tag, str)
    forbidden = d.specials()
    parts = [tag]
    for i in range(1, len(elements)):
        el = elements[i]
        where = f"{tag}{i:02d}"
        if tag == "ISA" and i in (11, 16) and isinstance(el, str):  # delimiters themselves
            parts.append(el)
        elif isinstance(el, tuple):
            comps = [clean_value(c, forbidden, substitute, f"{where}-{j:02d}") for j, c in enumerate(el, 1)]
            while comps and not comps[-1]:
                comps.pop()
            parts.append(d.component.join(comps))
        else:
            parts.append(clean_value(el, forbidden, substitute, where))
    # trailing empty elements are not written (X12 forbids trailing separators)
    if trim and tag != "ISA":
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
    return d.element.join(parts)


def serialize(
    segments: Iterable[Sequence[Element]], d: X12Delimiters, *, substitute: str | None = None, trim: bool = True
) -> str:
    """Segments as text, each followed by the terminator and the delimiters' suffix."""
    end = d.segment + d.suffix
    return "".join(format_segment(seg, d, substitute=substitute, trim=trim) + end for seg in segments)


def serialize_bytes(
    segments: Iterable[Sequence[Element]], d: X12Delimiters, *, substitute: str | None = None, trim: bool = True
) -> bytes:
    """As :func:`serialize`, encoded back to bytes."""
    return to_bytes(serialize(segments, d, substitute=substitute, trim=trim))


def isa_field(value: str, width: int) -> str:
    """An ISA value padded with spaces to its fixed width (longer values are cut)."""
    return value[:width].ljust(width)
