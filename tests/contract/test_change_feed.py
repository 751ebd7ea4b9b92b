"""The change feed contract: every kept write records exactly one change, in the write's own
transaction or statement, and a reader following positions sees each kept change once, in order."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import FeedPositionPruned, PreconditionFailed
from domain.feed import ChangeKind, FeedPosition, RecordedChange
from domain.item import Item, ItemChange
from domain.ports import UnitOfWorkFactory
from tests.support.builders import an_item
from tests.support.feed import MARKER, changes_so_far

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
LATER = NOW + timedelta(seconds=1)


async def create(uow_factory: UnitOfWorkFactory, name: str = "Teapot") -> Item:
    async with uow_factory().single_write() as uow:
        stored = await uow.items.add(an_item(name=name, now=NOW))
        await uow.commit()
    return stored


async def change(uow_factory: UnitOfWorkFactory, item_id: int, item_change: ItemChange) -> Item:
    async with uow_factory().single_write() as uow:
        changed = await uow.items.change(item_id, item_change)
        await uow.commit()
    return changed


async def delete(uow_factory: UnitOfWorkFactory, item_id: int) -> None:
    async with uow_factory().single_write() as uow:
        await uow.items.delete(item_id)
        await uow.commit()


async def read(
    uow_factory: UnitOfWorkFactory, after: FeedPosition | None = None, limit: int = 100
) -> list[RecordedChange]:
    async with uow_factory(read_only=True) as uow:
        return await uow.changes.read(after, limit)


def kinds(changes: list[RecordedChange]) -> list[tuple[int, ChangeKind, int]]:
    return [(change.item_id, change.kind, change.version) for change in changes]


async def test_each_write_records_its_change_with_the_item_as_it_left_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    created = await create(uow_factory)
    assert created.id is not None
    changed = await change(uow_factory, created.id, ItemChange(LATER, name="Kettle"))
    await delete(uow_factory, created.id)
    changes = await changes_so_far(uow_factory)
    assert kinds(changes) == [
        (created.id, ChangeKind.CREATED, 1),
        (created.id, ChangeKind.UPDATED, 2),
        (created.id, ChangeKind.DELETED, 3),
    ]
    assert [change.item for change in changes] == [created, changed, None]
    assert [change.deduplication_id for change in changes] == [f"{created.id}:{v}" for v in (1, 2, 3)]
    assert all(change.recorded_at.utcoffset() == timedelta(0) for change in changes)


async def test_positions_increase_in_the_order_writes_were_kept(uow_factory: UnitOfWorkFactory) -> None:
    for name in "abc":
        await create(uow_factory, name)
    positions = [change.position for change in await changes_so_far(uow_factory)]
    assert positions == sorted(positions) and len(set(positions)) == 3


async def test_a_change_that_changes_nothing_records_nothing(uow_factory: UnitOfWorkFactory) -> None:
    created = await create(uow_factory)
    assert created.id is not None
    await change(uow_factory, created.id, ItemChange(LATER, name="Teapot"))
    assert kinds(await changes_so_far(uow_factory)) == [(created.id, ChangeKind.CREATED, 1)]


async def test_a_write_that_is_rolled_back_records_nothing(uow_factory: UnitOfWorkFactory) -> None:
    created = await create(uow_factory)
    assert created.id is not None
    async with uow_factory() as uow:
        await uow.items.add(an_item(name="lost", description="", now=NOW))
        await uow.items.change(created.id, ItemChange(LATER, name="lost too"))
        await uow.items.delete(created.id)
    assert kinds(await changes_so_far(uow_factory)) == [(created.id, ChangeKind.CREATED, 1)]


async def test_a_write_refused_by_its_precondition_records_nothing(uow_factory: UnitOfWorkFactory) -> None:
    created = await create(uow_factory)
    assert created.id is not None
    with pytest.raises(PreconditionFailed):
        await change(uow_factory, created.id, ItemChange(LATER, name="x", expected_versions=frozenset({5})))
    assert len(await changes_so_far(uow_factory)) == 1


async def test_a_reader_continues_after_the_last_position_it_was_given(
    uow_factory: UnitOfWorkFactory,
) -> None:
    for name in "abcde":
        await create(uow_factory, name)
    await changes_so_far(uow_factory)
    first = await read(uow_factory, limit=2)
    rest = await read(uow_factory, first[-1].position, limit=100)
    assert [change.item.name for change in first + rest if change.item] == [*"abcde", MARKER]
    assert await read(uow_factory, rest[-1].position) == []


async def test_the_head_is_the_newest_change(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory(read_only=True) as uow:
        assert await uow.changes.head() is None
    await create(uow_factory, "a")
    await changes_so_far(uow_factory)
    async with uow_factory(read_only=True) as uow:
        assert await uow.changes.head() == (await read(uow_factory))[-1].position


async def prune(uow_factory: UnitOfWorkFactory, before: datetime) -> int:
    async with uow_factory() as uow:
        gone = await uow.changes.prune(before)
        await uow.commit()
    return gone


async def test_pruning_forgets_old_changes_and_a_reader_behind_them_is_told_to_resync(
    uow_factory: UnitOfWorkFactory,
) -> None:
    for name in "ab":
        await create(uow_factory, name)
    await changes_so_far(uow_factory)
    kept = await read(uow_factory)
    # Recorded at the store's own clock: everything so far is older than an hour from now.
    assert await prune(uow_factory, datetime.now(UTC) + timedelta(hours=1)) == 3
    assert await prune(uow_factory, datetime.now(UTC) + timedelta(hours=1)) == 0
    for behind in (None, kept[0].position):
        with pytest.raises(FeedPositionPruned):
            await read(uow_factory, behind)
    # A reader that had seen everything goes on, from the head, which stays where pruning stopped.
    assert await read(uow_factory, kept[-1].position) == []
    async with uow_factory(read_only=True) as uow:
        assert await uow.changes.head() == kept[-1].position
    await create(uow_factory, "d")
    assert kinds(await changes_so_far(uow_factory, kept[-1].position))[0][1] is ChangeKind.CREATED


async def test_pruning_keeps_changes_recorded_since(uow_factory: UnitOfWorkFactory) -> None:
    await create(uow_factory)
    assert await prune(uow_factory, datetime.now(UTC) - timedelta(hours=1)) == 0
    assert len(await changes_so_far(uow_factory)) == 1
