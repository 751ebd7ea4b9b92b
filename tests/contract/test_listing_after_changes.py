"""Listing contract, continued: every order stays right while items change, on every adapter.

Renames move items in the name order, long runs of equal names page by id in both directions,
a rolled-back unit of work leaves every order as it was, a unit of work lists its own staged
changes, a search counts an offset in matching items only, and a cursor outlives its item.
"""

from datetime import timedelta

from domain.item import Item, ItemChange
from domain.listing import ItemListQuery, Position, Sort, SortField, comes_after, position_of
from domain.ports import UnitOfWork, UnitOfWorkFactory
from tests.support.builders import an_item
from tests.support.stores import SORTS, START, add, expected_order, fill, walk

LATER = START + timedelta(days=1)
TIE_SORTS = [sort for sort in SORTS if sort.field is not SortField.ID]


async def ids(uow: UnitOfWork, query: ItemListQuery) -> list[int | None]:
    return [item.id for item in (await uow.items.list(query)).items]


def beyond(items: list[Item], position: Position, sort: Sort) -> list[int | None]:
    """The ids a page after `position` must list, in order, whether or not an item is still there."""
    return expected_order([item for item in items if comes_after(item, position, sort)], sort)


async def rename(uow: UnitOfWork, item: Item, name: str) -> Item:
    assert item.id is not None
    return await uow.items.change(
        item.id, ItemChange(LATER, name=name, expected_versions=frozenset({item.version}))
    )


async def test_renamed_items_move_in_the_name_order_and_nowhere_else(uow_factory: UnitOfWorkFactory) -> None:
    stored = await fill(uow_factory)
    # To the front, to a tie with another name (then the id decides), and to the end.
    renames = {0: "AAA", 11: "alpha", 1: "zzz"}
    async with uow_factory() as uow:
        for index, name in renames.items():
            stored[index] = await rename(uow, stored[index], name)
        await uow.commit()
    for sort in SORTS:
        assert await walk(uow_factory, sort, limit=4) == expected_order(stored, sort), sort.token


async def test_many_equal_names_page_by_id_in_both_directions(uow_factory: UnitOfWorkFactory) -> None:
    # Equal once folded, in different cases, and at one instant: only the id orders them.
    stored = [
        await add(uow_factory, an_item(name=name, description="", now=START))
        for name in ["same", "SAME", "Same"] * 5
    ]
    for sort in TIE_SORTS:
        expected = expected_order(stored, sort)
        assert await walk(uow_factory, sort, limit=4) == expected, sort.token
        async with uow_factory(read_only=True) as uow:
            page = await uow.items.list(ItemListQuery(skip=5, limit=6, sort=sort))
        assert [item.id for item in page.items] == expected[5:11], sort.token


async def test_a_rolled_back_unit_of_work_leaves_every_order_as_it_was(
    uow_factory: UnitOfWorkFactory,
) -> None:
    stored = await fill(uow_factory)
    async with uow_factory() as uow:
        await uow.items.add(an_item(name="aaa", description="", now=START - timedelta(days=1)))
        await rename(uow, stored[3], "AAAA")
        await rename(uow, stored[4], "zzz")
        assert stored[5].id is not None
        await uow.items.delete(stored[5].id)
        await uow.rollback()
    for sort in SORTS:
        assert await walk(uow_factory, sort, limit=5) == expected_order(stored, sort), sort.token


async def test_a_unit_of_work_lists_its_own_staged_changes_in_order(uow_factory: UnitOfWorkFactory) -> None:
    stored = await fill(uow_factory)
    async with uow_factory() as uow:
        staged = [*stored, await uow.items.add(an_item(name="b", description="", now=START))]
        staged[2] = await rename(uow, staged[2], "a")
        gone = staged.pop(7)
        assert gone.id is not None
        await uow.items.delete(gone.id)
        for sort in SORTS:
            expected = expected_order(staged, sort)
            assert await ids(uow, ItemListQuery(limit=100, sort=sort)) == expected, sort.token
            assert await ids(uow, ItemListQuery(skip=3, limit=4, sort=sort)) == expected[3:7], sort.token
            where_gone_was = position_of(gone, sort)
            after_gone = ItemListQuery(limit=100, sort=sort, after=where_gone_was)
            assert await ids(uow, after_gone) == beyond(staged, where_gone_was, sort), sort.token
        await uow.commit()
    for sort in SORTS:
        assert await walk(uow_factory, sort, limit=5) == expected_order(staged, sort), sort.token


async def test_a_search_counts_its_offset_in_matching_items_only(uow_factory: UnitOfWorkFactory) -> None:
    stored = await fill(uow_factory)
    # "a" is in the names of Alpha, ALPHA, beta, Straße, STRASSE, Ωmega, ωMEGA, zeta and Éclair.
    matching = [item for item in stored if "a" in item.name.casefold()]
    for sort in SORTS:
        async with uow_factory(read_only=True) as uow:
            page = await uow.items.list(ItemListQuery(skip=2, limit=3, sort=sort, name_contains="A"))
        assert [item.id for item in page.items] == expected_order(matching, sort)[2:5], sort.token
        assert page.has_more


async def test_a_cursor_continues_after_its_item_was_renamed_or_deleted(
    uow_factory: UnitOfWorkFactory,
) -> None:
    stored = await fill(uow_factory)
    async with uow_factory(read_only=True) as uow:
        first = await uow.items.list(ItemListQuery(limit=4, sort=Sort(SortField.NAME)))
    deleted, renamed = first.items[-1], first.items[-2]
    assert deleted.id is not None
    async with uow_factory() as uow:
        await uow.items.delete(deleted.id)
        moved = await rename(uow, renamed, "zzz")
        await uow.commit()
    now = [moved if item.id == moved.id else item for item in stored if item.id != deleted.id]
    for sort in SORTS:
        for was in (deleted, renamed):
            async with uow_factory(read_only=True) as uow:
                page = await ids(uow, ItemListQuery(limit=100, sort=sort, after=position_of(was, sort)))
            assert page == beyond(now, position_of(was, sort), sort), (sort.token, was.name)
