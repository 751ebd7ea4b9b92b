"""Idempotent creates: a key remembers the request it came with and the item that request made."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.item import CLIENT_FIELDS, ITEM_FIELDS, Item, ItemDraft

IDEMPOTENCY_KEY_MAX_LENGTH = 255
DEFAULT_IDEMPOTENCY_TTL = timedelta(hours=24)


def _digest(values: Iterable[object]) -> str:
    """Each value but the last is length-prefixed, so no two lists of values share a text."""
    *leading, last = (str(value) for value in values)
    canonical = "".join(f"{len(value)}:{value}" for value in leading) + last
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(item: Item | ItemDraft) -> str:
    """Identifies a create request by the item it asks for (its client fields), so a retry is
    recognised whatever its JSON layout.

    For name and description this is the text fingerprints were first taken of: keys stored before
    fields were read from CLIENT_FIELDS still match their retries.
    """
    return _digest(getattr(item, field) for field in CLIENT_FIELDS)


def batch_fingerprint(entries: Sequence[ItemDraft | Item]) -> str:
    """Identifies a batch create: each draft by its client fields, each exported item being restored
    by all of its fields (its id, times and version are part of what was asked). The digest of one
    JSON array holding each entry's kind and values, which no other batch shares."""
    canonical = [
        ["draft", *(str(getattr(entry, name)) for name in CLIENT_FIELDS)]
        if isinstance(entry, ItemDraft)
        else ["item", *(str(getattr(entry, name)) for name in ITEM_FIELDS)]
        for entry in entries
    ]
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotentCreate:
    """A create done under `key` (one item, or a batch's in order): replayed as it was answered,
    until `expires_at`."""

    key: str
    fingerprint: str
    items: tuple[Item, ...]
    expires_at: datetime
