"""Runs the Alembic migrations shipped inside this package, on the service's own async engine."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, column, inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import READ_ONLY_OPTIONS

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
# An arbitrary constant naming the advisory lock that migrating workers queue on.
_MIGRATION_LOCK = 0x17E35


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head() -> str:
    """The revision this code expects; tests keep it to exactly one."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads {heads}; merge them into one")
    return heads[0]


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    def advice(self) -> str:
        found = "no schema" if self.current is None else f"schema revision {self.current}"
        return f"the database has {found}, this code needs {self.head}: run `items migrate upgrade`"


class SchemaNotCurrent(RuntimeError):
    """The service will not serve a database whose schema it does not expect."""


def _current_revision(connection: Connection) -> str | None:
    # Read directly: readiness asks often, and MigrationContext logs each time it is set up.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revision: str | None = connection.execute(
        select(column("version_num")).select_from(table(VERSION_TABLE))
    ).scalar()
    return revision


async def schema_state(engine: AsyncEngine) -> SchemaState:
    async with engine.connect() as connection:
        # Reading needs no transaction; on SQLite one would also take the write lock (see engine.py).
        await connection.execution_options(**READ_ONLY_OPTIONS[connection.dialect.name])
        current = await connection.run_sync(_current_revision)
    return SchemaState(current=current, head=head())


async def _run(engine: AsyncEngine, operation: Any, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        operation(config, revision)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once; one migrates, the others then find it done.
            # (SQLite's BEGIN IMMEDIATE already serializes them.)
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await connection.run_sync(run)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """`revision` is a target such as "base", "0001" or "-1"."""
    await _run(engine, command.downgrade, revision)
