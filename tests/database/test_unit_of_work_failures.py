"""A unit of work that cannot start gives its connection back: failures must not drain the pool."""

import asyncio
from pathlib import Path

import pytest

from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.errors import StorageUnavailable
from tests.support.sqlite_outages import locked


async def test_a_failed_begin_returns_its_connection_to_the_pool(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    engine = create_engine(
        f"sqlite+aiosqlite:///{path}", EngineOptions(db_pool_size=1, sqlite_busy_timeout=0.05)
    )
    try:
        await upgrade(engine)
        uow = SqlAlchemyUnitOfWorkFactory(engine)
        with locked(path), pytest.raises(StorageUnavailable):
            async with uow():
                pass
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_writer_queued_longer_than_the_pool_timeout_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", EngineOptions(db_pool_timeout=0.1))
    try:
        await upgrade(engine)
        uow = SqlAlchemyUnitOfWorkFactory(engine)
        # The bound on the queue, not this outer one, must end the wait.
        async with asyncio.timeout(5):
            async with uow():
                with pytest.raises(StorageUnavailable):
                    async with uow():
                        pass
            async with uow():
                pass
    finally:
        await engine.dispose()
