"""Secrets: checking that a profile's secret references can be read, and reading them.

A profile never holds a secret (``profile.py`` refuses one written inline). Each entry of its
``[secrets]`` table says where the value is: ``{ env = "VAR" }`` (an environment variable) or
``{ file = "path" }`` (a file readable by its owner alone: mode 0600 or stricter; a relative
path is taken from the partner's folder). Values are read only when they are used, and never
appear in a message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from .profile import PartnersError, Problem, SecretRef, key_lines, line_of


class SecretError(PartnersError):
    """A secret reference cannot be read: unset variable, missing file, or a file others can read."""


def secret_path(ref: SecretRef, folder: Path) -> Path:
    """The file a ``{ file = ... }`` reference names, relative paths taken from the partner folder."""
    assert ref.file is not None
    path = Path(ref.file).expanduser()
    return path if path.is_absolute() else folder / path


def _file_issue(path: Path) -> tuple[str, str] | None:
    """Why the file cannot hold a secret, and the fix; None when it can."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return f"the file {path} does not exist", "create it (mode 0600) or correct the path"
    except OSError as exc:
        return f"the file {path} cannot be read ({exc.strerror})", "check the path and its permissions"
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a file", "point the reference at the file that holds the secret"
    if st.st_mode & 0o077:
        mode = stat.S_IMODE(st.st_mode)
        return (
            f"the file {path} has mode {mode:04o}, so others than its owner can read it",
            f"run chmod 600 {path}",
        )
    return None


def check_secret(
    name: str,
    ref: SecretRef,
    *,
    folder: Path,
    file: str,
    line: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Whether one reference can be read: a file must exist with mode 0600 or stricter (else an error);
    an unset environment variable is a warning (it may be set where the gateway runs)."""
    key = f"secrets.{name}"
    if ref.env is not None:
        env = os.environ if environ is None else environ
        if ref.env not in env:
            return [
                Problem(
                    "secret.env_unset",
                    file,
                    f"{key} reads the environment variable {ref.env}, which is not set here",
                    f"set {ref.env} where the gateway runs (export {ref.env}=...)",
                    line,
                    key,
                    "warning",
                )
            ]
        return []
    issue = _file_issue(secret_path(ref, folder))
    if issue is None:
        return []
    code = "secret.file_mode" if "mode" in issue[0] else "secret.file_missing"
    return [Problem(code, file, f"{key}: {issue[0]}", issue[1], line, key)]


def check_secrets(
    secrets: Mapping[str, SecretRef],
    *,
    folder: Path,
    profile_file: Path,
    environ: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every reference of a profile's ``[secrets]``, checked; lines found in ``profile_file``."""
    try:
        lines = key_lines(profile_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    problems: list[Problem] = []
    for name, ref in secrets.items():
        line = line_of(lines, ("secrets", name))
        problems += check_secret(name, ref, folder=folder, file=str(profile_file), line=line, environ=environ)
    return problems


def read_secret(ref: SecretRef, *, folder: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """The secret's value. Raises :class:`SecretError` (never holding the value) when it cannot be read."""
    if ref.env is not None:
        env = os.environ if environ is None else environ
        value = env.get(ref.env)
        if value is None:
            raise SecretError(f"the environment variable {ref.env} is not set; set it where the gateway runs")
        return value.encode("utf-8")
    path = secret_path(ref, folder)
    issue = _file_issue(path)
    if issue is not None:
        raise SecretError(f"{issue[0]}; {issue[1]}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SecretError(f"cannot read {path} ({exc.strerror}); check its permissions") from exc
