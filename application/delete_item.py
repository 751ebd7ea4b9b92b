from application.change_item import write_checked
from domain.item import Item
from domain.ports import UnitOfWork, UnitOfWorkFactory


class DeleteItem:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        async def delete(uow: UnitOfWork, current: Item) -> Item:
            await uow.items.delete(item_id, expected_version=current.version)
            return current

        await write_checked(self._uow, item_id, expected_versions, delete)
