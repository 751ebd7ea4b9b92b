"""Engines tuned per dialect: what each database needs to behave under concurrency."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sqlalchemy.idle_ping import ping_when_idle

# How a SQLite writer begins: it takes the write lock up front, because a deferred transaction
# that upgrades later fails at once with "database is locked" instead of waiting for the busy timeout.
SQLITE_BEGIN_WRITE = "BEGIN IMMEDIATE"

# Execution options that make a connection's statements run without a transaction around them.
# On SQLite a plain marker: the driver already runs in autocommit (see _configure), so only the
# BEGIN IMMEDIATE of _begin is to be skipped; switching the isolation level there costs a hop to
# aiosqlite's thread on checkout and another on checkin.
READ_ONLY_OPTIONS: dict[str, dict[str, Any]] = {
    "sqlite": {"items_read_only": True},
    "postgresql": {"isolation_level": "AUTOCOMMIT"},
}


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """How an engine behaves. The fields are named as the settings that set them (entrypoints/
    settings.py takes its defaults from here, and the container copies them over by name)."""

    # Requests beyond the pool wait in a queue where a newcomer can take a returned connection
    # before an older waiter: at 32 concurrent requests, 10 connections made a ~200 ms p99.
    db_pool_size: int = 20
    db_pool_timeout: float = 5.0
    db_connect_timeout: float = 5.0
    # A database that stops answering mid-statement must not hang a request forever.
    db_command_timeout: float = 30.0
    # Off: asyncpg's ping is BEGIN, ";" and ROLLBACK, three round trips before every request.
    # Only connections idle for a while are pinged (idle_ping.py), and a connection found dead
    # invalidates the whole pool (SQLAlchemy's disconnect handling), so after a database restart
    # the pool refills with fresh connections.
    db_pool_pre_ping: bool = False
    sql_echo: bool = False
    # WAL with NORMAL survives any process crash; FULL also survives power loss, per commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    # Seconds a write waits for another process's lock.
    sqlite_busy_timeout: float = 5.0
    # Behind a transaction-mode pooler (pgbouncer) asyncpg's prepared statements collide.
    db_statement_cache: bool = True


def create_engine(url: str | URL, options: EngineOptions = EngineOptions()) -> AsyncEngine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, options)
    return _postgres_engine(url, options)


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; None for an in-memory database."""
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _pool_arguments(options: EngineOptions) -> dict[str, Any]:
    """What both backends' pools share: a fixed size (no overflow) and a bounded wait for a connection."""
    return {
        "echo": options.sql_echo,
        "pool_size": options.db_pool_size,
        "max_overflow": 0,
        "pool_timeout": options.db_pool_timeout,
        "pool_pre_ping": options.db_pool_pre_ping,
    }


def _postgres_engine(url: URL, options: EngineOptions) -> AsyncEngine:
    connect_args: dict[str, Any] = {
        "timeout": options.db_connect_timeout,
        "command_timeout": options.db_command_timeout,
    }
    if not options.db_statement_cache:
        connect_args["statement_cache_size"] = 0
        connect_args["prepared_statement_cache_size"] = 0
    engine = create_async_engine(url, **_pool_arguments(options), connect_args=connect_args)
    if not options.db_pool_pre_ping:
        ping_when_idle(engine)
    return engine


def _sqlite_engine(url: URL, options: EngineOptions) -> AsyncEngine:
    if (path := sqlite_file(url)) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        **_pool_arguments(options),
        # Closing a Connection already rolls back whatever it began; the pool's own rollback at
        # check-in would be a second hop to aiosqlite's thread on every request (~50 us of CPU).
        pool_reset_on_return=None,
        connect_args={"timeout": options.sqlite_busy_timeout},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={options.sqlite_synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={round(options.sqlite_busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # Schema work through SQLAlchemy (migrations, readiness); the unit of work begins its own.
        if not connection.get_execution_options().get("items_read_only"):
            connection.exec_driver_sql(SQLITE_BEGIN_WRITE)

    return engine
