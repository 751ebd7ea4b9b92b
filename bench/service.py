"""Starting the service under test as a real server process, and watching its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The `items` command of this environment.
ITEMS = str(Path(sys.executable).with_name("items"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/items/?limit=1", timeout=2):
                return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def running_service(database_url: str, cores: str, workers: int) -> Iterator[tuple[str, int]]:
    """The service on a free loopback port, pinned to `cores`: yields (base URL, process id)."""
    port = free_port()
    # `items serve` itself, so the benchmark measures the server and settings operators run.
    command = ["taskset", "-c", cores, ITEMS, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    # A fresh PostgreSQL database gets its schema at start-up; access lines stay off as before
    # (the service's own middleware writes them at LOG_LEVEL=INFO).
    env = {**os.environ, "DATABASE_URL": database_url, "MIGRATE_ON_START": "true", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def worker_rss_mib(pid: int) -> list[float]:
    """Resident memory of each worker: the process itself, or its children when it supervises workers."""
    workers = children(pid) or [pid]
    sizes = []
    for worker in workers:
        for line in Path(f"/proc/{worker}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes
