from datetime import timedelta

from application.idempotent_create import Created, create_once
from domain.idempotency import DEFAULT_IDEMPOTENCY_TTL, fingerprint
from domain.item import Item, ItemDraft
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory


class CreateItem:
    """Create an item; under an idempotency key, a retry gets the first answer and creates nothing."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, idempotency_ttl: timedelta = DEFAULT_IDEMPOTENCY_TTL
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ttl = idempotency_ttl

    async def __call__(self, draft: ItemDraft, idempotency_key: str | None = None) -> Item:
        (stored,) = (await self.answer(draft, idempotency_key)).items
        return stored

    async def answer(self, draft: ItemDraft, idempotency_key: str | None = None) -> Created:
        """The item created, and whether a retry under its key was answered with the first create's item."""
        now = self._clock()
        item = Item.drafted(draft, now)
        if idempotency_key is None:
            async with self._uow().single_write() as uow:
                stored = await uow.items.add(item)
                await uow.commit()
            return Created((stored,))

        async def add(uow: UnitOfWork) -> tuple[Item, ...]:
            return (await uow.items.add(item),)

        return await create_once(
            self._uow, idempotency_key, request=fingerprint(item), now=now, ttl=self._ttl, create=add
        )
