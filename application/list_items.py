from domain.item import Item
from domain.ports import ItemListQuery, UnitOfWorkFactory


class ListItems:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, query: ItemListQuery) -> list[Item]:
        async with self._uow(read_only=True) as uow:
            return await uow.items.list(query)
