"""What the change feed costs: a lone create with its change recorded (the triggers of migration
0003) against the same create with the triggers dropped, and the relay's throughput to JetStream.

    python -m bench.feed                                    # SQLite, in a temporary file
    python -m bench.feed --database-url postgresql://postgres@127.0.0.1:5432/test

Creates run one after another through the use-case on one pooled connection, in interleaved
rounds (with, without, with, ...), so the machine's load falls on both alike; the figure is the
median wall time per create. The relay then publishes every change made (to a stream of its own,
deleted afterwards), one confirmed message at a time, as `items relay` does.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import nats
from sqlalchemy import text

from adapters.clock import utc_now
from adapters.jetstream import JetStreamTarget, jetstream_publisher
from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.create_item import CreateItem
from application.relay_changes import RelayChanges
from bench.database import fresh_database
from entrypoints.shapes import change_json
from tests.support.builders import a_draft

# The migration that added the triggers: its DDL drops and restores them here.
feed_migration = importlib.import_module("adapters.sqlalchemy.migrations.versions.0003_change_feed")


async def _triggers(factory: SqlAlchemyUnitOfWorkFactory, present: bool) -> None:
    dialect = factory.engine.dialect.name
    async with factory.engine.begin() as connection:
        if present:
            ddl = (
                feed_migration.POSTGRES_TRIGGERS
                if dialect == "postgresql"
                else feed_migration.SQLITE_TRIGGERS
            )
        else:
            on = " ON items" if dialect == "postgresql" else ""
            ddl = tuple(f"DROP TRIGGER {name}{on}" for name in feed_migration.TRIGGER_NAMES[dialect])
        for statement in ddl:
            await connection.execute(text(statement))


async def _create_micros(create: CreateItem, count: int) -> float:
    """The median wall time of `count` creates, one after another, in microseconds."""
    times = []
    for n in range(count):
        start = time.perf_counter()
        await create(a_draft(name=f"bench {n}"))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


async def create_cost(factory: SqlAlchemyUnitOfWorkFactory, rounds: int, count: int) -> tuple[float, float]:
    """Median microseconds per create with the change recorded, and without (triggers dropped)."""
    create = CreateItem(factory, utc_now)
    await _create_micros(create, count)  # warm up: the pool, the statement caches
    recorded, bare = [], []
    for _ in range(rounds):
        recorded.append(await _create_micros(create, count))
        await _triggers(factory, present=False)
        bare.append(await _create_micros(create, count))
        await _triggers(factory, present=True)
    return statistics.median(recorded), statistics.median(bare)


async def relay_rate(factory: SqlAlchemyUnitOfWorkFactory, nats_url: str, changes: int) -> float:
    """Changes per second the relay publishes, confirmed one at a time (the feed filled first)."""
    create = CreateItem(factory, utc_now)
    for n in range(changes):
        await create(a_draft(name=f"relayed {n}"))
    label = uuid.uuid4().hex[:8]
    target = JetStreamTarget(nats_url, f"BENCH_{label}", f"bench_{label}.changes", 120.0, 2.0)
    async with jetstream_publisher(target, change_json) as publisher:
        relay = RelayChanges(
            factory,
            publisher,
            utc_now,
            relay=f"bench-{label}",
            holder="bench",
            lease=timedelta(seconds=30),
            publish_timeout=timedelta(seconds=2),
            batch=1000,
        )
        published = 0
        start = time.perf_counter()
        while (turn := await relay.turn()).published:
            published += turn.published
        elapsed = time.perf_counter() - start
    connection = await nats.connect(nats_url)
    await connection.jetstream().delete_stream(target.stream)
    await connection.close()
    return published / elapsed


async def main(url: str, rounds: int, count: int, nats_url: str, relayed: int) -> None:
    engine = create_engine(url, EngineOptions(db_pool_size=1))
    try:
        await upgrade(engine)
        factory = SqlAlchemyUnitOfWorkFactory(engine)
        recorded, bare = await create_cost(factory, rounds, count)
        print(f"{engine.dialect.name}: create {recorded:.0f} us with its change recorded, {bare:.0f} us "
              f"without ({recorded - bare:+.0f} us, {recorded / bare - 1:+.0%}); median of {rounds} rounds "
              f"of {count} creates each way")  # fmt: skip
        if relayed:
            rate = await relay_rate(factory, nats_url, relayed)
            print(f"{engine.dialect.name}: relay published {rate:.0f} changes/s to JetStream")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite+aiosqlite:///bench.db")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--creates", type=int, default=300, help="per round, each way")
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--relayed", type=int, default=5000, help="changes the relay publishes (0: none)")
    arguments = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        fresh_database(arguments.database_url, Path(scratch)) as database,
    ):
        asyncio.run(
            main(database, arguments.rounds, arguments.creates, arguments.nats_url, arguments.relayed)
        )
