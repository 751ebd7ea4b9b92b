from application.change_item import change_checked
from domain.item import Item
from domain.ports import Clock, UnitOfWorkFactory


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
        return await change_checked(
            self._uow, self._clock, item_id, expected_versions, name=name, description=description
        )
