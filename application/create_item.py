from datetime import timedelta

from domain.errors import IdempotencyKeyReused
from domain.idempotency import DEFAULT_IDEMPOTENCY_TTL, IdempotentCreate, fingerprint
from domain.item import Item
from domain.ports import Clock, UnitOfWorkFactory


class CreateItem:
    """Create an item; under an idempotency key, a retry gets the first answer and creates nothing."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, idempotency_ttl: timedelta = DEFAULT_IDEMPOTENCY_TTL
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ttl = idempotency_ttl

    async def __call__(self, name: str, description: str = "", idempotency_key: str | None = None) -> Item:
        now = self._clock()
        item = Item.new(name, description, now)
        if idempotency_key is None:
            async with self._uow().single_write() as uow:
                stored = await uow.items.add(item)
                await uow.commit()
            return stored
        async with self._uow() as uow:
            request = fingerprint(item)
            earlier = await uow.idempotency.claim(idempotency_key, now)
            if earlier is not None:
                if earlier.fingerprint != request:
                    raise IdempotencyKeyReused()
                await uow.commit()  # keeps the purge of expired keys that claiming did
                return earlier.item
            stored = await uow.items.add(item)
            expires_at = now + self._ttl
            await uow.idempotency.remember(IdempotentCreate(idempotency_key, request, stored, expires_at))
            await uow.commit()
        return stored
