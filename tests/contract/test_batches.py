"""The batch contract: add_many stores a batch all or nothing, in order, new or restored;
get_many finds what exists; a snapshot unit of work reads one moment throughout."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import ItemAlreadyExists
from domain.feed import ChangeKind
from domain.item import Item
from domain.listing import ItemListQuery
from domain.ports import UnitOfWorkFactory
from tests.support.builders import NOW, a_stored_item, an_item
from tests.support.feed import changes_so_far
from tests.support.stores import add, get


async def add_many(uow_factory: UnitOfWorkFactory, batch: list[Item]) -> list[Item]:
    async with uow_factory() as uow:
        stored = await uow.items.add_many(batch)
        await uow.commit()
    return stored


async def all_ids(uow_factory: UnitOfWorkFactory) -> list[int | None]:
    async with uow_factory(read_only=True) as uow:
        return [item.id for item in (await uow.items.list(ItemListQuery(limit=100))).items]


async def test_a_batch_is_stored_in_order_with_increasing_ids(uow_factory: UnitOfWorkFactory) -> None:
    batch = [an_item(name=f"item {n}", description=f"about {n}") for n in range(25)]
    stored = await add_many(uow_factory, batch)
    ids = [item.id or 0 for item in stored]
    assert all(ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [replace(item, id=None) for item in stored] == batch
    for item in stored:
        assert item.id is not None
        assert await get(uow_factory, item.id) == item


async def test_an_empty_batch_stores_nothing(uow_factory: UnitOfWorkFactory) -> None:
    assert await add_many(uow_factory, []) == []
    assert await all_ids(uow_factory) == []


async def test_a_batch_not_committed_leaves_nothing_and_records_no_change(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.items.add_many([an_item(name=f"doomed {n}") for n in range(10)])
            raise RuntimeError("the process fails before the commit")
    assert await all_ids(uow_factory) == []
    assert await changes_so_far(uow_factory) == []


async def test_a_kept_batch_records_one_created_change_per_item_in_order(
    uow_factory: UnitOfWorkFactory,
) -> None:
    stored = await add_many(uow_factory, [an_item(name=f"fed {n}") for n in range(5)])
    changes = await changes_so_far(uow_factory)
    assert [(change.kind, change.item) for change in changes] == [
        (ChangeKind.CREATED, item) for item in stored
    ]


async def test_restored_items_keep_their_ids_times_and_versions(uow_factory: UnitOfWorkFactory) -> None:
    exported = [
        a_stored_item(id=7, name="seven", version=3, updated_at=NOW + timedelta(days=1)),
        a_stored_item(id=3, name="three", created_at=NOW - timedelta(days=400)),
        a_stored_item(id=900, name="nine hundred", version=12),
    ]
    assert await add_many(uow_factory, exported) == exported
    for item in exported:
        assert item.id is not None
        assert await get(uow_factory, item.id) == item
    # Ids the store gives later are above every restored one.
    later = await add(uow_factory, an_item(name="new"))
    assert later.id is not None and later.id > 900


async def test_restoring_a_taken_id_names_it_and_stores_nothing(uow_factory: UnitOfWorkFactory) -> None:
    taken = await add(uow_factory, an_item(name="here first"))
    assert taken.id is not None
    batch = [a_stored_item(id=taken.id + 50, name="free"), a_stored_item(id=taken.id, name="clash")]
    with pytest.raises(ItemAlreadyExists) as raised:
        await add_many(uow_factory, batch)
    assert raised.value.item_id == taken.id
    assert await all_ids(uow_factory) == [taken.id]


async def test_get_many_finds_the_stored_ones_and_leaves_out_the_missing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    stored = await add_many(uow_factory, [an_item(name=f"find {n}") for n in range(4)])
    ids = [item.id for item in stored if item.id is not None]
    async with uow_factory(read_only=True) as uow:
        found = await uow.items.get_many([ids[2], 424242, ids[0], 2**63 - 1])
        nothing = await uow.items.get_many([424243])
    assert sorted(found, key=lambda item: item.id or 0) == [stored[0], stored[2]]
    assert nothing == []


async def test_a_snapshot_reads_one_moment_while_others_commit(uow_factory: UnitOfWorkFactory) -> None:
    before = await add_many(uow_factory, [an_item(name=f"kept {n}") for n in range(3)])
    assert before[0].id is not None

    async def meanwhile() -> None:
        assert before[0].id is not None
        async with uow_factory() as uow:
            await uow.items.add(an_item(name="added meanwhile"))
            await uow.items.delete(before[0].id)
            await uow.commit()

    async with uow_factory(read_only=True).snapshot() as snapshot:
        first = await snapshot.items.list(ItemListQuery(limit=2))
        writer = asyncio.create_task(meanwhile())
        # Stores that run writers beside readers let it commit now; the one that serializes them
        # holds it until the snapshot ends. The reads below must not tell the difference.
        await asyncio.wait({writer}, timeout=0.5)
        rest = await snapshot.items.list(ItemListQuery(limit=100, skip=2))
        again = await snapshot.items.get(before[0].id)
    await writer
    assert first.items + rest.items == before
    assert again == before[0]
    assert len(await all_ids(uow_factory)) == 3
    assert before[0].id not in await all_ids(uow_factory)
