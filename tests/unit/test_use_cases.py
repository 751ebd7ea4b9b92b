"""Every use-case against the in-memory adapter: no database, milliseconds."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import MemoryUnitOfWorkFactory
from application.create_item import CreateItem
from application.create_items import CreateItems
from application.delete_item import DeleteItem
from application.export_items import ExportItems
from application.get_item import GetItem
from application.get_items import GET_MANY_MAX, GetItems
from application.list_items import ListItems
from application.replace_item import ReplaceItem
from application.update_item import UpdateItem
from domain.errors import (
    BatchTooLarge,
    IdempotencyKeyReused,
    InvalidItem,
    InvalidQuery,
    ItemAlreadyExists,
    ItemNotFound,
    PreconditionFailed,
)
from domain.idempotency import fingerprint
from domain.item import CLIENT_FIELDS
from domain.listing import LIST_LIMIT_MAX, ItemListQuery, Position
from tests.support.builders import LEFT_OUT, a_draft, a_stored_item, an_item, item_fields


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
    created = await CreateItem(uow, clock)(a_draft())
    assert created.id == 1
    assert await GetItem(uow)(1) == created


async def test_invalid_item_is_rejected_and_nothing_is_stored(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(InvalidItem):
        await CreateItem(uow, clock)(a_draft(name="", description=""))
    assert (await ListItems(uow)(ItemListQuery())).items == []


async def test_getting_a_missing_item_raises_not_found(uow: MemoryUnitOfWorkFactory) -> None:
    with pytest.raises(ItemNotFound):
        await GetItem(uow)(42)


async def test_list_pages_in_id_order(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    for n in range(5):
        await CreateItem(uow, clock)(a_draft(name=f"item {n}"))
    page = (await ListItems(uow)(ItemListQuery(skip=1, limit=2))).items
    assert [item.name for item in page] == ["item 1", "item 2"]


@pytest.mark.parametrize(("skip", "limit"), [(-1, 10), (0, 0), (0, LIST_LIMIT_MAX + 1)])
def test_list_query_out_of_bounds_is_invalid(skip: int, limit: int) -> None:
    with pytest.raises(InvalidQuery):
        ItemListQuery(skip=skip, limit=limit)


async def test_replace_sets_every_field_and_bumps_the_version(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    await CreateItem(uow, clock)(a_draft(name="a", description="old"))
    replaced = await ReplaceItem(uow, clock)(1, a_draft(name="b", description=LEFT_OUT))
    assert (replaced.name, replaced.description, replaced.version) == ("b", "", 2)
    assert await GetItem(uow)(1) == replaced


async def test_update_changes_only_the_given_fields(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)(a_draft(name="a", description="keep"))
    updated = await UpdateItem(uow, clock)(1, name="b")
    assert (updated.name, updated.description, updated.version) == ("b", "keep", 2)


async def test_update_without_changes_keeps_the_version(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await CreateItem(uow, clock)(a_draft(name="a", description="b"))
    assert await UpdateItem(uow, clock)(1, name="a") == created


async def test_update_with_stale_version_is_rejected(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)(a_draft(name="a"))
    await UpdateItem(uow, clock)(1, name="b")
    with pytest.raises(PreconditionFailed) as caught:
        await UpdateItem(uow, clock)(1, name="c", expected_versions=frozenset({1}))
    assert caught.value.current == 2
    assert (await GetItem(uow)(1)).name == "b"


async def test_changing_a_missing_item_raises_not_found(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(ItemNotFound):
        await ReplaceItem(uow, clock)(7, a_draft(name="x"))
    with pytest.raises(ItemNotFound):
        await UpdateItem(uow, clock)(7, name="x")


async def test_invalid_update_leaves_the_item_unchanged(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await CreateItem(uow, clock)(a_draft(name="a"))
    with pytest.raises(InvalidItem):
        await UpdateItem(uow, clock)(1, name="x" * 101)
    assert await GetItem(uow)(1) == created


async def test_delete_removes_the_item(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)(a_draft(name="a"))
    await DeleteItem(uow)(1)
    with pytest.raises(ItemNotFound):
        await GetItem(uow)(1)
    with pytest.raises(ItemNotFound):
        await DeleteItem(uow)(1)


async def test_delete_with_stale_version_is_rejected(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    await CreateItem(uow, clock)(a_draft(name="a"))
    await UpdateItem(uow, clock)(1, name="b")
    with pytest.raises(PreconditionFailed):
        await DeleteItem(uow)(1, expected_versions=frozenset({1}))
    assert (await GetItem(uow)(1)).name == "b"


async def test_concurrent_unconditional_updates_all_apply(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    await CreateItem(uow, clock)(a_draft(name="a"))
    update = UpdateItem(uow, clock)
    await asyncio.gather(*(update(1, description=f"d{n}") for n in range(10)))
    assert (await GetItem(uow)(1)).version == 11


async def test_listing_says_where_the_next_page_starts(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    for n in range(3):
        await CreateItem(uow, clock)(a_draft(name=f"item {n}"))
    first = await ListItems(uow)(ItemListQuery(limit=2))
    assert first.next_after == Position(2, 2)
    last = await ListItems(uow)(ItemListQuery(limit=2, after=first.next_after))
    assert ([item.id for item in last.items], last.next_after) == ([3], None)


async def test_a_retried_create_under_one_key_creates_once(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    create = CreateItem(uow, clock)
    first = await create(a_draft(name="a", description="b"), idempotency_key="k")
    await UpdateItem(uow, clock)(first.id or 0, name="renamed")
    assert await create(a_draft(name="a", description="b"), idempotency_key="k") == first
    assert len((await ListItems(uow)(ItemListQuery())).items) == 1


async def test_a_key_reused_for_another_request_is_rejected(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    create = CreateItem(uow, clock)
    await create(a_draft(name="a"), idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused):
        await create(a_draft(name="b"), idempotency_key="k")


async def test_an_expired_key_creates_anew(uow: MemoryUnitOfWorkFactory, clock: FakeClock) -> None:
    create = CreateItem(uow, clock, idempotency_ttl=timedelta(seconds=1))
    first = await create(a_draft(name="a"), idempotency_key="k")
    assert (await create(a_draft(name="a"), idempotency_key="k")).id != first.id


async def test_a_change_may_expect_any_of_several_versions(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    await CreateItem(uow, clock)(a_draft(name="a"))
    assert (await UpdateItem(uow, clock)(1, name="b", expected_versions=frozenset({1, 7}))).version == 2
    with pytest.raises(PreconditionFailed) as caught:
        await ReplaceItem(uow, clock)(1, a_draft(name="c"), expected_versions=frozenset())
    assert caught.value.current == 2


async def test_a_missing_item_is_not_found_whatever_was_expected(uow: MemoryUnitOfWorkFactory) -> None:
    with pytest.raises(ItemNotFound):
        await DeleteItem(uow)(1, expected_versions=frozenset({1}))


def test_a_fingerprint_is_every_field_but_the_last_length_prefixed_then_the_last() -> None:
    # With name and description alone this is the text keys were first stored with ("2:ab" then "c"),
    # so keys kept across the deploy that read the fields from CLIENT_FIELDS still match their retries.
    fields = item_fields(name="ab", description="c")
    *leading, last = (str(fields[field]) for field in CLIENT_FIELDS)
    text = "".join(f"{len(value)}:{value}" for value in leading) + last
    assert fingerprint(an_item(**fields)) == hashlib.sha256(text.encode()).hexdigest()
    assert fingerprint(an_item(**fields)) != fingerprint(an_item(name="a", description="bc"))


async def test_a_batch_is_created_in_order_at_one_moment(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = await CreateItems(uow, clock)([a_draft(name=f"item {n}") for n in range(5)])
    assert not created.replayed
    assert [item.name for item in created.items] == [f"item {n}" for n in range(5)]
    assert [item.id for item in created.items] == [1, 2, 3, 4, 5]
    assert len({item.created_at for item in created.items}) == 1
    assert await GetItems(uow)([5, 1]) == [created.items[4], created.items[0]]


async def test_a_batch_over_the_bound_is_refused_and_stores_nothing(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(BatchTooLarge):
        await CreateItems(uow, clock, max_items=3)([a_draft() for _ in range(4)])
    assert (await ListItems(uow)(ItemListQuery())).items == []


async def test_a_batch_holds_new_items_or_restored_ones_each_once(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    create_items = CreateItems(uow, clock)
    with pytest.raises(InvalidItem):
        await create_items([a_draft(), a_stored_item(id=9)])
    with pytest.raises(ItemAlreadyExists):
        await create_items([a_stored_item(id=9), a_stored_item(id=9, name="again")])
    assert (await ListItems(uow)(ItemListQuery())).items == []


async def test_a_batch_retried_under_its_key_is_answered_again_and_creates_nothing(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    create_items = CreateItems(uow, clock)
    batch = [a_draft(name="a"), a_draft(name="b")]
    first = await create_items(batch, idempotency_key="batch-1")
    again = await create_items(list(batch), idempotency_key="batch-1")
    assert again.items == first.items and again.replayed
    assert len((await ListItems(uow)(ItemListQuery())).items) == 2
    with pytest.raises(IdempotencyKeyReused):
        await create_items([a_draft(name="a")], idempotency_key="batch-1")
    # A single create's key is not a batch's, even for the same item.
    await CreateItem(uow, clock)(a_draft(name="a"), idempotency_key="one")
    with pytest.raises(IdempotencyKeyReused):
        await create_items([a_draft(name="a")], idempotency_key="one")


async def test_getting_many_answers_in_the_order_asked_each_once_without_the_missing(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = (await CreateItems(uow, clock)([a_draft(name=f"item {n}") for n in range(3)])).items
    found = await GetItems(uow)([3, 99, 1, 3, 0, 2**63])
    assert found == [created[2], created[0]]
    with pytest.raises(InvalidQuery):
        await GetItems(uow)([])
    with pytest.raises(InvalidQuery):
        await GetItems(uow)(list(range(1, GET_MANY_MAX + 2)))


async def test_an_export_pages_through_every_item_in_id_order(
    uow: MemoryUnitOfWorkFactory, clock: FakeClock
) -> None:
    created = (await CreateItems(uow, clock)([a_draft(name=f"item {n}") for n in range(10)])).items
    pages = [page async for page in ExportItems(uow, page_size=3)()]
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert [item for page in pages for item in page] == list(created)
    assert [page async for page in ExportItems(MemoryUnitOfWorkFactory())()] == []
