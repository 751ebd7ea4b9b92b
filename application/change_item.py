"""What replacing and updating an item share: one atomic change in the store, no read before it."""

from collections.abc import Mapping
from typing import Any

from domain.item import Item, ItemChange, check_item_id
from domain.ports import Clock, UnitOfWorkFactory


class ItemChanger:
    """Applies a change to an item and returns it as it now is.

    Without expected versions the last writer wins: the store applies the change over whatever
    version it finds, so a client that asked for no condition is never refused for one.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def _apply(
        self, item_id: int, fields: Mapping[str, Any], expected_versions: frozenset[int] | None
    ) -> Item:
        """`fields`: client fields by name (domain.item.CLIENT_FIELDS) to set; None keeps one."""
        check_item_id(item_id)
        change = ItemChange(self._clock(), expected_versions=expected_versions, **fields)
        async with self._uow().single_write() as uow:
            item = await uow.items.change(item_id, change)
            await uow.commit()
        return item
