"""Another process holding the SQLite write lock is an outage: quick 503s, then recovery by itself."""

import sqlite3
import time
from pathlib import Path

from entrypoints.api.app import create_app
from entrypoints.settings import Settings
from tests.api.conftest import running

POOL_SIZE = 2
BUSY_TIMEOUT_SECONDS = 0.3


async def test_a_locked_database_answers_quick_503s_leaks_no_connection_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}",
        db_pool_size=POOL_SIZE,
        sqlite_busy_timeout=BUSY_TIMEOUT_SECONDS,
    )
    async with running(create_app(settings)) as client:
        assert (await client.post("/items/", json={"name": "before"})).status_code == 201
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            # More failed writes than the pool has connections: a leaked one per failure would
            # leave later requests waiting for the pool instead of answering at once.
            for _ in range(POOL_SIZE * 3):
                started = time.monotonic()
                refused = await client.post("/items/", json={"name": "refused"})
                assert time.monotonic() - started < BUSY_TIMEOUT_SECONDS + 1
                assert refused.status_code == 503
                assert refused.headers["content-type"] == "application/problem+json"
                assert int(refused.headers["retry-after"]) > 0
        finally:
            holder.close()
        assert (await client.post("/items/", json={"name": "after"})).status_code == 201
        names = [item["name"] for item in (await client.get("/items/")).json()]
    assert names == ["before", "after"]
