"""The relay in-process, over every store, to the real broker: what it publishes and who may."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import utc_now
from adapters.jetstream import JetStreamTarget, jetstream_publisher
from application.relay_changes import RelayChanges
from domain.item import ItemChange
from domain.ports import ChangePublisher, Clock, UnitOfWorkFactory
from entrypoints.shapes import change_json
from tests.support.broker import stream_messages
from tests.support.builders import an_item
from tests.support.feed import changes_so_far

pytestmark = pytest.mark.broker

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LEASE = timedelta(seconds=10)


def a_relay(
    uow_factory: UnitOfWorkFactory, publisher: ChangePublisher, holder: str, clock: Clock = utc_now
) -> RelayChanges:
    return RelayChanges(
        uow_factory,
        publisher,
        clock,
        relay="test",
        holder=holder,
        lease=LEASE,
        publish_timeout=timedelta(seconds=2),
        batch=3,
    )


async def some_writes(uow_factory: UnitOfWorkFactory) -> None:
    ids: list[int] = []
    for name in ("a", "b", "c"):
        async with uow_factory().single_write() as uow:
            stored = await uow.items.add(an_item(name=name, description="", now=NOW))
            assert stored.id is not None
            ids.append(stored.id)
            await uow.commit()
    async with uow_factory() as uow:
        await uow.items.change(ids[0], ItemChange(NOW, name="a2"))
        await uow.items.delete(ids[1])
        await uow.commit()
    async with uow_factory() as uow:  # rolled back: nothing to publish
        await uow.items.delete(ids[2])


async def test_the_relay_publishes_every_kept_change_once_in_feed_order(
    uow_factory: UnitOfWorkFactory, stream: JetStreamTarget
) -> None:
    await some_writes(uow_factory)
    expected = await changes_so_far(uow_factory)
    async with jetstream_publisher(stream, change_json) as publisher:
        relay = a_relay(uow_factory, publisher, "only")
        while (await relay.turn()).published:
            pass
    published = await stream_messages(stream)
    # The feed's marker write (tests.support.feed) is published last.
    assert [m.deduplication_id for m in published[:-1]] == [c.deduplication_id for c in expected]
    assert [m.body["kind"] for m in published[:-1]] == ["created"] * 3 + ["updated", "deleted"]
    assert all(m.subject == f"{stream.subject_prefix}.{m.body['item_id']}" for m in published)


async def test_a_standby_relay_takes_over_where_the_holder_stopped(
    uow_factory: UnitOfWorkFactory, stream: JetStreamTarget
) -> None:
    await some_writes(uow_factory)
    await changes_so_far(uow_factory)
    now = [NOW]
    async with jetstream_publisher(stream, change_json) as publisher:
        holder = a_relay(uow_factory, publisher, "holder", lambda: now[0])
        standby = a_relay(uow_factory, publisher, "standby", lambda: now[0])
        assert (await holder.turn()).published == 3
        assert not (await standby.turn()).holding
        now[0] += LEASE  # the holder stops renewing, as a killed one would
        taken = await standby.turn()
        assert (taken.holding, taken.published, taken.repeats) == (True, 3, 0)
        assert not (await holder.turn()).holding
    published = await stream_messages(stream)
    assert len(published) == len({m.deduplication_id for m in published}) == 6


async def test_a_holder_does_not_publish_when_its_lease_may_run_out_first(
    uow_factory: UnitOfWorkFactory, stream: JetStreamTarget
) -> None:
    await some_writes(uow_factory)
    await changes_so_far(uow_factory)
    now = [NOW]

    def clock() -> datetime:
        # Every look at the clock finds it 4 s later: with a 10 s lease and 2 s to publish, the
        # holder publishes once (at 4 s in) and then stops (at 8 s, a publish could outlast it).
        now[0] += timedelta(seconds=4)
        return now[0]

    async with jetstream_publisher(stream, change_json) as publisher:
        turn = await a_relay(uow_factory, publisher, "slow", clock).turn()
    assert (turn.holding, turn.published) == (True, 1)
