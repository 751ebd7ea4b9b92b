from domain.errors import ItemNotFound
from domain.item import Item, check_item_id
from domain.ports import UnitOfWorkFactory


class GetItem:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_id: int) -> Item:
        check_item_id(item_id)
        async with self._uow(read_only=True) as uow:
            item = await uow.items.get(item_id)
        if item is None:
            raise ItemNotFound(item_id)
        return item
