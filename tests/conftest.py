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
