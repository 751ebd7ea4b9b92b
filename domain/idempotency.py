"""Idempotent creates: a key remembers the request it came with and the item that request made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.item import Item

IDEMPOTENCY_KEY_MAX_LENGTH = 255
DEFAULT_IDEMPOTENCY_TTL = timedelta(hours=24)


def fingerprint(name: str, description: str) -> str:
    """Identifies a create request by its content, so a retry is recognised whatever its JSON layout."""
    canonical = f"{len(name)}:{name}{description}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotentCreate:
    """A create done under `key`: replayed as it was answered, until `expires_at`."""

    key: str
    fingerprint: str
    item: Item
    expires_at: datetime
