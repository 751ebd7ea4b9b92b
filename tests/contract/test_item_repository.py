"""The repository contract: every adapter (memory, SQLite, PostgreSQL) must pass all of it."""

from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from domain.errors import ItemNotFound
from domain.item import NAME_MAX_LENGTH
from domain.listing import LIST_LIMIT_MAX, LIST_SKIP_MAX, ItemListQuery
from domain.ports import UnitOfWorkFactory
from tests.support.builders import NOW, an_item
from tests.support.stores import add, get


async def test_added_item_gets_an_id_and_reads_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    stored = await add(uow_factory, an_item())
    assert stored.id is not None
    assert stored == replace(an_item(), id=stored.id)
    assert await get(uow_factory, stored.id) == stored


async def test_ids_increase_and_are_not_reused_after_delete(uow_factory: UnitOfWorkFactory) -> None:
    first = await add(uow_factory, an_item(name="a"))
    second = await add(uow_factory, an_item(name="b"))
    assert first.id is not None and second.id is not None
    assert second.id > first.id
    async with uow_factory() as uow:
        await uow.items.delete(second.id)
        await uow.commit()
    third = await add(uow_factory, an_item(name="c"))
    assert third.id is not None and third.id > second.id


async def test_timestamps_read_back_as_the_same_utc_instant(uow_factory: UnitOfWorkFactory) -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-5)))
    stored = await add(uow_factory, an_item(name="tz", description="", now=local))
    assert stored.id is not None
    read = await get(uow_factory, stored.id)
    assert read is not None
    assert read.created_at == NOW
    assert read.created_at.utcoffset() == timedelta(0)
    assert read.updated_at.utcoffset() == timedelta(0)


async def test_text_at_the_bounds_round_trips_exactly(uow_factory: UnitOfWorkFactory) -> None:
    name = "名" * NAME_MAX_LENGTH
    description = "emoji 🫖 and\nnewlines\tand 'quotes' \"too\"" * 100
    stored = await add(uow_factory, an_item(name=name, description=description))
    assert stored.id is not None
    read = await get(uow_factory, stored.id)
    assert read is not None
    assert (read.name, read.description) == (name, description)


async def test_missing_item_is_none(uow_factory: UnitOfWorkFactory) -> None:
    assert await get(uow_factory, 12345) is None


async def test_list_is_in_id_order_with_skip_and_limit(uow_factory: UnitOfWorkFactory) -> None:
    ids = [(await add(uow_factory, an_item(name=f"item {n}"))).id for n in range(7)]
    async with uow_factory(read_only=True) as uow:
        first = await uow.items.list(ItemListQuery(skip=0, limit=3))
        assert ([i.id for i in first.items], first.has_more) == (ids[:3], True)
        last = await uow.items.list(ItemListQuery(skip=5, limit=10))
        assert ([i.id for i in last.items], last.has_more) == (ids[5:], False)
        assert (await uow.items.list(ItemListQuery(skip=7, limit=10))).items == []
        assert (await uow.items.list(ItemListQuery(skip=LIST_SKIP_MAX, limit=LIST_LIMIT_MAX))).items == []


async def test_delete_removes_and_a_second_delete_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    stored = await add(uow_factory, an_item())
    assert stored.id is not None
    async with uow_factory() as uow:
        await uow.items.delete(stored.id)
        await uow.commit()
    assert await get(uow_factory, stored.id) is None
    async with uow_factory() as uow:
        with pytest.raises(ItemNotFound):
            await uow.items.delete(stored.id)


async def test_nothing_is_kept_without_commit(uow_factory: UnitOfWorkFactory) -> None:
    kept = await add(uow_factory, an_item(name="kept"))
    assert kept.id is not None
    async with uow_factory() as uow:
        lost = await uow.items.add(an_item(name="lost"))
        await uow.items.delete(kept.id)
    assert lost.id is not None
    assert await get(uow_factory, lost.id) is None
    assert await get(uow_factory, kept.id) == kept


async def test_an_error_inside_the_unit_of_work_rolls_back(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.items.add(an_item(name="doomed"))
            raise RuntimeError("boom")
    async with uow_factory(read_only=True) as uow:
        assert (await uow.items.list(ItemListQuery())).items == []
