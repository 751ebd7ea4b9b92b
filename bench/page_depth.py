"""First page against a page one million rows deep: keyset cursor versus offset, per backend.

    .venv/bin/python -m bench.page_depth [--rows 1000000] [--repeat 15] [--postgres URL]

Fills a fresh SQLite file and a fresh PostgreSQL database (dropped afterwards) with items of
distinct creation times and names in no particular order, then times the repository's listing
(the database work a GET /items/ does) and prints median milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from bench.database import fresh_database
from domain.listing import WALK_PAGE_MAX, ItemListQuery, Sort, SortField, position_of
from tests.support.builders import an_item

PAGE = 10
START = datetime(2026, 1, 1, tzinfo=UTC)


def _spread_name(n: int) -> str:
    return f"item {hashlib.md5(str(n).encode()).hexdigest()}"  # noqa: S324 - a spread of names, not security


async def _fill(uow_factory: SqlAlchemyUnitOfWorkFactory, rows: int) -> None:
    """Items as the test builders make them (so a new field needs nothing here), of distinct creation
    times and names in no particular order, stored a batch at a time."""
    for first in range(1, rows + 1, WALK_PAGE_MAX):
        numbers = range(first, min(first + WALK_PAGE_MAX, rows + 1))
        batch = [an_item(name=_spread_name(n), now=START + timedelta(milliseconds=n)) for n in numbers]
        async with uow_factory() as uow:
            await uow.items.add_many(batch)
            await uow.commit()


SORTS = [Sort(SortField.ID), Sort(SortField.NAME), Sort(SortField.CREATED_AT, descending=True)]


async def _median_ms(uow_factory: SqlAlchemyUnitOfWorkFactory, query: ItemListQuery, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        async with uow_factory(read_only=True) as uow:
            page = await uow.items.list(query)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(page.items) == PAGE
    return statistics.median(timings)


async def _measure(url: str, rows: int, repeat: int) -> list[tuple[str, str, float, float]]:
    engine = create_engine(url)
    try:
        await migrator.upgrade(engine)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
        await _fill(uow_factory, rows)
        async with engine.begin() as connection:
            # Fresh statistics for the planner, as after any bulk load.
            await connection.execute(text("ANALYZE"))
        depth = rows - 2 * PAGE
        results = []
        for sort in SORTS:
            # The last item before the deep page, found once by offset: the cursor a client would hold.
            async with uow_factory(read_only=True) as uow:
                (before,) = (await uow.items.list(ItemListQuery(skip=depth - 1, limit=1, sort=sort))).items
            first = ItemListQuery(limit=PAGE, sort=sort)
            by_offset = ItemListQuery(skip=depth, limit=PAGE, sort=sort)
            by_cursor = ItemListQuery(limit=PAGE, sort=sort, after=position_of(before, sort))
            first_ms = await _median_ms(uow_factory, first, repeat)
            results.append(("cursor", sort.token, first_ms, await _median_ms(uow_factory, by_cursor, repeat)))
            results.append(("offset", sort.token, first_ms, await _median_ms(uow_factory, by_offset, repeat)))
        return results
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"{args.rows:,} rows, page of {PAGE}, median of {args.repeat} (ms)")
    print(f"{'backend':<10} {'paging':<7} {'sort':<12} {'first page':>10} {'deep page':>10}")
    with tempfile.TemporaryDirectory() as scratch:
        for backend, server in (("sqlite", "sqlite://"), ("postgres", args.postgres)):
            with fresh_database(server, Path(scratch)) as url:
                for paging, sort, first_ms, deep_ms in asyncio.run(_measure(url, args.rows, args.repeat)):
                    print(f"{backend:<10} {paging:<7} {sort:<12} {first_ms:>10.2f} {deep_ms:>10.2f}")


if __name__ == "__main__":
    main()
