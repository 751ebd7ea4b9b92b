"""SQLite's writers take turns, in order, and none waits for its turn longer than the pool allows."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from domain.errors import StorageUnavailable


class WriterTurns:
    """A queue of writers, one at a time; a writer still queued after `wait_seconds` gets a 503.

    SQLite has one writer at a time; queueing writers here beats having them spin on the file
    lock (writers in other processes still wait on busy_timeout). Without a bound, a request
    under overload would wait as long as the whole queue ahead of it takes.
    """

    def __init__(self, wait_seconds: float | None) -> None:
        self._lock = asyncio.Lock()
        self._wait_seconds = wait_seconds

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> "WriterTurns":
        """The same bound as a request's wait for a pooled connection (DB_POOL_TIMEOUT)."""
        pool = engine.pool
        return cls(pool.timeout() if isinstance(pool, QueuePool) else None)

    async def acquire(self) -> None:
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._lock.acquire()
        except TimeoutError:
            raise StorageUnavailable("storage overloaded: no turn to write in time") from None

    def release(self) -> None:
        self._lock.release()
