from application.feed_watch import FeedWatch
from domain.errors import InvalidQuery
from domain.feed import FEED_LIMIT_MAX, FEED_WAIT_MAX, FeedPosition, RecordedChange
from domain.ports import UnitOfWorkFactory


class ReadChanges:
    """The changes after a position; with `wait`, up to that many seconds for one to come."""

    def __init__(self, uow: UnitOfWorkFactory, watch: FeedWatch) -> None:
        self._uow = uow
        self._watch = watch

    async def __call__(self, after: FeedPosition | None, limit: int, wait: float = 0) -> list[RecordedChange]:
        if not 1 <= limit <= FEED_LIMIT_MAX:
            raise InvalidQuery("limit", f"must be 1 to {FEED_LIMIT_MAX}")
        if not 0 <= wait <= FEED_WAIT_MAX:
            raise InvalidQuery("wait", f"must be 0 to {FEED_WAIT_MAX} seconds")
        changes = await self._read(after, limit)
        if changes or not wait or not await self._watch.wait_past(after, wait):
            return changes
        return await self._read(after, limit)

    async def _read(self, after: FeedPosition | None, limit: int) -> list[RecordedChange]:
        async with self._uow(read_only=True) as uow:
            return await uow.changes.read(after, limit)
