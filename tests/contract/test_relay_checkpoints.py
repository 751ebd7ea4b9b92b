"""The relay checkpoint contract: one lease holder at a time, and only it moves the position."""

from datetime import UTC, datetime, timedelta

from domain.feed import FeedPosition, RelayLease
from domain.ports import UnitOfWorkFactory

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LEASE = timedelta(seconds=10)


async def hold(uow_factory: UnitOfWorkFactory, holder: str, at: datetime = NOW) -> RelayLease | None:
    async with uow_factory() as uow:
        lease = await uow.relays.hold("main", holder, at, at + LEASE)
        await uow.commit()
    return lease


async def advance(uow_factory: UnitOfWorkFactory, holder: str, position: FeedPosition) -> bool:
    async with uow_factory() as uow:
        moved = await uow.relays.advance("main", holder, position)
        await uow.commit()
    return moved


async def test_a_first_lease_starts_from_the_beginning(uow_factory: UnitOfWorkFactory) -> None:
    assert await hold(uow_factory, "a") == RelayLease("main", "a", NOW + LEASE, None)


async def test_another_holder_waits_until_the_lease_runs_out(uow_factory: UnitOfWorkFactory) -> None:
    await hold(uow_factory, "a")
    assert await hold(uow_factory, "b", NOW + LEASE / 2) is None
    taken = await hold(uow_factory, "b", NOW + LEASE)
    assert taken is not None and taken.holder == "b"


async def test_the_holder_renews_its_lease(uow_factory: UnitOfWorkFactory) -> None:
    await hold(uow_factory, "a")
    await hold(uow_factory, "a", NOW + LEASE / 2)
    assert await hold(uow_factory, "b", NOW + LEASE) is None


async def test_the_position_is_kept_for_the_next_holder(uow_factory: UnitOfWorkFactory) -> None:
    await hold(uow_factory, "a")
    assert await advance(uow_factory, "a", FeedPosition(7, 42))
    taken = await hold(uow_factory, "b", NOW + LEASE)
    assert taken is not None and taken.position == FeedPosition(7, 42)


async def test_a_holder_that_lost_its_lease_cannot_move_the_position(uow_factory: UnitOfWorkFactory) -> None:
    await hold(uow_factory, "a")
    await hold(uow_factory, "b", NOW + LEASE)
    assert not await advance(uow_factory, "a", FeedPosition(7, 42))
    again = await hold(uow_factory, "b", NOW + LEASE)
    assert again is not None and again.position is None
