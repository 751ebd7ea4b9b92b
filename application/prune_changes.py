from datetime import timedelta

from domain.ports import Clock, UnitOfWorkFactory


class PruneChanges:
    """Forget the changes older than the retention period; readers behind them must resync."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, retention: timedelta) -> None:
        self._uow = uow
        self._clock = clock
        self._retention = retention

    async def __call__(self) -> int:
        async with self._uow() as uow:
            gone = await uow.changes.prune(self._clock() - self._retention)
            await uow.commit()
        return gone
