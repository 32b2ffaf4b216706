"""``edigw validate``: check files and say, for every interchange, group and transaction, what a partner would hear."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _files(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        else:
            out.append(p)
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--acks-dir",
    type=click.Path(file_okay=False, writable=True),
    help="Write every ack interchange the gateway would send here, one file each.",
)
@click.option(
    "--functional-ack",
    type=click.Choice(["997", "999"]),
    default="997",
    show_default=True,
    help="X12 functional acknowledgement to build (999 for implementation-guide partners).",
)
@click.option(
    "--partners",
    "partners_root",
    type=click.Path(file_okay=False),
    help="Partners folder [partners, when it exists]: each sender's ack policy, and our own ids.",
)
def validate(
    paths: tuple[str, ...], as_json: bool, acks_dir: str | None, functional_ack: str, partners_root: str | None
) -> None:
    """Check PATHS (files or folders) and report every interchange, group and transaction.

    With a partners folder, a known sender gets the ack policy of its profile, and an interchange
    not addressed to one of our identifiers (partners/_self.toml) is refused with TA1 009 or CONTRL 7.

    Exit status: 0 when everything is accepted, 1 when anything is rejected, 2 for usage or I/O errors.
    """
    from ..edi.check import AckPolicy, Counter, check
    from .report import render_text, result_to_dict

    numbers = Counter()
    now = datetime.now(UTC)
    policy = AckPolicy(functional=functional_ack)
    directory = _directory(partners_root)
    out_dir = Path(acks_dir) if acks_dir else None
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"cannot create --acks-dir {out_dir}: {exc.strerror}") from exc
    worst = EXIT_OK
    report: list[dict[str, Any]] = []
    for path in _files(paths):
        entry: dict[str, Any] = {"file": str(path), "interchanges": []}
        try:
            with path.open("rb") as fh:
                for checked in check(fh, numbers=numbers, now=now, policy=policy, directory=directory):
                    written = []
                    for n, ack in enumerate(checked.acks, start=1):
                        if out_dir is not None:
                            name = f"{path.stem}.{checked.result.control_number or 'x'}.{n}.{ack.kind}.edi"
                            target = out_dir / name
                            target.write_bytes(ack.payload)
                            written.append({"kind": ack.kind, "file": str(target)})
                        else:
                            written.append({"kind": ack.kind})
                    d = result_to_dict(checked.result)
                    d["acks"] = written
                    entry["interchanges"].append(d)
                    if checked.result.status.value in ("rejected", "partially accepted"):
                        worst = max(worst, EXIT_REJECTED)
        except OSError as exc:
            entry["error"] = f"cannot read: {exc.strerror or exc}"
            worst = EXIT_USAGE
        except Exception as exc:  # never a traceback, on any input: say what happened and go on
            entry["error"] = f"internal error while checking ({type(exc).__name__}: {exc}); please report it"
            worst = EXIT_USAGE
        if not entry["interchanges"] and "error" not in entry:
            entry["error"] = "no EDI found (the file is empty)"
            worst = max(worst, EXIT_REJECTED)
        report.append(entry)
        if not as_json:
            click.echo(render_text(entry, color=sys.stdout.isatty()))
    if as_json:
        click.echo(json.dumps({"files": report, "exit_code": worst}, indent=2))
    sys.exit(worst)


def _directory(partners_root: str | None) -> Any:
    """The partner directory for ``check()``, or None when there is no partners folder to read."""
    from .maps import roots

    root, _maps = roots(partners_root, None)
    if not root.is_dir():
        if partners_root:
            raise click.ClickException(f"no partners folder at {root}")
        return None
    from ..partners import load_partners
    from ..partners.registry import PartnerDirectory

    return PartnerDirectory(load_partners(root))
