"""The relay: the feed, in feed order, to a broker, from the position it stored last time."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from domain.errors import DomainError, FeedPositionPruned
from domain.feed import FeedPosition, RelayLease
from domain.ports import ChangePublisher, Clock, UnitOfWorkFactory

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RelayTurn:
    holding: bool  # whether this process held the lease
    published: int = 0
    repeats: int = 0  # of those, how many the broker already had (published before a crash)


class RelayChanges:
    """Publishes every kept change at least once, one item's changes in version order.

    Only the holder of the relay's lease publishes: others wait and take over once it runs out
    (a holder killed mid-turn stops renewing it). The holder publishes only while its lease
    surely runs (a publish may take `publish_timeout`), so a stalled holder never publishes beside
    its successor; and it stores its position only after the broker has confirmed, so a crash
    republishes at most the changes since, under the same deduplication ids.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        publisher: ChangePublisher,
        clock: Clock,
        *,
        relay: str,
        holder: str,
        lease: timedelta,
        publish_timeout: timedelta,
        batch: int,
    ) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock
        self._relay = relay
        self._holder = holder
        self._lease = lease
        self._publish_timeout = publish_timeout
        self._batch = batch

    async def turn(self) -> RelayTurn:
        """Hold (or renew) the lease, publish the next batch, store how far it got."""
        now = self._clock()
        async with self._uow() as uow:
            lease = await uow.relays.hold(self._relay, self._holder, now, now + self._lease)
            await uow.commit()
        if lease is None:
            return RelayTurn(holding=False)
        async with self._uow(read_only=True) as uow:
            changes = await uow.changes.read(lease.position, self._batch)
        published: FeedPosition | None = None
        count = repeats = 0
        try:
            for change in changes:
                if not self._surely_held(lease):
                    break
                repeats += await self._publisher.publish(change)
                published = change.position
                count += 1
        finally:
            if published is not None:
                await self._advance(published)
        return RelayTurn(True, count, repeats)

    def _surely_held(self, lease: RelayLease) -> bool:
        return self._clock() + self._publish_timeout < lease.until

    async def _advance(self, position: FeedPosition) -> None:
        async with self._uow().single_write() as uow:
            await uow.relays.advance(self._relay, self._holder, position)
            await uow.commit()

    async def run(self, stop: asyncio.Event, idle: float) -> None:
        """Turn until `stop` is set: at once while there is more, every `idle` seconds when the
        feed is quiet or the store or broker fails, and a third of a lease while another holds it."""
        while not stop.is_set():
            pause = idle
            try:
                turn = await self.turn()
            except FeedPositionPruned:
                raise  # fell behind the retention period: nothing to retry, an operator must act
            except DomainError as error:
                logger.warning("relay turn failed (%s); retrying in %.1f s", error, idle)
            else:
                if not turn.holding:
                    pause = self._lease.total_seconds() / 3
                elif turn.published:
                    logger.info("published %d changes (%d repeats)", turn.published, turn.repeats)
                    pause = 0
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
