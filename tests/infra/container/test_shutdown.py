"""`podman stop` (the image's STOPSIGNAL, SIGTERM) lets a request in flight finish before the exit,
and, with an init as the docs run it, stops a container still starting without waiting for SIGKILL."""

import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.builders import item_body
from tests.support.container import BuiltImage, published_service, run_container, wait_until_answering

pytestmark = pytest.mark.container

IMAGE_USER = 10001
# Raised together, as the docs say to: the service's grace after SIGTERM, and podman's before SIGKILL.
# The database waits (busy, pool) are longer still, so the held lock below decides when the request ends.
SETTINGS = {"SHUTDOWN_TIMEOUT": "60", "SQLITE_BUSY_TIMEOUT": "90", "DB_POOL_TIMEOUT": "90"}
STOP_TIMEOUT_SECONDS = 90
# Hang guards, not verdicts on speed.
WAIT_SECONDS = 60.0
IN_FLIGHT = re.compile(r"^http_requests_in_flight (\S+)$", re.MULTILINE)


def _in_flight(url: str) -> float:
    match = IN_FLIGHT.search(httpx.get(f"{url}/metrics", timeout=10).text)
    assert match, "http_requests_in_flight not in /metrics"
    return float(match.group(1))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS} s"
        time.sleep(0.1)


def test_sigterm_lets_an_in_flight_request_finish_then_the_container_exits_cleanly(
    image: BuiltImage, tmp_path: Path
) -> None:
    # A folder of the image user's, mounted as the volume, so this test can lock the SQLite file too.
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, IMAGE_USER, IMAGE_USER)
    service = published_service(
        image.id,
        "--read-only",
        f"--volume={data}:/data",
        f"--stop-timeout={STOP_TIMEOUT_SECONDS}",
        env=SETTINGS,
    )
    holder = None
    try:
        wait_until_answering(service.container, f"{service.url}/items/?limit=1")
        idle = _in_flight(service.url)
        # This process holds the write lock, so the next create waits for it: a request in flight.
        holder = sqlite3.connect(data / "items.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        answers: list[int] = []
        create = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    f"{service.url}/items/", json=item_body(name="in flight"), timeout=WAIT_SECONDS
                ).status_code
            )
        )
        create.start()
        _wait_for(lambda: _in_flight(service.url) > idle, "the create never reached the service")
        stopping = threading.Thread(target=service.container.stop)
        stopping.start()
        _wait_for(lambda: "Shutting down granian" in service.container.logs(), "SIGTERM never arrived")
        assert create.is_alive(), "the request was cut off instead of finishing"
        holder.close()
        create.join(WAIT_SECONDS)
        stopping.join(WAIT_SECONDS)
        assert answers == [201]
        assert not stopping.is_alive(), "the container did not exit"
        # 0, not 137: it exited by itself, podman did not have to SIGKILL it.
        assert service.container.exit_code() == 0
    finally:
        if holder is not None:
            holder.close()
        service.container.remove()
    check = sqlite3.connect(data / "items.db")
    try:
        assert check.execute("SELECT name FROM items").fetchall() == [("in flight",)]
    finally:
        check.close()


def test_with_an_init_a_sigterm_during_start_up_stops_the_container_without_sigkill(
    image: BuiltImage,
) -> None:
    # Without one, the kernel drops a SIGTERM sent to a PID 1 that has no handler yet: `items serve`
    # until Granian installs its own, so a stop that early waited for podman's SIGKILL.
    container = run_container(image.id, "--init", env={"DATABASE_URL": "memory://"})
    try:
        container.stop()
        # 143: ended by the SIGTERM the init passed on before it served; 0: it had begun serving and
        # shut down; 137 would be podman's SIGKILL after the grace.
        assert container.exit_code() in (0, 143)
    finally:
        container.remove()
