"""Chooses and opens the store named by DATABASE_URL; closes it at shutdown."""

from collections.abc import AsyncIterator

from adapters.memory import MemoryUnitOfWorkFactory
from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.ports import UnitOfWorkFactory
from entrypoints.settings import Settings


def engine_options(settings: Settings) -> EngineOptions:
    return EngineOptions(
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        connect_timeout=settings.db_connect_timeout,
        pool_pre_ping=settings.db_pool_pre_ping,
        echo=settings.sql_echo,
        sqlite_synchronous=settings.sqlite_synchronous,
        postgres_statement_cache=settings.db_statement_cache,
    )


async def open_storage(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
    if settings.backend == "memory":
        yield MemoryUnitOfWorkFactory()
        return
    engine = create_engine(settings.database_url, engine_options(settings))
    try:
        if settings.migrates_on_start:
            await upgrade(engine)
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()
