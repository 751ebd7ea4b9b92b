"""The change contract (PUT, PATCH, conditional DELETE): one atomic step in every store.

A change merges the fields it gives over the stored ones, bumps the version only when something
changes, never moves the update time backwards, and under contention the last writer wins unless
the change names the versions it is allowed at.
"""

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from domain.errors import ItemNotFound, PreconditionFailed
from domain.item import Item, ItemChange
from domain.listing import ItemListQuery
from domain.ports import UnitOfWorkFactory
from tests.support.builders import NOW, an_item
from tests.support.stores import add, get

LATER = NOW + timedelta(seconds=1)


async def stored_item(uow_factory: UnitOfWorkFactory) -> tuple[int, Item]:
    stored = await add(uow_factory, an_item())
    assert stored.id is not None
    return stored.id, stored


async def apply(uow_factory: UnitOfWorkFactory, item_id: int, change: ItemChange) -> Item:
    async with uow_factory().single_write() as uow:
        changed = await uow.items.change(item_id, change)
        await uow.commit()
    return changed


async def test_a_change_sets_its_fields_and_bumps_version_and_update_time(
    uow_factory: UnitOfWorkFactory,
) -> None:
    item_id, stored = await stored_item(uow_factory)
    changed = await apply(uow_factory, item_id, ItemChange(LATER, name="Kettle", description="Tall"))
    # Every other field as stored: the id, the creation time, and any field the change does not name.
    expected = replace(stored, name="Kettle", description="Tall", updated_at=LATER, version=2)
    assert changed == expected
    assert await get(uow_factory, item_id) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"name": "Kettle"}, ("Kettle", "Short and stout")),
        ({"description": "Tall"}, ("Teapot", "Tall")),
        ({"description": ""}, ("Teapot", "")),
    ],
)
async def test_fields_a_change_leaves_out_keep_their_stored_values(
    uow_factory: UnitOfWorkFactory, given: dict[str, Any], expected: tuple[str, str]
) -> None:
    item_id, _ = await stored_item(uow_factory)
    changed = await apply(uow_factory, item_id, ItemChange(LATER, **given))
    assert (changed.name, changed.description, changed.version) == (*expected, 2)


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"name": "Teapot"},
        {"description": "Short and stout"},
        {"name": "Teapot", "description": "Short and stout"},
    ],
)
async def test_a_change_that_changes_nothing_is_not_written(
    uow_factory: UnitOfWorkFactory, given: dict[str, Any]
) -> None:
    item_id, stored = await stored_item(uow_factory)
    assert await apply(uow_factory, item_id, ItemChange(LATER, **given)) == stored
    assert await get(uow_factory, item_id) == stored


async def test_a_change_in_case_only_is_a_change(uow_factory: UnitOfWorkFactory) -> None:
    item_id, _ = await stored_item(uow_factory)
    changed = await apply(uow_factory, item_id, ItemChange(LATER, name="TEAPOT"))
    assert (changed.name, changed.version) == ("TEAPOT", 2)


async def test_the_update_time_never_moves_backwards(uow_factory: UnitOfWorkFactory) -> None:
    item_id, stored = await stored_item(uow_factory)
    changed = await apply(uow_factory, item_id, ItemChange(NOW - timedelta(hours=1), name="Kettle"))
    assert (changed.updated_at, changed.version) == (stored.updated_at, 2)


async def test_a_renamed_item_is_found_and_sorted_by_its_new_name(uow_factory: UnitOfWorkFactory) -> None:
    item_id, _ = await stored_item(uow_factory)
    await apply(uow_factory, item_id, ItemChange(LATER, name="Ångström Kettle"))
    async with uow_factory(read_only=True) as uow:
        found = await uow.items.list(ItemListQuery(name_contains="ÅNGSTRÖM"))
        gone = await uow.items.list(ItemListQuery(name_contains="teapot"))
    assert [item.id for item in found.items] == [item_id]
    assert gone.items == []


async def test_a_change_of_a_missing_item_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    for versions in (None, frozenset({1})):
        with pytest.raises(ItemNotFound):
            await apply(uow_factory, 999, ItemChange(LATER, name="Kettle", expected_versions=versions))


async def test_a_change_at_an_expected_version_is_applied(uow_factory: UnitOfWorkFactory) -> None:
    item_id, _ = await stored_item(uow_factory)
    changed = await apply(
        uow_factory, item_id, ItemChange(LATER, name="Kettle", expected_versions=frozenset({1, 7}))
    )
    assert (changed.name, changed.version) == ("Kettle", 2)


@pytest.mark.parametrize("versions", [frozenset({2}), frozenset({2, 3}), frozenset()])
@pytest.mark.parametrize("given", [{"name": "Kettle"}, {"name": "Teapot"}, {}])
async def test_a_change_at_no_expected_version_fails_its_precondition_and_writes_nothing(
    uow_factory: UnitOfWorkFactory, versions: frozenset[int], given: dict[str, Any]
) -> None:
    """Whether or not the change would change anything: the condition comes first."""
    item_id, stored = await stored_item(uow_factory)
    with pytest.raises(PreconditionFailed) as caught:
        await apply(uow_factory, item_id, ItemChange(LATER, expected_versions=versions, **given))
    assert (caught.value.item_id, caught.value.current) == (item_id, 1)
    assert await get(uow_factory, item_id) == stored


async def test_a_no_op_at_an_expected_version_answers_the_item_as_it_is(
    uow_factory: UnitOfWorkFactory,
) -> None:
    item_id, stored = await stored_item(uow_factory)
    unchanged = await apply(
        uow_factory, item_id, ItemChange(LATER, name="Teapot", expected_versions=frozenset({1}))
    )
    assert unchanged == stored


async def test_a_delete_at_an_expected_version_removes_the_item(uow_factory: UnitOfWorkFactory) -> None:
    item_id, _ = await stored_item(uow_factory)
    async with uow_factory().single_write() as uow:
        await uow.items.delete(item_id, frozenset({1, 5}))
        await uow.commit()
    assert await get(uow_factory, item_id) is None


@pytest.mark.parametrize("versions", [frozenset({2}), frozenset()])
async def test_a_delete_at_no_expected_version_fails_its_precondition(
    uow_factory: UnitOfWorkFactory, versions: frozenset[int]
) -> None:
    item_id, stored = await stored_item(uow_factory)
    async with uow_factory().single_write() as uow:
        with pytest.raises(PreconditionFailed) as caught:
            await uow.items.delete(item_id, versions)
    assert caught.value.current == 1
    assert await get(uow_factory, item_id) == stored


async def test_a_conditional_delete_of_a_missing_item_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory().single_write() as uow:
        with pytest.raises(ItemNotFound):
            await uow.items.delete(999, frozenset({1}))


async def test_changes_inside_a_unit_of_work_are_lost_with_it(uow_factory: UnitOfWorkFactory) -> None:
    """A change joins the unit of work's transaction, the no-op case (which locks the row) too."""
    item_id, stored = await stored_item(uow_factory)
    async with uow_factory() as uow:
        assert await uow.items.change(item_id, ItemChange(LATER, name="Teapot")) == stored
        renamed = await uow.items.change(item_id, ItemChange(LATER, name="Kettle"))
        assert renamed.version == 2
        with pytest.raises(PreconditionFailed):
            await uow.items.change(item_id, ItemChange(LATER, name="Pot", expected_versions=frozenset({1})))
    assert await get(uow_factory, item_id) == stored


async def test_concurrent_unconditional_changes_all_land_and_each_bumps_the_version(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """Last writer wins: none is refused, and every change that changed something is counted."""
    item_id, _ = await stored_item(uow_factory)
    writers = 12
    changed = await asyncio.gather(
        *(apply(uow_factory, item_id, ItemChange(LATER, name=f"writer {n}")) for n in range(writers))
    )
    final = await get(uow_factory, item_id)
    assert final is not None
    assert final.version == 1 + writers
    assert sorted(item.version for item in changed) == list(range(2, 2 + writers))
    assert final.name == next(item.name for item in changed if item.version == final.version)


async def test_of_concurrent_changes_at_one_version_exactly_one_wins(uow_factory: UnitOfWorkFactory) -> None:
    item_id, _ = await stored_item(uow_factory)

    async def rename(name: str) -> str:
        try:
            await apply(uow_factory, item_id, ItemChange(LATER, name=name, expected_versions=frozenset({1})))
        except PreconditionFailed as failed:
            assert failed.current == 2
            return "failed"
        return "won"

    outcomes = await asyncio.gather(*(rename(f"writer {n}") for n in range(8)))
    assert sorted(outcomes) == ["failed"] * 7 + ["won"]
    final = await get(uow_factory, item_id)
    assert final is not None and final.version == 2
