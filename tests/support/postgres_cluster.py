"""A throwaway PostgreSQL cluster a test owns outright, so it may stop and start it at will.

The shared server is never touched: this one lives in a temp dir, listens on a free loopback
port and is destroyed afterwards. PostgreSQL refuses to run as root, so under root the
cluster belongs to the `postgres` system user and every command runs as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.service import free_port

CLUSTER_OWNER = "postgres"
COMMAND_TIMEOUT_SECONDS = 60


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl live: POSTGRES_BINDIR, else pg_config's answer, else PATH."""
    if configured := os.environ.get("POSTGRES_BINDIR"):
        return Path(configured)
    if pg_config := shutil.which("pg_config"):
        answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if answer.returncode == 0 and (Path(answer.stdout.strip()) / "initdb").exists():
            return Path(answer.stdout.strip())
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class OwnedCluster:
    def __init__(self, bindir: Path) -> None:
        self._bindir = bindir
        self._as_owner = ["runuser", "-u", CLUSTER_OWNER, "--"] if os.geteuid() == 0 else []
        self.root = Path(tempfile.mkdtemp(prefix="items-pg-"))
        if self._as_owner:
            owner = pwd.getpwnam(CLUSTER_OWNER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *arguments: str) -> None:
        command = [*self._as_owner, str(self._bindir / tool), *arguments]
        subprocess.run(command, check=True, capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS)

    def create(self) -> None:
        self._run(
            "initdb", "--pgdata", str(self.data), "--username", "postgres", "--auth", "trust",
            "--encoding", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        """Returns once the cluster accepts connections (pg_ctl -w)."""
        # The socket goes in our own dir, not /var/run/postgresql, which the shared server owns.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        log = str(self.root / "log")
        self._run("pg_ctl", "start", "--wait", "-D", str(self.data), "-o", options, "-l", log)

    def stop(self, mode: str = "fast") -> None:
        """fast: sessions are terminated and a checkpoint is written; immediate: as a crash would."""
        self._run("pg_ctl", "stop", "--wait", "-D", str(self.data), "-m", mode)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
