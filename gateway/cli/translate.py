"""``edigw translate``: EDI in, documents out; or, with ``--outbound``, a document out as a partner's EDI.

* ``edigw translate FILE``: find the partner from the envelope, translate, print the documents.
* ``edigw translate --outbound DOC.json --partner NAME --set 850``: write a canonical document
  with the partner's outbound map, in an envelope from our ids to the partner's, with the
  delimiters (and EDIFACT decimal mark) of the profile's ``[envelope]``, or edigw's defaults
  without one; validate it against our schema and print it.

Exit codes: 0 ok, 1 problems (a translation with findings, or EDI written but not valid),
2 usage (what to give is missing or wrong).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..edi.delimiters import EdifactDelimiters, X12Delimiters

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageProblem(click.ClickException):
    """What the command was given cannot be used; the message says what to give instead."""

    exit_code = EXIT_USAGE


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
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--partner", help="The partner; found from the envelope when not given.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--root", "partners_root", type=click.Path(file_okay=False), help="Partners folder [partners].")
@click.option("--maps", "maps_root", type=click.Path(file_okay=False), help="Maps folder [maps].")
@click.option(
    "--outbound",
    "outbound",
    type=click.Path(dir_okay=False),
    help="A canonical document (JSON) to write as EDI for --partner, instead of reading FILE.",
)
@click.option("--set", "set_id", help="With --outbound: the set to write (850, 855, ORDERS ...).")
def translate(
    file: str | None,
    partner: str | None,
    as_json: bool,
    partners_root: str | None,
    maps_root: str | None,
    outbound: str | None,
    set_id: str | None,
) -> None:
    """Translate FILE into canonical documents and print them (JSON with --json).

    With --outbound DOC.json --partner NAME --set SET, write the document as the EDI the partner
    receives, validate it, and print it.
    """
    if outbound is not None:
        if file:
            raise UsageProblem("give FILE to read EDI, or --outbound DOC.json to write it, not both")
        sys.exit(_outbound(Path(outbound), partner, set_id, as_json, partners_root, maps_root))
    if not file:
        raise UsageProblem("give the EDI FILE to translate (or --outbound DOC.json --partner NAME --set SET)")
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


def _outbound(
    doc_path: Path,
    name: str | None,
    set_id: str | None,
    as_json: bool,
    partners_root: str | None,
    maps_root: str | None,
) -> int:
    from pydantic import ValidationError

    from ..documents import DOCUMENT_TYPES
    from ..edi.envelopes import Address
    from ..mapping.maps import MapError, load_map
    from ..mapping.service import Envelope, default_delimiters, render_interchange
    from ..partners import load_partners
    from .maps import roots

    if not name or not set_id:
        raise UsageProblem("--outbound needs --partner NAME and --set SET (the set the partner receives, e.g. 850)")
    partners, maps_dir = roots(partners_root, maps_root)
    registry = load_partners(partners)
    found = registry.get(name)
    if found is None:
        raise UsageProblem(f"no partner '{name}' in {partners}/ (see `edigw partners list`)")
    ref = found.profile.map_ref("outbound", set_id)
    if ref is None:
        raise UsageProblem(
            f"{name} receives no {set_id}: add it to [documents] outbound in {found.profile_file} "
            f'(e.g. "{set_id}" = "base:x12/{set_id}/004010")'
        )
    map_path = ref.location(found.folder, maps_dir)
    if map_path is None:
        raise UsageProblem(f"{set_id} is built by the gateway (an acknowledgement), not written from a document")
    try:
        m = load_map(map_path, maps_dir)
    except MapError as exc:
        raise UsageProblem(f"{exc} (check it with `edigw partners check {name}`)") from exc
    cls = DOCUMENT_TYPES[m.document]
    try:
        document = cls.model_validate_json(doc_path.read_bytes())
    except OSError as exc:
        raise UsageProblem(f"cannot read {doc_path}: {exc.strerror}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(document)'}: {e['msg']}" for e in exc.errors())
        raise UsageProblem(
            f"{doc_path} is not a {m.document} ({problems}); fix the JSON "
            f"(its schema is schemas/documents/{m.document}.schema.json)"
        ) from exc
    theirs = next((i for i in found.ids if i.standard == m.standard), None)
    ours = next((i for i in registry.us.ids if i.standard == m.standard), None)
    if theirs is None or ours is None:
        where = found.profile_file if theirs is None else partners / "_self.toml"
        raise UsageProblem(
            f'no {m.standard} identifier to address it with: add an [[ids]] with standard = "{m.standard}" to {where}'
        )
    # the profile says how we write to the partner; its samples only hint when it does not
    stated = found.profile.outbound_delimiters(m.standard)
    if stated is not None:
        delimiters, shown_by, hint = stated, f"{found.profile_file} [envelope]", ""
    else:
        delimiters, shown_by = default_delimiters(m.standard), f"the defaults: {found.profile_file} has no [envelope]"
        hint = _samples_hint(found.folder / "samples", m.standard, delimiters, found.profile_file)
    envelope = Envelope(
        Address(ours.qualifier, ours.id, ours.gs_id),
        Address(theirs.qualifier, theirs.id, theirs.gs_id),
        delimiters,
        una=found.profile.sends_una(),
    )
    data = render_interchange(document, m, envelope, now=datetime.now(UTC))
    summary = validate_summary(data)
    valid = summary["rejected"] == 0 and summary["accepted"] > 0
    code = EXIT_OK if valid else EXIT_PROBLEMS
    text = data.decode("latin-1")
    if as_json:
        report = {
            "partner": name,
            "set": set_id,
            "map": str(map_path),
            "document": str(doc_path),
            "delimiters_from": shown_by,
            "delimiters_hint": hint or None,
            "valid": valid,
            "findings": summary["findings"],
            "edi": text,
            "exit_code": code,
        }
        click.echo(json.dumps(report, indent=2, default=str))
        return code
    click.echo(text, nl=not text.endswith("\n"))
    click.echo(f"{set_id} for {name} with {map_path} (delimiters from {shown_by})", err=True)
    if hint:
        click.echo(hint, err=True)
    if valid:
        click.echo(
            "valid against our schema; control numbers are a preview (the outbound queue allocates them)", err=True
        )
    else:
        for f in summary["findings"]:
            click.echo(f"  x {f['message']}  [{f['code']}]", err=True)
        click.echo(f"written but NOT valid: complete {doc_path} (or fix the map {map_path}) and run again", err=True)
    return code


def _samples_hint(samples: Path, standard: str, used: X12Delimiters | EdifactDelimiters, profile_file: Path) -> str:
    """A warning when the partner's samples show delimiters other than the defaults written."""
    from ..mapping.service import delimiters_of

    for sample in sorted(samples.glob("*.edi")):
        seen = delimiters_of(sample.read_bytes(), standard)
        if seen is None:
            continue
        if _shown(seen) != _shown(used):
            return (
                f"  ! {sample} uses other delimiters ({_shown(seen)}): "
                f"if the partner expects them, state them in [envelope] in {profile_file}"
            )
        return ""
    return ""


def _shown(d: X12Delimiters | EdifactDelimiters) -> str:
    from ..edi import delimiters

    if isinstance(d, delimiters.EdifactDelimiters):
        return d.una()
    return f"element {d.element!r}, component {d.component!r}, segment {d.segment!r}"
