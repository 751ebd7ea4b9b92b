"""In-memory store: a real implementation of the ports, for unit tests and demos.

Writers are serialized by a lock and stage their changes until commit, so a unit of
work that is rolled back leaves the store exactly as it was, as in a database.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Self

from domain.errors import ItemNotFound, VersionConflict
from domain.idempotency import IdempotentCreate
from domain.item import Item
from domain.listing import ItemListQuery, ItemPage, page_of
from domain.ports import IdempotencyKeys, ItemRepository, UnitOfWork


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self.ids = itertools.count(1)
        self.idempotent_creates: dict[str, IdempotentCreate] = {}
        # One writer at a time, as in SQLite: a retry under the same idempotency key waits for the first.
        self.writer = asyncio.Lock()


class MemoryItemRepository(ItemRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        # Staged changes: an Item to write, None to delete.
        self.pending: dict[int, Item | None] = {}

    def _current(self, item_id: int) -> Item | None:
        if item_id in self.pending:
            return self.pending[item_id]
        return self._store.items.get(item_id)

    async def add(self, item: Item) -> Item:
        # Like a database sequence, an id is never handed out twice, even after a rollback.
        item_id = next(self._store.ids)
        stored = replace(item, id=item_id)
        self.pending[item_id] = stored
        return stored

    async def get(self, item_id: int) -> Item | None:
        return self._current(item_id)

    async def list(self, query: ItemListQuery) -> ItemPage:
        ids = self._store.items.keys() | self.pending.keys()
        return page_of([item for item in map(self._current, ids) if item is not None], query)

    async def update(self, item: Item, expected_version: int) -> Item:
        assert item.id is not None, "only a stored item can be updated"
        self._check_version(item.id, expected_version)
        self.pending[item.id] = item
        return item

    async def delete(self, item_id: int, expected_version: int | None = None) -> None:
        self._check_version(item_id, expected_version)
        self.pending[item_id] = None

    def _check_version(self, item_id: int, expected_version: int | None) -> None:
        current = self._current(item_id)
        if current is None:
            raise ItemNotFound(item_id)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(item_id, expected_version, current.version)


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
        self._read_only = read_only
        self.items: MemoryItemRepository = MemoryItemRepository(store)
        self.idempotency: MemoryIdempotencyKeys = MemoryIdempotencyKeys(store)

    async def __aenter__(self) -> Self:
        if not self._read_only:
            await self._store.writer.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()
        if not self._read_only:
            self._store.writer.release()

    async def commit(self) -> None:
        for item_id, item in self.items.pending.items():
            if item is None:
                self._store.items.pop(item_id, None)
            else:
                self._store.items[item_id] = item
        self._store.idempotent_creates.update(self.idempotency.pending)
        await self.rollback()

    async def rollback(self) -> None:
        self.items.pending.clear()
        self.idempotency.pending.clear()


class MemoryUnitOfWorkFactory:
    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store or MemoryStore()

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, read_only=read_only)


class MemoryStoreProbe:
    """A store in this very process is always there."""

    async def __call__(self) -> None:
        return None
