"""PostgreSQL commits writers side by side: a change whose transaction started writing first may
commit after a later one. The feed must not let a reader move past it (the naive design, ordering
by the sequence number alone, hands out the later change and then never the earlier one)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.feed import FeedPosition, RecordedChange
from tests.support.builders import an_item
from tests.support.feed import changes_so_far

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
async def postgres(postgres_url: str) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    engine = create_engine(postgres_url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(text("TRUNCATE items, item_changes RESTART IDENTITY"))
            await connection.execute(text("UPDATE item_changes_pruned SET transaction_id = NULL"))
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def read(uow: SqlAlchemyUnitOfWorkFactory, after: FeedPosition | None) -> list[RecordedChange]:
    async with uow(read_only=True) as unit:
        return await unit.changes.read(after, 100)


async def test_a_change_that_commits_late_is_not_passed_by_a_reader(
    postgres: SqlAlchemyUnitOfWorkFactory,
) -> None:
    async with postgres() as slow:
        early = await slow.items.add(
            an_item(name="early", description="", now=NOW)
        )  # takes the first sequence number
        async with postgres().single_write() as quick:
            late = await quick.items.add(an_item(name="late", description="", now=NOW))
            await quick.commit()
        # The later write is committed, but a change before it is still in flight: nothing is final.
        assert await read(postgres, None) == []
        await slow.commit()
    seen = await changes_so_far(postgres)
    assert [change.item_id for change in seen] == [early.id, late.id]
    assert seen[0].position.sequence < seen[1].position.sequence


async def test_a_reader_past_a_change_never_misses_one_committed_after_it(
    postgres: SqlAlchemyUnitOfWorkFactory,
) -> None:
    async with postgres().single_write() as first:
        before = await first.items.add(an_item(name="before", description="", now=NOW))
        await first.commit()
    async with postgres() as slow:
        await slow.items.add(an_item(name="slow", description="", now=NOW))
        async with postgres().single_write() as quick:
            await quick.items.add(an_item(name="quick", description="", now=NOW))
            await quick.commit()
        # "quick" is committed, "slow" (an earlier sequence number) not yet: the reader may pass
        # "before" and nothing more (not even that while another transaction on the server, older
        # than "before", is still open).
        passed = await read(postgres, None)
        assert [change.item_id for change in passed] in ([before.id], [])
        await slow.commit()
    cursor = passed[-1].position if passed else None
    following = [change.item.name for change in await changes_so_far(postgres, cursor) if change.item]
    assert following == ["before", "slow", "quick"][len(passed) :]
