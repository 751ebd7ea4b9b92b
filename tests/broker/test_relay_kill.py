"""Relays killed with SIGKILL at random moments while items are written: the broker ends up holding
every acknowledged write's change (none lost), in feed order, each item's in version order; the
changes republished after a kill carry their first deduplication id, so the stream drops them."""

import asyncio
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.clock import utc_now
from adapters.jetstream import JetStreamTarget
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.tables import relays
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.update_item import UpdateItem
from tests.support.broker import BrokerMessage, stream_messages, stream_size
from tests.support.builders import a_draft
from tests.support.feed import changes_so_far
from tests.support.relay_process import RelayProcess

pytestmark = pytest.mark.broker

RELAYS = 3
LEASE_SECONDS = 2.0
# Under the lease: a holder publishes only while a publish cannot outlast its lease.
PUBLISH_TIMEOUT_SECONDS = 0.5
WRITES = 400
# Hang guard: how long the relays may take to publish everything once the writes are done.
DRAIN_SECONDS = 180


@pytest.fixture
async def store(empty_database_url: str) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def write(uow: SqlAlchemyUnitOfWorkFactory, rng: random.Random, ledger: set[str]) -> None:
    """Creates, renames and deletes, one after another; each acknowledged one goes in the ledger
    as the deduplication id its change must carry (item id:version)."""
    create, update, delete = CreateItem(uow, utc_now), UpdateItem(uow, utc_now), DeleteItem(uow)
    live: dict[int, int] = {}
    for n in range(WRITES):
        choice = rng.random()
        if not live or choice < 0.5:
            item = await create(a_draft(name=f"item {n}"))
            assert item.id is not None
            item_id = item.id
            version = live[item_id] = item.version
        elif choice < 0.85:
            item_id = rng.choice(list(live))
            version = live[item_id] = (await update(item_id, name=f"renamed {n}")).version
        else:
            item_id = rng.choice(list(live))
            await delete(item_id)
            version = live.pop(item_id) + 1
        ledger.add(f"{item_id}:{version}")
        await asyncio.sleep(rng.uniform(0, 0.02))


async def holder_pid(uow: SqlAlchemyUnitOfWorkFactory) -> int | None:
    async with uow.engine.connect() as connection:
        holder = (await connection.execute(select(relays.c.holder))).scalar()
    return None if holder is None else int(holder.split(":")[1])


async def until(condition: Callable[[], Awaitable[bool]], seconds: float) -> None:
    """Polls the broker (another process fills it: nothing here to wait on) under a hang guard."""
    async with asyncio.timeout(seconds):
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.5)


async def test_relays_killed_at_random_lose_no_change(
    store: SqlAlchemyUnitOfWorkFactory,
    stream: JetStreamTarget,
    tmp_path: Path,
    fault_rounds: int,
    fault_report: Callable[[str], None],
) -> None:
    rng = random.Random(17)
    url = store.engine.url.render_as_string(hide_password=False)
    processes = [
        RelayProcess(
            url,
            stream,
            tmp_path / f"relay-{n}.log",
            lease=LEASE_SECONDS,
            publish_timeout=PUBLISH_TIMEOUT_SECONDS,
        )
        for n in range(RELAYS)
    ]
    for process in processes:
        process.start()
    ledger: set[str] = set()
    kills = 0
    try:
        writing = asyncio.create_task(write(store, rng, ledger))
        size = 0
        while not writing.done() or kills < fault_rounds:
            # Each kill lands while a relay is publishing: after the stream has grown since the last.
            async def grown(since: int = size) -> bool:
                return await stream_size(stream) > since

            await until(grown, DRAIN_SECONDS)
            size = await stream_size(stream)
            await asyncio.sleep(rng.uniform(0, 0.3))
            pid = await holder_pid(store)
            victim = next((p for p in processes if p.pid == pid), rng.choice(processes))
            victim.kill()
            kills += 1
            victim.start()
        await writing
        kept = {change.deduplication_id for change in await changes_so_far(store)}
        assert kept == ledger, "the feed holds exactly the acknowledged writes"

        async def all_published() -> bool:
            # The stream keeps no repeats (deduplication ids), so its size says when all are in;
            # the feed's marker write (tests.support.feed) is one more.
            return await stream_size(stream) >= len(ledger) + 1

        await until(all_published, DRAIN_SECONDS)
    finally:
        for process in processes:
            process.stop()
    published = await stream_messages(stream)
    ids = [m.deduplication_id for m in published]
    lost = ledger - set(ids)
    duplicates = len(ids) - len(set(ids))
    repeats = sum(
        int(found)
        for n in range(RELAYS)
        for found in re.findall(r"\((\d+) repeats\)", (tmp_path / f"relay-{n}.log").read_text())
    )
    fault_report(
        f"relay kill -9 ({store.engine.dialect.name}): {len(ledger)} acknowledged writes, {kills} SIGKILLs "
        f"of {RELAYS} relays; broker holds {len(published)} messages ({len(set(ids))} distinct, "
        f"{duplicates} duplicates), lost {len(lost)}; {repeats} republished after a kill, dropped by the "
        "stream under their deduplication ids"
    )
    assert not lost
    assert duplicates == 0
    assert_in_feed_order(published)


def assert_in_feed_order(published: list[BrokerMessage]) -> None:
    """No interleaving or reordering between relays: the stream is in feed order, so each item's
    changes are in version order."""
    positions = [m.position for m in published]
    assert positions == sorted(positions)
    last_version: dict[int, int] = {}
    for message in published:
        item_id, version = message.item_version
        assert version > last_version.get(item_id, 0)
        last_version[item_id] = version
