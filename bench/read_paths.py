"""CPU per one-row read on PostgreSQL by each way of running it, in process (issue 11, item 1).

The same compiled SELECT (the repository's get, compiled once for the asyncpg dialect) run
through: this service's unit of work; a checkout from SQLAlchemy's pool with the statement on its
asyncpg driver connection (the path the unit of work takes); an asyncpg pool of our own, with and
without its reset query at release; and one bare connection (the floor). Rounds interleave the
paths; median and minimum of the per-round CPU per read are printed.

    .venv/bin/python -m bench.read_paths --database-url postgresql://postgres@127.0.0.1:5432/test
"""

import argparse
import statistics
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import uvloop
from sqlalchemy.engine import make_url
from sqlalchemy.util import greenlet_spawn

from adapters.sqlalchemy.compiled import StatementCompiler
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.repository import _GET as GET_STATEMENT
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from bench.database import asyncpg_dsn, fresh_database
from bench.inprocess import interleaved_rounds
from tests.support.builders import an_item

Read = Callable[[int], Awaitable[object]]


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query (a round trip): our units of work leave nothing open."""


async def measure(url: str, reads: int, rounds: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    uow = SqlAlchemyUnitOfWorkFactory(engine)
    async with uow().single_write() as writer:
        item_id = (await writer.items.add(an_item(name="read me", description="", now=datetime.now(UTC)))).id
        await writer.commit()
    assert item_id is not None
    # The very statement the repository's get runs, compiled as the unit of work compiles it.
    sql = StatementCompiler(engine.dialect)(GET_STATEMENT, ("item_id",)).sql
    dsn = asyncpg_dsn(make_url(url))
    own = await asyncpg.create_pool(dsn, min_size=20, max_size=20, reset=_no_reset)
    own_resetting = await asyncpg.create_pool(dsn, min_size=20, max_size=20)
    bare = await asyncpg.connect(dsn)

    async def unit_of_work(_n: int) -> object:
        async with uow(read_only=True) as reader:
            return await reader.items.get(item_id)

    async def sqlalchemy_pool_driver(_n: int) -> object:
        pooled = await greenlet_spawn(engine.sync_engine.pool.connect)
        try:
            return await pooled.driver_connection.fetchrow(sql, item_id)  # type: ignore[union-attr]
        finally:
            pooled.close()

    async def own_pool(_n: int) -> object:
        connection = await own.acquire()
        try:
            return await connection.fetchrow(sql, item_id)
        finally:
            await own.release(connection)

    async def own_pool_resetting(_n: int) -> object:
        async with own_resetting.acquire() as connection:
            return await connection.fetchrow(sql, item_id)

    async def bare_connection(_n: int) -> object:
        return await bare.fetchrow(sql, item_id)

    paths: dict[str, Read] = {
        "unit of work (SQLAlchemy pool, asyncpg driver)": unit_of_work,
        "SQLAlchemy pool checkout + driver fetchrow": sqlalchemy_pool_driver,
        "own asyncpg pool, no reset query": own_pool,
        "own asyncpg pool, default reset query": own_pool_resetting,
        "one bare asyncpg connection (floor)": bare_connection,
    }
    try:
        figures = await interleaved_rounds(paths, reads, rounds)
    finally:
        await own.close()
        await own_resetting.close()
        await bare.close()
        await engine.dispose()
    print(f"CPU per one-row read, median (min) of {rounds} x {reads}")
    for name, values in figures.items():
        print(f"  {name:48s} {statistics.median(values):6.1f} us  (min {min(values):6.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server database")
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        fresh_database(arguments.database_url, Path(scratch)) as url,
    ):
        uvloop.run(measure(url, arguments.reads, arguments.rounds))


if __name__ == "__main__":
    main()
