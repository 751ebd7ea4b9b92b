"""The ports the application needs from the outside world, in domain types only."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.feed import FeedPosition, RecordedChange, RelayLease
from domain.idempotency import IdempotentCreate
from domain.item import Item, ItemChange
from domain.listing import ItemListQuery, ItemPage


class ItemRepository(ABC):
    """Stores items. Every adapter passes tests/contract; errors are domain errors only."""

    @abstractmethod
    async def add(self, item: Item) -> Item:
        """Store a new item and return it with the id the store gave it."""

    @abstractmethod
    async def add_many(self, items: Sequence[Item]) -> list[Item]:
        """Store new items and return them as stored, in the order given, in as few round trips as
        the store allows. Like every write it is kept only if the unit of work commits.

        Either none of the items has an id, and the store gives them ids increasing in the order
        given, or every one has (exported items, restored as they were): those keep their ids, ids
        given later by the store are higher, and ItemAlreadyExists names one that is taken.
        """

    @abstractmethod
    async def get(self, item_id: int) -> Item | None:
        """The stored item, or None."""

    @abstractmethod
    async def get_many(self, item_ids: Sequence[int]) -> list[Item]:
        """The stored items among `item_ids` (distinct ids), in any order; missing ones left out."""

    @abstractmethod
    async def list(self, query: ItemListQuery) -> ItemPage:
        """The page the query selects, in its keyset order (see domain.listing), and whether more follow."""

    @abstractmethod
    async def change(self, item_id: int, change: ItemChange) -> Item:
        """Apply `change` to the stored item as one atomic step, with no read before it, and
        return the item as it now is.

        Fields the change leaves None keep their stored values; the store computes the version
        bump and the update time; a change that changes nothing is not written (the item keeps
        its version). Raises ItemNotFound if there is no such item, PreconditionFailed (with the
        current version) if the change names versions and the item is at none of them.
        """

    @abstractmethod
    async def delete(self, item_id: int, expected_versions: frozenset[int] | None = None) -> None:
        """Remove the item; with `expected_versions`, only if it is at one of them.

        Raises ItemNotFound if there is none, PreconditionFailed (with the current version) if it
        is at none of the expected versions.
        """


class IdempotencyKeys(ABC):
    """Remembers idempotent creates, in the same transaction as the items they made."""

    @abstractmethod
    async def claim(self, key: str, now: datetime) -> IdempotentCreate | None:
        """Hold `key` for this unit of work: the unexpired create made under it, or None if it is free.

        Expired keys are forgotten (purged) on the way. Raises IdempotencyKeyInFlight when another
        unit of work holds the key and has not finished; stores that run one writer at a time
        make such a retry wait for the first instead.
        """

    @abstractmethod
    async def remember(self, create: IdempotentCreate) -> None:
        """Record a create under its key; it is kept only if the unit of work commits."""


class ChangeFeed(ABC):
    """The record of kept writes. Every item write records its change in the same transaction or
    statement as the write itself, so a write that is not kept leaves none and a kept one exactly
    one (a write that changes nothing records nothing)."""

    @abstractmethod
    async def read(self, after: FeedPosition | None, limit: int) -> list[RecordedChange]:
        """Up to `limit` changes after `after` (None: from the first), in feed order.

        Only final changes: none that a write still in progress could come before. So a reader
        that continues from the last position it was given sees every kept change exactly once.
        Raises FeedPositionPruned if changes after `after` have been pruned.
        """

    @abstractmethod
    async def head(self) -> FeedPosition | None:
        """The position of the newest final change (or, with none kept, where pruning stopped);
        None when the feed has never held one."""

    @abstractmethod
    async def prune(self, before: datetime) -> int:
        """Forget the changes recorded before `before`, oldest first; how many went."""


class RelayCheckpoints(ABC):
    """Where each relay has published up to, and which of its processes may publish now."""

    @abstractmethod
    async def hold(self, relay: str, holder: str, now: datetime, until: datetime) -> RelayLease | None:
        """Take or renew `relay`'s lease for `holder` until `until`; None while another holder's
        lease runs (past `now`)."""

    @abstractmethod
    async def advance(self, relay: str, holder: str, position: FeedPosition) -> bool:
        """Store that `relay` has published up to `position`, if `holder` still holds its lease."""


class ChangePublisher(ABC):
    """Hands changes to a message broker (a driven port: the relay's way out)."""

    @abstractmethod
    async def publish(self, change: RecordedChange) -> bool:
        """Return once the broker has kept `change`, under its deduplication id; True if the
        broker already had it (a repeat it dropped). Raises BrokerUnavailable if it cannot."""


class UnitOfWork(ABC):
    """One transaction. Nothing is kept unless `commit` returns; leaving the block rolls back."""

    items: ItemRepository
    idempotency: IdempotencyKeys
    changes: ChangeFeed
    relays: RelayCheckpoints

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()

    def single_write(self) -> Self:
        """Say, before entering, that this unit of work calls exactly one repository write and
        then commits.

        A store may run that write as one statement on its own, atomic by itself, with no
        transaction around it (one round trip instead of BEGIN, write, COMMIT): the write is then
        kept once it returns, and `commit` only confirms it. Stores that stage writes until
        commit may ignore this.
        """
        return self

    @abstractmethod
    def snapshot(self) -> Self:
        """Say, before entering a read-only unit of work, that all its reads must see the store as it
        was at one moment, whatever commits meanwhile (the pages of an export, say)."""

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
