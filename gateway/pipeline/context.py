"""The gateway's parts wired together: store, archive, partners, maps, connectors, senders and the clock.

:func:`build` makes a :class:`Gateway` from :class:`~.settings.Settings`; tests build one
with an in-memory transport and their own clock. The pipeline's stages take a
:class:`Gateway` and nothing global.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..connectors import Connector, JsonConnector
from ..partners import Registry, load_partners
from ..store import Archive, RetryPolicy, Store, open_store
from ..transports import Sender
from .settings import RETRIES, Settings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Gateway:
    """Everything a stage needs."""

    store: Store
    archive: Archive
    partners: Registry
    partners_root: Path
    maps_root: Path
    connector: Connector
    senders: Mapping[str, Sender]
    test_connector: Connector | None = None
    clock: Clock = utc_now
    retries: Mapping[str, RetryPolicy] = field(default_factory=lambda: dict(RETRIES))
    actor: str = field(default_factory=lambda: f"worker:{socket.gethostname()}:{os.getpid()}")
    memo: dict[int, Any] = field(default_factory=dict)  # documents translated here, by transaction, until posted

    def retry_policy(self, kind: str) -> RetryPolicy:
        return self.retries.get(kind, RetryPolicy())

    def sender_for(self, transport: str) -> Sender | None:
        return self.senders.get(transport) or self.senders.get("folder")


def connectors_from(settings: Settings) -> tuple[Connector, Connector | None]:
    """The production connector (JSON feed to a folder or URL) and the test connector, if configured."""
    for folder in (settings.json_folder, settings.test_json_folder):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    production = (
        JsonConnector(url=settings.json_url)
        if settings.json_url
        else JsonConnector(folder=settings.json_folder, batch=True)
    )
    test = JsonConnector(folder=settings.test_json_folder, batch=True) if settings.test_json_folder else None
    return production, test


def build(settings: Settings, *, senders: Mapping[str, Sender] | None = None, clock: Clock = utc_now) -> Gateway:
    """A gateway from ``settings``: the store opened and migrated, partners loaded."""
    from ..transports import FolderTransport

    store = open_store(settings.database_url)
    production, test = connectors_from(settings)
    if senders is None:
        senders = {"folder": FolderTransport(settings.inbox, settings.outbox, max_bytes=settings.max_bytes)}
    return Gateway(
        store=store,
        archive=Archive(settings.archive),
        partners=load_partners(settings.partners),
        partners_root=settings.partners,
        maps_root=settings.maps,
        connector=production,
        test_connector=test,
        senders=senders,
        clock=clock,
        retries=settings.retries,
    )
