from collections.abc import Sequence
from datetime import timedelta

from application.idempotent_create import Created, create_once
from domain.errors import BatchTooLarge, InvalidItem, ItemAlreadyExists
from domain.idempotency import DEFAULT_IDEMPOTENCY_TTL, batch_fingerprint
from domain.item import Item, ItemDraft
from domain.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEFAULT_BATCH_MAX_ITEMS = 1000


class CreateItems:
    """Create a batch of items atomically: all of them or none, answered in the order given.

    Each entry is a draft (a new item: the store gives its id, this use-case its time) or an
    exported item restored as it was (its id, times and version kept); a batch holds one kind.
    Under an idempotency key, a retry gets the first answer and creates nothing.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        max_items: int = DEFAULT_BATCH_MAX_ITEMS,
        idempotency_ttl: timedelta = DEFAULT_IDEMPOTENCY_TTL,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.max_items = max_items
        self._ttl = idempotency_ttl

    async def __call__(
        self, entries: Sequence[ItemDraft | Item], idempotency_key: str | None = None
    ) -> Created:
        """The items as stored, in the order given; `replayed` when the key's first request made them."""
        if len(entries) > self.max_items:
            raise BatchTooLarge(len(entries), self.max_items)
        now = self._clock()
        batch = [Item.drafted(entry, now) if isinstance(entry, ItemDraft) else entry for entry in entries]
        _check_one_kind(batch)

        async def add(uow: UnitOfWork) -> tuple[Item, ...]:
            return tuple(await uow.items.add_many(batch))

        if idempotency_key is None:
            async with self._uow() as uow:
                created = await add(uow)
                await uow.commit()
            return Created(created)
        request = batch_fingerprint(entries)
        return await create_once(
            self._uow, idempotency_key, request=request, now=now, ttl=self._ttl, create=add
        )


def _check_one_kind(batch: list[Item]) -> None:
    """New items only, or restored ones only, each id once."""
    restored = [item.id for item in batch if item.id is not None]
    if restored and len(restored) != len(batch):
        raise InvalidItem(
            "id", "a batch either creates new items or restores exported ones (with ids), not both"
        )
    seen: set[int] = set()
    for item_id in restored:
        if item_id in seen:
            raise ItemAlreadyExists(item_id)
        seen.add(item_id)
