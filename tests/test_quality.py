"""The project's own checks run with the tests: ruff everywhere, mypy (strict on gateway/edi)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


def test_ruff() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    proc = subprocess.run(["ruff", "check", "gateway", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_public_modules_have_docstrings() -> None:
    import ast

    missing = []
    for path in (ROOT / "gateway").rglob("*.py"):
        tree = ast.parse(path.read_text())
        if not ast.get_docstring(tree):
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_syntax_layer_is_pure() -> None:
    """gateway/edi imports no I/O, network, database or clock modules (only source.py reads a stream)."""
    import ast

    banned = {"socket", "sqlite3", "sqlalchemy", "httpx", "requests", "time", "os", "subprocess"}
    offenders = []
    for path in (ROOT / "gateway" / "edi").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            offenders += [f"{path.name}: {n}" for n in names if n in banned]
            if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today"):
                offenders.append(f"{path.name}: reads the clock")
    assert offenders == []
