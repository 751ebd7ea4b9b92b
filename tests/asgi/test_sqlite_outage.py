"""SQLite outages: another process holding the write lock, or the files made unwritable.

Either way writes answer quick 503 problems with Retry-After, no connection leaks, and the service
recovers by itself once the file is usable again, losing nothing.
"""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from entrypoints.api.app import create_app
from entrypoints.settings import Settings
from tests.support.asgi import running
from tests.support.builders import item_body
from tests.support.sqlite_outages import locked, unwritable

POOL_SIZE = 2
BUSY_TIMEOUT_SECONDS = 0.3
POOL_TIMEOUT_SECONDS = 10.0


@pytest.mark.parametrize(
    ("outage", "ready_while_down"), [(locked, 200), (unwritable, 503)], ids=["locked", "unwritable"]
)
async def test_writes_get_quick_503s_leak_no_connection_and_recover(
    tmp_path: Path, outage: Callable[[Path], AbstractContextManager[None]], ready_while_down: int
) -> None:
    path = tmp_path / "items.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}",
        db_pool_size=POOL_SIZE,
        sqlite_busy_timeout=BUSY_TIMEOUT_SECONDS,
        db_pool_timeout=POOL_TIMEOUT_SECONDS,
    )
    async with running(create_app(settings)) as client:
        assert (await client.post("/items/", json=item_body(name="before"))).status_code == 201
        with outage(path):
            # More failed writes than the pool has connections: a leaked one per failure would
            # leave later requests waiting for the pool instead of answering at once.
            for _ in range(POOL_SIZE * 3):
                started = time.monotonic()
                refused = await client.post("/items/", json=item_body(name="refused"))
                # A leaked connection would make a later request wait the pool's whole timeout.
                assert time.monotonic() - started < POOL_TIMEOUT_SECONDS
                assert refused.status_code == 503
                assert refused.headers["content-type"] == "application/problem+json"
                assert int(refused.headers["retry-after"]) > 0
            assert (await client.get("/items/")).status_code == 200, "reads go on"
            assert (await client.get("/health/ready")).status_code == ready_while_down
        assert (await client.post("/items/", json=item_body(name="after"))).status_code == 201
        assert (await client.get("/health/ready")).status_code == 200
        names = [item["name"] for item in (await client.get("/items/")).json()]
    assert names == ["before", "after"]
