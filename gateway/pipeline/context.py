"""The gateway's parts wired together: store, archive, partners, maps, connectors, senders and the clock.

:func:`build` makes a :class:`Gateway` from :class:`~.settings.Settings`; tests build one
with an in-memory transport and their own clock. The pipeline's stages take a
:class:`Gateway` and nothing global.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..connectors import Connector, ConnectorError, JsonConnector
from ..partners import Registry, load_partners
from ..store import Archive, RetryPolicy, Store, open_store
from ..transports import Sender
from .settings import RETRIES, Settings, SettingsError

if TYPE_CHECKING:
    import httpx

    from ..connectors.odoo import OdooConnector

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
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def memo(self) -> dict[int, Any]:
        """Documents translated by this thread's worker, by transaction, until it posts them."""
        memo: dict[int, Any] | None = getattr(self._local, "memo", None)
        if memo is None:
            memo = self._local.memo = {}
        return memo

    def retry_policy(self, kind: str) -> RetryPolicy:
        return self.retries.get(kind, RetryPolicy())

    def sender_for(self, transport: str) -> Sender | None:
        return self.senders.get(transport) or self.senders.get("folder")


def connectors_from(
    settings: Settings,
    partners: Registry | None = None,
    *,
    http: httpx.Client | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Connector, Connector | None]:
    """The production connector (JSON feed to a folder or URL, or Odoo) and the test connector, if configured.

    The Odoo connector needs ``partners`` (each document's partner data: vendor, crosswalks); ``http`` and
    ``environ`` stand in for the network and the environment in tests.
    """
    production: Connector
    if settings.connector == "odoo":
        if partners is None:
            raise ValueError("the Odoo connector needs the partners registry")
        production = odoo_connector(settings, partners, http=http, environ=environ)
    elif settings.json_url:
        production = JsonConnector(url=settings.json_url)
    else:
        if settings.json_folder is not None:
            settings.json_folder.mkdir(parents=True, exist_ok=True)
        production = JsonConnector(folder=settings.json_folder, batch=True)
    test = None
    if settings.test_json_folder is not None:
        settings.test_json_folder.mkdir(parents=True, exist_ok=True)
        test = JsonConnector(folder=settings.test_json_folder, batch=True)
    return production, test


def odoo_connector(
    settings: Settings,
    partners: Registry,
    *,
    http: httpx.Client | None = None,
    environ: Mapping[str, str] | None = None,
) -> OdooConnector:
    """The Odoo connector of ``settings``; its API key read now, so a missing key stops the start-up."""
    from ..connectors.odoo import OdooClient, OdooConnector

    if settings.odoo is None:
        raise SettingsError("EDIGW_CONNECTOR is odoo but EDIGW_ODOO_URL is not set: set it to Odoo's address")
    try:
        client = OdooClient(settings.odoo, http=http, environ=environ)
    except ConnectorError as exc:  # the key cannot be read: the message names where it was looked for, not the key
        where = "EDIGW_ODOO_KEY_ENV" if settings.odoo.api_key_env else "EDIGW_ODOO_KEY_FILE"
        raise SettingsError(f"{where}: {exc}") from exc
    return OdooConnector(client, resolve=partners.get, confirm=settings.odoo_confirm)


def build(settings: Settings, *, senders: Mapping[str, Sender] | None = None, clock: Clock = utc_now) -> Gateway:
    """A gateway from ``settings``: the store opened and migrated, partners loaded.

    Raises :class:`~.settings.SettingsError` when the connector's settings are incomplete (the CLI prints it).
    """
    from ..transports import FolderTransport

    partners = load_partners(settings.partners)
    production, test = connectors_from(settings, partners)  # before the store: a bad setting stops here
    store = open_store(settings.database_url)
    if senders is None:
        senders = {"folder": FolderTransport(settings.inbox, settings.outbox, max_bytes=settings.max_bytes)}
    return Gateway(
        store=store,
        archive=Archive(settings.archive),
        partners=partners,
        partners_root=settings.partners,
        maps_root=settings.maps,
        connector=production,
        test_connector=test,
        senders=senders,
        clock=clock,
        retries=settings.retries,
    )
