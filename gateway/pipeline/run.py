"""Running the gateway: until idle (``process``, ``demo``, tests), or until told to stop (``serve``, ``worker``).

:func:`run_until_idle` polls the receivers and drains the queue until the inbox is empty and
no job is due. :class:`Service` runs a receiver loop and worker threads until its stop event
is set; the job in hand is finished first, and what is left stays queued for the next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store import StoreError
from ..transports import Receiver
from .context import Gateway
from .receive import Received, receive
from .worker import Worker, pending

log = logging.getLogger("edigw.run")


def run_until_idle(
    gw: Gateway, receivers: Sequence[Receiver] = (), *, timeout: float = 120.0, idle_polls: int = 3
) -> Received:
    """Receive and work until nothing arrives for ``idle_polls`` polls and no job is due; returns what arrived.

    A folder receiver claims a file on the second poll that sees it unchanged, so the default
    waits for three quiet polls.
    """
    total = Received()
    worker = Worker(gw)
    worker.recover()
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        got = Received()
        for r in receivers:
            one = receive(gw, r)
            got.intaken += one.intaken
            got.released += one.released
            got.rejected += one.rejected
        total.intaken += got.intaken
        total.released += got.released
        total.rejected += got.rejected
        ran = worker.drain()
        if got.intaken or ran:
            quiet = 0
            continue
        quiet += 1
        if quiet >= idle_polls:
            break
        time.sleep(0.05)
    return total


@dataclass
class Service:
    """Receivers polled on one thread, workers on others, until :attr:`stop` is set."""

    gw: Gateway
    receivers: Sequence[Receiver]
    workers: int = 1
    poll_seconds: float = 1.0
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        count = 1 if self.gw.store.is_sqlite else max(1, self.workers)  # SQLite: one worker
        self.threads = [threading.Thread(target=self._receive, name="edigw-receive", daemon=True)]
        self.threads += [
            threading.Thread(target=Worker(self.gw).run, args=(self.stop,), name=f"edigw-worker-{n}", daemon=True)
            for n in range(count)
        ]
        for t in self.threads:
            t.start()

    def _receive(self) -> None:
        while not self.stop.is_set():
            for r in self.receivers:
                try:
                    receive(self.gw, r)
                except StoreError as exc:
                    log.error("receiving from %s failed: %s", r.name, exc)
            self.stop.wait(self.poll_seconds)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop taking work; wait for the jobs in hand to finish."""
        self.stop.set()
        for t in self.threads:
            t.join(timeout)
        left = pending(self.gw)
        if left:
            log.info("stopped with %s job(s) left for the next start", left)
