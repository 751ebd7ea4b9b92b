"""The full stack on HA PostgreSQL, and a fault inflicted on it under the fault tests' writers.

HAProxy -> `items serve` replicas -> pgbouncer -> HAProxy -> the Patroni primary (cluster/ha.py).
A fault's timeline marks: "fault" (inflicted), "writable" (a primary on a newer timeline, running,
and HAProxy sending connections to it), "recovered" (the first write sent after "writable" that
succeeded), "settled" (every member streaming again).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.database import admin
from bench.service import free_port
from cluster import ha, processes
from cluster.database import ensure_database
from cluster.topology import Cluster
from cluster.topology import missing_tools as missing_cluster_tools
from tests.support.ledger import Ledger, lost_writes, write
from tests.support.timeline import Answer, Timeline, first_answer

WRITERS = 8
REPLICAS = 2
REPLICA_ENV = {"DB_POOL_SIZE": "8", "LOG_LEVEL": "WARNING"}
# Fewer server connections than the replicas' pools hold, as in tests/infra/cluster.
SERVER_POOL_SIZE = 4
# Acknowledged writes before the fault (one of each kind among them) and after the cluster
# settled: the tests count work, not seconds, whatever the machine's speed.
WORK_BEFORE = 100
WORK_AFTER = 100
WRITE_KINDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOAD_SECONDS_LIMIT = 180.0  # a guard only: the load stops when the fault is over
RECOVERY_TIMEOUT_SECONDS = 60.0  # a hang guard for the first successful write after a fault
DATABASE = "items"


def require_tools() -> None:
    """Skip with the reason (fail under CI=true, which installs them) without Patroni, etcd,
    HAProxy or pgbouncer."""
    if missing := ha.missing_tools() + missing_cluster_tools():
        reason = f"{' and '.join(missing)} not installed (make ha-packages cluster-packages)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires them")
        pytest.skip(reason)


@dataclass
class HaStack:
    database: ha.HaDatabase
    service: Cluster

    @property
    def url(self) -> str:
        return self.service.url

    def heal(self) -> None:
        """Every node running again (Patroni rejoins a killed one), all three streaming, and every
        replica back in HAProxy's rotation (their readiness failed while there was no primary)."""
        for node in self.database.nodes:
            if not processes.alive(node.pid):
                self.database.start_node(node)
        self.database.wait_until_replicated(len(self.database.nodes))
        processes.wait_until(
            lambda: all(server.status == "UP" for server in self.service.lb_servers().values()),
            ha.CHANGE_TIMEOUT_SECONDS,
            "HAProxy seeing every replica up",
        )

    def empty(self) -> None:
        """No items, idempotency keys or changes: the ledger accounts for every row it finds."""
        statement = "TRUNCATE items, idempotency_keys, item_changes, relays RESTART IDENTITY"
        asyncio.run(admin(self.service.database_url, statement))

    def leader(self) -> ha.Node:
        name = self.database.leader()
        assert name is not None, f"no running leader: {self.database.members()}"
        return self.database.node(name)

    def writable_after(self, timeline: int) -> bool:
        """A primary on a timeline newer than `timeline`, running, and HAProxy sending to it."""
        leader, newest = self.database.leader(), self.database.timeline()
        return (
            leader is not None
            and newest is not None
            and newest > timeline
            and self.database.haproxy_primary() == leader
        )


@contextmanager
def ha_stack(service_dir: Path, logs_dir: Path) -> Iterator[HaStack]:
    """Starts the HA database, then the service on it; stops both by process id however it ends.
    The database's files are in a temp dir the postgres user can reach (pytest's are private to
    root); its logs are copied to `logs_dir` before it is removed."""
    require_tools()
    run_dir = Path(tempfile.mkdtemp(prefix="items-ha-"))
    run_dir.chmod(0o755)
    database = ha.HaDatabase(
        run_dir=run_dir,
        port=free_port(),
        etcd_port=free_port(),
        etcd_peer_port=free_port(),
        node_ports=[(free_port(), free_port()) for _ in range(ha.NODES)],
    )
    service: Cluster | None = None
    try:
        database.start()
        url = database.url.rpartition("/")[0] + f"/{DATABASE}"
        ensure_database(url)
        service = Cluster(
            database_url=url,
            run_dir=service_dir,
            port=free_port(),
            pgbouncer_port=free_port(),
            replica_ports=[free_port() for _ in range(REPLICAS)],
            server_pool_size=SERVER_POOL_SIZE,
            query_wait_timeout=ha.QUERY_WAIT_TIMEOUT_SECONDS,
            replica_env=REPLICA_ENV,
        )
        service.start()
        yield HaStack(database, service)
    finally:
        if service is not None:
            service.stop()
        database.stop()
        for log in run_dir.glob("*.log"):
            shutil.copy(log, logs_dir)
        ha.remove(run_dir)


@dataclass
class Outcome:
    """What clients saw of one fault, and what the store kept."""

    ledger: Ledger
    timeline: Timeline
    lost: list[str]
    leader_before: str
    leader_after: str
    timeline_before: int
    timeline_after: int
    streaming: int  # members streaming once it settled: all three, or the two a lost node left

    def seconds(self, event: str) -> float:
        return self.timeline.since("fault", self.timeline.marks[event])

    def improper(self) -> list[str]:
        """Answers that were neither a success nor a 503 problem with Retry-After."""
        return [
            f"{a.method} {a.path} -> {a.status}"
            for a in self.timeline.answers
            if not (a.succeeded or a.proper_refusal)
        ]

    def refusals(self) -> list[Answer]:
        return [a for a in self.timeline.answers if a.proper_refusal]

    def summary(self, what: str) -> str:
        refusals = self.refusals()
        slowest = max((a.latency for a in refusals), default=0.0)
        return (
            f"{what} ({WRITERS} writers through HAProxy, {REPLICAS} replicas, pgbouncer, HAProxy, "
            f"Patroni):\n"
            f"  leader {self.leader_before} (timeline {self.timeline_before}) -> {self.leader_after} "
            f"(timeline {self.timeline_after})\n"
            f"  writable primary {self.seconds('writable'):.2f} s after the fault, first successful "
            f"write {self.seconds('recovered'):.2f} s, {self.streaming} members streaming "
            f"{self.seconds('settled'):.2f} s\n"
            f"  {len(self.timeline.answers)} answers: {len(refusals)} x 503 problem with Retry-After "
            f"(slowest {slowest:.2f} s), 0 other failures\n"
            f"  {self.ledger.acknowledged} acknowledged writes checked on the new primary, "
            f"{self.ledger.refused} in doubt (503), lost {len(self.lost)}"
        )


async def fault_under_load(
    stack: HaStack,
    fault: Callable[[ha.Node], object],
    alongside: Callable[[Ledger, asyncio.Event], Awaitable[object]] | None = None,
) -> Outcome:
    """`fault(leader)` under WRITERS writers (and `alongside` clients, which record what they are
    told in the same ledger and stop when the event is set); returns once a new primary took
    writes and the cluster streams again, with the ledger checked through the service (so on the
    new primary)."""
    ledger, timeline, done = Ledger(), Timeline(), asyncio.Event()
    load = asyncio.gather(
        write(stack.url, ledger, WRITERS, random.Random(), LOAD_SECONDS_LIMIT, timeline, done),
        alongside(ledger, done) if alongside else asyncio.sleep(0),
    )
    try:
        await ledger.reaches(WORK_BEFORE, WRITE_KINDS)
        leader, before = stack.leader(), stack.database.timeline()
        assert before is not None
        timeline.mark("fault")
        await asyncio.to_thread(fault, leader)
        await asyncio.to_thread(
            processes.wait_until,
            lambda: stack.writable_after(before),
            ha.CHANGE_TIMEOUT_SECONDS,
            "a writable primary on a new timeline",
        )
        timeline.mark("writable")
        recovered = await _first_success_after(timeline, "writable")
        timeline.marks["recovered"] = recovered.received
        survivors = sum(processes.alive(node.pid) for node in stack.database.nodes)
        await asyncio.to_thread(stack.database.wait_until_replicated, survivors)
        timeline.mark("settled")
        await ledger.reaches(ledger.acknowledged + WORK_AFTER)
    finally:
        done.set()
        await load
    lost = await lost_writes(stack.url, ledger)
    after = stack.leader().name
    assert stack.database.haproxy_primary() == after, "the ledger was not read from the leader"
    return Outcome(
        ledger, timeline, lost, leader.name, after, before, stack.database.timeline() or 0, survivors
    )


async def _first_success_after(timeline: Timeline, event: str) -> Answer:
    deadline = asyncio.get_running_loop().time() + RECOVERY_TIMEOUT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        if (found := first_answer(timeline.sent_between(event), lambda a: a.succeeded)) is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no write succeeded within {RECOVERY_TIMEOUT_SECONDS} s of '{event}'")
