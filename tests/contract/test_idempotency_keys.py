"""Idempotency-key contract: kept with the item's transaction, replayed until it expires."""

import asyncio
from datetime import timedelta

from domain.errors import IdempotencyKeyInFlight
from domain.idempotency import IdempotentCreate, fingerprint
from domain.item import Item
from domain.ports import UnitOfWorkFactory
from tests.support.builders import NOW, an_item

KEY = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
TTL = timedelta(hours=1)


async def create_under_key(uow_factory: UnitOfWorkFactory, key: str = KEY) -> IdempotentCreate:
    async with uow_factory() as uow:
        assert await uow.idempotency.claim(key, NOW) is None
        stored = await uow.items.add(an_item())
        create = IdempotentCreate(key, fingerprint(stored), (stored,), NOW + TTL)
        await uow.idempotency.remember(create)
        await uow.commit()
    return create


async def claim(uow_factory: UnitOfWorkFactory, key: str = KEY, *, at: timedelta = timedelta()) -> object:
    async with uow_factory() as uow:
        found = await uow.idempotency.claim(key, NOW + at)
        await uow.commit()
    return found


async def test_a_remembered_create_is_found_with_its_item_as_created(uow_factory: UnitOfWorkFactory) -> None:
    create = await create_under_key(uow_factory)
    assert await claim(uow_factory) == create


async def test_keys_are_independent(uow_factory: UnitOfWorkFactory) -> None:
    await create_under_key(uow_factory)
    assert await claim(uow_factory, "another key") is None


async def test_an_expired_key_is_forgotten(uow_factory: UnitOfWorkFactory) -> None:
    await create_under_key(uow_factory)
    assert await claim(uow_factory, at=TTL) is None
    # Purged, not merely hidden: it is gone even for a clock that runs behind.
    assert await claim(uow_factory) is None


async def test_a_key_is_kept_only_with_its_transaction(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        stored = await uow.items.add(an_item())
        await uow.idempotency.remember(IdempotentCreate(KEY, "f", (stored,), NOW + TTL))
    assert await claim(uow_factory) is None


async def test_a_retry_during_the_first_request_is_in_flight_or_waits_for_it(
    uow_factory: UnitOfWorkFactory, database_url: str
) -> None:
    """PostgreSQL runs writers side by side and says "in flight"; one-writer stores make the retry wait."""

    async def retry() -> object:
        try:
            return await claim(uow_factory)
        except IdempotencyKeyInFlight:
            return "in flight"

    async with uow_factory() as uow:
        assert await uow.idempotency.claim(KEY, NOW) is None
        stored: Item = await uow.items.add(an_item())
        create = IdempotentCreate(KEY, "f", (stored,), NOW + TTL)
        await uow.idempotency.remember(create)
        retrying = asyncio.create_task(retry())
        await asyncio.sleep(0.2)
        await uow.commit()
    outcome = await retrying
    assert outcome == ("in flight" if database_url.startswith("postgresql") else create)
