from domain.item import check_item_id
from domain.ports import UnitOfWorkFactory


class DeleteItem:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        """Delete the item; with expected versions, only if it is at one of them."""
        check_item_id(item_id)
        async with self._uow().single_write() as uow:
            await uow.items.delete(item_id, expected_versions)
            await uow.commit()
