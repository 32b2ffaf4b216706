"""A gateway process for the crash test: it receives from a folder inbox and runs jobs, and may die on purpose.

Run it as ``python -m tests.support.crash_worker WORKDIR [options]`` from the repository root.
``WORKDIR`` holds ``inbox/``, ``outbox/`` and ``var/`` (the SQLite database unless ``--db`` names
another, the archive, and the JSON connector's ``documents/``); partners and maps are the
repository's own. The process calls :meth:`Worker.recover` once, then loops: poll the inbox
(:func:`receive`), run every due job (:meth:`Worker.run_one`), and, unless ``--forever``, exit 0
once the inbox (``.claimed/`` included) is empty and no job is queued or running. The test
starts it through :func:`run` from a ``multiprocessing`` fork server that has imported this
module already, so a restart costs a fork, not a fresh interpreter and its imports.

Where the process is, is written to ``WORKDIR/step`` (memory-mapped: it survives a SIGKILL
without an fsync), so the test can tell where an external kill landed. The steps are the
kill points below, plus ``start``, ``ready``, ``poll`` and ``idle``.

Internal kill points: with ``--kill-rate P`` the process sends itself SIGKILL with
probability ``P`` (from ``--seed``) at each point, after appending the point's name to
``WORKDIR/kills.log``:

``archive:put``            a payload is archived, its interchange not yet recorded
``receive:committed``      intake has committed, the claimed file is not yet removed (claim.accept)
``receive:accepted``       the claimed file is removed
``job:claimed``            a job is committed as running, its stage has not started
``<kind>:before-commit``   the stage's changes are made and its job marked done, not yet committed
``<kind>:committed``       the stage has committed
``post:before-write``      the document is about to go to the connector
``post:written``           the connector wrote the document; the posting is not yet committed
``deliver:sent``           the ack file is written; the outbound interchange is not yet ``sent``

``--die-at POINT@N`` makes the process die for sure the ``N``-th time it reaches ``POINT``.

``--pause S`` sleeps up to ``S`` seconds at every step, so that a kill from outside is more
likely to land between two of them.
"""

from __future__ import annotations

import argparse
import functools
import logging
import mmap
import os
import random
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run by path as well as with -m
    sys.path.insert(0, str(ROOT))

from gateway.pipeline import Settings, Worker, build, pending  # noqa: E402
from gateway.pipeline import receive as receive_module  # noqa: E402
from gateway.pipeline import stages as stages_module  # noqa: E402
from gateway.pipeline import worker as worker_module  # noqa: E402
from gateway.pipeline.context import Gateway  # noqa: E402
from gateway.pipeline.receive import receive  # noqa: E402
from gateway.store.db import default_url  # noqa: E402
from gateway.transports import FolderTransport  # noqa: E402
from gateway.transports.folder import FolderClaim  # noqa: E402

STEP_BYTES = 64
F = TypeVar("F", bound=Callable[..., Any])


class Tracer:
    """The step file, the pauses and the kill points of one process."""

    def __init__(self, work: Path, *, seed: int, kill_rate: float, pause: float, die_at: str = "") -> None:
        self.rng = random.Random(seed)
        self.kill_rate = kill_rate
        point, at, nth = die_at.rpartition("@")
        self.die_at = point if at else die_at  # a kill point where the process dies for sure ...
        self.die_countdown = int(nth) if at else 1  # ... the nth time it gets there
        self.pause = pause
        self.kills = work / "kills.log"
        path = work / "step"
        with path.open("wb") as f:
            f.write(b" " * STEP_BYTES)
        fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(fd, STEP_BYTES)
        os.close(fd)
        self.kind = ""  # the kind of the job in hand

    def at(self, step: str) -> None:
        """Record that the process is at ``step``, and dawdle there a little."""
        self._map[:STEP_BYTES] = step.encode()[:STEP_BYTES].ljust(STEP_BYTES)
        if self.pause:
            time.sleep(self.rng.uniform(0, self.pause))

    def point(self, step: str) -> None:
        """A kill point: record it, and maybe die here."""
        self.at(step)
        if step == self.die_at:
            self.die_countdown -= 1
        if (step == self.die_at and self.die_countdown <= 0) or (self.kill_rate and self.rng.random() < self.kill_rate):
            fd = os.open(self.kills, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, f"{step}\n".encode())
            finally:
                os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)

    def after(self, step: str, fn: F) -> F:
        """``fn``, with a kill point once it has returned."""

        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            self.point(step)
            return result

        return wrapped  # type: ignore[return-value]

    def install(self, gw: Gateway, transport: FolderTransport) -> None:
        """Put the kill points into this process's gateway, transport and pipeline modules."""
        gw.archive.put = self.after("archive:put", gw.archive.put)  # type: ignore[method-assign]
        receive_module.intake = self.after("receive:committed", receive_module.intake)  # type: ignore[attr-defined]
        FolderClaim.accept = self.after("receive:accepted", FolderClaim.accept)  # type: ignore[method-assign]
        worker_module.claim = self.after("job:claimed", worker_module.claim)  # type: ignore[attr-defined]

        finish = stages_module.finish  # type: ignore[attr-defined]

        def finish_then_maybe_die(*args: Any, **kwargs: Any) -> None:
            finish(*args, **kwargs)
            self.point(f"{self.kind}:before-commit")  # still inside the stage's session

        stages_module.finish = finish_then_maybe_die  # type: ignore[attr-defined]
        handlers: dict[str, Callable[[Gateway, Any], list[Any]]] = stages_module.HANDLERS  # type: ignore[attr-defined]
        for kind, handler in list(handlers.items()):
            handlers[kind] = self._stage(kind, handler)

        post = gw.connector.post

        def post_and_maybe_die(*args: Any, **kwargs: Any) -> Any:
            self.point("post:before-write")
            posted = post(*args, **kwargs)
            self.point("post:written")
            return posted

        gw.connector.post = post_and_maybe_die  # type: ignore[method-assign]
        transport.send = self.after("deliver:sent", transport.send)  # type: ignore[method-assign]

    def _stage(self, kind: str, handler: Callable[[Gateway, Any], list[Any]]) -> Callable[[Gateway, Any], list[Any]]:
        def run(gw: Gateway, job: Any) -> list[Any]:
            self.kind = kind
            self.at(kind)
            chained = handler(gw, job)  # the jobs it hands on, already claimed, for this worker to run next
            self.point(f"{kind}:committed")
            return chained

        return run


def drained(gw: Gateway, inbox: Path) -> bool:
    """Nothing left to receive (the inbox and its ``.claimed/`` hold no file) and no job queued or running."""
    for _dirpath, _dirs, files in os.walk(inbox):
        if files:
            return False
    return not pending(gw)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crash_worker", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--db", help="database URL (default: SQLite in WORKDIR/var)")
    parser.add_argument("--forever", action="store_true", help="never exit on an empty queue: wait to be killed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kill-rate", type=float, default=0.0, help="chance of SIGKILL at each kill point")
    parser.add_argument("--die-at", default="", metavar="POINT[@N]", help="die at the Nth (1st) visit of POINT")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds to sleep at most at each step")
    parser.add_argument("--settle", type=float, default=0.0, help="the folder transport's settle_seconds")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up (exit 3) when not drained by then")
    parser.add_argument("--log", type=Path, help="write stdout and stderr (the gateway's log) to this file")
    args = parser.parse_args(argv)
    if args.log is not None:
        fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    work: Path = args.workdir.resolve()
    tracer = Tracer(work, seed=args.seed, kill_rate=args.kill_rate, pause=args.pause, die_at=args.die_at)
    tracer.at("start")
    home = work / "var"
    settings = Settings(
        home=home,
        database_url=args.db or default_url(home),
        partners=ROOT / "partners",
        maps=ROOT / "maps",
        inbox=work / "inbox",
        outbox=work / "outbox",
        json_folder=home / "documents",
    )
    transport = FolderTransport(settings.inbox, settings.outbox, settle_seconds=args.settle)
    gw = build(settings, senders={"folder": transport})
    tracer.install(gw, transport)
    # This is the only process working the queue: whatever is left running was a dead worker's,
    # on PostgreSQL too (where recover() otherwise waits out a lease of several minutes).
    worker_module.LEASE = timedelta(0)
    worker = Worker(gw)
    worker.recover()
    tracer.at("ready")

    deadline = time.monotonic() + args.timeout
    while True:
        tracer.at("poll")
        got = receive(gw, transport)
        ran = 0
        while worker.run_one():
            ran += 1
        if got.intaken or got.released or ran:
            continue
        tracer.at("idle")
        if not args.forever and drained(gw, settings.inbox):
            return 0
        if time.monotonic() > deadline:
            print(f"crash_worker: not drained after {args.timeout}s: {pending(gw)}", file=sys.stderr)
            return 3
        time.sleep(0.02)


def run(argv: Sequence[str]) -> None:
    """:func:`main` as a process target (``multiprocessing``): its result becomes the exit code."""
    sys.exit(main(argv))


if __name__ == "__main__":
    sys.exit(main())
