"""IdempotencyKeys in a table, written in the transaction that creates the item."""

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, bindparam, delete, func, insert, select

from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.mapping import items_from_json, items_to_json
from adapters.sqlalchemy.tables import idempotency_keys
from domain.errors import IdempotencyKeyInFlight
from domain.idempotency import IdempotentCreate
from domain.item import as_utc
from domain.ports import IdempotencyKeys

# Built once, values as parameters, like the repository's statements (see repository.py).
_TRY_LOCK = select(func.pg_try_advisory_xact_lock(bindparam("lock_id", type_=BigInteger)))
_PURGE = delete(idempotency_keys).where(idempotency_keys.c.expires_at <= bindparam("now"))
_KEPT = idempotency_keys.c
_FIND = select(_KEPT.key, _KEPT.fingerprint, _KEPT.item, _KEPT.expires_at).where(
    _KEPT.key == bindparam("key")
)
_REMEMBER = insert(idempotency_keys)


def _lock_id(key: str) -> int:
    """A 64-bit advisory lock id for a key (a collision only makes two keys wait on each other)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:8], signed=True)


class SqlAlchemyIdempotencyKeys(IdempotencyKeys):
    def __init__(self, statements: Statements) -> None:
        self._statements = statements

    async def claim(self, key: str, now: datetime) -> IdempotentCreate | None:
        if self._statements.dialect_name == "postgresql":
            # PostgreSQL runs writers side by side: a transaction lock held until commit marks
            # the key as in flight, and a retry that cannot take it is told so at once.
            # (SQLite takes the write lock at BEGIN, so a retry waits for the first instead.)
            locked = await self._statements.row(_TRY_LOCK, {"lock_id": _lock_id(key)})
            if locked is None or not locked[0]:
                raise IdempotencyKeyInFlight()
        await self._statements.execute(_PURGE, {"now": now})
        row = await self._statements.row(_FIND, {"key": key})
        if row is None:
            return None
        stored_key, fingerprint, item, expires_at = row
        return IdempotentCreate(stored_key, fingerprint, items_from_json(item), as_utc(expires_at))

    async def remember(self, create: IdempotentCreate) -> None:
        values = {
            "key": create.key,
            "fingerprint": create.fingerprint,
            "item": items_to_json(create.items),
            "expires_at": as_utc(create.expires_at),
        }
        await self._statements.execute(_REMEMBER, values)
