"""``edigw archive search|show|verify|prune``: find what came and went, tell one story, prove nothing changed."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

EXIT_OK, EXIT_FOUND_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _gateway() -> Any:
    from ..pipeline import Settings, build
    from ..store import StoreError

    try:
        return build(Settings.from_env()), Settings.from_env()
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD or an ISO time)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@click.group()
def archive() -> None:
    """Search the archive, show one interchange's whole story, verify the audit chain."""


@archive.command()
@click.option("--partner")
@click.option("--direction", type=click.Choice(["in", "out"]))
@click.option("--since", help="From this date or time (UTC unless it says otherwise).")
@click.option("--until", help="Before this date or time.")
@click.option("--set", "set_id", help="Transaction set or message: 850, 810, INVOIC, 997...")
@click.option("--control", help="An interchange, group or transaction control number.")
@click.option("--number", "business_number", help="A business number: PO, ASN or invoice number.")
@click.option("--status", help="accepted, rejected, duplicate, posted, review, held...")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
def search(
    partner: str | None,
    direction: str | None,
    since: str | None,
    until: str | None,
    set_id: str | None,
    control: str | None,
    business_number: str | None,
    status: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find interchanges, newest first. Exit status 1 when nothing matches."""
    from ..pipeline.history import Query
    from ..pipeline.history import search as find

    gw, _settings = _gateway()
    hits = find(
        gw.store,
        Query(partner, direction, _when(since), _when(until), set_id, control, business_number, status, limit),
    )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": h.interchange.id,
                        "direction": h.interchange.direction,
                        "partner": h.interchange.partner,
                        "at": h.interchange.created_at.isoformat(),
                        "standard": h.interchange.standard,
                        "control_number": h.interchange.control_number,
                        "kind": h.interchange.kind,
                        "status": h.interchange.status,
                        "file": h.interchange.file_name,
                        "documents": [
                            {
                                "set": t.set_id,
                                "control_number": t.control_number,
                                "number": t.business_number,
                                "status": t.status,
                            }
                            for t in h.transactions
                        ],
                    }
                    for h in hits
                ],
                indent=2,
            )
        )
    elif not hits:
        click.echo("Nothing matches. Widen the search (fewer options), or check `edigw archive search` alone.")
    else:
        for h in hits:
            ic = h.interchange
            what = ", ".join(f"{t.set_id} {t.business_number or t.control_number} {t.status}" for t in h.transactions)
            click.echo(
                f"{ic.id:>6}  {ic.created_at:%Y-%m-%d %H:%M}  {ic.direction:<3}  {ic.partner or '?':<14} "
                f"{ic.kind or ic.standard:<7} {ic.control_number:<12} {ic.status:<18} {what or ic.file_name}"
            )
        click.echo(f"\n{len(hits)} found. `edigw archive show ID` tells the whole story of one.")
    sys.exit(EXIT_OK if hits else EXIT_FOUND_PROBLEMS)


@archive.command()
@click.argument("interchange_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-payload", is_flag=True, help="Leave out the raw payload.")
def show(interchange_id: int, as_json: bool, no_payload: bool) -> None:
    """The whole story of one interchange: raw payload, findings, documents, acks, and the timeline."""
    from ..pipeline.history import story
    from .report import printable

    gw, _settings = _gateway()
    st = story(gw.store, gw.archive, interchange_id)
    if st is None:
        click.echo(f"error: no interchange {interchange_id}: find one with `edigw archive search`", err=True)
        sys.exit(EXIT_USAGE)
    ic = st.interchange
    text = None
    if st.payload is not None:
        text = "\n".join(printable(line) for line in st.payload.decode("utf-8", "replace").splitlines())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "id": ic.id,
                    "direction": ic.direction,
                    "partner": ic.partner,
                    "transport": ic.transport,
                    "file": ic.file_name,
                    "standard": ic.standard,
                    "sender": f"{ic.sender_qualifier}:{ic.sender}",
                    "receiver": f"{ic.receiver_qualifier}:{ic.receiver}",
                    "control_number": ic.control_number,
                    "usage": ic.usage,
                    "status": ic.status,
                    "sha256": ic.sha256,
                    "payload": None if no_payload else text,
                    "payload_problem": st.payload_problem,
                    "documents": [
                        {
                            "id": t.id,
                            "set": t.set_id,
                            "control_number": t.control_number,
                            "type": t.doc_type,
                            "number": t.business_number,
                            "status": t.status,
                            "erp": t.erp_refs,
                            "document": t.document,
                        }
                        for t in st.transactions
                    ],
                    "findings": [
                        {
                            "stage": f.stage,
                            "code": f.code,
                            "severity": f.severity,
                            "message": f.message,
                            "transaction": f.transaction_id,
                            "where": f.location,
                        }
                        for f in st.findings
                    ],
                    "acks": [
                        {"id": a.id, "direction": a.direction, "kind": a.kind, "status": a.status, "file": a.reference}
                        for a in st.acks
                    ],
                    "timeline": [
                        {
                            "at": e.at.isoformat(),
                            "actor": e.actor,
                            "entity": e.entity,
                            "action": e.action,
                            "detail": e.detail,
                        }
                        for e in st.events
                    ],
                },
                indent=2,
                default=str,
            )
        )
        return
    click.echo(f"Interchange {ic.id} ({'received' if ic.direction == 'in' else 'sent'}) — {ic.status}")
    click.echo(f"  partner   {ic.partner or '? (unknown sender)'}    transport {ic.transport}    file {ic.file_name}")
    click.echo(
        f"  envelope  {ic.standard or '?'} {ic.sender_qualifier}:{ic.sender} → {ic.receiver_qualifier}:{ic.receiver}"
        f"  control {ic.control_number or '?'}  usage {ic.usage or '?'}"
    )
    click.echo(f"  archive   sha256 {ic.sha256}  ({ic.size} bytes)")
    if st.subject is not None:
        click.echo(f"  answers   interchange {st.subject.id} ({st.subject.file_name})")
    if st.transactions:
        click.echo("\nDocuments")
        for t in st.transactions:
            where = ", ".join(map(str, t.erp_refs or []))
            click.echo(
                f"  #{t.id} {t.set_id} {t.control_number}  {t.doc_type or '-'} {t.business_number or ''}  {t.status}"
                + (f"  → {where}" if where else "")
            )
    if st.acks:
        click.echo("\nAcks")
        for a in st.acks:
            if a.direction == "out":
                click.echo(f"  {a.kind} {a.control_number}  {a.status}  {a.reference}")
            else:
                click.echo(f"  received {a.kind or a.standard} in interchange {a.id}  {a.status}  {a.file_name}")
    if st.findings:
        click.echo("\nFindings")
        for f in st.findings:
            where = (f.location or {}).get("element_ref") or (f.location or {}).get("segment_tag") or ""
            txn = f" (document #{f.transaction_id})" if f.transaction_id else ""
            click.echo(f"  [{f.severity}] {f.code}{txn} {where}: {f.message}")
            for line in _figures(f.location):
                click.echo(f"      {line}")
    click.echo("\nTimeline")
    for e in st.events:
        detail = _brief(e.action, e.detail)
        click.echo(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.entity:<16} {e.action:<12} {detail}  ({e.actor})")
    if not no_payload:
        click.echo("\nPayload")
        if text is None:
            click.echo(f"  {st.payload_problem}")
        else:
            click.echo(text.rstrip("\n"))


def _figures(location: dict[str, Any] | None) -> list[str]:
    """A finding's figures (PO, receipt, invoice ...) side by side, one line each: ``po  number P00001, ...``."""
    figures = ((location or {}).get("extra") or {}).get("figures")
    if not isinstance(figures, dict):
        return []
    width = max(len(str(k)) for k in figures)
    lines = []
    for source, values in figures.items():
        shown = (
            ", ".join(f"{k} {v}" for k, v in values.items() if v not in ("", None))
            if isinstance(values, dict)
            else values
        )
        lines.append(f"{source:<{width}}  {shown}")
    return lines


def _brief(action: str, detail: dict[str, Any]) -> str:
    keys = {
        "received": ("name", "size"),
        "processed": ("status", "partner", "control_number", "transactions", "findings"),
        "ack queued": ("kind", "control_number", "file"),
        "ack sent": ("kind", "to"),
        "translated": ("doc_type", "business_number", "purpose"),
        "posted": ("connector", "references", "already"),
        "review": ("findings", "error"),
        "held": ("reason",),
        "resolved": ("was", "note"),
        "duplicate": ("first", "key"),
        "failed": ("error",),
    }.get(action, tuple(detail)[:3])
    parts = []
    for k in keys:
        v = detail.get(k)
        if v in (None, "", [], False):
            continue
        parts.append(f"{k}={', '.join(map(str, v)) if isinstance(v, list) else v}")
    return " ".join(parts)


@archive.command()
@click.option("--json", "as_json", is_flag=True)
def verify(as_json: bool) -> None:
    """Walk the audit chain and re-hash every archived payload; report the first break. Exit 1 on any problem."""
    from ..pipeline.history import verify as check

    gw, _settings = _gateway()
    show_bar = not as_json and sys.stdout.isatty()
    if show_bar:
        with click.progressbar(length=1, label="verifying") as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            result = check(gw.store, gw.archive, progress)
    else:
        result = check(gw.store, gw.archive)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "events": result.events,
                    "payloads": result.payloads,
                    "pruned": result.pruned,
                    "chain_break": result.chain_break,
                    "payload_problems": result.payload_problems,
                },
                indent=2,
            )
        )
    else:
        click.echo(
            f"audit events checked: {result.events}; payloads checked: {result.payloads}"
            + (f"; pruned by retention: {result.pruned}" if result.pruned else "")
        )
        if result.chain_break:
            click.echo(f"BROKEN: {result.chain_break}")
        for p in result.payload_problems:
            click.echo(f"BROKEN: {p}")
        if result.ok:
            click.echo("OK: the audit chain is unbroken and every archived payload matches its hash.")
        else:
            click.echo("Restore the named payloads or database rows from a backup, and find out who changed them.")
    sys.exit(EXIT_OK if result.ok else EXIT_FOUND_PROBLEMS)


@archive.command()
@click.option("--days", type=int, help="Keep payloads this many days [EDIGW_RETENTION_DAYS; unset keeps everything].")
def prune(days: int | None) -> None:
    """Remove archived payloads older than the retention period; records and audit events stay."""
    from ..pipeline.history import prune as remove

    gw, settings = _gateway()
    keep = days if days is not None else settings.retention_days
    if keep is None:
        click.echo("No retention period is set (EDIGW_RETENTION_DAYS or --days): everything is kept.")
        return
    n = remove(gw.store, gw.archive, keep, datetime.now(UTC))
    click.echo(f"removed {n} payload(s) older than {keep} day(s)")
