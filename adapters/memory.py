"""In-memory store: a real implementation of the ports, for unit tests and demos.

Writers are serialized by a lock and stage their changes until commit, so a unit of
work that is rolled back leaves the store (its items and their index) exactly as it was,
as in a database. Pages are read from the index (adapters/memory_index.py), not sorted.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Self

from adapters.clock import utc_now
from adapters.memory_feed import ChangeLog, MemoryChangeFeed, MemoryRelayCheckpoints
from adapters.memory_index import ItemIndex
from domain.errors import ItemAlreadyExists, ItemNotFound
from domain.feed import ChangeKind, RecordedChange, RelayLease
from domain.idempotency import IdempotentCreate
from domain.item import Item, ItemChange, as_utc, check_version
from domain.listing import ItemListQuery, ItemPage, comes_after, matches, order_key
from domain.ports import IdempotencyKeys, ItemRepository, UnitOfWork


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self.index = ItemIndex()
        # The highest id handed out or restored: like a database sequence, never handed out twice,
        # even after a rollback.
        self.last_id = 0
        self.idempotent_creates: dict[str, IdempotentCreate] = {}
        self.log = ChangeLog()
        self.relays: dict[str, RelayLease] = {}
        # One writer at a time, as in SQLite: a retry under the same idempotency key waits for the first.
        self.writer = asyncio.Lock()

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def write(self, item_id: int, item: Item | None) -> None:
        """Keep `item` under `item_id` (None: remove it), in the items and their index alike."""
        old = self.items.get(item_id)
        self.index.move(old, item)
        if item is None:
            self.items.pop(item_id, None)
        else:
            self.items[item_id] = item


def _stored(item: Item, item_id: int) -> Item:
    """The item as a store keeps it: with its id, and its times in UTC as every store gives them back
    (the index compares them, and an aware time cannot be compared with a naive one)."""
    return replace(item, id=item_id, created_at=as_utc(item.created_at), updated_at=as_utc(item.updated_at))


class MemoryItemRepository(ItemRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        # Staged changes: an Item to write, None to delete.
        self.pending: dict[int, Item | None] = {}
        # What each staged write records in the feed, in the order they were made.
        self.recorded: list[tuple[int, ChangeKind, int, Item | None]] = []

    def _current(self, item_id: int) -> Item | None:
        if item_id in self.pending:
            return self.pending[item_id]
        return self._store.items.get(item_id)

    async def add(self, item: Item) -> Item:
        return self._staged(_stored(item, self._store.next_id()))

    async def add_many(self, items: Sequence[Item]) -> list[Item]:
        restored = [item.id for item in items if item.id is not None]
        if not restored:
            return [await self.add(item) for item in items]
        assert len(restored) == len(items), "a batch restores every item or none"
        self._store.last_id = max(self._store.last_id, *restored)
        staged = []
        for item, item_id in zip(items, restored, strict=True):
            if self._current(item_id) is not None:
                raise ItemAlreadyExists(item_id)  # the unit of work rolls back what was staged
            staged.append(self._staged(_stored(item, item_id)))
        return staged

    def _staged(self, stored: Item) -> Item:
        assert stored.id is not None
        self.pending[stored.id] = stored
        self.recorded.append((stored.id, ChangeKind.CREATED, stored.version, stored))
        return stored

    async def get(self, item_id: int) -> Item | None:
        return self._current(item_id)

    async def get_many(self, item_ids: Sequence[int]) -> list[Item]:
        return [item for item in map(self._current, item_ids) if item is not None]

    async def list(self, query: ItemListQuery) -> ItemPage:
        folded = query.folded_search
        # The index can seek an offset only when every item it holds is one the page counts.
        seek = folded is None and not self.pending
        ordered = self._in_order(query, skip=query.skip if seek else 0)
        chosen = ordered if folded is None else (item for item in ordered if matches(item, folded))
        start = 0 if seek else query.skip
        window = list(itertools.islice(chosen, start, start + query.limit + 1))
        return ItemPage(window[: query.limit], has_more=len(window) > query.limit)

    def _in_order(self, query: ItemListQuery, *, skip: int) -> Iterator[Item]:
        """This unit of work's view of the items in the query's order, from `skip` or its cursor on."""
        sort = query.sort
        items = self._store.items
        ids = self._store.index.ids(sort, skip=skip, after=query.after)
        if not self.pending:
            return (items[item_id] for item_id in ids)
        # Staged changes are few: sorted apart, then merged into the committed order they shadow.
        committed = (items[item_id] for item_id in ids if item_id not in self.pending)
        staged = sorted(
            (
                item
                for item in self.pending.values()
                if item is not None and (query.after is None or comes_after(item, query.after, sort))
            ),
            key=lambda item: order_key(item, sort),
            reverse=sort.descending,
        )
        return heapq.merge(committed, staged, key=lambda item: order_key(item, sort), reverse=sort.descending)

    async def change(self, item_id: int, change: ItemChange) -> Item:
        current = self._existing(item_id, change.expected_versions)
        changed = change.applied_to(current)
        if changed is current:
            return current
        stored = _stored(changed, item_id)
        self.pending[item_id] = stored
        self.recorded.append((item_id, ChangeKind.UPDATED, stored.version, stored))
        return stored

    async def delete(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        current = self._existing(item_id, expected_versions)
        self.pending[item_id] = None
        self.recorded.append((item_id, ChangeKind.DELETED, current.version + 1, None))

    def _existing(self, item_id: int, expected_versions: frozenset[int] | None) -> Item:
        """The item a write may go ahead on (the writer lock keeps it so until commit)."""
        current = self._current(item_id)
        if current is None:
            raise ItemNotFound(item_id)
        check_version(item_id, current.version, expected_versions)
        return current


class MemoryIdempotencyKeys(IdempotencyKeys):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.pending: dict[str, IdempotentCreate] = {}

    async def claim(self, key: str, now: datetime) -> IdempotentCreate | None:
        kept = self._store.idempotent_creates
        for expired in [stored for stored, create in kept.items() if create.expires_at <= now]:
            del kept[expired]
        return kept.get(key)

    async def remember(self, create: IdempotentCreate) -> None:
        self.pending[create.key] = create


class MemoryUnitOfWork(UnitOfWork):
    def __init__(self, store: MemoryStore, *, read_only: bool) -> None:
        self._store = store
        # Writers, and snapshot readers (no write may commit between their reads), hold the writer lock.
        self._locks = not read_only
        self.items: MemoryItemRepository = MemoryItemRepository(store)
        self.idempotency: MemoryIdempotencyKeys = MemoryIdempotencyKeys(store)
        self.changes: MemoryChangeFeed = MemoryChangeFeed(store.log)
        self.relays: MemoryRelayCheckpoints = MemoryRelayCheckpoints(store.relays)

    def snapshot(self) -> Self:
        self._locks = True
        return self

    async def __aenter__(self) -> Self:
        if self._locks:
            await self._store.writer.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()
        if self._locks:
            self._store.writer.release()

    async def commit(self) -> None:
        for item_id, item in self.items.pending.items():
            self._store.write(item_id, item)
        self._store.idempotent_creates.update(self.idempotency.pending)
        log = self._store.log
        recorded_at = utc_now()
        for item_id, kind, version, item in self.items.recorded:
            log.changes.append(RecordedChange(log.next_position(), item_id, kind, version, recorded_at, item))
        if self.changes.pruned_through is not None:
            log.prune_through(self.changes.pruned_through)
        self._store.relays.update(self.relays.pending)
        await self.rollback()

    async def rollback(self) -> None:
        self.items.pending.clear()
        self.items.recorded.clear()
        self.idempotency.pending.clear()
        self.changes.pruned_through = None
        self.relays.pending.clear()


class MemoryUnitOfWorkFactory:
    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store or MemoryStore()

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, read_only=read_only)


class MemoryStoreProbe:
    """A store in this very process is always there."""

    async def __call__(self) -> None:
        return None
