"""Fault tests drive real server processes; FAULT_ROUNDS sets how many faults each inflicts."""

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _admin

QUICK_ROUNDS = 3


@pytest.fixture
def fault_rounds() -> int:
    return int(os.environ.get("FAULT_ROUNDS", QUICK_ROUNDS))


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty durable store per test: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('faults') / 'items.db'}"
        return
    session_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"items_fault_{uuid.uuid4().hex[:12]}"
    server_url = session_url.render_as_string(hide_password=False)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield session_url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
