"""The change feed: every kept write to an item, in an order a reader can follow with a cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.item import Item

FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 1000
# Seconds a reader may wait for a change that has not come yet (long polling).
FEED_WAIT_MAX = 30.0


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, order=True, slots=True)
class FeedPosition:
    """Where a change stands in the feed: its transaction's number, then its own sequence number.

    Stores whose writers commit one at a time (memory, SQLite) use transaction 0 throughout: their
    sequence order is already the commit order. PostgreSQL commits writers side by side, so a
    sequence number taken early may commit late; ordering by transaction first, and reading only
    transactions that can no longer commit (see ChangeFeed.read), keeps the order final.
    """

    transaction: int
    sequence: int


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """A kept create, replace, update or delete, as the feed gives it back."""

    position: FeedPosition
    item_id: int
    kind: ChangeKind
    # The item's version after the write; a delete is the item's next version, so versions
    # order every change of one item, its deletion included.
    version: int
    recorded_at: datetime
    item: Item | None  # as the write left it; None for a delete

    @property
    def deduplication_id(self) -> str:
        """One per change, the same every time it is published: an item never reuses a version."""
        return f"{self.item_id}:{self.version}"


@dataclass(frozen=True, slots=True)
class RelayLease:
    """A relay's turn to publish, until `until`, from just after `position` (None: the beginning)."""

    relay: str
    holder: str
    until: datetime
    position: FeedPosition | None
