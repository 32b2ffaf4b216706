"""``edigw demo``, ``edigw process``, ``edigw worker`` and ``edigw serve``: the pipeline's faces.

Each builds a gateway from the environment (see :mod:`gateway.pipeline.settings`) and calls
one service. ``serve`` runs the folder transport, the workers and the HTTP app (``/healthz``,
``/metrics``); SIGTERM or Ctrl-C stops it gracefully: the jobs in hand finish, the rest stay
queued for the next start.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def demo(as_json: bool) -> None:
    """Run the example partners' files through the whole pipeline, on the embedded defaults.

    Creates ./var (SQLite, archive), drops the examples (and one broken file) into ./inbox,
    runs intake, acks, translation and the JSON connector to completion, and prints where each
    document went and which ack was written to ./outbox. Running it again starts afresh.
    """
    from ..pipeline import Settings
    from ..pipeline.demo import DemoError, prepare, rows, run
    from ..store import StoreError

    settings = Settings.from_env()
    base = Path.cwd()
    try:
        dropped = prepare(settings, base)
        gw = run(settings)
        table = rows(gw, base)
    except (DemoError, StoreError) as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(
            json.dumps({"dropped": [str(p) for p in dropped], "documents": [r.__dict__ for r in table]}, indent=2)
        )
        return
    click.echo(f"Dropped {len(dropped)} files into {settings.inbox}; the pipeline ran them to completion.\n")
    click.echo(
        _table(
            [
                [
                    str(r.interchange),
                    r.partner,
                    r.set_id,
                    r.control,
                    r.business_number,
                    r.status,
                    _short(r.went_to),
                    r.ack,
                ]
                for r in table
            ],
            ["id", "partner", "set", "ISA13/ST02", "number", "status", "went to / why", "ack written"],
        )
    )
    posted = sum(r.status == "posted" for r in table)
    click.echo(f"\n{posted} of {len(table)} documents posted by the JSON connector to {settings.json_folder}.")
    bad = [r for r in table if r.status not in ("posted",)]
    for r in bad:
        click.echo(f"Not posted: {r.file} ({r.set_id} {r.status}): {r.went_to}")
    first = table[0].interchange if table else 1
    explore = [
        ("edigw archive search --partner meridian", "find interchanges and documents"),
        (f"edigw archive show {first}", "the whole story of one interchange"),
        (f"edigw archive show {bad[0].interchange if bad else first}", "why the broken file was rejected"),
        ("edigw archive verify", "check the audit chain and every archived byte"),
    ]
    click.echo("\nExplore:")
    for command, what in explore:
        click.echo(f"  {command:<42} {what}")


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", help="The partner the files come from (a hint; the envelope decides).")
@click.option("--no-wait", is_flag=True, help="Only take the files in; a running worker does the rest.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def process(files: tuple[str, ...], partner: str | None, no_wait: bool, as_json: bool) -> None:
    """Take FILES in (archive, record) and, unless --no-wait, run the pipeline until they are done.

    Exit status: 0 when every document was posted, 1 when anything was rejected, held or sent to
    review (see `edigw archive show ID`), 2 for usage errors.
    """
    import uuid

    from ..pipeline import Settings, build, intake
    from ..pipeline.history import story
    from ..pipeline.run import run_until_idle
    from ..store import ArchiveError, StoreError
    from ..transports import Inbound

    settings = Settings.from_env()
    try:
        gw = build(settings)
        ids = []
        for name in files:
            path = Path(name)
            size = path.stat().st_size
            if size > settings.max_bytes:
                _fail(f"{path} is {size} bytes, over the limit of {settings.max_bytes} (EDIGW_MAX_BYTES)")
            done = intake(gw, Inbound(path.read_bytes(), "cli", uuid.uuid4().hex, path.name, partner))
            ids.append(done.interchange_id)
        if not no_wait:
            run_until_idle(gw)
        stories = [story(gw.store, gw.archive, i) for i in ids]
    except (StoreError, ArchiveError) as exc:
        _fail(str(exc))
        return
    results: list[dict[str, Any]] = []
    worst = EXIT_OK
    for st in stories:
        if st is None:
            continue
        ic = st.interchange
        docs: list[dict[str, Any]] = [
            {
                "set": t.set_id,
                "control_number": t.control_number,
                "business_number": t.business_number,
                "status": t.status,
                "erp": t.erp_refs or [],
            }
            for t in st.transactions
        ]
        if not no_wait and (ic.status in ("rejected", "failed") or any(d["status"] != "posted" for d in docs)):
            worst = EXIT_REJECTED
        results.append(
            {"id": ic.id, "file": ic.file_name, "status": ic.status, "partner": ic.partner, "documents": docs}
        )
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str))
    else:
        for r in results:
            click.echo(f"interchange {r['id']} ({r['file']}): {r['status']}, partner {r['partner'] or '?'}")
            for d in r["documents"]:
                where = ", ".join(map(str, d["erp"])) or ""
                click.echo(f"  {d['set']} {d['control_number']} {d['business_number'] or ''}: {d['status']} {where}")
        if no_wait:
            click.echo("Taken in; a running `edigw worker` or `edigw serve` will process them.")
        elif worst:
            click.echo("Something was not posted: `edigw archive show ID` says why.")
    sys.exit(worst)


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)


@click.command()
@click.option("--drain", is_flag=True, help="Stop when no job is due instead of waiting for more.")
@click.option("-v", "--verbose", is_flag=True)
def worker(drain: bool, verbose: bool) -> None:
    """Run the pipeline's workers (no transports, no HTTP). SIGTERM stops after the job in hand."""
    import signal
    import threading

    from ..pipeline import Settings, Worker, build

    _logging(verbose)
    gw = build(Settings.from_env())
    w = Worker(gw)
    if drain:
        w.recover()
        ran = w.drain()
        click.echo(f"ran {ran} job(s); none is due now")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    w.run(stop)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Worker threads (1 on SQLite).")
@click.option("-v", "--verbose", is_flag=True)
def serve(host: str, port: int, workers: int, verbose: bool) -> None:
    """Run the folder transport, the workers and the HTTP app (/healthz, /metrics) until SIGTERM."""
    import signal
    import threading

    import uvicorn

    from ..pipeline import Settings, build
    from ..pipeline.run import Service
    from ..transports import FolderTransport
    from ..web.app import create_app

    _logging(verbose)
    settings = Settings.from_env()
    gw = build(settings)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.outbox.mkdir(parents=True, exist_ok=True)
    service = Service(gw, [FolderTransport(settings.inbox, settings.outbox, max_bytes=settings.max_bytes)], workers)
    service.start()
    logging.getLogger("edigw").info(
        "serving: inbox %s, outbox %s, database %s, http://%s:%d/healthz",
        settings.inbox,
        settings.outbox,
        "sqlite" if gw.store.is_sqlite else "postgresql",
        host,
        port,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(gw.store, gw.clock), host=host, port=port, log_level="warning"))
    # The HTTP server runs on a thread of its own, so the signals stay ours: SIGTERM and Ctrl-C
    # stop the server, then the receiver and the workers, which finish the job in hand.
    http = threading.Thread(target=server.run, name="edigw-http", daemon=True)
    http.start()
    signal.signal(signal.SIGTERM, lambda *_: service.stop.set())
    signal.signal(signal.SIGINT, lambda *_: service.stop.set())
    try:
        while not service.stop.wait(0.5):
            if not http.is_alive():
                click.echo(f"error: the HTTP server stopped (is port {port} free?)", err=True)
                service.shutdown()
                sys.exit(EXIT_USAGE)
    finally:
        server.should_exit = True
        http.join(10)
        service.shutdown()
    logging.getLogger("edigw").info("stopped")


@click.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--partner", help="Only this partner's documents.")
@click.option("--held", is_flag=True, help="Documents held as test traffic instead of those in review.")
@click.option("--no-wait", is_flag=True, help="Only queue them; a running worker does the rest.")
@click.option("--json", "as_json", is_flag=True)
def reprocess(ids: tuple[int, ...], partner: str | None, held: bool, no_wait: bool, as_json: bool) -> None:
    """Translate and post documents in review again, after fixing a crosswalk, map or profile.

    IDS are document ids (`edigw archive show` lists them as #N); without IDS, every document in
    review (for --partner). Exit status: 0 when all of them were posted, 1 when some are still
    not posted (see `edigw archive show`), 2 for usage errors.
    """
    from sqlalchemy import select

    from ..pipeline import Settings, build
    from ..pipeline.review import reprocess as again
    from ..pipeline.run import run_until_idle
    from ..store import StoreError, Transaction

    try:
        gw = build(Settings.from_env())
        if not as_json and sys.stdout.isatty():
            with click.progressbar(length=1, label="queueing") as bar:

                def progress(done: int, total: int) -> None:
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)

                queued = again(gw, ids=ids, partner=partner, status="held" if held else "review", progress=progress)
        else:
            queued = again(gw, ids=ids, partner=partner, status="held" if held else "review")
        if queued and not no_wait:
            run_until_idle(gw)
        with gw.store.session() as s:
            rows = list(s.execute(select(Transaction).where(Transaction.id.in_(queued))).scalars())
    except StoreError as exc:
        _fail(str(exc))
        return
    result = [{"id": t.id, "set": t.set_id, "number": t.business_number, "status": t.status} for t in rows]
    if as_json:
        click.echo(json.dumps(result, indent=2))
    elif not result:
        click.echo("Nothing to reprocess: no document matches (see `edigw archive search --status review`).")
    else:
        for r in result:
            click.echo(f"#{r['id']} {r['set']} {r['number'] or ''}: {r['status']}")
    sys.exit(EXIT_REJECTED if any(r["status"] != "posted" for r in result) and not no_wait else EXIT_OK)


@click.command()
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--note", required=True, help="Why nothing more is needed (kept in the document's history).")
@click.option("--json", "as_json", is_flag=True)
def resolve(ids: tuple[int, ...], note: str, as_json: bool) -> None:
    """Close documents in review that need nothing more from the gateway.

    For what a person settled elsewhere: a supplier's substitution accepted in Odoo, an invoice the
    supplier will replace. Nothing is posted; the note goes into the audit trail. Exit status: 0 when
    every id was closed, 1 when some were not in review, 2 for usage errors.
    """
    from ..pipeline import Settings, build
    from ..pipeline.review import resolve as close
    from ..store import StoreError

    if not note.strip():
        raise click.UsageError("--note must say why the documents need nothing more")
    try:
        closed = close(build(Settings.from_env()), ids, note=note)
    except StoreError as exc:
        _fail(str(exc))
        return
    skipped = [i for i in ids if i not in closed]
    if as_json:
        click.echo(json.dumps({"resolved": closed, "not_in_review": skipped}, indent=2))
    else:
        for i in closed:
            click.echo(f"#{i}: resolved")
        for i in skipped:
            click.echo(f"#{i}: not in review or held; left as it is (see `edigw archive search --status review`)")
    sys.exit(EXIT_REJECTED if skipped else EXIT_OK)
