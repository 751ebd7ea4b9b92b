"""Chooses and opens the store named by DATABASE_URL, checks its schema, closes it at shutdown."""

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory import MemoryStoreProbe, MemoryUnitOfWorkFactory
from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.errors import STORE_ERRORS
from adapters.sqlalchemy.migrator import SchemaNotCurrent, schema_state, upgrade
from adapters.sqlalchemy.probe import SqlAlchemyStoreProbe
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.ports import StoreProbe, UnitOfWorkFactory
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)


def engine_options(settings: Settings) -> EngineOptions:
    return EngineOptions(
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        connect_timeout=settings.db_connect_timeout,
        command_timeout=settings.db_command_timeout,
        pool_pre_ping=settings.db_pool_pre_ping,
        echo=settings.sql_echo,
        sqlite_synchronous=settings.sqlite_synchronous,
        sqlite_busy_timeout_ms=round(settings.sqlite_busy_timeout * 1000),
        postgres_statement_cache=settings.db_statement_cache,
    )


async def prepare_schema(engine: AsyncEngine, settings: Settings) -> None:
    """Upgrade when allowed to; otherwise refuse to serve a schema that is not at head."""
    if settings.migrates_on_start:
        before = await schema_state(engine)
        await upgrade(engine)
        if not before.is_current:
            logger.info("schema upgraded from %s to %s", before.current or "nothing", before.head)
        return
    try:
        state = await schema_state(engine)
    except STORE_ERRORS as error:
        # Serve anyway: requests answer 503 and readiness says why until the database is back.
        logger.warning("database unreachable at start-up (%s); schema not checked", type(error).__name__)
        return
    if not state.is_current:
        raise SchemaNotCurrent(state.advice())


@asynccontextmanager
async def sql_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine DATABASE_URL names, tuned by the settings; its connections closed on the way out."""
    engine = create_engine(settings.database_url, engine_options(settings))
    try:
        yield engine
    finally:
        await engine.dispose()
        logger.info("database connections closed")


async def open_storage(settings: Settings) -> AsyncGenerator[UnitOfWorkFactory]:
    if settings.backend == "memory":
        yield MemoryUnitOfWorkFactory()
        return
    async with sql_engine(settings) as engine:
        await prepare_schema(engine, settings)
        yield SqlAlchemyUnitOfWorkFactory(engine)


def probe_for(uow_factory: UnitOfWorkFactory, settings: Settings) -> StoreProbe:
    if isinstance(uow_factory, SqlAlchemyUnitOfWorkFactory):
        return SqlAlchemyStoreProbe(uow_factory.engine, timeout=settings.ready_timeout)
    return MemoryStoreProbe()
