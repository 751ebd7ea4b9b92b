"""A create under an idempotency key: done once, and each retry answered as the first was."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import IdempotencyKeyReused
from domain.idempotency import IdempotentCreate
from domain.item import Item
from domain.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Created:
    """What a create made, and whether it was made before (a retry answered with the first answer)."""

    items: tuple[Item, ...]
    replayed: bool = False


async def create_once(
    uow_factory: UnitOfWorkFactory,
    key: str,
    *,
    request: str,
    now: datetime,
    ttl: timedelta,
    create: Callable[[UnitOfWork], Awaitable[tuple[Item, ...]]],
) -> Created:
    """What `create` made in the unit of work that first claimed `key` for `request` (a fingerprint),
    or, that being this one, what it makes now."""
    async with uow_factory() as uow:
        earlier = await uow.idempotency.claim(key, now)
        if earlier is not None:
            if earlier.fingerprint != request:
                raise IdempotencyKeyReused()
            await uow.commit()  # keeps the purge of expired keys that claiming did
            return Created(earlier.items, replayed=True)
        created = await create(uow)
        await uow.idempotency.remember(IdempotentCreate(key, request, created, now + ttl))
        await uow.commit()
    return Created(created)
