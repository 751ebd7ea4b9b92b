"""Revision 0002 on a database that already has items: names are folded, nothing else changes."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.listing import ItemListQuery, Sort, SortField

NAMES = ["Straße", "ΩMEGA", "Plain"]


@pytest.fixture
async def engine_at_0001(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    try:
        await migrator.upgrade(engine, "0001")
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        async with engine.begin() as connection:
            for name in NAMES:
                await connection.execute(
                    text(
                        "INSERT INTO items (name, description, created_at, updated_at)"
                        " VALUES (:n, '', :t, :t)"
                    ),
                    {"n": name, "t": moment},
                )
        yield engine
    finally:
        await engine.dispose()


async def test_existing_items_are_found_by_case_insensitive_search(engine_at_0001: AsyncEngine) -> None:
    await migrator.upgrade(engine_at_0001)
    async with SqlAlchemyUnitOfWorkFactory(engine_at_0001)(read_only=True) as uow:
        found = await uow.items.list(ItemListQuery(name_contains="STRASSE"))
        ordered = await uow.items.list(ItemListQuery(sort=Sort(SortField.NAME)))
    assert [item.name for item in found.items] == ["Straße"]
    assert [item.name for item in ordered.items] == ["Plain", "Straße", "ΩMEGA"]


async def test_the_items_table_keeps_its_rules(engine_at_0001: AsyncEngine) -> None:
    """SQLite rebuilds the table: AUTOINCREMENT and the version check survive. PostgreSQL alters
    it in place: the folded names get the byte-wise collation every backend sorts by."""
    await migrator.upgrade(engine_at_0001)
    async with engine_at_0001.connect() as connection:
        if engine_at_0001.dialect.name == "sqlite":
            ddl = await connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'items'"))
            assert "AUTOINCREMENT" in ddl
            assert "version >= 1" in ddl
        else:
            collation = await connection.scalar(
                text(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = 'items' AND column_name = 'name_folded'"
                )
            )
            assert collation == "C"


async def test_downgrade_to_0001_keeps_the_items(engine_at_0001: AsyncEngine) -> None:
    await migrator.upgrade(engine_at_0001)
    await migrator.downgrade(engine_at_0001, "0001")
    async with engine_at_0001.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM items ORDER BY id"))).scalars().all()
    assert names == NAMES
