"""Where things live and how hard to try: the working folder, database, partners, maps, drop folders, limits.

Everything has an embedded default, so ``edigw demo`` runs with no configuration at all:
SQLite and the archive under ``./var``, partners and maps from ``./partners`` and ``./maps``,
the drop folders ``./inbox`` and ``./outbox``, and the JSON connector writing to
``./var/documents``. Environment variables override each (``EDIGW_HOME``,
``EDIGW_DATABASE_URL``, ``EDIGW_PARTNERS``, ``EDIGW_MAPS``, ``EDIGW_INBOX``, ``EDIGW_OUTBOX``,
``EDIGW_JSON_FOLDER``, ``EDIGW_JSON_URL``, ``EDIGW_TEST_JSON_FOLDER``, ``EDIGW_MAX_BYTES``,
``EDIGW_RETENTION_DAYS``).

``EDIGW_CONNECTOR`` picks the production connector: ``json`` (the default) or ``odoo``, configured by
``EDIGW_ODOO_URL``, ``EDIGW_ODOO_DATABASE``, ``EDIGW_ODOO_PROTOCOL`` (auto, json2 or xmlrpc),
``EDIGW_ODOO_LOGIN`` (XML-RPC), ``EDIGW_ODOO_KEY_ENV`` (the variable holding the API key) or
``EDIGW_ODOO_KEY_FILE`` (a file of mode 0600 holding it), ``EDIGW_ODOO_KEY_EXPIRES`` (YYYY-MM-DD) and
``EDIGW_ODOO_CONFIRM`` (true or false: confirm new purchase orders or leave them as RFQs). The key itself
is never a setting. A missing or invalid value raises :class:`SettingsError`, naming the variable.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..connectors.odoo import OdooConfig
from ..connectors.odoo.client import ProtocolName
from ..store.db import default_url
from ..store.queue import RetryPolicy

#: Tries and backoff per kind of job. Posting waits longest: the ERP may be down for a while.
RETRIES: dict[str, RetryPolicy] = {
    "process": RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=300),
    "translate": RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=300),
    "post": RetryPolicy(max_attempts=8, base_seconds=5, cap_seconds=1800),
    "deliver": RetryPolicy(max_attempts=10, base_seconds=5, cap_seconds=1800),
}


ConnectorName = Literal["json", "odoo"]
CONNECTORS: tuple[ConnectorName, ...] = ("json", "odoo")
PROTOCOLS: tuple[ProtocolName, ...] = ("auto", "json2", "xmlrpc")
_TRUE, _FALSE = frozenset({"true", "yes", "1", "on"}), frozenset({"false", "no", "0", "off"})
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the environment variable to fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """One gateway's configuration."""

    home: Path
    database_url: str
    partners: Path
    maps: Path
    inbox: Path
    outbox: Path
    json_folder: Path | None
    json_url: str | None = None
    test_json_folder: Path | None = None
    max_bytes: int = 50 * 1024 * 1024
    retention_days: int | None = None  # None: keep everything
    connector: ConnectorName = "json"  # the production connector
    odoo: OdooConfig | None = None  # with connector "odoo": where Odoo is and where its API key is
    odoo_confirm: bool = True  # confirm new purchase orders (False: leave them as RFQs)
    retries: Mapping[str, RetryPolicy] = field(default_factory=lambda: dict(RETRIES))

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @classmethod
    def from_env(cls, base: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment, with everything relative to ``base`` (the current folder)."""
        env = os.environ if env is None else env
        base = base or Path.cwd()

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return (base / value).resolve() if value else default

        home = path("EDIGW_HOME", base / "var")
        url = env.get("EDIGW_DATABASE_URL") or default_url(home)
        json_url = env.get("EDIGW_JSON_URL") or None
        retention = env.get("EDIGW_RETENTION_DAYS")
        connector = (env.get("EDIGW_CONNECTOR") or "json").strip().lower()
        if connector not in CONNECTORS:
            raise SettingsError(f"EDIGW_CONNECTOR is {connector!r}: use json (the default) or odoo")
        odoo, confirm = _odoo_from_env(env, base) if connector == "odoo" else (None, True)
        return cls(
            home=home,
            database_url=url,
            partners=path("EDIGW_PARTNERS", base / "partners"),
            maps=path("EDIGW_MAPS", base / "maps"),
            inbox=path("EDIGW_INBOX", base / "inbox"),
            outbox=path("EDIGW_OUTBOX", base / "outbox"),
            json_folder=None if json_url else path("EDIGW_JSON_FOLDER", home / "documents"),
            json_url=json_url,
            test_json_folder=path("EDIGW_TEST_JSON_FOLDER", home / "documents-test")
            if env.get("EDIGW_TEST_JSON_FOLDER")
            else None,
            max_bytes=int(env.get("EDIGW_MAX_BYTES", 50 * 1024 * 1024)),
            retention_days=int(retention) if retention else None,
            connector=connector,
            odoo=odoo,
            odoo_confirm=confirm,
        )


def _odoo_from_env(env: Mapping[str, str], base: Path) -> tuple[OdooConfig, bool]:
    """The Odoo connector's settings (``EDIGW_ODOO_*``); never the API key, only where it is."""

    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    url = get("EDIGW_ODOO_URL").rstrip("/")
    if not url:
        raise SettingsError("EDIGW_CONNECTOR is odoo but EDIGW_ODOO_URL is not set: set it to Odoo's address")
    if not re.match(r"https?://[^/\s]+", url):
        raise SettingsError(f"EDIGW_ODOO_URL is {url!r}: give Odoo's address as http(s)://host[:port]")
    protocol = get("EDIGW_ODOO_PROTOCOL").lower() or "auto"
    if protocol not in PROTOCOLS:
        raise SettingsError(f"EDIGW_ODOO_PROTOCOL is {protocol!r}: use auto (the default), json2 or xmlrpc")
    database, login = get("EDIGW_ODOO_DATABASE"), get("EDIGW_ODOO_LOGIN")
    if protocol == "xmlrpc":
        for name, value in (("EDIGW_ODOO_DATABASE", database), ("EDIGW_ODOO_LOGIN", login)):
            if not value:
                raise SettingsError(f"EDIGW_ODOO_PROTOCOL is xmlrpc but {name} is not set: XML-RPC needs it")
    key_env, key_file = get("EDIGW_ODOO_KEY_ENV"), get("EDIGW_ODOO_KEY_FILE")
    if bool(key_env) == bool(key_file):
        raise SettingsError(
            "set exactly one of EDIGW_ODOO_KEY_ENV (the name of the environment variable holding the Odoo API "
            "key) or EDIGW_ODOO_KEY_FILE (a file of mode 0600 holding it)"
        )
    if key_env and not _VARIABLE.fullmatch(key_env):
        raise SettingsError(  # the value is not repeated: it may be the key itself, written in the wrong place
            "EDIGW_ODOO_KEY_ENV must be the name of the environment variable that holds the Odoo API key, "
            "not the key itself"
        )
    expires_text = get("EDIGW_ODOO_KEY_EXPIRES")
    try:
        expires = dt.date.fromisoformat(expires_text) if expires_text else None
    except ValueError:
        raise SettingsError(f"EDIGW_ODOO_KEY_EXPIRES is {expires_text!r}: give the date as YYYY-MM-DD") from None
    confirm_text = get("EDIGW_ODOO_CONFIRM").lower() or "true"
    if confirm_text not in _TRUE | _FALSE:
        raise SettingsError(f"EDIGW_ODOO_CONFIRM is {confirm_text!r}: use true or false")
    config = OdooConfig(
        url=url,
        database=database,
        login=login,
        protocol=protocol,
        api_key_env=key_env or None,
        api_key_file=str((base / key_file).resolve()) if key_file else None,
        api_key_expires=expires,
    )
    return config, confirm_text in _TRUE
