"""DB_STATEMENT_CACHE=false (pgbouncer in transaction mode): no named prepared statement is left
on a server connection, where the next client of that server connection would collide with it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.listing import ItemListQuery
from tests.support.builders import an_item


async def _named_statements_after_work(url: str, statement_cache: bool) -> int:
    # One connection, so the count below is taken on the very connection the work used.
    engine = create_engine(url, EngineOptions(db_pool_size=1, db_statement_cache=statement_cache))
    try:
        await upgrade(engine)
        uow = SqlAlchemyUnitOfWorkFactory(engine)
        for _ in range(2):
            async with uow().single_write() as writer:
                stored = await writer.items.add(
                    an_item(name="cached?", description="", now=datetime.now(UTC))
                )
                await writer.commit()
            assert stored.id is not None
            async with uow(read_only=True) as reader:
                assert await reader.items.get(stored.id) == stored
                assert (await reader.items.list(ItemListQuery())).items
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        return int(count or 0)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_without_the_statement_cache_no_named_statement_stays_on_the_connection(
    postgres_url: str,
) -> None:
    assert await _named_statements_after_work(postgres_url, statement_cache=False) == 0


@pytest.mark.postgres
async def test_with_the_statement_cache_statements_are_prepared_once_and_kept(postgres_url: str) -> None:
    # The other side of the same measurement, so the test above cannot pass by counting wrongly.
    assert await _named_statements_after_work(postgres_url, statement_cache=True) > 0
