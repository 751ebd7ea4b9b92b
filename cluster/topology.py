"""The cluster: pgbouncer before PostgreSQL, N `items serve` replicas, HAProxy before them, on loopback.

Everything lives in one run directory: the rendered configurations, each process's log, and
`cluster.json` (ports and process ids), from which `python -m cluster stop` stops it all.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from string import Template

from sqlalchemy.engine import make_url

from cluster import haproxy_admin, processes

HERE = Path(__file__).resolve().parent
ITEMS = str(Path(sys.executable).with_name("items"))
STATE_FILE = "cluster.json"
START_TIMEOUT_SECONDS = 60.0
# pgbouncer refuses to run as root; it then drops to this user (who owns PostgreSQL anyway).
PGBOUNCER_USER = "postgres"


def tool(name: str) -> str | None:
    """A Debian package's daemon: on PATH, or in /usr/sbin, which a non-root PATH often lacks."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin")


def missing_tools() -> list[str]:
    return [name for name in ("haproxy", "pgbouncer") if tool(name) is None]


@dataclass
class Replica:
    name: str
    port: int
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """What `start` brings up; `database_url` is PostgreSQL itself, which the replicas reach via pgbouncer."""

    database_url: str
    run_dir: Path
    port: int  # the load balancer: what clients use
    pgbouncer_port: int
    replica_ports: list[int]
    # Server connections pgbouncer keeps per database: PostgreSQL's share of the connection budget.
    server_pool_size: int = 20
    # Seconds a query waits in pgbouncer for a server connection (pgbouncer's default, 120).
    query_wait_timeout: int = 120
    # Settings every replica gets on top of this process's environment (so API_KEYS and the like
    # reach them all alike).
    replica_env: dict[str, str] = field(default_factory=dict)
    cursor_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    replicas: list[Replica] = field(default_factory=list)
    haproxy_pid: int = 0
    pgbouncer_pid: int = 0

    def __post_init__(self) -> None:
        if not self.replicas:
            self.replicas = [Replica(f"r{n}", port) for n, port in enumerate(self.replica_ports, 1)]
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy.sock"

    @property
    def replica_database_url(self) -> str:
        """The same database, through pgbouncer."""
        return (
            make_url(self.database_url)
            .set(host="127.0.0.1", port=self.pgbouncer_port)
            .render_as_string(hide_password=False)
        )

    # Starting

    def start(self) -> None:
        """Migrate once, then pgbouncer, the replicas and HAProxy; returns when HAProxy sees all up."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # pgbouncer reads its files as PGBOUNCER_USER once it has dropped root.
        self.run_dir.chmod(0o755)
        try:
            self._migrate()
            self._start_pgbouncer()
            # Started side by side (each start-up is mostly waiting), then each awaited.
            for replica in self.replicas:
                self._spawn_replica(replica)
            for replica in self.replicas:
                self._wait_until_ready(replica)
            self._start_haproxy()
            processes.wait_until(
                lambda: all(s.status == "UP" for s in self.lb_servers().values()),
                START_TIMEOUT_SECONDS,
                "HAProxy seeing every replica up",
            )
        except BaseException:
            self.stop()
            raise
        self._save()

    def _migrate(self) -> None:
        """Once, straight on PostgreSQL (schema changes need no pooler), before any replica starts."""
        env = {**os.environ, "DATABASE_URL": self.database_url, "LOG_LEVEL": "WARNING"}
        done = subprocess.run(
            [ITEMS, "migrate", "upgrade"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"items migrate upgrade failed ({done.returncode}): {done.stderr.strip()}")

    def _render(self, template: str, **values: object) -> Path:
        rendered = self.run_dir / template
        text = Template((HERE / template).read_text()).substitute(run_dir=self.run_dir, here=HERE, **values)
        rendered.write_text(text)
        return rendered

    def _start_pgbouncer(self) -> None:
        postgres = make_url(self.database_url)
        (self.run_dir / "userlist.txt").write_text(f'"{postgres.username or PGBOUNCER_USER}" ""\n')
        config = self._render(
            "pgbouncer.ini",
            port=self.pgbouncer_port,
            postgres_host=postgres.host or "127.0.0.1",
            postgres_port=postgres.port or 5432,
            server_pool_size=self.server_pool_size,
            query_wait_timeout=self.query_wait_timeout,
            # Every replica's whole pool, plus room for readiness probes and an operator's psql.
            max_client_conn=len(self.replicas) * self._replica_pool_size() + 50,
        )
        command = [str(tool("pgbouncer"))]
        if os.geteuid() == 0:
            pwd.getpwnam(PGBOUNCER_USER)  # a clear KeyError if the user is missing
            command += ["-u", PGBOUNCER_USER]
        self.pgbouncer_pid = self._spawn("pgbouncer", [*command, str(config)])
        processes.wait_until(self._pgbouncer_answers, START_TIMEOUT_SECONDS, "pgbouncer accepting")

    def _replica_pool_size(self) -> int:
        return int(self.replica_env.get("DB_POOL_SIZE", os.environ.get("DB_POOL_SIZE", "20")))

    def _pgbouncer_answers(self) -> bool:
        return self.pgbouncer("SHOW VERSION") is not None

    def pgbouncer(self, command: str) -> str | None:
        """An admin console command (psql, unaligned); None while pgbouncer does not answer."""
        psql = [
            "psql", "-h", "127.0.0.1", "-p", str(self.pgbouncer_port), "-U", "postgres", "-X", "-A",
            "-F", "|", "-c", command, "pgbouncer",
        ]  # fmt: skip
        done = subprocess.run(psql, capture_output=True, text=True, timeout=10, check=False)
        return done.stdout if done.returncode == 0 else None

    def start_replica(self, replica: Replica) -> None:
        """`items serve`, one worker; returns once the replica itself is ready."""
        self._spawn_replica(replica)
        self._wait_until_ready(replica)

    def _spawn_replica(self, replica: Replica) -> None:
        env = {
            **os.environ,
            "LOG_FORMAT": "json",
            **self.replica_env,
            "DATABASE_URL": self.replica_database_url,
            "DB_STATEMENT_CACHE": "false",
            "MIGRATE_ON_START": "false",
            "CURSOR_SECRET": self.cursor_secret,
        }
        command = [ITEMS, "serve", "--host", "127.0.0.1", "--port", str(replica.port), "--workers", "1"]
        replica.pid = self._spawn(replica.name, command, env)

    def _wait_until_ready(self, replica: Replica) -> None:
        processes.wait_until(
            lambda: self._ready(replica), START_TIMEOUT_SECONDS, f"replica {replica.name} ready"
        )

    def _ready(self, replica: Replica) -> bool:
        if not processes.alive(replica.pid):
            raise RuntimeError(
                f"replica {replica.name} exited during start-up:\n{self.log(replica.name)[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{replica.url}/health/ready", timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def _start_haproxy(self) -> None:
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port}" for r in self.replicas)
        config = self._render("haproxy.cfg", port=self.port, servers=servers)
        haproxy = str(tool("haproxy"))
        check = subprocess.run(
            [haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy rejects {config}: {check.stdout}{check.stderr}")
        # -db: stay in the foreground (no daemon), so the process id recorded is HAProxy's own.
        self.haproxy_pid = self._spawn("haproxy", [haproxy, "-db", "-f", str(config)])
        processes.wait_until(self.stats_socket.exists, START_TIMEOUT_SECONDS, "HAProxy's stats socket")

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> int:
        child = processes.start(command, self.run_dir / f"{name}.log", env)
        self._children[child.pid] = child
        return child.pid

    # Watching

    def lb_servers(self) -> dict[str, haproxy_admin.ServerState]:
        return haproxy_admin.servers(self.stats_socket)

    def lb_status(self, replica: Replica) -> str:
        return self.lb_servers()[replica.name].status

    def wait_for_lb_status(self, replica: Replica, status: str) -> None:
        """Until HAProxy calls the replica `status` (DOWN also while it counts checks back up)."""
        processes.wait_until(
            lambda: self.lb_status(replica) == status or self.lb_status(replica).startswith(f"{status} "),
            START_TIMEOUT_SECONDS,
            f"HAProxy seeing {replica.name} {status}",
        )

    def log(self, name: str) -> str:
        return (self.run_dir / f"{name}.log").read_text(errors="replace")

    # Faults and restarts

    def kill_replica(self, replica: Replica) -> None:
        processes.kill(replica.pid)
        self._reap(replica.pid)

    def stop_replica(self, replica: Replica) -> None:
        processes.stop(replica.pid)
        self._reap(replica.pid)

    def _reap(self, pid: int) -> None:
        if (child := self._children.pop(pid, None)) is not None:
            child.wait(timeout=10)

    def restart_replica(self, replica: Replica, mark: Callable[[str], None] = lambda _: None) -> None:
        """A restart no client notices: HAProxy stops sending the replica new requests (drain),
        the ones it has finish, and only then is it stopped (SIGTERM), started and put back."""
        haproxy_admin.set_state(self.stats_socket, replica.name, "drain")
        mark(f"{replica.name} drained")
        processes.wait_until(
            lambda: self.lb_servers()[replica.name].sessions == 0,
            processes.STOP_TIMEOUT_SECONDS,
            f"replica {replica.name}'s requests finishing",
        )
        self.stop_replica(replica)
        mark(f"{replica.name} stopped")
        self.start_replica(replica)
        mark(f"{replica.name} started")
        haproxy_admin.set_state(self.stats_socket, replica.name, "ready")
        processes.wait_until(
            lambda: self.lb_status(replica) == "UP",
            START_TIMEOUT_SECONDS,
            f"HAProxy seeing {replica.name} up",
        )
        mark(f"{replica.name} back in rotation")

    def rolling_restart(self, mark: Callable[[str], None] = lambda _: None) -> None:
        """One replica at a time, each back in rotation before the next leaves it."""
        for replica in self.replicas:
            self.restart_replica(replica, mark)
        self._save()

    # Stopping

    def stop(self) -> None:
        """HAProxy first (clients stop arriving), then the replicas (gracefully), then pgbouncer."""
        for pid in [self.haproxy_pid, *(r.pid for r in self.replicas), self.pgbouncer_pid]:
            if pid:
                processes.stop(pid)
                self._reap(pid)
        (self.run_dir / STATE_FILE).unlink(missing_ok=True)
        self.stats_socket.unlink(missing_ok=True)

    def _save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        saved = self.run_dir / STATE_FILE
        # It holds CURSOR_SECRET, which a replica restarted later must get too: for this user only.
        saved.touch(mode=0o600)
        saved.write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, run_dir: Path) -> Cluster | None:
        """The cluster recorded in `run_dir`, or None when none is running there."""
        try:
            state = json.loads((run_dir / STATE_FILE).read_text())
        except FileNotFoundError:
            return None
        state["run_dir"] = Path(state["run_dir"])
        state["replicas"] = [Replica(**replica) for replica in state["replicas"]]
        return cls(**state)
