"""The JSON feed connector: each posted document as one JSON file in a folder, or one HTTP POST.

The body is the same in both modes, pretty-printed with sorted keys::

    {"document": {...model_dump(mode="json")...}, "key": "<BusinessKey.text>"}

Folder mode writes ``<folder>/<partner>/<doc_type>/<number>[--<revision>].json``. Partner,
number and revision are made safe as file names by percent-encoding everything but letters,
digits, ``_``, ``.`` and single inner dashes (a leading dot too), so ``--`` only ever separates
the number from the revision and two distinct keys never share a file; over-long names are
cut and end in ``~`` plus a hash of the key. The file is written under a dot-prefixed temporary
name, fsynced, and hard-linked into place, which fails if it exists: the existing file is the
idempotent hit, and its recorded key is compared so that a case-insensitive file system cannot
pass one number off as another. The folder itself must exist (an unmounted share is not
silently replaced by an empty local folder).

File system errors: a full disk, an I/O error, a stale network mount or a missing feed folder
are :class:`TransientError` (the disk may be freed, the mount may come back); permission
errors, a read-only file system and impossible names are :class:`PermanentError`, because only
a person can fix them.

HTTP mode POSTs the body with ``Idempotency-Key: <BusinessKey.text>``: 2xx is posted, 409 is
"already have it", 408, 425, 429 and 5xx and connection failures or timeouts are transient,
any other status is permanent with the first 500 characters of the answer. Error messages
show the URL without credentials or query, and every configured header value is blanked out of
them, even where the server echoes it back.
"""

from __future__ import annotations

import errno
import hashlib
import json
import string
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Protocol

import httpx
import pydantic_core
from pydantic import BaseModel

from ..files import NewFiles, fsync_dir, sweep_temp, write_new
from .base import BusinessKey, ConnectorError, PermanentError, Posted, TransientError

_PLAIN = frozenset(string.ascii_letters + string.digits + "_.")
_LONGEST_STEM = 180
_PERMANENT_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.EINVAL}
)
_TRANSIENT_STATUS = frozenset({408, 425, 429})
_SNIPPET = 500


def body_of(key: BusinessKey, document: BaseModel) -> bytes:
    """The JSON both modes write: the key text and the document, sorted and indented."""
    data = {"document": _sorted(document.model_dump(mode="json")), "key": key.text}
    # The same bytes as json.dumps(indent=2, sort_keys=True, ensure_ascii=False), whose indenting
    # encoder is pure Python: keys sorted here, then pydantic-core's encoder, which keeps their order.
    return pydantic_core.to_json(data, indent=2) + b"\n"


def _sorted(value: object) -> object:
    """``value`` (JSON data) with every object's keys in sorted order."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def safe_name(text: str) -> str:
    """``text`` as a file name part: injective, never hidden, never holding ``--`` or a separator."""
    return "".join(
        ch if _kept(text, i) else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        for i, ch in enumerate(text)
    )


def _kept(text: str, i: int) -> bool:
    ch = text[i]
    if ch == "-":  # only alone and inside: then "--" and a trailing "-" never occur in a safe name
        return 0 < i < len(text) - 1 and text[i - 1] != "-" and text[i + 1] != "-"
    return ch in _PLAIN and not (ch == "." and i == 0)


def file_name(key: BusinessKey) -> str:
    """``<number>[--<revision>].json`` for ``key``, made safe."""
    stem = safe_name(key.number) + (f"--{safe_name(key.revision)}" if key.revision else "")
    if len(stem) > _LONGEST_STEM:
        digest = hashlib.sha256(f"{key.number}\0{key.revision}".encode("utf-8", "surrogatepass")).hexdigest()
        stem = f"{stem[:100]}~{digest}"
    return f"{stem}.json"


class _Feed(Protocol):
    def post(self, key: BusinessKey, body: bytes) -> Posted: ...

    def close(self) -> None: ...


class JsonConnector:
    """Posts documents as JSON, to a folder (``folder=``) or to an HTTP endpoint (``url=``)."""

    def __init__(
        self,
        *,
        folder: Path | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        name: str = "json",
        batch: bool = False,
    ) -> None:
        if (folder is None) == (url is None):
            raise ValueError("JsonConnector needs exactly one of folder= or url=")
        self.name = name
        self.folder = Path(folder) if folder is not None else None
        self._feed: _Feed
        if folder is not None:
            self._feed = _FolderFeed(Path(folder), batch=batch)
        else:
            assert url is not None
            self._feed = _HttpFeed(url, dict(headers or {}), timeout, client)

    def post(self, key: BusinessKey, document: BaseModel) -> Posted:
        return self._feed.post(key, body_of(key, document))

    def close(self) -> None:
        """Close the HTTP client if this connector made it."""
        self._feed.close()

    def flush(self) -> None:
        """``batch=True``: make the names of the files posted since the last flush durable (one fsync
        per folder). A caller records a batch as posted only after this returns."""
        if isinstance(self._feed, _FolderFeed):
            self._feed.flush()

    def sweep(self, older_than: float = 3600.0) -> int:
        """Folder mode: remove temporary files a killed writer left; returns how many."""
        return len(sweep_temp(self.folder, older_than=older_than)) if self.folder is not None else 0

    def __enter__(self) -> JsonConnector:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- folder mode ---------------------------------------------------------------------------------


def _os_error(action: str, exc: OSError) -> ConnectorError:
    message = f"json feed: {action}: {exc.strerror or type(exc).__name__}"
    if exc.errno in _PERMANENT_ERRNOS:
        return PermanentError(message)
    return TransientError(message)


class _FolderFeed:
    def __init__(self, folder: Path, *, batch: bool = False) -> None:
        self.folder = folder
        self.batch = batch
        self._made: set[Path] = set()  # sub-folders known to exist
        self._unsynced: set[Path] = set()  # folders with new names not yet fsynced (batch mode)
        self._new = NewFiles()  # batch mode: files written, named durably on flush
        self._keys: dict[Path, str] = {}  # their keys, to check a file found in their place

    def flush(self) -> None:
        keys, self._keys = self._keys, {}
        try:
            for target in self._new.commit():  # a racing writer named it first: the same document, or refused
                self._existing(target, keys[target])
            for folder in sorted(self._unsynced):
                fsync_dir(folder)
        except OSError as exc:
            raise _os_error("cannot sync the feed folder", exc) from exc
        self._unsynced.clear()

    def close(self) -> None:
        self._new.abandon()

    def post(self, key: BusinessKey, body: bytes) -> Posted:
        if not self.folder.is_dir():
            raise TransientError(f"json feed: the folder {str(self.folder)!r} is missing (not mounted?)")
        target = self.folder / safe_name(key.partner) / key.doc_type / file_name(key)
        try:
            if target.exists():
                if self.batch:  # named by an attempt that failed before its flush: make sure the name is durable
                    self._unsynced.add(target.parent)
                return self._existing(target, key.text)
            if target.parent not in self._made:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(target.parent)
            if target in self._keys:  # twice in one batch: the first stands
                return self._existing(target, key.text, self._keys[target])
            if self.batch and self._new.add(target, body):
                self._keys[target] = key.text
                return Posted((str(target),))
            if not write_new(target, body, sync_dir=not self.batch):
                return self._existing(target, key.text)
            if self.batch:
                self._unsynced.add(target.parent)
        except OSError as exc:
            raise _os_error(f"cannot write {target.name!r}", exc) from exc
        return Posted((str(target),))

    @staticmethod
    def _existing(target: Path, key: str, recorded: str | None = None) -> Posted:
        """The file already there (or already added to this batch, holding ``recorded``) for ``key``."""
        if recorded is None:
            try:
                recorded = json.loads(target.read_bytes()).get("key")
            except (ValueError, AttributeError) as exc:
                raise PermanentError(f"json feed: {target.name!r} exists but is not a feed file") from exc
        if recorded != key:
            raise PermanentError(f"json feed: {target.name!r} already holds {recorded!r}, not {key!r}")
        return Posted((str(target),), already=True)


# -- HTTP mode -----------------------------------------------------------------------------------


class _HttpFeed:
    def __init__(self, url: str, headers: dict[str, str], timeout: float, client: httpx.Client | None) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("the JSON feed URL must be an http(s) URL with a host")
        httpx.Headers(headers)  # refuses what cannot be sent now, not at the first post
        self.url = url
        self.shown_url = str(parsed.copy_with(userinfo=b"", query=None, fragment=None))
        self.headers = headers
        self._secrets = _secrets_of(parsed, headers)
        self._own_client = client is None
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def post(self, key: BusinessKey, body: bytes) -> Posted:
        headers = {**self.headers, "Content-Type": "application/json", "Idempotency-Key": key.text}
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.TooManyRedirects) as exc:
            raise PermanentError(self._redact(f"POST {self.shown_url} failed: {exc}")) from exc
        except httpx.HTTPError as exc:  # connection refused or reset, timeouts, a broken answer
            raise TransientError(self._redact(f"POST {self.shown_url} failed: {exc or type(exc).__name__}")) from exc
        status = response.status_code
        if 200 <= status < 300:
            return Posted((_reference(response, key),))
        if status == 409:
            return Posted((_reference(response, key),), already=True)
        said = self._redact(f"POST {self.shown_url} answered {status}: {response.text[:_SNIPPET]}")
        if status in _TRANSIENT_STATUS or status >= 500:
            raise TransientError(said, status=status, retry_after=_retry_after(response))
        raise PermanentError(said, status=status)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _secrets_of(url: httpx.URL, headers: Mapping[str, str]) -> list[str]:
    """Every configured header value (and its parts, e.g. the token after ``Bearer``), the URL's password and query."""
    secrets: set[str] = {url.password or "", url.query.decode("ascii", "replace")}
    for value in headers.values():
        secrets.add(value)
        secrets.update(value.split())
    secrets.update(v for _, v in url.params.multi_items())
    # Longest first, so a whole value is blanked before its parts; short ones would blank ordinary words.
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def _reference(response: httpx.Response, key: BusinessKey) -> str:
    location: str = response.headers.get("Location", "")
    if location:
        return location
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for field in ("id", "reference"):
            if data.get(field) not in (None, ""):
                return str(data[field])
    return key.text


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
