"""Listing contract: sort orders, cursors (keyset pages) and name search agree on every adapter."""

import asyncio

import pytest

from domain.listing import ItemListQuery, Sort, SortField, position_of
from domain.ports import UnitOfWorkFactory
from tests.support.builders import an_item
from tests.support.stores import SORTS, START, add, expected_order, fill, walk


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.token)
async def test_cursor_pages_visit_every_item_once_in_sort_order(
    uow_factory: UnitOfWorkFactory, sort: Sort
) -> None:
    stored = await fill(uow_factory)
    assert await walk(uow_factory, sort, limit=5) == expected_order(stored, sort)


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.token)
async def test_offset_pages_follow_the_same_order(uow_factory: UnitOfWorkFactory, sort: Sort) -> None:
    stored = await fill(uow_factory)
    async with uow_factory(read_only=True) as uow:
        page = await uow.items.list(ItemListQuery(skip=3, limit=4, sort=sort))
    assert [item.id for item in page.items] == expected_order(stored, sort)[3:7]


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("alpha", {"Alpha", "ALPHA"}),
        ("strasse", {"Straße", "STRASSE"}),
        ("SS", {"Straße", "STRASSE"}),
        ("ΩMEGA", {"Ωmega", "ωMEGA"}),
        ("%", {"50%"}),
        ("_", {"5_0"}),
        ("/", set()),  # the adapters' LIKE escape character is matched literally too
        ("É", {"Éclair", "é"}),
        ("nothing", set()),
    ],
)
async def test_name_search_is_case_insensitive_unicode_and_literal(
    uow_factory: UnitOfWorkFactory, search: str, names: set[str]
) -> None:
    stored = {item.id: item.name for item in await fill(uow_factory)}
    found = await walk(uow_factory, Sort(SortField.NAME), limit=1, search=search)
    assert {stored[item_id] for item_id in found} == names
    assert len(found) == len(names)


async def test_a_cursor_neither_skips_nor_repeats_items_while_others_come_and_go(
    uow_factory: UnitOfWorkFactory,
) -> None:
    stored = await fill(uow_factory)
    sort = Sort(SortField.NAME)
    async with uow_factory(read_only=True) as uow:
        first = await uow.items.list(ItemListQuery(limit=4, sort=sort))
    seen = [item.id for item in first.items]
    # Meanwhile: an item sorting before the cursor arrives, one not yet seen leaves.
    gone = next(item for item in reversed(stored) if item.id not in seen)
    await add(uow_factory, an_item(name="aaa", description="", now=START))
    async with uow_factory() as uow:
        assert gone.id is not None
        await uow.items.delete(gone.id)
        await uow.commit()
    query = ItemListQuery(limit=100, sort=sort, after=position_of(first.items[-1], sort))
    async with uow_factory(read_only=True) as uow:
        rest = [item.id for item in (await uow.items.list(query)).items]
    survivors = [item_id for item_id in expected_order(stored, sort) if item_id != gone.id]
    assert seen + rest == survivors


async def test_concurrent_readers_page_independently(uow_factory: UnitOfWorkFactory) -> None:
    stored = await fill(uow_factory)
    walks = await asyncio.gather(*(walk(uow_factory, sort, limit=3) for sort in SORTS))
    assert walks == [expected_order(stored, sort) for sort in SORTS]
