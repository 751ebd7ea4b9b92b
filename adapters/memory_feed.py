"""The memory store's change feed and relay checkpoints: staged like its items, kept at commit.

Writers commit one at a time (the store's writer lock), so positions are handed out at commit in
commit order, all in transaction 0 (domain.feed.FeedPosition).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from datetime import datetime

from domain.errors import FeedPositionPruned
from domain.feed import FeedPosition, RecordedChange, RelayLease
from domain.ports import ChangeFeed, RelayCheckpoints


class ChangeLog:
    """The changes the store keeps, oldest first, and where pruning stopped."""

    def __init__(self) -> None:
        self.changes: list[RecordedChange] = []
        self.horizon: FeedPosition | None = None
        self._last_sequence = 0

    def next_position(self) -> FeedPosition:
        self._last_sequence += 1
        return FeedPosition(0, self._last_sequence)

    def prune_through(self, position: FeedPosition) -> None:
        kept = self.changes
        del kept[: bisect_right(kept, position, key=lambda change: change.position)]
        self.horizon = position


class MemoryChangeFeed(ChangeFeed):
    def __init__(self, log: ChangeLog) -> None:
        self._log = log
        # Pruning staged until commit, like every other write.
        self.pruned_through: FeedPosition | None = None

    async def read(self, after: FeedPosition | None, limit: int) -> list[RecordedChange]:
        horizon = self._log.horizon
        if horizon is not None and (after is None or after < horizon):
            raise FeedPositionPruned()
        kept = self._log.changes
        start = 0 if after is None else bisect_right(kept, after, key=lambda change: change.position)
        return kept[start : start + limit]

    async def head(self) -> FeedPosition | None:
        return self._log.changes[-1].position if self._log.changes else self._log.horizon

    async def prune(self, before: datetime) -> int:
        old = [change for change in self._log.changes if change.recorded_at < before]
        if old:
            self.pruned_through = old[-1].position
        return len(old)


class MemoryRelayCheckpoints(RelayCheckpoints):
    def __init__(self, kept: dict[str, RelayLease]) -> None:
        self._kept = kept
        self.pending: dict[str, RelayLease] = {}

    def _current(self, relay: str) -> RelayLease | None:
        return self.pending.get(relay) or self._kept.get(relay)

    async def hold(self, relay: str, holder: str, now: datetime, until: datetime) -> RelayLease | None:
        current = self._current(relay)
        if current is not None and current.holder != holder and current.until > now:
            return None
        lease = RelayLease(relay, holder, until, None if current is None else current.position)
        self.pending[relay] = lease
        return lease

    async def advance(self, relay: str, holder: str, position: FeedPosition) -> bool:
        current = self._current(relay)
        if current is None or current.holder != holder:
            return False
        self.pending[relay] = replace(current, position=position)
        return True
