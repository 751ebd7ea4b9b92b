from domain.item import check_item_id
from domain.ports import UnitOfWorkFactory


class DeleteItem:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_id: int, expected_version: int | None = None) -> None:
        check_item_id(item_id)
        async with self._uow() as uow:
            await uow.items.delete(item_id, expected_version)
            await uow.commit()
