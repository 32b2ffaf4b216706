"""``edigw partners``: add, list, show and check trading partners (one folder each under ``partners/``).

Exit status of every command: 0 when all is well, 1 when problems were found in the partners'
files, 2 for usage errors (a wrong name, a missing folder, a partner that already exists).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..partners import Partner, Problem, Registry

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

FIRST_MAP = {"x12": "x12/850/004010", "edifact": "edifact/ORDERS/D96A"}


class PartnersUsageError(click.ClickException):
    """A request that cannot be carried out as asked (exit status 2); the message says what to do instead."""

    exit_code = EXIT_USAGE


def _interactive() -> bool:
    """Whether ``partners add`` may ask questions (a person at a terminal)."""
    return sys.stdin.isatty()


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("partners"),
    envvar="EDIGW_PARTNERS",
    show_default=True,
    help="The partners folder (or set EDIGW_PARTNERS).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.group()
def partners() -> None:
    """Trading partners: identifiers, documents and maps, acks, crosswalks, secrets."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _printable(text: str) -> str:
    """Text safe for a terminal (partner files may hold control characters)."""
    from .report import printable as safe

    return safe(text)


def _problem_lines(problems: list[Problem], indent: str = "") -> list[str]:
    return [f"{indent}{'x' if p.is_error else '!'} {_printable(str(p))}" for p in problems]


def _exit(problems: list[Problem]) -> int:
    return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK


def _load(root: Path) -> Registry:
    from ..partners import PartnersError, load_partners

    try:
        return load_partners(root)
    except PartnersError as exc:
        raise PartnersUsageError(str(exc)) from exc


def _require(root: Path, name: str) -> Path:
    """The partner's folder, or a usage error naming those that exist."""
    from ..partners.registry import PROFILE, unknown_partner_message

    if not root.is_dir():
        raise PartnersUsageError(
            f"there is no partners folder at {root}; run edigw partners add NAME to create the first partner, "
            "or pass --root (or set EDIGW_PARTNERS)"
        )
    if name.startswith(("_", ".")) or not (root / name / PROFILE).is_file():
        raise PartnersUsageError(unknown_partner_message(root, name))
    return root / name


def _ids_text(partner: Partner) -> str:
    return ", ".join(str(i) for i in partner.ids)


def _documents_text(partner: Partner) -> str:
    docs = partner.profile.documents
    parts = []
    if docs.inbound:
        parts.append("in " + " ".join(docs.inbound))
    if docs.outbound:
        parts.append("out " + " ".join(docs.outbound))
    return "; ".join(parts) or "-"


def _partner_dict(partner: Partner) -> dict[str, Any]:
    p = partner.profile
    return {
        "name": partner.name,
        "display_name": partner.display_name,
        "folder": str(partner.folder),
        "usage": p.partner.usage,
        "odoo_vendor_ref": p.partner.odoo_vendor_ref,
        "ids": [i.model_dump() for i in p.ids],
        "documents": p.documents.model_dump(),
        "acks": p.acks.model_dump(),
        "transport": p.transport.model_dump(),
        "secrets": {name: str(ref) for name, ref in p.secrets.items()},
        "crosswalks": dict(partner.crosswalks.counts),
    }


# --- add --------------------------------------------------------------------------------------


def _validated(standard: str, field: str) -> Callable[[str], str]:
    """A prompt's value check: asks again, saying why, until the value fits the envelope."""
    from ..partners.profile import check_identifier

    def check(value: str) -> str:
        probe = {"qualifier": "ZZ" if standard == "x12" else "", "id": "X", "gs_id": ""}
        probe[field] = value
        for bad_field, message in check_identifier(standard, probe["qualifier"], probe["id"], probe["gs_id"]):
            if bad_field == field:
                raise click.UsageError(message)
        return value.strip()

    return check


@partners.command()
@click.argument("name")
@click.option("--display-name", help="The partner's name for people (default: NAME).")
@click.option("--standard", type=click.Choice(["x12", "edifact"]), help="What the partner sends.  [default: x12]")
@click.option("--qualifier", help="ISA05 qualifier, or UNB 0007 (optional for EDIFACT).  [default: ZZ for X12]")
@click.option("--id", "id_", metavar="ID", help="The partner's ISA06, or its UNB sender id.")
@click.option("--gs-id", default="", help="X12 GS02, when it differs from the ISA06.")
@click.option(
    "--ack",
    type=click.Choice(["997", "999", "none"]),
    help="How we answer its X12 groups.  [default: 997; none for EDIFACT]",
)
@click.option("--usage", type=click.Choice(["test", "production"]), help="Test until cut-over.  [default: test]")
@click.option("--no-input", is_flag=True, help="Never ask: take flags and defaults (for scripts).")
@root_option
@json_option
def add(
    name: str,
    display_name: str | None,
    standard: str | None,
    qualifier: str | None,
    id_: str | None,
    gs_id: str,
    ack: str | None,
    usage: str | None,
    no_input: bool,
    root: Path,
    as_json: bool,
) -> None:
    """Create partner NAME: a commented partner.toml and empty crosswalks, then say what comes next.

    On a terminal it asks for whatever the flags leave out; with --no-input (or --json, or
    no terminal) the flags and defaults are used, and --id is required.
    """
    from ..partners import NewPartner, PartnersError, create_partner
    from ..partners.profile import name_issue
    from ..partners.registry import PROFILE, SELF

    if (issue := name_issue(name)) is not None:
        raise PartnersUsageError(issue)
    if (root / name / PROFILE).exists():
        raise PartnersUsageError(
            f"partner {name} already exists ({root / name / PROFILE}); edit that file, "
            f"then run edigw partners check {name}"
        )
    ask = _interactive() and not no_input and not as_json
    if ask:
        display_name = display_name or click.prompt("Display name", default=name)
        standard = standard or click.prompt(
            "Standard", type=click.Choice(["x12", "edifact"]), default="x12", show_choices=True
        )
        assert standard is not None
        if qualifier is None:
            default_q = "ZZ" if standard == "x12" else ""
            qualifier = click.prompt(
                "Qualifier (ISA05)" if standard == "x12" else "Qualifier (UNB 0007, may be empty)",
                default=default_q,
                show_default=bool(default_q),
                value_proc=_validated(standard, "qualifier"),
            )
        if id_ is None:
            id_ = click.prompt(
                "Their id (ISA06)" if standard == "x12" else "Their id (UNB sender)",
                value_proc=_validated(standard, "id"),
            )
        ack = ack or click.prompt(
            "Functional ack",
            type=click.Choice(["997", "999", "none"]),
            default="997" if standard == "x12" else "none",
        )
        usage = usage or click.prompt("Usage", type=click.Choice(["test", "production"]), default="test")
    standard = standard or "x12"
    if ack is None:
        ack = "997" if standard == "x12" else "none"
    if id_ is None:
        raise PartnersUsageError(
            "missing --id (the partner's ISA06, or its UNB sender id); pass it, or run without --no-input "
            "on a terminal to be asked"
        )
    new = NewPartner(
        name=name,
        display_name=(display_name or name).strip(),
        standard="edifact" if standard == "edifact" else "x12",
        qualifier=(qualifier if qualifier is not None else ("ZZ" if standard == "x12" else "")).strip(),
        id=id_.strip(),
        gs_id=gs_id.strip(),
        functional="999" if ack == "999" else "none" if ack == "none" else "997",
        usage="production" if usage == "production" else "test",
    )
    issues = new.issues()
    if issues:
        raise PartnersUsageError("\n".join(f"--{field.replace('_', '-')}: {message}" for field, message in issues))
    try:
        written = create_partner(root, new)
    except PartnersError as exc:
        raise PartnersUsageError(str(exc)) from exc
    next_steps = [
        f"edigw maps new --partner {name} --from {FIRST_MAP[new.standard]}",
        f"edigw partners check {name}",
    ]
    notes = [f"fill the crosswalks in {root / name / 'crosswalks'} (items, units of measure, parties)"]
    if not (root / SELF).is_file():
        notes.append(f"create {root / SELF} with our own identifiers ([[ids]] standard, qualifier, id)")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "partner": name,
                    "folder": str(root / name),
                    "files": [str(p) for p in written],
                    "next_steps": next_steps,
                    "notes": notes,
                },
                indent=2,
            )
        )
        return
    lines = [f"Created partner {name} in {root / name}:"]
    lines += [f"  {p}" for p in written]
    lines += ["Next steps:"]
    lines += [
        f"  1. write a map for each document {name} sends: {next_steps[0]}",
        *(f"  {n}. {note}" for n, note in enumerate(notes, start=2)),
        f"  {len(notes) + 2}. check the partner: {next_steps[1]}",
    ]
    click.echo("\n".join(lines))


# --- list -------------------------------------------------------------------------------------


@partners.command("list")
@root_option
@json_option
def list_(root: Path, as_json: bool) -> None:
    """List the partners: name, display name, ids, usage and documents."""
    registry = _load(root)
    problems = registry.problems
    code = _exit(problems)
    names = sorted([*registry.partners, *registry.broken])
    if as_json:
        entries: list[dict[str, Any]] = []
        for name in names:
            partner = registry.get(name)
            errors = any(p.is_error for p in registry.problems_for(name))
            if partner is None:
                entries.append({"name": name, "status": "invalid"})
                continue
            d = _partner_dict(partner)
            entries.append(
                {
                    "name": name,
                    "display_name": d["display_name"],
                    "usage": d["usage"],
                    "ids": d["ids"],
                    "documents": d["documents"],
                    "status": "problems" if errors else "ok",
                }
            )
        out = {"root": str(root), "partners": entries, "problems": [p.to_dict() for p in problems], "exit_code": code}
        click.echo(json.dumps(out, indent=2))
        sys.exit(code)
    if not names:
        click.echo(f"No partners in {root} yet; add one with edigw partners add NAME")
    else:
        rows = [("NAME", "DISPLAY NAME", "IDS", "USAGE", "DOCUMENTS")]
        for name in names:
            partner = registry.get(name)
            if partner is None:
                rows.append((name, "(profile in error)", "-", "-", "-"))
            else:
                rows.append(
                    (
                        name,
                        partner.display_name,
                        _ids_text(partner),
                        partner.profile.partner.usage,
                        _documents_text(partner),
                    )
                )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            click.echo(_printable("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()))
    lines = _problem_lines(registry.problems_for(""))
    for name in names:
        found = registry.problems_for(name)
        n_errors = sum(1 for p in found if p.is_error)
        if n_errors:
            lines.append(f"x {name}: {_plural(n_errors, 'error')}; see edigw partners check {name}")
        elif found:
            lines.append(f"! {name}: {_plural(len(found), 'warning')}; see edigw partners check {name}")
    if lines:
        click.echo("\n".join(lines))
    sys.exit(code)


# --- show -------------------------------------------------------------------------------------


@partners.command()
@click.argument("name")
@root_option
@json_option
def show(name: str, root: Path, as_json: bool) -> None:
    """Show everything about partner NAME (secrets only as where they are read from)."""
    from ..partners import load_partner

    folder = _require(root, name)
    partner, problems = load_partner(folder)
    code = _exit(problems)
    if as_json:
        out = {
            "partner": _partner_dict(partner) if partner is not None else None,
            "problems": [p.to_dict() for p in problems],
            "exit_code": code,
        }
        click.echo(json.dumps(out, indent=2))
        sys.exit(code)
    if partner is None:
        lines = [f"{name}: the profile is in error, so there is nothing to show yet."]
        lines += _problem_lines(problems, "  ")
        lines.append(f"Fix them, then run edigw partners show {name} again.")
        click.echo("\n".join(lines))
        sys.exit(code)
    p = partner.profile
    d = _partner_dict(partner)

    def docs(direction: str) -> list[str]:
        table: dict[str, str] = d["documents"][direction]
        return [f"{set_id} -> {ref}" if ref else f"{set_id} (built by the gateway)" for set_id, ref in table.items()]

    fields: list[tuple[str, list[str]]] = [
        ("folder", [str(partner.folder)]),
        ("usage", [p.partner.usage]),
        ("odoo vendor", [p.partner.odoo_vendor_ref or "(not set)"]),
        ("ids", [f"{i}" + (f" (GS {i.gs_id})" if i.gs_id else "") for i in p.ids]),
        ("inbound", docs("inbound") or ["none"]),
        ("outbound", docs("outbound") or ["none"]),
        (
            "acks",
            [
                f"functional {p.acks.functional}, TA1 {p.acks.ta1}, CONTRL {p.acks.contrl}, "
                f"expected within {p.acks.expect_within_hours} h"
            ],
        ),
        ("transport", [p.transport.kind]),
        ("secrets", [f"{k} = {v}" for k, v in d["secrets"].items()] or ["none"]),
        ("crosswalks", [", ".join(f"{k} {v}" for k, v in d["crosswalks"].items())]),
    ]
    lines = [f"{partner.name}: {partner.display_name}"]
    for label, values in fields:
        for n, value in enumerate(values):
            lines.append(f"  {(label + ':') if n == 0 else '':<13}{value}")
    lines += _problem_lines(problems, "  ")
    click.echo("\n".join(_printable(line) for line in lines))
    sys.exit(code)


# --- check ------------------------------------------------------------------------------------


@partners.command()
@click.argument("name")
@root_option
@click.option(
    "--maps",
    "maps_root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="EDIGW_MAPS",
    help="The maps folder (or set EDIGW_MAPS).  [default: maps beside the partners folder]",
)
@json_option
def check(name: str, root: Path, maps_root: Path | None, as_json: bool) -> None:
    """Check partner NAME: profile, crosswalks, secrets, map references, maps and certificates."""
    from ..partners import PartnersError, check_partner

    _require(root, name)
    try:
        report = check_partner(root, name, maps_root=maps_root)
    except PartnersError as exc:
        raise PartnersUsageError(str(exc)) from exc
    code = _exit(report.problems)
    if as_json:
        click.echo(json.dumps({**report.to_dict(), "exit_code": code}, indent=2))
        sys.exit(code)
    lines = [f"Checking partner {name} ({report.folder})"]
    lines += [f"  {label + ':':<14}{_printable(value)}" for label, value in report.facts.items()]
    lines += _problem_lines(report.problems)
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        lines.append(
            f"{name}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}; "
            f"fix them and run edigw partners check {name} again"
        )
    elif warnings:
        lines.append(f"{name}: no errors, {_plural(warnings, 'warning')}")
    else:
        lines.append(f"{name}: no problems found")
    click.echo("\n".join(lines))
    sys.exit(code)
