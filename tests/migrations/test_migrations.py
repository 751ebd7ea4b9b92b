"""The migrations own the schema: they build it from nothing, take it away again, and match the models."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import metadata


@pytest.fixture
async def engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names: list[str] = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def _differences(engine: AsyncEngine, models: MetaData) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        # Server defaults are compared where Alembic reads them back reliably; on SQLite it
        # reports '' and "''" as different.
        opts = {"compare_server_default": connection.dialect.name == "postgresql"}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, models))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


def test_the_migrations_have_exactly_one_head() -> None:
    assert len(ScriptDirectory.from_config(migrator.alembic_config()).get_heads()) == 1


async def test_upgrade_from_empty_builds_every_table_at_head(engine: AsyncEngine) -> None:
    assert (await migrator.schema_state(engine)).current is None
    await migrator.upgrade(engine)
    assert (await migrator.schema_state(engine)).is_current
    assert await _tables(engine) == set(metadata.tables)


async def test_upgrade_twice_changes_nothing(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    await migrator.upgrade(engine)
    assert (await migrator.schema_state(engine)).is_current


async def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    await migrator.downgrade(engine, "base")
    assert await _tables(engine) == set()
    assert (await migrator.schema_state(engine)).current is None
    await migrator.upgrade(engine)
    assert await _tables(engine) == set(metadata.tables)


async def test_the_migrations_match_the_table_models(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    assert await _differences(engine, metadata) == []


async def test_a_model_changed_without_a_migration_is_caught(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["items"].append_column(Column("colour", Integer(), nullable=True))
    assert [difference[0] for difference in await _differences(engine, changed)] == ["add_column"]
