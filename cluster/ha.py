"""An HA PostgreSQL on loopback: etcd, three Patroni nodes (PostgreSQL 15, synchronous replication)
and HAProxy sending every connection to the current primary (Patroni's REST check GET /primary).

Everything lives in one run directory: the rendered configurations, each process's log, each
node's data directory, and `ha.json` (ports and process ids), from which it is stopped.
Patroni and PostgreSQL run as the postgres user (PostgreSQL refuses root); setpriv changes user
and execs, so the process id recorded is Patroni's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from cluster import haproxy_admin, processes
from cluster.topology import tool

HERE = Path(__file__).resolve().parent
STATE_FILE = "ha.json"
OWNER = "postgres"
NODES = 3
# Bootstrap (initdb on one node, pg_basebackup on the others) and a streaming sync standby.
START_TIMEOUT_SECONDS = 120.0
# Leader key lifetime and Patroni's loop: how soon a dead leader is replaced (at most ttl).
TTL_SECONDS = 10
LOOP_WAIT_SECONDS = 1
RETRY_TIMEOUT_SECONDS = 4
# pgbouncer before this database refuses a query that waited this long for a server connection
# (the service answers 503) instead of holding it through a failover (pgbouncer.ini).
QUERY_WAIT_TIMEOUT_SECONDS = 2
# How long a failover, a restart in place or a rejoin may take before it counts as a hang.
CHANGE_TIMEOUT_SECONDS = 90.0


def missing_tools() -> list[str]:
    return [name for name in ("patroni", "etcd") if tool(name) is None]


def postgres_bindir() -> str:
    """PostgreSQL's server binaries (Patroni runs initdb, pg_ctl, pg_basebackup, pg_rewind): where
    the initdb on PATH resolves to (here /usr/local/bin/initdb links into /usr/lib/postgresql/15/bin)."""
    initdb = shutil.which("initdb") or shutil.which("pg_ctl")
    if initdb is None:
        raise RuntimeError("PostgreSQL's server binaries (initdb, pg_ctl) are not on PATH")
    return str(Path(initdb).resolve().parent)


@dataclass
class Node:
    name: str
    pg_port: int
    api_port: int
    pid: int = 0  # Patroni's

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


@dataclass
class HaDatabase:
    run_dir: Path
    port: int  # HAProxy: where clients connect, always to the primary
    etcd_port: int
    etcd_peer_port: int
    node_ports: list[tuple[int, int]]  # (PostgreSQL, REST API) per node
    nodes: list[Node] = field(default_factory=list)
    etcd_pid: int = 0
    haproxy_pid: int = 0

    def __post_init__(self) -> None:
        if not self.nodes:
            self.nodes = [Node(f"pg{n}", pg, api) for n, (pg, api) in enumerate(self.node_ports, 1)]
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """The primary, through HAProxy, for the service and for migrations."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    # Starting

    def start(self) -> None:
        """etcd, the nodes (one bootstraps, the others clone it), HAProxy; returns once every node
        streams, one of them synchronously, and HAProxy sends connections to the leader."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)
        try:
            self._start_etcd()
            for node in self.nodes:
                self.start_node(node)
            self.wait_until_replicated(len(self.nodes))
            self._start_haproxy()
            processes.wait_until(
                lambda: self.haproxy_primary() == self.leader(),
                START_TIMEOUT_SECONDS,
                "HAProxy sending connections to the leader",
            )
        except BaseException:
            self.stop()
            raise
        self.save()

    def _start_etcd(self) -> None:
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        client = f"http://127.0.0.1:{self.etcd_port}"
        command = [
            str(tool("etcd")), "--name", "etcd1", "--data-dir", str(self.run_dir / "etcd"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", f"etcd1={peer}", "--initial-cluster-state", "new",
        ]  # fmt: skip
        self.etcd_pid = self._spawn("etcd", command)
        processes.wait_until(lambda: _answers(f"{client}/health"), START_TIMEOUT_SECONDS, "etcd healthy")

    def start_node(self, node: Node) -> None:
        """Patroni for `node`: it starts (or restarts) PostgreSQL and joins the cluster."""
        node_dir = self.run_dir / node.name
        node_dir.mkdir(exist_ok=True)
        as_owner = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam(OWNER)
            os.chown(node_dir, owner.pw_uid, owner.pw_gid)
            as_owner = ["setpriv", f"--reuid={OWNER}", f"--regid={OWNER}", "--init-groups"]
        config = self._render(
            "patroni.yml",
            f"{node.name}.yml",
            name=node.name,
            api_port=node.api_port,
            pg_port=node.pg_port,
            etcd_port=self.etcd_port,
            node_dir=node_dir,
            bin_dir=postgres_bindir(),
            ttl=TTL_SECONDS,
            loop_wait=LOOP_WAIT_SECONDS,
            retry_timeout=RETRY_TIMEOUT_SECONDS,
        )
        env = {**os.environ, "HOME": str(node_dir)}
        node.pid = self._spawn(node.name, [*as_owner, str(tool("patroni")), str(config)], env)

    def _start_haproxy(self) -> None:
        servers = "\n".join(
            f"    server {n.name} 127.0.0.1:{n.pg_port} check port {n.api_port}" for n in self.nodes
        )
        config = self._render("haproxy-postgres.cfg", "haproxy-postgres.cfg", port=self.port, servers=servers)
        haproxy = str(tool("haproxy"))
        check = subprocess.run(
            [haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy rejects {config}: {check.stdout}{check.stderr}")
        self.haproxy_pid = self._spawn("haproxy-postgres", [haproxy, "-db", "-f", str(config)])
        processes.wait_until(self.stats_socket.exists, START_TIMEOUT_SECONDS, "HAProxy's stats socket")

    def _render(self, template: str, target: str, **values: object) -> Path:
        rendered = self.run_dir / target
        text = Template((HERE / template).read_text()).substitute(run_dir=self.run_dir, **values)
        rendered.write_text(text)
        rendered.chmod(0o644)
        return rendered

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> int:
        child = processes.start(command, self.run_dir / f"{name}.log", env)
        self._children[child.pid] = child
        return child.pid

    # Watching

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy-postgres.sock"

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the cluster (GET /cluster), from the first node that answers."""
        for node in self.nodes:
            if processes.alive(node.pid):
                try:
                    with urllib.request.urlopen(f"{node.api}/cluster", timeout=2) as answer:
                        members: list[dict[str, Any]] = json.load(answer)["members"]
                        return members
                except (OSError, urllib.error.URLError, ValueError):
                    continue
        return []

    def leader(self) -> str | None:
        """The running leader's name, once its PostgreSQL accepts writes (Patroni says running)."""
        running = [m for m in self.members() if m["role"] == "leader" and m["state"] == "running"]
        return running[0]["name"] if len(running) == 1 else None

    def sync_standby(self) -> str | None:
        standbys = [m["name"] for m in self.members() if m["role"] == "sync_standby"]
        return standbys[0] if standbys else None

    def timeline(self) -> int | None:
        leaders = [m for m in self.members() if m["role"] == "leader"]
        return int(leaders[0]["timeline"]) if leaders and "timeline" in leaders[0] else None

    def replicated(self, count: int) -> bool:
        """`count` members: a running leader, the others streaming from it, one synchronously."""
        members = self.members()
        leaders = [m for m in members if m["role"] == "leader" and m["state"] == "running"]
        standbys = [m for m in members if m["role"] in ("replica", "sync_standby")]
        return (
            len(members) == count
            and len(leaders) == 1
            and all(m["state"] in ("streaming", "running") and m.get("lag") == 0 for m in standbys)
            and any(m["role"] == "sync_standby" for m in standbys)
        )

    def wait_until_replicated(self, count: int) -> None:
        processes.wait_until(
            lambda: self.replicated(count),
            START_TIMEOUT_SECONDS,
            f"{count} members, one leader, the others streaming, one of them synchronous",
        )

    def haproxy_primary(self) -> str | None:
        """The one server HAProxy sends connections to (None while it has none, or several).
        "UP 1/2" (one failed check of the two that take it down) still gets connections."""
        servers = haproxy_admin.servers(self.stats_socket, "primary")
        up = [name for name, state in servers.items() if state.status.startswith("UP")]
        return up[0] if len(up) == 1 else None

    def postmaster_pid(self, node: Node) -> int | None:
        try:
            return int((self.run_dir / node.name / "data" / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def log(self, node: Node) -> str:
        """Patroni's and PostgreSQL's output for `node`."""
        return (self.run_dir / f"{node.name}.log").read_text(errors="replace")

    # Faults and changes

    def kill_postmaster(self, node: Node) -> int:
        """SIGKILL the postmaster alone, as a crash of PostgreSQL would; Patroni lives on."""
        pid = self.postmaster_pid(node)
        if pid is None:
            raise RuntimeError(f"{node.name} has no running postmaster")
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_node(self, node: Node) -> None:
        """SIGKILL Patroni and every PostgreSQL process of the node at once: the node is gone.
        Each PostgreSQL process is a session of its own (the postmaster's children call setsid),
        so they are killed one by one, the postmaster with them, not as a process group."""
        postmaster = self.postmaster_pid(node)
        postgres = [postmaster, *_children(postmaster)] if postmaster is not None else []
        processes.kill(node.pid)
        self._reap(node.pid)
        for pid in postgres:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def switchover(self, leader: str, candidate: str) -> None:
        """Patroni's planned switchover (the primary is demoted cleanly, then the candidate promoted)."""
        patronictl = str(tool("patronictl"))
        command = [
            patronictl, "-c", str(self.run_dir / f"{leader}.yml"), "switchover",
            "--leader", leader, "--candidate", candidate, "--force",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHANGE_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"patronictl switchover failed: {done.stdout}{done.stderr}")

    def _reap(self, pid: int) -> None:
        if (child := self._children.pop(pid, None)) is not None:
            child.wait(timeout=10)

    # Stopping

    def stop(self) -> None:
        """HAProxy, then each node (Patroni stops its PostgreSQL), then etcd; by process id."""
        for pid in [self.haproxy_pid, *(node.pid for node in self.nodes)]:
            if pid:
                processes.stop(pid)
                self._reap(pid)
        for node in self.nodes:
            # A node whose Patroni was killed leaves its PostgreSQL behind only if one was running.
            if (postmaster := self.postmaster_pid(node)) is not None and processes.alive(postmaster):
                # Immediate shutdown: the postmaster ends its children, then itself.
                os.kill(postmaster, signal.SIGQUIT)
                processes.wait_until(lambda: not processes.alive(postmaster), 10, "an orphaned postmaster")
        if self.etcd_pid:
            processes.stop(self.etcd_pid)
            self._reap(self.etcd_pid)
        (self.run_dir / STATE_FILE).unlink(missing_ok=True)
        self.stats_socket.unlink(missing_ok=True)

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / STATE_FILE).write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, run_dir: Path) -> HaDatabase | None:
        try:
            state = json.loads((run_dir / STATE_FILE).read_text())
        except FileNotFoundError:
            return None
        state["run_dir"] = Path(state["run_dir"])
        state["node_ports"] = [tuple(ports) for ports in state["node_ports"]]
        state["nodes"] = [Node(**node) for node in state["nodes"]]
        return cls(**state)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def remove(run_dir: Path) -> None:
    """A stopped cluster's files, data directories included (they belong to the postgres user)."""
    shutil.rmtree(run_dir, ignore_errors=True)
