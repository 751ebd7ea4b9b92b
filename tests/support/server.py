"""A real service process on loopback that fault tests can start, SIGKILL and start again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bench.service import children, free_port
from tests.support.databases import own_database
from tests.support.processes import kill_group, stop_group

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 20.0
# The console script installed beside this interpreter: what an operator runs.
ITEMS = str(Path(sys.executable).with_name("items"))


class ServiceProcess:
    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 1,
        extra_env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.database_url = database_url
        # Where its stdout (the JSON log lines) goes; nowhere unless a test reads them.
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # Each test's fresh database gets its schema when the service starts.
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MIGRATE_ON_START": "true",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            ITEMS, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
        ]  # fmt: skip
        # Its own process group, so SIGKILL reaches every worker at once, as a crash would.
        with open(self.log_path or os.devnull, "ab") as log:
            self._process = subprocess.Popen(
                command, cwd=ROOT, env=self._env, start_new_session=True, stdout=log
            )
        try:
            self._wait_until_serving()
        except BaseException:
            # Callers stop only a service that started: one that never served would outlive the
            # test (uvicorn's supervisor respawning workers that take too long, burning the CPU).
            self.kill()
            raise

    def log_lines(self) -> list[str]:
        assert self.log_path is not None, "started without a log_path"
        return self.log_path.read_text().splitlines()

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"service exited with {self._process.returncode} during start-up")
            try:
                if httpx.get(f"{self.base_url}/items/?limit=1", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"service not serving after {START_TIMEOUT_SECONDS} s")

    def resident_kib(self) -> int:
        """The one worker process's resident memory (VmRSS); the server supervises it from its parent."""
        assert self._process is not None and self.workers == 1
        (worker,) = children(self._process.pid)
        status = Path(f"/proc/{worker}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, in-flight requests die mid-way."""
        kill_group(self._process)

    def stop(self) -> None:
        stop_group(self._process, grace_seconds=10)


# Small enough that a test can exceed it cheaply; the service's default is larger.
MAX_HEADER_BYTES = 16 * 1024


def served(
    backend: str,
    label: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    **settings: str,
) -> Iterator[ServiceProcess]:
    """For a fixture to `yield from`: the service on a database of its own, its log kept in a file."""
    with contextmanager(own_database)(backend, label, request, tmp_path_factory) as url:
        log = tmp_path_factory.mktemp(label) / "service.log"
        service = ServiceProcess(url, extra_env={"LOG_LEVEL": "INFO", **settings}, log_path=log)
        service.start()
        try:
            yield service
        finally:
            service.stop()


@dataclass(frozen=True)
class ServicePair:
    """Two `items serve` processes on one database: clients spread over both race in the database."""

    services: tuple[ServiceProcess, ServiceProcess]

    @property
    def base_urls(self) -> list[str]:
        return [service.base_url for service in self.services]

    @property
    def backend(self) -> str:
        return self.services[0].database_url.partition(":")[0]


def serving_pair(database_url: str) -> Iterator[ServicePair]:
    """For a fixture to `yield from`: two services on `database_url`, stopped afterwards."""
    # One after the other: the first migrates a fresh database, the second finds it current.
    first = ServiceProcess(database_url)
    first.start()
    try:
        second = ServiceProcess(database_url)
        second.start()
        try:
            yield ServicePair((first, second))
        finally:
            second.stop()
    finally:
        first.stop()
