"""The read-check-write cycle that replacing and updating an item share."""

from domain.errors import ItemNotFound, VersionConflict
from domain.item import Item, check_item_id
from domain.ports import Clock, UnitOfWorkFactory

# Without an expected version the caller wants "last write wins": a concurrent writer that
# slipped in between our read and our write is retried over, a bounded number of times.
UNCONDITIONAL_ATTEMPTS = 5


async def change_item(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    item_id: int,
    expected_version: int | None,
    *,
    name: str | None,
    description: str | None,
) -> Item:
    check_item_id(item_id)
    attempts = 1 if expected_version is not None else UNCONDITIONAL_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            async with uow_factory() as uow:
                current = await uow.items.get(item_id)
                if current is None:
                    raise ItemNotFound(item_id)
                if expected_version is not None and current.version != expected_version:
                    raise VersionConflict(item_id, expected_version, current.version)
                changed = current.changed(clock(), name=name, description=description)
                if changed is current:
                    return current
                stored = await uow.items.update(changed, expected_version=current.version)
                await uow.commit()
                return stored
        except VersionConflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
