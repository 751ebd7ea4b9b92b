from collections.abc import Sequence

from domain.errors import InvalidQuery
from domain.item import ITEM_ID_MAX, ITEM_ID_MIN, Item
from domain.listing import LIST_LIMIT_MAX
from domain.ports import UnitOfWorkFactory

# As many items as a page holds.
GET_MANY_MAX = LIST_LIMIT_MAX


class GetItems:
    """The items with the ids asked for, in the order asked (each once), missing ones left out."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_ids: Sequence[int]) -> list[Item]:
        if not 1 <= len(item_ids) <= GET_MANY_MAX:
            raise InvalidQuery("id", f"ask for 1 to {GET_MANY_MAX} ids at a time")
        # Ids outside the range no item can have are simply missing.
        wanted = [item_id for item_id in dict.fromkeys(item_ids) if ITEM_ID_MIN <= item_id <= ITEM_ID_MAX]
        if not wanted:
            return []
        async with self._uow(read_only=True) as uow:
            found = {item.id: item for item in await uow.items.get_many(wanted)}
        return [found[item_id] for item_id in wanted if item_id in found]
