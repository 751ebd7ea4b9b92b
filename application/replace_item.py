from application.change_item import store_change, write_checked
from domain.item import Item
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory


class ReplaceItem:
    """PUT: every field is given; a field left out takes its default."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self,
        item_id: int,
        name: str,
        description: str = "",
        expected_versions: frozenset[int] | None = None,
    ) -> Item:
        async def replace(uow: UnitOfWork, current: Item) -> Item:
            return await store_change(uow, current, self._clock, name=name, description=description)

        return await write_checked(self._uow, item_id, expected_versions, replace)
