"""A create under an idempotency key: done once, and each retry answered as the first was."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from domain.errors import IdempotencyKeyReused
from domain.idempotency import IdempotentCreate
from domain.item import Item
from domain.ports import UnitOfWork, UnitOfWorkFactory


async def create_once(
    uow_factory: UnitOfWorkFactory,
    key: str,
    *,
    request: str,
    now: datetime,
    ttl: timedelta,
    create: Callable[[UnitOfWork], Awaitable[tuple[Item, ...]]],
) -> tuple[Item, ...]:
    """What `create` made in the unit of work that first claimed `key` for `request` (a fingerprint),
    or, that being this one, what it makes now."""
    async with uow_factory() as uow:
        earlier = await uow.idempotency.claim(key, now)
        if earlier is not None:
            if earlier.fingerprint != request:
                raise IdempotencyKeyReused()
            await uow.commit()  # keeps the purge of expired keys that claiming did
            return earlier.items
        created = await create(uow)
        await uow.idempotency.remember(IdempotentCreate(key, request, created, now + ttl))
        await uow.commit()
    return created
