"""Revision 0003 (the change feed) on a database that already has items: their history was never
recorded, so a reader starting from the beginning is told to resync, and writes from now on are."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.errors import FeedPositionPruned
from domain.feed import ChangeKind, FeedPosition
from domain.item import ItemChange
from tests.support.feed import changes_so_far

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def engine_at_0002(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    try:
        await migrator.upgrade(engine, "0002")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO items (name, name_folded, description, created_at, updated_at)"
                    " VALUES ('old', 'old', '', :t, :t)"
                ),
                {"t": MOMENT},
            )
        yield engine
    finally:
        await engine.dispose()


async def test_a_reader_from_the_beginning_resyncs_and_new_writes_are_recorded(
    engine_at_0002: AsyncEngine,
) -> None:
    await migrator.upgrade(engine_at_0002)
    uow = SqlAlchemyUnitOfWorkFactory(engine_at_0002)
    async with uow(read_only=True) as unit:
        with pytest.raises(FeedPositionPruned):
            await unit.changes.read(None, 10)
        head = await unit.changes.head()
    assert head == FeedPosition(0, 0)
    async with uow().single_write() as unit:
        await unit.items.change(1, ItemChange(MOMENT, name="renamed"))
        await unit.commit()
    changes = await changes_so_far(uow, head)
    assert [(c.item_id, c.kind, c.version) for c in changes] == [(1, ChangeKind.UPDATED, 2)]


async def test_an_empty_database_starts_its_feed_from_the_beginning(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrator.upgrade(engine)
        async with SqlAlchemyUnitOfWorkFactory(engine)(read_only=True) as unit:
            assert await unit.changes.read(None, 10) == []
    finally:
        await engine.dispose()
