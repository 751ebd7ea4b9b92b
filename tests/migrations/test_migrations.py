"""The migrations own the schema: they build it from nothing, take it away again, and match the models."""

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Column, Connection, Integer, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy import migrator
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import metadata
from tests.support.builders import UNKNOWN_FIELD


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


# A CHECK constraint as (table, name, condition); the condition compared without parentheses, case,
# spacing or PostgreSQL's casts, which each backend adds or drops when it reads a condition back, and
# with PostgreSQL's "= ANY (ARRAY[...])" read as the IN (...) it was written as.
Check = tuple[str, str, str]
_CASTS = re.compile(r"::[a-z_]+( varying)?(\[\])?")
_ANY_ARRAY = re.compile(r"= any \(array\[(.*?)\]\)")


def _condition(sql: str) -> str:
    text = _ANY_ARRAY.sub(r"in (\1)", _CASTS.sub("", sql.lower()))
    return " ".join(text.replace("(", " ").replace(")", " ").split())


def _model_checks(models: MetaData) -> set[Check]:
    return {
        (table.name, str(constraint.name), _condition(str(constraint.sqltext)))
        for table in models.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def _database_checks(connection: Connection, tables: list[str]) -> set[Check]:
    inspector = inspect(connection)
    return {
        (table, str(check["name"]), _condition(check["sqltext"]))
        for table in tables
        for check in inspector.get_check_constraints(table)
    }


async def _differences(engine: AsyncEngine, models: MetaData) -> list[Any]:
    """Alembic's comparison, and the CHECK constraints that it leaves out (as add_check/remove_check)."""

    def compare(connection: Connection) -> list[Any]:
        # Server defaults are compared where Alembic reads them back reliably; on SQLite it
        # reports '' and "''" as different.
        opts = {"compare_server_default": connection.dialect.name == "postgresql"}
        context = MigrationContext.configure(connection, opts=opts)
        differences: list[Any] = list(compare_metadata(context, models))
        wanted = _model_checks(models)
        present = _database_checks(
            connection, [name for name in models.tables if inspect(connection).has_table(name)]
        )
        differences += [("add_check", *check) for check in sorted(wanted - present)]
        differences += [("remove_check", *check) for check in sorted(present - wanted)]
        return differences

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


def _copy(models: MetaData) -> MetaData:
    changed = MetaData(naming_convention=models.naming_convention)
    for table in models.tables.values():
        table.to_metadata(changed)
    return changed


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
    changed = _copy(metadata)
    changed.tables["items"].append_column(Column(UNKNOWN_FIELD, Integer(), nullable=True))
    assert [difference[0] for difference in await _differences(engine, changed)] == ["add_column"]


def test_the_models_have_check_constraints_to_compare() -> None:
    # Else the CHECK comparison below would pass by comparing nothing with nothing.
    assert ("items", "ck_items_version_positive", "version >= 1") in _model_checks(metadata)


async def test_a_check_in_the_models_but_not_the_migrations_is_caught(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    changed = _copy(metadata)
    changed.tables["items"].append_constraint(CheckConstraint("length(name) >= 1", name="not_a_check_x9"))
    assert await _differences(engine, changed) == [
        ("add_check", "items", "ck_items_not_a_check_x9", "length name >= 1")
    ]


async def test_a_check_in_the_migrations_but_not_the_models_is_caught(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    changed = _copy(metadata)
    items = changed.tables["items"]
    (check,) = [constraint for constraint in items.constraints if isinstance(constraint, CheckConstraint)]
    items.constraints.remove(check)
    assert await _differences(engine, changed) == [
        ("remove_check", "items", "ck_items_version_positive", "version >= 1")
    ]


async def test_a_check_whose_condition_differs_is_caught(engine: AsyncEngine) -> None:
    await migrator.upgrade(engine)
    changed = _copy(metadata)
    items = changed.tables["items"]
    (check,) = [constraint for constraint in items.constraints if isinstance(constraint, CheckConstraint)]
    items.constraints.remove(check)
    items.append_constraint(CheckConstraint("version >= 2", name="version_positive"))
    assert [difference[0] for difference in await _differences(engine, changed)] == [
        "add_check",
        "remove_check",
    ]
