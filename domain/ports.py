"""The ports the application needs from the outside world, in domain types only."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.errors import InvalidQuery
from domain.item import ITEM_ID_MAX, Item

LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 10
# Offsets are 64-bit in every store.
LIST_SKIP_MAX = ITEM_ID_MAX


@dataclass(frozen=True, slots=True)
class ItemListQuery:
    """Which items to list: `limit` items after skipping `skip`, in ascending id order."""

    skip: int = 0
    limit: int = LIST_LIMIT_DEFAULT

    def __post_init__(self) -> None:
        if not 0 <= self.skip <= LIST_SKIP_MAX:
            raise InvalidQuery("skip", f"must be 0 to {LIST_SKIP_MAX}")
        if not 1 <= self.limit <= LIST_LIMIT_MAX:
            raise InvalidQuery("limit", f"must be 1 to {LIST_LIMIT_MAX}")


class ItemRepository(ABC):
    """Stores items. Every adapter passes tests/contract; errors are domain errors only."""

    @abstractmethod
    async def add(self, item: Item) -> Item:
        """Store a new item and return it with the id the store gave it."""

    @abstractmethod
    async def get(self, item_id: int) -> Item | None:
        """The stored item, or None."""

    @abstractmethod
    async def list(self, query: ItemListQuery) -> list[Item]:
        """A page of items in ascending id order."""

    @abstractmethod
    async def update(self, item: Item, expected_version: int) -> Item:
        """Store `item` over the stored one if that is still at `expected_version`.

        Raises ItemNotFound if it is gone, VersionConflict if it changed meanwhile.
        """

    @abstractmethod
    async def delete(self, item_id: int, expected_version: int | None = None) -> None:
        """Remove the item; with `expected_version`, only if it is still at that version.

        Raises ItemNotFound if there is none, VersionConflict on a version mismatch.
        """


class UnitOfWork(ABC):
    """One transaction. Nothing is kept unless `commit` returns; leaving the block rolls back."""

    items: ItemRepository

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()

    @abstractmethod
    async def commit(self) -> None: ...

    @abstractmethod
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens units of work. A read-only one may skip the locks and round trips writes need."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class StoreProbe(Protocol):
    """Whether the store can serve now: reachable, and holding the schema this code expects."""

    async def __call__(self) -> str | None:
        """None when ready; otherwise why not, in words an operator can act on."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
