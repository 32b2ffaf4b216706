"""The X12 tokenizer: a stream of bytes in, ISA headers and segments out.

Delimiters are read from each ISA by position: the element separator is the character right
after ``ISA``, the component separator is ISA16 and the segment terminator is the character
after it. The ISA is read field by field rather than by fixed offsets, so that the ISAs real
partners send (103 or 107 characters, padded with U+00A0, hard-wrapped at 80 columns) are
read with a warning instead of being refused.

Line breaks that are not the terminator are dropped (X12 data never holds CR or LF), and so is
indentation. Each interchange may use its own delimiters. The input is read a chunk at a
time: a 1 GB file is never held whole.

Tokens are :class:`IsaHeader` at the start of each interchange, ``list[str]`` for each segment
(``seg[0]`` is the tag, ``seg[n]`` the n-th element, unsplit), :data:`MISSING_IEA` when an
interchange ends without its trailer, and :class:`Junk` for bytes outside any interchange.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..delimiters import X12_REPETITION_FROM, X12Delimiters
from ..findings import Finding, finding
from ..source import CHUNK_SIZE, Source, TextBuffer
from ..source import Junk as Junk  # a token of this reader too

ISA_WIDTH = 106
#: How many characters of an interchange body are split into segments at once.
BATCH = 1 << 16
#: How much of an interchange body is looked at to tell a hard-wrapped stream.
WRAP_PROBE = 4096
#: How far an ISA may run before we give up looking for its sixteen separators.
ISA_SEARCH_LIMIT = 400
#: Stands in for a component separator an ISA forgot to declare.
NO_COMPONENT = "\x1f"
_NEWLINES = "\r\n"
_SPACES = " \u00a0"


@dataclass(slots=True)
class IsaHeader:
    """One ISA as read: its raw elements, the delimiters it declares and what was odd about it."""

    elements: list[str]
    delimiters: X12Delimiters
    raw: str
    offset: int
    findings: list[Finding] = field(default_factory=list)
    wrapped: bool = False  # line breaks stood inside the ISA: a hard-wrapped stream

    def value(self, n: int) -> str:
        """ISA``n`` trimmed of padding (ASCII or no-break spaces)."""
        if n >= len(self.elements):
            return ""
        return self.elements[n].strip(_SPACES)

    @property
    def control_number(self) -> str:
        return self.value(13)

    @property
    def version(self) -> str:
        return self.value(12)


class _MissingIea:
    """Marker token: the interchange ended (end of input or a new ISA) without an IEA."""

    def __repr__(self) -> str:
        return "MISSING_IEA"


MISSING_IEA = _MissingIea()

Token = IsaHeader | list[str] | Junk | _MissingIea


def _wrapped(buf: str, pos: int, term: str) -> bool:
    """True when a line break in the first part of the body stands inside a segment, not after a terminator."""
    probe = buf[pos : pos + WRAP_PROBE]
    if "\n" not in probe or probe.count("\n") - probe.startswith("\n") == probe.count(term + "\n"):
        return False  # every line break follows a terminator: not wrapped
    # only this interchange's body (up to its IEA and a little): what follows may break its lines its own way
    for tag, keep in (("IEA", 5), ("ISA", 0)):
        nxt = probe.find(tag)
        if nxt >= 0:
            probe = probe[: nxt + keep]
    k = probe.find("\n")
    while k >= 0:
        j = k - 1
        while j >= 0 and probe[j] == "\r":
            j -= 1
        if j >= 0 and probe[j] not in (term, "\n"):
            return True
        k = probe.find("\n", k + 1)
    return False


def _batches(buf: str, start: int, end: int, term: str, split: Callable[[str], list[list[str]]]) -> Iterator[list[str]]:
    """The segments of ``buf[start:end]``, split about BATCH characters at a time (fewer lists alive at once)."""
    while end - start > BATCH:
        cut = buf.rfind(term, start, start + BATCH)
        if cut < 0:
            break
        yield from split(buf[start:cut])
        start = cut + 1
    yield from split(buf[start:end])


def _at_segment_start(buf: str, k: int, start: int, term: str) -> bool:
    """True when position ``k`` begins a segment: only white space lies between it and a terminator."""
    j = k - 1
    while j >= start:
        ch = buf[j]
        if ch == term:
            return True
        if ch not in " \t\r\n":
            return False
        j -= 1
    return True


def _find_tag(buf: str, tag: str, start: int, stop: int, term: str) -> int:
    """Position of the first segment in ``buf[start:stop]`` that begins with ``tag``, or -1."""
    k = buf.find(tag, start, stop)
    while k >= 0:
        if _at_segment_start(buf, k, start, term):
            return k
        k = buf.find(tag, k + 1, stop)
    return -1


def _find_isa(buf: str, start: int, term: str | None, stop: int | None = None) -> int:
    """Position of the next plausible ISA in ``buf[start:stop]``, or -1."""
    end = len(buf) if stop is None else stop
    k = buf.find("ISA", start, end)
    while k >= 0:
        nxt = buf[k + 3 : k + 4]
        if nxt and not nxt.isalnum() and (term is None or _at_segment_start(buf, k, start, term)):
            return k
        k = buf.find("ISA", k + 1, end)
    return -1


class X12Tokenizer:
    """Iterate over the tokens of an X12 stream. See the module docstring for the token kinds."""

    def __init__(self, source: Source, *, chunk_size: int = CHUNK_SIZE) -> None:
        self._tb = TextBuffer(source, chunk_size)

    def __iter__(self) -> Iterator[Token]:
        tb = self._tb
        while True:
            if not self._skip_space():
                return
            tb.fill(3)
            if not tb.buf.startswith("ISA", tb.pos):
                yield self._junk("interchange.not_edi", "Data outside an interchange: expected an ISA segment.")
                continue
            header = self._read_isa()
            if header is None:
                yield self._junk(
                    "interchange.unreadable",
                    "The ISA segment cannot be read: its sixteen element separators were not found.",
                    skip=3,
                )
                continue
            yield header
            yield from self._body(header.delimiters, header.wrapped)

    # -- between interchanges -------------------------------------------------------------------

    def _skip_space(self) -> bool:
        tb = self._tb
        while True:
            if not tb.fill(1):
                return False
            buf = tb.buf
            n = len(buf)
            p = tb.pos
            while p < n and buf[p] in " \t\r\n\x00\ufeff\x1a":
                p += 1
            tb.pos = p
            if p < n:
                return True

    def _junk(self, code: str, message: str, skip: int = 0) -> Junk:
        tb = self._tb
        tb.fill(80)
        offset = tb.offset + tb.pos
        preview = tb.buf[tb.pos : tb.pos + 80]
        length = tb.skip_to(lambda buf, start: _find_isa(buf, start, None), tb.pos + skip)
        return Junk(preview, length, offset, [finding(code, message, segment=preview)])

    # -- the ISA ---------------------------------------------------------------------------------

    def _read_isa(self) -> IsaHeader | None:
        tb = self._tb
        tb.fill(ISA_SEARCH_LIMIT + 8)
        buf, pos = tb.buf, tb.pos
        if len(buf) - pos < 4:
            return None
        es = buf[pos + 3]
        if es.isalnum() or es in " \r\n":
            return None
        limit = min(len(buf), pos + ISA_SEARCH_LIMIT)
        j = pos + 3
        for _ in range(15):
            j = buf.find(es, j + 1, limit)
            if j < 0:
                return None
        findings: list[Finding] = []
        after = j + 1
        wrapped = False
        while after < len(buf) and buf[after] in _NEWLINES:
            after += 1
            wrapped = True
        if after >= len(buf):
            return None
        component = buf[after]
        t = after + 1
        c = buf[t : t + 1]
        suffix = ""
        if c in ("\r", "\n") and c:
            t2 = t
            while t2 < len(buf) and buf[t2] in _NEWLINES:
                t2 += 1
            nxt = buf[t2 : t2 + 1]
            if nxt and not nxt.isalnum() and nxt not in " \t":
                term, term_at, wrapped = nxt, t2, True
            elif c == "\r" and buf[t + 1 : t + 2] == "\n":
                term, term_at, suffix = "\r", t, "\n"
            else:
                term, term_at = c, t
                if not component.isalnum() and self._terminator_is_component(buf, t2, component):
                    term, term_at, component = component, after, NO_COMPONENT
                    findings.append(
                        finding(
                            "interchange.isa16_missing",
                            "ISA16 (component separator) is missing: the character after ISA15 is the "
                            "segment terminator. Read with no component separator.",
                        )
                    )
        elif not c:
            return None
        else:
            term, term_at = c, t
            k = t + 1
            while k < len(buf) and buf[k] in _NEWLINES:
                k += 1
            suffix = buf[t + 1 : k]
        raw = buf[pos:term_at]
        if wrapped or term not in _NEWLINES:
            drop = "".join(ch for ch in _NEWLINES if ch != term)
            clean = raw
            for ch in drop:
                clean = clean.replace(ch, "")
        else:
            clean = raw
        elements = clean.split(es)
        version = elements[12].strip(_SPACES) if len(elements) > 12 else ""
        repetition: str | None = None
        isa11 = elements[11].strip(_SPACES) if len(elements) > 11 else ""
        if version >= X12_REPETITION_FROM and len(isa11) == 1 and not isa11.isalnum():
            repetition = isa11
        width = len(clean) + 1
        if width != ISA_WIDTH and not findings:
            findings.append(
                finding(
                    "interchange.isa_width",
                    f"The ISA is {width} characters long instead of {ISA_WIDTH}; read by its separators.",
                    segment=clean,
                )
            )
        if "\u00a0" in clean:
            findings.append(
                finding(
                    "interchange.isa_padding",
                    "The ISA is padded with no-break spaces (U+00A0) instead of ASCII spaces.",
                    segment=clean,
                )
            )
        delims = X12Delimiters(element=es, component=component, segment=term, repetition=repetition, suffix=suffix)
        tb.pos = term_at + len(term)
        return IsaHeader(elements, delims, clean, tb.offset + pos, findings, wrapped)

    @staticmethod
    def _terminator_is_component(buf: str, line_start: int, candidate: str) -> bool:
        """Heuristic for an ISA with no ISA16: the next line ends with the would-be component separator."""
        nl = buf.find("\n", line_start)
        line = buf[line_start:nl] if nl >= 0 else buf[line_start:]
        line = line.rstrip("\r")
        return len(line) > 3 and line.endswith(candidate) and line.count(candidate) == 1

    # -- inside an interchange -------------------------------------------------------------------

    def _body(self, d: X12Delimiters, wrapped: bool) -> Iterator[Token]:
        tb = self._tb
        term, es = d.segment, d.element
        iea = "IEA" + es
        drop = "".join(ch for ch in _NEWLINES if ch != term)
        lead = "".join(ch for ch in " \t" if ch not in (term, es))

        # X12 data holds no line breaks. In a hard-wrapped stream (line breaks inside segments) those
        # that are not the terminator go as the text arrives, so that "IE\nA*" or "I\nSA" is still seen
        # as the tag it is. Otherwise they go segment by segment, and what follows the IEA is untouched.
        tb.fill(WRAP_PROBE)
        dropping = bool(drop) and (wrapped or _wrapped(tb.buf, tb.pos, term))
        if dropping:
            tb.dropping(drop)

        def split(text: str) -> list[list[str]]:
            for ch in drop:
                if ch in text:
                    text = text.replace(ch, "")
            parts = text.split(term)
            if lead and ("\t" in text or term + " " in text or text[:1] in lead):
                parts = [p.lstrip(lead) for p in parts]
            return [p.split(es) for p in parts if p]

        try:
            yield from self._interchange_body(term, es, iea, split)
        finally:
            if dropping:
                tb.dropping("")

    def _interchange_body(
        self, term: str, es: str, iea: str, split: Callable[[str], list[list[str]]]
    ) -> Iterator[Token]:
        tb = self._tb
        while True:
            buf, pos = tb.buf, tb.pos
            k_iea = _find_tag(buf, iea, pos, len(buf), term)
            stop = k_iea if k_iea >= 0 else len(buf)
            k_bare = _find_tag(buf, "IEA" + term, pos, stop, term)  # an IEA with no elements at all
            if k_bare >= 0:
                k_iea = stop = k_bare
            k_isa = _find_isa(buf, pos, term, stop)
            if 0 <= k_isa < stop:
                yield from _batches(buf, pos, k_isa, term, split)
                tb.pos = k_isa
                yield MISSING_IEA
                return
            if k_iea >= 0:
                e = buf.find(term, k_iea)
                if e < 0 and not tb.eof and tb.more():
                    continue
                if e >= 0 or tb.eof:
                    end = e if e >= 0 else len(buf)
                    yield from _batches(buf, pos, k_iea, term, split)
                    yield from split(buf[k_iea:end])
                    tb.pos = end + 1 if e >= 0 else end
                    return
            last = buf.rfind(term, pos, stop)
            if last >= 0:
                # the rest stays unsplit: "IEA" may straddle the chunk boundary
                yield from _batches(buf, pos, last, term, split)
                tb.pos = last + 1
            if not tb.more():
                yield from split(tb.rest())
                tb.pos = len(tb.buf)
                yield MISSING_IEA
                return
