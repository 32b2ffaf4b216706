"""Opening the store: the engine, sessions, migrations, and the errors a caller sees.

SQLite in the working folder is the default (``<home>/edigw.db``); ``EDIGW_DATABASE_URL``
chooses PostgreSQL (``postgresql+psycopg://...``). On SQLite every writing transaction
begins with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way, and
the database runs in WAL mode with ``synchronous=FULL``: a commit is on disk before the
sender is told "accepted". SQLAlchemy's exceptions stop here: callers see
:class:`StoreError` (and :class:`StoreBusy` for what a retry may cure).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The store could not do what was asked; the message says why, without the SQL."""


class StoreBusy(StoreError):
    """A transient store failure (locked, connection lost): retrying later may succeed."""


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'edigw.db'}"


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """A database: sessions for the pipeline and the faces, and its dialect's abilities."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"timeout": 30})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def skip_locked(self) -> bool:
        """Whether several workers may claim jobs side by side (``FOR UPDATE SKIP LOCKED``)."""
        return not self.is_sqlite

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One database transaction: committed when the block ends, rolled back if it raises."""
        try:
            with self._sessions() as s, s.begin():
                yield s
        except OperationalError as exc:
            raise StoreBusy(_brief(exc)) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreBusy(_brief(exc)) from exc
            raise StoreError(_brief(exc)) from exc
        except SQLAlchemyError as exc:
            raise StoreError(_brief(exc)) from exc

    def migrate(self) -> None:
        """Bring the schema up to date with Alembic (creates it on an empty database)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection_url"] = self.url
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StoreError(f"migrating the database failed: {_brief(exc)}") from exc

    def is_migrated(self) -> bool:
        return "alembic_version" in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def _brief(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def scratch_schema(url: str, prefix: str = "scratch") -> Iterator[str]:
    """A PostgreSQL schema of its own on the server at ``url`` (for tests and benchmarks): the URL that
    points at it, and the schema dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in url else "?"
        try:
            yield f"{url}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """A :class:`Store` for ``url``, migrated to the current schema unless told otherwise."""
    store = Store(url)
    if migrate:
        store.migrate()
    return store
