"""Shared fixtures: the real-world corpus (read in place, never copied), a fixed clock, counters."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def corpus_dir() -> Path:
    return Path(os.environ.get("EDIGW_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_files() -> list[Path]:
    root = corpus_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.edi") if p.is_file())


@pytest.fixture
def corpus() -> Path:
    root = corpus_dir()
    if not root.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the corpus is missing at {root}")
        pytest.skip(f"the shared corpus is not at {root} (set EDIGW_CORPUS to point at it)")
    return root


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 28, 14, 30, tzinfo=UTC)


def postgres_url() -> str | None:
    """The PostgreSQL server for the store tests (``.ci/run`` starts one and sets this)."""
    return os.environ.get("EDIGW_TEST_DATABASE_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """A fresh, empty database: SQLite in ``tmp_path``, and PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'edigw.db'}"
        return
    url = postgres_url()
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but EDIGW_TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL: set EDIGW_TEST_DATABASE_URL (`.ci/postgres` starts one and prints it)")
    from gateway.store.db import scratch_schema

    with scratch_schema(url, "t") as scoped:
        yield scoped
