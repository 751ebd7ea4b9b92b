"""`items relay` as a real process, which tests can SIGKILL and start again."""

import os
import subprocess
from pathlib import Path

from adapters.jetstream import JetStreamTarget
from tests.support.processes import kill_group, stop_group
from tests.support.server import ITEMS, ROOT


class RelayProcess:
    def __init__(
        self,
        database_url: str,
        target: JetStreamTarget,
        log_path: Path,
        *,
        lease: float,
        publish_timeout: float,
    ) -> None:
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NATS_URL": target.url,
            "RELAY_STREAM": target.stream,
            "RELAY_SUBJECT": target.subject_prefix,
            "RELAY_LEASE": str(lease),
            "RELAY_PUBLISH_TIMEOUT": str(publish_timeout),
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "text",
        }
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                [ITEMS, "relay"], cwd=ROOT, env=self._env, start_new_session=True, stdout=log, stderr=log
            )

    def kill(self) -> None:
        """SIGKILL: whatever it was publishing, it never stores how far it got."""
        kill_group(self._process)

    def stop(self) -> None:
        stop_group(self._process, grace_seconds=15)
