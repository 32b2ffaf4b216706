"""Streaming text over bytes: the one place where bytes become characters.

Both readers see the input as text decoded from UTF-8 with ``surrogateescape``, a chunk at a
time. Bytes that are not UTF-8 (Latin-1 data, EBCDIC, junk) become lone surrogates that encode
back to the very same bytes, so nothing is lost, a round trip is exact, and a multi-byte
delimiter such as U+2026 or an ISA padded with U+00A0 is one character, as its sender meant.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .findings import Finding

#: Default read size. Large enough to amortise Python overhead, small enough to stream.
CHUNK_SIZE = 1 << 20

Source = bytes | bytearray | memoryview | BinaryIO


def iter_text(source: Source, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """Yield decoded text chunks from bytes or a binary file object, never the whole file at once."""
    stream: BinaryIO
    if isinstance(source, bytes | bytearray | memoryview):
        stream = io.BytesIO(bytes(source))
    else:
        stream = source
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    first = True
    while True:
        raw = stream.read(chunk_size)
        if not raw:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            return
        text = decoder.decode(raw)
        if first and text:
            first = False
            if text.startswith("\ufeff"):
                text = text[1:]
        if text:
            yield text


def to_bytes(text: str) -> bytes:
    """Encode text produced by :func:`iter_text` back to its original bytes."""
    return text.encode("utf-8", errors="surrogateescape")


_SURROGATE = re.compile("[\udc80-\udcff]")


def has_undecodable(text: str) -> bool:
    """True when ``text`` holds bytes that were not valid UTF-8."""
    return not text.isascii() and _SURROGATE.search(text) is not None


class TextBuffer:
    """A growing window over the decoded stream, with an explicit read position."""

    __slots__ = ("_chunks", "buf", "drop", "eof", "offset", "pos")

    def __init__(self, source: Source, chunk_size: int = CHUNK_SIZE) -> None:
        self._chunks = iter_text(source, chunk_size)
        self.buf = ""
        self.pos = 0
        self.offset = 0  # characters consumed before ``buf`` starts
        self.eof = False
        self.drop = ""  # characters removed from text as it arrives (line breaks that are not delimiters)

    def dropping(self, chars: str) -> None:
        """From now on remove ``chars`` from the text, including what is buffered past ``pos``."""
        if chars == self.drop:
            return
        self.drop = chars
        if not chars or not any(ch in self.buf for ch in chars):
            return
        rest = self.buf[self.pos :]
        for ch in chars:
            if ch in rest:
                rest = rest.replace(ch, "")
        self.buf = self.buf[: self.pos] + rest

    def fill(self, need: int = 1) -> bool:
        """Make at least ``need`` characters available from ``pos``; False at end of input."""
        while len(self.buf) - self.pos < need:
            if self.eof:
                return False
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                return len(self.buf) - self.pos >= need
            for ch in self.drop:
                if ch in chunk:
                    chunk = chunk.replace(ch, "")
            if self.pos:
                self.offset += self.pos
                self.buf = self.buf[self.pos :] + chunk
                self.pos = 0
            else:
                self.buf += chunk
        return True

    def more(self) -> bool:
        """Read one more chunk onto the buffer; False at end of input."""
        return self.fill(len(self.buf) - self.pos + 1)

    def skip_to(self, find: Callable[[str, int], int], start: int | None = None) -> int:
        """Move ``pos`` to where ``find(buf, from)`` points next, or to the end; returns the characters passed."""
        length = 0
        search = self.pos if start is None else start
        while True:
            k = find(self.buf, search)
            if k >= 0:
                length += k - self.pos
                self.pos = k
                return length
            keep = max(self.pos, len(self.buf) - 3)  # what is looked for may straddle two chunks
            length += keep - self.pos
            self.pos = keep
            if not self.more():
                length += len(self.buf) - self.pos
                self.pos = len(self.buf)
                return length
            search = self.pos

    def rest(self) -> str:
        """What is left from ``pos``."""
        return self.buf[self.pos :]


@dataclass(slots=True)
class Junk:
    """Characters found outside any interchange (a token of both tokenizers)."""

    preview: str
    length: int
    offset: int
    findings: list[Finding] = field(default_factory=list)
