"""Idempotent creates: a key remembers the request it came with and the item that request made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.item import CLIENT_FIELDS, Item

IDEMPOTENCY_KEY_MAX_LENGTH = 255
DEFAULT_IDEMPOTENCY_TTL = timedelta(hours=24)


def fingerprint(item: Item) -> str:
    """Identifies a create request by the item it asks for (its client fields), so a retry is
    recognised whatever its JSON layout.

    Each field but the last is length-prefixed, so no two requests share a text. For name and
    description this is the text fingerprints were first taken of: keys stored before fields were
    read from CLIENT_FIELDS still match their retries.
    """
    *leading, last = (str(getattr(item, field)) for field in CLIENT_FIELDS)
    canonical = "".join(f"{len(value)}:{value}" for value in leading) + last
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotentCreate:
    """A create done under `key`: replayed as it was answered, until `expires_at`."""

    key: str
    fingerprint: str
    item: Item
    expires_at: datetime
