"""Databases of a test's own: a new SQLite file, or a PostgreSQL database made beside the session's."""

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from bench.database import admin


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
