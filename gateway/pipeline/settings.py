"""Where things live and how hard to try: the working folder, database, partners, maps, drop folders, limits.

Everything has an embedded default, so ``edigw demo`` runs with no configuration at all:
SQLite and the archive under ``./var``, partners and maps from ``./partners`` and ``./maps``,
the drop folders ``./inbox`` and ``./outbox``, and the JSON connector writing to
``./var/documents``. Environment variables override each (``EDIGW_HOME``,
``EDIGW_DATABASE_URL``, ``EDIGW_PARTNERS``, ``EDIGW_MAPS``, ``EDIGW_INBOX``, ``EDIGW_OUTBOX``,
``EDIGW_JSON_FOLDER``, ``EDIGW_JSON_URL``, ``EDIGW_TEST_JSON_FOLDER``, ``EDIGW_MAX_BYTES``,
``EDIGW_RETENTION_DAYS``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..store.db import default_url
from ..store.queue import RetryPolicy

#: Tries and backoff per kind of job. Posting waits longest: the ERP may be down for a while.
RETRIES: dict[str, RetryPolicy] = {
    "process": RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=300),
    "translate": RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=300),
    "post": RetryPolicy(max_attempts=8, base_seconds=5, cap_seconds=1800),
    "deliver": RetryPolicy(max_attempts=10, base_seconds=5, cap_seconds=1800),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """One gateway's configuration."""

    home: Path
    database_url: str
    partners: Path
    maps: Path
    inbox: Path
    outbox: Path
    json_folder: Path | None
    json_url: str | None = None
    test_json_folder: Path | None = None
    max_bytes: int = 50 * 1024 * 1024
    retention_days: int | None = None  # None: keep everything
    retries: Mapping[str, RetryPolicy] = field(default_factory=lambda: dict(RETRIES))

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @classmethod
    def from_env(cls, base: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment, with everything relative to ``base`` (the current folder)."""
        env = os.environ if env is None else env
        base = base or Path.cwd()

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return (base / value).resolve() if value else default

        home = path("EDIGW_HOME", base / "var")
        url = env.get("EDIGW_DATABASE_URL") or default_url(home)
        json_url = env.get("EDIGW_JSON_URL") or None
        retention = env.get("EDIGW_RETENTION_DAYS")
        return cls(
            home=home,
            database_url=url,
            partners=path("EDIGW_PARTNERS", base / "partners"),
            maps=path("EDIGW_MAPS", base / "maps"),
            inbox=path("EDIGW_INBOX", base / "inbox"),
            outbox=path("EDIGW_OUTBOX", base / "outbox"),
            json_folder=None if json_url else path("EDIGW_JSON_FOLDER", home / "documents"),
            json_url=json_url,
            test_json_folder=path("EDIGW_TEST_JSON_FOLDER", home / "documents-test")
            if env.get("EDIGW_TEST_JSON_FOLDER")
            else None,
            max_bytes=int(env.get("EDIGW_MAX_BYTES", 50 * 1024 * 1024)),
            retention_days=int(retention) if retention else None,
        )
