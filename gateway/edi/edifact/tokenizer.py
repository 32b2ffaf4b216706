"""The EDIFACT tokenizer: a stream of bytes in, service string advice and segments out.

UNA is optional; without it the syntax defaults apply (``:+.? '``). Each interchange may
open with its own UNA. The release character is honoured everywhere: a terminator, separator
or release character preceded by an odd number of release characters is data. Line breaks
that are not delimiters are dropped (files hard-wrapped at 80 columns are common), and so is
indentation between segments. The input is read a chunk at a time.

Tokens are :class:`ServiceAdvice` at the start of each interchange (the delimiters in force,
from UNA or defaulted), ``list[str]`` per segment (``seg[0]`` the tag, the others still
escaped; :func:`split_escaped` and :func:`unescape` take them apart), :data:`MISSING_UNZ` when
an interchange ends without its trailer, and :class:`Junk` for bytes outside any interchange.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..delimiters import EDIFACT_DEFAULT, EdifactDelimiters
from ..findings import Finding, finding
from ..source import CHUNK_SIZE, Source, TextBuffer
from ..source import Junk as Junk  # a token of this reader too

_NEWLINES = "\r\n"


@dataclass(slots=True)
class ServiceAdvice:
    """The delimiters of the interchange that follows, and whether a UNA declared them."""

    delimiters: EdifactDelimiters
    una: str | None
    offset: int
    findings: list[Finding] = field(default_factory=list)


class _MissingUnz:
    def __repr__(self) -> str:
        return "MISSING_UNZ"


MISSING_UNZ = _MissingUnz()

Token = ServiceAdvice | list[str] | Junk | _MissingUnz


def split_escaped(text: str, sep: str, release: str) -> list[str]:
    """``text.split(sep)``, except where ``sep`` is preceded by an odd run of release characters."""
    parts = text.split(sep)
    if release not in text or len(parts) == 1:
        return parts
    out: list[str] = []
    carry: str | None = None
    for part in parts:
        if carry is not None:
            part = carry + sep + part
            carry = None
        run = len(part) - len(part.rstrip(release))
        if run % 2:
            carry = part
        else:
            out.append(part)
    if carry is not None:
        out.append(carry)
    return out


def unescape(value: str, release: str) -> str:
    """The value with its release characters taken out."""
    if release not in value:
        return value
    out: list[str] = []
    escaped = False
    for ch in value:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == release:
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


def escape(value: str, d: EdifactDelimiters) -> str:
    """The value with every service character preceded by the release character."""
    specials = d.specials()
    if not any(ch in value for ch in specials):
        return value
    return "".join(d.release + ch if ch in specials else ch for ch in value)


def _unescaped_at(buf: str, k: int, start: int, release: str) -> bool:
    run = 0
    j = k - 1
    while j >= start and buf[j] == release:
        run += 1
        j -= 1
    return run % 2 == 0


class EdifactTokenizer:
    """Iterate over the tokens of an EDIFACT stream. See the module docstring for the token kinds."""

    def __init__(self, source: Source, *, chunk_size: int = CHUNK_SIZE) -> None:
        self._tb = TextBuffer(source, chunk_size)
        # line breaks are never EDIFACT data: they go as the text arrives, so offsets count the text without them
        self._tb.dropping(_NEWLINES)

    def __iter__(self) -> Iterator[Token]:
        tb = self._tb
        while True:
            if not self._skip_space():
                return
            buf, pos = tb.buf, tb.pos
            tb.fill(16)
            buf, pos = tb.buf, tb.pos
            if buf.startswith("UNA", pos):
                una = buf[pos : pos + 9]
                findings: list[Finding] = []
                if len(una) < 9 or len(set(una[3:9]) - {" "}) < 5 or una[4] == una[8]:
                    findings.append(
                        finding(
                            "interchange.element_separator",
                            f"The UNA service string advice '{una}' is malformed.",
                            segment=una,
                        )
                    )
                    yield Junk(una, len(una), tb.offset + pos, findings)
                    tb.pos = pos + len(una)
                    self._skip_to_next_interchange()
                    continue
                d = EdifactDelimiters.from_una(una)
                tb.pos = pos + 9
                yield ServiceAdvice(d, una, tb.offset + pos, findings)
            elif buf.startswith(("UNB", "UNH", "UNG"), pos):
                d = EDIFACT_DEFAULT
                yield ServiceAdvice(d, None, tb.offset + pos)
            else:
                yield self._junk()
                continue
            yield from self._body(d)

    def _skip_space(self) -> bool:
        tb = self._tb
        while True:
            if not tb.fill(1):
                return False
            buf, p, n = tb.buf, tb.pos, len(tb.buf)
            while p < n and buf[p] in " \t\r\n\x00\ufeff\x1a":
                p += 1
            tb.pos = p
            if p < n:
                return True

    @staticmethod
    def _find_start(buf: str, start: int) -> int:
        """The next UNA or UNB at or after ``start``, or -1."""
        found = [k for k in (buf.find("UNA", start), buf.find("UNB", start)) if k >= 0]
        return min(found) if found else -1

    def _skip_to_next_interchange(self) -> int:
        return self._tb.skip_to(self._find_start)

    def _junk(self) -> Junk:
        tb = self._tb
        tb.fill(80)
        offset = tb.offset + tb.pos
        preview = tb.buf[tb.pos : tb.pos + 80]
        tb.pos += 1
        length = 1 + self._skip_to_next_interchange()
        return Junk(
            preview,
            length,
            offset,
            [finding("interchange.not_edi", "Data outside an interchange: expected UNA or UNB.", segment=preview)],
        )

    def _body(self, d: EdifactDelimiters) -> Iterator[Token]:
        tb = self._tb
        term, es, rel = d.segment, d.element, d.release
        drop = "".join(ch for ch in _NEWLINES if ch not in (term, es, d.component))
        unz = "UNZ" + es
        # keep a line break only where this UNA makes it a delimiter; a hard-wrapped "U\nNZ" is still a UNZ
        tb.dropping(drop)
        try:
            yield from self._interchange_body(term, es, rel, unz)
        finally:
            tb.dropping(_NEWLINES)

    def _interchange_body(self, term: str, es: str, rel: str, unz: str) -> Iterator[Token]:
        tb = self._tb

        def split(text: str) -> list[list[str]]:
            out: list[list[str]] = []
            for raw in split_escaped(text, term, rel):
                if raw[:1] in (" ", "\t"):
                    raw = raw.lstrip(" \t")
                    if not raw:
                        continue  # white space between segments
                if not raw:
                    out.append([""])  # two terminators in a row: an empty segment
                    continue
                seg = split_escaped(raw, es, rel) if rel in raw else raw.split(es)
                out.append(seg)
            return out

        def trim(segs: list[list[str]], final: bool) -> list[list[str]]:
            # a trailing piece after the last terminator is not an empty segment
            if final and segs and segs[-1] == [""]:
                segs.pop()
            return segs

        while True:
            tb.fill(1)
            buf, pos = tb.buf, tb.pos
            k = buf.find(unz, pos)
            while k >= 0 and not self._segment_start(buf, k, pos, term, rel):
                k = buf.find(unz, k + 1)
            # a UNA inside the body opens the next interchange: this one ended without its UNZ
            a = buf.find("UNA", pos + 1, k if k >= 0 else len(buf))
            while a >= 0 and not self._segment_start(buf, a, pos, term, rel):
                a = buf.find("UNA", a + 1, k if k >= 0 else len(buf))
            if a >= 0:
                yield from trim(split(buf[pos:a]), True)
                tb.pos = a
                yield MISSING_UNZ
                return
            if k >= 0:
                e = buf.find(term, k)
                while e >= 0 and not _unescaped_at(buf, e, k, rel):
                    e = buf.find(term, e + 1)
                if e < 0 and not tb.eof and tb.more():
                    continue
                end = e if e >= 0 else len(buf)
                yield from trim(split(buf[pos:k]), True)
                yield from trim(split(buf[k:end]), True)
                tb.pos = end + 1 if e >= 0 else end
                return
            last = buf.rfind(term, pos)
            while last >= 0 and not _unescaped_at(buf, last, pos, rel):
                last = buf.rfind(term, pos, last)
            if last >= 0 and last > pos:
                yield from trim(split(buf[pos:last] + term), True)
                tb.pos = last + 1
            if not tb.more():
                rest = tb.rest()
                if rest.strip():
                    yield from trim(split(rest), True)
                tb.pos = len(tb.buf)
                yield MISSING_UNZ
                return

    @staticmethod
    def _segment_start(buf: str, k: int, start: int, term: str, rel: str) -> bool:
        j = k - 1
        while j >= start and buf[j] in " \t\r\n":
            j -= 1
        if j < start:
            return True
        return buf[j] == term and _unescaped_at(buf, j, start, rel)
