from domain.feed import FeedPosition
from domain.ports import UnitOfWorkFactory


class FeedHead:
    """Where a reader that has just read every item (a resync) starts following the feed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> FeedPosition | None:
        async with self._uow(read_only=True) as uow:
            return await uow.changes.head()
