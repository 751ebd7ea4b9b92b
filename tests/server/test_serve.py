"""`items serve` as an operator runs it: several workers behind one /metrics, and a graceful stop."""

import re
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.support.builders import item_body
from tests.support.server import ServiceProcess

REQUESTS = 30
POOL_SIZE = 3
# How long both workers may take to start: a guard against a hang, not a verdict on speed.
START_SECONDS = 120


def _sample(metrics: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{series} not in /metrics"
    return float(match.group(1))


def _scrape(base_url: str) -> str:
    return httpx.get(f"{base_url}/metrics").text


def _both_pools_counted(base_url: str) -> bool:
    """Each worker reports its pool once it has started: the sum reaches both only through one
    scrape that adds up every worker's values."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if _sample(_scrape(base_url), "db_pool_size") == 2 * POOL_SIZE:
            return True
        time.sleep(0.2)
    return False


def test_metrics_add_up_every_worker(tmp_path: Path) -> None:
    service = ServiceProcess(
        f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", workers=2, extra_env={"DB_POOL_SIZE": str(POOL_SIZE)}
    )
    service.start()
    try:
        # The first worker may answer long before the second has started on a loaded machine.
        assert _both_pools_counted(service.base_url), "both workers' pools never reached one scrape"
        for _ in range(REQUESTS):
            # A new connection each time, so the requests spread over the workers.
            assert httpx.get(f"{service.base_url}/health/live").status_code == 200
        metrics = _scrape(service.base_url)
    finally:
        service.stop()
    assert _sample(metrics, "db_pool_size") == 2 * POOL_SIZE
    assert _sample(metrics, 'http_requests_total{method="GET",route="/health/live",status="200"}') == REQUESTS


def test_sigterm_lets_a_slow_request_finish_then_closes_the_database(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    service = ServiceProcess(f"sqlite+aiosqlite:///{path}", extra_env={"SQLITE_BUSY_TIMEOUT": "20"})
    service.start()
    # Another process holds the write lock, so the next create waits: a slow request.
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    answers: list[int] = []
    slow = threading.Thread(
        target=lambda: answers.append(
            httpx.post(f"{service.base_url}/items/", json=item_body(name="in flight"), timeout=30).status_code
        )
    )
    slow.start()
    time.sleep(0.5)
    stopping = threading.Thread(target=service.stop)  # SIGTERM, then waits for the exit
    stopping.start()
    time.sleep(1.0)
    assert slow.is_alive(), "the request was cut off instead of finishing"
    holder.close()
    slow.join(timeout=20)
    stopping.join(timeout=20)
    assert answers == [201]
    assert not stopping.is_alive(), "the service did not exit"
    # The last connection to close checkpoints and removes the WAL: the pool was disposed.
    assert not path.with_name("items.db-wal").exists()
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT name FROM items").fetchall() == [("in flight",)]
    finally:
        check.close()
