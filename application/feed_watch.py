"""Waits for the feed to move, for every waiting reader of this process at once."""

import asyncio
import contextlib

from domain.errors import DomainError
from domain.feed import FeedPosition
from domain.ports import UnitOfWorkFactory

POLL_INTERVAL = 0.2


class FeedWatch:
    """One task per process reads the feed's head while anyone waits, and wakes the waiters it
    has moved past: a thousand idle long polls cost one small query every POLL_INTERVAL, and
    nothing when none wait. (Writes on another replica are seen within that interval.)"""

    def __init__(self, uow: UnitOfWorkFactory, interval: float = POLL_INTERVAL) -> None:
        self._uow = uow
        self._interval = interval
        self._head: FeedPosition | None = None
        self._moved: asyncio.Condition | None = None
        self._waiting = 0
        self._poller: asyncio.Task[None] | None = None

    async def wait_past(self, after: FeedPosition | None, seconds: float) -> bool:
        """Whether the feed's head moved past `after` within `seconds`."""
        moved = self._moved = self._moved or asyncio.Condition()
        self._waiting += 1
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(moved))
        try:
            async with moved:
                await asyncio.wait_for(moved.wait_for(lambda: self._past(after)), seconds)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting -= 1

    def _past(self, after: FeedPosition | None) -> bool:
        return self._head is not None and (after is None or self._head > after)

    async def _poll(self, moved: asyncio.Condition) -> None:
        while self._waiting:
            # A store that fails now may answer next time; waiters time out meanwhile.
            with contextlib.suppress(DomainError):
                async with self._uow(read_only=True) as uow:
                    head = await uow.changes.head()
                if head != self._head:
                    self._head = head
                    async with moved:
                        moved.notify_all()
            await asyncio.sleep(self._interval)
