"""Engines, sessions and migrations of the order store."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.domain.errors import StoreUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT = 3.0  # seconds to open a server connection, or to wait for one of the pool
STATEMENT_TIMEOUT_MS = 5_000  # the server cancels a statement running longer
# Any constant shared by every process of a deployment: serializes concurrent migrations.
_PG_MIGRATION_LOCK = 0x5749534D4F


def make_engine(
    url: str,
    connect_timeout: float = CONNECT_TIMEOUT,
    statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
) -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and foreign keys.

    A database server gets a connect timeout, a statement timeout and a pool timeout,
    so that a silent server fails a call instead of hanging it. `postgresql://` and
    `postgres://` without a driver mean psycopg2, the driver installed. Error texts
    never carry the statement's parameters (they can hold emails).
    """
    try:
        parsed = _with_driver(make_url(url))
    except ArgumentError:
        raise StoreUnavailable(
            "DATABASE_URL is not a database URL (e.g. sqlite:///var/wismo.db or "
            "postgresql://user@host/db)"
        ) from None
    if parsed.get_backend_name() != "sqlite":
        parsed = _with_server_timeouts(parsed, connect_timeout, statement_timeout_ms)
        try:
            return create_engine(
                parsed, pool_pre_ping=True, pool_timeout=connect_timeout, hide_parameters=True
            )
        except (ArgumentError, NoSuchModuleError, ImportError):
            raise StoreUnavailable(
                f"DATABASE_URL names a database this installation has no driver for "
                f"({parsed.get_backend_name()}); use SQLite or PostgreSQL"
            ) from None
    database = parsed.database or ""
    if database in ("", ":memory:"):
        # One shared connection, or every session would see its own empty database.
        engine = create_engine(
            parsed,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _with_driver(url: URL) -> URL:
    """`postgresql://` and `postgres://` name no driver: SQLAlchemy 2 would pick psycopg 3."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg2")
    if url.drivername.startswith("postgres+"):
        return url.set(drivername="postgresql+" + url.drivername.split("+", 1)[1])
    return url


def _with_server_timeouts(url: URL, connect_timeout: float, statement_timeout_ms: int) -> URL:
    """libpq's connect_timeout and statement_timeout, unless the URL sets them itself.

    They go in the URL, which the driver passes to libpq, so the read engine made from
    this engine's URL gets them too.
    """
    if url.get_backend_name() != "postgresql":
        return url
    query: dict[str, str] = {}
    if "connect_timeout" not in url.query:
        # libpq counts whole seconds and treats 1 as 2.
        query["connect_timeout"] = str(max(2, math.ceil(connect_timeout)))
    if "options" not in url.query:
        query["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return url.update_query_dict(query)


def make_read_engine(engine: Engine) -> Engine:
    """The engine for lookups: on a database server, one of its own in autocommit.

    A lookup is one SELECT, which the server runs atomically on its own. Inside a
    transaction it took two more round trips, BEGIN and COMMIT: on PostgreSQL about half
    of a lookup's time. Writes keep `engine` and their transactions. On SQLite, which
    runs in the process, a transaction costs no round trip, and an in-memory database
    has one connection that everything must share: there lookups use `engine` itself.
    The URL carries `engine`'s server timeouts; the pool waits as long as `engine`'s.
    """
    if engine.dialect.name == "sqlite":
        return engine
    pool_timeout = getattr(engine.pool, "timeout", lambda: CONNECT_TIMEOUT)()
    return create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,
        pool_timeout=pool_timeout,
        hide_parameters=True,
    )


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Let readers work while a writer imports, and enforce foreign keys."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # With WAL, NORMAL syncs at checkpoints, not at every commit: the store stays
        # consistent, and a power cut loses at most the last few grants or failure counts.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def store_error(doing: str, exc: Exception) -> StoreUnavailable:
    """The core's error for a database failure: the driver's first line, without SQL or values."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    return StoreUnavailable(f"{doing}: {lines[0]}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (`alembic upgrade head`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        if _at_head(engine, config):
            return  # no lock taken, so starting beside a long `wismo import` does not wait
        with engine.connect() as connection:
            _lock_for_migration(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    except (SQLAlchemyError, CommandError) as exc:
        raise store_error("cannot migrate the order store", exc) from exc


def _at_head(engine: Engine, config: Config) -> bool:
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def _lock_for_migration(connection: Connection) -> None:
    """Make processes that start together migrate one after the other."""
    if connection.dialect.name == "sqlite":
        # pysqlite would run the DDL outside any transaction; take the write lock first.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
