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
    proc = subprocess.run(
        ["ruff", "check", "gateway", "tests", "benchmarks", "tools"], cwd=ROOT, capture_output=True, text=True
    )
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


def test_schema_data_is_consistent() -> None:
    proc = subprocess.run([sys.executable, "tools/check_schemas.py"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_element_dictionary_is_up_to_date_with_its_generator() -> None:
    proc = subprocess.run(
        [sys.executable, "tools/gen_x12_elements.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_shipped_schema_loads() -> None:
    from gateway.edi.schema import contrl_schema, edifact_schema, x12_schema

    for version in ("004010", "005010"):
        for set_id in ("850", "855", "856", "810", "997"):
            assert x12_schema(set_id, version) is not None, (set_id, version)
    assert x12_schema("999", "005010") is not None
    for directory in ("D96A", "D01B"):
        for message in ("ORDERS", "ORDRSP", "DESADV", "INVOIC"):
            assert edifact_schema(message, directory) is not None, (message, directory)
    assert contrl_schema() is not None


def test_base_maps_are_consistent_with_schemas_and_documents() -> None:
    proc = subprocess.run([sys.executable, "tools/check_maps.py"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
