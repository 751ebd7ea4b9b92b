from domain.item import Item
from domain.ports import Clock, UnitOfWorkFactory


class CreateItem:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, name: str, description: str = "") -> Item:
        item = Item.new(name, description, self._clock())
        async with self._uow() as uow:
            stored = await uow.items.add(item)
            await uow.commit()
        return stored
