"""Databases of a test's own: a new SQLite file, or a PostgreSQL database made beside the session's."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
from sqlalchemy.engine import make_url

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrator import upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from bench.database import admin
from domain.ports import UnitOfWorkFactory

T = TypeVar("T")


def own_database(
    backend: str, label: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """For a fixture to `yield from`: a database with nothing in it, of the test's own: a new SQLite
    file, or a new PostgreSQL database beside the session's, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp(label) / 'items.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"items_{label}_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def in_store(database_url: str, work: Callable[[UnitOfWorkFactory], Awaitable[T]]) -> T:
    """What `work` answers on the database's store (its schema upgraded first), from a test that runs
    no event loop: an engine of its own, closed afterwards."""

    async def run() -> T:
        engine = create_engine(database_url)
        try:
            await upgrade(engine)
            return await work(SqlAlchemyUnitOfWorkFactory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
