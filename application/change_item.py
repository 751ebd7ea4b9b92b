"""The read-check-write cycle that replacing, updating and deleting an item share."""

from collections.abc import Awaitable, Callable

from domain.errors import ItemNotFound, PreconditionFailed, VersionConflict
from domain.item import Item, check_item_id
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory

# Without expected versions the caller wants "last write wins": a concurrent writer that
# slipped in between our read and our write is retried over, a bounded number of times.
UNCONDITIONAL_ATTEMPTS = 5

# Given the unit of work and the current item, do the write; return what the caller gets.
Write = Callable[[UnitOfWork, Item], Awaitable[Item]]


async def write_checked(
    uow_factory: UnitOfWorkFactory, item_id: int, expected_versions: frozenset[int] | None, write: Write
) -> Item:
    """Run `write` on the current item if it is at one of `expected_versions` (any, when None).

    The write itself is conditional on the version read, so of concurrent writers expecting the
    same version exactly one succeeds; the others get PreconditionFailed.
    """
    check_item_id(item_id)
    attempts = UNCONDITIONAL_ATTEMPTS if expected_versions is None else 1
    for attempt in range(1, attempts + 1):
        try:
            async with uow_factory() as uow:
                current = await uow.items.get(item_id)
                if current is None:
                    raise ItemNotFound(item_id)
                if expected_versions is not None and current.version not in expected_versions:
                    raise PreconditionFailed(item_id, current.version)
                result = await write(uow, current)
                await uow.commit()
                return result
        except VersionConflict as conflict:
            if expected_versions is not None:
                raise PreconditionFailed(item_id, conflict.current) from conflict
            if attempt == attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


async def change_checked(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    item_id: int,
    expected_versions: frozenset[int] | None,
    *,
    name: str | None,
    description: str | None,
) -> Item:
    """Change the given fields (None: keep) as `write_checked` allows; a change that changes
    nothing is not written (nor versioned)."""

    async def store_change(uow: UnitOfWork, current: Item) -> Item:
        changed = current.changed(clock(), name=name, description=description)
        if changed is current:
            return current
        return await uow.items.update(changed, expected_version=current.version)

    return await write_checked(uow_factory, item_id, expected_versions, store_change)
