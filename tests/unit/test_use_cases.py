"""Every use-case against the in-memory adapter: no database, milliseconds."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import MemoryUnitOfWorkFactory
from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.list_items import ListItems
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.errors import InvalidItem, InvalidQuery, ItemNotFound, VersionConflict
from domain.ports import LIST_LIMIT_MAX, ItemListQuery


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_created_item_can_be_got_back(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    created = await CreateItem(uow, clock)("Teapot", "Short and stout")
    assert created.id == 1
    assert await GetItem(uow)(1) == created


async def test_invalid_item_is_rejected_and_nothing_is_stored(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(InvalidItem):
        await CreateItem(uow, clock)("", "")
    assert await ListItems(uow)(ItemListQuery()) == []


async def test_getting_a_missing_item_raises_not_found(uow: MemoryUnitOfWorkFactory) -> None:
    with pytest.raises(ItemNotFound):
        await GetItem(uow)(42)


async def test_list_pages_in_id_order(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    for n in range(5):
        await CreateItem(uow, clock)(f"item {n}")
    page = await ListItems(uow)(ItemListQuery(skip=1, limit=2))
    assert [item.name for item in page] == ["item 1", "item 2"]


@pytest.mark.parametrize(("skip", "limit"), [(-1, 10), (0, 0), (0, LIST_LIMIT_MAX + 1)])
def test_list_query_out_of_bounds_is_invalid(skip: int, limit: int) -> None:
    with pytest.raises(InvalidQuery):
        ItemListQuery(skip=skip, limit=limit)


async def test_replace_sets_every_field_and_bumps_the_version(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    await CreateItem(uow, clock)("a", "old")
    replaced = await ReplaceItem(uow, clock)(1, "b")
    assert (replaced.name, replaced.description, replaced.version) == ("b", "", 2)
    assert await GetItem(uow)(1) == replaced


async def test_update_changes_only_the_given_fields(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)("a", "keep")
    updated = await UpdateItem(uow, clock)(1, name="b")
    assert (updated.name, updated.description, updated.version) == ("b", "keep", 2)


async def test_update_without_changes_keeps_the_version(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await CreateItem(uow, clock)("a", "b")
    assert await UpdateItem(uow, clock)(1, name="a") == created


async def test_update_with_stale_version_is_rejected(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)("a")
    await UpdateItem(uow, clock)(1, name="b")
    with pytest.raises(VersionConflict) as caught:
        await UpdateItem(uow, clock)(1, name="c", expected_version=1)
    assert caught.value.current == 2
    assert (await GetItem(uow)(1)).name == "b"


async def test_changing_a_missing_item_raises_not_found(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(ItemNotFound):
        await ReplaceItem(uow, clock)(7, "x")
    with pytest.raises(ItemNotFound):
        await UpdateItem(uow, clock)(7, name="x")


async def test_invalid_update_leaves_the_item_unchanged(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await CreateItem(uow, clock)("a")
    with pytest.raises(InvalidItem):
        await UpdateItem(uow, clock)(1, name="x" * 101)
    assert await GetItem(uow)(1) == created


async def test_delete_removes_the_item(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)("a")
    await DeleteItem(uow)(1)
    with pytest.raises(ItemNotFound):
        await GetItem(uow)(1)
    with pytest.raises(ItemNotFound):
        await DeleteItem(uow)(1)


async def test_delete_with_stale_version_is_rejected(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)("a")
    await UpdateItem(uow, clock)(1, name="b")
    with pytest.raises(VersionConflict):
        await DeleteItem(uow)(1, expected_version=1)
    assert (await GetItem(uow)(1)).name == "b"


async def test_concurrent_unconditional_updates_all_apply(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    await CreateItem(uow, clock)("a")
    update = UpdateItem(uow, clock)
    await asyncio.gather(*(update(1, description=f"d{n}") for n in range(10)))
    assert (await GetItem(uow)(1)).version == 11
