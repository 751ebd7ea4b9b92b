from application.change_item import write_checked
from domain.errors import PreconditionFailed, VersionConflict
from domain.item import Item, check_item_id
from domain.ports import UnitOfWork, UnitOfWorkFactory


class DeleteItem:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        if expected_versions is None or len(expected_versions) == 1:
            await self._delete_alone(item_id, expected_versions)
            return

        async def delete(uow: UnitOfWork, current: Item) -> Item:
            await uow.items.delete(item_id, expected_version=current.version)
            return current

        await write_checked(self._uow, item_id, expected_versions, delete)

    async def _delete_alone(self, item_id: int, expected_versions: frozenset[int] | None) -> None:
        """No version, or exactly one: the delete (conditional on it) is a single write."""
        check_item_id(item_id)
        expected_version = None if expected_versions is None else next(iter(expected_versions))
        async with self._uow().single_write() as uow:
            try:
                await uow.items.delete(item_id, expected_version=expected_version)
            except VersionConflict as conflict:
                raise PreconditionFailed(item_id, conflict.current) from conflict
            await uow.commit()
