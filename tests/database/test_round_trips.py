"""What each unit of work sends the database: a lone write is one statement with no BEGIN/COMMIT
around it; a unit of several statements keeps its transaction; a read has none."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.errors import ItemNotFound, PreconditionFailed
from tests.support.builders import a_draft, an_item

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


async def _record_statements(driver_connection: Any, log: list[str]) -> None:
    """Every statement the driver sends from now on, as its first word (BEGIN, INSERT, ...)."""

    def keep(sql: str) -> None:
        log.append(sql.split(None, 1)[0].rstrip(";").upper())

    if hasattr(driver_connection, "add_query_logger"):  # asyncpg
        driver_connection.add_query_logger(lambda record: keep(record.query))
        return
    # aiosqlite: the calls themselves. sqlite3's trace hook also reports each statement the change
    # feed's triggers run inside a write (under the write's own text), which is not a round trip.
    for name, word in (
        ("execute", None),
        ("execute_fetchall", None),
        ("commit", "COMMIT"),
        ("rollback", "ROLLBACK"),
    ):
        _log_calls(driver_connection, name, word, keep)


def _log_calls(connection: Any, name: str, word: str | None, keep: Callable[[str], None]) -> None:
    call = getattr(connection, name)

    def logged(*args: Any, **kwargs: Any) -> Any:
        keep(word or args[0])
        return call(*args, **kwargs)

    setattr(connection, name, logged)


@pytest.fixture
async def traced(empty_database_url: str) -> AsyncIterator[tuple[SqlAlchemyUnitOfWorkFactory, list[str]]]:
    # One pooled connection, so every unit of work below runs on the traced one.
    engine = create_engine(empty_database_url, EngineOptions(db_pool_size=1))
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            log: list[str] = []
            await _record_statements(raw.driver_connection, log)
        log.clear()
        yield SqlAlchemyUnitOfWorkFactory(engine), log
    finally:
        await engine.dispose()


async def _logged() -> None:
    # asyncpg hands each statement to its loggers with loop.call_soon as the statement ends: one
    # turn of the loop runs them (the ready queue is first in, first out).
    await asyncio.sleep(0)


async def _sent(log: list[str], work: Callable[[], Any]) -> list[str]:
    await _logged()
    log.clear()
    await work()
    await _logged()
    return list(log)


async def test_a_create_without_a_key_is_one_insert(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    assert await _sent(log, lambda: CreateItem(uow, clock=lambda: NOW)(a_draft(name="lone"))) == ["INSERT"]


async def test_a_delete_is_one_delete(traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]]) -> None:
    uow, log = traced
    item_id = (await CreateItem(uow, clock=lambda: NOW)(a_draft(name="doomed"))).id
    assert item_id is not None
    assert await _sent(log, lambda: DeleteItem(uow)(item_id)) == ["DELETE"]

    async def delete_a_missing_one() -> None:
        with pytest.raises(ItemNotFound):
            await DeleteItem(uow)(item_id, frozenset({1}))

    # With If-Match: still one DELETE; only a miss reads, under the row's lock, to say why (here: gone).
    assert await _sent(log, delete_a_missing_one) == ["DELETE", "BEGIN", "SELECT", "ROLLBACK"]


async def test_a_put_or_patch_is_one_update_with_or_without_if_match(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    item_id = (await CreateItem(uow, clock=lambda: NOW)(a_draft(name="changed"))).id
    assert item_id is not None
    replace, update = ReplaceItem(uow, clock=lambda: NOW), UpdateItem(uow, clock=lambda: NOW)
    assert await _sent(log, lambda: replace(item_id, a_draft(name="renamed"))) == ["UPDATE"]
    assert await _sent(log, lambda: update(item_id, description="d", expected_versions=frozenset({2}))) == [
        "UPDATE"
    ]


async def test_a_change_that_writes_nothing_says_why_under_the_rows_lock(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    item_id = (await CreateItem(uow, clock=lambda: NOW)(a_draft(name="as is"))).id
    assert item_id is not None
    update = UpdateItem(uow, clock=lambda: NOW)
    # Nothing to change: the UPDATE matches no row, the locked read finds the item as asked.
    assert await _sent(log, lambda: update(item_id, name="as is")) == ["UPDATE", "BEGIN", "SELECT", "COMMIT"]

    async def stale() -> None:
        with pytest.raises(PreconditionFailed):
            await update(item_id, name="other", expected_versions=frozenset({7}))

    assert await _sent(log, stale) == ["UPDATE", "BEGIN", "SELECT", "ROLLBACK"]


async def test_a_read_runs_without_a_transaction(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    item_id = (await CreateItem(uow, clock=lambda: NOW)(a_draft(name="read me"))).id
    assert item_id is not None
    assert await _sent(log, lambda: GetItem(uow)(item_id)) == ["SELECT"]


async def test_an_idempotent_create_keeps_its_transaction(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    sent = await _sent(
        log, lambda: CreateItem(uow, clock=lambda: NOW)(a_draft(name="once"), idempotency_key="k-1")
    )
    assert sent[0] == "BEGIN" and sent[-1] == "COMMIT"
    assert "INSERT" in sent


async def test_a_unit_of_work_left_without_commit_rolls_back(
    traced: tuple[SqlAlchemyUnitOfWorkFactory, list[str]],
) -> None:
    uow, log = traced
    await _logged()
    log.clear()
    async with uow() as unit:
        await unit.items.add(an_item(name="lost", description="", now=NOW))
    await _logged()
    assert log[0] == "BEGIN" and log[-1] == "ROLLBACK"
