"""``edigw translate FILE``: find the partner from the envelope, translate, print the documents."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def validate_summary(data: bytes) -> dict[str, Any]:
    """Syntax verdict of a file: how many transactions were accepted and rejected, with the rejects' findings."""
    from ..edi.check import Counter, check
    from ..edi.results import Status

    accepted, rejected, findings = 0, 0, []
    for checked in check(data, numbers=Counter(), now=datetime.now(UTC)):
        for f in checked.result.findings:
            if f.is_error:
                findings.append(f.to_dict())
        for t in checked.result.transactions:
            if t.status is Status.ACCEPTED:
                accepted += 1
            elif t.status is Status.REJECTED:
                rejected += 1
                findings += [f.to_dict() for f in t.findings if f.is_error]
        if checked.result.status is Status.REJECTED and not checked.result.transactions:
            rejected += 1
    return {"accepted": accepted, "rejected": rejected, "findings": findings}


def checker_for(partners: Path, name: str) -> tuple[Any, dict[str, str]]:
    """The crosswalk checker and the maps the profile names for partner ``name`` (both empty when unknown)."""
    try:
        from ..partners.rules import crosswalk_checker
    except ImportError:  # the partner layer is optional for translating with base maps
        return None, {}
    checker, named = crosswalk_checker(partners, name)
    return checker, dict(named)


def render_outcome(entry: dict[str, Any]) -> str:
    lines = [entry["file"]]
    syntax = entry.get("syntax")
    if syntax:
        lines.append(f"  syntax: {syntax['accepted']} accepted, {syntax['rejected']} rejected")
        for f in syntax["findings"]:
            lines.append(f"    x {f['message']}  [{f['code']}]")
    for t in entry["transactions"]:
        head = f"  {t['set']} {t['control_number']} ({t['version']})"
        lines.append(head + (f"  map: {t['map']}" if t["map"] else ""))
        if t["document"] is not None:
            for text in json.dumps(t["document"], indent=2).splitlines():
                lines.append("    " + text)
        for f in t["findings"]:
            mark = "x" if f["severity"] == "error" else "!"
            lines.append(f"    {mark} {f['message']}  [{f['code']}]")
        if t["unused"]:
            lines.append(f"    unused input ({len(t['unused'])}): elements present that no rule read")
            for u in t["unused"][:40]:
                lines.append(f"      segment {u['segment_index']} {u['element']} = {u['value']!r}")
            if len(t["unused"]) > 40:
                lines.append(f"      ... and {len(t['unused']) - 40} more (use --json)")
        gold = t.get("golden")
        if gold:
            lines.append(f"    golden {gold['file']}: {gold['status']}")
            if gold.get("diff"):
                lines += ["      " + d for d in gold["diff"].splitlines()]
    return "\n".join(lines)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--partner", help="The partner; found from the envelope when not given.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--root", "partners_root", type=click.Path(file_okay=False), help="Partners folder [partners].")
@click.option("--maps", "maps_root", type=click.Path(file_okay=False), help="Maps folder [maps].")
def translate(file: str, partner: str | None, as_json: bool, partners_root: str | None, maps_root: str | None) -> None:
    """Translate FILE into canonical documents and print them (JSON with --json)."""
    from ..mapping.service import translate_file
    from .maps import roots

    partners, maps_dir = roots(partners_root, maps_root)
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc
    name = partner or _partner_from_envelope(partners, data)
    folder = partners / name if name else None
    if name and (folder is None or not folder.is_dir()):
        raise click.ClickException(f"no partner '{name}' in {partners}/ (see `edigw partners list`)")
    checker, named = checker_for(partners, name) if name else (None, {})
    entry: dict[str, Any] = {"file": str(path), "partner": name or None, "transactions": []}
    worst = EXIT_OK
    for outcome in translate_file(
        data, maps_root=maps_dir, partner=name or "", partner_dir=folder, named_maps=named, checker=checker
    ):
        entry["transactions"].append(outcome.to_dict())
        if not outcome.ok:
            worst = EXIT_PROBLEMS
    if not entry["transactions"]:
        entry["note"] = "no transaction with a schema and a map was found"
        worst = EXIT_PROBLEMS
    if as_json:
        click.echo(json.dumps({**entry, "exit_code": worst}, indent=2, default=str))
    else:
        if not name:
            click.echo("partner: none matched the envelope; base maps used (pass --partner NAME)")
        else:
            click.echo(f"partner: {name}")
        click.echo(render_outcome(entry))
    sys.exit(worst)


def _partner_from_envelope(partners: Path, data: bytes) -> str:
    try:
        from ..partners import load_partners
    except ImportError:
        return ""
    from ..edi.transactions import iter_transactions

    try:
        registry = load_partners(partners)
    except Exception:  # a broken profile elsewhere must not stop a translation: `partners check` reports it
        return ""
    for tx in iter_transactions(data):
        # what a partner sends names it as the sender; what we send to it, as the receiver
        for qualifier, ident in (tx.sender, tx.receiver):
            found = registry.find_by_envelope(tx.standard, qualifier, ident)
            if found is not None:
                return str(found.name)
    return ""
